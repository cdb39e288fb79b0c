"""Forms of the adoption pages: shape validation only; the services decide what is allowed."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog import permissions
from catalog.adoptions.presentation import ACTIONS
from catalog.adoptions.services import GO_LIVE_FIELDS, NOTE_MAX_LENGTH
from catalog.models import Adoption, ReuseStory, Solution
from catalog.workflow import Action, AdoptionStatus, transition_for
from municipalities.models import Body


class ItalianDecimalField(forms.DecimalField):
    """A non-negative number written the Italian way: "48.000", "6.500,50", "22,5" (a plain "6500.50" works too)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("min_value", 0)
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal", "class": "form-control"}))
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str):
            value = value.replace("€", "").replace(" ", "").replace("\u00a0", "").strip()
            if "," in value:
                value = value.replace(".", "").replace(",", ".")
            elif re.fullmatch(r"\d{1,3}(\.\d{3})+", value):
                value = value.replace(".", "")  # "48.000" is forty-eight thousand in Italian
        return super().to_python(value)


def _textarea(rows: int = 3, **attrs: Any) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows, "class": "form-control", **attrs})


class RequestAdoptionForm(forms.Form):
    """"Richiedi l'adozione" on a solution page: for which body, and a note to the owner."""

    body = forms.ModelChoiceField(
        label=_("Ente che adotta"), queryset=Body.objects.none(), empty_label=None,
        widget=forms.Select(),
    )
    note = forms.CharField(
        label=_("Messaggio per l'ente titolare"), required=False, max_length=NOTE_MAX_LENGTH, widget=_textarea(),
        help_text=_("Perché vi serve, tempi previsti, chi seguirà l'adozione."),
    )

    def __init__(self, *args: Any, bodies: Any = None, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "adoption")
        super().__init__(*args, **kwargs)
        self.fields["body"].queryset = bodies if bodies is not None else Body.objects.none()

    @classmethod
    def for_solution(cls, user: Any, solution: Solution, *, data: Any = None) -> RequestAdoptionForm:
        """The bodies `user` may ask for: their referent bodies, or every active body for CST staff.

        Bodies that already have the solution stay valid choices here, so that the service can say so clearly.
        """
        return cls(data, bodies=permissions.bodies_that_may_request(user, solution).order_by("name"))


