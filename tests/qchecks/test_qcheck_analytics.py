"""Q-check analytics: an organisation's figures (checked by hand), the charts next to their
tables, DG R&O's ranking, the downloads, who may read them, and the query count."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import openpyxl

from core import versions
from organisations.tables import Organisation, StaffMember
from qchecks import analytics
from qchecks.tables import Criterion, QCheck, QCheckCriterion
from tests.conftest import login, new_client
from tests.helpers import EN, load

DAY = "2026-11-23"  # the window is 2025-11-23 < checked_on <= 2026-11-23

STAFF = """organisation_code,email,first_name,last_name,language_role,start_date,end_date
BOSA,an@bosa.be,An,Peeters,NL,2020-01-01,
BOSA,bo@bosa.be,Bo,Dubois,FR,2020-01-01,
BOSA,cy@bosa.be,Cy,Claes,NL,2020-01-01,
FIN,fi@fin.be,Fi,Janssens,NL,2020-01-01,
MOBILIT,mo@mobilit.be,Mo,Maes,FR,2020-01-01,
"""
# An and Bo are AZ-certified (the official average counts them); Cy is not.
CERTIFICATES = """email,track,obtained_on,status,valid_until
an@bosa.be,AZ,2021-01-01,valid,
bo@bosa.be,AZ,2021-01-01,valid,
cy@bosa.be,ASSESS,2021-01-01,valid,
fi@fin.be,AZ,2021-01-01,valid,
mo@mobilit.be,AZ,2021-01-01,valid,
"""
QCHECKS = """selection_reference,organisation_code,consultant_email,language_role,closed_on,checked_on,score
S-1,BOSA,an@bosa.be,NL,2025-01-05,2025-01-10,70
S-2,BOSA,an@bosa.be,NL,2025-05-01,2025-05-20,90
S-3,BOSA,an@bosa.be,NL,2025-11-20,2025-11-23,60
S-4,BOSA,an@bosa.be,NL,2025-11-20,2025-11-24,85.5
S-5,BOSA,bo@bosa.be,FR,2026-02-01,2026-02-10,79.25
S-6,BOSA,bo@bosa.be,FR,2026-03-01,2026-03-15,100
S-7,BOSA,cy@bosa.be,NL,2026-06-01,2026-06-10,40
S-8,BOSA,an@bosa.be,FR,2026-10-01,2026-10-05,90
S-9,BOSA,bo@bosa.be,NL,2026-11-23,2026-11-23,80
F-1,FIN,fi@fin.be,NL,2026-05-01,2026-05-10,78
F-2,FIN,fi@fin.be,NL,2026-07-01,2026-07-01,80
M-0,MOBILIT,mo@mobilit.be,FR,2025-06-01,2025-06-01,90
M-1,MOBILIT,mo@mobilit.be,FR,2026-09-01,2026-09-01,95
"""
# By hand, BOSA on 2026-11-23. S-1..S-3 are before the window (S-3 on its first, excluded
# day); S-4..S-9 are in it: 8550 + 7925 + 10000 + 4000 + 9000 + 8000 = 47475 over 6 -> 79.125.
# Official (AZ-certified An and Bo only, without Cy's S-7): 43475 / 5 = 86.95.


async def qcheck_id(reference: str) -> int:
    row = await QCheck.select(QCheck.id).where(QCheck.selection_file.reference == reference).first()
    assert row is not None
    return int(row["id"])


async def criteria() -> None:
    """Two versions of FILE (the names of the later one are shown), TEST, and a code
    scored without a checklist version."""
    file_v1 = Criterion(
        code="FILE",
        name_nl="Dossier (oud)",
        name_fr="Dossier (ancien)",
        weight=1,
        active_from=dt.date(2020, 1, 1),
        active_until=dt.date(2025, 12, 31),
    )
    file_v2 = Criterion(
        code="FILE",
        name_nl="Dossiervorming",
        name_fr="Constitution du dossier",
        weight=1,
        active_from=dt.date(2026, 1, 1),
    )
    test = Criterion(
        code="TEST",
        name_nl="Testkeuze",
        name_fr="Choix des tests",
        weight=1,
        active_from=dt.date(2020, 1, 1),
    )
    await Criterion.insert(file_v1, file_v2, test)
    scored = [
        ("S-4", "FILE", file_v1, 7000),
        ("S-4", "TEST", test, 9000),
        ("S-5", "FILE", file_v2, 6000),
        ("S-5", "TEST", test, 8000),
        ("S-6", "FILE", file_v2, None),  # not scored: not counted
        ("S-6", "TEST", test, 10000),
        ("S-1", "FILE", file_v1, 1000),  # before the window
        ("S-7", "OLD", None, 5000),
    ]
    rows = []
    for reference, code, definition, score in scored:
        rows.append(
            QCheckCriterion(
                qcheck=await qcheck_id(reference),
                criterion=code,
                definition=definition.id if definition is not None else None,
                score_hundredths=score,
            )
        )
    await QCheckCriterion.insert(*rows)


async def dataset() -> None:
    await load("staff", STAFF)
    await load("certificates", CERTIFICATES)
    await load("qchecks", QCHECKS)
    await criteria()
    await versions.bump()  # written outside the services: the kept results are stale


def table(html: str, table_id: str) -> list[list[str]]:
    """The body rows of a table, as the text of their cells."""
    found = re.search(rf'<table[^>]*id="{table_id}".*?<tbody>(.*?)</tbody>', html, re.S)
    assert found, table_id
    return [
        [
            re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", cell)).strip()
            for cell in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S)
        ]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", found.group(1), re.S)
    ]


def svg(html: str, chart_id: str) -> str:
    found = re.search(rf'<svg[^>]*id="{chart_id}".*?</svg>', html, re.S)
    assert found, chart_id
    return found.group(0)


# --- the figures, by hand -----------------------------------------------------------------


async def test_the_organisation_figures_match_the_hand_count(users):
    await dataset()
    bosa = await Organisation.select(Organisation.id).where(Organisation.code == "BOSA").first()
    figures = await analytics.read_analytics(bosa["id"], dt.date(2026, 11, 23))
    assert (figures.window_sum_hundredths, figures.window_count) == (47475, 6)
    assert figures.window_average == 79.125
    assert [(r["email"], r["count"], r["average"]) for r in figures.consultants] == [
        ("cy@bosa.be", 1, 40.0),
        ("bo@bosa.be", 3, 25925 / 3 / 100),
        ("an@bosa.be", 2, 87.75),
    ]
    assert [(r["language_role"], r["count"], r["average"]) for r in figures.roles] == [
        ("FR", 3, 89.75),
        ("NL", 3, 68.5),
    ]
    # Every quarter from the first Q-check's to the day's, the empty ones included.
    assert [(r["year"], r["quarter"], r["count"], r["average"]) for r in figures.quarters] == [
        (2025, 1, 1, 70.0),
        (2025, 2, 1, 90.0),
        (2025, 3, 0, None),
        (2025, 4, 2, 72.75),
        (2026, 1, 2, 89.625),
        (2026, 2, 1, 40.0),
        (2026, 3, 0, None),
        (2026, 4, 2, 85.0),
    ]
    # 85.5 and 80 in 80–90; 79.25 in 70–80; 100 and 90 in 90–100; 40 in 40–50.
    assert [r["count"] for r in figures.distribution] == [0, 0, 0, 0, 1, 0, 0, 1, 2, 2]
    assert [(r["low"], r["high"]) for r in figures.distribution][::9] == [(0, 10), (90, 100)]
    assert [
        (r["code"], r["name_nl"], r["name_fr"], r["count"], r["average"]) for r in figures.criteria
    ] == [
        ("OLD", None, None, 1, 50.0),
        ("FILE", "Dossiervorming", "Constitution du dossier", 2, 65.0),
        ("TEST", "Testkeuze", "Choix des tests", 3, 90.0),
    ]
    # Before any Q-check: nothing, and every band at zero.
    empty = await analytics.read_analytics(bosa["id"], dt.date(2024, 1, 1))
    assert (empty.window_count, empty.window_average, empty.quarters) == (0, None, [])
    assert [r["count"] for r in empty.distribution] == [0] * 10


async def test_the_page_shows_the_official_average_tables_and_charts(client, users):
    await dataset()
    await login(client, users["partner_bosa"])
    page = await client.get(f"/organisations/BOSA/qchecks/analytics?as_of={DAY}", headers=EN)
    assert page.status_code == 200, page.text
    html = page.text
    official = re.sub(
        r"<[^>]+>|\s+", " ", re.search(r'id="official-average">(.*?)</dd>', html, re.S).group(1)
    )
    assert "86.95 %" in official and "5 Q-checks" in official
    assert "80.00 %" in re.search(r'id="official-threshold">(.*?)</dd>', html, re.S).group(1)
    assert ">met<" in re.search(r'id="official-status">(.*?)</dd>', html, re.S).group(1)
    assert "79.12 %" in re.search(r'id="window-average">(.*?)</dd>', html, re.S).group(1)
    assert table(html, "table-consultants") == [
        ["Cy Claes", "cy@bosa.be", "1", "40.00"],
        ["Bo Dubois", "bo@bosa.be", "3", "86.41"],  # 86.4166…, truncated
        ["An Peeters", "an@bosa.be", "2", "87.75"],
    ]
    assert table(html, "table-roles") == [["FR", "3", "89.75"], ["NL", "3", "68.50"]]
    assert table(html, "table-quarters") == [
        ["2025 Q1", "1", "70.00", "below"],
        ["2025 Q2", "1", "90.00", "at or above"],
        ["2025 Q3", "0", "unknown", "—"],
        ["2025 Q4", "2", "72.75", "below"],
        ["2026 Q1", "2", "89.62", "at or above"],
        ["2026 Q2", "1", "40.00", "below"],
        ["2026 Q3", "0", "unknown", "—"],
        ["2026 Q4", "2", "85.00", "at or above"],
    ]
    assert table(html, "table-distribution")[7:] == [
        ["70–80", "1"],
        ["80–90", "2"],
        ["90–100", "2"],
    ]
    assert table(html, "table-criteria") == [
        ["OLD", "OLD", "1", "50.00"],
        ["Dossiervorming", "FILE", "2", "65.00"],
        ["Testkeuze", "TEST", "3", "90.00"],
    ]
    # The charts: inline SVG, named and described for a screen reader, with no style the
    # CSP would block, and figures that agree with the tables next to them.
    trend = svg(html, "qcheck-trend")
    assert 'role="img"' in trend
    assert 'aria-labelledby="qcheck-trend-title qcheck-trend-desc"' in trend
    assert '<title id="qcheck-trend-title">Average Q-check score per quarter</title>' in trend
    desc = re.search(r'<desc id="qcheck-trend-desc">(.*?)</desc>', trend, re.S).group(1)
    assert "8 quarters" in desc and "threshold of 80.00 %" in desc
    assert "Lowest: 2026 Q2 with 40.00 %; highest: 2025 Q2 with 90.00 %." in desc
    assert all(f">{label}</text>" in trend for label in ("2025 Q1", "2026 Q4"))
    distribution = svg(html, "qcheck-distribution")
    assert '<title id="qcheck-distribution-title">Q-checks per score band</title>' in distribution
    assert "6 Q-checks in all" in distribution
    for chart in (trend, distribution):
        assert "style=" not in chart and "<style" not in chart
    ids = re.findall(r'\sid="([^"]+)"', html)
    assert len(ids) == len(set(ids)), "two elements share an id"


async def test_htmx_gets_the_figures_for_another_date(client, users):
    await dataset()
    await login(client, users["hr_bosa"])
    fragment = await client.get(
        "/organisations/BOSA/qchecks/analytics?as_of=2025-11-23",
        headers={**EN, "HX-Request": "true"},
    )
    assert fragment.status_code == 200
    assert fragment.text.lstrip().startswith('<div id="analytics"')
    assert (
        fragment.headers["hx-push-url"] == "/organisations/BOSA/qchecks/analytics?as_of=2025-11-23"
    )
    # A year earlier: S-1, S-2 and S-3 (An, AZ-certified): 22000 / 3 = 73.33.
    assert "73.33 %" in re.search(r'id="official-average">(.*?)</dd>', fragment.text, re.S).group(1)
    assert ">not met<" in fragment.text
    assert "Q-check average 73.33 % is below 80.00 %" in fragment.text


# --- the ranking ----------------------------------------------------------------------------


async def test_the_ranking_orders_flags_and_compares_with_last_year(client, users):
    await dataset()
    await login(client, users["dgro"])
    page = await client.get(f"/qchecks/ranking?as_of={DAY}", headers=EN)
    assert page.status_code == 200
    html = page.text
    assert "4 of 4 organisations on 23 Nov 2026" in html
    assert "Threshold of the policy in force: 80.00 %." in html
    rows = {code: table_row(html, code) for code in ("MOBILIT", "BOSA", "FIN", "OSTBEL")}
    assert re.findall(r'<tr id="ranking-(\w+)">', html) == ["MOBILIT", "BOSA", "FIN", "OSTBEL"]
    # rank, organisation, average, Q-checks, change, against the threshold
    assert rows["MOBILIT"][:6] == [
        "1",
        "MOBILIT FOD Mobiliteit en Vervoer",
        "95.00",
        "1",
        "+5.00",
        "at or above",
    ]
    assert rows["BOSA"][2:6] == ["86.95", "5", "+13.61", "at or above"]  # 86.95 - 73.33…
    assert rows["FIN"][2:6] == ["79.00", "2", "—", "below, near the threshold"]
    assert rows["OSTBEL"][:6] == [
        "—",
        "OSTBEL Dienst Oost-België",
        "unknown",
        "0",
        "—",
        "unknown: not met",
    ]

    near = await client.get(f"/qchecks/ranking?as_of={DAY}&near=true", headers=EN)
    assert re.findall(r'<tr id="ranking-(\w+)">', near.text) == ["FIN"]
    searched = await client.get(
        f"/qchecks/ranking?as_of={DAY}&q=mobilit", headers={**EN, "HX-Request": "true"}
    )
    assert searched.text.lstrip().startswith('<section id="results"')
    assert re.findall(r'<tr id="ranking-(\w+)">', searched.text) == ["MOBILIT"]
    assert table_row(searched.text, "MOBILIT")[0] == "1"  # the rank among all organisations
    assert searched.headers["hx-push-url"] == f"/qchecks/ranking?as_of={DAY}&q=mobilit&page=1"
    none = await client.get(f"/qchecks/ranking?as_of={DAY}&level=none", headers=EN)
    assert re.findall(r'<tr id="ranking-(\w+)">', none.text) == ["OSTBEL"]


def table_row(html: str, code: str) -> list[str]:
    row = re.search(rf'<tr id="ranking-{code}">(.*?)</tr>', html, re.S)
    assert row, code
    return [
        re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", cell)).strip()
        for cell in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row.group(1), re.S)
    ]


def test_ranking_rows_pure():
    """Equal averages share a rank; near is within 5 points either side, exactly; the
    change is read from the averages' digits (80.3 - 80.2 is 0.1, not 0.0999…)."""
    current = [
        {
            "code": "A",
            "name_nl": "A",
            "name_fr": "A",
            "average": 85.07,
            "count": 1,
            "granted": "none",
            "eligible": "individual",
        },
        {
            "code": "B",
            "name_nl": "B",
            "name_fr": "B",
            "average": 80.3,
            "count": 2,
            "granted": "none",
            "eligible": "individual",
        },
        {
            "code": "C",
            "name_nl": "C",
            "name_fr": "C",
            "average": 80.3,
            "count": 3,
            "granted": "none",
            "eligible": "client",
        },
        {
            "code": "D",
            "name_nl": "D",
            "name_fr": "D",
            "average": 75.06,
            "count": 1,
            "granted": "none",
            "eligible": "none",
        },
        {
            "code": "E",
            "name_nl": "E",
            "name_fr": "E",
            "average": None,
            "count": 0,
            "granted": "none",
            "eligible": "none",
        },
    ]
    previous = [{"code": "B", "average": 80.2}, {"code": "D", "average": None}]
    rows = analytics.ranking_rows(current, previous, 8007, analytics.RankingFilter())
    assert [(r["code"], r["rank"], r["near"], r["below"], r["change"]) for r in rows] == [
        ("A", 1, True, False, None),  # 85.07 is exactly 5 points above 80.07
        ("B", 2, True, False, 0.1),
        ("C", 2, True, False, None),
        ("D", 4, False, True, None),  # 5.01 points below
        ("E", None, False, False, None),
    ]
    near_client = analytics.ranking_rows(
        current, previous, 8007, analytics.RankingFilter.from_query(" c ", "client", True)
    )
    assert [r["code"] for r in near_client] == ["C"]
    assert analytics.ranking_rows([], [], 8000, analytics.RankingFilter()) == []


