"""Deterministic benchmark data on PostgreSQL, written with COPY.

A size (`Scale`) is a number of solutions, of bodies and of adoptions. `seed_bodies(total)` adds synthetic comuni
to the 51 real bodies of the registry migration until there are `total`; `seed_solutions(total)` grows the
catalogue to `total` solutions (a second size only adds the difference); `seed_adoptions(total, pool=...)` replaces
every adoption with `total` new ones and their timeline events, the last `pool` of them `requested` adoptions of
Pesaro's solutions, with contiguous ids, for the transition benchmark. The same seed gives the same data every run.

Synthetic comuni exist only in the benchmark database and are marked as such: an ISTAT code starting with
SYNTHETIC_ISTAT_PREFIX (no Italian province has a code of 900 or more, so no real comune can carry one) and a name
starting with SYNTHETIC_NAME. Their populations follow the spread of Italian comuni (median ≈ 2,400 inhabitants).

Bulk loading, as a database administrator would do it: the secondary indexes and foreign keys of the tables being
filled are dropped, the rows are COPYed, then the indexes are built and the keys validated once each. With the
keys in place, every row of a COPY queues one deferred trigger per key (four per adoption), which at 1,000,000
adoptions is slower than the COPY itself.

Text: names and descriptions are drawn from a small Italian vocabulary. RARE_WORD is in the name of exactly
RARE_COUNT solutions; COMMON_WORD is in the short description of one solution in COMMON_EVERY.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import math
import random
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db import connection, connections, models, transaction
from django.utils import timezone
from psycopg.copy import QueuedLibpqWriter
from psycopg.types.json import Jsonb

SEED = 20260301
RARE_WORD = "sismografo"
RARE_COUNT = 5
COMMON_WORD = "tributi"
COMMON_EVERY = 3
NOW = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)

SYNTHETIC_ISTAT_PREFIX = "9"
SYNTHETIC_NAME = "Comune sintetico"


@dataclass(frozen=True)
class Scale:
    """One size of the benchmark's data."""

    name: str
    solutions: int
    bodies: int
    adoptions: int

    @property
    def label(self) -> str:
        return (f"{self.solutions:,} solutions, {self.bodies:,} bodies, {self.adoptions:,} adoptions"
                .replace(",", " "))


# "full" is the scale of the targets (the default run); "small" is a quick run of the same harness.
SCALES = {
    "small": Scale("small", solutions=10_000, bodies=500, adoptions=50_000),
    "full": Scale("full", solutions=100_000, bodies=8_000, adoptions=1_000_000),
}

PERSONAS = {
    "cst": ("bench.cst@cstpu.example", "cst_admin"),
    "analyst": ("bench.analista@cstpu.example", "analyst"),
    "publisher": ("bench.redazione.pesaro@cstpu.example", ""),
}
PESARO = "041044"
PESARO_SHARE = 0.02  # of the catalogue owned by Pesaro, the CST's main publisher

_WORDS_TEXT = (
    "gestione anagrafe protocollo informatico albo pretorio servizi cittadini portale pagamenti scuola mensa "
    "trasporto edilizia pratiche sportello unico attività produttive cimiteri illuminazione rifiuti raccolta "
    "differenziata polizia locale verbali sanzioni biblioteca prestiti cultura eventi turismo museo archivio "
    "documentale conservazione firma digitale posta certificata fascicolo elettorale stato civile leva "
    "personale presenze stipendi contabilità bilancio mandati reversali fatturazione elettronica ordini "
    "magazzino inventario patrimonio immobili catasto terreni fabbricati urbanistica piano regolatore "
    "segnalazioni manutenzioni strade verde pubblico parchi acqua fognature energia consumi monitoraggio "
    "sensori prenotazioni appuntamenti sportelli modulistica istanze online notifiche avvisi comunicazioni "
    "newsletter statistiche cruscotto indicatori trasparenza amministrazione aperta dati aperti open data "
    "server virtualizzazione hosting rete backup sicurezza accessi identità autenticazione spid cie pagopa "
    "interoperabilità integrazione anpr app io mobile web applicazione modulo piattaforma sistema soluzione"
)
_NAME_TEXT = "Gestore Portale Sportello Registro Sistema Archivio Cruscotto Servizio Piattaforma Modulo Catalogo Agenda"
WORDS = _WORDS_TEXT.split()
NAME_WORDS = _NAME_TEXT.split()
TAG_NAMES = [f"{w} {n}" for w in ("area", "settore", "ambito", "linea") for n in range(50)]
CATEGORY_SAMPLE = 3
LICENCES = ["EUPL-1.2", "AGPL-3.0-or-later", "GPL-3.0-or-later", "MIT", "Apache-2.0"]


