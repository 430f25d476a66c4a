"""The import page and the exports over HTTP (SPEC 5.1): same validation as `portal import`,
errors next to the rows, all or nothing, scope per role, and formula-safe CSV/XLSX exports."""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import json
import re

import pytest
from openpyxl import Workbook, load_workbook

import portal.web.importing as exchange
from certification.tables import Certificate
from core.tables import AuditEntry
from organisations.tables import Organisation, StaffMember
from portal.imports import ImportScope, import_file
from qchecks.tables import QCheck
from tests.conftest import login

TODAY = dt.date.today().isoformat()
STAFF_HEADER = "organisation_code,email,first_name,last_name,language_role,start_date,end_date\n"
STAFF_CSV = (
    STAFF_HEADER
    + "BOSA,an@bosa.example.be,An,Peeters,NL,2020-01-01,\n"
    + "BOSA,bo@bosa.example.be,Bo,Dubois,FR,2020-02-01,2030-12-31\n"
)
FIN_STAFF = STAFF_HEADER + "FIN,ed@fin.example.be,Ed,Jacobs,NL,2021-05-01,\n"
CERTIFICATES_HEADER = "email,track,obtained_on,status,valid_until\n"


@pytest.fixture
async def english(client):
    client.headers["Accept-Language"] = "en"
    return client


async def upload(
    client,
    path: str,
    kind: str,
    content: bytes | str,
    *,
    name: str = "people.csv",
    csrf: bool = True,
    headers: dict[str, str] | None = None,
):
    data = {"kind": kind}
    if csrf:
        data["_csrf_token"] = client.cookies["csrftoken"]
    if isinstance(content, str):
        content = content.encode("utf-8")
    return await client.post(
        path, data=data, files={"file": (name, content, "text/csv")}, headers=headers
    )


async def staff_emails(code: str | None = None) -> list[str]:
    query = StaffMember.select(StaffMember.email).order_by(StaffMember.email)
    if code:
        query = query.where(StaffMember.organisation.code == code)
    return [row["email"] for row in await query]


async def import_entries(action: str) -> list[dict]:
    return await AuditEntry.select().where(AuditEntry.action == action).order_by(AuditEntry.id)


def as_dict(value):
    return json.loads(value) if isinstance(value, str) else value


def text_of(response) -> str:
    return html.unescape(response.text)


async def dgro_import(kind: str, text: str) -> None:
    result = await import_file(kind, "seed.csv", text.encode(), ImportScope())
    assert result.ok, result.issues


# --- the page ----------------------------------------------------------------------------------


async def test_partner_page_offers_staff_and_certificates_only(english, users):
    await login(english, users["partner_bosa"])
    page = await english.get("/organisations/BOSA/import")
    assert page.status_code == 200
    assert 'enctype="multipart/form-data"' in page.text
    assert 'data-hx-encoding="multipart/form-data"' in page.text
    assert 'accept=".csv,.xlsx"' in page.text
    assert '<option value="staff"' in page.text
    assert '<option value="certificates"' in page.text
    assert '<option value="qchecks"' not in page.text
    assert '<option value="organisations"' not in page.text
    assert "all or nothing" in page.text
    assert "<progress" in page.text
    assert re.search(r'<script src="/static/v/[0-9a-f]{12}/upload.js" defer></script>', page.text)
    assert "<code>organisation_code,email,first_name,last_name,language_role," in page.text
    assert "<code>email,track,obtained_on,status,valid_until</code>" in page.text
    assert "pending until DG R&O verifies them" in page.text
    assert "/organisations/BOSA/staff.csv" in page.text
    assert (await english.get("/static/upload.js")).status_code == 200


async def test_dgro_page_offers_all_four_kinds(english, users):
    await login(english, users["dgro"])
    page = await english.get("/import")
    assert page.status_code == 200
    for kind in ("organisations", "staff", "certificates", "qchecks"):
        assert f'<option value="{kind}"' in page.text
    assert 'action="/eligibility.csv"' in page.text
    assert (await english.get("/organisations/FIN/import")).status_code == 200