# --- downloads ------------------------------------------------------------------------------


async def test_every_table_downloads_and_formulas_are_neutralised(client, users):
    await dataset()
    await StaffMember.update({StaffMember.first_name: '=HYPERLINK("http://x")'}).where(
        StaffMember.email == "cy@bosa.be"
    )
    await Organisation.update({Organisation.name_nl: "@SUM(1+1)"}).where(Organisation.code == "FIN")
    await versions.bump()
    await login(client, users["dgro"])
    base = "/organisations/BOSA/qchecks/analytics"
    answer = await client.get(f"{base}.csv?table=consultants&as_of={DAY}")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/csv")
    disposition = answer.headers["content-disposition"]
    assert 'filename="BOSA-qchecks-consultants-as-of-2026-11-23-' in disposition
    lines = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"))))
    assert lines == [
        ["consultant_email", "first_name", "last_name", "qchecks", "average"],
        ["cy@bosa.be", '\'=HYPERLINK("http://x")', "Claes", "1", "40.00"],
        ["bo@bosa.be", "Bo", "Dubois", "3", "86.41"],
        ["an@bosa.be", "An", "Peeters", "2", "87.75"],
    ]
    expected = {
        "roles": ["language_role", "qchecks", "average"],
        "quarters": ["year", "quarter", "qchecks", "average"],
        "distribution": ["score_from", "score_below", "qchecks"],
        "criteria": ["criterion", "name_nl", "name_fr", "qchecks", "average"],
    }
    for name, header in expected.items():
        answer = await client.get(f"{base}.csv?table={name}&as_of={DAY}")
        rows = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"))))
        assert rows[0] == header, name
    quarters = await client.get(f"{base}.csv?table=quarters&as_of={DAY}")
    assert "2025,3,0,\n" in quarters.content.decode("utf-8-sig")  # unknown is empty
    sheet = await client.get(f"{base}.xlsx?table=consultants&as_of={DAY}")
    assert sheet.status_code == 200
    cells = list(
        openpyxl.load_workbook(io.BytesIO(sheet.content)).active.iter_rows(values_only=True)
    )
    assert cells[1][:2] == ("cy@bosa.be", '\'=HYPERLINK("http://x")')
    assert cells[2][4] == 86.41  # a number in the spreadsheet, truncated like the page

    ranking = await client.get(f"/qchecks/ranking.csv?as_of={DAY}")
    assert ranking.status_code == 200
    rows = list(csv.reader(io.StringIO(ranking.content.decode("utf-8-sig"))))
    assert rows[0][:8] == [
        "rank",
        "organisation",
        "name_nl",
        "name_fr",
        "qcheck_average",
        "qcheck_count",
        "previous_year_average",
        "change",
    ]
    assert rows[1][:8] == [
        "1",
        "MOBILIT",
        "FOD Mobiliteit en Vervoer",
        "SPF Mobilité et Transports",
        "95.00",
        "1",
        "90.00",
        "5.00",
    ]
    assert rows[3][:3] == ["3", "FIN", "'@SUM(1+1)"]
    assert rows[3][-2:] == ["yes", "yes"]
    near = await client.get(f"/qchecks/ranking.xlsx?as_of={DAY}&near=true")
    cells = list(
        openpyxl.load_workbook(io.BytesIO(near.content)).active.iter_rows(values_only=True)
    )
    assert [row[1] for row in cells[1:]] == ["FIN"]
    assert cells[1][2] == "'@SUM(1+1)"


