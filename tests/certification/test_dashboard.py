"""The organisation dashboard and DG R&O's overview explain every condition in words."""

import datetime as dt
import re

from core import versions
from organisations.tables import Organisation
from tests.conftest import login, shown
from tests.helpers import load

STAFF = """organisation_code,email,first_name,last_name,language_role,start_date,end_date
BOSA,an@bosa.be,An,Peeters,NL,2020-01-01,
BOSA,bo@bosa.be,Bo,Dubois,FR,2020-01-01,
BOSA,cy@bosa.be,Cy,Claes,NL,2020-01-01,
BOSA,di@bosa.be,Di,Martin,FR,2020-01-01,
"""
CERTIFICATES = """email,track,obtained_on,status,valid_until
an@bosa.be,AZ,2021-01-01,valid,
an@bosa.be,SELTEST,2021-01-01,valid,
bo@bosa.be,AZ,2021-01-01,valid,2026-12-31
cy@bosa.be,ASSESS,2021-01-01,valid,
di@bosa.be,INTERVIEW,2021-01-01,valid,
"""
QCHECKS = """selection_reference,organisation_code,consultant_email,language_role,closed_on,checked_on,score
S-1,BOSA,an@bosa.be,NL,2026-01-10,2026-02-01,85.5
S-2,BOSA,bo@bosa.be,FR,2026-03-10,2026-04-01,79.25
"""


async def bosa_data(users) -> None:
    await Organisation.update(
        {Organisation.pro_partner_email: "partner@bosa.demo.portal.be"}
    ).where(Organisation.code == "BOSA")
    await load("staff", STAFF)
    await load("certificates", CERTIFICATES)
    await load("qchecks", QCHECKS)


def cell_texts(html: str, row_id: str) -> list[str]:
    row = re.search(rf'<tr id="{row_id}">(.*?)</tr>', html, re.S)
    assert row, row_id
    return [
        re.sub(r"<[^>]+>", "", cell).strip()
        for cell in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row.group(1), re.S)
    ]


async def test_the_dashboard_names_the_exact_gap(client, users):
    await bosa_data(users)
    await login(client, users["partner_bosa"])
    page = await client.get(
        "/organisations/BOSA?as_of=2026-11-23", headers={"Accept-Language": "en"}
    )
    assert page.status_code == 200
    html = page.text
    # FR has an AZ consultant but nobody with SELTEST: exactly one FR SELTEST consultant is missing.
    assert cell_texts(html, "condition-seltest_per_language-FR")[1:] == [
        "not met",
        "0",
        "1",
        "1 more FR SELTEST-certified consultant",
    ]
    assert cell_texts(html, "condition-certified_staff")[1:4] == ["met", "4", "4"]
    assert cell_texts(html, "condition-qcheck_average")[1:4] == ["met", "82.37", "80.00"]
    assert "individual certification" in html
    # The coverage grid: FR row has one AZ and one interview chair.
    assert re.search(
        r"<th scope=\"row\"[^>]*>FR</th>\s*<td[^>]*>1</td>\s*<td[^>]*>0</td>\s*<td[^>]*>0</td>"
        r"\s*<td[^>]*>1</td>",
        html,
    )


async def test_the_dashboard_is_translated(client, users):
    await bosa_data(users)
    await login(client, users["partner_bosa"])
    page = await client.get(
        "/organisations/BOSA?as_of=2026-11-23", headers={"Accept-Language": "fr"}
    )
    assert 'lang="fr"' in page.text
    assert "SPF Stratégie et Appui" in page.text


