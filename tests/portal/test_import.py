"""Imports (SPEC 5.1): all or nothing, clear messages, upserts, CSV and XLSX, scope."""

import asyncio
import datetime as dt
import io
import os
import subprocess
import sys
import zipfile

import pytest
from openpyxl import Workbook

import core.importing as importing
from certification.tables import Certificate
from core.audit import Actor
from organisations.tables import Organisation, StaffAssignment, StaffMember, StaffMoveRequest
from portal.imports import ImportScope, import_file
from qchecks.tables import QCheck
from tests.conftest import DATABASE_URL

ORGS = (
    "code,name_nl,name_fr,language_roles,pro_partner_email\n"
    "BOSA,FOD BOSA,SPF BOSA,NL|FR,partner@bosa.be\n"
    "FIN,FOD Financiën,SPF Finances,NL|FR|DE,\n"
)
STAFF = (
    "organisation_code,email,first_name,last_name,language_role,start_date,end_date\n"
    "BOSA,an@bosa.be,An,Peeters,NL,2020-01-01,\n"
    "BOSA,bo@bosa.be,Bo,Dubois,FR,2020-02-01,2030-12-31\n"
    "FIN,ed@fin.be,Ed,Jacobs,DE,2021-05-01,\n"
)


PARTNER = Actor(email="partner@bosa.be", roles="pro_partner")


def csv_bytes(text: str) -> bytes:
    return text.encode("utf-8")


async def run(kind: str, text: str, scope: ImportScope | None = None, name: str = "file.csv"):
    return await import_file(kind, name, csv_bytes(text), scope or ImportScope())


async def base_data():
    assert (await run("organisations", ORGS)).ok
    assert (await run("staff", STAFF)).ok


async def test_a_clean_import_creates_then_updates_by_natural_key():
    first = await run("organisations", ORGS)
    assert (first.rows, first.created, first.updated) == (2, 2, 0)
    changed = ORGS.replace("FOD Financiën", "FOD Financiën (nieuw)")
    second = await run("organisations", changed)
    assert (second.created, second.updated) == (0, 2)
    names = await Organisation.select(Organisation.name_nl).where(Organisation.code == "FIN")
    assert names == [{"name_nl": "FOD Financiën (nieuw)"}]


async def test_one_bad_row_writes_nothing_and_every_error_names_its_line():
    await base_data()
    text = (
        "email,track,obtained_on,status,valid_until\n"
        "an@bosa.be,AZ,2021-01-01,valid,\n"  # line 2: fine
        "bo@bosa.be,AZ,2021-02-30,valid,\n"  # line 3: no such date
        "ghost@bosa.be,SELTEST,2021-01-01,valid,\n"  # line 4: unknown staff
        "an@bosa.be,CHEF,2021/01/01,approved,\n"  # line 5: three errors
        "an@bosa.be,AZ,2021-01-01,valid,\n"  # line 6: duplicate of line 2
    )
    result = await run("certificates", text)
    assert not result.ok
    lines = [issue.format("certs.csv") for issue in result.issues]
    assert lines == [
        "certs.csv:3: obtained_on '2021-02-30' is not a real date",
        "certs.csv:4: no staff member with e-mail ghost@bosa.be (import staff first)",
        "certs.csv:5: track CHEF does not exist; the tracks are ASSESS, AZ, INTERVIEW, SELTEST",
        "certs.csv:5: obtained_on '2021/01/01' is not a date in the form YYYY-MM-DD",
        "certs.csv:5: status 'approved' must be one of pending, valid, suspended, revoked",
        "certs.csv:6: this certificate is already on line 2 of this file",
    ]
    assert await Certificate.count() == 0


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("email,track,obtained_on,status", "missing column(s): valid_until"),
        ("email,track,obtained_on,status,valid_until,notes", "unknown column(s): notes"),
        ("email,email,track,obtained_on,status,valid_until", "column(s) given twice: email"),
    ],
)
async def test_header_must_have_exactly_the_columns(header, message):
    result = await run("certificates", header + "\n")
    assert any(message in issue.message and issue.line == 1 for issue in result.issues)


async def test_columns_may_come_in_any_order():
    await base_data()
    text = "status,valid_until,obtained_on,track,email\nvalid,,2022-03-01,AZ,an@bosa.be\n"
    assert (await run("certificates", text)).ok
    assert await Certificate.count() == 1