# --- bad input and access -------------------------------------------------------------------


async def test_bad_input_is_a_clear_400_and_an_unknown_code_404(client, users):
    await login(client, users["dgro"])
    base = "/organisations/BOSA/qchecks/analytics"
    bad_date = await client.get(f"{base}?as_of=2026-13-01", headers=EN)
    assert bad_date.status_code == 400 and "YYYY-MM-DD" in bad_date.text
    for path in (f"{base}.csv?table=secrets", f"{base}.xlsx"):
        answer = await client.get(path, headers=EN)
        assert answer.status_code == 400, path
        assert "consultants|roles|quarters|distribution|criteria" in answer.text
    assert (await client.get("/qchecks/ranking?page=abc", headers=EN)).status_code == 400
    assert (await client.get("/qchecks/ranking?as_of=yesterday", headers=EN)).status_code == 400
    assert (await client.get("/qchecks/ranking.csv?as_of=31/12/2026")).status_code == 400
    assert (await client.get("/qchecks/ranking?page=-3", headers=EN)).status_code == 200
    missing = await client.get("/organisations/NOPE/qchecks/analytics", headers=EN)
    assert missing.status_code == 404 and "NOPE" in missing.text
    assert (
        await client.get("/organisations/NOPE/qchecks/analytics.csv?table=roles")
    ).status_code == 404


