"""The upload form for publishers (shape only: the file's content is the parser's business)."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from django import forms
from django.conf import settings
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from municipalities import permissions as people
from municipalities.models import Body, Role

ALLOWED_SUFFIXES = (".yml", ".yaml")


def bodies_for_import(user: Any) -> QuerySet[Body]:
    """The bodies on whose behalf `user` may import: all active bodies for CST staff, else those they publish for."""
    bodies = Body.objects.filter(is_active=True).order_by("name")
    if people.is_cst_admin(user):
        return bodies
    return bodies.filter(pk__in=people.body_ids_with_role(user, Role.PUBLISHER))


class PubliccodeImportForm(forms.Form):
    url = forms.URLField(
        label=_("Indirizzo del publiccode.yml"),
        required=False,
        assume_scheme="https",
        max_length=2000,
        help_text=_("L'indirizzo del file nel repository (ad esempio la sua versione «raw»): il portale lo scarica "
                    "insieme al logo e alle schermate che indica."),
        widget=forms.URLInput(attrs={"class": "form-control", "placeholder": "https://"}),
    )
    file = forms.FileField(
        required=False,
        label=_("File publiccode.yml"),
        help_text=_("Un file .yml o .yaml di al massimo 1 MB, secondo lo standard publiccode.yml (versioni 0.2–0.7)."),
        widget=forms.FileInput(attrs={"accept": ",".join(ALLOWED_SUFFIXES), "class": "form-control"}),
    )
    owner = forms.ModelChoiceField(
        label=_("Ente titolare"),
        queryset=Body.objects.none(),
        required=False,
        empty_label=_("Quello indicato nel file (organisation.uri o it.riuso.codiceIPA)"),
        help_text=_("Serve solo se il file non indica il codice IPA dell'ente."),
    )
    # The uploaded file, sent back by the page that shows close matches (a browser never fills a file input again),
    # so that confirming imports the same bytes.
    kept = forms.CharField(required=False, widget=forms.HiddenInput)
    dry_run = forms.BooleanField(
        label=_("Solo verifica: controlla il file senza salvare nulla"),
        required=False,
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bodies = bodies_for_import(user)
        self.fields["owner"].queryset = bodies
        if not people.is_cst_admin(user):
            only = list(bodies[:2])
            if len(only) == 1:
                self.fields["owner"].initial = only[0].pk

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not self.errors and [bool(data.get(name)) for name in ("url", "file", "kept")].count(True) != 1:
            raise forms.ValidationError(_("Indica l'indirizzo del file oppure caricalo, non entrambi."), code="one_source")
        return data

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload is None:
            return None
        if not upload.name.lower().endswith(ALLOWED_SUFFIXES):
            raise forms.ValidationError(_("Il file deve avere estensione .yml o .yaml."))
        if upload.size > settings.PUBLICCODE_MAX_BYTES:
            raise forms.ValidationError(_("Il file supera la dimensione massima di 1 MB."))
        return upload

    def clean_kept(self) -> bytes:
        text = self.cleaned_data["kept"]
        if not text:
            return b""
        try:
            raw = base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError):
            raise forms.ValidationError(_("Il file da importare non è più leggibile: caricalo di nuovo."))
        if len(raw) > settings.PUBLICCODE_MAX_BYTES:
            raise forms.ValidationError(_("Il file supera la dimensione massima di 1 MB."))
        return raw

    def content(self) -> bytes | None:
        """The file's bytes (uploaded now, or kept from the previous page); None for an import by address."""
        data = self.cleaned_data
        if data["file"]:
            data["file"].seek(0)
            return data["file"].read()
        return data["kept"] or None
