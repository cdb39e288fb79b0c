"""Sources of the catalogue: repositories (or publiccode.yml addresses) harvested on a schedule, and each harvest.

A `Source` belongs to a body and, once harvested, to the solution its file describes. It keeps what the last
harvest saw (a fingerprint of the file and the tags, the head, the root commits that recognise a moved repository,
the tags already turned into releases, the solution fields the file sets), so that the next harvest knows what
changed; when nothing did, nothing is written.

A `HarvestRun` is one harvest of one source, and also a row of an outbox (settings.OUTBOXES): the beat job, the
"harvest now" button and `manage.py harvest` only write a queued run; the relay hands it to a worker, which claims
it with a compare-and-set. At most one run per source is queued or running (a constraint), so two workers never
harvest one source at once; a run whose worker died is taken over when its lease (`due_at`) has passed.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from catalog.models.solutions import Solution
from municipalities.models import Body


class Source(models.Model):
    """A place the catalogue reads a solution's publiccode.yml from."""

    class Kind(models.TextChoices):
        REPOSITORY = "repository", _("Repository git")
        FILE = "file", _("Indirizzo di un publiccode.yml")
        CATALOG = "catalog", _("Catalogo (elenco software come l'API nazionale)")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Attiva")
        PAUSED = "paused", _("In pausa")
        REMOVED = "removed", _("Rimossa")

    url = models.CharField(_("indirizzo"), max_length=500)
    kind = models.CharField(_("tipo di sorgente"), max_length=20, choices=Kind.choices, default=Kind.REPOSITORY)
    # Null only for a source registered by `manage.py harvest URL`: its body is the one its file names, set by the
    # first harvest.
    body = models.ForeignKey(
        Body, on_delete=models.PROTECT, null=True, blank=True, related_name="sources", verbose_name=_("ente")
    )
    solution = models.ForeignKey(
        Solution, on_delete=models.SET_NULL, null=True, blank=True, related_name="sources",
        verbose_name=_("soluzione"),
    )
    status = models.CharField(_("stato"), max_length=20, choices=Status.choices, default=Status.ACTIVE)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("registrata da"),
    )
    created_at = models.DateTimeField(_("registrata il"), auto_now_add=True)
    # When the beat job queues the next harvest (null while paused or removed).
    next_harvest_at = models.DateTimeField(_("prossima raccolta"), null=True, blank=True, default=timezone.now)
    # The last "harvest now": the button is rate-limited per source.
    requested_at = models.DateTimeField(_("raccolta richiesta il"), null=True, blank=True)
    last_run = models.ForeignKey(
        "HarvestRun", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("ultima raccolta"),
    )
    # What the last harvest that read the file saw.
    fingerprint = models.CharField(max_length=64, blank=True)
    # The repository's refs (default branch, head, tags) as the last full read found them: a harvest that lists
    # the same refs stops there.
    refs_digest = models.CharField(max_length=64, blank=True)
    default_branch = models.CharField(_("ramo predefinito"), max_length=255, blank=True)
    head = models.CharField(_("ultimo commit"), max_length=64, blank=True)
    root_commits = models.JSONField(default=list, blank=True)
    tags_seen = models.JSONField(default=list, blank=True)
    harvested_fields = models.JSONField(default=list, blank=True)
    # The errors of the last harvest, as (path, code) pairs: a later harvest tells the publisher only of new ones.
    error_keys = models.JSONField(default=list, blank=True)
    removed_at = models.DateTimeField(_("rimossa il"), null=True, blank=True)
    # A catalogue: the largest `updatedAt` of the last complete walk, sent as `from` by the next one.
    catalog_since = models.DateTimeField(_("catalogo letto fino a"), null=True, blank=True)

    class Meta:
        verbose_name = _("sorgente")
        verbose_name_plural = _("sorgenti")
        ordering = ["url", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["url"], condition=~Q(status="removed"), name="source_unique_url"),
            models.CheckConstraint(condition=Q(status__in=["active", "paused", "removed"]), name="source_status_known"),
            models.CheckConstraint(condition=Q(kind__in=["repository", "file", "catalog"]), name="source_kind_known"),
        ]
        indexes = [
            models.Index(fields=["next_harvest_at"], condition=Q(status="active"), name="source_due"),
        ]

    def __str__(self) -> str:
        return self.url

    def get_absolute_url(self) -> str:
        return reverse("catalog:source-detail", kwargs={"pk": self.pk})

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE

    @property
    def is_local(self) -> bool:
        return self.url.startswith("file://")


