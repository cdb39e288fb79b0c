from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import F, Max, OuterRef, Q, Subquery

from catalog.workflow import ACTIVE_STATUSES, AdoptionStatus
from municipalities import permissions as people
from municipalities.models import Role


def in_use(prefix: str = "") -> Q:
    """The one definition of a body using a solution: its adoption is in production.

    go_live means production. The service records a go-live only in the production environment, between the
    request and today, with a released version (catalog.adoptions.services); a deployment in test ("Collaudo")
    keeps the adoption in progress. So the status alone says who uses what, and "Usata da", the adoption counts of
    the catalogue, the publiccode.yml `usedBy`, and the dashboards all filter with this condition. `prefix` reaches
    the adoption through a relation, e.g. `in_use("adoptions__")` on solutions or bodies.
    """
    return Q(**{f"{prefix}status": AdoptionStatus.IN_PRODUCTION})


def _solutions_visible(user: Any) -> Q | None:
    """The solutions `user` sees (None: all of them)."""
    if people.is_cst_admin(user):
        return None
    publisher_of = people.body_ids_with_role(user, Role.PUBLISHER)
    if publisher_of:
        return Q(status="published") | Q(owner_id__in=publisher_of)
    return Q(status="published")


class SolutionQuerySet(models.QuerySet):
    def published(self) -> SolutionQuerySet:
        return self.filter(status="published")

    def review_queue(self) -> SolutionQuerySet:
        """Solutions waiting for CST staff, oldest request first, each with `submitted_at` (its latest submission),
        the owner joined."""
        from catalog.models.solutions import PublicationEvent

        submitted_at = (
            PublicationEvent.objects.filter(solution=OuterRef("pk"), to_status="in_review")
            .order_by()
            .values("solution")
            .annotate(at=Max("created_at"))
            .values("at")
        )
        return (
            self.filter(status="in_review")
            .select_related("owner")
            .defer("search_vector")
            .annotate(submitted_at=Subquery(submitted_at))
            .order_by("submitted_at", "pk")
        )

    def visible_to(self, user: Any) -> SolutionQuerySet:
        """Published solutions for everyone; every status for CST staff and the owner body's publishers."""
        condition = _solutions_visible(user)
        return self if condition is None else self.filter(condition)

    def changes_visible_to(self, user: Any) -> SolutionQuerySet:
        """What a client keeping in sync may learn: what `user` sees, and the solutions once published and since
        retired, which every client must learn to drop (their tombstones: listed with status "retired")."""
        condition = _solutions_visible(user)
        return self if condition is None else self.filter(condition | Q(status="retired", published_at__isnull=False))

    def with_adoption_count(self) -> SolutionQuerySet:
        """Annotate `adoption_count`: how many bodies run the solution in production (the counter
        Solution.in_production_count, kept with the adoptions: see catalog.models.adoptions.count_in_production)."""
        return self.annotate(adoption_count=F("in_production_count"))

    def editable_by(self, user: Any) -> SolutionQuerySet:
        if people.is_cst_admin(user):
            return self
        return self.filter(owner_id__in=people.body_ids_with_role(user, Role.PUBLISHER))


class AdoptionQuerySet(models.QuerySet):
    def active(self) -> AdoptionQuerySet:
        return self.filter(status__in=ACTIVE_STATUSES)

    def in_production(self) -> AdoptionQuerySet:
        """The adoptions whose body uses the solution: see `in_use`."""
        return self.filter(in_use())

    def visible_to(self, user: Any) -> AdoptionQuerySet:
        """CST staff and analysts see all; a body's people see their body's adoptions and those of its solutions."""
        if people.sees_everything(user):
            return self
        body_ids = people.body_ids_with_role(user)
        if not body_ids:
            return self.none()
        return self.filter(Q(body_id__in=body_ids) | Q(owner_body_id__in=body_ids))