async def test_who_may_open_the_import_pages(english, users):
    await login(english, users["partner_bosa"])
    assert (await english.get("/import")).status_code == 403
    assert (await english.get("/organisations/FIN/import")).status_code == 403
    await english.post("/logout", data={"_csrf_token": english.cookies["csrftoken"]})
    await login(english, users["hr_bosa"])
    assert (await english.get("/organisations/BOSA/import")).status_code == 403
    await english.post("/logout", data={"_csrf_token": english.cookies["csrftoken"]})
    anonymous = await english.get("/organisations/BOSA/import")
    assert anonymous.status_code == 303
    assert anonymous.headers["location"].startswith("/login")


# --- importing ---------------------------------------------------------------------------------


async def test_partner_imports_staff_of_own_organisation(english, users):
    await login(english, users["partner_bosa"])
    response = await upload(english, "/organisations/BOSA/import", "staff", STAFF_CSV)
    assert response.status_code == 303
    assert response.headers["location"] == "/organisations/BOSA/import"
    assert await staff_emails("BOSA") == ["an@bosa.example.be", "bo@bosa.example.be"]
    page = await english.get(response.headers["location"])
    assert "Imported 2 rows: 2 new, 0 updated." in page.text
    [entry] = await import_entries("import_staff")
    assert entry["actor_email"] == users["partner_bosa"].email
    assert entry["table_name"] == "staff"
    assert entry["record_key"] == "people.csv"
    assert as_dict(entry["after"]) == {"rows": 2, "created": 2, "updated": 0}


async def test_a_bad_row_writes_nothing_and_is_shown_with_its_values(english, users):
    await login(english, users["partner_bosa"])
    text = (
        STAFF_CSV
        + "BOSA,cy@bosa.example.be,Cy,Claes,NL,2020-13-01,\n"  # line 4: no such month
        + "BOSA,not-an-email,Di,Dumont,XX,2020-01-01,\n"  # line 5: two errors
    )
    response = await upload(english, "/organisations/BOSA/import", "staff", text)
    assert response.status_code == 400
    assert await staff_emails() == []
    assert await import_entries("import_staff") == []
    page = text_of(response)
    assert "Nothing was imported" in page
    assert "3 errors in people.csv" in page
    row4 = re.search(r'<tr id="line-4">(.*?)</tr>', page, re.S)
    assert row4, page
    assert ">4</th>" in row4.group(1)
    assert "<td>cy@bosa.example.be</td>" in row4.group(1)
    assert "<td>2020-13-01</td>" in row4.group(1)
    assert "start_date '2020-13-01' is not a real date" in row4.group(1)
    row5 = re.search(r'<tr id="line-5">(.*?)</tr>', page, re.S)
    assert row5
    assert "<td>not-an-email</td>" in row5.group(1)
    assert "email 'not-an-email' is not an e-mail address" in row5.group(1)
    assert "language_role 'XX' must be one of" in row5.group(1)
    assert 'id="line-2"' not in page  # good rows are not listed
    # the kind stays chosen
    assert '<option value="staff" selected>' in page


async def test_errors_come_back_as_a_fragment_for_htmx(english, users):
    await login(english, users["partner_bosa"])
    text = STAFF_CSV + "BOSA,cy@bosa.example.be,Cy,Claes,NL,,\n"
    response = await upload(
        english, "/organisations/BOSA/import", "staff", text, headers={"HX-Request": "true"}
    )
    assert response.status_code == 400
    assert "<html" not in response.text
    assert response.text.lstrip().startswith('<section id="importer"')
    assert "start_date is empty" in response.text
    good = await upload(
        english, "/organisations/BOSA/import", "staff", STAFF_CSV, headers={"HX-Request": "true"}
    )
    assert good.status_code == 200
    assert good.headers["HX-Redirect"] == "/organisations/BOSA/import"
    assert len(await staff_emails()) == 2


