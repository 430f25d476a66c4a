"""SQLite in the web app reuses a few open connections: the same answers, writes by other
connections (another worker, the CLI) seen at once, a failed statement not left behind."""

from __future__ import annotations

import sqlite3

import pytest

from core.database import ReusingSQLiteEngine, current_engine, is_sqlite, sqlite_path
from core.tables import DataVersion
from tests.conftest import DATABASE_URL

pytestmark = pytest.mark.skipif(not DATABASE_URL.startswith("sqlite"), reason="SQLite only")


async def test_reused_connections_see_other_writers_and_survive_errors():
    assert is_sqlite()
    engine = current_engine()
    assert isinstance(engine, ReusingSQLiteEngine)
    await engine.start_connection_pool()
    try:
        await DataVersion.insert(DataVersion(name="probe", token="a"))
        assert len(engine.pool or []) == 1  # the connection went back to the pool
        # Another process writes through its own connection (a worker, `portal import`).
        other = sqlite3.connect(sqlite_path(DATABASE_URL))
        other.execute("UPDATE data_version SET token = 'b' WHERE name = 'probe'")
        other.commit()
        other.close()
        rows = await DataVersion.select(DataVersion.token).where(DataVersion.name == "probe")
        assert rows == [{"token": "b"}]
        with pytest.raises(Exception, match="UNIQUE"):
            await DataVersion.insert(DataVersion(name="probe", token="c"))
        # The failed statement's connection was closed, not returned half-way.
        await DataVersion.update({DataVersion.token: "d"}).where(DataVersion.name == "probe")
        assert await DataVersion.select(DataVersion.token).where(DataVersion.name == "probe") == [
            {"token": "d"}
        ]
    finally:
        await engine.close_connection_pool()
    assert engine.pool is None
