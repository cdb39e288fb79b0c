"""Deterministic benchmark data on PostgreSQL, written with COPY.

`seed_solutions(total)` grows the catalogue to `total` solutions (so the second size only adds the difference);
`seed_adoptions(total, pool=...)` replaces every adoption with `total` new ones spread over the current catalogue,
the last `pool` of them `requested` adoptions of Pesaro's solutions, with contiguous ids, for the transition
benchmark. The same seed gives the same data on every run.

Text: names and descriptions are drawn from a small Italian vocabulary. RARE_WORD is in the name of exactly
RARE_COUNT solutions; COMMON_WORD is in the short description of one solution in COMMON_EVERY.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone
from psycopg.types.json import Jsonb

SEED = 20260301
RARE_WORD = "sismografo"
RARE_COUNT = 5
COMMON_WORD = "tributi"
COMMON_EVERY = 3
NOW = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)

PERSONAS = {
    "cst": ("bench.cst@cstpu.example", "cst_admin"),
    "analyst": ("bench.analista@cstpu.example", "analyst"),
    "publisher": ("bench.redazione.pesaro@cstpu.example", ""),
}
PESARO = "041044"

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
    return " ".join(rng.choice(WORDS) for _ in range(n))


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


def ensure_personas() -> dict[str, Any]:
    """The benchmark's people: CST staff, an analyst, a publisher of Pesaro and one referent per body."""
    from municipalities.models import Body, Membership, Role, User

    people = {}
    for key, (email, role) in PERSONAS.items():
        user, _ = User.objects.get_or_create(email=email, defaults={"global_role": role, "is_staff": role == "cst_admin"})
        user.set_unusable_password()
        user.save()
        people[key] = user
    Membership.objects.get_or_create(user=people["publisher"], body=Body.objects.get(istat_code=PESARO),
                                     role=Role.PUBLISHER)
    for body in Body.objects.all():
        referent, _ = User.objects.get_or_create(email=f"bench.referente.{body.slug}@cstpu.example")
        Membership.objects.get_or_create(user=referent, body=body, role=Role.REFERENT)
    return people


def _owners(rng: random.Random) -> list[int]:
    """Owner ids weighted like the real CST: Pesaro publishes most, then the larger comuni."""
    from municipalities.models import Body

    bodies = list(Body.objects.order_by("pk").values_list("pk", "istat_code", "population"))
    weighted = []
    for pk, istat, population in bodies:
        weight = 30 if istat == PESARO else max(1, (population or 5000) // 5000)
        weighted.extend([pk] * weight)
    return weighted


@transaction.atomic
def seed_solutions(total: int, *, seed: int = SEED) -> int:
    """Grow the catalogue to `total` solutions (no-op when it is already that big). Returns how many were added."""
    from catalog.models import Category, Release, Solution, Tag

    existing = Solution.objects.count()
    if existing >= total:
        return 0
    rng = random.Random(seed + existing)
    owners = _owners(rng)
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


@transaction.atomic
def seed_adoptions(total: int, *, pool: int, seed: int = SEED) -> tuple[int, int]:
    """Replace all adoptions with `total` new ones; the last `pool` are requested adoptions of Pesaro's solutions.

    Returns the (first, last) id of the pool, which is contiguous.
    """
    from catalog.models import Adoption, AdoptionEvent, Solution
    from municipalities.models import Body

    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {Adoption._meta.db_table} RESTART IDENTITY CASCADE")
    rng = random.Random(seed)
    bodies = list(Body.objects.order_by("pk").values_list("pk", flat=True))
    pesaro = Body.objects.get(istat_code=PESARO).pk
    published = list(Solution.objects.filter(status="published").order_by("pk").values_list("pk", "owner_id"))
    pesaro_solutions = [s for s in published if s[1] == pesaro]
    taken: set[tuple[int, int]] = set()

    def pick(candidates: list[tuple[int, int]]) -> tuple[int, int, int]:
        while True:
            solution, owner = rng.choice(candidates)
            body = rng.choice(bodies)
            if body != owner and (solution, body) not in taken:
                taken.add((solution, body))
                return solution, owner, body

    plan: list[tuple[int, int, int, str]] = []
    for _ in range(total - pool):
        plan.append((*pick(published), rng.choice(ADOPTION_MIX)))
    for _ in range(pool):
        plan.append((*pick(pesaro_solutions), "requested"))

    events: list[tuple[int, list[tuple[str, dt.datetime]]]] = []

    def rows() -> Iterator[dict[str, Any]]:
        for index, (solution, owner, body, status) in enumerate(plan):
            requested = NOW - dt.timedelta(days=rng.randint(1, 1000), minutes=rng.randint(0, 1440))
            if index >= total - pool:
                requested = NOW - dt.timedelta(hours=1 + index % 48)
            when = requested
            steps = []
            dates: dict[str, Any] = {}
            for action in PATHS[status]:
                if action != "request":
                    when = when + dt.timedelta(days=rng.randint(1, 60))
                steps.append((action, when))
                if action in ("approve", "reject"):
                    dates["decided_at"] = when
                elif action == "start":
                    dates["started_at"] = when
                elif action == "go_live":
                    dates["in_production_at"] = when
                    dates["go_live_date"] = when.date()
                    dates["adopted_version"] = "2.0"
                    dates["environment"] = "production"
                    if rng.random() < 0.7:
                        estimated = Decimal(rng.randint(5, 120) * 1000)
                        dates["estimated_cost"] = estimated
                        dates["actual_cost"] = (estimated * Decimal(rng.randint(5, 40)) / 100).quantize(Decimal("1"))
                        dates["effort_days"] = Decimal(rng.randint(2, 60))
                elif action in ("retire", "withdraw") or action == "reject":
                    dates["closed_at"] = when
            if status == "rejected":
                dates["closed_at"] = when
            events.append((index + 1, steps))
            yield {"solution_id": solution, "body_id": body, "owner_body_id": owner, "status": status,
                   "requested_at": requested, "status_changed_at": when, **dates}

    copy_rows(Adoption, rows())
    copy_rows(
        AdoptionEvent,
        (
            {"adoption_id": adoption_id, "sequence": seq, "action": action,
             "from_status": "" if seq == 1 else TARGETS[steps[seq - 2][0]], "to_status": TARGETS[action],
             "note": "", "created_at": when}
            for adoption_id, steps in events
            for seq, (action, when) in enumerate(steps, start=1)
        ),
    )
    return total - pool + 1, total


@transaction.atomic
def refresh_search() -> int:
    """Recompute every stored search vector in one UPDATE (catalog.solutions.search) and update the planner's statistics."""
    from catalog.models import Solution
    from catalog.solutions.search import refresh_search_vector

    # As a bulk load does: drop the full-text (GIN) indexes, write every vector, build the indexes again once.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s AND indexdef ILIKE %s",
            [Solution._meta.db_table, "%USING gin%"],
        )
        gin = cursor.fetchall()
        for name, _definition in gin:
            cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
    updated = refresh_search_vector(None)
    with connection.cursor() as cursor:
        for _name, definition in gin:
            cursor.execute(definition)
    return updated


def vacuum() -> None:
    """VACUUM (ANALYZE) everything, as autovacuum does to a live database: planner statistics and the visibility
    map (index-only scans) of freshly loaded tables. Must run outside a transaction."""
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")
