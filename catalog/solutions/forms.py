"""Forms of the catalogue: shape validation only (types, lengths, choices); the services write."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from license_expression import get_spdx_licensing

from catalog import permissions
from catalog.models import Release, Solution
from catalog.vocabulary import CATEGORIES, SCOPES, SUPPORTS, category_label, scope_label
from municipalities.models import Body

MAX_LINES = 50
MAX_LINE_LENGTH = 200
# The name of the second submit button of the pages that create a solution (the form, the publiccode.yml import):
# shown with the close matches, it creates the solution all the same.
CONFIRM_NEW = "confirm_new"

_licensing = None


def validate_spdx_expression(value: str) -> str:
    """Return the normalised SPDX expression, or raise ValidationError in Italian."""
    global _licensing
    if _licensing is None:
        _licensing = get_spdx_licensing()
    try:
        info = _licensing.validate(value, strict=True)
        errors, normalised = info.errors, info.normalized_expression
    except Exception:  # the library raises on some malformed expressions instead of reporting them
        errors, normalised = ["invalid"], None
    if errors or not normalised:
        raise ValidationError(
            _("«%(value)s» non è un identificativo di licenza SPDX valido (esempi: EUPL-1.2, AGPL-3.0-or-later, MIT)."),
            code="invalid_licence",
            params={"value": value},
        )
    return str(normalised)


def _model_field(name: str, **kwargs: Any) -> forms.Field:
    return Solution._meta.get_field(name).formfield(**kwargs)


class LinesField(forms.CharField):
    """A list edited as a textarea, one item per line; empty lines are ignored."""

    widget = forms.Textarea

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)
        self.widget.attrs["rows"] = 4

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list | tuple):
            return "\n".join(self.format_item(item) for item in value)
        return value

    def format_item(self, item: Any) -> str:
        return str(item)

    def parse_item(self, line: str, number: int) -> Any:
        return line

    def clean(self, value: Any) -> list[Any]:
        if isinstance(value, list | tuple):  # a read-only field cleans its initial value, a list
            value = self.prepare_value(value)
        text = super().clean(value) or ""
        lines = [" ".join(line.split()) for line in text.splitlines()]
        lines = [line for line in lines if line]
        if len(lines) > MAX_LINES:
            raise ValidationError(_("Al massimo %(max)d righe."), params={"max": MAX_LINES}, code="too_many")
        errors, items = [], []
        for number, line in enumerate(lines, start=1):
            if len(line) > MAX_LINE_LENGTH:
                errors.append(
                    ValidationError(_("Riga %(n)d: al massimo %(max)d caratteri."), params={"n": number,
                                                                                      "max": MAX_LINE_LENGTH})
                )
                continue
            try:
                items.append(self.parse_item(line, number))
            except ValidationError as exc:
                errors.append(exc)
        if errors:
            raise ValidationError(errors)
        return items


_CONTACT_RE = re.compile(r"^(?P<name>[^<>]+?)\s*<(?P<email>[^<>\s]+)>\s*(?:[,;–—-]\s*)?(?P<phone>[+0-9][0-9 ./-]{4,})?$")


class ContactsField(LinesField):
    """Contacts as lines «Nome Cognome <email>», optionally followed by a telephone number."""

    def format_item(self, item: Any) -> str:
        if not isinstance(item, dict):
            return str(item)
        text = f"{item.get('name', '')} <{item.get('email', '')}>"
        return f"{text} {item['phone']}" if item.get("phone") else text

    def parse_item(self, line: str, number: int) -> dict[str, str]:
        match = _CONTACT_RE.match(line)
        if not match:
            raise ValidationError(
                _("Riga %(n)d: scrivi «Nome Cognome <indirizzo e-mail>», eventualmente seguito dal telefono."),
                params={"n": number},
            )
        email = match["email"]
        try:
            EmailValidator()(email)
        except ValidationError:
            raise ValidationError(_("Riga %(n)d: «%(email)s» non è un indirizzo e-mail valido."),
                                  params={"n": number, "email": email})
        contact = {"name": match["name"].strip(), "email": email.lower()}
        if match["phone"]:
            contact["phone"] = match["phone"].strip()
        return contact


class DependencyField(LinesField):
    """Dependencies of one kind (open, proprietary, hardware), one name per line."""

    def __init__(self, *args: Any, kind: str, **kwargs: Any) -> None:
        self.kind = kind
        super().__init__(*args, **kwargs)
        self.widget.attrs["rows"] = 3

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list | tuple):
            return "\n".join(dependency_name(d) for d in value if dependency_kind(d) == self.kind)
        return value

    def parse_item(self, line: str, number: int) -> dict[str, str]:
        return {"name": line, "kind": self.kind}


def dependency_name(item: Any) -> str:
    return str(item.get("name", "")) if isinstance(item, dict) else str(item)


def dependency_kind(item: Any) -> str:
    return str(item.get("kind", "open")) if isinstance(item, dict) else "open"


class LanguagesField(forms.CharField):
    """ISO 639 language codes separated by commas or spaces ("it, en")."""

    def prepare_value(self, value: Any) -> Any:
        return ", ".join(value) if isinstance(value, list | tuple) else value

    def clean(self, value: Any) -> list[str]:
        if isinstance(value, list | tuple):  # a read-only field cleans its initial value, a list
            value = self.prepare_value(value)
        text = super().clean(value) or ""
        codes = [c.lower() for c in re.split(r"[\s,;]+", text) if c]
        wrong = [c for c in codes if not re.fullmatch(r"[a-z]{2,3}(-[a-z0-9]{2,8})?", c)]
        if wrong:
            raise ValidationError(
                _("Codici di lingua non validi: %(codes)s. Usa i codici ISO 639, per esempio «it, en»."),
                params={"codes": ", ".join(wrong)},
            )
        return list(dict.fromkeys(codes))


class SolutionForm(forms.Form):
    """Every field a publisher edits. `fieldsets` groups them on the page."""

    name = _model_field("name")
    kind = _model_field("kind")
    owner = forms.ModelChoiceField(label=_("Ente titolare"), queryset=Body.objects.none(), empty_label=None)
    short_description_it = _model_field(
        "short_description_it", help_text=_("Una frase, al massimo 150 caratteri: compare nei risultati di ricerca.")
    )
    long_description_it = _model_field(
        "long_description_it",
        help_text=_("Formato Markdown: titoli con ##, elenchi con -, collegamenti [testo](https://…)."),
    )
    features_it = LinesField(label=_("Funzionalità (italiano)"), help_text=_("Una funzionalità per riga."))
    short_description_en = _model_field("short_description_en")
    long_description_en = _model_field("long_description_en")
    features_en = LinesField(label=_("Funzionalità (inglese)"), help_text=_("Una funzionalità per riga."))

    categories = forms.MultipleChoiceField(
        label=_("Categorie"), required=False, choices=(), widget=forms.CheckboxSelectMultiple,
        help_text=_("Il vocabolario delle categorie di publiccode.yml: scegline una o più."),
    )
    scope = forms.MultipleChoiceField(
        label=_("Ambiti"), required=False, widget=forms.CheckboxSelectMultiple,
        # A callable: the labels are sorted in the language of each request.
        choices=lambda: sorted(((s, scope_label(s)) for s in SCOPES), key=lambda c: c[1]),
    )
    tags = forms.CharField(
        label=_("Etichette"), required=False, max_length=600,
        help_text=_("Parole chiave separate da virgole, per esempio «tributi, catasto»."),
    )
    origin = _model_field("origin")
    origin_other = _model_field("origin_other", help_text=_("Solo se il progetto di origine è «Altro»."))

    software_type = _model_field("software_type")
    development_status = _model_field("development_status")
    licence = _model_field(
        "licence", help_text=_("Identificativo o espressione SPDX, per esempio EUPL-1.2 oppure MIT OR Apache-2.0.")
    )
    main_copyright_owner = _model_field("main_copyright_owner")
    repo_owner = _model_field("repo_owner")
    repository_url = _model_field(
        "repository_url", assume_scheme="https", help_text=_("Indirizzo completo, con https://.")
    )
    landing_url = _model_field("landing_url", assume_scheme="https")
    documentation_url = _model_field("documentation_url", assume_scheme="https")
    platforms = LinesField(label=_("Piattaforme"), help_text=_("Una per riga, per esempio «web», «linux», «windows»."))
    available_languages = LanguagesField(
        label=_("Lingue disponibili"), required=False, max_length=200, help_text=_("Codici ISO 639 separati da virgole.")
    )
    localisation_ready = _model_field("localisation_ready")
    dependencies_open = DependencyField(kind="open", label=_("Dipendenze libere"), help_text=_("Una per riga."))
    dependencies_proprietary = DependencyField(
        kind="proprietary", label=_("Dipendenze proprietarie"), help_text=_("Una per riga.")
    )
    dependencies_hardware = DependencyField(kind="hardware", label=_("Dipendenze hardware"),
                                            help_text=_("Una per riga."))

    maintenance_type = _model_field("maintenance_type")
    maintenance_contractor = _model_field(
        "maintenance_contractor", help_text=_("Obbligatoria per la manutenzione a contratto.")
    )
    maintenance_until = forms.DateField(
        label=_("Manutenzione garantita fino al"), required=False, widget=forms.DateInput(attrs={"type": "date"},
                                                                                         format="%Y-%m-%d"),
    )
    contacts = ContactsField(
        label=_("Referenti"),
        help_text=_("Uno per riga: «Nome Cognome <indirizzo e-mail>», eventualmente seguito dal telefono. "
                    "Visibili solo alle persone degli enti che hanno effettuato l'accesso."),
    )

    supports_spid = _model_field("supports_spid")
    supports_cie = _model_field("supports_cie")
    supports_pagopa = _model_field("supports_pagopa")
    supports_anpr = _model_field("supports_anpr")
    supports_io = _model_field("supports_io")

    fieldsets = (
        (_("Identità"), ("name", "kind", "owner")),
        (_("Descrizione in italiano"), ("short_description_it", "long_description_it", "features_it")),
        (_("Descrizione in inglese (facoltativa)"), ("short_description_en", "long_description_en", "features_en")),
        (_("Classificazione"), ("categories", "scope", "tags", "origin", "origin_other")),
        (_("Aspetti tecnici"), (
            "software_type", "development_status", "licence", "main_copyright_owner", "repo_owner", "repository_url",
            "landing_url", "documentation_url", "platforms", "available_languages", "localisation_ready",
            "dependencies_open", "dependencies_proprietary", "dependencies_hardware",
        )),
        (_("Manutenzione e referenti"), ("maintenance_type", "maintenance_contractor", "maintenance_until",
                                          "contacts")),
        (_("Integrazioni con le piattaforme nazionali"), tuple(f"supports_{code}" for code, _label in SUPPORTS)),
    )

    def __init__(self, *args: Any, user: Any, instance: Solution | None = None, read_only: Iterable[str] = (),
                 **kwargs: Any) -> None:
        self.user = user
        self.instance = instance
        if instance is not None:
            initial = {name: getattr(instance, name) for name in self.base_fields if hasattr(instance, name)
                       and name not in {"categories", "tags", "owner"}}
            initial["owner"] = instance.owner_id
            initial["categories"] = [c.code for c in instance.categories.all()]
            initial["tags"] = ", ".join(t.name for t in instance.tags.all())
            for name in ("dependencies_open", "dependencies_proprietary", "dependencies_hardware"):
                initial[name] = instance.dependencies
            kwargs["initial"] = {**initial, **kwargs.get("initial", {})}
        super().__init__(*args, **kwargs)
        bodies = [b for b in Body.objects.active().order_by("name") if permissions.can_create_solution(user, b)]
        if instance is not None and instance.owner_id not in {b.pk for b in bodies}:
            bodies.insert(0, instance.owner)
        self.fields["owner"].queryset = Body.objects.filter(pk__in=[b.pk for b in bodies]).order_by("name")
        if len(bodies) == 1:
            self.fields["owner"].initial = bodies[0].pk
        self.fields["categories"].choices = sorted(((c, category_label(c)) for c in CATEGORIES), key=lambda c: c[1])
        for name in ("long_description_it", "long_description_en"):
            self.fields[name].widget.attrs["rows"] = 10
        for name in ("short_description_it", "short_description_en"):
            self.fields[name].widget = forms.TextInput(attrs={"maxlength": 150})
        for field in self.fields.values():
            if isinstance(field.widget, forms.CheckboxInput | forms.Select | forms.CheckboxSelectMultiple):
                continue
            field.widget.attrs.setdefault("class", "form-control")
        self.read_only = self._lock(read_only)

    def _lock(self, model_fields: Iterable[str]) -> list[str]:
        """Fields that come from a harvested publiccode.yml: shown, not editable (the form keeps their current
        value), with a note that they change in the repository."""
        names = set()
        for name in model_fields:
            if name == "dependencies":
                names.update(("dependencies_open", "dependencies_proprietary", "dependencies_hardware"))
            elif name in self.fields:
                names.add(name)
        note = _("Viene dal publiccode.yml del repository: si modifica nel repository.")
        for name in names:
            field = self.fields[name]
            field.disabled = True
            field.help_text = f"{field.help_text} {note}" if field.help_text else note
        return sorted(names)

    def grouped(self) -> list[tuple[str, list[forms.BoundField]]]:
        return [(legend, [self[name] for name in names]) for legend, names in self.fieldsets]

    def clean_licence(self) -> str:
        return validate_spdx_expression(self.cleaned_data["licence"].strip())

    def clean_tags(self) -> list[str]:
        names = [" ".join(t.split()) for t in self.cleaned_data["tags"].split(",")]
        names = [n for n in names if n]
        too_long = [n for n in names if len(n) > 60]
        if too_long:
            raise ValidationError(_("Ogni etichetta ha al massimo 60 caratteri."))
        return list(dict.fromkeys(names))

    def clean_repository_url(self) -> str:
        url = self.cleaned_data["repository_url"]
        if url:
            others = Solution.objects.filter(repository_url=url)
            if self.instance is not None:
                others = others.exclude(pk=self.instance.pk)
            if others.exists():
                raise ValidationError(_("Un'altra soluzione del catalogo usa già questo repository."))
        return url

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("origin") != Solution.Origin.OTHER:
            data["origin_other"] = ""
        if data.get("maintenance_type") == Solution.MaintenanceType.CONTRACT and not data.get(
            "maintenance_contractor"
        ):
            self.add_error("maintenance_contractor", _("Indica la ditta che cura la manutenzione a contratto."))
        if data.get("maintenance_type") == Solution.MaintenanceType.NONE and data.get("maintenance_until"):
            self.add_error("maintenance_until", _("Senza manutenzione non c'è una data di fine manutenzione."))
        return data

    def service_arguments(self) -> dict[str, Any]:
        """cleaned_data shaped as the services' keyword arguments."""
        data = dict(self.cleaned_data)
        data["dependencies"] = (
            data.pop("dependencies_open") + data.pop("dependencies_proprietary") + data.pop("dependencies_hardware")
        )
        return data


