"""Test set-up: a real database (SQLite by default, PostgreSQL when DATABASE_URL says so).

The environment is fixed before any portal module is imported, because piccolo_conf
reads DATABASE_URL once.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

_TMP = Path(tempfile.mkdtemp(prefix="portal-tests-"))
os.environ.setdefault("DATABASE_URL", f"sqlite:///{_TMP}/portal.sqlite")
os.environ["PORTAL_ENV"] = "development"
os.environ.pop("SECRET_KEY", None)

from litestar import Litestar  # noqa: E402

from core.settings import Settings, get_settings, load_settings  # noqa: E402
from portal.hooks import install as install_hooks  # noqa: E402

# The areas as the shell assembles them (the app and the `portal` command do the same), for
# the tests that call a service or an import without the app.
install_hooks()

DATABASE_URL = os.environ["DATABASE_URL"]
ON_POSTGRES = DATABASE_URL.startswith(("postgresql://", "postgres://"))


def pytest_report_header(config: pytest.Config) -> str:
    return f"portal database: {'PostgreSQL' if ON_POSTGRES else 'SQLite'} ({DATABASE_URL})"


async def _reset_postgres() -> None:
    import asyncpg

    from core.database import postgres_config

    name = str(postgres_config(DATABASE_URL)["database"])
    if "test" not in name:
        raise RuntimeError(f"Refusing to wipe database {name!r}: its name does not contain 'test'.")
    connection = await asyncpg.connect(DATABASE_URL.replace("postgresql://", "postgres://", 1))
    try:
        await connection.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    finally:
        await connection.close()


@pytest.fixture(scope="session", autouse=True)
async def migrated_database() -> AsyncIterator[None]:
    """Every app's migrations, applied once to an empty database: the `portal migrate` path."""
    from core.database import current_engine
    from portal.cli import migrate_database

    if ON_POSTGRES:
        await _reset_postgres()
    await migrate_database()
    if ON_POSTGRES:
        # Opened on the tests' event loop, where the test client runs requests.
        await current_engine().start_connection_pool()  # type: ignore[attr-defined]
    yield
    if ON_POSTGRES:
        await current_engine().close_connection_pool()  # type: ignore[attr-defined]


def _all_tables():
    from piccolo.conf.apps import Finder
    from piccolo.table import sort_table_classes

    return sort_table_classes(Finder().get_table_classes())


@pytest.fixture(autouse=True)
async def empty_tables(migrated_database: None) -> AsyncIterator[None]:
    """Each test starts from the migrated, empty database."""
    from certification.reference_data import seed_reference_data
    from qchecks.reference_data import seed_criteria

    for table in reversed(_all_tables()):
        await table.delete(force=True)
    await seed_reference_data()
    await seed_criteria()
    yield


@dataclass(frozen=True)
class TestUser:
    email: str
    password: str
    roles: str
    organisation: str | None


# Hashing with argon2 is deliberately slow: hash each demo password once per run.
_HASHES: dict[str, str] = {}


@pytest.fixture
async def users() -> dict[str, TestUser]:
    """The demo organisations and one user per role, keyed by a short name."""
    from accounts.service import hash_password
    from accounts.tables import User
    from organisations.tables import Organisation
    from portal.demo import DEMO_ORGANISATIONS, DEMO_USERS

    await Organisation.insert(
        *[
            Organisation(code=code, name_nl=nl, name_fr=fr, language_roles=roles)
            for code, nl, fr, roles in DEMO_ORGANISATIONS
        ]
    )
    codes = {row["code"]: row["id"] for row in await Organisation.select()}
    result: dict[str, TestUser] = {}
    rows = []
    for demo in DEMO_USERS:
        if demo.password not in _HASHES:
            _HASHES[demo.password] = hash_password(demo.password)
        rows.append(
            User(
                email=demo.email,
                full_name=demo.full_name,
                password_hash=_HASHES[demo.password],
                roles=demo.roles,
                organisation=codes.get(demo.organisation) if demo.organisation else None,
            )
        )
        key = re.sub(r"@.*", "", demo.email) + (
            f"_{demo.organisation.lower()}" if demo.organisation else ""
        )
        result[key] = TestUser(demo.email, demo.password, demo.roles, demo.organisation)
    await User.insert(*rows)
    # Short names: dgro, partner_bosa, hr_bosa, evaluator_bosa, staff_bosa, partner_fin
    return result