async def test_staff_validation_messages():
    assert (await run("organisations", ORGS)).ok
    text = (
        "organisation_code,email,first_name,last_name,language_role,start_date,end_date\n"
        "NOPE,x@nope.be,X,Y,NL,2020-01-01,\n"
        "BOSA,not-an-email,X,Y,NL,2020-01-01,\n"
        "BOSA,de@bosa.be,X,Y,DE,2020-01-01,\n"
        "BOSA,late@bosa.be,X,Y,NL,2020-05-01,2020-04-30\n"
        "BOSA,empty@bosa.be,,Y,EN,2020-01-01,\n"
    )
    messages = [i.format("s.csv") for i in (await run("staff", text)).issues]
    assert messages == [
        "s.csv:2: organisation NOPE does not exist (import organisations first)",
        "s.csv:3: email 'not-an-email' is not an e-mail address",
        "s.csv:4: language_role DE is not a language role of BOSA (NL, FR)",
        "s.csv:5: end_date comes before start_date",
        "s.csv:6: first_name is empty",
        "s.csv:6: language_role 'EN' must be one of NL, FR, DE",
    ]
    assert await StaffMember.count() == 0


async def test_moving_organisation_keeps_one_record_and_its_history():
    await base_data()
    moved = (
        "organisation_code,email,first_name,last_name,language_role,start_date,end_date\n"
        "FIN,an@bosa.be,An,Peeters,NL,2024-03-01,\n"
    )
    assert (await run("staff", moved)).ok
    rows = await StaffMember.select(StaffMember.organisation.code).where(
        StaffMember.email == "an@bosa.be"
    )
    assert rows == [{"organisation.code": "FIN"}]
    history = await StaffAssignment.select(
        StaffAssignment.organisation.code, StaffAssignment.start_date, StaffAssignment.end_date
    )
    assert history == [
        {
            "organisation.code": "BOSA",
            "start_date": dt.date(2020, 1, 1),
            "end_date": dt.date(2024, 2, 29),
        }
    ]


@pytest.mark.parametrize(
    ("score", "message"),
    [
        ("100.01", "outside 0–100"),
        ('"83,5"', "use a dot for decimals"),  # quoted, as a spreadsheet writes it
        ("83.255", "at most two decimals"),
        ("-1", "at most two decimals"),
        ("", "score is empty"),
    ],
)
async def test_qcheck_scores_are_checked(score, message):
    await base_data()
    text = (
        "selection_reference,organisation_code,consultant_email,language_role,closed_on,checked_on,score\n"
        f"S-1,BOSA,an@bosa.be,NL,2026-01-01,2026-02-01,{score}\n"
    )
    result = await run("qchecks", text)
    assert any(message in issue.message for issue in result.issues), result.issues
    assert await QCheck.count() == 0


async def test_qcheck_scores_keep_their_hundredths_exactly():
    await base_data()
    text = (
        "selection_reference,organisation_code,consultant_email,language_role,closed_on,checked_on,score\n"
        "S-1,BOSA,an@bosa.be,NL,2026-01-01,2026-02-01,79.99\n"
        "S-2,BOSA,an@bosa.be,NL,2026-01-01,2026-01-01,100\n"
        "S-3,BOSA,an@bosa.be,NL,2026-03-01,2026-02-01,50\n"
    )
    result = await run("qchecks", text)
    assert [i.message for i in result.issues] == [
        "checked_on comes before closed_on: only a closed selection file is checked"
    ]
    assert (await run("qchecks", "\n".join(text.splitlines()[:3]) + "\n")).ok
    scores = await QCheck.select(QCheck.score_hundredths).order_by(QCheck.score_hundredths)
    assert scores == [{"score_hundredths": 7999}, {"score_hundredths": 10000}]


async def test_a_pro_partner_imports_only_for_its_own_organisation_and_only_pending():
    await base_data()
    scope = ImportScope(organisation_code="BOSA", may_set_status=False, actor=PARTNER)
    text = (
        "email,track,obtained_on,status,valid_until\n"
        "an@bosa.be,AZ,2021-01-01,pending,\n"
        "ed@fin.be,AZ,2021-01-01,pending,\n"
        "bo@bosa.be,SELTEST,2021-01-01,valid,\n"
    )
    result = await run("certificates", text, scope)
    assert [i.format("c.csv") for i in result.issues] == [
        "c.csv:3: no staff member with e-mail ed@fin.be in BOSA (import staff first)",
        "c.csv:4: status valid: certificates you register are pending until DG R&O verifies them",
    ]
    assert not (await run("organisations", ORGS, scope)).ok
    ok = await run("certificates", "\n".join(text.splitlines()[:2]) + "\n", scope)
    assert ok.ok
    registered = await Certificate.select(Certificate.status, Certificate.registered_by)
    assert registered == [{"status": "pending", "registered_by": "partner@bosa.be"}]


