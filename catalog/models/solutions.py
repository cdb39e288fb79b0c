"""The catalogue's solutions: categories, tags, solutions, their publication history and releases."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from catalog.models.querysets import SolutionQuerySet
from catalog.vocabulary import category_label
from catalog.workflow import SolutionStatus
from cstportal.images import image_url
from municipalities.models import Body


class Category(models.Model):
    """A category of the publiccode.yml vocabulary."""

    code = models.SlugField(_("codice"), max_length=60, unique=True)

    class Meta:
        verbose_name = _("categoria")
        verbose_name_plural = _("categorie")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return category_label(self.code)


class Tag(models.Model):
    name = models.CharField(_("nome"), max_length=60)
    slug = models.SlugField(_("slug"), max_length=60, unique=True)

    class Meta:
        verbose_name = _("etichetta")
        verbose_name_plural = _("etichette")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Solution(models.Model):
    """A reusable application or a shared service run by the CST. Fields follow publiccode.yml."""

    class Kind(models.TextChoices):
        SOFTWARE = "software", _("Software a riuso")
        SERVICE = "service", _("Servizio condiviso CST")

    Status = SolutionStatus  # the publication table lives in catalog.workflow

    class DevelopmentStatus(models.TextChoices):
        CONCEPT = "concept", _("Ideazione")
        DEVELOPMENT = "development", _("In sviluppo")
        BETA = "beta", _("Beta")
        STABLE = "stable", _("Stabile")
        OBSOLETE = "obsolete", _("Obsoleta")

    class MaintenanceType(models.TextChoices):
        INTERNAL = "internal", _("Interna")
        CONTRACT = "contract", _("A contratto")
        COMMUNITY = "community", _("Comunità")
        NONE = "none", _("Nessuna")

    class Origin(models.TextChoices):
        ELICAT = "elicat", "ELICAT"
        FISCAT = "fiscat", "FISCAT"
        OTHER = "other", _("Altro")

    class SoftwareType(models.TextChoices):
        STANDALONE_OTHER = "standalone/other", _("Applicazione autonoma")
        STANDALONE_WEB = "standalone/web", _("Applicazione web")
        STANDALONE_BACKEND = "standalone/backend", _("Servizio di back-end")
        STANDALONE_DESKTOP = "standalone/desktop", _("Applicazione desktop")
        STANDALONE_MOBILE = "standalone/mobile", _("Applicazione mobile")
        STANDALONE_IOT = "standalone/iot", _("Internet delle cose")
        ADDON = "addon", _("Componente aggiuntivo")
        LIBRARY = "library", _("Libreria")
        CONFIGURATION = "configurationFiles", _("File di configurazione")

    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    name = models.CharField(_("nome"), max_length=200)
    kind = models.CharField(_("tipo"), max_length=20, choices=Kind.choices, default=Kind.SOFTWARE)
    owner = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="solutions", verbose_name=_("ente titolare"))
    short_description_it = models.CharField(_("descrizione breve (italiano)"), max_length=150)
    short_description_en = models.CharField(_("descrizione breve (inglese)"), max_length=150, blank=True)
    long_description_it = models.TextField(_("descrizione estesa (italiano, Markdown)"))
    long_description_en = models.TextField(_("descrizione estesa (inglese, Markdown)"), blank=True)
    features_it = models.JSONField(_("funzionalità (italiano)"), default=list, blank=True)
    features_en = models.JSONField(_("funzionalità (inglese)"), default=list, blank=True)
    categories = models.ManyToManyField(Category, related_name="solutions", verbose_name=_("categorie"), blank=True)
    tags = models.ManyToManyField(Tag, related_name="solutions", verbose_name=_("etichette"), blank=True)
    scope = models.JSONField(_("ambiti"), default=list, blank=True)
    origin = models.CharField(_("progetto di origine"), max_length=20, choices=Origin.choices, default=Origin.OTHER)
    origin_other = models.CharField(_("altro progetto di origine"), max_length=120, blank=True)
    software_type = models.CharField(
        _("tipo di software"), max_length=30, choices=SoftwareType.choices, default=SoftwareType.STANDALONE_WEB
    )
    licence = models.CharField(_("licenza (SPDX)"), max_length=120)
    main_copyright_owner = models.CharField(_("titolare del copyright"), max_length=200, blank=True)
    repo_owner = models.CharField(_("titolare del repository"), max_length=200, blank=True)
    repository_url = models.URLField(_("URL del repository"), max_length=300, blank=True)
    landing_url = models.URLField(_("pagina di presentazione"), max_length=300, blank=True)
    documentation_url = models.URLField(_("documentazione"), max_length=300, blank=True)
    logo = models.CharField(_("logo (percorso o URL)"), max_length=300, blank=True)
    # Copies fetched from the repository, checked and stored by cstportal.images (served by cstportal.media).
    logo_image = models.CharField(_("logo (immagine conservata)"), max_length=200, blank=True)
    screenshot_images = models.JSONField(_("schermate (immagini conservate)"), default=list, blank=True)
    development_status = models.CharField(
        _("stato di sviluppo"), max_length=20, choices=DevelopmentStatus.choices, default=DevelopmentStatus.STABLE
    )
    maintenance_type = models.CharField(
        _("tipo di manutenzione"), max_length=20, choices=MaintenanceType.choices, default=MaintenanceType.INTERNAL
    )
    maintenance_contractor = models.CharField(_("ditta incaricata"), max_length=200, blank=True)
    maintenance_until = models.DateField(_("manutenzione garantita fino al"), null=True, blank=True)
    contacts = models.JSONField(_("referenti"), default=list, blank=True)
    platforms = models.JSONField(_("piattaforme"), default=list, blank=True)
    available_languages = models.JSONField(_("lingue disponibili"), default=list, blank=True)
    localisation_ready = models.BooleanField(_("pronta per la traduzione"), default=False)
    dependencies = models.JSONField(_("dipendenze"), default=list, blank=True)
    supports_spid = models.BooleanField("SPID", default=False)
    supports_cie = models.BooleanField("CIE", default=False)
    supports_pagopa = models.BooleanField("pagoPA", default=False)
    supports_anpr = models.BooleanField("ANPR", default=False)
    supports_io = models.BooleanField(_("App IO"), default=False)
    publiccode_extra = models.JSONField(
        _("altri campi publiccode.yml"),
        default=dict,
        blank=True,
        help_text=_("Campi del publiccode.yml importato che il catalogo non gestisce: restituiti all'esportazione."),
    )
    status = models.CharField(
        _("stato di pubblicazione"), max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    status_reason = models.TextField(_("motivo dell'ultimo cambio di stato"), blank=True)
    published_at = models.DateTimeField(_("pubblicata il"), null=True, blank=True)
    latest_release_date = models.DateField(_("data dell'ultimo rilascio"), null=True, blank=True, db_index=True)
    # The vitality index of the solution's repository as the last harvest computed it (catalog.harvest.vitality),
    # kept here so that the catalogue sorts by it cheaply; the daily series is catalog.models.VitalityDay.
    vitality = models.PositiveSmallIntegerField(_("indice di vitalità"), null=True, blank=True, editable=False)
    # How many bodies run it in production (its adoptions in status in_production): kept with the adoptions
    # (catalog.models.adoptions.count_in_production, called by the workflow's services and by Adoption.save/delete)
    # so that "Più adottate" is an index walk and the lists read a column instead of counting per row.
    in_production_count = models.PositiveIntegerField(_("enti che la usano in produzione"), default=0, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("creata il"), auto_now_add=True)
    updated_at = models.DateTimeField(_("aggiornata il"), auto_now=True)
    # Maintained by catalog.solutions.search on PostgreSQL (weighted, Italian configuration); unused on SQLite.
    search_vector = SearchVectorField(null=True, editable=False)

    objects = SolutionQuerySet.as_manager()

    class Meta:
        verbose_name = _("soluzione")
        verbose_name_plural = _("soluzioni")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["draft", "in_review", "published", "retired"]),
                name="solution_status_known",
            ),
            models.UniqueConstraint(
                fields=["repository_url"], condition=~Q(repository_url=""), name="solution_unique_repository_url"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "kind"], name="solution_status_kind"),
            # The catalogue and the API list sort by name: without it every page sorts the whole table.
            models.Index(fields=["name", "id"], name="solution_name_id"),
            # The catalogue's facets count every match by owner, kind, status of development, origin and national
            # platform: from this narrow index alone (an index-only scan, about 1/30 of the table's pages) rather
            # than from the wide rows. PostgreSQL only (Django creates no covering index elsewhere).
            models.Index(
                fields=["status"], name="solution_facets",
                include=["id", "owner", "kind", "development_status", "origin", "supports_spid", "supports_cie",
                         "supports_pagopa", "supports_anpr", "supports_io"],
            ),
            # The published catalogue by name with the fixed vocabularies' filters (the catalogue's default order): the
            # page's ids are chosen on this narrow index alone (index-only, any offset), not on the wide rows.
            models.Index(
                fields=["status", "name", "id"], name="solution_status_name_id",
                include=["kind", "development_status", "origin", "supports_spid", "supports_cie", "supports_pagopa",
                         "supports_anpr", "supports_io"],
            ),
            # The catalogue and the API list sort by vitality ("Vitalità").
            models.Index(fields=["vitality", "id"], name="solution_vitality_id"),
            # ... and by bodies using it in production ("Più adottate", read backwards).
            models.Index(fields=["in_production_count", "id"], name="solution_in_production_id"),
            # ... and by latest release ("Ultimo rilascio"): index solution_latest_release_id, PostgreSQL only
            # (migration 0017: SQLite takes no NULLS LAST in an index).
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("catalog:solution-detail", kwargs={"slug": self.slug})

    @property
    def logo_url(self) -> str:
        return image_url(self.logo_image) if self.logo_image else ""

    @property
    def screenshot_urls(self) -> list[str]:
        return [image_url(name) for name in self.screenshot_images]

    @property
    def is_public(self) -> bool:
        return self.status == self.Status.PUBLISHED

    @property
    def supports(self) -> list[str]:
        return [code for code in ("spid", "cie", "pagopa", "anpr", "io") if getattr(self, f"supports_{code}")]

    # The texts kept in Italian and, optionally, English: a visitor who chose English reads the English text when the
    # editorial office wrote one, the Italian one otherwise (marked lang="it" on the page through text_languages).
    BILINGUAL_TEXTS = ("short_description", "long_description", "features")

    def _localised(self, field: str) -> tuple[str | list[str], str]:
        if (get_language() or "").startswith("en"):
            value = getattr(self, f"{field}_en")
            if value:
                return value, "en"
        return getattr(self, f"{field}_it"), "it"

    @property
    def short_description(self) -> str:
        return self._localised("short_description")[0]

    @property
    def long_description(self) -> str:
        return self._localised("long_description")[0]

    @property
    def features(self) -> list[str]:
        return self._localised("features")[0]

    @property
    def text_languages(self) -> dict[str, str]:
        """The language each bilingual text is shown in, for the lang attribute of its element."""
        return {field: self._localised(field)[1] for field in self.BILINGUAL_TEXTS}


class PublicationEvent(models.Model):
    """One change of a solution's publication status: who, when, why."""

    solution = models.ForeignKey(Solution, on_delete=models.CASCADE, related_name="publication_events")
    from_status = models.CharField(max_length=20, choices=Solution.Status.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=Solution.Status.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("evento di pubblicazione")
        verbose_name_plural = _("eventi di pubblicazione")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.solution}: {self.from_status or '-'} → {self.to_status}"


class Release(models.Model):
    solution = models.ForeignKey(Solution, on_delete=models.CASCADE, related_name="releases")
    version = models.CharField(_("versione"), max_length=50)
    date = models.DateField(_("data di rilascio"))
    notes = models.TextField(_("note di rilascio"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("rilascio")
        verbose_name_plural = _("rilasci")
        ordering = ["-date", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["solution", "version"], name="release_unique_solution_version"),
        ]

    def __str__(self) -> str:
        return f"{self.solution} {self.version}"
