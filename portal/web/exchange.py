"""Imports from a web page and exports (CSV, XLSX) of staff, certificates and eligibility.

The import page runs the same `certification.importing.import_file` as `portal import`
(SPEC 5.1): all or nothing, and the same errors, shown next to the rows they belong to.
Exports use the import's columns, so an exported file can be imported again; every text
cell is neutralised against spreadsheet formulas (`certification.exports.safe_cell`).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import anyio
from jinja2_fragments.litestar import HTMXBlockTemplate
from litestar import Controller, Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.exceptions import (
    HTTPException,
    NotFoundException,
    PermissionDeniedException,
)
from litestar.exceptions.http_exceptions import RequestEntityTooLarge
from litestar.params import FromPath
from litestar.plugins.flash import flash
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Template

from certification.eligibility import eligibility_for_all
from certification.importing import (
    COLUMNS,
    KINDS,
    MAX_FILE_BYTES,
    ImportIssue,
    ImportRefused,
    ImportResult,
    ImportScope,
    import_file,
    read_rows,
)
from certification.tables import Certificate
from organisations.tables import Organisation, StaffMember
from core import audit
from portal.auth import Role
from portal.errors import error_response
from certification.exports import CSV_COLUMNS, eligibility_csv, safe_cell
from portal.guards import current_user, requires_dgro, requires_organisation_scope, requires_role
from core.i18n import gettext as _
from portal.templating import wants_fragment

# Room for the multipart envelope around a file of the largest size the import accepts.
MAX_REQUEST_BYTES = MAX_FILE_BYTES + 1024 * 1024
# Rows with errors shown on the page; the count of all of them is always given.
MAX_ROWS_SHOWN = 200
MAX_CELL_CHARS = 120
ORGANISATION_KINDS = ("staff", "certificates")
ALLOWED_SUFFIXES = (".csv", ".xlsx")
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
TEMPLATE = "exchange/import.html"

requires_importer = requires_role(Role.DGRO, Role.PRO_PARTNER)
# Whoever may read the staff register (HR included) may download it.
requires_register_reader = requires_role(Role.DGRO, Role.PRO_PARTNER, Role.HR)


# --- the import page ---------------------------------------------------------------------------


def kind_labels() -> dict[str, str]:
    return {
        "organisations": _("Organisations"),
        "staff": _("Staff"),
        "certificates": _("Certificates"),
        "qchecks": _("Q-checks"),
    }


def kind_notes() -> dict[str, str]:
    """What a person must know about a kind's columns beyond their names."""
    return {
        "organisations": _(
            "organisations: language_roles joined with |, e.g. NL|FR; "
            "pro_partner_email may be empty."
        ),
        "staff": _(
            "staff: end_date may be empty; language_role is NL, FR or DE and must be a "
            "language role of the organisation."
        ),
        "certificates": _(
            "certificates: status is pending, valid, suspended or revoked; "
            "valid_until may be empty."
        ),
        "qchecks": _(
            "qchecks: score is a percentage from 0 to 100 with at most two decimals, "
            "with a dot (83.25)."
        ),
    }


@dataclass
class ImportPage:
    """Everything the import template shows; one object for GET, errors and fragments."""

    action: str
    kinds: tuple[str, ...]
    organisation: dict[str, Any] | None = None
    kind: str = ""
    file_name: str = ""
    field_errors: dict[str, str] = field(default_factory=dict)
    result: ImportResult | None = None
    file_issues: list[ImportIssue] = field(default_factory=list)
    header: list[str] = field(default_factory=list)
    bad_rows: list[dict[str, Any]] = field(default_factory=list)
    bad_row_count: int = 0
    partner_only: bool = False
    organisation_codes: list[str] = field(default_factory=list)

    def context(self) -> dict[str, Any]:
        return {
            "page": self,
            "columns": COLUMNS,
            "kind_labels": kind_labels(),
            "kind_notes": kind_notes(),
            "max_megabytes": MAX_FILE_BYTES // 2**20,
            "max_bytes": MAX_FILE_BYTES,
            "max_rows_shown": MAX_ROWS_SHOWN,
            "today": dt.date.today().isoformat(),
        }


async def _organisation(code: str) -> dict[str, Any]:
    row = await Organisation.select().where(Organisation.code == code).first()
    if row is None:
        raise NotFoundException(_("There is no organisation with code %(code)s.", code=code))
    return row


