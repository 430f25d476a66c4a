"""The yearly review (SPEC 5.3) and the granted level's history: open freezes, decide
checks each decision, close applies them from 1 January Y+1, a closed review never
changes; and the organisations import's `client_certified_since` as the initial load."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from pypdf import PdfReader

from certification.eligibility import eligibility_for_all
from certification.review.service import close_review, decide, open_review, review_status
from certification.tables import LevelChange
from core.audit import Actor
from core.errors import Refused
from core.i18n import set_language
from core.tables import Notice, OutboxMessage
from portal.imports import ImportScope, import_file
from qchecks.tables import ClosedYear
from tests.helpers import load
from tests.portal.test_cli import run_portal

DGRO = Actor(email="dgro@demo.portal.be", roles="dgro")
YEAR = 2025
ORGS = """code,name_nl,name_fr,language_roles,pro_partner_email,client_certified_since
AAA,Org A,Org A,NL,partner@aaa.be,2020-01-01
BBB,Org B,Org B,NL,partner@bbb.be,
CCC,Org C,Org C,NL,,2021-06-01
"""
STAFF = (
    "organisation_code,email,first_name,last_name,language_role,start_date,end_date\n"
    + "".join(f"BBB,b{i}@bbb.be,B{i},Staff,NL,2019-01-01,\n" for i in range(4))
)
CERTIFICATES = (
    "email,track,obtained_on,status,valid_until\n"
    "b0@bbb.be,AZ,2020-01-01,valid,\n"
    "b1@bbb.be,SELTEST,2020-01-01,valid,\n"
    "b2@bbb.be,ASSESS,2020-01-01,valid,\n"
    "b3@bbb.be,INTERVIEW,2020-01-01,valid,\n"
)
QCHECKS = (
    "selection_reference,organisation_code,consultant_email,language_role,closed_on,checked_on,score\n"
    "R-1,BBB,b0@bbb.be,NL,2025-03-01,2025-03-10,90\n"
)


async def data() -> None:
    set_language("en")
    for kind, text in (
        ("organisations", ORGS),
        ("staff", STAFF),
        ("certificates", CERTIFICATES),
        ("qchecks", QCHECKS),
    ):
        await load(kind, text)


async def granted(code: str, day: dt.date) -> str:
    [result] = await eligibility_for_all(day, code)
    return str(result.granted)


async def test_the_import_loads_client_certification_granted_before_the_portal():
    await data()
    assert await granted("AAA", dt.date(2019, 12, 31)) == "none"
    assert await granted("AAA", dt.date(2020, 1, 1)) == "client"
    assert await granted("BBB", dt.date(2025, 12, 31)) == "individual"
    # Without the column the initial load stays as it was; empty clears it.
    without = "\n".join(line.rsplit(",", 1)[0] for line in ORGS.splitlines()) + "\n"
    await load("organisations", without)
    assert await granted("AAA", dt.date(2024, 1, 1)) == "client"
    future = ORGS.replace("2020-01-01", (dt.date.today() + dt.timedelta(days=2)).isoformat())
    result = await import_file("organisations", "o.csv", future.encode(), ImportScope())
    assert [i.format("o.csv") for i in result.issues] == [
        f"o.csv:2: client_certified_since {dt.date.today() + dt.timedelta(days=2)} lies in the future"
    ]


async def test_a_review_from_opening_to_closing():
    await data()
    assert await open_review(DGRO, YEAR) == 3
    status = await review_status(YEAR)
    assert status is not None and status["state"] == "open" and status["as_of"] == "2025-12-31"
    rows = {row["organisation"]: row for row in status["organisations"]}
    assert [row["organisation"] for row in status["organisations"]] == ["AAA", "BBB", "CCC"]
    # AAA and CCC: client granted, not eligible (no staff); BBB: eligible, not granted.
    assert (rows["AAA"]["flag"], rows["BBB"]["flag"], rows["CCC"]["flag"]) == (
        "withdraw",
        "grant",
        "withdraw",
    )
    assert (
        rows["BBB"]["eligible_level"] == "client" and rows["BBB"]["granted_level"] == "individual"
    )
    assert {c["code"] for c in rows["AAA"]["conditions"]} >= {"certified_staff", "qcheck_average"}

    with pytest.raises(Refused, match="opened already"):
        await open_review(DGRO, YEAR)
    with pytest.raises(Refused, match="Grant only where"):
        await decide(DGRO, YEAR, "AAA", "grant", "no")
    with pytest.raises(Refused, match="Confirm or withdraw only where"):
        await decide(DGRO, YEAR, "BBB", "withdraw", "no")
    with pytest.raises(Refused, match="reason"):
        await decide(DGRO, YEAR, "AAA", "withdraw", "  ")
    with pytest.raises(Refused, match="one of"):
        await decide(DGRO, YEAR, "AAA", "maybe", "x")
    with pytest.raises(Refused, match="no organisation ZZZ"):
        await decide(DGRO, YEAR, "ZZZ", "confirm", "x")

    await decide(DGRO, YEAR, "AAA", "confirm", "first thought")
    await decide(DGRO, YEAR, "AAA", "withdraw", "no certified staff left")  # replaces it
    await decide(DGRO, YEAR, "BBB", "grant", "all conditions met")
    with pytest.raises(Refused, match="CCC"):
        await close_review(DGRO, YEAR)  # CCC is flagged and undecided
    await decide(DGRO, YEAR, "CCC", "confirm", "staff recruited in January")
    assert await close_review(DGRO, YEAR) == ["AAA", "BBB"]

    closed = await review_status(YEAR)
    assert closed is not None and closed["state"] == "closed"
    assert {r["organisation"]: r["decision"] for r in closed["organisations"]} == {
        "AAA": "withdraw",
        "BBB": "grant",
        "CCC": "confirm",
    }
    # Withdrawn: client to 31 December; granted: client from 1 January.
    assert await granted("AAA", dt.date(2025, 12, 31)) == "client"
    assert await granted("AAA", dt.date(2026, 1, 1)) == "none"
    assert await granted("BBB", dt.date(2025, 12, 31)) == "individual"
    assert await granted("BBB", dt.date(2026, 1, 1)) == "client"
    assert await granted("CCC", dt.date(2026, 1, 1)) == "client"
    changes = await LevelChange.select().order_by(LevelChange.id)
    assert [(c["to_level"], c["effective_on"], c["reason"]) for c in changes] == [
        ("none", dt.date(2026, 1, 1), "review"),
        ("client", dt.date(2026, 1, 1), "review"),
    ]
    assert await ClosedYear.count().where(ClosedYear.year == YEAR) == 1
    # Each decided organisation's PRO Partner is told, in the portal and by mail (CCC
    # has no PRO Partner address: a notice, no mail).
    told = await Notice.select(Notice.organisation_code).where(Notice.kind == "review_decided")
    assert sorted(n["organisation_code"] for n in told) == ["AAA", "BBB", "CCC"]
    mails = await OutboxMessage.select(OutboxMessage.recipient, OutboxMessage.body)
    assert sorted(m["recipient"] for m in mails) == ["partner@aaa.be", "partner@bbb.be"]
    assert any("trekt de klantcertificering van AAA in" in m["body"] for m in mails)
    for call in (
        lambda: open_review(DGRO, YEAR),
        lambda: decide(DGRO, YEAR, "CCC", "withdraw", "x"),
        lambda: close_review(DGRO, YEAR),
    ):
        with pytest.raises(Refused):
            await call()
    assert await review_status(YEAR) == closed


def test_the_review_command_line(tmp_path):
    database = tmp_path / "portal.sqlite"
    assert run_portal("migrate", database=database).returncode == 0
    for kind, text in (
        ("organisations", ORGS),
        ("staff", STAFF),
        ("certificates", CERTIFICATES),
        ("qchecks", QCHECKS),
    ):
        path = tmp_path / f"{kind}.csv"
        path.write_text(text)
        assert run_portal("import", kind, str(path), database=database).returncode == 0
    assert run_portal("review", "status", "--year", "2025", database=database).returncode != 0
    early = run_portal(
        "review", "letters", "--year", "2025", "--out", str(tmp_path), database=database
    )
    assert early.returncode != 0
    opened = run_portal("review", "open", "--year", "2025", database=database)
    assert opened.returncode == 0, opened.stderr
    again = run_portal("review", "open", "--year", "2025", database=database)
    assert again.returncode != 0 and "opened already" in again.stderr
    status = run_portal("review", "status", "--year", "2025", "--format", "json", database=database)
    payload = json.loads(status.stdout)
    assert payload["year"] == 2025 and payload["state"] == "open"
    assert payload["policy_effective_from"] == "2000-01-01"
    assert [o["flag"] for o in payload["organisations"]] == ["withdraw", "grant", "withdraw"]
    bad = run_portal(
        "review",
        "decide",
        "--year",
        "2025",
        "--organisation",
        "BBB",
        "--decision",
        "confirm",
        "--reason",
        "x",
        database=database,
    )
    assert bad.returncode != 0 and "Confirm or withdraw only where" in bad.stderr
    refused = run_portal("review", "close", "--year", "2025", database=database)
    assert refused.returncode != 0 and "AAA, BBB, CCC" in refused.stderr
    for code, decision in (("AAA", "withdraw"), ("BBB", "grant"), ("CCC", "confirm")):
        decided = run_portal(
            "review",
            "decide",
            "--year",
            "2025",
            "--organisation",
            code,
            "--decision",
            decision,
            "--reason",
            "because",
            database=database,
        )
        assert decided.returncode == 0, decided.stderr
    closed = run_portal("review", "close", "--year", "2025", database=database)
    assert closed.returncode == 0, closed.stderr
    final = json.loads(
        run_portal(
            "review", "status", "--year", "2025", "--format", "json", database=database
        ).stdout
    )
    assert final["state"] == "closed"
    assert run_portal("review", "close", "--year", "2025", database=database).returncode != 0
    # The letters: one PDF per decided organisation, in its language, naming the
    # organisation, the year, the decision and the reason.
    folder = tmp_path / "letters"
    letters = run_portal(
        "review",
        "letters",
        "--year",
        "2025",
        "--out",
        str(folder),
        database=database,
        LETTER_SIGNATORY_NAME="Ann Peeters",
        LETTER_SIGNATORY_TITLE_NL="Directeur-generaal a.i.",
    )
    assert letters.returncode == 0, letters.stderr
    assert sorted(p.name for p in folder.iterdir()) == ["AAA.pdf", "BBB.pdf", "CCC.pdf"]
    text = " ".join(page.extract_text() for page in PdfReader(folder / "AAA.pdf").pages)
    text = " ".join(text.split())
    assert "Org A" in text and "2025" in text and "because" in text
    assert "ingetrokken" in text  # AAA's only language role is NL: the letter is Dutch
    # Levels in the letter's words, never the codes; its reference, addressee, signatory.
    assert "Toegekend niveau op 31 december 2025 klantcertificering" in text
    assert "geen certificering" in text
    assert not re.search(r"\b(client|none|individual)\b", text)
    assert "DGRO/REV/2025/AAA" in text and "partner@aaa.be" in text
    assert "Ann Peeters Directeur-generaal a.i." in text
    eligibility = json.loads(
        run_portal(
            "eligibility", "--as-of", "2026-01-01", "--format", "json", database=database
        ).stdout
    )
    assert {row["organisation"]: row["granted_level"] for row in eligibility} == {
        "AAA": "none",
        "BBB": "client",
        "CCC": "client",
    }
