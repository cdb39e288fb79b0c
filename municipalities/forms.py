from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class EmailAuthenticationForm(AuthenticationForm):
    """Login with the e-mail address as the login name."""

    username = forms.EmailField(
        label=_("Indirizzo e-mail"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True, "class": "form-control"}),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "class": "form-control"}),
    )

    error_messages = {
        "invalid_login": _("Indirizzo e-mail o password non corretti. Attenzione: dopo 5 tentativi errati l'accesso "
                           "viene bloccato per 15 minuti."),
        "inactive": _("Questo account è disattivato."),
    }

    def clean_username(self) -> str:
        return self.cleaned_data["username"].strip().lower()
