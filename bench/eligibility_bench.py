"""Benchmark: eligibility of all organisations at once, on SQLite or PostgreSQL.

    .venv/bin/python -m bench.eligibility_bench              # SQLite, full size
    .venv/bin/python -m bench.eligibility_bench --postgres   # PostgreSQL, database portal_bench
    .venv/bin/python -m bench.eligibility_bench --organisations 100 --staff 10000 --qchecks 100000

Loads the generated data through the real import path (timed too), then times
`eligibility_for_all` (best and median of several runs). Target: under 1 s for all
organisations at 1,000 organisations / 100,000 staff / 1,000,000 Q-checks.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

POSTGRES_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/test"
POSTGRES_BENCH_DB = "portal_bench"


async def _recreate_postgres_database() -> str:
    import asyncpg

    admin = await asyncpg.connect(POSTGRES_ADMIN_URL.replace("postgresql://", "postgres://", 1))
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{POSTGRES_BENCH_DB}"')
        await admin.execute(f'CREATE DATABASE "{POSTGRES_BENCH_DB}"')
    finally:
        await admin.close()
    return POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{POSTGRES_BENCH_DB}"


# (organisations, staff, Q-checks)
PRESETS = {
    "tiny": (20, 2_000, 10_000),  # a smoke run of the benchmark itself
    "small": (200, 20_000, 200_000),
    "large": (1_000, 100_000, 1_000_000),
}


def preset_arguments(description: str) -> argparse.ArgumentParser:
    """The options every preset benchmark takes: --postgres and --preset."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--postgres", action="store_true", help=f"use database {POSTGRES_BENCH_DB}")
    parser.add_argument("--preset", choices=sorted(PRESETS), default="small")
    return parser


def open_run(args: argparse.Namespace, folder: Path) -> tuple[dict[str, str], tuple[int, ...]]:
    """A new database for the run, the environment that points at it (also set in this
    process) and the preset's sizes; prints what the run measures on."""
    url = prepare_database(args.postgres, folder)
    env = {**os.environ, "DATABASE_URL": url, "PORTAL_ENV": "development"}
    os.environ.update(env)
    sizes = PRESETS[args.preset]
    print(
        f"{'PostgreSQL' if args.postgres else 'SQLite'}, preset {args.preset}: "
        f"{sizes[0]:,} organisations, {sizes[1]:,} staff, {sizes[2]:,} Q-checks"
    )
    return env, sizes


def prepare_database(postgres: bool, folder: Path) -> str:
    """A new, empty database for the run; its DATABASE_URL."""
    if postgres:
        return asyncio.run(_recreate_postgres_database())
    return f"sqlite:///{folder / 'bench.sqlite'}"


async def load_dataset(
    folder: Path,
    organisations: int,
    staff: int,
    qchecks: int,
    *,
    seed: int = 1,
    user: tuple[str, str] | None = None,
) -> dt.date:
    """Migrate, generate and import through the real import (timed); the reference day.
    `user` (e-mail, password) adds a DG R&O user for the page benchmark."""
    # Imported only now: piccolo_conf reads DATABASE_URL once.
    from accounts.service import save_user
    from bench.generate import generate, write_csv
    from core.database import current_engine
    from portal.cli import migrate_database
    from portal.hooks import install
    from portal.imports import ImportScope, import_file

    install()  # the hooks, as the app and the `portal` command fill them
    await migrate_database()
    engine = current_engine()
    if hasattr(engine, "start_connection_pool"):
        await engine.start_connection_pool()
    started = time.perf_counter()
    data = generate(seed, organisations, staff, qchecks)
    paths = write_csv(data, folder)
    print(f"generated in {time.perf_counter() - started:.1f} s")
    for kind, path in paths.items():
        started = time.perf_counter()
        result = await import_file(kind, path.name, path.read_bytes(), ImportScope())
        elapsed = time.perf_counter() - started
        if not result.ok:
            sys.exit(f"import of {kind} failed: {result.issues[:3]}")
        rate = result.rows / elapsed
        print(f"import {kind:<13} {result.rows:>9,} rows  {elapsed:7.2f} s  ({rate:,.0f} rows/s)")
    if user is not None:
        await save_user(user[0], "Bench DG R&O", ["dgro"], None, user[1], command="bench")
    if hasattr(engine, "close_connection_pool"):
        await engine.close_connection_pool()
    return data.reference_day


async def run(args: argparse.Namespace, folder: Path) -> None:
    from certification.eligibility import clear_cache, eligibility_for_all
    from core.database import current_engine

    day = await load_dataset(folder, args.organisations, args.staff, args.qchecks, seed=args.seed)
    engine = current_engine()
    if hasattr(engine, "start_connection_pool"):
        await engine.start_connection_pool()
    timings = []
    for _ in range(args.repeat):
        clear_cache()  # time the computation, not the cache of a data version
        started = time.perf_counter()
        results = await eligibility_for_all(day)
        timings.append(time.perf_counter() - started)
    started = time.perf_counter()
    await eligibility_for_all(day)
    cached = time.perf_counter() - started
    levels: dict[str, int] = {}
    for result in results:
        level = str(result.eligibility.eligible_level)
        levels[level] = levels.get(level, 0) + 1
    print(
        f"eligibility of {len(results):,} organisations on {day}: "
        f"best {min(timings):.3f} s, median {statistics.median(timings):.3f} s "
        f"over {args.repeat} runs; levels {dict(sorted(levels.items()))}; "
        f"again for the same data version (cached): {cached * 1000:.1f} ms"
    )
    single = []
    for code in ("ORG0000", "ORG0500"):
        started = time.perf_counter()
        await eligibility_for_all(day, code)
        single.append(time.perf_counter() - started)
    print(f"eligibility of one organisation: {max(single):.3f} s")
    if hasattr(engine, "close_connection_pool"):
        await engine.close_connection_pool()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", action="store_true", help=f"use database {POSTGRES_BENCH_DB}")
    parser.add_argument("--organisations", type=int, default=1000)
    parser.add_argument("--staff", type=int, default=100_000)
    parser.add_argument("--qchecks", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="portal-bench-") as tmp:
        folder = Path(tmp)
        os.environ["DATABASE_URL"] = prepare_database(args.postgres, folder)
        os.environ.setdefault("PORTAL_ENV", "development")
        print(
            f"{'PostgreSQL' if args.postgres else 'SQLite'}: {args.organisations:,} organisations, "
            f"{args.staff:,} staff, {args.qchecks:,} Q-checks ({dt.date.today()})"
        )
        asyncio.run(run(args, folder))


if __name__ == "__main__":
    main()
