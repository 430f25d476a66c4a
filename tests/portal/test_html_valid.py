"""Valid HTML (issue 20): the W3C Nu HTML Checker (`vnu.jar`, from the npm registry, on the
machine's Java) reads every page of the route matrix as each identity the matrix lets in
sees it, in English and Dutch, and the form pages as a refusal shows them again: 0 errors.

The pages are the matrix's GET rows with its records (the demo data and one record of each
kind), so a new route is checked as soon as it has its row; the refusals are its POST rows
with an empty form. One run of the checker reads every document (a JVM start is seconds)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from core.i18n import LANGUAGE_COOKIE
from tests.conftest import CSRF_FIELD, login, new_client
from tests.portal.test_route_matrix import (
    ANON,
    EXPECTED,
    NOT_TRIED,
    USERS,
    records,
    route_rows,
)

VNU = (
    Path(__file__).resolve().parents[2] / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
)
# Pages outside the matrix that each identity meets.
EXTRA_PAGES = {ANON: ["/login", "/password/forgot", "/no-such-page"]}
# The identities whose view of a page is read: every one the matrix lets in.
LANGUAGES = ("en", "nl")

pytestmark = [
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),
    # CI installs Java (.ci/run); elsewhere a machine without it skips, and says so.
    pytest.mark.skipif(
        shutil.which("java") is None and os.environ.get("CI") != "true",
        reason="the Nu HTML Checker needs Java (apt-get install default-jre-headless)",
    ),
]


def fill(template: str, values: dict) -> str:
    if template.startswith("/tracks/"):
        template = template.replace("{code}", "{track}")
    return re.sub(r"\{(\w+)\}", lambda m: str(values[m.group(1)]), template)


def is_document(response) -> bool:
    return response.headers.get("content-type", "").startswith("text/html") and (
        response.text.lstrip().lower().startswith("<!doctype html>")
    )


def check(folder: Path) -> list[dict]:
    """The Nu checker's errors over every .html file in `folder`."""
    run = subprocess.run(
        ["java", "-Xss4m", "-jar", str(VNU), "--errors-only", "--format", "json", "--skip-non-html",
         str(folder)],
        capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    return json.loads(run.stderr or '{"messages": []}')["messages"]


async def test_every_page_is_valid_html(app, users, tmp_path):
    assert VNU.is_file(), "npm ci installs vnu-jar"
    values = await records(users)
    rows = [row for row in route_rows(app) if not NOT_TRIED.match(row)]
    clients = []
    for identity in [ANON, *USERS]:
        client = new_client(app)
        if identity != ANON:
            assert (await login(client, users[USERS[identity]])).status_code == 303
        token_page = await client.get("/login" if identity == ANON else "/accessibility")
        match = CSRF_FIELD.search(token_page.text)
        assert match, identity
        clients.append((identity, client, match.group(1)))
    written = 0
    # Reads first, then the refusals of an empty form (as the route matrix does).
    for method, language in [(m, lang) for m in ("GET", "POST") for lang in LANGUAGES]:
        for identity, client, token in clients:
            client.cookies.set(LANGUAGE_COOKIE, language)
            paths = [fill(row.split(" ", 1)[1], values) for row in rows
                     if row.startswith(method) and identity in EXPECTED[row]]  # fmt: skip
            if method == "GET":
                paths += EXTRA_PAGES.get(identity, [])
            for path in paths:
                if method == "GET":
                    response = await client.get(path)
                else:
                    response = await client.post(
                        path, data={"_csrf_token": token}, headers={"x-csrftoken": token}
                    )
                if is_document(response):
                    name = f"{identity}-{language}-{method}{path}".replace("/", "_")
                    (tmp_path / f"{name[:180]}.html").write_text(response.text)
                    written += 1
    for _identity, client, _token in clients:
        await client.aclose()
    assert written > 150, written
    errors = check(tmp_path)
    lines = sorted(
        f"{Path(e.get('url', '')).name}:{e.get('lastLine', '?')}: {e.get('message', '')}"
        for e in errors
    )
    print(f"{written} documents checked, {len(lines)} errors")
    assert lines == [], "\n".join(lines[:80]) + f"\n… {len(lines)} errors in all"
