"""Benchmark: `portal import` against the raw floor of loading the same file, in one run.

    .venv/bin/python -m bench.import_bench                      # SQLite, small preset
    .venv/bin/python -m bench.import_bench --postgres --preset large

Each kind is imported by the real command (`portal import KIND FILE`, a process of its
own, so its peak memory is measured); the floor loads the same CSV file into a bare table
of text columns without any check: `COPY … FROM STDIN` on PostgreSQL, one `executemany`
on SQLite. Targets (issue 7): within 20× the floor on PostgreSQL and 10× on SQLite; peak
memory under 300 MB at 1,000,000 rows.
"""

from __future__ import annotations

import asyncio
import csv
import io
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.eligibility_bench import open_run, preset_arguments

KINDS = ("organisations", "staff", "certificates", "qchecks")


# A small launcher runs the command and reports its peak memory: a child forked from this
# (large) process would inherit this process's high-water mark in ru_maxrss.
LAUNCHER = """
import os, sys, time
started = time.perf_counter()
pid = os.fork()
if pid == 0:
    os.execv(sys.argv[1], sys.argv[1:])
_pid, status, usage = os.wait4(pid, 0)
print(time.perf_counter() - started, usage.ru_maxrss / 1024, status)
"""


def run_import(kind: str, path: Path, env: dict[str, str]) -> tuple[float, float]:
    """(seconds, peak memory in MB) of `portal import KIND FILE` in a process of its own."""
    portal = Path(sys.executable).parent / "portal"
    answer = subprocess.run(  # noqa: S603 - our own command
        [sys.executable, "-c", LAUNCHER, str(portal), "import", kind, str(path)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    seconds, peak, status = answer.stdout.split()[-3:]
    if status != "0":
        sys.exit(f"portal import {kind} failed: {answer.stderr[:500]}")
    return float(seconds), float(peak)


def floor_sqlite(url: str, path: Path) -> float:
    database = url[len("sqlite:///") :]
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        started = time.perf_counter()
        connection = sqlite3.connect(database)
        columns = ", ".join(f"c{i} TEXT" for i in range(len(header)))
        connection.execute("DROP TABLE IF EXISTS bare")
        connection.execute(f"CREATE TABLE bare ({columns})")
        marks = ", ".join("?" for _ in header)
        connection.executemany(f"INSERT INTO bare VALUES ({marks})", reader)  # noqa: S608
        connection.commit()
        connection.close()
    return time.perf_counter() - started


async def floor_postgres(url: str, path: Path) -> float:
    import asyncpg

    connection = await asyncpg.connect(url.replace("postgresql://", "postgres://", 1))
    try:
        header = next(csv.reader(io.StringIO(path.open(encoding="utf-8-sig").readline())))
        columns = ", ".join(f"c{i} TEXT" for i in range(len(header)))
        started = time.perf_counter()
        await connection.execute("DROP TABLE IF EXISTS bare")
        await connection.execute(f"CREATE TABLE bare ({columns})")
        with path.open("rb") as handle:
            await connection.copy_to_table(
                "bare", source=handle, format="csv", header=True, encoding="utf-8"
            )
        return time.perf_counter() - started
    finally:
        await connection.close()


def main() -> None:
    parser = preset_arguments(__doc__.splitlines()[0])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="portal-bench-") as tmp:
        folder = Path(tmp)
        env, sizes = open_run(args, folder)
        subprocess.run(  # noqa: S603
            [str(Path(sys.executable).parent / "portal"), "migrate"],
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        from bench.generate import generate, write_csv

        paths = write_csv(generate(1, *sizes), folder)
        print(f"{'kind':<14}{'rows':>11}{'import s':>10}{'floor s':>9}{'ratio':>8}{'peak MB':>9}")
        for kind in KINDS:
            rows = sum(1 for _ in paths[kind].open(encoding="utf-8")) - 1
            seconds, peak = run_import(kind, paths[kind], env)
            if args.postgres:
                floor = asyncio.run(floor_postgres(env["DATABASE_URL"], paths[kind]))
            else:
                floor = floor_sqlite(env["DATABASE_URL"], paths[kind])
            print(
                f"{kind:<14}{rows:>11,}{seconds:>10.2f}{floor:>9.2f}"
                f"{seconds / floor:>8.1f}{peak:>9.0f}"
            )


if __name__ == "__main__":
    main()
