"""Benchmark: the Q-check analytics page and DG R&O's ranking against a bare handler.

    .venv/bin/python -m bench.qchecks_bench                        # SQLite, small preset
    .venv/bin/python -m bench.qchecks_bench --postgres --preset large

Loads a generated dataset through the real import (as `bench.pages_bench` does), scores
every Q-check of the organisation with the most Q-checks on the seeded checklist (one
set-based INSERT … SELECT: the generator writes no criteria), starts the portal and
`bench/bare_app.py` with uvicorn (one worker each) and measures with one client the p50
and p95 of: the organisation's analytics page, its htmx fragment, the ranking and its
htmx fragment. The baseline is `/bare/qchecks/{code}`: one hand-written aggregate of the
same organisation's Q-checks per quarter and a small template. Targets (issue): the
analytics page within 10× the bare handler, the ranking within 3×.

These are steady-state figures: between writes the portal keeps what it computed per data
version (eligibility per day, the dashboard and the analytics per organisation and day,
the charts per figures and language). The first request after the start (a write has the
same effect) computes them and imports matplotlib; it is timed once and printed apart.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

import httpx

from bench.eligibility_bench import load_dataset, open_run, preset_arguments
from bench.pages_bench import PASSWORD, USER, drive, free_port, login, start, stop

TARGETS = {"analytics": 10.0, "ranking": 3.0}


async def score_criteria() -> tuple[str, int, int]:
    """The organisation with the most Q-checks, its number of Q-checks, and the criterion
    rows written for them (every seeded criterion, a score derived from the Q-check's)."""
    from core import versions
    from core.database import current_engine, is_sqlite, refresh_statistics, write_transaction
    from qchecks.tables import QCheck

    engine = current_engine()
    if hasattr(engine, "start_connection_pool"):
        await engine.start_connection_pool()
    try:
        busiest = await QCheck.raw(
            "SELECT o.id, o.code, COUNT(*) AS n FROM qcheck q "
            "JOIN organisation o ON o.id = q.organisation "
            "GROUP BY o.id, o.code ORDER BY n DESC, o.code LIMIT 1"
        )
        organisation_id, code, count = busiest[0]["id"], busiest[0]["code"], busiest[0]["n"]
        async with write_transaction():
            await QCheck.raw(
                "INSERT INTO qcheck_criterion (qcheck, criterion, definition, score_hundredths, "
                "comment) SELECT q.id, d.code, d.id, "
                "(q.score_hundredths + d.weight * 137 + q.id * 7) % 10001, '' "
                "FROM qcheck q CROSS JOIN qcheck_criterion_def d WHERE q.organisation = {}",
                organisation_id,
            )
            await versions.bump()
        written = await QCheck.raw("SELECT COUNT(*) AS n FROM qcheck_criterion")
        if not is_sqlite():
            await refresh_statistics("qcheck_criterion")
    finally:
        if hasattr(engine, "close_connection_pool"):
            await engine.close_connection_pool()
    return str(code), int(count), int(written[0]["n"])


async def computed(code: str, day: dt.date, repeat: int = 5) -> tuple[float, float, float]:
    """What a request after a write computes, in this process (ms, best of `repeat`): the
    three aggregates and pandas (`read_analytics`), both charts drawn afresh, and the
    ranking of every organisation (eligibility on both days, not kept)."""
    from certification.eligibility import clear_cache
    from certification.web.qcheck_analytics import _rank
    from core.database import current_engine
    from qchecks import analytics, charts
    from qchecks.tables import QCheck

    engine = current_engine()
    if hasattr(engine, "start_connection_pool"):
        await engine.start_connection_pool()
    try:
        rows = await QCheck.raw("SELECT id FROM organisation WHERE code = {}", code)
        figures_ms, charts_ms, ranking_ms = [], [], []
        for _ in range(repeat):
            started = time.perf_counter()
            figures = await analytics.read_analytics(rows[0]["id"], day)
            figures_ms.append((time.perf_counter() - started) * 1000)
            charts._trend.cache_clear()
            charts._distribution.cache_clear()
            started = time.perf_counter()
            charts.quarterly_trend_svg(figures.quarters, 8000)
            charts.distribution_svg(figures.distribution)
            charts_ms.append((time.perf_counter() - started) * 1000)
            clear_cache()
            started = time.perf_counter()
            await _rank(day)
            ranking_ms.append((time.perf_counter() - started) * 1000)
    finally:
        if hasattr(engine, "close_connection_pool"):
            await engine.close_connection_pool()
    return min(figures_ms), min(charts_ms), min(ranking_ms)


async def first_request(url: str, headers: dict[str, str], cookies: httpx.Cookies | None) -> float:
    """One request, timed (ms): after a start or a write, what the page computes."""
    async with httpx.AsyncClient(cookies=cookies, timeout=120) as client:
        started = time.perf_counter()
        response = await client.get(url, headers=headers)
        elapsed = (time.perf_counter() - started) * 1000
    if response.status_code != 200:
        raise SystemExit(f"{url}: {response.status_code}")
    return elapsed


def main() -> None:
    parser = preset_arguments(__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="portal-bench-") as tmp:
        folder = Path(tmp)
        env, sizes = open_run(args, folder)
        day = asyncio.run(load_dataset(folder, *sizes, seed=1, user=(USER, PASSWORD)))
        code, count, criteria = asyncio.run(score_criteria())
        print(f"{code} has the most Q-checks: {count:,}; {criteria:,} criterion scores written")
        figures_ms, charts_ms, ranking_ms = asyncio.run(computed(code, day))
        print(
            f"computed after a write (best of 5, in process): {code}'s figures "
            f"{figures_ms:.1f} ms, both charts {charts_ms:.1f} ms; "
            f"the ranking (eligibility on both days) {ranking_ms:.1f} ms"
        )
        pages = {
            "analytics": (f"/organisations/{code}/qchecks/analytics?as_of={day}", {}),
            "analytics fragment": (
                f"/organisations/{code}/qchecks/analytics?as_of={day}",
                {"HX-Request": "true"},
            ),
            "ranking": (f"/qchecks/ranking?as_of={day}", {}),
            "ranking fragment": (f"/qchecks/ranking?as_of={day}", {"HX-Request": "true"}),
        }
        bin_dir = Path(sys.executable).parent
        portal_port, bare_port = free_port(), free_port()
        portal = start(
            [str(bin_dir / "portal"), "run", "--port", str(portal_port), "--web-concurrency", "1"],
            portal_port,
            env,
        )
        bare = start(
            [
                str(bin_dir / "uvicorn"),
                "bench.bare_app:app",
                "--port",
                str(bare_port),
                "--workers",
                "1",
                "--no-access-log",
            ],
            bare_port,
            env,
        )
        try:
            portal_base = f"http://127.0.0.1:{portal_port}"
            cookies = asyncio.run(login(portal_base))
            for name, (path, headers) in pages.items():
                if "fragment" not in name:
                    cold = asyncio.run(first_request(portal_base + path, headers, cookies))
                    print(f"first request of the {name} page (computes, imports): {cold:.0f} ms")
            bare_url = f"http://127.0.0.1:{bare_port}/bare/qchecks/{code}"
            _rate, bare_p50, bare_p95 = asyncio.run(drive(bare_url, 1, args.seconds, {}, None))
            print(
                f"\nbare handler (one aggregate per quarter, small template): "
                f"p50 {bare_p50:.1f} ms, p95 {bare_p95:.1f} ms (one client, steady state)"
            )
            print(
                f"{'page':<20}{'p50 ms':>8}{'p95 ms':>8}{'÷ bare p50':>12}{'÷ bare p95':>12}"
                f"{'target':>8}{'met':>5}"
            )
            for name, (path, headers) in pages.items():
                _rate, p50, p95 = asyncio.run(
                    drive(portal_base + path, 1, args.seconds, headers, cookies)
                )
                target = TARGETS[name.split()[0]]
                met = "yes" if p50 / bare_p50 <= target else "no"
                print(
                    f"{name:<20}{p50:>8.1f}{p95:>8.1f}{p50 / bare_p50:>12.1f}"
                    f"{p95 / bare_p95:>12.1f}{f'{target:.0f}×':>8}{met:>5}"
                )
        finally:
            stop(portal)
            stop(bare)


if __name__ == "__main__":
    main()
