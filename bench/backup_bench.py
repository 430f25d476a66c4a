"""Benchmark: `portal backup` and `portal restore` of a whole database, against the copy
of the same data with the plainest tool (a file copy of the SQLite file; `pg_dump` to
plain SQL piped to nowhere on PostgreSQL), in one run.

    .venv/bin/python -m bench.backup_bench                      # SQLite, small preset
    .venv/bin/python -m bench.backup_bench --postgres --preset large

Loads the preset through the real import, then times the real commands (processes of
their own) and checks the restored database holds as many rows as the original.
"""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.eligibility_bench import load_dataset, open_run, preset_arguments

COUNTED = ("staff_member", "certificate", "qcheck", "selection_file")


def timed(command: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True)  # noqa: S603
    if done.returncode != 0:
        sys.exit(f"{' '.join(command[:4])} failed: {done.stderr[:500]}")
    return time.perf_counter() - started


async def table_counts() -> dict[str, int]:
    from piccolo.conf.apps import Finder

    return {
        table._meta.tablename: await table.count()
        for table in Finder().get_table_classes()
        if table._meta.tablename in COUNTED
    }


def main() -> None:
    args = preset_arguments(__doc__ or "").parse_args()
    with tempfile.TemporaryDirectory(prefix="backup-bench-") as tmp:
        folder = Path(tmp)
        env, sizes = open_run(args, folder)
        asyncio.run(load_dataset(folder, *sizes))
        before = asyncio.run(table_counts())
        portal = [sys.executable, "-m", "portal"]
        target = folder / "portal.backup"
        backup = timed([*portal, "backup", str(target)], env)
        size = target.stat().st_size
        if args.postgres:
            url = env["DATABASE_URL"]
            floor = timed(["pg_dump", "--dbname", url, "--file", "/dev/null"], env)
            floor_name = "pg_dump to plain SQL (no compression)"
        else:
            database = folder / "bench.sqlite"
            started = time.perf_counter()
            shutil.copyfile(database, folder / "copy.sqlite")
            floor = time.perf_counter() - started
            floor_name = "a file copy of the database"
        asyncio.run(_wipe(args.postgres))
        restore = timed([*portal, "restore", "--yes", str(target)], env)
        after = asyncio.run(table_counts())
        if after != before:
            sys.exit(f"the restored database differs: {before} != {after}")
        print(f"backup   {backup:7.2f} s  ({size / 1e6:,.0f} MB)")
        print(
            f"restore  {restore:7.2f} s  (rows checked: "
            + ", ".join(f"{k} {v:,}" for k, v in after.items())
            + ")"
        )
        print(f"floor    {floor:7.2f} s  {floor_name}; backup ÷ floor {backup / floor:.1f}×")


async def _wipe(postgres: bool) -> None:
    """Empty the big tables, so the restore has to bring them back."""
    from qchecks.tables import QCheck

    await QCheck.delete(force=True)


if __name__ == "__main__":
    main()
