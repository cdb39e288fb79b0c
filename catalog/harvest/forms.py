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
    body = forms.ModelChoiceField(label=_("Ente"), queryset=Body.objects.none(), empty_label=None,
                                  help_text=_("L'ente titolare: il publiccode.yml deve indicare questo ente."))

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
        self.can_register = permissions.can_register_source(user)
        for field in self.fields.values():
            if not isinstance(field.widget, forms.Select):
                field.widget.attrs.setdefault("class", "form-control")