def _is_partner_only(request: Request) -> bool:
    user = current_user(request)
    return user is not None and not user.is_dgro


async def _organisation_page(request: Request, code: str) -> ImportPage:
    organisation = await _organisation(code)
    return ImportPage(
        action=f"/organisations/{organisation['code']}/import",
        kinds=ORGANISATION_KINDS,
        organisation=organisation,
        partner_only=_is_partner_only(request),
    )


async def _dgro_page() -> ImportPage:
    codes = await Organisation.select(Organisation.code).order_by(Organisation.code)
    return ImportPage(
        action="/import", kinds=KINDS, organisation_codes=[row["code"] for row in codes]
    )


def _scope(request: Request, page: ImportPage) -> ImportScope:
    user = current_user(request)
    assert user is not None  # the guards let only logged-in users in
    if user.is_dgro:
        return ImportScope(actor=user.email)
    if page.organisation is None or not user.has_role(Role.PRO_PARTNER):
        raise PermissionDeniedException(_("Your role does not allow this."))
    return ImportScope(
        organisation_code=page.organisation["code"], may_set_status=False, actor=user.email
    )


def _upload_name(upload: UploadFile) -> str:
    # Some browsers send a whole Windows path; keep the last part only.
    return upload.filename.replace("\\", "/").rsplit("/", 1)[-1].strip()[:200]


def _cell_text(value: str) -> str:
    if len(value) > MAX_CELL_CHARS:
        return value[: MAX_CELL_CHARS - 1] + "…"
    return value


def _offending_rows(file_name: str, data: bytes, issues: list[ImportIssue]) -> tuple:
    """The header and the rows that have errors, with their cells as in the file."""
    by_line: dict[int, list[str]] = {}
    for issue in issues:
        if issue.line > 1:
            by_line.setdefault(issue.line, []).append(issue.message)
    if not by_line:
        return [], [], 0
    try:
        header, rows = read_rows(file_name, data)
    except ImportRefused:
        # A file refused while reading (e.g. not UTF-8 from line N on): the line and its
        # message are still listed, without cells.
        header, rows = [], []
    cells = {row.line: row.values for row in rows}
    shown = []
    for line in sorted(by_line)[:MAX_ROWS_SHOWN]:
        values = cells.get(line, {})
        shown.append(
            {
                "line": line,
                "cells": [_cell_text(values.get(column, "")) for column in header],
                "messages": by_line[line],
            }
        )
    return header, shown, len(by_line)


def _render(request: HTMXRequest, page: ImportPage, status: int) -> Template:
    headers = {"Vary": "HX-Request"}
    if wants_fragment(request):
        return HTMXBlockTemplate(
            template_name=TEMPLATE,
            block_name="importer",
            context=page.context(),
            status_code=status,
            headers=headers,
        )
    return Template(TEMPLATE, context=page.context(), status_code=status, headers=headers)


def _audit_import(request: Request, kind: str, file_name: str) -> Callable:
    actor = audit.Actor.from_connection(request)

    async def record(result: ImportResult) -> None:
        await audit.record(
            actor,
            f"import_{kind}",
            table=kind,
            key=file_name,
            after={"rows": result.rows, "created": result.created, "updated": result.updated},
        )

    return record


async def _handle_upload(request: HTMXRequest, page: ImportPage) -> Response:
    scope = _scope(request, page)
    form = await request.form()
    page.kind = str(form.get("kind", "")).strip()
    upload = form.get("file")
    if page.kind not in page.kinds:
        if page.kind in KINDS:
            labels = kind_labels()
            page.field_errors["kind"] = _(
                "%(kind)s cannot be imported here; choose one of: %(kinds)s.",
                kind=labels[page.kind],
                kinds=", ".join(labels[k] for k in page.kinds),
            )
        else:
            page.field_errors["kind"] = _("Choose what the file contains from the list.")
        page.kind = ""
    data = b""
    too_large = False
    if not isinstance(upload, UploadFile) or not upload.filename:
        page.field_errors["file"] = _("Choose a .csv or .xlsx file to import.")
    else:
        page.file_name = _upload_name(upload)
        if Path(page.file_name).suffix.lower() not in ALLOWED_SUFFIXES:
            page.field_errors["file"] = _(
                "Only .csv (UTF-8, comma) and .xlsx files can be imported."
            )
        else:
            data = await upload.read(MAX_FILE_BYTES + 1)
            if len(data) > MAX_FILE_BYTES:
                too_large = True
                page.field_errors["file"] = _too_large_message()
            elif not data:
                page.field_errors["file"] = _("The file %(name)s is empty.", name=page.file_name)
        await upload.close()
    if page.field_errors:
        return _render(request, page, 413 if too_large else 400)

    result = await import_file(
        page.kind,
        page.file_name,
        data,
        scope,
        record=_audit_import(request, page.kind, page.file_name),
    )
    if not result.ok:
        page.result = result
        page.file_issues = [issue for issue in result.issues if issue.line <= 1]
        page.header, page.bad_rows, page.bad_row_count = await anyio.to_thread.run_sync(
            _offending_rows, page.file_name, data, result.issues
        )
        return _render(request, page, 400)

    flash(
        request,
        _(
            "Imported %(rows)d rows: %(created)d new, %(updated)d updated.",
            rows=result.rows,
            created=result.created,
            updated=result.updated,
        ),
        category="success",
    )
    if request.htmx:
        # The whole page is reloaded, so the message and any counts on it are fresh.
        return Response(None, status_code=200, headers={"HX-Redirect": page.action})
    return Redirect(page.action, status_code=303)