async def test_xlsx_with_real_date_cells():
    await base_data()
    book = Workbook()
    sheet = book.active
    sheet.append(["email", "track", "obtained_on", "status", "valid_until"])
    sheet.append(["an@bosa.be", "AZ", dt.datetime(2022, 5, 4), "valid", None])
    sheet.append(["bo@bosa.be", "SELTEST", "2022-06-01", "valid", dt.date(2027, 1, 1)])
    buffer = io.BytesIO()
    book.save(buffer)
    result = await import_file("certificates", "certs.xlsx", buffer.getvalue(), ImportScope())
    assert result.ok, result.issues
    rows = await Certificate.select(Certificate.obtained_on, Certificate.valid_until).order_by(
        Certificate.obtained_on
    )
    assert rows == [
        {"obtained_on": dt.date(2022, 5, 4), "valid_until": None},
        {"obtained_on": dt.date(2022, 6, 1), "valid_until": dt.date(2027, 1, 1)},
    ]


async def test_an_xlsx_bomb_is_refused_before_it_is_unpacked():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"<a>" + b" " * 50_000_000 + b"</a>")
    result = await import_file("staff", "bomb.xlsx", buffer.getvalue(), ImportScope())
    assert [i.message for i in result.issues] == [
        "the .xlsx file is refused: it unpacks to far more than its size"
    ]


async def test_a_belgian_excel_csv_semicolons_and_windows_1252_is_read(tmp_path):
    """Excel with Belgian settings saves "CSV" with semicolons, in Windows-1252 (SPEC 5.1):
    the header row gives the separator, the summary names the encoding."""
    text = (
        "code;name_nl;name_fr;language_roles;pro_partner_email\r\n"
        "X1;FOD Financiën;SPF Économie, PME;NL|FR;\r\n"
        '"X2";"Één; twee";"Côté";FR;\r\n'
    )
    result = await import_file("organisations", "o.csv", text.encode("cp1252"), ImportScope())
    assert (result.ok, result.rows, result.created, result.encoding) == (True, 2, 2, "Windows-1252")
    names = await Organisation.select(Organisation.code, Organisation.name_nl, Organisation.name_fr)
    assert sorted((r["code"], r["name_nl"], r["name_fr"]) for r in names) == [
        ("X1", "FOD Financiën", "SPF Économie, PME"),
        ("X2", "Één; twee", "Côté"),
    ]
    # The same file in UTF-8 (with a BOM) is read as UTF-8 and says nothing of encodings.
    again = await import_file("organisations", "o.csv", text.encode("utf-8-sig"), ImportScope())
    assert (again.ok, again.updated, again.encoding) == (True, 2, "")
    # A comma file whose cells hold semicolons keeps its commas: the header decides.
    commas = "code,name_nl,name_fr,language_roles,pro_partner_email\nX3,A;B,C;D,NL,\n"
    assert (await import_file("organisations", "o.csv", commas.encode(), ImportScope())).ok
    # The command line says it too.
    path = tmp_path / "belgian.csv"
    path.write_bytes(text.encode("cp1252"))
    run = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "portal", "import", "organisations", str(path)],
        capture_output=True,
        text=True,
        env={**os.environ, "DATABASE_URL": DATABASE_URL},
        check=False,
    )
    assert run.returncode == 0, run.stderr
    assert "Imported 2 organisations rows: 0 new, 2 updated." in run.stdout
    assert "read as Windows-1252" in run.stdout


async def test_files_that_cannot_be_read_get_one_clear_message(monkeypatch):
    # 0x81 is neither UTF-8 (alone) nor Windows-1252.
    unreadable = b"code,name_nl,name_fr,language_roles,pro_partner_email\nX1," + b"\x81\n"
    result = await import_file("organisations", "o.csv", unreadable, ImportScope())
    assert [i.format("o.csv") for i in result.issues] == [
        "o.csv:2: the file is neither UTF-8 nor Windows-1252 text"
    ]
    assert (await import_file("staff", "s.txt", b"x", ImportScope())).issues[0].message == (
        "only .csv and .xlsx files can be imported"
    )
    assert (await import_file("staff", "s.xlsx", b"not a zip", ImportScope())).issues[
        0
    ].message == ("this is not a readable .xlsx file")
    monkeypatch.setattr(importing, "MAX_FILE_BYTES", 100)
    big = await import_file("organisations", "o.csv", csv_bytes(ORGS * 5), ImportScope())
    assert big.issues[0].message.startswith("the file is larger than")
    assert await Organisation.count() == 0


