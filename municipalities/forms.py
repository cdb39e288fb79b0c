from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm, PasswordResetForm, SetPasswordForm
from django.utils.translation import gettext_lazy as _

from .models import Body, SizeClass
from .querysets import DEFAULT_BODY_SORT


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


class BodyFilterForm(forms.Form):
    """Search, filters and ordering of the public list of bodies. Invalid values are ignored, never an error page."""

    SORT_CHOICES = [
        ("name", _("Nome (A-Z)")),
        ("-name", _("Nome (Z-A)")),
        ("-population", _("Popolazione (decrescente)")),
        ("population", _("Popolazione (crescente)")),
    ]

    q = forms.CharField(
        label=_("Cerca per nome o codice"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "class": "form-control"}),
        help_text=_("Nome dell'ente, codice ISTAT o codice IPA."),
    )
    kind = forms.ChoiceField(
        label=_("Tipo di ente"), required=False, choices=[("", _("Tutti i tipi")), *Body.Kind.choices]
    )
    size_class = forms.ChoiceField(
        label=_("Classe demografica"),
        required=False,
        choices=[("", _("Tutte le classi")), *[c for c in SizeClass.choices if c[0] != SizeClass.NA]],
    )
    membership = forms.ChoiceField(
        label=_("Appartenenza"), required=False,
        choices=[("", _("Tutti gli enti")), ("member", _("Soci del CST")), ("external", _("Enti esterni"))],
    )
    sort = forms.ChoiceField(label=_("Ordina per"), required=False, choices=SORT_CHOICES)

    def filters(self) -> dict[str, str]:
        """The valid part of the request: keyword arguments for BodyQuerySet.for_listing."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {
            "q": data.get("q", ""),
            "kind": data.get("kind", ""),
            "size_class": data.get("size_class", ""),
            "membership": data.get("membership", ""),
            "sort": data.get("sort") or DEFAULT_BODY_SORT,
        }


class _StyledFormMixin:
    """Give every widget Bootstrap Italia's input class, so _form_fields.html renders it correctly."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-control")


class StyledPasswordChangeForm(_StyledFormMixin, PasswordChangeForm):
    pass


class StyledPasswordResetForm(_StyledFormMixin, PasswordResetForm):
    pass


class StyledSetPasswordForm(_StyledFormMixin, SetPasswordForm):
    pass