async def test_only_the_organisation_and_dgro_read_its_analytics(app, client, users):
    await dataset()
    base = "/organisations/BOSA/qchecks/analytics"
    await login(client, users["partner_fin"])
    for path in (base, f"{base}.csv?table=consultants", f"{base}.xlsx?table=criteria"):
        assert (await client.get(path)).status_code == 403, path
    assert (await client.get("/qchecks/ranking")).status_code == 403
    assert (await client.get("/qchecks/ranking.csv")).status_code == 403
    async with new_client(app) as staff:
        await login(staff, users["staff_bosa"])
        assert (await staff.get("/qchecks/ranking")).status_code == 403
        assert (await staff.get("/qchecks/ranking.xlsx")).status_code == 403
        assert (await staff.get(base)).status_code == 403  # a consultant reads their own only
    async with new_client(app) as hr:
        await login(hr, users["hr_bosa"])
        assert (await hr.get(f"{base}?as_of={DAY}")).status_code == 200
        assert (await hr.get(f"{base}.xlsx?table=roles&as_of={DAY}")).status_code == 200
        assert (await hr.get("/qchecks/ranking")).status_code == 403


# --- no query per Q-check -----------------------------------------------------------------


def many_qchecks(n: int, prefix: str) -> str:
    rows = "selection_reference,organisation_code,consultant_email,language_role,closed_on,checked_on,score\n"
    for i in range(n):
        month = 1 + i % 10
        rows += f"{prefix}-{i},BOSA,{'an' if i % 2 else 'cy'}@bosa.be,NL,2026-{month:02d}-01,2026-{month:02d}-02,{50 + i % 50}\n"
    return rows