async def test_a_row_longer_than_the_header_is_an_error():
    text = ORGS + "MOB,FOD Mobiliteit,SPF Mobilité,NL|FR,,surplus\n"
    result = await run("organisations", text)
    assert [i.format("o.csv") for i in result.issues] == [
        "o.csv:4: this row has more cells than the header has columns"
    ]


async def test_the_command_line_prints_file_line_messages_and_exits_non_zero(tmp_path):
    bad = tmp_path / "orgs.csv"
    bad.write_text(ORGS.replace("NL|FR|DE", "NL|XX"), encoding="utf-8")
    env = {**os.environ, "DATABASE_URL": DATABASE_URL}
    result = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "portal", "import", "organisations", str(bad)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert result.returncode == 1
    assert f"{bad}:3: language_roles XX unknown: use NL, FR and/or DE, joined by |" in result.stderr
    assert "Nothing was imported" in result.stderr
    good = tmp_path / "good.csv"
    good.write_text(ORGS, encoding="utf-8")
    ok = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "portal", "import", "organisations", str(good)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert ok.returncode == 0, ok.stderr
    assert "2 new, 0 updated" in ok.stdout


async def test_a_pro_partner_cannot_change_a_certificate_dgro_has_decided():
    await base_data()
    decided = (
        "email,track,obtained_on,status,valid_until\nan@bosa.be,AZ,2021-01-01,valid,2027-01-01\n"
    )
    assert (await run("certificates", decided)).ok
    scope = ImportScope(organisation_code="BOSA", may_set_status=False, actor=PARTNER)
    unchanged = await run("certificates", decided, scope)
    assert unchanged.ok and (unchanged.created, unchanged.updated) == (0, 1)
    for changed in (
        decided.replace(",valid,", ",pending,"),
        decided.replace("2027-01-01", "2030-01-01"),
    ):
        result = await run("certificates", changed, scope)
        assert [i.message for i in result.issues] == [
            "this certificate is valid: only DG R&O can change it now"
        ]
    rows = await Certificate.select(Certificate.status, Certificate.valid_until)
    assert rows == [{"status": "valid", "valid_until": dt.date(2027, 1, 1)}]


async def index_names(table: str) -> set[str]:
    """The table's indexes, and on PostgreSQL its foreign keys."""
    from core.database import is_sqlite

    if is_sqlite():
        query = "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = {}"
        return {row["name"] for row in await QCheck.raw(query, table)}
    indexes = "SELECT indexname AS name FROM pg_indexes WHERE tablename = {}"
    # On PostgreSQL a bulk load also drops and re-adds the foreign keys.
    foreign_keys = (
        "SELECT conname AS name FROM pg_constraint WHERE conrelid = {}::regclass AND contype = 'f'"
    )
    names = {row["name"] for row in await QCheck.raw(indexes, table)}
    return names | {row["name"] for row in await QCheck.raw(foreign_keys, table)}


async def test_a_bulk_load_rebuilds_the_indexes_it_dropped(monkeypatch):
    """A load at least as large as the table drops the secondary indexes and builds them
    again after the merge: the same indexes, the same rows, and a second (smaller) load
    keeps them up to date as usual."""
    await base_data()
    before = {table: await index_names(table) for table in ("qcheck", "selection_file")}
    assert "qcheck_window" in before["qcheck"]
    monkeypatch.setattr(importing, "BULK_LOAD_ROWS", 2)
    header = "selection_reference,organisation_code,consultant_email,language_role,closed_on,checked_on,score\n"
    first = header + "".join(
        f"S-{n},BOSA,an@bosa.be,NL,2026-01-01,2026-02-{n:02d},{70 + n}\n" for n in range(1, 6)
    )
    assert (await run("qchecks", first)).ok
    assert {t: await index_names(t) for t in before} == before
    assert await QCheck.count() == 5
    second = header + "S-6,BOSA,bo@bosa.be,FR,2026-01-01,2026-03-01,90\n"
    assert (await run("qchecks", second)).ok
    assert {t: await index_names(t) for t in before} == before
    scores = await QCheck.select(QCheck.score_hundredths).order_by(QCheck.score_hundredths)
    assert [row["score_hundredths"] for row in scores] == [7100, 7200, 7300, 7400, 7500, 9000]
    # The first load went into empty tables (on PostgreSQL without their unique keys, a
    # plain INSERT): the keys are back, so the same file again updates, it adds nothing.
    again = await run("qchecks", first)
    assert (again.ok, again.created, again.updated) == (True, 0, 5)
    assert await QCheck.count() == 6


