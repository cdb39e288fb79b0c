"""Adoptions of a solution by a body, their timeline of events and reuse stories."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from catalog.models.querysets import AdoptionQuerySet
from catalog.models.solutions import Solution
from catalog.workflow import ACTIVE_STATUSES, AdoptionStatus
from municipalities.models import Body


def count_in_production(solution_id: int, was: str | None, now: str | None) -> None:
    """Keep Solution.in_production_count after one adoption of `solution_id` went from status `was` to `now` (None:
    no row, before a creation or after a deletion). An increment under the solution's row lock, in the caller's
    transaction: concurrent changes add up instead of overwriting each other. No query when neither status is
    in production. Every write of an adoption's status goes through here (catalog.adoptions.services._move,
    Adoption.save and delete); a bulk load recounts with recount_in_production."""
    delta = (now == AdoptionStatus.IN_PRODUCTION) - (was == AdoptionStatus.IN_PRODUCTION)
    if delta:
        Solution.objects.filter(pk=solution_id).update(in_production_count=F("in_production_count") + delta)


def recount_in_production(solution_ids: list[int] | None = None) -> int:
    """Set Solution.in_production_count from the adoptions (all solutions when `solution_ids` is None): after a
    bulk load that bypassed count_in_production (the benchmark's seed, migration 0018). Returns the rows updated."""
    from django.db.models import Count, OuterRef, Subquery, Value
    from django.db.models.functions import Coalesce

    counted = (
        Adoption.objects.filter(status=AdoptionStatus.IN_PRODUCTION, solution=OuterRef("pk"))
        .order_by()
        .values("solution")
        .annotate(n=Count("*"))
        .values("n")
    )
    solutions = Solution.objects.all() if solution_ids is None else Solution.objects.filter(pk__in=solution_ids)
    return solutions.update(in_production_count=Coalesce(Subquery(counted), Value(0)))


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
    agreement_reference = models.CharField(
        _("riferimento dell'accordo (art. 15 L. 241/1990)"), max_length=200, blank=True
    )
    estimated_cost = models.DecimalField(
        _("costo stimato di sviluppo o acquisto (€)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    actual_cost = models.DecimalField(
        _("costo effettivo di adattamento (€)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    effort_days = models.DecimalField(
        _("impegno (giornate/persona)"),
        max_digits=8,
        decimal_places=1,
        null=True,
        blank=True,
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
                condition=Q(estimated_cost__isnull=True) | Q(estimated_cost__gte=0),
                name="adoption_estimated_cost_gte_0",
            ),
            models.CheckConstraint(
                condition=Q(actual_cost__isnull=True) | Q(actual_cost__gte=0), name="adoption_actual_cost_gte_0"
            ),
        ]
        indexes = [
            models.Index(fields=["body", "status"], name="adoption_body_status"),
            models.Index(fields=["owner_body", "status"], name="adoption_owner_status"),
            # How many bodies run each solution in production (SolutionQuerySet.with_adoption_count, the catalogue's
            # "Più adottate" ordering): counted from this index alone, without reading the adoptions' rows.
            models.Index(fields=["solution"], condition=Q(status=AdoptionStatus.IN_PRODUCTION), name="adoption_in_production"),
        ]

    def __str__(self) -> str:
        return f"{self.solution} — {self.body}"

    # The status as stored, for the solution's in-production counter (None: not stored yet).
    _stored_status: str | None = None

    def save(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        """Save, and keep the solution's in-production counter when the status written differs from the stored
        one (the workflow changes the status with an UPDATE of its own: catalog.adoptions.services._move)."""
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "status" not in update_fields:
            super().save(*args, **kwargs)
            return
        was = None if self._state.adding else self._stored_status
        with transaction.atomic(using=kwargs.get("using")):
            super().save(*args, **kwargs)
            count_in_production(self.solution_id, was, self.status)
        self._stored_status = self.status

    def get_absolute_url(self) -> str:
        return reverse("catalog:adoption-detail", kwargs={"pk": self.pk})

    def delete(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        with transaction.atomic(using=kwargs.get("using")):
            deleted = super().delete(*args, **kwargs)
            count_in_production(self.solution_id, self._stored_status, None)
        self._stored_status = None
        return deleted

    @classmethod
    def from_db(cls, db, field_names, values):  # type: ignore[no-untyped-def]
        instance = super().from_db(db, field_names, values)
        instance._stored_status = instance.__dict__.get("status")
        return instance

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
    by_portal = models.BooleanField(
        _("registrato dal portale"), default=False,
        help_text=_("Un passo compiuto dal portale stesso, senza una persona (ad esempio l'approvazione del riuso "
                    "di una soluzione di un ente esterno)."),
    )
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
