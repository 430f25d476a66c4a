"""`portal backup FILE` and `portal restore FILE`: a whole, consistent copy of the
database at DATABASE_URL, and putting one back.

- SQLite: the online backup API (`sqlite3.Connection.backup`) copies a consistent
  snapshot while the portal keeps running (readers and writers wait only for the pages
  being copied); restore copies the file back the same way into the live database, so
  open connections see the restored data at their next transaction.
- PostgreSQL: `pg_dump --format=custom` (a consistent snapshot, one transaction) and
  `pg_restore --clean --if-exists --single-transaction --no-owner`: the restore lands
  whole or not at all.

A backup file says which kind it is: an SQLite file starts with "SQLite format 3", a
custom-format dump with "PGDMP". Restoring one kind into the other is refused with a
message, as is a file that is neither.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from core.database import postgres_config, sqlite_path

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_MAGIC = b"PGDMP"


class BackupError(Exception):
    """Something a person can fix (a missing tool, a wrong file); the message says what."""


def _is_postgres(url: str) -> bool:
    return url.startswith(("postgresql://", "postgres://"))


def _pg_environment(url: str) -> tuple[list[str], dict[str, str]]:
    config = postgres_config(url)
    arguments = [
        "--host", str(config["host"]),
        "--port", str(config["port"]),
        "--username", str(config["user"]),
        "--dbname", str(config["database"]),
    ]  # fmt: skip
    environment = dict(os.environ)
    if "password" in config:
        environment["PGPASSWORD"] = str(config["password"])
    return arguments, environment


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            f"{name} is not installed (Debian: apt-get install postgresql-client); it is "
            "needed to back up or restore a PostgreSQL database."
        )
    return found


def _kind_of(path: Path) -> str:
    with path.open("rb") as handle:
        head = handle.read(16)
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(PG_MAGIC):
        return "postgres"
    return "unknown"


def backup(url: str, target: Path) -> None:
    """Write a consistent copy of the database at `url` to `target` (replaced whole:
    written beside it, then renamed)."""
    target = target.resolve()
    if not target.parent.is_dir():
        raise BackupError(f"{target.parent}: no such folder")
    partial = target.with_name(target.name + ".partial")
    try:
        if _is_postgres(url):
            arguments, environment = _pg_environment(url)
            done = subprocess.run(  # noqa: S603 - fixed tool, arguments as a list
                [_tool("pg_dump"), *arguments, "--format=custom", "--file", str(partial)],
                env=environment,
                capture_output=True,
                text=True,
            )
            if done.returncode != 0:
                raise BackupError(f"pg_dump failed: {done.stderr.strip()}")
        else:
            source_path = sqlite_path(url)
            if not source_path.is_file():
                raise BackupError(f"{source_path}: there is no database to back up")
            source = sqlite3.connect(source_path)
            copy = sqlite3.connect(partial)
            try:
                source.backup(copy)
            finally:
                copy.close()
                source.close()
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)


def restore(url: str, source: Path) -> None:
    """Replace the database at `url` with the backup in `source`, whole or not at all."""
    if not source.is_file():
        raise BackupError(f"{source}: no such file")
    kind = _kind_of(source)
    wanted = "postgres" if _is_postgres(url) else "sqlite"
    if kind == "unknown":
        raise BackupError(f"{source} is not a backup made by `portal backup`")
    if kind != wanted:
        raise BackupError(
            f"{source} is a backup of a {kind} database; DATABASE_URL is a {wanted} database"
        )
    if wanted == "postgres":
        arguments, environment = _pg_environment(url)
        done = subprocess.run(  # noqa: S603 - fixed tool, arguments as a list
            [
                _tool("pg_restore"), *arguments, "--clean", "--if-exists",
                "--single-transaction", "--no-owner", "--exit-on-error", str(source),
            ],
            env=environment,
            capture_output=True,
            text=True,
        )  # fmt: skip
        if done.returncode != 0:
            raise BackupError(f"pg_restore failed, nothing was changed: {done.stderr.strip()}")
        return
    check = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        problem = check.execute("PRAGMA integrity_check").fetchone()[0]
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{source} is damaged: {error}") from None
    finally:
        check.close()
    if problem != "ok":
        raise BackupError(f"{source} is damaged: {problem}")
    target_path = sqlite_path(url)
    target_path.parent.mkdir(parents=True, exist_ok=True)
    backup_copy = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    target = sqlite3.connect(target_path, timeout=30)
    try:
        backup_copy.backup(target)  # one step: the target changes whole, under its lock
    finally:
        target.close()
        backup_copy.close()
