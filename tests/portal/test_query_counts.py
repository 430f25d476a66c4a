"""No query per row: every page and every import asks the database the same number of
times whether it shows or writes a few records or many."""

from __future__ import annotations

import datetime as dt

from core.audit import Actor
from cycles.service import generate
from organisations.tables import StaffMember
from portal.imports import ImportScope, import_file
from tests.conftest import login


def files(n: int, prefix: str) -> dict[str, str]:
    """A dataset of `n` staff of BOSA, each AZ-certified with one Q-check."""
    staff = "organisation_code,email,first_name,last_name,language_role,start_date,end_date\n"
    certificates = "email,track,obtained_on,status,valid_until\n"
    qchecks = (
        "selection_reference,organisation_code,consultant_email,language_role,closed_on,"
        "checked_on,score\n"
    )
    for i in range(n):
        email = f"{prefix}{i}@bosa.be"
        staff += f"BOSA,{email},First{i},Last{i},{'NL' if i % 2 else 'FR'},2020-01-01,\n"
        certificates += f"{email},AZ,2021-01-01,valid,\n"
        qchecks += f"{prefix}-S{i},BOSA,{email},NL,2026-01-10,2026-02-01,{80 + i % 20}\n"
    return {"staff": staff, "certificates": certificates, "qchecks": qchecks}


async def import_counts(queries: list, n: int, prefix: str) -> dict[str, int]:
    counts = {}
    for kind, text in files(n, prefix).items():
        before = len(queries)
        result = await import_file(kind, f"{kind}.csv", text.encode(), ImportScope())
        assert result.ok, result.issues[:3]
        counts[kind] = len(queries) - before
    return counts


async def test_an_import_asks_the_same_whatever_its_size(users, queries):
    few = await import_counts(queries, 3, "a")
    many = await import_counts(queries, 120, "b")
    assert few == many
    # Q-checks add the threshold watch: every organisation's eligibility, before and after.
    assert many["qchecks"] <= 20 and many["staff"] <= 10 and many["certificates"] <= 10, many


PAGES = (
    "/organisations?as_of=2026-11-23",
    "/organisations/BOSA?as_of=2026-11-23",
    "/organisations/BOSA/look-ahead?as_of=2026-11-23",
    "/organisations/BOSA/staff",
    "/organisations/BOSA/staff.csv",
    "/organisations/BOSA/certificates.csv",
    "/certificates/queue",
    "/audit",
    "/api/v1/organisations/BOSA/eligibility?as_of=2026-11-23",
    "/eligibility.csv?as_of=2026-11-23",
    "/qchecks",
    "/organisations/BOSA/qchecks",
    "/qchecks/criteria",
    "/notices",
)


async def page_counts(client, queries: list) -> dict[str, int]:
    from certification.eligibility import clear_cache

    await client.get("/")  # the login's welcome message is shown (and the session written)
    counts = {}
    for path in PAGES:
        clear_cache()
        before = len(queries)
        response = await client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        counts[path] = len(queries) - before
    return counts


async def test_every_page_asks_the_same_whatever_the_number_of_records(client, users, queries):
    await login(client, users["dgro"])
    await import_counts(queries, 3, "a")
    few = await page_counts(client, queries)
    await import_counts(queries, 150, "b")
    many = await page_counts(client, queries)
    assert few == many
    # The request itself (session, user, data version; for DG R&O's whole pages the
    # menu's unread notices) and the page's own reads: a handful each.
    assert all(count <= 13 for count in many.values()), many


def mixed_staff(n: int, prefix: str) -> str:
    """`n` staff of BOSA of every statute, with changes of function for some."""
    statutes = ("statutory", "trainee", "contractual", "mandate")
    rows = (
        "organisation_code,email,first_name,last_name,language_role,start_date,end_date,statute\n"
    )
    for i in range(n):
        rows += f"BOSA,{prefix}{i}@bosa.be,F{i},L{i},NL,2024-0{1 + i % 9}-15,,{statutes[i % 4]}\n"
    return rows


async def test_generate_asks_the_same_for_3_and_for_300_staff(users, queries):
    """`portal cycles generate` is set-based (issue 21): the stage, annual cycles and
    mandates of 300 staff cost the database what those of 3 cost."""
    counts = []
    for n, prefix in ((3, "g"), (300, "h")):
        result = await import_file(
            "staff", "staff.csv", mixed_staff(n, prefix).encode(), ImportScope()
        )
        assert result.ok, result.issues[:3]
        found = await StaffMember.select(StaffMember.id).where(StaffMember.email.like(f"{prefix}%"))
        staff_ids = [row["id"] for row in found]
        before = len(queries)
        done = await generate(Actor.command_line("test"), dt.date(2027, 1, 1), staff_ids=staff_ids)
        assert done.created >= n * 3 // 4  # every staff member but the mandate holders
        counts.append(len(queries) - before)
    assert counts[0] == counts[1], counts
    print(f"generate: {counts[1]} queries for 300 staff")
