"""Imports of SPEC 5.1: organisations, staff, certificates and Q-checks from CSV or XLSX.

All or nothing: every row is validated first and every error is reported as
`FILE:LINE: message`; only a file without errors is written, in one transaction, with
bulk upserts on the natural keys (never one ORM round-trip per row).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from certification.rules import LANGUAGE_ROLES, CertificateStatus
from certification.tables import Certificate, Track
from organisations.tables import Organisation, ProPartnerTerm, StaffAssignment, StaffMember
from core.database import bulk_upsert, refresh_statistics, write_transaction
from qchecks.tables import SelectionFile

COLUMNS: dict[str, tuple[str, ...]] = {
    "organisations": ("code", "name_nl", "name_fr", "language_roles", "pro_partner_email"),
    "staff": (
        "organisation_code",
        "email",
        "first_name",
        "last_name",
        "language_role",
        "start_date",
        "end_date",
    ),
    "certificates": ("email", "track", "obtained_on", "status", "valid_until"),
    "qchecks": (
        "selection_reference",
        "organisation_code",
        "consultant_email",
        "language_role",
        "closed_on",
        "checked_on",
        "score",
    ),
}
KINDS = tuple(COLUMNS)

MAX_FILE_BYTES = 128 * 1024 * 1024
MAX_XLSX_UNPACKED_BYTES = 256 * 1024 * 1024
MAX_XLSX_RATIO = 100
MAX_ROWS = 2_000_000
CHUNK = 500
# Large imports refresh the planner's statistics of the tables they wrote.
ANALYZE_AFTER_ROWS = 1000
TABLES_WRITTEN = {
    "organisations": ("organisation", "pro_partner_term"),
    "staff": ("staff_member", "staff_assignment"),
    "certificates": ("certificate",),
    "qchecks": ("selection_file", "qcheck"),
}  # rows per INSERT statement: below SQLite's limit on bound variables

EMAIL = re.compile(r"^[^@\s,;]+@[^@\s,;]+\.[^@\s,;]+$")
ORGANISATION_CODE = re.compile(r"^[A-Z0-9][A-Z0-9_-]{1,19}$")
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
SCORE = re.compile(r"^\d{1,3}(\.\d{1,2})?$")


class ImportRefused(Exception):
    """The whole file is refused before any row is read (size, format, header)."""

    def __init__(self, issues: list[ImportIssue]) -> None:
        super().__init__("; ".join(i.message for i in issues))
        self.issues = issues


@dataclass(frozen=True)
class ImportIssue:
    line: int
    message: str

    def format(self, file_name: str) -> str:
        return f"{file_name}:{self.line}: {self.message}"


@dataclass
class ImportResult:
    kind: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    issues: list[ImportIssue] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.issues


@dataclass(frozen=True)
class ImportScope:
    """Who imports: DG R&O may import everything; a PRO Partner only its own organisation."""

    organisation_code: str | None = None  # None: every organisation (DG R&O, the CLI)
    may_set_status: bool = True  # only DG R&O verifies certificates
    actor: str | None = None


# --- reading ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    line: int
    values: dict[str, str]


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _check_xlsx_container(data: bytes) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise ImportRefused([ImportIssue(0, "this is not a readable .xlsx file")]) from None
    unpacked = 0
    for info in archive.infolist():
        unpacked += info.file_size
        if info.compress_size and info.file_size / info.compress_size > MAX_XLSX_RATIO:
            raise ImportRefused(
                [ImportIssue(0, "the .xlsx file is refused: it unpacks to far more than its size")]
            )
    if unpacked > MAX_XLSX_UNPACKED_BYTES:
        raise ImportRefused(
            [
                ImportIssue(
                    0,
                    f"the .xlsx file is refused: it unpacks to more than "
                    f"{MAX_XLSX_UNPACKED_BYTES // 2**20} MB",
                )
            ]
        )


def read_rows(file_name: str, data: bytes) -> tuple[list[str], list[Row]]:
    """Header and rows of a .csv (UTF-8, comma) or .xlsx file (first sheet)."""
    if len(data) > MAX_FILE_BYTES:
        raise ImportRefused(
            [ImportIssue(0, f"the file is larger than {MAX_FILE_BYTES // 2**20} MB")]
        )
    suffix = Path(file_name).suffix.lower()
    if suffix == ".csv":
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            line = data[: error.start].count(b"\n") + 1
            raise ImportRefused(
                [ImportIssue(line, "the file is not UTF-8 text (save it as CSV UTF-8)")]
            ) from None
        reader = csv.reader(io.StringIO(text, newline=""))
        try:
            records = [(reader.line_num, record) for record in reader]
        except csv.Error as error:
            raise ImportRefused(
                [ImportIssue(reader.line_num, f"unreadable CSV: {error}")]
            ) from None
    elif suffix == ".xlsx":
        _check_xlsx_container(data)
        from openpyxl import load_workbook

        try:
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception:  # openpyxl raises many kinds for a damaged file
            raise ImportRefused([ImportIssue(0, "this is not a readable .xlsx file")]) from None
        sheet = workbook.worksheets[0]
        records = [
            (number, [_cell(v) for v in values])
            for number, values in enumerate(sheet.iter_rows(values_only=True), start=1)
        ]
        workbook.close()
    else:
        raise ImportRefused([ImportIssue(0, "only .csv and .xlsx files can be imported")])

    records = [(line, r) for line, r in records if any(cell.strip() for cell in r)]
    if not records:
        raise ImportRefused([ImportIssue(1, "the file is empty: a header row is needed")])
    _, header = records[0]
    header = [h.strip().lower() for h in header]
    while header and header[-1] == "":
        header.pop()
    if len(records) - 1 > MAX_ROWS:
        raise ImportRefused([ImportIssue(0, f"the file has more than {MAX_ROWS} rows")])
    rows = []
    for line, record in records[1:]:
        cells = [c.strip() for c in record]
        if len(cells) > len(header) and any(cells[len(header) :]):
            rows.append(Row(line, {"__extra__": "1"}))
            continue
        cells += [""] * (len(header) - len(cells))
        rows.append(Row(line, dict(zip(header, cells, strict=False))))
    return header, rows


def check_header(kind: str, header: list[str]) -> list[ImportIssue]:
    expected = COLUMNS[kind]
    issues = []
    missing = [c for c in expected if c not in header]
    extra = [c for c in header if c not in expected]
    duplicated = sorted({c for c in header if header.count(c) > 1})
    if missing:
        issues.append(ImportIssue(1, f"missing column(s): {', '.join(missing)}"))
    if extra:
        issues.append(
            ImportIssue(
                1,
                f"unknown column(s): {', '.join(c or '(empty)' for c in extra)}; "
                f"the columns are: {', '.join(expected)}",
            )
        )
    if duplicated:
        issues.append(ImportIssue(1, f"column(s) given twice: {', '.join(duplicated)}"))
    return issues


# --- validation helpers ------------------------------------------------------------------------


class RowErrors:
    def __init__(self, line: int, issues: list[ImportIssue]) -> None:
        self.line = line
        self.issues = issues
        self.count = 0

    def add(self, message: str) -> None:
        self.issues.append(ImportIssue(self.line, message))
        self.count += 1


def _required(values: dict[str, str], column: str, errors: RowErrors) -> str:
    value = values.get(column, "")
    if value == "":
        errors.add(f"{column} is empty")
    return value


def _date(
    values: dict[str, str], column: str, errors: RowErrors, *, optional: bool = False
) -> dt.date | None:
    raw = values.get(column, "")
    if raw == "":
        if not optional:
            errors.add(f"{column} is empty")
        return None
    if not ISO_DATE.match(raw):
        errors.add(f"{column} {raw!r} is not a date in the form YYYY-MM-DD")
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        errors.add(f"{column} {raw!r} is not a real date")
        return None


def _email(
    values: dict[str, str], column: str, errors: RowErrors, *, optional: bool = False
) -> str:
    raw = values.get(column, "").strip().lower()
    if raw == "":
        if not optional:
            errors.add(f"{column} is empty")
        return ""
    if not EMAIL.match(raw):
        errors.add(f"{column} {raw!r} is not an e-mail address")
    return raw


def _language(value: str, column: str, errors: RowErrors) -> str:
    role = value.strip().upper()
    if role not in LANGUAGE_ROLES:
        errors.add(f"{column} {value!r} must be one of {', '.join(LANGUAGE_ROLES)}")
    return role


def _duplicates(key: Any, line: int, seen: dict[Any, int], errors: RowErrors, what: str) -> None:
    if key in seen:
        errors.add(f"{what} is already on line {seen[key]} of this file")
    else:
        seen[key] = line


def _chunks(items: list[Any]) -> Iterable[list[Any]]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


# --- the four kinds ----------------------------------------------------------------------------


async def _organisation_map() -> dict[str, dict[str, Any]]:
    rows = await Organisation.select(
        Organisation.id,
        Organisation.code,
        Organisation.language_roles,
        Organisation.pro_partner_email,
    )
    return {row["code"]: row for row in rows}


def _in_scope(code: str, scope: ImportScope, errors: RowErrors) -> bool:
    if scope.organisation_code is not None and code != scope.organisation_code:
        errors.add(
            f"organisation {code} is not yours: you can only import for {scope.organisation_code}"
        )
        return False
    return True


async def _import_organisations(
    rows: list[Row], scope: ImportScope, result: ImportResult
) -> Callable | None:
    if scope.organisation_code is not None:
        result.issues.append(ImportIssue(0, "only DG R&O can import organisations"))
        return None
    existing = await _organisation_map()
    seen: dict[str, int] = {}
    records = []
    for row in rows:
        errors = RowErrors(row.line, result.issues)
        v = row.values
        code = _required(v, "code", errors).upper()
        if code and not ORGANISATION_CODE.match(code):
            errors.add(f"code {code!r} must be 2 to 20 capital letters, digits, '-' or '_'")
        _duplicates(code, row.line, seen, errors, f"organisation {code}")
        name_nl = _required(v, "name_nl", errors)
        name_fr = _required(v, "name_fr", errors)
        roles = [r.strip().upper() for r in v.get("language_roles", "").split("|") if r.strip()]
        if not roles:
            errors.add("language_roles is empty: give e.g. NL|FR")
        bad = [r for r in roles if r not in LANGUAGE_ROLES]
        if bad:
            errors.add(f"language_roles {'|'.join(bad)} unknown: use NL, FR and/or DE, joined by |")
        if len(set(roles)) != len(roles):
            errors.add("language_roles lists a role twice")
        partner = _email(v, "pro_partner_email", errors, optional=True)
        if errors.count == 0:
            records.append((code, name_nl, name_fr, "|".join(roles), partner or None))
    result.rows = len(rows)

    async def write() -> None:
        today = dt.date.today()
        result.created = sum(1 for r in records if r[0] not in existing)
        result.updated = len(records) - result.created
        now = dt.datetime.now(dt.UTC)
        await bulk_upsert(
            "organisation",
            ("code", "name_nl", "name_fr", "language_roles", "pro_partner_email", "created_at"),
            [(*record, now) for record in records],
            conflict=("code",),
            update=("name_nl", "name_fr", "language_roles", "pro_partner_email"),
        )
        changed = [
            r for r in records if (existing.get(r[0]) or {}).get("pro_partner_email") != r[4]
        ]
        if changed:
            ids = {
                row["code"]: row["id"]
                for row in await Organisation.select(Organisation.id, Organisation.code)
            }
            changed_ids = [ids[r[0]] for r in changed]
            await ProPartnerTerm.update({ProPartnerTerm.ended_on: today}).where(
                ProPartnerTerm.organisation.is_in(changed_ids) & ProPartnerTerm.ended_on.is_null()
            )
            terms = [
                ProPartnerTerm(organisation=ids[r[0]], email=r[4], started_on=today)
                for r in changed
                if r[4]
            ]
            for chunk in _chunks(terms):
                await ProPartnerTerm.insert(*chunk)

    return write


async def _import_staff(
    rows: list[Row], scope: ImportScope, result: ImportResult
) -> Callable | None:
    organisations = await _organisation_map()
    existing = {
        row["email"]: row
        for row in await StaffMember.select(
            StaffMember.id,
            StaffMember.email,
            StaffMember.organisation,
            StaffMember.start_date,
            StaffMember.end_date,
        )
    }
    seen: dict[str, int] = {}
    records = []
    for row in rows:
        errors = RowErrors(row.line, result.issues)
        v = row.values
        code = _required(v, "organisation_code", errors).upper()
        organisation = organisations.get(code)
        if code and organisation is None:
            errors.add(f"organisation {code} does not exist (import organisations first)")
        elif code:
            _in_scope(code, scope, errors)
        email = _email(v, "email", errors)
        _duplicates(email, row.line, seen, errors, f"staff member {email}")
        first = _required(v, "first_name", errors)
        last = _required(v, "last_name", errors)
        role = _language(_required(v, "language_role", errors), "language_role", errors)
        if (
            organisation
            and role in LANGUAGE_ROLES
            and role not in organisation["language_roles"].split("|")
        ):
            errors.add(
                f"language_role {role} is not a language role of {code} "
                f"({organisation['language_roles'].replace('|', ', ')})"
            )
        start = _date(v, "start_date", errors)
        end = _date(v, "end_date", errors, optional=True)
        if start and end and end < start:
            errors.add("end_date comes before start_date")
        previous = existing.get(email)
        if (
            previous is not None
            and scope.organisation_code is not None
            and organisation is not None
            and previous["organisation"] != organisation["id"]
        ):
            errors.add(
                f"{email} is staff of another organisation; "
                "DG R&O records moves between organisations"
            )
        if errors.count == 0 and organisation is not None:
            records.append((organisation["id"], email, first, last, role, start, end))
    result.rows = len(rows)

    async def write() -> None:
        result.created = sum(1 for r in records if r[1] not in existing)
        result.updated = len(records) - result.created
        moves = [
            StaffAssignment(
                staff=existing[r[1]]["id"],
                organisation=existing[r[1]]["organisation"],
                start_date=existing[r[1]]["start_date"],
                end_date=existing[r[1]]["end_date"]
                or ((r[5] or dt.date.today()) - dt.timedelta(days=1)),
            )
            for r in records
            if r[1] in existing and existing[r[1]]["organisation"] != r[0]
        ]
        await bulk_upsert(
            "staff_member",
            (
                "organisation",
                "email",
                "first_name",
                "last_name",
                "language_role",
                "start_date",
                "end_date",
            ),
            records,
            conflict=("email",),
            update=(
                "organisation",
                "first_name",
                "last_name",
                "language_role",
                "start_date",
                "end_date",
            ),
        )
        for chunk in _chunks(moves):
            await StaffAssignment.insert(*chunk)

    return write


async def _import_certificates(
    rows: list[Row], scope: ImportScope, result: ImportResult
) -> Callable | None:
    tracks = {row["code"]: row["id"] for row in await Track.select(Track.id, Track.code)}
    staff = {
        row["email"]: row
        for row in await StaffMember.select(
            StaffMember.id, StaffMember.email, StaffMember.organisation.code
        )
    }
    existing = {
        (row["staff"], row["track"], row["obtained_on"]): (row["status"], row["valid_until"])
        for row in await Certificate.select(
            Certificate.staff,
            Certificate.track,
            Certificate.obtained_on,
            Certificate.status,
            Certificate.valid_until,
        )
    }
    statuses = [s.value for s in CertificateStatus]
    seen: dict[tuple, int] = {}
    records = []
    for row in rows:
        errors = RowErrors(row.line, result.issues)
        v = row.values
        email = _email(v, "email", errors)
        member = staff.get(email)
        if email and member is None:
            errors.add(f"no staff member with e-mail {email} (import staff first)")
        elif member is not None:
            _in_scope(member["organisation.code"], scope, errors)
        track_code = _required(v, "track", errors).upper()
        track = tracks.get(track_code)
        if track_code and track is None:
            errors.add(
                f"track {track_code} does not exist; the tracks are {', '.join(sorted(tracks))}"
            )
        obtained = _date(v, "obtained_on", errors)
        status = v.get("status", "").strip().lower()
        if status not in statuses:
            errors.add(f"status {v.get('status', '')!r} must be one of {', '.join(statuses)}")
        until = _date(v, "valid_until", errors, optional=True)
        known = (
            existing.get((member["id"], track, obtained))
            if member is not None and track is not None
            else None
        )
        if not scope.may_set_status and status in statuses:
            # A PRO Partner registers pending certificates; one DG R&O has decided on may
            # come back (an export re-imported) but only unchanged.
            if known is not None and known[0] != CertificateStatus.PENDING:
                if (status, until) != known:
                    errors.add(f"this certificate is {known[0]}: only DG R&O can change it now")
            elif status != CertificateStatus.PENDING:
                errors.add(
                    f"status {status}: certificates you register are pending "
                    "until DG R&O verifies them"
                )
        if obtained and until and until < obtained:
            errors.add("valid_until comes before obtained_on")
        if obtained and obtained > dt.date.today() + dt.timedelta(days=366):
            errors.add("obtained_on is more than a year in the future")
        _duplicates((email, track_code, obtained), row.line, seen, errors, "this certificate")
        if errors.count == 0 and member is not None and track is not None:
            records.append((member["id"], track, obtained, status, until))
    result.rows = len(rows)

    async def write() -> None:
        result.created = sum(1 for r in records if (r[0], r[1], r[2]) not in existing)
        result.updated = len(records) - result.created
        await bulk_upsert(
            "certificate",
            (
                "staff",
                "track",
                "obtained_on",
                "status",
                "valid_until",
                "status_reason",
                "registered_by",
            ),
            [(*record, "", scope.actor) for record in records],
            conflict=("staff", "track", "obtained_on"),
            update=("status", "valid_until"),
        )

    return write


async def _import_qchecks(
    rows: list[Row], scope: ImportScope, result: ImportResult
) -> Callable | None:
    if scope.organisation_code is not None:
        result.issues.append(ImportIssue(0, "only DG R&O records Q-checks"))
        return None
    organisations = await _organisation_map()
    staff = {
        row["email"]: row["id"]
        for row in await StaffMember.select(StaffMember.id, StaffMember.email)
    }
    existing = {row["reference"] for row in await SelectionFile.select(SelectionFile.reference)}
    seen: dict[str, int] = {}
    records = []
    for row in rows:
        errors = RowErrors(row.line, result.issues)
        v = row.values
        reference = _required(v, "selection_reference", errors)
        if len(reference) > 60:
            errors.add("selection_reference is longer than 60 characters")
        _duplicates(reference, row.line, seen, errors, f"selection file {reference}")
        code = _required(v, "organisation_code", errors).upper()
        organisation = organisations.get(code)
        if code and organisation is None:
            errors.add(f"organisation {code} does not exist")
        email = _email(v, "consultant_email", errors)
        consultant = staff.get(email)
        if email and consultant is None:
            errors.add(
                f"no staff member with e-mail {email} (the consultant must be registered staff)"
            )
        role = _language(_required(v, "language_role", errors), "language_role", errors)
        closed = _date(v, "closed_on", errors)
        checked = _date(v, "checked_on", errors)
        if closed and checked and checked < closed:
            errors.add("checked_on comes before closed_on: only a closed selection file is checked")
        raw_score = v.get("score", "").strip()
        score = None
        if raw_score == "":
            errors.add("score is empty")
        elif "," in raw_score:
            errors.add(f"score {raw_score!r}: use a dot for decimals, e.g. 83.25")
        elif not SCORE.match(raw_score):
            errors.add(
                f"score {raw_score!r} must be a percentage from 0 to 100 with at most two decimals"
            )
        else:
            try:
                value = Decimal(raw_score)
            except InvalidOperation:  # pragma: no cover - the pattern already guards
                value = Decimal(-1)
            if not Decimal(0) <= value <= Decimal(100):
                errors.add(f"score {raw_score} is outside 0–100")
            else:
                score = int(value * 100)
        if errors.count == 0 and organisation is not None and consultant is not None:
            records.append(
                (reference, organisation["id"], consultant, role, closed, checked, score)
            )
    result.rows = len(rows)

    async def write() -> None:
        result.created = sum(1 for r in records if r[0] not in existing)
        result.updated = len(records) - result.created
        await bulk_upsert(
            "selection_file",
            ("reference", "organisation", "language_role", "closed_on"),
            [(ref, o, lr, cl) for ref, o, _c, lr, cl, _ch, _s in records],
            conflict=("reference",),
            update=("organisation", "language_role", "closed_on"),
        )
        await bulk_upsert(
            "qcheck",
            ("selection_file", "organisation", "consultant", "checked_on", "score_hundredths"),
            [(ref, o, c, ch, sc) for ref, o, c, _lr, _cl, ch, sc in records],
            conflict=("selection_file",),
            update=("organisation", "consultant", "checked_on", "score_hundredths"),
            expressions={"selection_file": "(SELECT id FROM selection_file WHERE reference = {})"},
        )

    return write


_VALIDATORS = {
    "organisations": _import_organisations,
    "staff": _import_staff,
    "certificates": _import_certificates,
    "qchecks": _import_qchecks,
}


async def import_file(
    kind: str, file_name: str, data: bytes, scope: ImportScope, *, record: Callable | None = None
) -> ImportResult:
    """Validate every row; write all of them in one transaction only if none has an error.

    `record(result)` is awaited inside the same transaction (the audit entry).
    """
    result = ImportResult(kind=kind)
    if kind not in COLUMNS:
        result.issues.append(ImportIssue(0, f"unknown kind {kind!r}: use {', '.join(KINDS)}"))
        return result
    try:
        header, rows = read_rows(file_name, data)
    except ImportRefused as refused:
        result.issues.extend(refused.issues)
        return result
    result.issues.extend(check_header(kind, header))
    if result.issues:
        return result
    for row in rows:
        if "__extra__" in row.values:
            result.issues.append(
                ImportIssue(row.line, "this row has more cells than the header has columns")
            )
    rows = [row for row in rows if "__extra__" not in row.values]
    write = await _VALIDATORS[kind](rows, scope, result)
    result.issues.sort(key=lambda issue: issue.line)
    if result.issues or write is None:
        result.created = result.updated = 0
        return result
    async with write_transaction():
        await write()
        if record is not None:
            await record(result)
    if result.rows >= ANALYZE_AFTER_ROWS:
        await refresh_statistics(*TABLES_WRITTEN[kind])
    return result