async def test_look_ahead_names_the_day_and_the_condition(client, users):
    await bosa_data(users)
    await load(
        "certificates",
        "email,track,obtained_on,status,valid_until\ndi@bosa.be,SELTEST,2021-01-01,valid,\n",
    )
    await login(client, users["partner_bosa"])
    dashboard = (
        await client.get("/organisations/BOSA?as_of=2026-11-23", headers={"Accept-Language": "en"})
    ).text
    assert "client certification" in dashboard
    # The dashboard loads the look-ahead lazily, with a plain link without JavaScript.
    assert 'href="/organisations/BOSA/look-ahead?as_of=2026-11-23"' in dashboard
    assert (
        'data-hx-get="/organisations/BOSA/look-ahead?as_of=2026-11-23" data-hx-trigger="load"'
        in dashboard
    )
    html = (
        await client.get(
            "/organisations/BOSA/look-ahead?as_of=2026-11-23", headers={"Accept-Language": "en"}
        )
    ).text
    assert "<html" in html  # without JavaScript: a page of its own
    # Bo's AZ certificate runs out on 2026-12-31: FR loses its AZ consultant on 2027-01-01.
    assert (
        f"on {shown(dt.date(2027, 1, 1))} the eligible level drops from client certification to individual certification"
        in html
    )
    assert "1 more FR AZ-certified consultant" in html
    fragment = await client.get(
        "/organisations/BOSA/look-ahead?as_of=2026-11-23",
        headers={"Accept-Language": "en", "HX-Request": "true"},
    )
    assert "<html" not in fragment.text
    assert fragment.text.lstrip().startswith('<section id="lookahead"')
    assert f"on {shown(dt.date(2027, 1, 1))} the eligible level drops" in fragment.text


async def test_htmx_gets_the_dashboard_fragment_for_another_date(client, users):
    await bosa_data(users)
    await login(client, users["partner_bosa"])
    headers = {"Accept-Language": "en", "HX-Request": "true"}
    fragment = await client.get("/organisations/BOSA?as_of=2026-11-23", headers=headers)
    assert fragment.status_code == 200
    assert "HX-Request" in fragment.headers["vary"].split(",")
    assert "<html" not in fragment.text
    assert fragment.text.lstrip().startswith('<div id="dashboard"')
    assert cell_texts(fragment.text, "condition-certified_staff")[1:4] == ["met", "4", "4"]
    earlier = await client.get("/organisations/BOSA?as_of=2019-12-31", headers=headers)
    assert cell_texts(earlier.text, "condition-certified_staff")[1:4] == ["not met", "0", "4"]
    boosted = await client.get("/organisations/BOSA", headers={**headers, "HX-Boosted": "true"})
    assert "<html" in boosted.text


async def test_task_split_follows_the_granted_level(client, users):
    await bosa_data(users)
    await login(client, users["partner_bosa"])
    html = (
        await client.get("/organisations/BOSA?as_of=2026-11-23", headers={"Accept-Language": "en"})
    ).text
    assert "Run selection procedures from A to Z" in html  # individual, AZ held
    assert "Mentor new colleagues" not in html
    await Organisation.update({Organisation.client_certified_since: dt.date(2026, 1, 1)}).where(
        Organisation.code == "BOSA"
    )
    await versions.bump()  # what the granting service (next issue) does in its transaction
    html = (
        await client.get("/organisations/BOSA?as_of=2026-11-23", headers={"Accept-Language": "en"})
    ).text
    assert "Mentor new colleagues not yet in a certification track" in html
    fin = await client.get("/organisations/FIN", headers={"Accept-Language": "en"})
    assert fin.status_code == 403


async def test_a_bad_date_is_explained(client, users):
    await login(client, users["partner_bosa"])
    page = await client.get(
        "/organisations/BOSA?as_of=2026-02-30", headers={"Accept-Language": "en"}
    )
    assert page.status_code == 400
    assert "YYYY-MM-DD" in page.text


async def test_dgro_overview_filters_sorts_and_flags(client, users):
    await bosa_data(users)
    await Organisation.update({Organisation.client_certified_since: dt.date(2025, 1, 1)}).where(
        Organisation.code == "FIN"
    )
    await login(client, users["dgro"])
    full = await client.get("/organisations?as_of=2026-11-23", headers={"Accept-Language": "en"})
    assert full.status_code == 200
    assert "4 of 4 organisations on 23 Nov 2026" in full.text
    individual = await client.get(
        "/organisations?as_of=2026-11-23&level=individual",
        headers={"HX-Request": "true", "Accept-Language": "en"},
    )
    assert individual.text.lstrip().startswith('<section id="results"')
    assert "/organisations/BOSA?" in individual.text
    assert "/organisations/FIN?" not in individual.text
    flagged = await client.get(
        "/organisations?as_of=2026-11-23&attention=true", headers={"Accept-Language": "en"}
    )
    assert "/organisations/FIN?" in flagged.text and "/organisations/BOSA?" not in flagged.text
    assert "no longer eligible" in flagged.text
    by_staff = await client.get(
        "/organisations?as_of=2026-11-23&sort=certified", headers={"Accept-Language": "en"}
    )
    codes = re.findall(r'<td[^>]*><a href="/organisations/(\w+)\?', by_staff.text)
    assert codes[0] == "BOSA"
    assert (await client.get("/organisations?sort=whatever")).status_code == 200


