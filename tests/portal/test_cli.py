"""The `portal` command as a user runs it: a real process against a real database file."""

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

PORTAL = [sys.executable, "-m", "portal"]


def run_portal(*args: str, database: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{database}",
        "PORTAL_ENV": "development",
        **env,
    }
    return subprocess.run(
        [*PORTAL, *args], env=environment, capture_output=True, text=True, timeout=120, check=False
    )


def test_migrate_creates_the_sqlite_file_and_every_table(tmp_path):
    database = tmp_path / "new" / "portal.sqlite"
    result = run_portal("migrate", database=database)
    assert result.returncode == 0, result.stderr
    assert database.exists()
    tables = {
        row[0]
        for row in sqlite3.connect(database).execute(
            "SELECT name FROM sqlite_master WHERE type='table'"
        )
    }
    assert {"organisation", "portal_user", "portal_audit", "portal_store"} <= tables
    # A second run has nothing left to do and succeeds.
    assert run_portal("migrate", database=database).returncode == 0
    # No demo data: migrate alone leaves no organisations or users.
    connection = sqlite3.connect(database)
    assert connection.execute("SELECT count(*) FROM portal_user").fetchone() == (0,)
    assert connection.execute("SELECT count(*) FROM organisation").fetchone() == (0,)


def test_demo_data_is_idempotent_and_prints_the_logins(tmp_path):
    database = tmp_path / "portal.sqlite"
    assert run_portal("migrate", database=database).returncode == 0
    first = run_portal("demo-data", database=database)
    assert first.returncode == 0, first.stderr
    assert "dgro@demo.portal.be" in first.stdout and "password:" in first.stdout
    second = run_portal("demo-data", database=database)
    assert second.returncode == 0
    connection = sqlite3.connect(database)
    assert connection.execute("SELECT count(*) FROM portal_user").fetchone() == (8,)
    assert connection.execute("SELECT count(*) FROM organisation").fetchone() == (4,)


def test_demo_data_is_refused_in_production(tmp_path):
    database = tmp_path / "portal.sqlite"
    result = run_portal(
        "demo-data",
        database=database,
        PORTAL_ENV="production",
        SECRET_KEY="dY2LXbLMWFBwuVzSfn9bX1D8QEIpyksHqHe3LFCYe4fnBqs5",
        ALLOWED_HOSTS="portal.example.be",
        PUBLIC_URL="https://portal.example.be",
    )
    assert result.returncode != 0
    assert "refused in production" in result.stderr


def test_production_without_secret_stops_with_one_line(tmp_path):
    result = run_portal(
        "migrate", database=tmp_path / "x.sqlite", PORTAL_ENV="production", SECRET_KEY=""
    )
    assert result.returncode != 0
    assert "SECRET_KEY is required in production." in result.stderr
    assert "Traceback" not in result.stderr


def test_create_user_validates_and_audits(tmp_path):
    database = tmp_path / "portal.sqlite"
    assert run_portal("migrate", database=database).returncode == 0
    bad = run_portal(
        "create-user",
        "hr@example.be",
        "--name",
        "H R",
        "--role",
        "hr",
        "--password",
        "long-enough-pw",
        database=database,
    )
    assert bad.returncode != 0
    assert "needs an organisation" in bad.stderr
    good = run_portal(
        "create-user",
        "Boss@Example.be",
        "--name",
        "The Boss",
        "--role",
        "dgro",
        "--password",
        "long-enough-pw",
        database=database,
    )
    assert good.returncode == 0, good.stderr
    connection = sqlite3.connect(database)
    assert connection.execute("SELECT email, roles FROM portal_user").fetchall() == [
        ("boss@example.be", "dgro")
    ]
    assert connection.execute(
        "SELECT actor_roles, action FROM portal_audit WHERE record_key = 'boss@example.be'"
    ).fetchall() == [("cli", "user_saved")]


def test_create_user_refuses_a_weak_password_with_the_reason(tmp_path):
    database = tmp_path / "portal.sqlite"
    assert run_portal("migrate", database=database).returncode == 0
    for password, reason in (
        ("password12", "too common or appears in lists of leaked passwords"),
        ("1234567890", "too common"),
        ("boss@example.be", "may not be your e-mail address"),
        ("short", "at least 10 characters"),
    ):
        result = run_portal(
            "create-user",
            "boss@example.be",
            "--name",
            "The Boss",
            "--role",
            "dgro",
            "--password",
            password,
            database=database,
        )
        assert result.returncode != 0
        assert reason in result.stderr and "Traceback" not in result.stderr
    connection = sqlite3.connect(database)
    assert connection.execute("SELECT count(*) FROM portal_user").fetchone() == (0,)