async def test_only_the_first_rows_with_errors_are_listed(english, users, monkeypatch):
    monkeypatch.setattr(exchange, "MAX_ROWS_SHOWN", 2)
    await login(english, users["partner_bosa"])
    text = STAFF_HEADER + "".join(
        f"BOSA,p{n}@bosa.example.be,P,Q,NL,2020-01-0{n},2019-01-01\n" for n in range(1, 6)
    )
    response = await upload(english, "/organisations/BOSA/import", "staff", text)
    assert response.status_code == 400
    assert 'id="line-2"' in response.text and 'id="line-3"' in response.text
    assert 'id="line-4"' not in response.text
    assert "5 errors in people.csv" in response.text
    assert "3 more rows have errors and are not shown." in response.text


async def test_the_page_renders_in_dutch_and_french(client, users):
    await login(client, users["partner_bosa"])
    for language, word in (
        ("nl", "Er werd niets geïmporteerd"),
        ("fr", "Rien n&#39;a été importé"),
    ):
        client.cookies.set("portal_lang", language)
        page = await client.get("/organisations/BOSA/import")
        assert page.status_code == 200
        bad = await upload(client, "/organisations/BOSA/import", "staff", STAFF_HEADER + "x\n")
        assert bad.status_code == 400
        assert word in bad.text or html.unescape(word) in bad.text


async def test_file_level_errors_are_listed_above(english, users):
    await login(english, users["partner_bosa"])
    response = await upload(
        english, "/organisations/BOSA/import", "staff", "email,first_name,colour\nx,y,z\n"
    )
    assert response.status_code == 400
    page = text_of(response)
    assert "Line 1: missing column(s): organisation_code" in page
    assert "unknown column(s): colour" in page
    wrong_type = await upload(
        english, "/organisations/BOSA/import", "staff", "whatever", name="people.txt"
    )
    assert wrong_type.status_code == 400
    assert 'id="import-file-error"' in wrong_type.text
    assert "Only .csv (UTF-8, comma) and .xlsx files can be imported." in wrong_type.text


async def test_missing_file_or_kind_is_shown_next_to_the_field(english, users):
    await login(english, users["partner_bosa"])
    response = await english.post(
        "/organisations/BOSA/import",
        data={"kind": "staff", "_csrf_token": english.cookies["csrftoken"]},
        files={"file": ("", b"", "application/octet-stream")},
    )
    assert response.status_code == 400
    assert 'id="import-file-error"' in response.text
    assert "Choose a .csv or .xlsx file to import." in response.text
    assert 'aria-invalid="true"' in response.text
    response = await upload(english, "/organisations/BOSA/import", "qchecks", STAFF_CSV)
    assert response.status_code == 400
    assert 'id="import-kind-error"' in response.text


async def test_a_file_over_the_limit_is_refused_with_413(english, users, monkeypatch):
    monkeypatch.setattr(exchange, "MAX_FILE_BYTES", 100)
    await login(english, users["partner_bosa"])
    response = await upload(english, "/organisations/BOSA/import", "staff", STAFF_CSV * 3)
    assert response.status_code == 413
    assert "The file is larger than" in response.text
    assert await staff_emails() == []


async def test_partner_cannot_import_organisations_qchecks_or_other_organisations(english, users):
    await login(english, users["partner_bosa"])
    for kind in ("organisations", "qchecks"):
        response = await upload(english, "/organisations/BOSA/import", kind, STAFF_CSV)
        assert response.status_code == 400
        assert "cannot be imported here; choose one of: Staff, Certificates." in response.text
    refused = await upload(english, "/import", "staff", STAFF_CSV)
    assert refused.status_code == 403
    other = await upload(english, "/organisations/FIN/import", "staff", FIN_STAFF)
    assert other.status_code == 403
    # rows for FIN through BOSA's page
    response = await upload(english, "/organisations/BOSA/import", "staff", FIN_STAFF)
    assert response.status_code == 400
    assert "organisation FIN: you can only import for BOSA" in text_of(response)
    assert await staff_emails() == []


