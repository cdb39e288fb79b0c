from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class FeedbackForm(forms.Form):
    name = forms.CharField(label=_("Nome e cognome"), max_length=120)
    email = forms.EmailField(label=_("Indirizzo e-mail"), help_text=_("Per risponderti; non sarà pubblicato."))
    page = forms.CharField(label=_("Pagina interessata (facoltativa)"), max_length=300, required=False)
    message = forms.CharField(
        label=_("Messaggio"), max_length=4000, widget=forms.Textarea(attrs={"rows": 6}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-control")