async def test_a_selection_file_given_twice_names_the_line_that_has_it_first():
    await base_data()
    header = "selection_reference,organisation_code,consultant_email,language_role,closed_on,checked_on,score\n"
    text = header + (
        "S-1,BOSA,an@bosa.be,NL,2026-01-01,2026-02-01,80\n"
        "S-2,BOSA,an@bosa.be,NL,2026-01-01,2026-02-01,80\n"
        "S-1,BOSA,an@bosa.be,NL,2026-01-01,2026-02-01,81\n"
        "S-1,BOSA,nobody@bosa.be,NL,2026-01-01,2026-02-01,82\n"
    )
    result = await run("qchecks", text, name="q.csv")
    assert [i.format("q.csv") for i in result.issues] == [
        "q.csv:4: selection file S-1 is already on line 2 of this file",
        "q.csv:5: no staff member with e-mail nobody@bosa.be (the consultant must be registered staff)",
        "q.csv:5: selection file S-1 is already on line 2 of this file",
    ]
    assert await QCheck.count() == 0


async def test_bulk_loads_of_staff_and_certificates_keep_every_index_and_key(monkeypatch):
    assert (await run("organisations", ORGS)).ok
    tables = ("staff_member", "certificate")
    before = {table: await index_names(table) for table in tables}
    monkeypatch.setattr(importing, "BULK_LOAD_ROWS", 2)
    assert (await run("staff", STAFF)).ok  # 3 rows into an empty table: a bulk load
    certificates = (
        "email,track,obtained_on,status,valid_until\n"
        "an@bosa.be,AZ,2021-01-01,valid,\n"
        "bo@bosa.be,SELTEST,2021-01-01,valid,2030-01-01\n"
    )
    assert (await run("certificates", certificates)).ok
    assert {table: await index_names(table) for table in tables} == before
    assert await StaffMember.count() == 3
    assert await Certificate.count() == 2


async def test_qchecks_keep_spec_5_1_no_future_and_a_consultant_of_the_organisation():
    """Nothing that happened lies in the future, and the consultant was on the staff of the
    file's organisation on its closing date (an earlier posting before a move counts)."""
    await base_data()
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    header = "selection_reference,organisation_code,consultant_email,language_role,closed_on,checked_on,score\n"
    text = header + (
        f"S-1,BOSA,an@bosa.be,NL,2026-01-01,{tomorrow},80\n"
        f"S-2,BOSA,an@bosa.be,NL,{tomorrow},{tomorrow},80\n"
        "S-3,FIN,an@bosa.be,NL,2026-01-01,2026-02-01,80\n"
        "S-4,BOSA,an@bosa.be,NL,2019-12-31,2020-02-01,80\n"
        "S-5,BOSA,bo@bosa.be,FR,2026-01-01,2026-02-01,80\n"
    )
    result = await run("qchecks", text, name="q.csv")
    assert [i.format("q.csv") for i in result.issues] == [
        f"q.csv:2: checked_on {tomorrow} lies in the future",
        f"q.csv:3: closed_on {tomorrow} lies in the future: only a closed selection file is checked",
        f"q.csv:3: checked_on {tomorrow} lies in the future",
        "q.csv:4: consultant an@bosa.be is not on the staff of FIN on closed_on 2026-01-01",
        "q.csv:5: consultant an@bosa.be is not on the staff of BOSA on closed_on 2019-12-31",
    ]
    assert await QCheck.count() == 0
    # An moves to FIN from 2026-06-01: a file BOSA closed before the move is still theirs.
    moved = STAFF.replace(
        "BOSA,an@bosa.be,An,Peeters,NL,2020-01-01,", "FIN,an@bosa.be,An,Peeters,NL,2026-06-01,"
    )
    assert (await run("staff", moved)).ok
    later = header + (
        "S-6,BOSA,an@bosa.be,NL,2026-01-01,2026-02-01,80\n"
        "S-7,FIN,an@bosa.be,NL,2026-07-01,2026-07-02,90\n"
        "S-8,BOSA,an@bosa.be,NL,2026-07-01,2026-07-02,90\n"
    )
    result = await run("qchecks", later, name="q.csv")
    assert [i.format("q.csv") for i in result.issues] == [
        "q.csv:4: consultant an@bosa.be is not on the staff of BOSA on closed_on 2026-07-01"
    ]
    assert (await run("qchecks", "\n".join(later.splitlines()[:3]) + "\n")).ok
    assert await QCheck.count() == 2