def _sentence(rng: random.Random, n: int) -> str:
    # rng.choice(WORDS) n times, drawing the same numbers through _randbelow without choice's overhead (a million
    # sentences at full size).
    below, size = rng._randbelow, len(WORDS)  # type: ignore[attr-defined]
    return " ".join([WORDS[below(size)] for _ in range(n)])


# --- COPY -----------------------------------------------------------------------------------------------------


def _plan(model: type[models.Model]) -> list[tuple[str, str, Any, bool]]:
    """(column, attname, prepared default, is_json) for every concrete column but the id and generated ones."""
    plan = []
    now = timezone.now()
    for f in model._meta.concrete_fields:
        if f.primary_key or getattr(f, "generated", False):
            continue
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            default = now
        elif f.has_default() or not f.null:
            default = f.get_default()
        else:
            default = None
        is_json = isinstance(f, models.JSONField)
        plan.append((f.column, f.attname, Jsonb(default) if is_json and default is not None else default, is_json))
    return plan


def copy_rows(model: type[models.Model], rows: Iterable[dict[str, Any]]) -> int:
    """COPY `rows` (attname → value; other columns get their default) into the model's table. Returns the count.

    Values go to psycopg as they are (str, int, bool, Decimal, date, datetime, None), JSON wrapped in Jsonb: far
    faster than preparing each value through the model fields, which matters at 100,000 rows.
    """
    plan = _plan(model)
    columns = ", ".join(connection.ops.quote_name(column) for column, *_ in plan)
    table = connection.ops.quote_name(model._meta.db_table)
    count = 0
    with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row([
                (Jsonb(row[attname]) if is_json else row[attname]) if attname in row else default
                for _column, attname, default, is_json in plan
            ])
            count += 1
    return count


def text_copy(model: type[models.Model], attnames: list[str]) -> tuple[str, str]:
    """The COPY statement for lines in COPY's text format that hold the values of `attnames`, in that order, then
    `tail`, which gives every other column its default: returns (statement, tail). Each line ends with tail + "\\n".

    The fast path for the million-row tables: the rows are built as text by the caller (who has the datetimes' text
    at hand for the events anyway), with no value to adapt per column; FREEZE writes them frozen and visible, which
    PostgreSQL allows when the table was truncated in the same transaction, and spares the vacuum a pass over them."""
    plan = {attname: (column, default) for column, attname, default, _json in _plan(model)}
    rest = [attname for attname in plan if attname not in attnames]
    columns = ", ".join(connection.ops.quote_name(plan[a][0]) for a in [*attnames, *rest])
    tail = "".join("\t" + _text(plan[a][1]) for a in rest)
    table = connection.ops.quote_name(model._meta.db_table)
    return f"COPY {table} ({columns}) FROM STDIN WITH (FREEZE)", tail


def _text(value: Any) -> str:
    """A value in COPY's text format (only what the seed writes: no tab, newline or backslash in strings)."""
    if value is None:
        return r"\N"
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value)