def _too_large_message() -> str:
    return _(
        "The file is larger than %(size)d MB. Split it into smaller files "
        "and import them one after the other.",
        size=MAX_FILE_BYTES // 2**20,
    )


def _too_large(request: Request, exc: Exception) -> Response:
    """The framework refused the body before the handler ran (see `MAX_REQUEST_BYTES`)."""
    return error_response(request, 413, _too_large_message())


UPLOAD_OPTIONS: dict[str, Any] = {
    "request_max_body_size": MAX_REQUEST_BYTES,
    "exception_handlers": {RequestEntityTooLarge: _too_large},
}


# --- exports ------------------------------------------------------------------------------------


def _text(value: Any) -> Any:
    """A cell value: dates as YYYY-MM-DD, nothing as empty, formulas neutralised."""
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    return safe_cell(value)


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """UTF-8 with a byte order mark, so spreadsheets read accents right; imports accept it."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([_text(v) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def xlsx_bytes(sheet_title: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """One sheet; dates as real dates shown YYYY-MM-DD, numbers as numbers, text neutralised."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_title)
    for index in range(len(header)):
        sheet.column_dimensions[_column_letter(index)].width = 18
    sheet.append(list(header))
    for row in rows:
        cells: list[Any] = []
        for value in row:
            if isinstance(value, dt.date):
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = "yyyy-mm-dd"
                cells.append(cell)
            elif isinstance(value, str):
                cells.append(safe_cell(ILLEGAL_CHARACTERS_RE.sub("", value)))
            else:
                cells.append(value)
        sheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _column_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)


def _download(content: bytes, file_name: str, media_type: str) -> Response:
    return Response(
        content,
        media_type=media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{file_name}"',
            "Cache-Control": "no-store",
        },
    )


def _export(
    fmt: str, prefix: str, title: str, header: Sequence[str], rows: Sequence[Sequence[Any]]
) -> Response:
    name = f"{prefix}-{dt.date.today().isoformat()}.{fmt}"
    if fmt == "xlsx":
        return _download(xlsx_bytes(title, header, rows), name, XLSX_MEDIA_TYPE)
    return _download(csv_bytes(header, rows), name, CSV_MEDIA_TYPE)


async def staff_rows(code: str) -> list[tuple]:
    rows = (
        await StaffMember.select(
            StaffMember.email,
            StaffMember.first_name,
            StaffMember.last_name,
            StaffMember.language_role,
            StaffMember.start_date,
            StaffMember.end_date,
        )
        .where(StaffMember.organisation.code == code)
        .order_by(StaffMember.email)
    )
    return [
        (
            code,
            r["email"],
            r["first_name"],
            r["last_name"],
            r["language_role"],
            r["start_date"],
            r["end_date"],
        )
        for r in rows
    ]


async def certificate_rows(code: str) -> list[tuple]:
    rows = (
        await Certificate.select(
            Certificate.staff.email,
            Certificate.track.code,
            Certificate.obtained_on,
            Certificate.status,
            Certificate.valid_until,
        )
        .where(Certificate.staff.organisation.code == code)
        .order_by(Certificate.staff.email)
        .order_by(Certificate.track.code)
        .order_by(Certificate.obtained_on)
    )
    return [
        (
            r["staff.email"],
            r["track.code"],
            r["obtained_on"],
            r["status"],
            r["valid_until"],
        )
        for r in rows
    ]