async def test_partner_certificates_must_be_pending(english, users):
    await dgro_import("staff", STAFF_CSV + "FIN,ed@fin.example.be,Ed,Jacobs,NL,2021-05-01,\n")
    await login(english, users["partner_bosa"])
    valid = CERTIFICATES_HEADER + "an@bosa.example.be,AZ,2024-01-01,valid,\n"
    response = await upload(english, "/organisations/BOSA/import", "certificates", valid)
    assert response.status_code == 400
    assert "pending until DG R&O verifies them" in text_of(response)
    fin = CERTIFICATES_HEADER + "ed@fin.example.be,AZ,2024-01-01,pending,\n"
    response = await upload(english, "/organisations/BOSA/import", "certificates", fin)
    assert response.status_code == 400
    assert "no staff member with e-mail ed@fin.example.be in BOSA" in text_of(response)
    pending = CERTIFICATES_HEADER + "an@bosa.example.be,AZ,2024-01-01,pending,\n"
    response = await upload(english, "/organisations/BOSA/import", "certificates", pending)
    assert response.status_code == 303
    [row] = await Certificate.select(Certificate.status, Certificate.registered_by)
    assert row == {"status": "pending", "registered_by": users["partner_bosa"].email}


async def test_dgro_imports_qchecks(english, users):
    await dgro_import("staff", STAFF_CSV)
    await login(english, users["dgro"])
    text = (
        "selection_reference,organisation_code,consultant_email,language_role,"
        "closed_on,checked_on,score\n"
        "SEL-2026-001,BOSA,an@bosa.example.be,NL,2026-01-10,2026-02-01,83.25\n"
    )
    response = await upload(english, "/import", "qchecks", text, name="checks.csv")
    assert response.status_code == 303
    assert response.headers["location"] == "/import"
    [check] = await QCheck.select(QCheck.score_hundredths)
    assert check["score_hundredths"] == 8325
    [entry] = await import_entries("import_qchecks")
    assert as_dict(entry["after"]) == {"rows": 1, "created": 1, "updated": 0}
    page = await english.get("/import")
    assert "Imported 1 row: 1 new, 0 updated." in page.text


async def test_xlsx_upload_works(english, users):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(STAFF_HEADER.strip().split(","))
    sheet.append(
        ["BOSA", "xl@bosa.example.be", "Xavier", "Lemaire", "FR", dt.date(2022, 3, 1), None]
    )
    buffer = io.BytesIO()
    workbook.save(buffer)
    await login(english, users["partner_bosa"])
    response = await upload(
        english, "/organisations/BOSA/import", "staff", buffer.getvalue(), name="staff.xlsx"
    )
    assert response.status_code == 303, response.text
    [member] = await StaffMember.select(StaffMember.email, StaffMember.start_date)
    assert member == {"email": "xl@bosa.example.be", "start_date": dt.date(2022, 3, 1)}


async def test_import_without_csrf_token_is_refused(english, users):
    await login(english, users["partner_bosa"])
    response = await upload(english, "/organisations/BOSA/import", "staff", STAFF_CSV, csrf=False)
    assert response.status_code == 403
    assert await staff_emails() == []


# --- exports -----------------------------------------------------------------------------------


async def test_staff_export_reimports_unchanged(english, users):
    await dgro_import("staff", STAFF_CSV + "FIN,ed@fin.example.be,Ed,Jacobs,NL,2021-05-01,\n")
    before = await StaffMember.select().order_by(StaffMember.email)
    await login(english, users["partner_bosa"])
    export = await english.get("/organisations/BOSA/staff.csv")
    assert export.status_code == 200
    assert export.headers["content-type"].startswith("text/csv")
    assert export.headers["content-disposition"] == (
        f'attachment; filename="BOSA-staff-{TODAY}.csv"'
    )
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
    # The import's columns, with its optional `statute` (SPEC 5.1): the export re-imports.
    assert rows[0] == [*STAFF_HEADER.strip().split(","), "statute"]
    assert rows[1:] == [
        ["BOSA", "an@bosa.example.be", "An", "Peeters", "NL", "2020-01-01", "", "statutory"],
        ["BOSA", "bo@bosa.example.be", "Bo", "Dubois", "FR", "2020-02-01", "2030-12-31",
         "statutory"],
    ]  # fmt: skip
    again = await upload(
        english, "/organisations/BOSA/import", "staff", export.content, name="BOSA-staff.csv"
    )
    assert again.status_code == 303
    page = await english.get("/organisations/BOSA/import")
    assert "Imported 2 rows: 0 new, 2 updated." in page.text
    assert await StaffMember.select().order_by(StaffMember.email) == before