class ReleaseForm(forms.Form):
    version = forms.CharField(label=_("Versione"), max_length=50, help_text=_("Per esempio 2.4.0."))
    date = forms.DateField(label=_("Data di rilascio"), widget=forms.DateInput(attrs={"type": "date"},
                                                                                format="%Y-%m-%d"))
    notes = forms.CharField(label=_("Note di rilascio"), required=False, max_length=5000,
                            widget=forms.Textarea(attrs={"rows": 5}))

    def __init__(self, *args: Any, solution: Solution, **kwargs: Any) -> None:
        self.solution = solution
        kwargs.setdefault("initial", {"date": timezone.localdate()})
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-control")

    def clean_version(self) -> str:
        version = " ".join(self.cleaned_data["version"].split())
        if not re.fullmatch(r"[0-9A-Za-z][0-9A-Za-z.+_-]*", version):
            raise ValidationError(_("Usa solo lettere, cifre, punti e trattini, senza spazi (per esempio 2.4.0)."))
        if Release.objects.filter(solution=self.solution, version=version).exists():
            raise ValidationError(_("La versione %(version)s è già registrata."), params={"version": version})
        return version

    def clean_date(self) -> dt.date:
        date = self.cleaned_data["date"]
        if date > timezone.localdate():
            raise ValidationError(_("La data di rilascio non può essere nel futuro."))
        if date.year < 1980:
            raise ValidationError(_("Controlla l'anno della data di rilascio."))
        return date


class ReasonForm(forms.Form):
    """The reason of a publication decision (required when asking for changes or retiring)."""

    reason = forms.CharField(
        label=_("Motivo"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4, "class": "form-control"}),
    )

    def __init__(self, *args: Any, required: bool = True, label: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].required = required
        if label:
            self.fields["reason"].label = label

    def clean_reason(self) -> str:
        return self.cleaned_data["reason"].strip()