async def test_clean_rows_and_rows_with_a_problem_are_read_alike():
    """The shortcut for clean rows and the full check read the same cells the same way:
    lower-case codes, upper-case e-mails and spaces give the same Q-checks either way."""
    await base_data()
    header = "selection_reference,organisation_code,consultant_email,language_role,closed_on,checked_on,score\n"
    text = header + (
        " S-1 , bosa ,AN@BOSA.BE, nl ,2026-01-01,2026-02-01, 80.5 \n"
        "S-2,BOSA,an@bosa.be,NL,2026-01-01,2026-02-01,90\n"
    )
    assert (await run("qchecks", text)).ok
    first = await QCheck.select(
        QCheck.score_hundredths,
        QCheck.selection_file.reference,
        QCheck.selection_file.language_role,
    ).order_by(QCheck.id)
    assert [
        (r["selection_file.reference"], r["selection_file.language_role"], r["score_hundredths"])
        for r in first
    ] == [
        ("S-1", "NL", 8050),
        ("S-2", "NL", 9000),
    ]
    # The same rows beside a bad one: each goes through the full check, nothing is written.
    bad = text + "S-3,BOSA,an@bosa.be,NL,2026-01-01,2026-02-01,101\n"
    result = await run("qchecks", bad.replace("S-1", "S-4").replace("S-2", "S-5"))
    assert [i.message for i in result.issues] == ["score 101 is outside 0–100"]


# --- what a PRO Partner's import tells about other organisations: nothing (issue 13 #6) ---


async def test_a_partners_import_errors_are_the_same_for_another_organisations_keys_and_unknown_ones():
    await base_data()
    assert (await run("functions", "email,function,started_on\ned@fin.be,Auditor,2022-01-01\n")).ok
    scope = ImportScope(organisation_code="BOSA", may_set_status=False, actor=PARTNER)

    async def messages(kind: str, header: str, row: str) -> list[str]:
        result = await run(kind, f"{header}\n{row}\n", scope)
        return [issue.format("f.csv") for issue in result.issues]

    staff_header = "organisation_code,email,first_name,last_name,language_role,start_date,end_date"
    # FIN exists (with the DE language role); NOPE does not: the same words for both.
    fin = await messages("staff", staff_header, "FIN,new@fin.be,Ne,W,DE,2022-01-01,")
    nope = await messages("staff", staff_header, "NOPE,new@fin.be,Ne,W,DE,2022-01-01,")
    assert fin == ["f.csv:2: organisation FIN: you can only import for BOSA"]
    assert nope == [m.replace("FIN", "NOPE") for m in fin]

    header = "email,track,obtained_on,status,valid_until"
    theirs = await messages("certificates", header, "ed@fin.be,AZ,2021-01-01,pending,")
    nobody = await messages("certificates", header, "zz@fin.be,AZ,2021-01-01,pending,")
    assert theirs == ["f.csv:2: no staff member with e-mail ed@fin.be in BOSA (import staff first)"]
    assert nobody == [m.replace("ed@fin.be", "zz@fin.be") for m in theirs]

    header = "email,function,started_on"
    theirs = await messages("functions", header, "ed@fin.be,Auditor,2022-01-01")
    nobody = await messages("functions", header, "zz@fin.be,Auditor,2022-01-01")
    assert theirs == ["f.csv:2: no staff member with e-mail ed@fin.be in BOSA"]
    assert nobody == [m.replace("ed@fin.be", "zz@fin.be") for m in theirs]

    # An address another organisation's staff member has is not taken over: the row becomes
    # a move request for DG R&O, and the result reads as for an unknown address (issue 18,
    # row 10).
    taken = await run("staff", f"{staff_header}\nBOSA,ed@fin.be,Ed,Jacobs,NL,2022-01-01,\n", scope)
    unknown = await run("staff", f"{staff_header}\nBOSA,zz@bosa.be,Zo,Zee,NL,2022-01-01,\n", scope)
    assert (taken.ok, taken.created, taken.updated, taken.issues) == (True, 1, 0, [])
    assert (unknown.ok, unknown.created, unknown.updated, unknown.issues) == (True, 1, 0, [])
    ed = await StaffMember.select().where(StaffMember.email == "ed@fin.be").first()
    fin_id = (await Organisation.select().where(Organisation.code == "FIN").first())["id"]
    assert (ed["organisation"], ed["language_role"]) == (fin_id, "DE")  # FIN's, unchanged
    [move] = await StaffMoveRequest.select().where(StaffMoveRequest.staff == ed["id"])
    assert (move["state"], move["first_name"], move["last_name"]) == ("pending", "Ed", "Jacobs")