async def test_xlsx_exports_reimport_unchanged(english, users):
    await dgro_import("staff", STAFF_CSV)
    await dgro_import(
        "certificates",
        CERTIFICATES_HEADER
        + "an@bosa.example.be,AZ,2024-01-01,valid,2027-01-01\n"
        + "bo@bosa.example.be,SELTEST,2023-05-02,pending,\n",
    )
    before = await Certificate.select().order_by(Certificate.id)
    await login(english, users["dgro"])
    export = await english.get("/organisations/BOSA/certificates.xlsx")
    assert export.status_code == 200
    assert export.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert f'filename="BOSA-certificates-{TODAY}.xlsx"' in export.headers["content-disposition"]
    sheet = load_workbook(io.BytesIO(export.content)).worksheets[0]
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert values[0] == CERTIFICATES_HEADER.strip().split(",")
    assert values[1][:2] == ["an@bosa.example.be", "AZ"]
    assert values[1][2].date() == dt.date(2024, 1, 1)
    again = await upload(
        english,
        "/organisations/BOSA/import",
        "certificates",
        export.content,
        name="certificates.xlsx",
    )
    assert again.status_code == 303, again.text
    page = await english.get("/organisations/BOSA/import")
    assert "Imported 2 rows: 0 new, 2 updated." in page.text
    assert await Certificate.select().order_by(Certificate.id) == before
    staff = await english.get("/organisations/BOSA/staff.xlsx")
    assert staff.status_code == 200
    again = await upload(
        english, "/organisations/BOSA/import", "staff", staff.content, name="staff.xlsx"
    )
    assert again.status_code == 303, again.text