class ActionForm(forms.Form):
    """One workflow action on the adoption page: a note (required where the table says) and the status seen."""

    # The status the person saw: if it changed meanwhile, the compare-and-set refuses with "already changed".
    seen_status = forms.ChoiceField(choices=AdoptionStatus.choices, widget=forms.HiddenInput, required=False)
    note = forms.CharField(label=_("Nota"), required=False, max_length=NOTE_MAX_LENGTH, widget=_textarea())

    def __init__(self, *args: Any, action: Action, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", str(action))
        super().__init__(*args, **kwargs)
        self.action = action
        transition = transition_for(action)
        note = self.fields["note"]
        note.required = transition.note_required
        note.label = ACTIONS[action].note_label or (_("Messaggio") if note.required else _("Nota (facoltativa)"))
        # Prefixed ids are unique on a page that carries several action forms.
        note.widget.attrs["id"] = f"id_{action}-note"


def _go_live_formfield(db_field: models.Field, **kwargs: Any) -> forms.Field | None:
    """The model field's own limits on the form field: max_length, max_digits and decimal_places, choices, and the
    minimum of its MinValueValidator (which a model form would only check on the instance)."""
    if isinstance(db_field, models.DecimalField):
        minimum = next((v.limit_value for v in db_field.validators if isinstance(v, MinValueValidator)), None)
        return db_field.formfield(form_class=ItalianDecimalField, min_value=minimum, **kwargs)
    return db_field.formfield(**kwargs)


class GoLiveFieldsForm(forms.ModelForm):
    """What go_live records, in shape: types and limits, from the Adoption model's fields. The adoption page
    (GoLiveForm) and the API (TransitionSerializer) validate with it; the rules that need the adoption (the date,
    the releases, production only) are the service's (catalog.adoptions.services.transition_adoption)."""

    REQUIRED = ("adopted_version", "go_live_date")

    class Meta:
        model = Adoption
        fields = GO_LIVE_FIELDS
        formfield_callback = _go_live_formfield
        labels = {
            "adopted_version": _("Versione messa in produzione"),
            "go_live_date": _("Data di avvio in produzione"),
            "estimated_cost": _("Costo stimato per svilupparla o acquistarla (€)"),
            "actual_cost": _("Costo effettivo di adattamento (€)"),
            "effort_days": _("Impegno (giornate/persona)"),
            "agreement_reference": _("Riferimento dell'accordo (art. 15 L. 241/1990)"),
        }
        help_texts = {
            "estimated_cost": _(
                "Quanto sarebbe costato all'ente costruirla o comprarla da zero. Per esempio 48.000 o 6.500,50."
            ),
            "actual_cost": _("Quanto è costato davvero adattarla e avviarla."),
        }
        widgets = {
            "adopted_version": forms.TextInput(attrs={"class": "form-control"}),
            "go_live_date": forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d"),
            "agreement_reference": forms.TextInput(attrs={"class": "form-control"}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in self.REQUIRED:
            self.fields[name].required = True

    def _post_clean(self) -> None:
        # No instance to check: the figures go to the service, which writes them on the adoption with its step.
        pass

    def go_live_fields(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(name) for name in self._meta.fields or () if name in self.fields}


class GoLiveForm(ActionForm, GoLiveFieldsForm):
    """go_live on the adoption page: what runs, since when, and the figures that let the province measure savings.

    The version is a choice among the solution's releases when it has some (newest first and chosen), free text
    otherwise. There is no environment to choose: go_live records production, which the service checks with the
    other rules of the step (catalog.adoptions.services); the page shows its refusals by field
    (cstportal.errors.service_errors_as_messages).
    """

    class Meta(GoLiveFieldsForm.Meta):
        fields = tuple(name for name in GO_LIVE_FIELDS if name != "environment")

    field_order = ["adopted_version", "go_live_date", "estimated_cost", "actual_cost", "effort_days",
                   "agreement_reference", "note"]

    def __init__(self, *args: Any, solution: Solution, **kwargs: Any) -> None:
        # The releases, newest first (Release.Meta.ordering): one query.
        versions = list(solution.releases.values_list("version", flat=True))
        kwargs["initial"] = {"go_live_date": timezone.localdate(), "adopted_version": versions[0] if versions else "",
                             **kwargs.get("initial", {})}
        super().__init__(*args, action=Action.GO_LIVE, **kwargs)
        if versions:
            version = self.fields["adopted_version"]
            self.fields["adopted_version"] = forms.ChoiceField(
                label=version.label, choices=[(v, v) for v in versions],
                help_text=_("Le versioni pubblicate dall'ente titolare, dalla più recente."), widget=forms.Select(),
            )


class CommentForm(forms.Form):
    note = forms.CharField(
        label=_("Commento"), max_length=NOTE_MAX_LENGTH, widget=_textarea(4, id="id_comment-note"),
        help_text=_("Lo vedono le persone dei due enti e lo staff del CST."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "comment")
        super().__init__(*args, **kwargs)


class ReuseStoryForm(forms.ModelForm):
    class Meta:
        model = ReuseStory
        fields = ["outcome", "lessons", "savings_note"]
        labels = {
            "outcome": _("Com'è andata: il risultato"),
            "lessons": _("Cosa avete imparato"),
            "savings_note": _("Cosa avete risparmiato"),
        }
        help_texts = {
            "outcome": _("Che cosa fa oggi l'ente grazie a questa soluzione."),
            "savings_note": _("Tempo, denaro, lavoro evitato: in parole semplici."),
        }
        widgets = {
            "outcome": _textarea(4),
            "lessons": _textarea(3),
            "savings_note": _textarea(3),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "story")
        super().__init__(*args, **kwargs)


class AdoptionFilterForm(forms.Form):
    """Filters of the adoption list. Invalid values are ignored, never an error page."""

    status = forms.ChoiceField(
        label=_("Stato"), required=False, choices=[("", _("Tutti gli stati")), *AdoptionStatus.choices],
        widget=forms.Select(),
    )
    body = forms.ModelChoiceField(
        label=_("Ente adottante"), required=False, queryset=Body.objects.none(), empty_label=_("Tutti gli enti"),
        widget=forms.Select(),
    )
    solution = forms.ModelChoiceField(
        label=_("Soluzione"), required=False, queryset=Solution.objects.none(), empty_label=_("Tutte le soluzioni"),
        to_field_name="slug", widget=forms.Select(),
    )

    def __init__(self, *args: Any, bodies: Any, solutions: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["body"].queryset = bodies
        self.fields["solution"].queryset = solutions

    def filters(self) -> dict[str, Any]:
        """The valid filters only: a wrong value in the address is dropped rather than shown as an error."""
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if value}
