from __future__ import annotations

from django.db import models


class BodyQuerySet(models.QuerySet):
    def active(self) -> BodyQuerySet:
        return self.filter(is_active=True)

    def comuni(self) -> BodyQuerySet:
        return self.filter(kind="comune")

    def by_code(self, code: str) -> BodyQuerySet:
        """Match an ISTAT code (6 digits) or an IPA code."""
        code = (code or "").strip()
        if code.isdigit():
            return self.filter(istat_code=code)
        return self.filter(ipa_code__iexact=code)


class MembershipQuerySet(models.QuerySet):
    def for_user(self, user) -> MembershipQuerySet:
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(user=user, body__is_active=True)
