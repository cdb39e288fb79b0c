"""The form of the webhook page: the shape of what a person types. What the portal accepts (a public https
address, the secret's length, the events) is decided by catalog.webhooks.services.register_webhook."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from catalog.models import WebhookEvent
from catalog.webhooks.services import SECRET_MAX_LENGTH, SECRET_MIN_LENGTH, URL_MAX_LENGTH


class WebhookForm(forms.Form):
    url = forms.CharField(
        label=_("Indirizzo che riceve gli eventi"),
        max_length=URL_MAX_LENGTH,
        help_text=_("Un indirizzo https:// pubblico: il portale vi invia ogni evento con una richiesta POST in JSON."),
        widget=forms.URLInput(attrs={"class": "form-control", "autocomplete": "off", "inputmode": "url"}),
    )
    secret = forms.CharField(
        label=_("Segreto condiviso"),
        min_length=SECRET_MIN_LENGTH,
        max_length=SECRET_MAX_LENGTH,
        strip=False,
        help_text=_(
            "Almeno %(min)s caratteri. Il portale firma ogni invio con HMAC-SHA256 del corpo sotto questo segreto "
            "(intestazione X-CST-Signature); non sarà più mostrato."
        )
        % {"min": SECRET_MIN_LENGTH},
        widget=forms.PasswordInput(attrs={"class": "form-control", "autocomplete": "new-password"}),
    )
    events = forms.MultipleChoiceField(
        label=_("Eventi"),
        choices=WebhookEvent.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Scegli almeno un evento.")},
    )
    description = forms.CharField(
        label=_("Descrizione"),
        max_length=200,
        required=False,
        help_text=_("Per riconoscerlo: ad esempio il sistema che riceve gli eventi."),
        widget=forms.TextInput(attrs={"class": "form-control", "autocomplete": "off"}),
    )