# --- the same length limits as the forms, and no NUL character (issue 13 #3) ---

LONG_EMAIL = "a" * 5000 + "@bosa.be"


@pytest.mark.parametrize(
    ("kind", "text", "expected"),
    [
        (
            "staff",
            STAFF.splitlines()[0]
            + "\n"
            + f"BOSA,an@bosa.be,{'A' * 100_000},Peeters,NL,2020-01-01,\n",
            ["f.csv:2: first_name is longer than 100 characters (100000 given)"],
        ),
        (
            "staff",
            STAFF.splitlines()[0] + "\n" + f"BOSA,{LONG_EMAIL},An,{'P' * 101},NL,2020-01-01,\n",
            [
                "f.csv:2: email is longer than 254 characters (5008 given)",
                "f.csv:2: last_name is longer than 100 characters (101 given)",
            ],
        ),
        (
            "organisations",
            ORGS.splitlines()[0] + "\n" + f"XYZ,{'N' * 256},SPF,NL|FR,\n",
            ["f.csv:2: name_nl is longer than 255 characters (256 given)"],
        ),
        (
            "certificates",
            f"email,track,obtained_on,status,valid_until\n{LONG_EMAIL},AZ,2021-01-01,valid,\n",
            ["f.csv:2: email is longer than 254 characters (5008 given)"],
        ),
        (
            "certificates",
            f"email,track,obtained_on,status,valid_until\nan@bosa.be,AZ,{'2' * 300},valid,\n",
            ["f.csv:2: obtained_on is longer than 255 characters (300 given)"],
        ),
        (
            "qchecks",
            "selection_reference,organisation_code,consultant_email,language_role,closed_on,"
            f"checked_on,score\n{'R' * 61},BOSA,an@bosa.be,NL,2026-01-01,2026-02-01,80\n",
            ["f.csv:2: selection_reference is longer than 60 characters (61 given)"],
        ),
        (
            "functions",
            f"email,function,started_on\nan@bosa.be,{'F' * 201},2022-01-01\n",
            ["f.csv:2: function is longer than 200 characters (201 given)"],
        ),
        (
            "staff",
            STAFF.splitlines()[0] + "\n" + "BOSA,an@bosa.be,A\x00n,Peeters,NL,2020-01-01,\n",
            ["f.csv:2: first_name holds a NUL character (\\0), which no text may contain"],
        ),
        (
            "qchecks",
            "selection_reference,organisation_code,consultant_email,language_role,closed_on,"
            "checked_on,score\nS-\x001,BOSA,an@bosa.be,NL,2026-01-01,2026-02-01,80\n",
            ["f.csv:2: selection_reference holds a NUL character (\\0), which no text may contain"],
        ),
        (
            "functions",
            "email,func\x00tion,started_on\nan@bosa.be,Auditor,2022-01-01\n",
            ["f.csv:1: the header holds a NUL character (\\0), which no text may contain"],
        ),
    ],
)
async def test_every_kind_keeps_the_forms_lengths_and_refuses_nul(kind, text, expected):
    await base_data()
    before = {
        "staff": await StaffMember.select().order_by(StaffMember.id),
        "organisations": await Organisation.select().order_by(Organisation.id),
    }
    result = await run(kind, text, name="f.csv")
    assert [issue.format("f.csv") for issue in result.issues] == expected
    assert result.created == result.updated == 0
    assert await StaffMember.select().order_by(StaffMember.id) == before["staff"]
    assert await Organisation.select().order_by(Organisation.id) == before["organisations"]
    assert await Certificate.count() == 0
    assert await QCheck.count() == 0