class HarvestRun(models.Model):
    """One harvest of one source: queued, running, done; what it found and what it changed."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("In coda")
        RUNNING = "running", _("In corso")
        DONE = "done", _("Conclusa")

    class Outcome(models.TextChoices):
        CREATED = "created", _("Soluzione creata")
        UPDATED = "updated", _("Soluzione aggiornata")
        UNCHANGED = "unchanged", _("Nessuna novità")
        INVALID = "invalid", _("File non valido: nulla è cambiato")
        FAILED = "failed", _("Lettura non riuscita")
        SKIPPED = "skipped", _("Non eseguita: sorgente in pausa o rimossa")

    class Trigger(models.TextChoices):
        SCHEDULE = "schedule", _("Programmata")
        MANUAL = "manual", _("Richiesta dal portale")
        COMMAND = "command", _("Da riga di comando")

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="runs", verbose_name=_("sorgente"))
    trigger = models.CharField(_("avvio"), max_length=20, choices=Trigger.choices, default=Trigger.SCHEDULE)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("richiesta da"),
    )
    status = models.CharField(_("stato"), max_length=20, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(_("avanzamento (%)"), default=0)
    # Incremented by each claim: a worker finishes the run only while the claim is still its own.
    attempts = models.PositiveSmallIntegerField(_("tentativi"), default=0)
    outcome = models.CharField(_("esito"), max_length=20, choices=Outcome.choices, blank=True)
    # [{"kind": ..., "params": {...}}]: rendered in the reader's language by catalog.harvest.presentation.
    changes = models.JSONField(_("modifiche"), default=list, blank=True)
    # [{"path": ..., "code": ..., "messages": {"it": ..., "en": ...}}]
    errors = models.JSONField(_("errori"), default=list, blank=True)
    warnings = models.JSONField(_("avvisi"), default=list, blank=True)
    head = models.CharField(_("commit letto"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("richiesta il"), auto_now_add=True)
    started_at = models.DateTimeField(_("avviata il"), null=True, blank=True)
    finished_at = models.DateTimeField(_("conclusa il"), null=True, blank=True)
    # The outbox's fields (see the module's docstring): null once done.
    due_at = models.DateTimeField(null=True, blank=True, default=timezone.now)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("raccolta")
        verbose_name_plural = _("raccolte")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["source"], condition=Q(status__in=["queued", "running"]), name="harvestrun_one_active"
            ),
            models.CheckConstraint(condition=Q(status__in=["queued", "running", "done"]),
                                   name="harvestrun_status_known"),
            models.CheckConstraint(condition=Q(progress__lte=100), name="harvestrun_progress_lte_100"),
        ]
        indexes = [
            models.Index(fields=["due_at"], condition=Q(due_at__isnull=False), name="harvestrun_due"),
            models.Index(fields=["source", "-created_at"], name="harvestrun_source_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.source} ({self.created_at:%Y-%m-%d %H:%M})"

    @property
    def is_pending(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    def error_messages(self) -> list[tuple[str, str]]:
        """(path, message) of each error, in the active language."""
        return [(error.get("path", ""), _message(error)) for error in self.errors]

    def warning_messages(self) -> list[tuple[str, str]]:
        return [(warning.get("path", ""), _message(warning)) for warning in self.warnings]


def _message(entry: dict) -> str:
    messages = entry.get("messages") or {}
    language = (get_language() or settings.LANGUAGE_CODE).split("-")[0]
    return str(messages.get(language) or messages.get(settings.LANGUAGE_CODE) or next(iter(messages.values()), ""))


class RepositoryAlias(models.Model):
    """A former address of a solution's repository (renamed or moved), as the national crawler keeps them: the
    harvest recognises the repository by its root commits and keeps its solution."""

    solution = models.ForeignKey(Solution, on_delete=models.CASCADE, related_name="aliases",
                                 verbose_name=_("soluzione"))
    url = models.CharField(_("indirizzo precedente"), max_length=500)
    created_at = models.DateTimeField(_("registrato il"), auto_now_add=True)

    class Meta:
        verbose_name = _("indirizzo precedente")
        verbose_name_plural = _("indirizzi precedenti")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["solution", "url"], name="repositoryalias_unique"),
        ]

    def __str__(self) -> str:
        return self.url


class VitalityDay(models.Model):
    """The vitality index of a solution's repository on one day (catalog.harvest.vitality): each harvest of the
    day computes it again and overwrites the day's row when the figure changed; a new day adds a row. The series
    belongs to the solution, so that a repository that moved keeps its history."""

    solution = models.ForeignKey(Solution, on_delete=models.CASCADE, related_name="vitality_days",
                                 verbose_name=_("soluzione"))
    day = models.DateField(_("giorno"))
    value = models.PositiveSmallIntegerField(_("indice di vitalità"))
    # The mean points of each dimension over the window (the crawler's ranges).
    user_community = models.FloatField(_("comunità di autori"))
    code_activity = models.FloatField(_("attività sul codice"))
    release_history = models.FloatField(_("rilasci"))
    longevity = models.FloatField(_("longevità"))
    # What the window held: distinct authors so far, commits, merges and tags of the window, age in days.
    authors = models.PositiveIntegerField(_("autori"))
    commits = models.PositiveIntegerField(_("commit nella finestra"))
    merges = models.PositiveIntegerField(_("merge nella finestra"))
    releases = models.PositiveIntegerField(_("tag nella finestra"))
    age_days = models.PositiveIntegerField(_("età del repository (giorni)"))
    # The window's daily scores, oldest first, comma-separated: the national Software Catalog API's `vitality`.
    scores = models.CharField(_("punteggi giornalieri"), max_length=400)
    computed_at = models.DateTimeField(_("calcolato il"))

    class Meta:
        verbose_name = _("vitalità del giorno")
        verbose_name_plural = _("vitalità per giorno")
        ordering = ["solution", "day"]
        constraints = [
            models.UniqueConstraint(fields=["solution", "day"], name="vitalityday_unique_day"),
            models.CheckConstraint(condition=Q(value__lte=100), name="vitalityday_value_lte_100"),
        ]
        indexes = [
            # The API's ETag reads the last computation of any solution.
            models.Index(fields=["computed_at"], name="vitalityday_computed"),
        ]

    def __str__(self) -> str:
        return f"{self.solution} {self.day}: {self.value}"


class CatalogSourceEntry(models.Model):
    """One software of a catalogue source, as the last harvest read it: the solution it feeds, a fingerprint of
    what the catalogue said (an unchanged entry is not imported again) and the errors that kept it out."""

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="entries", verbose_name=_("sorgente"))
    entry_id = models.CharField(_("identificativo nel catalogo"), max_length=255)
    url = models.CharField(_("indirizzo"), max_length=500)
    solution = models.ForeignKey(Solution, on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="catalog_entries", verbose_name=_("soluzione"))
    active = models.BooleanField(_("attiva nel catalogo"), default=True)
    fingerprint = models.CharField(max_length=64)
    updated_at = models.DateTimeField(_("aggiornata nel catalogo il"))
    harvested_fields = models.JSONField(default=list, blank=True)
    errors = models.JSONField(_("errori"), default=list, blank=True)

    class Meta:
        verbose_name = _("voce di un catalogo")
        verbose_name_plural = _("voci di un catalogo")
        ordering = ["source", "entry_id"]
        constraints = [
            models.UniqueConstraint(fields=["source", "entry_id"], name="catalogsourceentry_unique"),
        ]

    def __str__(self) -> str:
        return self.url