def make_settings(**environ: str) -> Settings:
    base = {"PORTAL_ENV": "development", "DATABASE_URL": DATABASE_URL}
    return load_settings({**base, **environ})


@pytest.fixture
def app() -> Litestar:
    from portal.app import create_app

    return create_app(get_settings())


class PortalClient(httpx.AsyncClient):
    """HTTP straight into the app on the tests' own event loop (one loop, one DB pool).

    Litestar's PortalClient runs the app in a thread of its own, where a PostgreSQL
    pool opened by the tests cannot be used. Redirects are shown, not followed.
    """

    def __init__(self, app: Litestar, base_url: str = "http://testserver.local") -> None:
        super().__init__(
            transport=httpx.ASGITransport(app=app), base_url=base_url, follow_redirects=False
        )
        self.app = app


def new_client(app: Litestar, base_url: str = "http://testserver.local") -> PortalClient:
    return PortalClient(app, base_url=base_url)


@pytest.fixture
async def client(app: Litestar) -> AsyncIterator[PortalClient]:
    async with new_client(app) as test_client:
        yield test_client


CSRF_FIELD = re.compile(r'name="_csrf_token" value="([^"]+)"')


async def csrf_token(client: PortalClient, path: str = "/login") -> str:
    """The token a real form on `path` carries."""
    response = await client.get(path)
    match = CSRF_FIELD.search(response.text)
    assert match, f"no CSRF field on {path}"
    return match.group(1)


async def login(client: PortalClient, user: TestUser, *, next_path: str = "/"):
    token = await csrf_token(client)
    return await client.post(
        "/login",
        data={
            "email": user.email,
            "password": user.password,
            "next": next_path,
            "_csrf_token": token,
        },
    )


@pytest.fixture
def queries(monkeypatch) -> list[tuple[str, list]]:
    """Every query the engine runs during the test, raw or built, with the rows it returned:
    they all go through the engine's `run_querystring`. (The bulk statements of an import go
    straight to the transaction's connection: a fixed few per import, not counted here.)"""
    from core.database import current_engine

    engine_class = type(current_engine())
    real_run = engine_class.run_querystring
    seen: list[tuple[str, list]] = []

    async def counting_run(self, querystring, *args, **kwargs):
        result = await real_run(self, querystring, *args, **kwargs)
        seen.append((str(querystring), list(result or [])))
        return result

    monkeypatch.setattr(engine_class, "run_querystring", counting_run)
    return seen


def shown(day, language: str = "en") -> str:
    """A date as a page in `language` shows it ("23 Nov 2026"): core.i18n.format_day."""
    from core.i18n import format_day, set_language

    set_language(language)
    return format_day(day)


async def link_staff_records() -> int:
    """What DG R&O or HR does on each account's page (issue 18): link every account that
    has no staff record to the unheld record with its e-mail in its organisation. Tests
    that build staff after the `users` fixture call it once their records exist. The
    number linked."""
    from accounts.tables import User

    rows = await User.raw(
        "UPDATE portal_user SET staff_member = (SELECT s.id FROM staff_member s "
        "WHERE s.email = portal_user.email AND s.organisation = portal_user.organisation) "
        "WHERE staff_member IS NULL AND EXISTS (SELECT 1 FROM staff_member s "
        "WHERE s.email = portal_user.email AND s.organisation = portal_user.organisation) "
        "RETURNING id"
    )
    return len(rows)
