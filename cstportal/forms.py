from __future__ import annotations

import unicodedata

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Control characters (CR, LF, tab, NUL...) and the Unicode line and paragraph separators: in an e-mail header they
# would break it or smuggle in a header of their own.
NOT_ON_ONE_LINE = frozenset({"Cc", "Zl", "Zp"})


def validate_single_line(value: str) -> None:
    """A value that goes into an e-mail header (a name, an address) is one line of printable text."""
    if any(unicodedata.category(character) in NOT_ON_ONE_LINE for character in value):
        raise ValidationError(
            _("Scrivi tutto su una riga, senza a capo né caratteri di controllo."), code="not_single_line"
        )


class FeedbackForm(forms.Form):
    name = forms.CharField(label=_("Nome e cognome"), max_length=120, validators=[validate_single_line])
    email = forms.EmailField(
        label=_("Indirizzo e-mail"),
        help_text=_("Per risponderti; non sarà pubblicato."),
        validators=[validate_single_line],
    )
    page = forms.CharField(
        label=_("Pagina interessata (facoltativa)"), max_length=300, required=False, validators=[validate_single_line]
    )
    message = forms.CharField(
        label=_("Messaggio"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 6}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-control")
