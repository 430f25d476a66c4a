"""People read words, not internals (issue 12): condition codes, audit action codes, the
seeded policy's note and the command that registered a record are labels in the reader's
language on the pages; dates are in the reader's format; the codes stay in exports and
the API."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from portal.demo import load_demo_data
from tests.conftest import TestUser as Account
from tests.conftest import login, new_client

# Internals a page must never show as text (attributes such as id="condition-…" may).
CONDITION_CODES = (
    "az_certified",
    "pro_partner:",
    "certified_staff",
    "az_per_language",
    "seltest_per_language",
    "qcheck_average",
)
AUDIT_CODES = ("user_saved", "import_organisations", "import_qchecks", "login", "logout")
INTERNALS = ("(seeded)", "SPEC 2.2", "demo-data", "cli:")

DGRO_PAGES = (
    "/organisations",
    "/organisations/BOSA",
    "/organisations/MOBILIT",
    "/organisations/BOSA/staff",
    "/certificates/queue",
    "/policy",
    "/audit",
    "/qchecks",
    "/qchecks/ranking",
    "/organisations/BOSA/qchecks/analytics",
    "/reviews",
    "/tracks",
)


def visible_text(html: str) -> str:
    """The words a reader sees: tags (and so attribute values) removed."""
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


@pytest.fixture
async def demo() -> dict[str, Account]:
    users = await load_demo_data()
    return {
        user.email.split("@")[0]
        + ("_" + user.organisation.lower() if user.organisation else ""): Account(
            user.email, user.password, user.roles, user.organisation
        )
        for user in users
    }


async def _pages(app, user: Account, paths, language: str) -> dict[str, str]:
    async with new_client(app) as client:
        await login(client, user)
        client.cookies.set("portal_lang", language)
        pages = {}
        for path in paths:
            response = await client.get(path)
            assert response.status_code == 200, (path, response.status_code)
            pages[path] = visible_text(response.text)
        return pages


@pytest.mark.parametrize("language", ["nl", "fr", "de", "en"])
async def test_dgro_pages_show_words_not_codes(app, demo, language):
    # A few audited actions of a real user, so the log holds more than the imports.
    async with new_client(app) as client:
        await login(client, demo["dgro"])
        await client.post("/logout", data={"_csrf_token": client.cookies.get("csrftoken", "")})
    pages = await _pages(app, demo["dgro"], DGRO_PAGES, language)
    for path, text in pages.items():
        for code in (*CONDITION_CODES, *INTERNALS):
            assert code not in text, f"{path} shows {code!r} in {language}"
    audit = pages["/audit"]
    for code in AUDIT_CODES:
        assert not re.search(rf"\b{code}\b", audit), f"/audit shows the action code {code}"
    expected = {
        "nl": ("Import van organisaties", "Aanmelding"),
        "fr": ("Import des organisations", "Connexion"),
        "de": ("Import von Organisationen", "Anmeldung"),
        "en": ("Import of organisations", "Login"),
    }[language]
    for label in expected:
        assert label in audit, f"/audit lacks {label!r} in {language}"
    # The seeded policy says what it is in words; the demo data's records say who.
    seeded = {
        "nl": "standaarddrempels",
        "fr": "seuils par défaut",
        "de": "standardschwellenwerte",
        "en": "default thresholds",
    }[language]
    assert seeded in pages["/policy"].lower()


async def test_dates_are_in_the_readers_format(app, demo):
    today = dt.date.today()
    iso = today.isoformat()
    months = {
        "nl": ["jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec"],
        "fr": [
            "janv.",
            "févr.",
            "mars",
            "avr.",
            "mai",
            "juin",
            "juil.",
            "août",
            "sept.",
            "oct.",
            "nov.",
            "déc.",
        ],
        "en": ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sept", "Oct", "Nov", "Dec"],
    }
    for language, names in months.items():
        pages = await _pages(app, demo["dgro"], ["/policy", "/organisations"], language)
        written = f"{today.day} {names[today.month - 1]} {today.year}"
        for path, text in pages.items():
            assert written in text, f"{path} in {language} lacks {written!r}"
            assert iso not in text, f"{path} in {language} shows {iso} as text"


async def test_the_api_and_downloads_keep_the_codes(app, demo):
    async with new_client(app) as client:
        await login(client, demo["dgro"])
        api = (await client.get("/api/v1/organisations/BOSA/eligibility")).json()
        codes = {condition["code"] for condition in api["conditions"]}
        assert "az_certified" in codes
        download = await client.get("/eligibility.csv")
        assert download.status_code == 200
        assert "az_certified" in download.text or "individual" in download.text