async def test_the_pro_partner_is_linked_to_the_staff_member_and_has_a_history(client, users):
    await bosa_data(users)
    await load(
        "organisations",
        "code,name_nl,name_fr,language_roles,pro_partner_email\n"
        "BOSA,FOD Beleid en Ondersteuning,SPF Stratégie et Appui,NL|FR,first@bosa.be\n",
    )
    await load(
        "organisations",
        "code,name_nl,name_fr,language_roles,pro_partner_email\n"
        "BOSA,FOD Beleid en Ondersteuning,SPF Stratégie et Appui,NL|FR,bo@bosa.be\n",
    )
    await login(client, users["dgro"])
    html = (await client.get("/organisations/BOSA", headers={"Accept-Language": "en"})).text
    assert "Bo Dubois &lt;bo@bosa.be&gt;" in html
    assert "Earlier PRO Partners" in html
    assert re.search(r"first@bosa.be: \d{1,2} \w+ \d{4} – \d{1,2} \w+ \d{4}", html)


FIN_STAFF = """organisation_code,email,first_name,last_name,language_role,start_date,end_date
FIN,fa@fin.be,Fa,Janssens,NL,2020-01-01,
FIN,fe@fin.be,Fe,Leroy,FR,2020-01-01,
"""
FIN_RECORDS = (
    (
        "certificates",
        "email,track,obtained_on,status,valid_until\nfa@fin.be,AZ,2021-01-01,valid,\n",
    ),
    (
        "qchecks",
        "selection_reference,organisation_code,consultant_email,language_role,closed_on,"
        "checked_on,score\nF-1,FIN,fa@fin.be,NL,2026-01-10,2026-02-01,91\n",
    ),
)


async def test_the_dashboard_reads_one_organisation_in_at_most_seven_queries(
    client, users, queries
):
    from certification.dashboard import read_dashboard

    await bosa_data(users)
    await load("staff", FIN_STAFF)
    for kind, text in FIN_RECORDS:
        await load(kind, text)
    fin = await Organisation.select(Organisation.id).where(Organisation.code == "FIN").first()

    before = len(queries)
    dashboard = await read_dashboard("BOSA", dt.date(2026, 11, 23))
    answers = [rows for _sql, rows in queries[before:]]

    assert dashboard is not None
    assert dashboard.eligibility.certified_staff == 4
    # The organisation, its staff and certificates, Q-checks, policies, its granted-level
    # history, the tracks and the PRO Partner terms.
    assert 1 <= len(answers) <= 7, f"{len(answers)} queries"
    # Nothing of FIN's comes back: no row of its staff, certificates, Q-checks or itself.
    returned = [row for answer in answers for row in answer]
    assert returned
    for row in returned:
        assert row.get("organisation") != fin["id"], row
        assert "fin.be" not in str(row.get("email", "")), row
        assert row.get("code") != "FIN", row


async def test_the_overview_pages_and_computes_once_per_data_version(client, users, queries):
    from certification.overview import OverviewFilter, overview

    rows = "".join(f"ORG{n:03d},Org {n},Org {n},NL,\n" for n in range(60))
    await load("organisations", "code,name_nl,name_fr,language_roles,pro_partner_email\n" + rows)
    await login(client, users["dgro"])
    english = {"Accept-Language": "en"}
    first = await client.get("/organisations?as_of=2026-11-23", headers=english)
    total = len(re.findall(r'<td[^>]*><a href="/organisations/(\w+)\?', first.text))
    assert total == 50
    matched = int(re.search(r"(\d+) of (\d+) organisations", first.text).group(1))
    assert matched >= 60
    assert 'href="/organisations?as_of=2026-11-23&amp;page=2"' in first.text
    second = await client.get("/organisations?as_of=2026-11-23&page=2", headers=english)
    assert len(re.findall(r'<td[^>]*><a href="/organisations/(\w+)\?', second.text)) == matched - 50

    # Between writes the results are computed once: a second reading asks for the data
    # version and the names only.
    filters = OverviewFilter.from_query(dt.date(2026, 11, 23), None, None, None, False)
    before = len(queries)
    await overview(filters, 1)
    assert len(queries) - before <= 2, queries[before:]

    # Any write through a service replaces the version: the next reading is fresh.
    await load(
        "staff",
        "organisation_code,email,first_name,last_name,language_role,start_date,end_date\n"
        "ORG007,az@org7.be,Az,Consultant,NL,2020-01-01,\n",
    )
    await load(
        "certificates",
        "email,track,obtained_on,status,valid_until\naz@org7.be,AZ,2021-01-01,valid,\n",
    )
    fresh = await client.get(
        "/organisations?as_of=2026-11-23&q=ORG007", headers={**english, "HX-Request": "true"}
    )
    assert "individual certification" in cell_texts(fresh.text, "organisation-ORG007")[3]