def _drop_for_load(*models_: type[models.Model]) -> list[tuple[str, list[tuple[str, str]], list[str]]]:
    """Drop the secondary indexes, unique constraints and foreign keys of the models' tables; return what
    _restore_after_load needs to build them again."""
    saved: list[tuple[str, list[tuple[str, str]], list[str]]] = []
    with connection.cursor() as cursor:
        for model in models_:
            table = model._meta.db_table
            cursor.execute(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid = %s::regclass AND contype IN ('f', 'u')",
                [table],
            )
            constraints = cursor.fetchall()
            for name, _definition in constraints:
                cursor.execute(f"ALTER TABLE {connection.ops.quote_name(table)} DROP CONSTRAINT "
                               f"{connection.ops.quote_name(name)}")
            cursor.execute(
                "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = %s AND i.indexname NOT IN "
                "(SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'p')",
                [table, table],
            )
            indexes = cursor.fetchall()
            for name, _definition in indexes:
                cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
            saved.append((table, constraints, [definition for _name, definition in indexes]))
    return saved


def _restore_after_load(saved: list[tuple[str, list[tuple[str, str]], list[str]]]) -> None:
    """Build each index and validate each key dropped by _drop_for_load once. Must run inside a transaction."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        for table, constraints, indexes in saved:
            for definition in indexes:
                cursor.execute(definition)
            for name, definition in constraints:
                cursor.execute(f"ALTER TABLE {connection.ops.quote_name(table)} ADD CONSTRAINT "
                               f"{connection.ops.quote_name(name)} {definition}")


@contextlib.contextmanager
def bulk_load(*models_: type[models.Model]) -> Iterator[None]:
    """Drop the secondary indexes, unique constraints and foreign keys of the models' tables for the duration
    of a bulk load, then build and validate each of them once. Must run inside a transaction."""
    saved = _drop_for_load(*models_)
    yield
    _restore_after_load(saved)


class _Alongside(threading.Thread):
    """`work` in a thread of its own, hence on a database connection of its own (Django's connections are per
    thread), closed at the end. `outcome()` waits for it and returns its result or raises its exception."""

    def __init__(self, work: Callable[[], Any]) -> None:
        super().__init__(name="seed-alongside", daemon=True)
        self.work = work
        self.result: Any = None
        self.error: BaseException | None = None
        self.start()

    def run(self) -> None:
        try:
            self.result = self.work()
        except BaseException as exc:  # noqa: BLE001 - handed to the caller by outcome()
            self.error = exc
        finally:
            connections.close_all()

    def outcome(self) -> Any:
        self.join()
        if self.error is not None:
            raise self.error
        return self.result


# --- bodies and people ----------------------------------------------------------------------------------------


def is_synthetic(istat_code: str | None) -> bool:
    return bool(istat_code) and istat_code.startswith(SYNTHETIC_ISTAT_PREFIX)


@transaction.atomic
def seed_bodies(total: int, *, seed: int = SEED) -> int:
    """Add synthetic comuni until there are `total` bodies (no-op when there are already that many)."""
    from municipalities.models import Body

    existing = Body.objects.count()
    synthetic = Body.objects.filter(istat_code__startswith=SYNTHETIC_ISTAT_PREFIX).count()
    if existing >= total:
        return 0
    rng = random.Random(seed + synthetic)

    def rows() -> Iterator[dict[str, Any]]:
        for n in range(synthetic + 1, synthetic + 1 + total - existing):
            yield {
                "istat_code": f"{SYNTHETIC_ISTAT_PREFIX}{n:05d}",
                "name": f"{SYNTHETIC_NAME} {n:04d}",
                "slug": f"comune-sintetico-{n:04d}",
                "kind": "comune",
                # Lognormal, as the sizes of Italian comuni: median ≈ 2,400, a few above 50,000.
                "population": max(30, int(math.exp(rng.gauss(7.8, 1.25)))),
                "member_since": dt.date(2026, 1, 1),
                "is_active": True,
            }

    return copy_rows(Body, rows())


def ensure_personas() -> dict[str, Any]:
    """The benchmark's people: CST staff, an analyst, a publisher of Pesaro and one referent per body (written in
    bulk: at 8,000 bodies one query per person would take longer than the adoptions' COPY)."""
    from django.contrib.auth.hashers import make_password

    from municipalities.models import Body, Membership, Role, User

    people = {}
    for key, (email, role) in PERSONAS.items():
        user, _ = User.objects.get_or_create(email=email, defaults={"global_role": role, "is_staff": role == "cst_admin"})
        user.set_unusable_password()
        user.save()
        people[key] = user
    Membership.objects.get_or_create(user=people["publisher"], body=Body.objects.get(istat_code=PESARO),
                                     role=Role.PUBLISHER)
    bodies = list(Body.objects.values_list("pk", "slug"))
    unusable = make_password(None)
    User.objects.bulk_create(
        [User(email=f"bench.referente.{slug}@cstpu.example", password=unusable) for _pk, slug in bodies],
        ignore_conflicts=True, batch_size=2000,
    )
    referents = dict(User.objects.filter(email__startswith="bench.referente.").values_list("email", "pk"))
    Membership.objects.bulk_create(
        [Membership(user_id=referents[f"bench.referente.{slug}@cstpu.example"], body_id=pk, role=Role.REFERENT)
         for pk, slug in bodies],
        ignore_conflicts=True, batch_size=2000,
    )
    return people


