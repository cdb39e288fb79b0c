"""The benchmark's own logic: targets, addresses of the miss runs, the report table. No server, no database."""

from __future__ import annotations

import base64
from urllib.parse import parse_qs, urlsplit

from bench import rotation, run


def _round(rps: float) -> dict:
    return {"rps": rps, "p50_ms": 1.0, "p95_ms": 2.0, "errors": 0}


def _entry(*rps: float, p95: float = 10.0, **extra) -> dict:
    return {"status": "ok", "rps": sorted(rps)[len(rps) // 2], "p95_ms": p95, "rounds": [_round(r) for r in rps],
            **extra}


def _size(**endpoints) -> dict:
    return {"endpoints": endpoints, "query_counts": {}}


def _check(checks: list[dict], endpoint: str, kind: str) -> dict:
    return next(c for c in checks if c["endpoint"] == endpoint and c["kind"] == kind)


def test_a_ratio_to_the_peer_is_taken_round_by_round():
    # The peer is slow in round 1 and fast in rounds 2 and 3: per round the portal does 2×, 1×, 1× its peer.
    data = {"full": _size(api_list_miss=_entry(100, 100, 100), peer_list_miss=_entry(50, 100, 100))}
    check = _check(run.evaluate(data), "api_list_miss", "vs")
    assert check["measured"] == 1.0
    assert check["met"] is False


def test_a_304_whose_query_reads_the_whole_table_misses_its_reads_target():
    data = {"full": _size(api_list_304=_entry(1, queries={"max_blocks": 31_000}),
                          api_detail_304=_entry(1, queries={"max_blocks": 4}))}
    checks = run.evaluate(data)
    assert _check(checks, "api_list_304", "reads")["met"] is False
    assert _check(checks, "api_detail_304", "reads")["met"] is True


def test_reports_and_memory_are_checked_against_their_limits():
    data = {"full": _size(report_xlsx={"status": "ok", "seconds": 12.0, "max_rss_mb": 450.0},
                          web_memory={"status": "ok", "max_rss_mb": 180.0})}
    checks = run.evaluate(data)
    assert _check(checks, "report_xlsx", "seconds")["met"] is True
    assert _check(checks, "report_xlsx", "memory")["met"] is False
    assert _check(checks, "web_memory", "memory")["met"] is True
    assert _check(checks, "report_pdf", "seconds")["status"] == "missing"


def test_query_counts_must_not_grow_with_the_page_or_across_sizes():
    steady = {"api_list": {"20 items": 4, "100 items": 4}, "peer_list": {"20 items": 4, "100 items": 9}}
    assert run.constant_counts({"full": {"query_counts": steady}}) == (True, [])
    growing = {"api_list": {"20 items": 4, "100 items": 5}}
    met, problems = run.constant_counts({"full": {"query_counts": growing}})
    assert not met and "api_list at full" in problems[0]
    met, problems = run.constant_counts({"small": {"query_counts": {"search": {"rare word": 5}}},
                                         "full": {"query_counts": {"search": {"rare word": 6}}}})
    assert not met and problems == ["search across sizes: [5, 6]"]
    met, problems = run.constant_counts({"full": {"query_counts": {"api_list": {"20 items": 0, "100 items": 0}}}})
    assert not met and "a kept answer" in problems[0]


def test_a_missing_endpoint_is_a_missed_target():
    checks = run.evaluate({"full": _size()})
    assert not any(c["met"] for c in checks if c["kind"] != "constant")
    assert all(c["status"] == "missing" for c in checks if c["kind"] != "constant")


def test_the_table_names_every_target_and_its_figure():
    data = _size(bare=_entry(1000, ratio=1.0, label="bare"), catalogue_miss=_entry(5, p95=2500.0, label="cat"))
    data.update(scale="full", solutions=100_000, bodies=8_000, adoptions=1_000_000, seconds_seeding=200.0,
                seeding_phases={"adoptions_and_events": 90.0}, seconds_total=900.0,
                rows={"solutions": 100_000, "bodies": 8_000, "adoptions": 1_000_000, "adoption_events": 2_800_000})
    results = {"generated_at": "2026-11-30 18:00", "machine": {"description": "2 CPUs"}, "seconds_total": 1000,
               "config": {"web_workers": 2, "web_threads": 4, "rounds": 3, "duration_s": 4},
               "sizes": {"full": data}}
    results["targets"] = run.evaluate(results["sizes"])
    table = run.markdown(results)
    assert "### full: 100 000 solutions, 8 000 bodies, 1 000 000 adoptions, 2 800 000 adoption events" in table
    assert "| full | catalogue_miss | p95 ≤ 150 ms | 2 500.0 ms | **no** |" in table
    assert "| full | api_list_miss | ≥ 1.5 × peer_list_miss | missing | **no** |" in table
    assert table.startswith(run.TABLE_START) and table.endswith(run.TABLE_END)


# --- the addresses of the miss runs ---------------------------------------------------------------------------

VOCAB = rotation.Vocabulary(
    categories=["amministrazione", "contabilita", "tributi"], tags=["area-1", "area-2"],
    owners=["041044", "041013", "900001"], names=[f"Soluzione {n}" for n in range(500)],
    slugs=[f"bench-{n:06d}" for n in range(3000)],
)


def test_miss_addresses_never_repeat_and_use_both_languages():
    urls = rotation.catalogue(VOCAB, "/catalogo/", 2000)
    assert len(urls) == len(set(urls)) == 2000
    assert {language for _path, language in urls} == {"it", "en"}
    queries = [parse_qs(urlsplit(path).query) for path, _language in urls]
    assert sum("owner" in q for q in queries) > 100
    assert sum("page" in q for q in queries) > 500


def test_search_addresses_all_carry_the_word():
    urls = rotation.catalogue(VOCAB, "/catalogo/", 500, q="tributi", seed=5)
    assert all(parse_qs(urlsplit(path).query)["q"] == ["tributi"] for path, _language in urls)


def test_the_peer_gets_the_same_query_strings_and_the_cursor_is_drfs():
    urls = rotation.api_list(VOCAB, "/api/v1/solutions/", 1000)
    peer = rotation.with_base(urls, "/api/v1/solutions/", "/_bench/drf/solutions/")
    assert [urlsplit(a).query for a, _ in urls] == [urlsplit(b).query for b, _ in peer]
    cursors = [parse_qs(urlsplit(path).query).get("cursor") for path, _ in urls]
    first = next(c[0] for c in cursors if c)
    assert parse_qs(base64.b64decode(first).decode())["p"][0] in VOCAB.names
    sizes = {parse_qs(urlsplit(path).query).get("page_size", ["20"])[0] for path, _ in urls}
    assert sizes == {"20", "50", "100"}


def test_detail_addresses_follow_the_pattern(tmp_path):
    urls = rotation.details(VOCAB, "/api/v1/solutions/{slug}/", 100)
    assert all(path.startswith("/api/v1/solutions/bench-") for path, _ in urls)
    written = rotation.write(urls, tmp_path / "details.tsv").read_text().splitlines()
    assert written[0] == "\t".join(urls[0])
