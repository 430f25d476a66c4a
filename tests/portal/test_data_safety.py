"""Data safety (issue 13): `portal backup` / `portal restore` bring back every table as it
was; a wrong file is refused and changes nothing; a process killed in the middle of an
import leaves nothing half written; on PostgreSQL the migrations go back one step in every
app and forwards again with the data of the tables they keep unchanged.

Each runs the real command in a subprocess against the suite's database (SQLite or
PostgreSQL, as the run is)."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import signal
import sqlite3
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import DATABASE_URL, ON_POSTGRES
from tests.portal.test_cli import PORTAL


async def portal(*args: str, database_url: str = DATABASE_URL, **kwargs: Any):
    environment = {**os.environ, "DATABASE_URL": database_url, "PORTAL_ENV": "development"}
    return await asyncio.to_thread(
        subprocess.run,
        [*PORTAL, *args],
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
        **kwargs,
    )


async def snapshot() -> dict[str, list[tuple]]:
    """Every row of every table, in primary-key order."""
    from piccolo.conf.apps import Finder

    tables: dict[str, list[tuple]] = {}
    for table in Finder().get_table_classes():
        rows = await table.select().order_by(table._meta.primary_key)
        tables[table._meta.tablename] = [tuple(sorted(row.items())) for row in rows]
    return tables


async def load_demo() -> None:
    from portal.demo import load_demo_data

    await load_demo_data()


async def test_backup_then_restore_brings_back_every_table(tmp_path):
    from organisations.tables import StaffMember

    await load_demo()
    before = await snapshot()
    assert sum(len(rows) for rows in before.values()) > 150
    made = await portal("backup", str(tmp_path / "portal.backup"))
    assert made.returncode == 0, made.stderr
    assert "Backed up to" in made.stdout

    # Life goes on: records change, others are deleted.
    await StaffMember.update({StaffMember.last_name: "Changed"}).where(StaffMember.id > 0)
    from cycles.tables import EvaluationCycle

    await EvaluationCycle.delete(force=True)
    assert await snapshot() != before

    restored = await portal("restore", "--yes", str(tmp_path / "portal.backup"))
    assert restored.returncode == 0, restored.stderr
    assert await snapshot() == before


async def test_restore_refuses_a_file_that_is_no_backup_and_changes_nothing(tmp_path):
    await load_demo()
    before = await snapshot()
    junk = tmp_path / "junk.backup"
    junk.write_bytes(b"not a backup at all" * 100)
    refused = await portal("restore", "--yes", str(junk))
    assert refused.returncode == 1
    assert "is not a backup made by `portal backup`" in refused.stderr
    other_kind = tmp_path / "other.backup"
    if ON_POSTGRES:
        sqlite3.connect(other_kind).execute("CREATE TABLE t (x)").connection.commit()
        expected = "is a backup of a sqlite database; DATABASE_URL is a postgres database"
    else:
        other_kind.write_bytes(b"PGDMP" + b"\0" * 100)
        expected = "is a backup of a postgres database; DATABASE_URL is a sqlite database"
    wrong = await portal("restore", "--yes", str(other_kind))
    assert wrong.returncode == 1 and expected in wrong.stderr
    # Without --yes it asks, and no answer changes nothing.
    asked = await portal("restore", str(junk), input="n\n")
    assert asked.returncode == 1 and "Go on?" in asked.stdout
    assert await snapshot() == before


def write_big_qcheck_file(path: Path, consultants: list[str], rows: int) -> None:
    today = dt.date.today()
    with path.open("w") as out:
        out.write(
            "selection_reference,organisation_code,consultant_email,language_role,closed_on,"
            "checked_on,score\n"
        )
        for i in range(rows):
            checked = today - dt.timedelta(days=1 + i % 300)
            closed = checked - dt.timedelta(days=10)
            out.write(
                f"KILL-{i},BOSA,{consultants[i % len(consultants)]},NL,{closed},{checked},"
                f"{60 + i % 40}\n"
            )


def writing_now() -> bool:
    """Whether another process holds an open write transaction on the database."""
    if ON_POSTGRES:
        done = subprocess.run(
            [
                "psql", DATABASE_URL, "-Atc",
                "SELECT count(*) FROM pg_stat_activity WHERE backend_xid IS NOT NULL "
                "AND pid <> pg_backend_pid()",
            ],
            capture_output=True, text=True,
        )  # fmt: skip
        return done.stdout.strip() not in ("", "0")
    from core.database import sqlite_path

    connection = sqlite3.connect(sqlite_path(DATABASE_URL), timeout=0)
    try:
        connection.execute("BEGIN IMMEDIATE")
        connection.rollback()
        return False
    except sqlite3.OperationalError:
        return True
    finally:
        connection.close()


async def test_an_import_killed_in_the_middle_writes_nothing(tmp_path):
    from qchecks.tables import QCheck, SelectionFile

    await load_demo()
    consultants = [
        "evaluator@bosa.demo.portal.be",
        "lucie.dubois@bosa.demo.portal.be",
        "staff@bosa.demo.portal.be",
    ]
    big = tmp_path / "qchecks.csv"
    write_big_qcheck_file(big, consultants, 300_000)
    before = (await QCheck.count(), await SelectionFile.count())
    environment = {**os.environ, "DATABASE_URL": DATABASE_URL, "PORTAL_ENV": "development"}
    process = await asyncio.create_subprocess_exec(
        *PORTAL,
        "import",
        "qchecks",
        str(big),
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while not await asyncio.to_thread(writing_now):
        assert process.returncode is None, "the import ended before it was caught writing"
        assert time.monotonic() < deadline, "the import never started writing"
        await asyncio.sleep(0.05)
    await asyncio.sleep(0.5)  # well inside the transaction
    assert process.returncode is None, "the import finished before it could be killed"
    process.send_signal(signal.SIGKILL)
    assert await asyncio.wait_for(process.wait(), 30) == -signal.SIGKILL
    # Nothing of the import is there, and the database takes the next writer.
    for _ in range(300):  # PostgreSQL ends the killed client's backend within moments
        if not await asyncio.to_thread(writing_now):
            break
        await asyncio.sleep(0.1)
    assert (await QCheck.count(), await SelectionFile.count()) == before
    small = tmp_path / "small.csv"
    write_big_qcheck_file(small, consultants, 5)
    again = await portal("import", "qchecks", str(small))
    assert again.returncode == 0, again.stderr
    assert await QCheck.count() == before[0] + 5


def _columns_of(rows: list[dict]) -> list[str] | None:
    """The columns of a table's rows (None for an empty table: every column counts)."""
    return list(rows[0]) if rows else None


