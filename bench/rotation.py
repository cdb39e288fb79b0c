"""The addresses of the "miss" runs: many filter combinations, owners, pages and languages, so that no cache can
answer (a page cache, a cached fragment, an ETag a client would send), as when the whole country browses.

Each list is deterministic (seeded), holds no address twice, and is written one request a line, `path<TAB>language`,
for bench/wrk/rotate.lua, which walks it from an offset that bench/run.py moves on after every run: across the
rounds of one run no address is asked twice while the list lasts (the lists are longer than a run asks for; the
script counts any answer a page cache gave, which the report shows next to the endpoint).

The API list and its plain DRF peer get the same query strings (same filters, same page sizes, cursors that are
valid for both: a position on the name, which both lists are ordered by), so that their ratio compares the same
work. The catalogue's addresses use the page's own parameters (`page` instead of a cursor).
"""

from __future__ import annotations

import base64
import random
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

LANGUAGES = ("it", "en")
ENUMS = {
    "kind": ("software", "service"),
    "development_status": ("concept", "development", "beta", "stable", "obsolete"),
    "origin": ("elicat", "fiscat", "other"),
}
SUPPORTS = ("spid", "cie", "pagopa", "anpr", "io")
FILTERS = ("kind", "development_status", "origin", "category", "tag", "owner", "supports")
CATALOGUE_ORDERINGS = ("name", "-latest_release_date", "-used_by_count")


@dataclass
class Vocabulary:
    """What the addresses are drawn from: values that exist in the benchmark database."""

    categories: list[str]
    tags: list[str]
    owners: list[str]  # ISTAT codes of bodies that own published solutions
    names: list[str]  # names of published solutions: cursor positions
    slugs: list[str]  # published solutions, for the detail


def read_vocabulary(sample: int = 20_000, seed: int = 7) -> Vocabulary:
    from catalog.models import Category, Solution, Tag

    published = Solution.objects.filter(status="published")
    slugs = list(published.order_by("pk").values_list("slug", flat=True))
    names = list(published.order_by("pk").values_list("name", flat=True))
    owners = list(
        published.exclude(owner__istat_code=None).order_by().values_list("owner__istat_code", flat=True).distinct()
    )
    rng = random.Random(seed)
    return Vocabulary(
        categories=sorted(Category.objects.filter(solutions__status="published").values_list("code", flat=True)
                          .distinct()),
        tags=sorted(Tag.objects.values_list("slug", flat=True)),
        owners=sorted(owners),
        names=rng.sample(names, min(sample, len(names))),
        slugs=rng.sample(slugs, min(4 * sample, len(slugs))),
    )


def encode_cursor(position: str) -> str:
    """A DRF cursor (rest_framework.pagination.CursorPagination.encode_cursor) positioned after `position`."""
    return base64.b64encode(urlencode({"p": position}).encode("ascii")).decode("ascii")


def _filters(rng: random.Random, vocab: Vocabulary) -> list[tuple[str, str]]:
    """Nought to three filters, as visitors combine them: most ask for one or two."""
    how_many = rng.choices((0, 1, 2, 3), weights=(25, 40, 25, 10))[0]
    params: list[tuple[str, str]] = []
    for name in sorted(rng.sample(FILTERS, how_many)):
        if name in ENUMS:
            params.append((name, rng.choice(ENUMS[name])))
        elif name == "category" and vocab.categories:
            params.append((name, rng.choice(vocab.categories)))
        elif name == "tag" and vocab.tags:
            params.append((name, rng.choice(vocab.tags)))
        elif name == "owner" and vocab.owners:
            params.append((name, rng.choice(vocab.owners)))
        elif name == "supports":
            params.extend(("supports", code) for code in sorted(rng.sample(SUPPORTS, rng.choice((1, 1, 2)))))
    return params


def _unique(make, count: int, attempts: int = 20) -> list[tuple[str, str]]:
    seen: set[tuple[str, str]] = set()
    found: list[tuple[str, str]] = []
    for _ in range(count * attempts):
        item = make()
        if item not in seen:
            seen.add(item)
            found.append(item)
            if len(found) == count:
                break
    return found


def catalogue(vocab: Vocabulary, base: str, count: int, *, q: str | None = None, seed: int = 1) -> list[tuple[str, str]]:
    """The catalogue page: filters, an ordering now and then, pages 1 to 300 (most visitors stay on the first
    ones), both languages; with `q`, every address searches for it."""
    rng = random.Random(seed)

    def make() -> tuple[str, str]:
        params = [("q", q)] if q else []
        params += _filters(rng, vocab)
        if rng.random() < 0.25:
            params.append(("ordering", rng.choice(CATALOGUE_ORDERINGS)))
        roll = rng.random()
        if roll >= 0.5:
            params.append(("page", str(rng.randint(2, 10) if roll < 0.85 else rng.randint(11, 300))))
        return f"{base}?{urlencode(params)}" if params else base, rng.choice(LANGUAGES)

    return _unique(make, count)


def api_list(vocab: Vocabulary, base: str, count: int, *, seed: int = 2) -> list[tuple[str, str]]:
    """The API list: filters, a cursor on half the requests (a position anywhere in the catalogue), page sizes of
    20 (the default), 50 and 100, both languages."""
    rng = random.Random(seed)

    def make() -> tuple[str, str]:
        params = _filters(rng, vocab)
        size = rng.choices((None, "50", "100"), weights=(70, 20, 10))[0]
        if size:
            params.append(("page_size", size))
        if rng.random() < 0.5 and vocab.names:
            params.append(("cursor", encode_cursor(rng.choice(vocab.names))))
        return f"{base}?{urlencode(params)}" if params else base, rng.choice(LANGUAGES)

    return _unique(make, count)


def details(vocab: Vocabulary, base: str, count: int, *, seed: int = 3) -> list[tuple[str, str]]:
    """Solution pages of the API: `base` holds `{slug}`; every published solution in turn, both languages."""
    rng = random.Random(seed)
    return _unique(lambda: (base.format(slug=rng.choice(vocab.slugs)), rng.choice(LANGUAGES)), count)


def with_base(urls: list[tuple[str, str]], old: str, new: str) -> list[tuple[str, str]]:
    """The same addresses under another path (the peer of an endpoint)."""
    return [(new + path.removeprefix(old), language) for path, language in urls]


def write(urls: list[tuple[str, str]], path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(f"{url}\t{language}\n" for url, language in urls), encoding="utf-8")
    return path
