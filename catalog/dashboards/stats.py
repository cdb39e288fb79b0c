"""The figures of the dashboards, the reports and the `stats/province` API.

Every figure is ONE SQL aggregate (or one bounded list query): nothing here loops over adoption rows in Python, so
the number of queries and the work done by the web process do not grow with the data. Results hold codes, numbers
and dates only (no translated labels), so that one cached copy serves every language.

Results are cached in the version namespace `catalog.caching.FIGURES` (cstportal.versioned_cache): any change of a
solution, release, adoption, adoption event or body bumps it (catalog/caching.py), so every older entry is ignored at
once. At a million adoptions a recompute takes seconds, so a change must not make the next visitor wait for it
(stale-while-revalidate). Each result is kept twice, with the time it was computed and the version it was computed
for:

- the *fresh* copy, under the current version, for `CACHE_SECONDS`: served as it is;
- the *last known* copy, under a plain key for `LAST_KNOWN_SECONDS`: served, marked stale, when there is no fresh
  copy (after a change, or once the fresh copy has expired), while ONE refresh is queued for that name and
  parameters (single flight: a lock key taken with `cache.add`, released by the refresh, so a burst of views or
  of changes queues one Celery task, not one per visitor). The task (`catalog.refresh_figures`) recomputes and
  stores both copies;
- no copy at all (first view ever, the cache down or flushed): computed in the request and stored.

The broker is only told "recompute this": with the broker down the stale copy is still served (a warning is logged)
and the next view after the lock expires tries again. A caller that must have figures of the current data (a
report: it is the first reading after a change) asks with `fresh=True` and never gets a stale copy. The cache is an
accelerator only: when it is down the figures are computed from the database.

Each public function returns `Figures`: the dict of figures as before, with `computed_at` and `stale` attributes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Count, DecimalField, DurationField, Exists, ExpressionWrapper, F, OuterRef, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from catalog.caching import FIGURES
from catalog.models import Adoption, Category, Solution
from catalog.models.querysets import in_use
from catalog.workflow import AdoptionStatus
from cstportal import versioned_cache
from cstportal.workdays import working_days_ago
from municipalities.models import Body, SizeClass

logger = logging.getLogger(__name__)

CACHE_SECONDS = 300  # a fresh copy is served as it is for this long (or until a change)
LAST_KNOWN_SECONDS = 24 * 3600  # a last known copy is served, marked stale, for this long after its computation
# Longer than a recompute at 1,000,000 adoptions on a busy machine (12-30 s), so that a burst of views during one
# queues no second refresh; the refresh releases it when done, so it only bounds the wait for a lost task.
REFRESH_LOCK_SECONDS = 120
MOST_REUSED_LIMIT = 10
WAITING_LIST_LIMIT = 20
BODY_LIST_LIMIT = 200

SIZE_CLASSES = (SizeClass.XS.value, SizeClass.S.value, SizeClass.M.value, SizeClass.L.value)


# --- cache ----------------------------------------------------------------------------------------------------


class Figures(dict):
    """The figures of one public function (a dict, compared and read as one), with when they were computed and
    whether they are a stale copy served while a refresh runs."""

    def __init__(self, values: dict[str, Any], *, computed_at: dt.datetime, stale: bool = False) -> None:
        super().__init__(values)
        self.computed_at = computed_at
        self.stale = stale


def invalidate() -> None:
    """Make every cached figure stale (for changes made without model signals, e.g. a queryset `update()`)."""
    versioned_cache.bump(FIGURES)


def _key(name: str, params: str) -> str:
    return f"{name}:{hashlib.sha256(params.encode()).hexdigest()[:16]}"


def _fresh_key(version: str, key: str) -> str:
    return f"{FIGURES}:{version}:{key}"


def _last_known_key(key: str) -> str:
    return f"{FIGURES}:last:{key}"


def _lock_key(key: str) -> str:
    return f"{FIGURES}:refreshing:{key}"


def _cached(name: str, params: str, *, fresh: bool = False) -> Figures:
    """The figures `name` for `params` (see the module's docstring): fresh, last known (stale) or computed now."""
    key = _key(name, params)
    try:
        version = versioned_cache.version(FIGURES)
        wanted = [_fresh_key(version, key)] if fresh else [_fresh_key(version, key), _last_known_key(key)]
        found = cache.get_many(wanted)
    except Exception:
        logger.warning("cache unavailable: computing figures %s", key, exc_info=True)
        return Figures(_compute(name, params), computed_at=timezone.now())
    entry = found.get(_fresh_key(version, key))
    if entry is None and not fresh:
        last = found.get(_last_known_key(key))
        if last is not None:
            if _queue_refresh(name, params, key):
                # A refresh that ran at once (an eager Celery: tests, a single-process setup) has stored it already.
                entry = _get_quietly(_fresh_key(version, key))
            if entry is None:
                return Figures(last["value"], computed_at=last["computed_at"], stale=True)
    if entry is None:
        entry = _compute_and_store(name, params, version)
    return Figures(entry["value"], computed_at=entry["computed_at"])


def _get_quietly(key: str) -> Any:
    try:
        return cache.get(key)
    except Exception:
        logger.warning("cache unavailable: %s not read", key, exc_info=True)
        return None


def _queue_refresh(name: str, params: str, key: str) -> bool:
    """Queue one refresh of `name`/`params` unless one is queued already. True when this call queued it."""
    from catalog import tasks  # the tasks module imports the services, which import this module

    try:
        if not cache.add(_lock_key(key), 1, REFRESH_LOCK_SECONDS):
            return False  # queued by somebody else, not finished yet
    except Exception:
        logger.warning("cache unavailable: no refresh of figures %s queued", key, exc_info=True)
        return False
    try:
        # No retries: a view must not wait for a broker that is down; the lock keeps the next views from trying
        # again until it expires.
        tasks.refresh_figures.apply_async((name, params), retry=False)
    except Exception:
        logger.warning("broker unavailable: refresh of figures %s not queued, a stale copy served", key, exc_info=True)
        return False
    return True


def refresh(name: str, params: str) -> None:
    """Recompute the figures `name` for `params` and store both copies (the task `catalog.refresh_figures`), then
    release the single-flight lock so that the next change queues a new refresh."""
    key = _key(name, params)
    try:
        _compute_and_store(name, params, versioned_cache.version(FIGURES))
    finally:
        try:
            cache.delete(_lock_key(key))
        except Exception:
            logger.warning("cache unavailable: lock of figures %s left to expire", key, exc_info=True)


def _compute_and_store(name: str, params: str, version: str) -> dict[str, Any]:
    """Compute now and keep both copies. `version` is read before computing: a change made meanwhile bumps it, so
    this result is then only a last known copy, never taken for the figures of the newer data."""
    entry = {"value": _compute(name, params), "computed_at": timezone.now(), "version": version}
    try:
        cache.set(_fresh_key(version, _key(name, params)), entry, CACHE_SECONDS)
        cache.set(_last_known_key(_key(name, params)), entry, LAST_KNOWN_SECONDS)
    except Exception:
        logger.warning("cache unavailable: figures %s:%s not stored", name, params, exc_info=True)
    return entry


def _compute(name: str, params: str) -> dict[str, Any]:
    return _with_room(lambda: _COMPUTE[name](params))


def _with_room(compute: Callable[[], Any]) -> Any:
    """Compute the figures with `settings.FIGURES_WORK_MEM` of PostgreSQL memory for each sort and hash: grouping a
    million adoptions by month or by body then hashes in memory instead of sorting on disk. Only for this
    transaction (SET LOCAL): every other query keeps the server's setting."""
    room = getattr(settings, "FIGURES_WORK_MEM", "")
    if connection.vendor != "postgresql" or not room:
        return compute()
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('work_mem', %s, true)", [room])
        return compute()


# --- filters --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    """Period (inclusive dates, applied to the request date of adoptions and the publication date of solutions)
    and kind of solution (software / service)."""

    date_from: dt.date | None = None
    date_to: dt.date | None = None
    kind: str | None = None

    def key(self) -> str:
        return f"{self.date_from}|{self.date_to}|{self.kind or ''}"

    @classmethod
    def from_key(cls, key: str) -> Filters:
        """The filters whose `key()` is `key` (how a queued refresh names them)."""
        date_from, date_to, kind = key.split("|")

        def day(value: str) -> dt.date | None:
            return None if value == "None" else dt.date.fromisoformat(value)

        return cls(date_from=day(date_from), date_to=day(date_to), kind=kind or None)

    def _bounds(self) -> tuple[dt.datetime | None, dt.datetime | None]:
        tz = timezone.get_current_timezone()
        start = timezone.make_aware(dt.datetime.combine(self.date_from, dt.time.min), tz) if self.date_from else None
        end = (
            timezone.make_aware(dt.datetime.combine(self.date_to + dt.timedelta(days=1), dt.time.min), tz)
            if self.date_to
            else None
        )
        return start, end

    def adoptions(self, prefix: str = "") -> Q:
        """A Q on adoptions (or on a relation to them, with `prefix` such as 'adoptions__')."""
        q = Q()
        start, end = self._bounds()
        if start:
            q &= Q(**{f"{prefix}requested_at__gte": start})
        if end:
            q &= Q(**{f"{prefix}requested_at__lt": end})
        if self.kind:
            q &= Q(**{f"{prefix}solution__kind": self.kind})
        return q

    def solutions(self, prefix: str = "") -> Q:
        q = Q(**{f"{prefix}status": Solution.Status.PUBLISHED})
        start, end = self._bounds()
        if start:
            q &= Q(**{f"{prefix}published_at__gte": start})
        if end:
            q &= Q(**{f"{prefix}published_at__lt": end})
        if self.kind:
            q &= Q(**{f"{prefix}kind": self.kind})
        return q


# --- provincial figures ---------------------------------------------------------------------------------------


def province_stats(
    *,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    kind: str | None = None,
    fresh: bool = False,
) -> Figures:
    """Every figure of the provincial dashboard (cached). Ten queries on a cache miss, none on a hit or when a
    stale copy is served. `fresh=True`: never a stale copy (computed now when there is no fresh one).

    Keys: solutions_published, solutions_by_kind, solutions_by_category, adoptions_total, adoptions_by_status,
    bodies_reached, size_classes, most_reused, median_days, median_sample, savings, per_month, waiting, filters.
    Values are numbers (Decimal for euro), dates, codes and names; labels are added by the presentation layer.
    """
    if kind not in (None, "", *Solution.Kind.values):
        raise ValueError(f"unknown kind {kind!r}")
    filters = Filters(date_from=date_from, date_to=date_to, kind=kind or None)
    return _cached("province", filters.key(), fresh=fresh)


def _compute_province(f: Filters) -> dict[str, Any]:
    by_kind = _solutions_by_kind(f)
    totals = _adoption_totals(f)
    median, sample = _median_days_to_production(f)
    return {
        "filters": {"date_from": f.date_from, "date_to": f.date_to, "kind": f.kind},
        "solutions_published": sum(row["count"] for row in by_kind),
        "solutions_by_kind": by_kind,
        "solutions_by_category": _solutions_by_category(f),
        "adoptions_total": totals["total"],
        "adoptions_by_status": totals["by_status"],
        "savings": totals["savings"],
        "bodies_reached": _bodies_reached(f),
        "size_classes": _reuse_by_size_class(f),
        "most_reused": _most_reused(f),
        "median_days": median,
        "median_sample": sample,
        "per_month": _adoptions_per_month(f),
        "waiting": _waiting_requests(f),
    }


def _solutions_by_kind(f: Filters) -> list[dict[str, Any]]:
    found = dict(
        Solution.objects.filter(f.solutions()).order_by().values_list("kind").annotate(n=Count("pk"))
    )
    kinds = [f.kind] if f.kind else list(Solution.Kind.values)
    return [{"kind": k, "count": found.get(k, 0)} for k in kinds]


def _solutions_by_category(f: Filters) -> list[dict[str, Any]]:
    rows = (
        Category.objects.annotate(n=Count("solutions", filter=f.solutions("solutions__"), distinct=True))
        .filter(n__gt=0)
        .order_by("-n", "code")
        .values_list("code", "n")
    )
    return [{"category": code, "count": n} for code, n in rows]


def _adoption_totals(f: Filters) -> dict[str, Any]:
    """Adoptions by status and the declared savings: one query with conditional aggregates."""
    saving = ExpressionWrapper(
        F("estimated_cost") - F("actual_cost"), output_field=DecimalField(max_digits=14, decimal_places=2)
    )
    with_figures = in_use() & Q(estimated_cost__isnull=False, actual_cost__isnull=False)
    aggregates = {f"s_{s}": Count("pk", filter=Q(status=s)) for s in AdoptionStatus.values}
    row = Adoption.objects.filter(f.adoptions()).aggregate(
        total=Count("pk"),
        savings_total=Sum(saving, filter=with_figures),
        savings_count=Count("pk", filter=with_figures),
        **aggregates,
    )
    return {
        "total": row["total"],
        "by_status": [{"status": s, "count": row[f"s_{s}"]} for s in AdoptionStatus.values],
        "savings": {
            "total": (row["savings_total"] or Decimal("0")).quantize(Decimal("0.01")),
            "adoptions": row["savings_count"],
        },
    }


def _reached_subquery(f: Filters) -> Exists:
    return Exists(Adoption.objects.filter(in_use(), f.adoptions(), body=OuterRef("pk")))


def _bodies_reached(f: Filters) -> dict[str, Any]:
    """Active comuni with at least one adoption in production: count, share of the comuni, share of their people."""
    row = (
        Body.objects.active()
        .comuni()
        .annotate(reached=_reached_subquery(f))
        .aggregate(
            comuni=Count("pk"),
            reached_count=Count("pk", filter=Q(reached=True)),
            population_total=Sum("population"),
            population_reached=Sum("population", filter=Q(reached=True)),
        )
    )
    comuni, reached = row["comuni"], row["reached_count"]
    pop_total, pop_reached = row["population_total"] or 0, row["population_reached"] or 0
    return {
        "comuni": comuni,
        "reached": reached,
        "share": round(100 * reached / comuni, 1) if comuni else 0.0,
        "population_total": pop_total,
        "population_reached": pop_reached,
        "population_share": round(100 * pop_reached / pop_total, 1) if pop_total else 0.0,
    }


def _reuse_by_size_class(f: Filters) -> list[dict[str, Any]]:
    """Per size class of the active comuni: how many, how many reached, how many adoptions in production. One query.

    The adoptions in production are counted per body first, then joined to the comuni (a few thousand rows): joining
    every comune to every one of its adoptions and counting distinct bodies sorted a million rows (0.8-1.7 s against
    0.13-0.18 s at a million adoptions). The ORM has no join to a grouped subquery, so both are compiled by it and
    joined here, as for the median and the most reused solutions.
    """
    per_body = Adoption.objects.filter(in_use(), f.adoptions()).order_by().values("body_id").annotate(n=Count("pk"))
    comuni = Body.objects.active().comuni().order_by().values("id", "size_class")
    # Both parts are compiled by the ORM with every value a parameter: the wrapping below adds no input.
    per_body_sql, per_body_params = per_body.query.sql_with_params()
    comuni_sql, comuni_params = comuni.query.sql_with_params()
    template = (
        "SELECT c.size_class, COUNT(*), COUNT(a.body_id), COALESCE(SUM(a.n), 0) "
        "FROM ({comuni}) AS c LEFT JOIN ({per_body}) AS a ON a.body_id = c.id GROUP BY c.size_class"
    )
    sql = template.format(comuni=comuni_sql, per_body=per_body_sql)
    with connection.cursor() as cursor:
        cursor.execute(sql, (*comuni_params, *per_body_params))
        found = {size_class: (n, reached, adoptions) for size_class, n, reached, adoptions in cursor.fetchall()}
    return [
        {
            "size_class": sc,
            "comuni": found.get(sc, (0, 0, 0))[0],
            "reached": found.get(sc, (0, 0, 0))[1],
            "adoptions": int(found.get(sc, (0, 0, 0))[2]),
        }
        for sc in SIZE_CLASSES
    ]


def _most_reused(f: Filters) -> list[dict[str, Any]]:
    """The published solutions with the most adoptions in production, ties by name. One query.

    The adoptions in production are counted per solution first, then that result joined to the published solutions:
    grouping every solution joined to every one of its adoptions walked the million adoptions through the
    `solution_id` index (5-6 s at a million adoptions), and grouping the joined rows by the solutions' names hashed
    400,000 wide rows (1.5 s); this takes 0.7 s. Both parts are compiled by the ORM and joined here.
    """
    per_solution = (
        Adoption.objects.filter(in_use(), f.adoptions()).order_by().values("solution_id").annotate(n=Count("pk"))
    )
    solutions = (
        Solution.objects.filter(status=Solution.Status.PUBLISHED, **({"kind": f.kind} if f.kind else {}))
        .order_by()
        .values("id", "slug", "name", "kind", "owner__name")
    )
    # Both parts are compiled by the ORM with every value a parameter: the wrapping below adds no input.
    per_solution_sql, per_solution_params = per_solution.query.sql_with_params()
    solutions_sql, solutions_params = solutions.query.sql_with_params()
    template = (
        "SELECT s.slug, s.name, s.kind, s.owner__name, a.n FROM ({per_solution}) AS a "
        "JOIN ({solutions}) AS s ON s.id = a.solution_id ORDER BY a.n DESC, s.name LIMIT %s"
    )
    sql = template.format(per_solution=per_solution_sql, solutions=solutions_sql)
    with connection.cursor() as cursor:
        cursor.execute(sql, (*per_solution_params, *solutions_params, MOST_REUSED_LIMIT))
        rows = cursor.fetchall()
    return [
        {"slug": slug, "name": name, "kind": kind, "owner": owner, "count": n} for slug, name, kind, owner, n in rows
    ]


def _median_days_to_production(f: Filters) -> tuple[float | None, int]:
    """Median of the days from request to production, over adoptions that reached production. One query.

    PostgreSQL has `percentile_cont`; SQLite has none, so there the rows are ranked with window functions and the
    middle one (or the mean of the middle two) is averaged, still inside the database.
    """
    base = (
        Adoption.objects.filter(f.adoptions(), in_production_at__isnull=False)
        .annotate(
            d=ExpressionWrapper(F("in_production_at") - F("requested_at"), output_field=DurationField())
        )
        .order_by()
        .values("d")
    )
    # inner_sql is compiled by the ORM and every value in it is a parameter: the wrapping below adds no input.
    inner_sql, params = base.query.sql_with_params()
    if connection.vendor == "postgresql":
        template = (
            "SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM base.d)) / 86400.0, COUNT(*) "
            "FROM ({inner}) AS base"
        )
    else:
        # Django stores SQLite durations as microseconds.
        template = (
            "SELECT AVG(ranked.d) / 86400000000.0, MAX(ranked.cnt) FROM ("
            " SELECT base.d AS d, ROW_NUMBER() OVER (ORDER BY base.d) AS rn, COUNT(*) OVER () AS cnt"
            " FROM ({inner}) AS base"
            ") AS ranked WHERE ranked.rn IN ((ranked.cnt + 1) / 2, (ranked.cnt + 2) / 2)"
        )
    sql = template.format(inner=inner_sql)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        median, count = cursor.fetchone()
    if median is None:
        return None, 0
    return round(float(median), 1), int(count or 0)


def _adoptions_per_month(f: Filters) -> list[dict[str, Any]]:
    """Requests per month of request; months without requests between the first and the last are filled with 0."""
    rows = list(
        Adoption.objects.filter(f.adoptions())
        .annotate(month=TruncMonth("requested_at"))
        .order_by("month")
        .values("month")
        .annotate(n=Count("pk"))
        .values_list("month", "n")
    )
    if not rows:
        return []
    counts = {_as_date(m): n for m, n in rows}
    first, last = min(counts), max(counts)
    months, month = [], first
    while month <= last:  # walks months (bounded by the period), not rows
        months.append({"month": month, "count": counts.get(month, 0)})
        month = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return months


def _as_date(value: dt.date | dt.datetime) -> dt.date:
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


def _waiting_filter(f: Filters) -> Q:
    cutoff = working_days_ago(settings.ADOPTION_REMINDER_DAYS)
    q = Q(status=AdoptionStatus.REQUESTED, status_changed_at__lt=cutoff)
    if f.kind:
        q &= Q(solution__kind=f.kind)
    return q


def _waiting_requests(f: Filters) -> dict[str, Any]:
    """Requests still waiting for the owner's decision beyond ADOPTION_REMINDER_DAYS working days (now, whatever
    the period): their number and the oldest ones."""
    q = _waiting_filter(f)
    count = Adoption.objects.filter(q).count()
    oldest = list(
        Adoption.objects.filter(q)
        .order_by("status_changed_at", "pk")
        .values("pk", "solution__name", "solution__slug", "body__name", "owner_body__name", "status_changed_at")[
            :WAITING_LIST_LIMIT
        ]
    )
    return {
        "count": count,
        "threshold_days": settings.ADOPTION_REMINDER_DAYS,
        "oldest": [
            {
                "id": r["pk"],
                "solution": r["solution__name"],
                "solution_slug": r["solution__slug"],
                "body": r["body__name"],
                "owner": r["owner_body__name"],
                "since": r["status_changed_at"],
            }
            for r in oldest
        ],
    }


# --- public summary -------------------------------------------------------------------------------------------


def public_summary(*, fresh: bool = False) -> Figures:
    """The three figures on the home page (cached): published solutions, bodies reusing, adoptions in production."""
    return _cached("public", "", fresh=fresh)


def _compute_public_summary() -> dict[str, int]:
    row = Adoption.objects.filter(in_use()).aggregate(
        adoptions=Count("pk"), bodies=Count("body", distinct=True)
    )
    return {
        "solutions_published": Solution.objects.published().count(),
        "bodies_reusing": row["bodies"],
        "adoptions_in_production": row["adoptions"],
    }


# --- one body -------------------------------------------------------------------------------------------------

_ADOPTION_FIELDS = (
    "pk", "status", "requested_at", "in_production_at", "status_changed_at", "adopted_version",
    "estimated_cost", "actual_cost",
    "solution__name", "solution__slug", "solution__kind", "body__name", "body__slug", "owner_body__name",
)


def _adoption_row(r: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": r["pk"],
        "status": r["status"],
        "requested_at": r["requested_at"],
        "in_production_at": r["in_production_at"],
        "status_changed_at": r["status_changed_at"],
        "version": r["adopted_version"],
        "estimated_cost": r["estimated_cost"],
        "actual_cost": r["actual_cost"],
        "solution": r["solution__name"],
        "solution_slug": r["solution__slug"],
        "kind": r["solution__kind"],
        "body": r["body__name"],
        "body_slug": r["body__slug"],
        "owner": r["owner_body__name"],
    }


# What waits for the adopting body's referent in each status.
ADOPTER_ACTION_STATUSES = (
    AdoptionStatus.INFO_NEEDED.value,
    AdoptionStatus.APPROVED.value,
    AdoptionStatus.IN_PROGRESS.value,
)


def body_stats(body: Body, *, fresh: bool = False) -> Figures:
    """The figures and lists of one body's dashboard (cached). Six queries on a cache miss.

    adoptions_by_status and adoptions: the body's own adoptions; solutions: its published solutions with how many
    bodies run each; users: who runs them; to_review: requests on its solutions waiting for its publishers;
    to_act: its own adoptions waiting for its referent (answer, start, go live).
    """
    return _cached("body", str(body.pk), fresh=fresh)


def _compute_body(body_id: int) -> dict[str, Any]:
    own = Adoption.objects.filter(body_id=body_id)
    aggregates = {f"s_{s}": Count("pk", filter=Q(status=s)) for s in AdoptionStatus.values}
    row = own.aggregate(total=Count("pk"), **aggregates)
    solutions = (
        Solution.objects.filter(owner_id=body_id, status=Solution.Status.PUBLISHED)
        .annotate(
            in_production=Count("adoptions", filter=in_use("adoptions__")),
            active=Count("adoptions", filter=Q(adoptions__status__in=[
                AdoptionStatus.REQUESTED, AdoptionStatus.INFO_NEEDED, AdoptionStatus.APPROVED,
                AdoptionStatus.IN_PROGRESS,
            ])),
        )
        .order_by("-in_production", "name")
        .values("slug", "name", "kind", "in_production", "active")
    )
    return {
        "adoptions_total": row["total"],
        "adoptions_by_status": [{"status": s, "count": row[f"s_{s}"]} for s in AdoptionStatus.values],
        "adoptions": [
            _adoption_row(r)
            for r in own.order_by("-requested_at", "-pk").values(*_ADOPTION_FIELDS)[:BODY_LIST_LIMIT]
        ],
        "solutions": [
            {"slug": s["slug"], "name": s["name"], "kind": s["kind"], "in_production": s["in_production"],
             "in_progress": s["active"]}
            for s in solutions
        ],
        "users": [
            _adoption_row(r)
            for r in Adoption.objects.filter(in_use(), owner_body_id=body_id)
            .order_by("solution__name", "body__name")
            .values(*_ADOPTION_FIELDS)[:BODY_LIST_LIMIT]
        ],
        "to_review": [
            _adoption_row(r)
            for r in Adoption.objects.filter(owner_body_id=body_id, status=AdoptionStatus.REQUESTED)
            .order_by("status_changed_at", "pk")
            .values(*_ADOPTION_FIELDS)[:BODY_LIST_LIMIT]
        ],
        "to_act": [
            _adoption_row(r)
            for r in own.filter(status__in=ADOPTER_ACTION_STATUSES)
            .order_by("status_changed_at", "pk")
            .values(*_ADOPTION_FIELDS)[:BODY_LIST_LIMIT]
        ],
    }


# --- one solution (reports) -----------------------------------------------------------------------------------


def solution_stats(solution: Solution, *, fresh: bool = False) -> Figures:
    """Adoptions of one solution by status, the list of them and its releases (cached). Three queries."""
    return _cached("solution", str(solution.pk), fresh=fresh)


def _compute_solution(solution_id: int) -> dict[str, Any]:
    from catalog.models import Release

    adoptions = Adoption.objects.filter(solution_id=solution_id)
    aggregates = {f"s_{s}": Count("pk", filter=Q(status=s)) for s in AdoptionStatus.values}
    saving = ExpressionWrapper(
        F("estimated_cost") - F("actual_cost"), output_field=DecimalField(max_digits=14, decimal_places=2)
    )
    with_figures = in_use() & Q(estimated_cost__isnull=False, actual_cost__isnull=False)
    row = adoptions.aggregate(total=Count("pk"), savings=Sum(saving, filter=with_figures), **aggregates)
    return {
        "adoptions_total": row["total"],
        "adoptions_by_status": [{"status": s, "count": row[f"s_{s}"]} for s in AdoptionStatus.values],
        "savings": (row["savings"] or Decimal("0")).quantize(Decimal("0.01")),
        "adoptions": [
            _adoption_row(r) for r in adoptions.order_by("body__name", "-requested_at").values(*_ADOPTION_FIELDS)
        ],
        "releases": list(
            Release.objects.filter(solution_id=solution_id).order_by("-date", "-pk").values("version", "date")[:50]
        ),
    }


# What a queued refresh recomputes, by name: the parameters are the string each public function keys its figures by.
_COMPUTE: dict[str, Callable[[str], dict[str, Any]]] = {
    "province": lambda params: _compute_province(Filters.from_key(params)),
    "public": lambda params: _compute_public_summary(),
    "body": lambda params: _compute_body(int(params)),
    "solution": lambda params: _compute_solution(int(params)),
}
