from __future__ import annotations

from django.db import models
from django.db.models import F, Q

# The public list of bodies may be sorted only by these keys (name and population, both directions).
# Ties are broken by name and then id, so a page never shows a body twice or skips one.
BODY_SORTS: dict[str, tuple] = {
    "name": (F("name").asc(), "pk"),
    "-name": (F("name").desc(), "-pk"),
    "population": (F("population").asc(nulls_last=True), F("name").asc(), "pk"),
    "-population": (F("population").desc(nulls_last=True), F("name").asc(), "pk"),
}
DEFAULT_BODY_SORT = "name"


class BodyQuerySet(models.QuerySet):
    def active(self) -> BodyQuerySet:
        return self.filter(is_active=True)

    def comuni(self) -> BodyQuerySet:
        """The comuni of the CST (a comune outside it, recorded as the owner of a solution, is not one)."""
        return self.filter(kind="comune", is_member=True)

    def by_code(self, code: str) -> BodyQuerySet:
        """The body a code names: its public key (Body.key: ISTAT code, else IPA code, else slug), its IPA code in any
        case (a comune's IPA code, whose key is the ISTAT code) or its slug (the addresses of the past)."""
        code = (code or "").strip()
        if not code:
            return self.none()
        return self.filter(Q(key=code.lower()) | Q(ipa_code__iexact=code) | Q(slug=code))

    def members(self) -> BodyQuerySet:
        """The CST's own bodies (external owners of catalogue entries left out)."""
        return self.filter(is_member=True)

    def search(self, text: str) -> BodyQuerySet:
        """Name contains the text, or the text is (the start of) an ISTAT code or an IPA code."""
        text = (text or "").strip()
        if not text:
            return self
        condition = Q(name__icontains=text) | Q(ipa_code__iexact=text)
        if text.isdigit():
            condition |= Q(istat_code__startswith=text)
        return self.filter(condition)

    def for_listing(
        self, *, q: str = "", kind: str = "", size_class: str = "", sort: str = "", membership: str = ""
    ) -> BodyQuerySet:
        """The public list: search, filters and one of the whitelisted orderings (an unknown key means by name)."""
        qs = self.search(q)
        if membership:
            qs = qs.filter(is_member=membership == "member")
        if kind:
            qs = qs.filter(kind=kind)
        if size_class:
            qs = qs.filter(size_class=size_class)
        return qs.order_by(*BODY_SORTS.get(sort, BODY_SORTS[DEFAULT_BODY_SORT]))


class MembershipQuerySet(models.QuerySet):
    def for_user(self, user) -> MembershipQuerySet:
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(user=user, body__is_active=True)