def _shown(rows: list[dict], columns: list[str] | None) -> list[str]:
    """The rows on `columns` (all of them with None), comparable: sorted reprs."""
    return sorted(repr(tuple(row[c] for c in (columns or list(row)))) for row in rows)


@pytest.mark.skipif(not ON_POSTGRES, reason="Piccolo migrates backwards on PostgreSQL only")
async def test_migrations_go_back_and_forth_keeping_the_data(tmp_path):
    """In a database of its own: head with the demo data; every app one migration back,
    then forwards again; every table that was kept has the same rows, and the schema is the
    same as before."""
    import asyncpg

    from core.database import postgres_config

    base = DATABASE_URL.replace("postgresql://", "postgres://", 1)
    name = f"{postgres_config(DATABASE_URL)['database']}_migrations"
    url = DATABASE_URL.rsplit("/", 1)[0] + "/" + name
    admin = await asyncpg.connect(base)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()

    async def read(query: str) -> list:
        connection = await asyncpg.connect(url.replace("postgresql://", "postgres://", 1))
        try:
            return [tuple(row) for row in await connection.fetch(query)]
        finally:
            await connection.close()

    schema_query = (
        "SELECT table_name, column_name, data_type, is_nullable, column_default "
        "FROM information_schema.columns WHERE table_schema = 'public' ORDER BY 1, 2"
    )
    index_query = (
        "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY 1"
    )

    async def tables() -> dict[str, list[dict]]:
        names = [row[0] for row in await read(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'migration'"
        )]  # fmt: skip
        connection = await asyncpg.connect(url.replace("postgresql://", "postgres://", 1))
        try:
            query = 'SELECT * FROM "{}"'  # names read from pg_tables
            return {t: [dict(r) for r in await connection.fetch(query.format(t))] for t in names}
        finally:
            await connection.close()

    try:
        assert (await portal("demo-data", database_url=url)).returncode == 0
        schema, indexes, data = await read(schema_query), await read(index_query), await tables()
        assert len(data["staff_member"]) > 10 and len(data["evaluation_cycle"]) > 50
        for app in ("cycles", "qchecks", "certification", "competencies", "accounts",
                    "organisations", "core"):  # fmt: skip
            back = await asyncio.to_thread(
                subprocess.run,
                [str(Path(PORTAL[0]).parent / "piccolo"), "migrations", "backwards", app,
                 "--migration_id=1", "--auto_agree"],
                env={**os.environ, "DATABASE_URL": url}, capture_output=True, text=True,
            )  # fmt: skip
            assert back.returncode == 0 and "ok!" in back.stdout, (app, back.stdout, back.stderr)
        # The data of the columns a step back keeps must come back; a column it drops
        # (the Q-checks' `revision`, say) comes back with its default, not its values.
        kept = {table: _columns_of(rows) for table, rows in (await tables()).items()}
        forwards = await portal("migrate", database_url=url)
        assert forwards.returncode == 0, forwards.stderr
        assert await read(schema_query) == schema
        assert await read(index_query) == indexes
        after = await tables()
        for table, columns in kept.items():
            now, before = _shown(after[table], columns), _shown(data[table], columns)
            if table == "portal_audit":  # `portal migrate` records what it loaded again
                assert set(before) <= set(now)
            elif table == "competency_indicator":  # loaded again: same texts, new ids
                assert sorted(r.split(", ", 1)[1] for r in now) == sorted(
                    r.split(", ", 1)[1] for r in before
                )
            else:
                assert now == before, table
    finally:
        admin = await asyncpg.connect(base)
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()