async def test_every_kind_of_write_refreshes_the_kept_dashboard(client, users):
    """Certificate decisions, staff edits and policy changes each replace the data version."""
    from dataclasses import replace

    from certification.certificates.service import decide
    from certification.policy import adopt
    from certification.rules import DEFAULT_POLICY
    from certification.tables import Certificate
    from core.audit import Actor
    from organisations.forms import StaffInput
    from organisations.service import update_staff
    from organisations.tables import StaffMember

    await bosa_data(users)
    await login(client, users["dgro"])
    dgro = Actor(email=users["dgro"].email, roles="dgro")
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    url = f"/organisations/BOSA?as_of={tomorrow.isoformat()}"

    async def certified_staff() -> str:
        page = await client.get(url, headers={"Accept-Language": "en", "HX-Request": "true"})
        return cell_texts(page.text, "condition-certified_staff")[2]

    assert await certified_staff() == "4"
    # A certificate revoked: one certified staff member fewer.
    [di] = await Certificate.select(Certificate.id).where(Certificate.staff.email == "di@bosa.be")
    await decide(dgro, di["id"], "revoke", "Obtained by fraud", dgro.email, shown_status="valid")
    assert await certified_staff() == "3"
    # A staff member who left yesterday no longer counts.
    [cy] = await StaffMember.select().where(StaffMember.email == "cy@bosa.be")
    left = StaffInput(
        email=cy["email"],
        first_name=cy["first_name"],
        last_name=cy["last_name"],
        language_role=cy["language_role"],
        start_date=cy["start_date"],
        end_date=dt.date.today() - dt.timedelta(days=1),
    )
    await update_staff(dgro, cy["organisation"], cy["id"], left)
    assert await certified_staff() == "2"
    # A policy from tomorrow that asks for 3 certified staff: the requirement changes.
    page = await client.get(url, headers={"Accept-Language": "en", "HX-Request": "true"})
    assert cell_texts(page.text, "condition-certified_staff")[3] == "4"
    await adopt(
        replace(DEFAULT_POLICY, effective_from=tomorrow, min_certified_staff=3),
        "",
        dgro,
        dt.date.today(),
    )
    page = await client.get(url, headers={"Accept-Language": "en", "HX-Request": "true"})
    assert cell_texts(page.text, "condition-certified_staff")[3] == "3"


async def test_the_kept_fragment_follows_every_write_and_the_readers_language(client, users):
    """The dashboard's htmx fragment is rendered once per data version and language and
    kept: a second reader gets the same answer, a write (here an import) is seen at once,
    and a reader of another language gets their own words."""
    await bosa_data(users)
    await login(client, users["partner_bosa"])
    headers = {"Accept-Language": "en", "HX-Request": "true"}
    url = "/organisations/BOSA?as_of=2026-11-23"
    first = await client.get(url, headers=headers)
    assert cell_texts(first.text, "condition-certified_staff")[1:4] == ["met", "4", "4"]
    assert (await client.get(url, headers=headers)).text == first.text
    dutch = await client.get(url, headers={"Accept-Language": "nl", "HX-Request": "true"})
    assert cell_texts(dutch.text, "condition-certified_staff")[1] == "voldaan"
    await load("staff", STAFF.replace(",2020-01-01,", ",2020-01-01,2026-06-30", 1))
    after = await client.get(url, headers=headers)
    assert cell_texts(after.text, "condition-certified_staff")[1:4] == ["not met", "3", "4"]
