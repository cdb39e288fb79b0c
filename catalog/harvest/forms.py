"""The form of a new source: shape only (the service checks the address and who may register it)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from catalog import permissions
from municipalities import permissions as people
from municipalities.models import Body, Role


class SourceForm(forms.Form):
    url = forms.CharField(
        label=_("Indirizzo"), max_length=500,
        help_text=_("L'indirizzo https:// del repository git (per esempio https://github.com/ente/progetto), oppure "
                    "quello di un file publiccode.yml pubblicato su un sito."),
    )
    body = forms.ModelChoiceField(label=_("Ente"), queryset=Body.objects.none(), empty_label=None, required=False,
                                  help_text=_("L'ente titolare: il publiccode.yml deve indicare questo ente."))
    kind = forms.ChoiceField(
        label=_("Tipo di sorgente"), required=False,
        choices=[("", _("Repository git o publiccode.yml (riconosciuto dall'indirizzo)")),
                 ("catalog", _("Catalogo: elenco software di un altro portale o del catalogo nazionale"))],
        help_text=_("Un catalogo raccoglie le soluzioni degli enti esterni al CST che elenca, ciascuna per l'ente "
                    "indicato nel suo publiccode.yml: l'ente qui sopra non si usa."),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if people.is_cst_admin(user):
            bodies = Body.objects.filter(is_active=True)
            self.fields["url"].help_text = _(
                "L'indirizzo https:// del repository git, quello di un file publiccode.yml, oppure (solo per lo "
                "staff del CST) il percorso di un repository nelle cartelle locali consentite."
            )
        else:
            bodies = Body.objects.filter(pk__in=people.body_ids_with_role(user, Role.PUBLISHER), is_member=True)
        body = self.fields["body"]
        assert isinstance(body, forms.ModelChoiceField)
        body.queryset = bodies.order_by("name")
        if not permissions.can_register_catalog_source(user):
            del self.fields["kind"]
        self.can_register = permissions.can_register_source(user)
        for field in self.fields.values():
            if not isinstance(field.widget, forms.Select):
                field.widget.attrs.setdefault("class", "form-control")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("kind") != "catalog" and not cleaned.get("body") and "body" not in self.errors:
            self.add_error("body", _("Scegli l'ente titolare della sorgente."))
        return cleaned
