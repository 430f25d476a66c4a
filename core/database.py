"""The database chosen by `DATABASE_URL`, and the one way to open a write transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from piccolo.columns import Column
from piccolo.engine import engine_finder
from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine, TransactionType
from piccolo.table import Table

from core.settings import PROJECT_ROOT

# Seconds a SQLite connection waits for another writer before giving up.
SQLITE_BUSY_TIMEOUT = 30


def sqlite_path(url: str) -> Path:
    """`sqlite:///var/x.sqlite` is relative to the project, `sqlite:////tmp/x.sqlite` absolute."""
    raw = url[len("sqlite:///") :]
    path = Path(raw)
    return path if path.is_absolute() else PROJECT_ROOT / path


def postgres_config(url: str) -> dict[str, object]:
    parts = urlsplit(url)
    config: dict[str, object] = {
        "host": parts.hostname or "127.0.0.1",
        "port": parts.port or 5432,
        "database": parts.path.lstrip("/") or "postgres",
        "user": unquote(parts.username) if parts.username else "postgres",
    }
    if parts.password:
        config["password"] = unquote(parts.password)
    return config


def engine_from_url(url: str) -> Engine:
    """Build the Piccolo engine for a `DATABASE_URL` (SPEC 5)."""
    if url.startswith("sqlite:///"):
        path = sqlite_path(url)
        path.parent.mkdir(parents=True, exist_ok=True)
        return SQLiteEngine(path=str(path), timeout=SQLITE_BUSY_TIMEOUT)
    return PostgresEngine(config=postgres_config(url))


def current_engine() -> Engine:
    engine = engine_finder()
    if engine is None:  # pragma: no cover - piccolo_conf always defines DB
        raise RuntimeError("piccolo_conf defines no DB engine")
    return engine


def is_sqlite() -> bool:
    return isinstance(current_engine(), SQLiteEngine)


def write_transaction():
    """A transaction for writes: IMMEDIATE on SQLite so concurrent writers queue, not fail."""
    engine = current_engine()
    if isinstance(engine, SQLiteEngine):
        return engine.transaction(transaction_type=TransactionType.immediate)
    return engine.transaction()


def read_transaction():
    """Several reads on one connection and one snapshot: SQLite opens a connection per
    query outside a transaction (a few ms each), PostgreSQL takes one from the pool."""
    engine = current_engine()
    if isinstance(engine, SQLiteEngine):
        return engine.transaction(transaction_type=TransactionType.deferred)
    return engine.transaction()


async def check_database() -> None:
    """Raise when the database does not answer."""
    await current_engine().run_ddl("SELECT 1")


async def bulk_upsert(
    table: str,
    columns: Sequence[str],
    rows: Sequence[Sequence[object]],
    *,
    conflict: Sequence[str],
    update: Sequence[str],
    expressions: dict[str, str] | None = None,
) -> None:
    """Insert or update many rows with one prepared statement (`executemany`).

    Must run inside `write_transaction()`. `expressions` replaces a column's plain
    placeholder by SQL around it, e.g. a sub-select that turns a reference into an id:
    `{"selection_file": "(SELECT id FROM selection_file WHERE reference = {})"}`.
    Table and column names come from the code, never from user input.
    """
    if not rows:
        return
    engine = current_engine()
    transaction = engine.current_transaction.get()  # type: ignore[attr-defined]
    if transaction is None:
        raise RuntimeError("bulk_upsert needs write_transaction()")
    sqlite = isinstance(engine, SQLiteEngine)
    placeholders = []
    for position, column in enumerate(columns, start=1):
        marker = "?" if sqlite else f"${position}"
        template = (expressions or {}).get(column, "{}")
        placeholders.append(template.replace("{}", marker))
    assignments = ", ".join(f"{c} = excluded.{c}" for c in update)
    statement = (
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(placeholders)}) "  # noqa: S608
        f"ON CONFLICT ({', '.join(conflict)}) DO UPDATE SET {assignments}"
    )
    if sqlite:
        # SQLite keeps dates and times as ISO text, as Piccolo does.
        rows = [
            tuple(v.isoformat() if isinstance(v, dt.date | dt.datetime) else v for v in row)
            for row in rows
        ]
    await transaction.connection.executemany(statement, rows)


async def refresh_statistics(*tables: str) -> None:
    """ANALYZE after a bulk write: stale statistics make PostgreSQL pick nested loops that
    turn a 0.1 s eligibility query into a minute (measured in bench/)."""
    engine = current_engine()
    for table in tables:
        await engine.run_ddl(f"ANALYZE {table}")


def is_unique_violation(error: Exception) -> bool:
    """A unique index refused the write (asyncpg's UniqueViolation, SQLite's IntegrityError)."""
    name = type(error).__name__
    return "UniqueViolation" in name or (
        name == "IntegrityError" and "UNIQUE" in str(error).upper()
    )


async def compare_and_set(
    table: type[Table],
    record_id: int,
    state_column: Column,
    expected: str,
    changes: Mapping[Column | str, Any],
) -> bool:
    """Apply `changes` only if the record is still in state `expected`; False when it is not.

    Run inside `write_transaction()`: a stale page never overwrites a decision taken
    meanwhile. The caller turns False into a 409 that names the state found.
    """
    changed = await (
        table.update(dict(changes))
        .where((table._meta.primary_key == record_id) & (state_column == expected))
        .returning(table._meta.primary_key)
    )
    return bool(changed)
