from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Count, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce

from municipalities import permissions as people
from municipalities.models import Role

from .workflow import ACTIVE_STATUSES


class SolutionQuerySet(models.QuerySet):
    def published(self) -> SolutionQuerySet:
        return self.filter(status="published")

    def visible_to(self, user: Any) -> SolutionQuerySet:
        """Published solutions for everyone; every status for CST staff and the owner body's publishers."""
        if people.is_cst_admin(user):
            return self
        publisher_of = people.body_ids_with_role(user, Role.PUBLISHER)
        if publisher_of:
            return self.filter(Q(status="published") | Q(owner_id__in=publisher_of))
        return self.published()

    def with_adoption_count(self) -> SolutionQuerySet:
        """Annotate `adoption_count`: how many bodies run the solution in production (a subquery, no join)."""
        from .models import Adoption

        in_production = (
            Adoption.objects.filter(solution=OuterRef("pk"), status="in_production")
            .order_by()
            .values("solution")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return self.annotate(adoption_count=Coalesce(Subquery(in_production), Value(0)))

    def editable_by(self, user: Any) -> SolutionQuerySet:
        if people.is_cst_admin(user):
            return self
        return self.filter(owner_id__in=people.body_ids_with_role(user, Role.PUBLISHER))


class AdoptionQuerySet(models.QuerySet):
    def active(self) -> AdoptionQuerySet:
        return self.filter(status__in=ACTIVE_STATUSES)

    def in_production(self) -> AdoptionQuerySet:
        return self.filter(status="in_production")

    def visible_to(self, user: Any) -> AdoptionQuerySet:
        """CST staff and analysts see all; a body's people see their body's adoptions and those of its solutions."""
        if people.sees_everything(user):
            return self
        body_ids = people.body_ids_with_role(user)
        if not body_ids:
            return self.none()
        return self.filter(Q(body_id__in=body_ids) | Q(owner_body_id__in=body_ids))
