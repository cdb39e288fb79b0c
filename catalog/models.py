from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from municipalities.models import Body

from .querysets import AdoptionQuerySet, SolutionQuerySet
from .vocabulary import category_label
from .workflow import ACTIVE_STATUSES, AdoptionStatus, SolutionStatus


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
    owner = models.ForeignKey(
        Body, on_delete=models.PROTECT, related_name="solutions", verbose_name=_("ente titolare")
    )
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
        _("altri campi publiccode.yml"), default=dict, blank=True,
        help_text=_("Campi del publiccode.yml importato che il catalogo non gestisce: restituiti all'esportazione."),
    )
    status = models.CharField(
        _("stato di pubblicazione"), max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    status_reason = models.TextField(_("motivo dell'ultimo cambio di stato"), blank=True)
    published_at = models.DateTimeField(_("pubblicata il"), null=True, blank=True)
    latest_release_date = models.DateField(_("data dell'ultimo rilascio"), null=True, blank=True, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("creata il"), auto_now_add=True)
    updated_at = models.DateTimeField(_("aggiornata il"), auto_now=True)
    # Maintained by catalog.search on PostgreSQL (weighted, Italian configuration); unused on SQLite.
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
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("catalog:solution-detail", kwargs={"slug": self.slug})

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


class Adoption(models.Model):
    """A body reusing another body's solution (or joining a CST service)."""

    Status = AdoptionStatus

    class Environment(models.TextChoices):
        TEST = "test", _("Collaudo")
        PRODUCTION = "production", _("Produzione")

    solution = models.ForeignKey(Solution, on_delete=models.PROTECT, related_name="adoptions")
    body = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="adoptions", verbose_name=_("ente adottante"))
    # The solution's owner at the time of the request: lets the database refuse self-adoption.
    owner_body = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="+", verbose_name=_("ente titolare"))
    status = models.CharField(
        _("stato"), max_length=20, choices=AdoptionStatus.choices, default=AdoptionStatus.REQUESTED, db_index=True
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("richiesta da")
    )
    requested_at = models.DateTimeField(_("richiesta il"))
    decided_at = models.DateTimeField(_("decisa il"), null=True, blank=True)
    started_at = models.DateTimeField(_("avviata il"), null=True, blank=True)
    in_production_at = models.DateTimeField(_("in produzione dal"), null=True, blank=True)
    closed_at = models.DateTimeField(_("chiusa il"), null=True, blank=True)
    status_changed_at = models.DateTimeField(_("ultimo cambio di stato"))
    adopted_version = models.CharField(_("versione adottata"), max_length=50, blank=True)
    environment = models.CharField(_("ambiente"), max_length=20, choices=Environment.choices, blank=True)
    go_live_date = models.DateField(_("data di avvio in produzione"), null=True, blank=True)
    agreement_reference = models.CharField(_("riferimento dell'accordo (art. 15 L. 241/1990)"), max_length=200, blank=True)
    estimated_cost = models.DecimalField(
        _("costo stimato di sviluppo o acquisto (€)"), max_digits=12, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    actual_cost = models.DecimalField(
        _("costo effettivo di adattamento (€)"), max_digits=12, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    effort_days = models.DecimalField(
        _("impegno (giornate/persona)"), max_digits=8, decimal_places=1, null=True, blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    reminded_at = models.DateTimeField(_("ultimo sollecito"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AdoptionQuerySet.as_manager()

    class Meta:
        verbose_name = _("adozione")
        verbose_name_plural = _("adozioni")
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["solution", "body"],
                condition=Q(status__in=ACTIVE_STATUSES),
                name="adoption_one_active_per_solution_body",
            ),
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in AdoptionStatus]), name="adoption_status_known"
            ),
            models.CheckConstraint(condition=~Q(body=F("owner_body")), name="adoption_not_by_owner"),
            models.CheckConstraint(
                condition=Q(estimated_cost__isnull=True) | Q(estimated_cost__gte=0), name="adoption_estimated_cost_gte_0"
            ),
            models.CheckConstraint(
                condition=Q(actual_cost__isnull=True) | Q(actual_cost__gte=0), name="adoption_actual_cost_gte_0"
            ),
        ]
        indexes = [
            models.Index(fields=["body", "status"], name="adoption_body_status"),
            models.Index(fields=["owner_body", "status"], name="adoption_owner_status"),
        ]

    def __str__(self) -> str:
        return f"{self.solution} — {self.body}"

    def get_absolute_url(self) -> str:
        return reverse("catalog:adoption-detail", kwargs={"pk": self.pk})

    @property
    def savings(self) -> Decimal | None:
        if self.estimated_cost is None or self.actual_cost is None:
            return None
        return self.estimated_cost - self.actual_cost

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES


class AdoptionEvent(models.Model):
    """The timeline and audit trail of an adoption. A comment is an event without a status change."""

    adoption = models.ForeignKey(Adoption, on_delete=models.CASCADE, related_name="events")
    sequence = models.PositiveIntegerField(_("numero"))
    action = models.CharField(_("azione"), max_length=20)
    from_status = models.CharField(_("da"), max_length=20, choices=AdoptionStatus.choices, blank=True)
    to_status = models.CharField(_("a"), max_length=20, choices=AdoptionStatus.choices, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("autore")
    )
    note = models.TextField(_("nota"), blank=True)
    created_at = models.DateTimeField(_("data"), auto_now_add=True)

    class Meta:
        verbose_name = _("evento dell'adozione")
        verbose_name_plural = _("eventi dell'adozione")
        ordering = ["adoption", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["adoption", "sequence"], name="adoption_event_unique_sequence"),
        ]

    def __str__(self) -> str:
        return f"{self.adoption} #{self.sequence} {self.action}"

    @property
    def is_comment(self) -> bool:
        return not self.to_status


