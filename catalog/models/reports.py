"""Reports requested by CST staff and analysts, built by a worker."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog.models.solutions import Solution
from municipalities.models import Body


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
    solution_kind = models.CharField(_("tipo di soluzione"), max_length=20, choices=Solution.Kind.choices, blank=True)
    status = models.CharField(_("stato"), max_length=20, choices=Status.choices, default=Status.QUEUED, db_index=True)
    progress = models.PositiveSmallIntegerField(_("avanzamento (%)"), default=0)
    file = models.FileField(_("file"), upload_to="reports/%Y/%m/", max_length=300, blank=True)
    # Every report, whatever its format, also has an accessible HTML version (headings, captioned tables, charts
    # with their text alternative): the PDF library cannot tag a whole document.
    html_file = models.FileField(_("versione HTML"), upload_to="reports/%Y/%m/", max_length=300, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
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

    @property
    def html_filename(self) -> str:
        return self.filename.rsplit(".", 1)[0] + ".html"
