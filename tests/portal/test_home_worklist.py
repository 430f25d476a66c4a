"""Home pages are work lists (issue 19 #9): each role's home starts with what waits for
that person, counted in set-based queries, each with its link; only what is non-zero."""

from __future__ import annotations

import datetime as dt
import html
import re

from certification.applications.service import apply
from core.audit import Actor
from core.tables import Notice
from organisations.forms import StaffInput
from organisations.service import request_moves
from organisations.tables import Organisation
from tests import factories
from tests.conftest import csrf_token, link_staff_records, login

TODAY = dt.date.today()
CLI = Actor.command_line("test")


def waiting(page: str) -> list[tuple[str, str]]:
    """(link, text) of the list under "Waiting for you"."""
    section = page.split('id="work-heading"', 1)[1].split("</section>", 1)[0]
    return [
        (href, html.unescape(text))
        for href, text in re.findall(r'<a href="([^"]+)">([^<]+)</a>', section)
    ]


async def _home(client, user) -> str:
    client.headers["Accept-Language"] = "en"
    await login(client, user)
    page = await client.get("/")
    assert page.status_code == 200
    return page.text


async def test_nothing_waits_on_a_quiet_day(client, users):
    page = await _home(client, users["dgro"])
    assert waiting(page) == []
    assert "Nothing waits for you." in page


async def test_dgro_sees_certificates_applications_moves_and_notices(client, users):
    ann = await factories.staff_member("BOSA", "ann@bosa.example.be")
    bert = await factories.staff_member("BOSA", "bert@bosa.example.be", first="Bert")
    frank = await factories.staff_member("FIN", "frank@fin.example.be")
    for staff in (ann, bert):
        await factories.certificate(staff)
    await apply(CLI, "BOSA", TODAY)
    bosa = (await Organisation.select().where(Organisation.code == "BOSA").first())["id"]
    await request_moves(
        CLI, bosa, [(frank, StaffInput("frank@fin.example.be", "F", "B", "NL", TODAY, None))]
    )
    page = await _home(client, users["dgro"])
    assert waiting(page) == [
        ("/certificates/queue", "2 certificates to verify"),
        ("/applications", "1 application for client certification to decide"),
        ("/admin/staff-moves", "1 staff move to confirm"),
        ("/notices", "1 unread notice"),  # the move's notice
    ]


async def test_the_partner_sees_the_level_and_its_own_organisations_work(client, users):
    ann = await factories.staff_member("BOSA", "ann@bosa.example.be")
    await factories.certificate(ann)
    fin_ed = await factories.staff_member("FIN", "ed@fin.example.be")
    await factories.certificate(fin_ed)  # FIN's: not BOSA's partner's work
    await Notice.insert(
        Notice(created_at=dt.datetime.now(dt.UTC), kind="qcheck_average_near",
               audience="pro_partner", organisation_code="BOSA",
               params={"average": "81.00", "threshold": "80.00"}),
        Notice(created_at=dt.datetime.now(dt.UTC), kind="qcheck_average_near",
               audience="pro_partner", organisation_code="FIN",
               params={"average": "81.00", "threshold": "80.00"}),
    )  # fmt: skip
    page = await _home(client, users["partner_bosa"])
    assert waiting(page) == [
        ("/organisations/BOSA/staff", "1 certificate waits for DG R&O's verification"),
        ("/notices", "1 unread notice"),
    ]
    assert "Certification level of BOSA: <strong>no certification</strong>" in page


async def test_staff_are_told_a_report_waits_for_their_signature(client, users):
    sam = await factories.staff_member("BOSA", users["staff_bosa"].email, first="Sam")
    await link_staff_records()
    cycle = await factories.cycle(
        sam, TODAY.replace(month=1, day=1), TODAY.replace(month=12, day=31)
    )
    await factories.meetings(
        [
            dict(cycle_id=cycle, kind="planning", held_on=TODAY, state="evaluator_signed"),
            dict(cycle_id=cycle, kind="feedback", held_on=TODAY, state="signed"),
        ]
    )
    page = await _home(client, users["staff_bosa"])
    assert waiting(page) == [("/my/dossier", "1 meeting report waits for your signature")]


def menu_count(page: str) -> str | None:
    """The unread count the menu's summary shows, as a screen reader reads it."""
    summary = page.split("<summary>", 1)[1].split("</summary>", 1)[0]
    found = re.search(r'<span class="visually-hidden">, ([^<]+)</span>', summary)
    return found.group(1) if found else None


async def test_the_menu_counts_unread_notices_until_they_are_read(client, users, queries):
    [notice] = await Notice.insert(
        Notice(created_at=dt.datetime.now(dt.UTC), kind="qcheck_average_near",
               audience="pro_partner", organisation_code="BOSA",
               params={"average": "81.00", "threshold": "80.00"}),
    ).returning(Notice.id)  # fmt: skip
    page = await _home(client, users["partner_bosa"])
    assert menu_count(page) == "1 unread notice"
    assert '<a href="/notices">Notices <span class="count">1 unread</span></a>' in page
    # Every page's menu says it, not only the home page.
    staff_page = await client.get("/organisations/BOSA/staff")
    assert menu_count(staff_page.text) == "1 unread notice"
    # An htmx fragment has no menu: the count is not even asked for.
    queries.clear()
    fragment = await client.get("/organisations/BOSA/staff", headers={"HX-Request": "true"})
    assert fragment.status_code == 200 and "<summary>" not in fragment.text
    assert not [sql for sql, _rows in queries if "notice" in sql.lower()]
    token = await csrf_token(client, "/notices")
    read = await client.post(f"/notices/{notice['id']}/read", data={"_csrf_token": token})
    assert read.status_code == 303
    assert menu_count((await client.get("/")).text) is None
    # An account that reads no notices has no count.
    await client.post("/logout", data={"_csrf_token": await csrf_token(client, "/")})
    assert menu_count(await _home(client, users["staff_bosa"])) is None