async def test_the_pages_ask_the_same_whatever_the_number_of_qchecks(client, users, queries):
    from certification.eligibility import clear_cache

    await dataset()
    await login(client, users["dgro"])
    await client.get("/")
    paths = (
        f"/organisations/BOSA/qchecks/analytics?as_of={DAY}",
        f"/organisations/BOSA/qchecks/analytics.csv?table=consultants&as_of={DAY}",
        f"/qchecks/ranking?as_of={DAY}",
    )

    async def counts() -> dict[str, int]:
        found = {}
        for path in paths:
            clear_cache()
            analytics.clear_cache()
            before = len(queries)
            answer = await client.get(path)
            assert answer.status_code == 200, path
            found[path] = len(queries) - before
        return found

    few = await counts()
    await load("qchecks", many_qchecks(150, "N"))
    many = await counts()
    assert few == many
    # The ranking computes every organisation's eligibility on two days (organisations,
    # their granted-level history, the aggregates and the policies each time), and the
    # menu's count of DG R&O's unread notices.
    assert all(count <= 21 for count in many.values()), many
    # The figures did grow: 150 more Q-checks in the window.
    bosa = await Organisation.select(Organisation.id).where(Organisation.code == "BOSA").first()
    figures = await analytics.read_analytics(bosa["id"], dt.date(2026, 11, 23))
    assert figures.window_count == 156