# --- solutions ------------------------------------------------------------------------------------------------


def _owners() -> list[int]:
    """Owner ids, weighted: Pesaro publishes PESARO_SHARE of the catalogue, every other body by its size (one
    share per 5,000 inhabitants, at least one), so that at 8,000 bodies most of them own something."""
    from municipalities.models import Body

    bodies = list(Body.objects.order_by("pk").values_list("pk", "istat_code", "population"))
    weighted: list[int] = []
    pesaro = None
    for pk, istat, population in bodies:
        if istat == PESARO:
            pesaro = pk
            continue
        weighted.extend([pk] * max(1, (population or 5000) // 5000))
    if pesaro is not None:
        weighted.extend([pesaro] * max(1, round(len(weighted) * PESARO_SHARE / (1 - PESARO_SHARE))))
    return weighted


@transaction.atomic
def seed_solutions(total: int, *, seed: int = SEED) -> int:
    """Grow the catalogue to `total` solutions (no-op when it is already that big). Returns how many were added."""
    from catalog.models import Category, Release, Solution, Tag

    existing = Solution.objects.count()
    if existing >= total:
        return 0
    rng = random.Random(seed + existing)
    owners = _owners()
    if not Tag.objects.exists():
        Tag.objects.bulk_create([Tag(name=name, slug=name.replace(" ", "-")) for name in TAG_NAMES])
    tag_ids = list(Tag.objects.values_list("pk", flat=True))
    category_ids = list(Category.objects.values_list("pk", flat=True))
    statuses = ["published"] * 90 + ["draft"] * 5 + ["in_review"] * 3 + ["retired"] * 2
    rare_at = {round(i * total / RARE_COUNT) + 7 for i in range(RARE_COUNT)} if existing == 0 else set()

    def rows() -> Iterator[dict[str, Any]]:
        for n in range(existing, total):
            name_words = [rng.choice(NAME_WORDS), rng.choice(WORDS), rng.choice(WORDS)]
            if n in rare_at:
                name_words.append(RARE_WORD)
            short = _sentence(rng, 10)
            if n % COMMON_EVERY == 0:
                short = f"{COMMON_WORD} {short}"
            status = rng.choice(statuses)
            yield {
                "slug": f"bench-{n:06d}",
                "name": " ".join(name_words).capitalize()[:200],
                "kind": "service" if n % 10 == 0 else "software",
                "owner_id": rng.choice(owners),
                "short_description_it": short[:150],
                "long_description_it": "\n\n".join(_sentence(rng, 25) for _ in range(3)),
                "features_it": [_sentence(rng, 4) for _ in range(3)],
                "origin": rng.choice(["elicat", "fiscat", "other", "other"]),
                "licence": rng.choice(LICENCES),
                "development_status": rng.choice(["stable", "stable", "beta", "development", "obsolete"]),
                "supports_spid": n % 3 == 0,
                "supports_pagopa": n % 4 == 0,
                "supports_io": n % 7 == 0,
                "status": status,
                "published_at": NOW - dt.timedelta(days=n % 900) if status in ("published", "retired") else None,
                "latest_release_date": (NOW - dt.timedelta(days=n % 400)).date() if n % 2 == 0 else None,
            }

    with bulk_load(Solution, Solution.categories.through, Solution.tags.through, Release):
        added = copy_rows(Solution, rows())
        new = list(Solution.objects.filter(slug__gte=f"bench-{existing:06d}").order_by("pk").values_list("pk", "slug"))
        new = [(pk, slug) for pk, slug in new if int(slug.rsplit("-", 1)[1]) >= existing]
        copy_rows(
            Solution.categories.through,
            (
                {"solution_id": pk, "category_id": cat}
                for pk, _slug in new
                for cat in rng.sample(category_ids, rng.randint(1, CATEGORY_SAMPLE))
            ),
        )
        copy_rows(
            Solution.tags.through,
            ({"solution_id": pk, "tag_id": tag} for pk, _slug in new for tag in rng.sample(tag_ids, rng.randint(0, 3))),
        )
        copy_rows(
            Release,
            (
                {"solution_id": pk, "version": f"{major}.0", "date": (NOW - dt.timedelta(days=400 - 100 * major)).date(),
                 "notes": "Rilascio di manutenzione."}
                for pk, slug in new
                if int(slug.rsplit("-", 1)[1]) % 2 == 0
                for major in (1, 2)
            ),
        )
    return added


# --- adoptions ------------------------------------------------------------------------------------------------

ADOPTION_MIX = (
    ["in_production"] * 40 + ["requested"] * 8 + ["info_needed"] * 3 + ["approved"] * 8 + ["in_progress"] * 12
    + ["rejected"] * 6 + ["withdrawn"] * 8 + ["retired"] * 5
)
PATHS = {
    "requested": ["request"],
    "info_needed": ["request", "ask_info"],
    "approved": ["request", "approve"],
    "rejected": ["request", "reject"],
    "in_progress": ["request", "approve", "start"],
    "in_production": ["request", "approve", "start", "go_live"],
    "retired": ["request", "approve", "start", "go_live", "retire"],
    "withdrawn": ["request", "withdraw"],
}
TARGETS = {"request": "requested", "ask_info": "info_needed", "approve": "approved", "reject": "rejected",
           "start": "in_progress", "go_live": "in_production", "retire": "retired", "withdraw": "withdrawn"}
ADOPTION_COLUMNS = [
    "solution_id", "body_id", "owner_body_id", "status", "requested_at", "status_changed_at", "decided_at",
    "started_at", "in_production_at", "closed_at", "go_live_date", "adopted_version", "environment",
    "estimated_cost", "actual_cost", "effort_days",
]
EVENT_COLUMNS = ["adoption_id", "sequence", "action", "from_status", "to_status", "note", "created_at"]


def seed_adoptions(
    total: int, *, pool: int, seed: int = SEED, alongside: Callable[[], Any] | None = None
) -> tuple[int, int]:
    """Replace all adoptions with `total` new ones and their events; the last `pool` are requested adoptions of
    Pesaro's solutions.

    Popular solutions are adopted more (the solution is drawn with a quadratic skew: the first tenth of the
    catalogue gets about a third of the adoptions), as on a real catalogue where a few solutions are everywhere.
    The events are written to a temporary file in COPY's text format while the adoptions stream to the database,
    then copied in turn: one pass over the plan, nothing held in memory per adoption but its (solution, body).

    Three transactions: the indexes and keys of the two tables are dropped and committed at once, the tables are
    truncated and filled (COPY ... FREEZE), then the indexes are built and the keys validated. `alongside`, when
    given, runs in a thread on a connection of its own from the first commit until the end: the search vectors,
    which write only solutions, while this writes only adoptions. It could not start earlier: dropping a foreign
    key locks the table it points to until the transaction ends. Its exception, if any, is raised here.

    Returns the (first, last) id of the pool, which is contiguous.
    """
    from catalog.models import Adoption, AdoptionEvent, Solution
    from catalog.models.adoptions import recount_in_production
    from municipalities.models import Body

    # Read before the load's transaction, which would otherwise hold a lock on these tables until its end.
    bodies = list(Body.objects.order_by("pk").values_list("pk", flat=True))
    pesaro = Body.objects.get(istat_code=PESARO).pk
    published = list(Solution.objects.filter(status="published").order_by("pk").values_list("pk", "owner_id"))
    with transaction.atomic():
        saved = _drop_for_load(Adoption, AdoptionEvent)
    worker = _Alongside(alongside) if alongside is not None else None
    try:
        with transaction.atomic():
            _load_adoptions(total, pool, seed, bodies, pesaro, published)
    finally:
        try:
            with transaction.atomic():
                _restore_after_load(saved)
        finally:
            if worker is not None:
                worker.outcome()
    recount_in_production()  # the COPY bypassed the counter the workflow keeps
    return total - pool + 1, total


def _load_adoptions(
    total: int, pool: int, seed: int, bodies: list[int], pesaro: int, published: list[tuple[int, int]]
) -> None:
    """seed_adoptions' COPY of the adoptions and their events: it reads no other table, so that it locks none."""
    from catalog.models import Adoption, AdoptionEvent

    rng = random.Random(seed)
    pesaro_solutions = [s for s in published if s[1] == pesaro]
    with connection.cursor() as cursor:
        # Both named: the key from the events to the adoptions is dropped, so the CASCADE no longer reaches them.
        cursor.execute(f"TRUNCATE {Adoption._meta.db_table}, {AdoptionEvent._meta.db_table} RESTART IDENTITY CASCADE")
    taken: set[int] = set()
    body_span = max(bodies) + 1
    # random.Random's randrange, randint and choice all draw through _randbelow: calling it directly gives the same
    # numbers (the same data as ever for the same seed) without their argument checks, a third of the loop's time.
    below, uniform = rng._randbelow, rng.random  # type: ignore[attr-defined]
    n_bodies, n_mix = len(bodies), len(ADOPTION_MIX)
    days = [dt.timedelta(days=d) for d in range(61)]

    def pick(candidates: list[tuple[int, int]], skew: bool) -> tuple[int, int, int]:
        n = len(candidates)
        while True:
            index = int(n * uniform() ** 2) if skew else below(n)
            solution, owner = candidates[index]
            body = bodies[below(n_bodies)]
            key = solution * body_span + body
            if body != owner and key not in taken:
                taken.add(key)
                return solution, owner, body

    last_regular = total - pool
    adoption_sql, adoption_tail = text_copy(Adoption, ADOPTION_COLUMNS)
    event_sql, event_tail = text_copy(AdoptionEvent, EVENT_COLUMNS)
    null = r"\N"

    def lines(events_file) -> Iterator[str]:
        """The adoptions' lines; their events go to `events_file`."""
        for index in range(total):
            if index < last_regular:
                solution, owner, body = pick(published, True)
                status = ADOPTION_MIX[below(n_mix)]
                requested = NOW - dt.timedelta(days=1 + below(1000), minutes=below(1441))
            else:
                solution, owner, body = pick(pesaro_solutions, False)
                status = "requested"
                requested = NOW - dt.timedelta(hours=1 + index % 48)
            when = requested
            stamp = requested_at = when.isoformat()
            decided = started = in_production = closed = go_live = null
            version = environment = ""
            estimated = actual = effort = null
            previous = ""
            events = []
            for sequence, action in enumerate(PATHS[status], start=1):
                if action != "request":
                    when = min(NOW, when + days[1 + below(60)])
                    stamp = when.isoformat()
                to_status = TARGETS[action]
                events.append(f"{index + 1}\t{sequence}\t{action}\t{previous}\t{to_status}\t\t{stamp}{event_tail}\n")
                previous = to_status
                if action in ("approve", "reject"):
                    decided = stamp
                elif action == "start":
                    started = stamp
                elif action == "go_live":
                    in_production, go_live, version, environment = stamp, when.date().isoformat(), "2.0", "production"
                    if uniform() < 0.7:
                        thousands = 5 + below(116)
                        # thousands × 1000 × (5 to 40) %: a whole number of euros, as the Decimal it once was.
                        estimated, actual = str(thousands * 1000), str(thousands * 10 * (5 + below(36)))
                        effort = str(2 + below(59))
            if status in ("rejected", "retired", "withdrawn"):
                closed = stamp
            events_file.write("".join(events))
            yield (f"{solution}\t{body}\t{owner}\t{status}\t{requested_at}\t{stamp}\t{decided}\t{started}\t"
                   f"{in_production}\t{closed}\t{go_live}\t{version}\t{environment}\t{estimated}\t{actual}\t"
                   f"{effort}{adoption_tail}\n")

    # A queued writer sends the data from a thread of psycopg's while this one builds the next lines.
    with tempfile.TemporaryFile("w+", encoding="utf-8", buffering=1 << 20) as events_file, connection.cursor() as cursor:
        with cursor.cursor.copy(adoption_sql, writer=QueuedLibpqWriter(cursor.cursor)) as copy:
            batch: list[str] = []
            for line in lines(events_file):
                batch.append(line)
                if len(batch) == 2000:
                    copy.write("".join(batch))
                    batch.clear()
            copy.write("".join(batch))
        events_file.flush()
        events_file.seek(0)
        with cursor.cursor.copy(event_sql, writer=QueuedLibpqWriter(cursor.cursor)) as copy:
            while chunk := events_file.read(1 << 20):
                copy.write(chunk)


SEARCH_CHUNK = 10_000  # solutions per UPDATE when the refresh is split: a list of ids well within a query's limits


def refresh_search(parts: int = 1) -> int:
    """Recompute every stored search vector (catalog.solutions.search.refresh_search_vector) and return how many.

    As a bulk load does: the full-text (GIN) indexes are dropped (committed at once), every vector written, the
    indexes built again once. With `parts` = 1, one UPDATE on this connection; with more, the solutions are split
    into `parts` ranges of ids, each refreshed in a thread on a connection of its own, in one transaction per range
    (UPDATEs of at most SEARCH_CHUNK ids): stemming 100,000 texts is the work of a core, and the machine has more.
    Each vector is the one refresh_search_vector computes for its solution, whichever the split."""
    from catalog.models import Solution
    from catalog.solutions.search import refresh_search_vector

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s AND indexdef ILIKE %s",
            [Solution._meta.db_table, "%USING gin%"],
        )
        gin = cursor.fetchall()
        for name, _definition in gin:
            cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")

    @transaction.atomic
    def refresh(ids: list[int]) -> int:
        return sum(refresh_search_vector(ids[i : i + SEARCH_CHUNK]) for i in range(0, len(ids), SEARCH_CHUNK))

    try:
        if parts <= 1:
            with transaction.atomic():
                updated = refresh_search_vector(None)
        else:
            ids = list(Solution.objects.order_by("pk").values_list("pk", flat=True))
            share = max(1, -(-len(ids) // parts))
            workers = [_Alongside(lambda part=ids[i : i + share]: refresh(part)) for i in range(0, len(ids), share)]
            updated = sum(worker.outcome() for worker in workers)
    finally:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
            for _name, definition in gin:
                cursor.execute(definition)
    return updated


def vacuum() -> None:
    """VACUUM (ANALYZE) everything, as autovacuum does to a live database: planner statistics and the visibility
    map (index-only scans) of freshly loaded tables. Must run outside a transaction."""
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")
