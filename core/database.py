"""The database chosen by `DATABASE_URL`, and the one way to open a write transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
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


class ReusingSQLiteEngine(SQLiteEngine):
    """Piccolo's SQLite engine opens a connection (a thread and the file) for every query
    outside a transaction. Once the web app opens its pool, this one keeps a few open
    connections and reuses them: the same statements, the same autocommit, a fraction of
    the cost per query. Transactions still get a connection of their own. Without a pool
    (the CLI, a script) it behaves exactly as Piccolo's.
    """

    POOL_SIZE = 4

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._idle: list[Any] | None = None

    @property
    def pool(self) -> list[Any] | None:
        """The idle connections, None before the pool is started (as PostgresEngine.pool)."""
        return self._idle

    async def start_connection_pool(self) -> None:
        self._idle = []

    async def close_connection_pool(self) -> None:
        idle, self._idle = self._idle or [], None
        for connection in idle:
            await connection.close()

    async def _run_in_new_connection(
        self,
        query: str,
        args: list[Any] | None = None,
        query_type: str = "generic",
        table: type[Table] | None = None,
    ) -> Any:
        if self._idle is None:
            return await super()._run_in_new_connection(query, args, query_type, table)
        connection = self._idle.pop() if self._idle else await self.get_connection()
        try:
            async with connection.execute(query, args or []) as cursor:
                rows = await cursor.fetchall()
            if connection.in_transaction:  # a write: committed at once, as Piccolo does
                await connection.commit()
        except BaseException:
            await connection.close()
            raise
        if self._idle is not None and len(self._idle) < self.POOL_SIZE:
            self._idle.append(connection)
        else:
            await connection.close()
        return rows


def engine_from_url(url: str) -> Engine:
    """Build the Piccolo engine for a `DATABASE_URL` (SPEC 5)."""
    if url.startswith("sqlite:///"):
        path = sqlite_path(url)
        path.parent.mkdir(parents=True, exist_ok=True)
        return ReusingSQLiteEngine(path=str(path), timeout=SQLITE_BUSY_TIMEOUT)
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
    """Several reads that must agree with each other (one organisation's row, staff,
    certificates and Q-checks) on one connection and one snapshot."""
    engine = current_engine()
    if isinstance(engine, SQLiteEngine):
        return engine.transaction(transaction_type=TransactionType.deferred)
    return engine.transaction()


async def check_database() -> None:
    """Raise when the database does not answer."""
    await current_engine().run_ddl("SELECT 1")


def _transaction_connection():
    transaction = current_engine().current_transaction.get()  # type: ignore[attr-defined]
    if transaction is None:
        raise RuntimeError("bulk writes need write_transaction()")
    return transaction.connection


async def _stage(
    name: str, shape: str, names: Sequence[str], rows: Iterable[Sequence[object]]
) -> None:
    """A new temporary table `name` of `shape` (`(a INTEGER, …)` or `AS SELECT …`), filled
    with `rows` as they are produced: no second copy of them is built."""
    connection = _transaction_connection()
    await connection.execute(f"DROP TABLE IF EXISTS {name}")
    await connection.execute(f"CREATE TEMPORARY TABLE {name} {shape}")
    await stage_append(name, names, rows)


async def stage_append(name: str, names: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
    """Add `rows` to the temporary table `name`: COPY on PostgreSQL, one `executemany` on
    SQLite. An import streams its valid rows here in batches as it validates them, so a
    file of a million rows is never held in memory."""
    connection = _transaction_connection()
    if is_sqlite():
        # SQLite keeps dates and times as ISO text, as Piccolo does.
        text_rows = (
            tuple(v.isoformat() if isinstance(v, dt.date | dt.datetime) else v for v in row)
            for row in rows
        )
        placeholders = ", ".join("?" for _ in names)
        await connection.executemany(
            f"INSERT INTO {name} ({', '.join(names)}) VALUES ({placeholders})",  # noqa: S608
            text_rows,
        )
    else:
        await connection.copy_records_to_table(name, records=rows, columns=list(names))


async def stage_rows(
    name: str, columns: Sequence[tuple[str, str]], rows: Iterable[Sequence[object]] = ()
) -> None:
    """Load `rows` into a new temporary table `name` (columns: name and SQL type): COPY on
    PostgreSQL, one `executemany` on SQLite. Inside `write_transaction()`; `stage_append`
    adds more, the set-based `INSERT … SELECT` that follows reads it, and `drop_stage`
    removes it.

    Names and types come from the code, never from user input.
    """
    definition = ", ".join(f"{column} {kind}" for column, kind in columns)
    await _stage(name, f"({definition})", [column for column, _kind in columns], rows)


async def fetch_in_transaction(statement: str) -> list[dict[str, Any]]:
    """The rows of one query of the code's own (over a stage) on the write's connection."""
    connection = _transaction_connection()
    if is_sqlite():
        cursor = await connection.execute(statement)
        return [dict(row) for row in await cursor.fetchall()]
    return [dict(row) for row in await connection.fetch(statement)]


@dataclass
class BulkLoad:
    """What `bulk_load` did: `empty` when the table was empty, so that its unique
    constraints were dropped too and the load is a plain INSERT (see `upsert_from`)."""

    empty: bool = False


@asynccontextmanager
async def bulk_load(table: str, *, when: bool) -> AsyncIterator[BulkLoad]:
    """For a bulk load, drop the table's non-unique indexes (and on PostgreSQL its foreign
    keys) and create them again after: one sorted index build and one set-based check of
    each foreign key are far faster than upkeep and a trigger row by row. Unique indexes
    stay (the merge's ON CONFLICT needs them), except on an empty PostgreSQL table: there
    nothing can conflict, so its unique constraints go too (`BulkLoad.empty`; the caller
    merges with a plain INSERT) and are checked once as they are created again. Inside
    `write_transaction()`: a failed import rolls everything back. The table is locked for
    readers meanwhile on PostgreSQL, so callers ask for it only for loads at least as large
    as the table.
    """
    load = BulkLoad()
    if not when:
        yield load
        return
    connection = _transaction_connection()
    drops: list[str] = []
    creates: list[str] = []
    if is_sqlite():
        cursor = await connection.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
            "AND sql IS NOT NULL",
            (table,),
        )
        for row in await cursor.fetchall():
            if "UNIQUE" not in row["sql"].upper():
                drops.append(f"DROP INDEX {row['name']}")
                creates.append(row["sql"])
    else:
        load.empty = await table_size(table) == 0
        # Foreign keys, and on an empty table the unique constraints no foreign key needs.
        for row in await connection.fetch(
            "SELECT conname, pg_get_constraintdef(oid) AS definition FROM pg_constraint c "
            "WHERE conrelid = $1::regclass AND (contype = 'f' OR ($2 AND contype = 'u' "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint r WHERE r.contype = 'f' "
            "AND r.conindid = c.conindid))) ORDER BY contype = 'f'",
            table,
            load.empty,
        ):
            drops.append(f"ALTER TABLE {table} DROP CONSTRAINT {row['conname']}")
            creates.append(
                f"ALTER TABLE {table} ADD CONSTRAINT {row['conname']} {row['definition']}"
            )
        for row in await connection.fetch(
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' "
            "AND tablename = $1 AND indexname NOT IN "
            "(SELECT conname FROM pg_constraint WHERE conrelid = $1::regclass)",
            table,
        ):
            if "UNIQUE" not in row["indexdef"].upper() or load.empty:
                drops.append(f"DROP INDEX {row['indexname']}")
                creates.append(row["indexdef"])
    for statement in drops:
        await connection.execute(statement)
    yield load
    for statement in creates:
        await connection.execute(statement)


async def give_bulk_memory() -> None:
    """On PostgreSQL, memory for the rest of the transaction's sorts, hashes and index builds
    (the defaults, 4 MB and 64 MB, make a million-row import spill to disk); SQLite: no-op."""
    if not is_sqlite():
        connection = _transaction_connection()
        await connection.execute("SET LOCAL work_mem = '128MB'")
        await connection.execute("SET LOCAL maintenance_work_mem = '256MB'")


async def table_size(table: str) -> int:
    """The number of rows of a table (inside the write's transaction)."""
    connection = _transaction_connection()
    if is_sqlite():
        cursor = await connection.execute(f"SELECT COUNT(*) AS n FROM {table}")  # noqa: S608
        return int((await cursor.fetchone())["n"])
    return int(await connection.fetchval(f"SELECT COUNT(*) FROM {table}"))  # noqa: S608


async def run_in_transaction(statement: str) -> None:
    """One statement of the code's own (the merge of a stage) on the write's connection."""
    await _transaction_connection().execute(statement)


async def drop_stage(name: str) -> None:
    await _transaction_connection().execute(f"DROP TABLE IF EXISTS {name}")


def upsert_from(
    table: str,
    columns: Sequence[str],
    select: str,
    *,
    conflict: Sequence[str],
    update: Sequence[str],
    insert_only: bool = False,
    increment: Sequence[str] = (),
) -> str:
    """`INSERT INTO table (columns) SELECT … ON CONFLICT (conflict) DO UPDATE SET …`, or a
    plain INSERT into a table `bulk_load` found empty (`insert_only`). An updated row's
    `increment` columns (revisions) go up by one."""
    if insert_only:
        return f"INSERT INTO {table} ({', '.join(columns)}) {select}"
    assignments = ", ".join(
        [f"{c} = excluded.{c}" for c in update] + [f"{c} = {table}.{c} + 1" for c in increment]
    )
    # SQLite needs a WHERE before ON CONFLICT in INSERT … SELECT to parse it; harmless in
    # PostgreSQL.
    return (
        f"INSERT INTO {table} ({', '.join(columns)}) {select} WHERE true "
        f"ON CONFLICT ({', '.join(conflict)}) DO UPDATE SET {assignments}"
    )


async def bulk_upsert(
    table: str,
    columns: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    conflict: Sequence[str],
    update: Sequence[str],
    insert_only: bool = False,
) -> None:
    """Insert or update many rows: staged (COPY / executemany), then merged in one
    `INSERT … SELECT … ON CONFLICT`. Must run inside `write_transaction()`.

    The stage takes the target columns' types. Table and column names come from the code.
    """
    stage = f"stage_{table}"
    shape = f"AS SELECT {', '.join(columns)} FROM {table} WHERE 1 = 0"  # noqa: S608
    await _stage(stage, shape, columns, rows)
    await run_in_transaction(
        upsert_from(
            table,
            columns,
            f"SELECT {', '.join(columns)} FROM {stage}",  # noqa: S608
            conflict=conflict,
            update=update,
            insert_only=insert_only,
        )
    )
    await drop_stage(stage)


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
    expected: object,
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
