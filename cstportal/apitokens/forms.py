from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

DURATION_CHOICES = [
    ("30", _("30 giorni")),
    ("90", _("90 giorni")),
    ("365", _("1 anno")),
    ("", _("Nessuna scadenza (fino alla revoca)")),
]


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Nome del token"),
        max_length=100,
        help_text=_("Per riconoscerlo: ad esempio il sistema o lo script che lo userà."),
        widget=forms.TextInput(attrs={"class": "form-control", "autocomplete": "off"}),
    )
    days = forms.TypedChoiceField(
        label=_("Validità"),
        choices=DURATION_CHOICES,
        coerce=int,
        empty_value=None,
        required=False,
        initial="90",
        widget=forms.Select(attrs={"class": "form-select"}),
    )