async def test_formulas_are_neutralised_in_csv_and_xlsx(english, users):
    await dgro_import(
        "staff",
        STAFF_HEADER
        + "BOSA,evil@bosa.example.be,=cmd(),+SUM(A1),NL,2020-01-01,\n"
        + "BOSA,tab@bosa.example.be,@home,-minus,FR,2020-01-01,\n"
        + "BOSA,bell@bosa.example.be,Ring\x07,Bell,NL,2020-01-01,\n",
    )
    await login(english, users["hr_bosa"])
    export = await english.get("/organisations/BOSA/staff.csv")
    assert export.status_code == 200
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
    names = {row[1]: row[2:4] for row in rows[1:]}
    assert names["evil@bosa.example.be"] == ["'=cmd()", "'+SUM(A1)"]
    assert names["tab@bosa.example.be"] == ["'@home", "'-minus"]
    workbook = await english.get("/organisations/BOSA/staff.xlsx")
    assert workbook.status_code == 200
    sheet = load_workbook(io.BytesIO(workbook.content)).worksheets[0]
    names = {row[1]: list(row[2:4]) for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert names["evil@bosa.example.be"] == ["'=cmd()", "'+SUM(A1)"]
    assert names["tab@bosa.example.be"] == ["'@home", "'-minus"]
    # a control character XLSX cannot hold is left out instead of failing the export
    assert names["bell@bosa.example.be"] == ["Ring", "Bell"]
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


async def test_eligibility_exports(english, users):
    await login(english, users["dgro"])
    export = await english.get("/eligibility.csv?as_of=2026-06-30")
    assert export.status_code == 200
    assert export.headers["content-disposition"] == (
        'attachment; filename="eligibility-2026-06-30.csv"'
    )
    assert export.content.startswith("\ufeff".encode())  # spreadsheets then read UTF-8
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
    assert rows[0] == [
        "organisation",
        "as_of",
        "eligible_level",
        "granted_level",
        "certified_staff",
        "qcheck_average",
        "qcheck_count",
        "unmet_conditions",
    ]
    codes = [row["code"] for row in await Organisation.select(Organisation.code)]
    assert sorted(row[0] for row in rows[1:]) == sorted(codes)
    assert len(rows) == 1 + len(codes)
    assert all(row[1] == "2026-06-30" for row in rows[1:])
    xlsx = await english.get("/eligibility.xlsx?as_of=2026-06-30")
    assert xlsx.status_code == 200
    sheet = load_workbook(io.BytesIO(xlsx.content)).worksheets[0]
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert values[0] == rows[0]
    assert [row[0] for row in values[1:]] == [row[0] for row in rows[1:]]
    assert (await english.get("/eligibility.csv?as_of=2026-02-30")).status_code == 400
    assert (await english.get("/eligibility.xlsx?as_of=yesterday")).status_code == 400


async def test_export_access(english, users):
    await dgro_import("staff", STAFF_CSV + "FIN,ed@fin.example.be,Ed,Jacobs,NL,2021-05-01,\n")
    await login(english, users["partner_bosa"])
    for path in ("staff.csv", "staff.xlsx", "certificates.csv", "certificates.xlsx"):
        assert (await english.get(f"/organisations/BOSA/{path}")).status_code == 200
        refused = await english.get(f"/organisations/FIN/{path}")
        assert refused.status_code == 403
        assert b"ed@fin.example.be" not in refused.content
    assert (await english.get("/eligibility.csv")).status_code == 403
    assert (await english.get("/eligibility.xlsx")).status_code == 403
    await english.post("/logout", data={"_csrf_token": english.cookies["csrftoken"]})
    await login(english, users["staff_bosa"])
    assert (await english.get("/organisations/BOSA/staff.csv")).status_code == 403
    await english.post("/logout", data={"_csrf_token": english.cookies["csrftoken"]})
    await login(english, users["hr_bosa"])
    assert (await english.get("/organisations/BOSA/staff.xlsx")).status_code == 200
    assert (await english.get("/organisations/BOSA/certificates.csv")).status_code == 200
    assert (await english.get("/organisations/FIN/staff.csv")).status_code == 403
    await english.post("/logout", data={"_csrf_token": english.cookies["csrftoken"]})
    await login(english, users["dgro"])
    assert (await english.get("/organisations/FIN/staff.csv")).status_code == 200
    assert (await english.get("/organisations/NOPE/staff.csv")).status_code == 404


async def test_a_body_over_the_framework_limit_gets_a_clear_413(english, users):
    megabytes = exchange.MAX_FILE_BYTES // 2**20
    await login(english, users["partner_bosa"])
    body = b'--b\r\nContent-Disposition: form-data; name="kind"\r\n\r\nstaff\r\n--b--\r\n'
    headers = {
        "Content-Type": "multipart/form-data; boundary=b",
        "Content-Length": str(exchange.MAX_REQUEST_BYTES + 1),
    }
    for extra in ({}, {"HX-Request": "true"}):
        response = await english.post(
            "/organisations/BOSA/import", content=body, headers={**headers, **extra}
        )
        assert response.status_code == 413
        assert f"The file is larger than {megabytes} MB" in response.text
    assert await staff_emails() == []


async def test_an_uploaded_file_with_a_nul_byte_or_an_overlong_name_is_refused_by_line(
    english, users
):
    """On PostgreSQL these rows answered 500 (NUL, a name longer than its column)."""
    await login(english, users["dgro"])
    nul = STAFF_HEADER + "BOSA,an@bosa.example.be,A\x00n,Peeters,NL,2020-01-01,\n"
    response = await upload(english, "/import", "staff", nul, name="nul.csv")
    assert response.status_code == 400
    assert 'id="line-2"' in response.text
    assert "first_name holds a NUL character" in text_of(response)
    long = STAFF_HEADER + f"BOSA,an@bosa.example.be,{'A' * 100_000},Peeters,NL,2020-01-01,\n"
    response = await upload(english, "/import", "staff", long, name="long.csv")
    assert response.status_code == 400
    assert "first_name is longer than 100 characters (100000 given)" in text_of(response)
    assert len(response.text) < 50_000  # the page does not grow with the cell
    assert await staff_emails() == []