class ReuseStory(models.Model):
    """What the adopter tells once the solution runs in production: shown on the solution page."""

    adoption = models.OneToOneField(Adoption, on_delete=models.CASCADE, related_name="story")
    outcome = models.TextField(_("risultato"))
    lessons = models.TextField(_("lezioni apprese"), blank=True)
    savings_note = models.TextField(_("risparmi ottenuti"), blank=True)
    is_published = models.BooleanField(_("pubblicata"), default=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("storia di riuso")
        verbose_name_plural = _("storie di riuso")

    def __str__(self) -> str:
        return f"{self.adoption}"


class Report(models.Model):
    """A report built by a task (provincial, of one body, of one solution) and kept for download.

    The row is also an outbox row (settings.OUTBOXES): the web request only writes it (status queued, due now); the
    relay hands due rows to the workers, so requesting a report never depends on the broker being up.
    """

    class Kind(models.TextChoices):
        PROVINCIAL = "provincial", _("Provinciale")
        BODY = "body", _("Di un ente")
        SOLUTION = "solution", _("Di una soluzione")

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        XLSX = "xlsx", _("Excel (XLSX)")
        PDF = "pdf", "PDF"

    class Status(models.TextChoices):
        QUEUED = "queued", _("In coda")
        RUNNING = "running", _("In preparazione")
        DONE = "done", _("Pronto")
        FAILED = "failed", _("Non riuscito")

    kind = models.CharField(_("tipo di rapporto"), max_length=20, choices=Kind.choices)
    body = models.ForeignKey(
        Body, on_delete=models.CASCADE, null=True, blank=True, related_name="reports", verbose_name=_("ente")
    )
    solution = models.ForeignKey(
        Solution, on_delete=models.CASCADE, null=True, blank=True, related_name="reports", verbose_name=_("soluzione")
    )
    format = models.CharField(_("formato"), max_length=10, choices=Format.choices)
    date_from = models.DateField(_("dal"), null=True, blank=True)
    date_to = models.DateField(_("al"), null=True, blank=True)
    solution_kind = models.CharField(
        _("tipo di soluzione"), max_length=20, choices=Solution.Kind.choices, blank=True
    )
    status = models.CharField(_("stato"), max_length=20, choices=Status.choices, default=Status.QUEUED, db_index=True)
    progress = models.PositiveSmallIntegerField(_("avanzamento (%)"), default=0)
    file = models.FileField(_("file"), upload_to="reports/%Y/%m/", max_length=300, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("richiesto da"),
    )
    # The first day of the month a monthly provincial report was built for: at most one per month.
    monthly_for = models.DateField(_("rapporto mensile del"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("inviato per e-mail il"), null=True, blank=True)
    created_at = models.DateTimeField(_("richiesto il"), auto_now_add=True)
    # The outbox's fields: when the relay should hand the row to a worker (null: nothing left to do), and when it last
    # did. A worker building the report moves `due_at` past its time limit, so a dead worker's report comes back.
    due_at = models.DateTimeField(_("da affidare ai worker dal"), null=True, blank=True, default=timezone.now)
    published_at = models.DateTimeField(_("affidato ai worker il"), null=True, blank=True)
    started_at = models.DateTimeField(_("avviato il"), null=True, blank=True)
    finished_at = models.DateTimeField(_("completato il"), null=True, blank=True)
    error = models.TextField(_("errore"), blank=True)

    class Meta:
        verbose_name = _("rapporto")
        verbose_name_plural = _("rapporti")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(kind="provincial", body__isnull=True, solution__isnull=True)
                    | Q(kind="body", body__isnull=False, solution__isnull=True)
                    | Q(kind="solution", body__isnull=True, solution__isnull=False)
                ),
                name="report_scope_matches_kind",
            ),
            models.CheckConstraint(condition=Q(progress__lte=100), name="report_progress_lte_100"),
            models.UniqueConstraint(
                fields=["monthly_for", "format"], condition=Q(monthly_for__isnull=False), name="report_one_monthly"
            ),
        ]
        indexes = [
            models.Index(fields=["due_at"], name="report_due", condition=Q(due_at__isnull=False)),
        ]

    def __str__(self) -> str:
        return str(self.title)

    def get_absolute_url(self) -> str:
        return reverse("catalog:report-detail", kwargs={"pk": self.pk})

    @property
    def title(self) -> str:
        if self.kind == self.Kind.BODY:
            return _("Rapporto dell'ente %(name)s") % {"name": self.body}
        if self.kind == self.Kind.SOLUTION:
            return _("Rapporto della soluzione %(name)s") % {"name": self.solution}
        if self.monthly_for:
            return _("Rapporto provinciale mensile") + f" {self.monthly_for:%m/%Y}"
        return str(_("Rapporto provinciale"))

    @property
    def is_pending(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    @property
    def filename(self) -> str:
        scope = self.body.slug if self.body_id else self.solution.slug if self.solution_id else "provincia"
        return f"rapporto-{scope}-{self.created_at:%Y%m%d}-{self.pk}.{self.format}"