NUMERIC_ELIGIBILITY_COLUMNS = {"certified_staff": int, "qcheck_count": int, "qcheck_average": float}


def eligibility_sheet_rows(text: str) -> list[list[Any]]:
    """The rows of `eligibility_csv` (one source for the columns), numbers as numbers."""
    records = list(csv.reader(io.StringIO(text)))[1:]
    out = []
    for record in records:
        row: list[Any] = []
        for column, value in zip(CSV_COLUMNS, record, strict=True):
            convert = NUMERIC_ELIGIBILITY_COLUMNS.get(column)
            row.append(convert(value) if convert and value != "" else value)
        out.append(row)
    return out


def _as_of(raw: str | None) -> dt.date:
    if not raw:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(raw.strip())
    except ValueError:
        raise HTTPException(
            status_code=400,
            detail=_("as_of %(value)s is not a date in the form YYYY-MM-DD.", value=raw[:40]),
        ) from None


# --- routes -------------------------------------------------------------------------------------


class ExchangeController(Controller):
    include_in_schema = False

    @get("/import", guards=[requires_dgro], name="import")
    async def import_page(self, request: HTMXRequest) -> Template:
        return _render(request, await _dgro_page(), 200)

    @post("/import", guards=[requires_dgro], status_code=303, **UPLOAD_OPTIONS)
    async def import_upload(self, request: HTMXRequest) -> Response:
        return await _handle_upload(request, await _dgro_page())

    @get(
        "/organisations/{code:str}/import",
        guards=[requires_importer, requires_organisation_scope],
        name="organisation_import",
    )
    async def organisation_import_page(self, request: HTMXRequest, code: FromPath[str]) -> Template:
        return _render(request, await _organisation_page(request, code), 200)

    @post(
        "/organisations/{code:str}/import",
        guards=[requires_importer, requires_organisation_scope],
        status_code=303,
        **UPLOAD_OPTIONS,
    )
    async def organisation_import_upload(
        self, request: HTMXRequest, code: FromPath[str]
    ) -> Response:
        return await _handle_upload(request, await _organisation_page(request, code))

    @get(
        ["/organisations/{code:str}/staff.csv", "/organisations/{code:str}/staff.xlsx"],
        guards=[requires_register_reader, requires_organisation_scope],
        name="staff_export",
    )
    async def staff_export(self, request: Request, code: FromPath[str]) -> Response:
        organisation = await _organisation(code)
        rows = await staff_rows(organisation["code"])
        return _export(
            _format(request), f"{organisation['code']}-staff", "staff", COLUMNS["staff"], rows
        )

    @get(
        [
            "/organisations/{code:str}/certificates.csv",
            "/organisations/{code:str}/certificates.xlsx",
        ],
        guards=[requires_register_reader, requires_organisation_scope],
        name="certificates_export",
    )
    async def certificates_export(self, request: Request, code: FromPath[str]) -> Response:
        organisation = await _organisation(code)
        rows = await certificate_rows(organisation["code"])
        return _export(
            _format(request),
            f"{organisation['code']}-certificates",
            "certificates",
            COLUMNS["certificates"],
            rows,
        )

    @get("/eligibility.csv", guards=[requires_dgro], name="eligibility_csv")
    async def eligibility_csv_export(self, request: Request) -> Response:
        day = _as_of(request.query_params.get("as_of"))
        rows = [r.as_dict() for r in await eligibility_for_all(day)]
        content = ("\ufeff" + eligibility_csv(rows)).encode("utf-8")
        return _download(content, f"eligibility-{day.isoformat()}.csv", CSV_MEDIA_TYPE)

    @get("/eligibility.xlsx", guards=[requires_dgro], name="eligibility_xlsx")
    async def eligibility_xlsx_export(self, request: Request) -> Response:
        day = _as_of(request.query_params.get("as_of"))
        rows = [r.as_dict() for r in await eligibility_for_all(day)]
        content = xlsx_bytes(
            "eligibility", CSV_COLUMNS, eligibility_sheet_rows(eligibility_csv(rows))
        )
        return _download(content, f"eligibility-{day.isoformat()}.xlsx", XLSX_MEDIA_TYPE)


def _format(request: Request) -> str:
    return "xlsx" if request.url.path.endswith(".xlsx") else "csv"
