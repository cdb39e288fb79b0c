"""Forms of the dashboards (filters) and of the report requests: shape validation and the scope a person may pick."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from catalog import permissions
from catalog.models import Report, Solution
from municipalities import permissions as people
from municipalities.models import Body


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class PeriodKindForm(forms.Form):
    """Filters of the provincial dashboard: period (request dates) and kind of solution."""

    date_from = forms.DateField(label=_("Dal"), required=False, widget=DateInput())
    date_to = forms.DateField(label=_("Al"), required=False, widget=DateInput())
    kind = forms.ChoiceField(
        label=_("Tipo di soluzione"), required=False,
        choices=[("", _("Software e servizi")), *Solution.Kind.choices],
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise forms.ValidationError(_("La data iniziale deve precedere quella finale."))
        return data

    def filters(self) -> dict[str, Any]:
        """The filters for catalog.dashboards.stats (none when the form is invalid or empty)."""
        if not self.is_bound or not self.is_valid():
            return {}
        return {
            "date_from": self.cleaned_data.get("date_from"),
            "date_to": self.cleaned_data.get("date_to"),
            "kind": self.cleaned_data.get("kind") or None,
        }


class ReportRequestForm(forms.Form):
    kind = forms.ChoiceField(label=_("Tipo di rapporto"), widget=forms.RadioSelect)
    body = forms.ModelChoiceField(
        label=_("Ente"), queryset=Body.objects.none(), required=False,
        help_text=_("Solo per il rapporto di un ente."), empty_label=_("— scegli un ente —"),
    )
    solution = forms.ModelChoiceField(
        label=_("Soluzione"), queryset=Solution.objects.none(), required=False,
        help_text=_("Solo per il rapporto di una soluzione."), empty_label=_("— scegli una soluzione —"),
    )
    date_from = forms.DateField(
        label=_("Richieste dal"), required=False, widget=DateInput(), help_text=_("Solo per il rapporto provinciale.")
    )
    date_to = forms.DateField(
        label=_("Richieste fino al"), required=False, widget=DateInput(),
        help_text=_("Solo per il rapporto provinciale."),
    )
    solution_kind = forms.ChoiceField(
        label=_("Tipo di soluzione"), required=False, choices=[("", _("Software e servizi")), *Solution.Kind.choices],
        help_text=_("Solo per il rapporto provinciale."),
    )
    format = forms.ChoiceField(label=_("Formato"), choices=Report.Format.choices, widget=forms.RadioSelect,
                               initial=Report.Format.PDF)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["body"].queryset = permissions.bodies_for_reports(user).order_by("name")
        self.fields["solution"].queryset = permissions.solutions_for_reports(user).select_related("owner").order_by(
            "name")
        kinds = []
        if permissions.can_view_province_dashboard(user):
            kinds.append((Report.Kind.PROVINCIAL.value, Report.Kind.PROVINCIAL.label))
        if people.sees_everything(user) or people.body_ids_with_role(user):
            kinds.append((Report.Kind.BODY.value, Report.Kind.BODY.label))
            kinds.append((Report.Kind.SOLUTION.value, Report.Kind.SOLUTION.label))
        self.fields["kind"].choices = kinds
        if kinds:
            self.fields["kind"].initial = kinds[0][0]

    @property
    def can_request(self) -> bool:
        return bool(self.fields["kind"].choices)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        kind = data.get("kind")
        if kind == Report.Kind.BODY:
            body = data.get("body")
            if body is None:
                self.add_error("body", _("Scegli l'ente del rapporto."))
            elif not permissions.can_view_body_dashboard(self.user, body):
                self.add_error("body", _("Non puoi chiedere il rapporto di questo ente."))
        elif kind == Report.Kind.SOLUTION:
            solution = data.get("solution")
            if solution is None:
                self.add_error("solution", _("Scegli la soluzione del rapporto."))
            elif not permissions.can_view_solution_report(self.user, solution):
                self.add_error("solution", _("Non puoi chiedere il rapporto di questa soluzione."))
        elif (
            kind == Report.Kind.PROVINCIAL
            and data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]
        ):
            self.add_error("date_to", _("La data iniziale deve precedere quella finale."))
        return data