def test_the_import_limits_are_the_tables_and_the_forms_lengths():
    from organisations.forms import parse_staff_form
    from organisations.importing import STAFF
    from qchecks.forms import MAX_REFERENCE
    from qchecks.importing import QCHECKS

    assert STAFF.limits["first_name"] == StaffMember.first_name.length == 100
    assert QCHECKS.limits["selection_reference"] == MAX_REFERENCE
    form = {"email": "a@b.be", "first_name": "A" * 101, "last_name": "B", "language_role": "NL"}
    assert "first_name" in parse_staff_form({**form, "start_date": "2020-01-01"}, ["NL"]).errors
    form["first_name"] = "A" * 100
    assert parse_staff_form({**form, "start_date": "2020-01-01"}, ["NL"]).ok


# --- rows wider than the header (issue 18, info row: 10kcols_row.csv was imported) ---

WIDE_ROW = "MOB,FOD Mobiliteit,SPF Mobilité,NL|FR," + "," * 10_000 + "\n"


async def test_a_row_wider_than_the_header_is_refused_even_with_empty_cells():
    result = await run("organisations", ORGS + WIDE_ROW)
    assert [i.format("o.csv") for i in result.issues] == [
        "o.csv:4: this row has more cells than the header has columns"
    ]
    assert await Organisation.count() == 0
    # A spreadsheet's export that ends the header and every row with the same empty
    # cells is read as before; a cell under a column without a name is not.
    trailing = "".join(line + ",,\n" for line in ORGS.splitlines())
    assert (await run("organisations", trailing)).ok
    assert await Organisation.count() == 2
    unnamed = ORGS.splitlines()[0] + ",,\n" + "MOB,FOD Mobiliteit,SPF Mobilité,NL|FR,,,x\n"
    assert [i.format("o.csv") for i in (await run("organisations", unnamed)).issues] == [
        "o.csv:2: this row has more cells than the header has columns"
    ]
    assert await Organisation.count() == 2


async def test_the_command_line_and_the_web_page_refuse_a_row_wider_than_the_header(
    tmp_path, client, users
):
    from tests.conftest import login

    wide = tmp_path / "10kcols_row.csv"
    wide.write_text(ORGS + WIDE_ROW, encoding="utf-8")
    env = {**os.environ, "DATABASE_URL": DATABASE_URL}
    result = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "portal", "import", "organisations", str(wide)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert result.returncode == 1
    assert f"{wide}:4: this row has more cells than the header has columns" in result.stderr
    assert "Nothing was imported" in result.stderr
    await login(client, users["dgro"])
    before = await Organisation.count()
    answer = await client.post(
        "/import",
        data={"kind": "organisations", "_csrf_token": client.cookies["csrftoken"]},
        files={"file": ("10kcols_row.csv", (ORGS + WIDE_ROW).encode(), "text/csv")},
        headers={"Accept-Language": "en"},
    )
    assert answer.status_code == 400
    assert "this row has more cells than the header has columns" in answer.text
    assert await Organisation.count() == before


# --- dates PostgreSQL would not keep as typed (issue 18, info row: 9999-12-31 -> infinity) ---


async def test_a_far_date_is_stored_as_typed_and_one_beyond_the_calendar_is_refused():
    """asyncpg writes 9999-12-31 (and 0001-01-01) to PostgreSQL as `infinity`: dates
    are held to 1900-01-01..2999-12-31, and the last of them reads back as typed, in
    Python and in the database's own text."""
    await base_data()
    header = "email,track,obtained_on,status,valid_until\n"
    for bad, column in (("9999-12-31", "valid_until"), ("0001-01-01", "obtained_on")):
        row = "an@bosa.be,AZ,2021-01-01,valid,2027-01-01\n".replace(
            "2027-01-01" if column == "valid_until" else "2021-01-01", bad
        )
        result = await run("certificates", header + row)
        assert [i.format("c.csv") for i in result.issues] == [
            f"c.csv:2: {column} '{bad}' is not a date from 1900-01-01 to 2999-12-31"
        ]
    assert await Certificate.count() == 0
    assert (await run("certificates", header + "an@bosa.be,AZ,1900-01-01,valid,2999-12-31\n")).ok
    stored = await Certificate.select(Certificate.obtained_on, Certificate.valid_until)
    assert stored == [{"obtained_on": dt.date(1900, 1, 1), "valid_until": dt.date(2999, 12, 31)}]
    text = await Certificate.raw(
        "SELECT CAST(obtained_on AS TEXT) AS obtained, CAST(valid_until AS TEXT) AS until "
        "FROM certificate"
    )
    assert text == [{"obtained": "1900-01-01", "until": "2999-12-31"}]
