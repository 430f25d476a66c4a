"""Imports from a web page and exports (CSV, XLSX) of staff, certificates and eligibility.

The import page is the web face of `portal import` (SPEC 5.1): the same validation, the same
all-or-nothing write, the same messages, shown next to the rows they concern. Exports use the
import columns, so an exported file imports again unchanged; every text cell is neutralised
against spreadsheet formulas (`portal.exports.safe_cell`).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from jinja2_fragments.litestar import HTMXBlockTemplate
from litestar import Controller, Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.exceptions import NotFoundException
from litestar.exceptions.http_exceptions import RequestEntityTooLarge
from litestar.params import FromPath, FromQuery
from litestar.plugins.flash import flash
from litestar.plugins.htmx import ClientRedirect, HTMXRequest
from litestar.response import Redirect, Template

from certification.eligibility import eligibility_for_all
from certification.importing import (
    COLUMNS,
    KINDS,
    MAX_FILE_BYTES,
    ImportRefused,
    ImportResult,
    ImportScope,
    import_file,
    read_rows,
)
from certification.registry import organisation_by_code
from certification.tables import Certificate, Organisation, StaffMember
from portal import audit
from portal.auth import CurrentUser, Role
from portal.errors import error_response
from portal.exports import CSV_COLUMNS, _condition_summary, eligibility_csv, safe_cell
from portal.forms import parse_as_of
from portal.guards import current_user, requires_dgro, requires_organisation_scope, requires_role
from portal.i18n import gettext as _
from portal.templating import wants_fragment

TEMPLATE = "exchange/import.html"
HEADERS = {"Vary": "HX-Request"}
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
# Room for the multipart envelope and the other fields around a file of MAX_FILE_BYTES.
BODY_MARGIN = 1024 * 1024
MAX_BODY_BYTES = MAX_FILE_BYTES + BODY_MARGIN
# Rows with errors shown on the page; the count of the others is given.
MAX_ROWS_SHOWN = 200
ORGANISATION_KINDS = ("staff", "certificates")

may_import_for_organisation = requires_role(Role.DGRO, Role.PRO_PARTNER)
may_export_organisation = requires_role(Role.DGRO, Role.PRO_PARTNER, Role.HR)
ORGANISATION_IMPORT = [requires_organisation_scope, may_import_for_organisation]
ORGANISATION_EXPORT = [requires_organisation_scope, may_export_organisation]


def kind_labels() -> dict[str, str]:
    return {
        "organisations": _("Organisations"),
        "staff": _("Staff"),
        "certificates": _("Certificates"),
        "qchecks": _("Q-checks"),
    }


# --- the import page ---------------------------------------------------------------------------


@dataclass
class RowProblem:
    line: int
    cells: list[str]
    messages: list[str]


@dataclass
class ImportOutcome:
    """What the page shows after a refused import."""

    file_name: str
    header: list[str] = field(default_factory=list)
    file_messages: list[tuple[int, str]] = field(default_factory=list)
    rows: list[RowProblem] = field(default_factory=list)
    error_count: int = 0
    rows_with_errors: int = 0

    @property
    def hidden_rows(self) -> int:
        return self.rows_with_errors - len(self.rows)


def describe_issues(file_name: str, data: bytes, result: ImportResult) -> ImportOutcome:
    """Group the issues by row and put each row's cells (as in the file) beside its messages."""
    outcome = ImportOutcome(file_name=file_name, error_count=len(result.issues))
    by_line: dict[int, list[str]] = {}
    for issue in result.issues:
        by_line.setdefault(issue.line, []).append(issue.message)
    header: list[str] = []
    cells_by_line: dict[int, dict[str, str]] = {}
    try:
        header, rows = read_rows(file_name, data)
    except ImportRefused:
        rows = []
    for row in rows:
        if row.line in by_line:
            cells_by_line[row.line] = row.values
    outcome.header = header
    for line in sorted(by_line):
        values = cells_by_line.get(line)
        if values is None:
            outcome.file_messages.extend((line, message) for message in by_line[line])
            continue
        outcome.rows_with_errors += 1
        if len(outcome.rows) < MAX_ROWS_SHOWN:
            cells = (
                [values.get(column, "") for column in header] if "__extra__" not in values else []
            )
            outcome.rows.append(RowProblem(line, cells, by_line[line]))
    return outcome


def _user(request: Request) -> CurrentUser:
    user = current_user(request)
    assert user is not None  # the guards ran first
    return user


def _file_name(upload: UploadFile) -> str:
    # Some browsers send the whole path; only the name (and its suffix) matters.
    return (upload.filename or "").replace("\\", "/").rsplit("/", 1)[-1].strip()


def _page_context(
    request: Request,
    *,
    code: str | None,
    organisation: dict[str, Any] | None,
    kinds: Sequence[str],
    kind: str = "",
    errors: dict[str, str] | None = None,
    outcome: ImportOutcome | None = None,
    organisation_codes: Sequence[str] = (),
) -> dict[str, Any]:
    user = current_user(request)
    action = f"/organisations/{code}/import" if code else "/import"
    return {
        "code": code,
        "organisation": organisation,
        "action": action,
        "kinds": list(kinds),
        "kind": kind or kinds[0],
        "kind_labels": kind_labels(),
        "columns": COLUMNS,
        "errors": errors or {},
        "outcome": outcome,
        "max_bytes": MAX_FILE_BYTES,
        "max_megabytes": MAX_FILE_BYTES // 2**20,
        "today": dt.date.today(),
        "is_dgro": bool(user and user.is_dgro),
        "organisation_codes": list(organisation_codes),
    }


def _render(request: Request, context: dict[str, Any], status: int) -> Template:
    if wants_fragment(request):
        return HTMXBlockTemplate(
            template_name=TEMPLATE,
            block_name="result",
            context=context,
            status_code=status,
            headers=HEADERS,
        )
    return Template(TEMPLATE, context=context, status_code=status, headers=HEADERS)


def _too_large_message() -> str:
    return _(
        "The file is larger than %(size)d MB. Split it into smaller files and import them "
        "one after the other.",
        size=MAX_FILE_BYTES // 2**20,
    )


def _request_too_large(request: Request, exc: RequestEntityTooLarge) -> Response:
    """The framework refused the body before the handler ran: say why, in words."""
    code = request.path_params.get("code")
    if wants_fragment(request) and current_user(request) is not None:
        kinds = ORGANISATION_KINDS if code else KINDS
        context = _page_context(
            request,
            code=code,
            organisation=None,
            kinds=kinds,
            errors={"file": _too_large_message()},
        )
        return _render(request, context, 413)
    return error_response(request, 413, _too_large_message())


TOO_LARGE_HANDLERS = {RequestEntityTooLarge: _request_too_large}


async def _organisation(code: str) -> dict[str, Any]:
    organisation = await organisation_by_code(code)
    if organisation is None:
        raise NotFoundException(_("There is no organisation with code %(code)s.", code=code))
    return organisation


async def _handle_import(
    request: Request,
    *,
    code: str | None,
    organisation: dict[str, Any] | None,
    kinds: Sequence[str],
    scope: ImportScope,
) -> Response:
    form = await request.form()
    kind = str(form.get("kind", "")).strip()
    upload = form.get("file")
    errors: dict[str, str] = {}
    if kind not in kinds:
        errors["kind"] = _("Choose what the file contains from the list.")
    file_name = _file_name(upload) if isinstance(upload, UploadFile) else ""
    data = b""
    if not file_name:
        errors["file"] = _("Choose a .csv or .xlsx file to import.")
    else:
        assert isinstance(upload, UploadFile)
        data = await upload.read()
        if len(data) > MAX_FILE_BYTES:
            context = _page_context(
                request,
                code=code,
                organisation=organisation,
                kinds=kinds,
                kind=kind if kind in kinds else "",
                errors={"file": _too_large_message()},
            )
            return _render(request, context, 413)
        if not data:
            errors["file"] = _("The file %(name)s is empty.", name=file_name)
    if errors:
        context = _page_context(
            request,
            code=code,
            organisation=organisation,
            kinds=kinds,
            kind=kind if kind in kinds else "",
            errors=errors,
        )
        return _render(request, context, 400)

    actor = audit.Actor.from_connection(request)

    async def record(result: ImportResult) -> None:
        await audit.record(
            actor,
            f"import_{kind}",
            table=kind,
            key=file_name,
            after={"rows": result.rows, "created": result.created, "updated": result.updated},
        )

    result = await import_file(kind, file_name, data, scope, record=record)
    if not result.ok:
        context = _page_context(
            request,
            code=code,
            organisation=organisation,
            kinds=kinds,
            kind=kind,
            outcome=describe_issues(file_name, data, result),
        )
        return _render(request, context, 400)

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
    target = f"/organisations/{code}/import" if code else "/import"
    if wants_fragment(request):
        # htmx: the whole window goes to the page that shows the message.
        redirect = ClientRedirect(target)
        redirect.status_code = 200  # htmx acts on HX-Redirect only in a 2xx answer
        return redirect
    return Redirect(target, status_code=303)


# --- exports -----------------------------------------------------------------------------------


def csv_text(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """CSV (UTF-8 with a byte order mark, so spreadsheets read accents); formulas neutralised."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(_csv_value(value) for value in row)
    return buffer.getvalue()


def _csv_value(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    return safe_cell(value)


def xlsx_bytes(sheet_title: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """A workbook written in write-only mode; text cells neutralised, dates as real dates."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=sheet_title[:31])
    sheet.append(list(header))
    for row in rows:
        cells: list[Any] = []
        for value in row:
            if isinstance(value, dt.date):
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = "yyyy-mm-dd"
                cells.append(cell)
            else:
                cells.append(safe_cell(value))
        sheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _download(content: str | bytes, file_name: str, media_type: str) -> Response:
    return Response(
        content,
        media_type=media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{file_name}"',
            "Cache-Control": "no-store",
        },
    )


def _export(
    code: str, what: str, suffix: str, header: Sequence[str], rows: list[tuple]
) -> Response:
    name = f"{code}-{what}-{dt.date.today().isoformat()}.{suffix}"
    if suffix == "csv":
        return _download(csv_text(header, rows), name, CSV_MEDIA_TYPE)
    return _download(xlsx_bytes(what, header, rows), name, XLSX_MEDIA_TYPE)


async def staff_rows(code: str) -> list[tuple]:
    """The organisation's current staff, in the columns of the staff import."""
    records = (
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
        for r in records
    ]


async def certificate_rows(code: str) -> list[tuple]:
    """The certificates of the organisation's staff, in the columns of the certificate import."""
    records = (
        await Certificate.select(
            Certificate.staff.email,
            Certificate.track.code,
            Certificate.obtained_on,
            Certificate.status,
            Certificate.valid_until,
        )
        .where(Certificate.staff.organisation.code == code)
        .order_by(Certificate.staff.email, Certificate.track.code, Certificate.obtained_on)
    )
    return [
        (
            r["staff.email"],
            r["track.code"],
            r["obtained_on"],
            r["status"],
            r["valid_until"],
        )
        for r in records
    ]


def eligibility_xlsx_rows(rows: list[dict[str, Any]]) -> list[tuple]:
    """The values of `eligibility_csv`, column for column (CSV_COLUMNS), numbers as numbers."""
    return [
        (
            row["organisation"],
            row["as_of"],
            row["eligible_level"],
            row["granted_level"],
            row["certified_staff"],
            row["qcheck_average"],
            row["qcheck_count"],
            _condition_summary(row),
        )
        for row in rows
    ]


class ExchangeController(Controller):
    path = "/"
    include_in_schema = False

    # --- import ---------------------------------------------------------------------------

    @get("/import", guards=[requires_dgro], name="import")
    async def import_page(self, request: HTMXRequest) -> Template:
        """DG R&O's import page: organisations, staff, certificates and Q-checks."""
        codes = await Organisation.select(Organisation.code).order_by(Organisation.code)
        context = _page_context(
            request,
            code=None,
            organisation=None,
            kinds=KINDS,
            organisation_codes=[row["code"] for row in codes],
        )
        return Template(TEMPLATE, context=context, headers=HEADERS)

    @post(
        "/import",
        guards=[requires_dgro],
        status_code=303,
        request_max_body_size=MAX_BODY_BYTES,
        exception_handlers=TOO_LARGE_HANDLERS,  # type: ignore[arg-type]
    )
    async def import_upload(self, request: HTMXRequest) -> Response:
        """Import a file of any kind for every organisation (DG R&O)."""
        scope = ImportScope(actor=_user(request).email)
        return await _handle_import(request, code=None, organisation=None, kinds=KINDS, scope=scope)

    @get("/organisations/{code:str}/import", guards=ORGANISATION_IMPORT, name="organisation_import")
    async def organisation_import_page(self, request: HTMXRequest, code: FromPath[str]) -> Template:
        """An organisation's import page: its staff and certificates."""
        organisation = await _organisation(code)
        context = _page_context(
            request, code=code, organisation=organisation, kinds=ORGANISATION_KINDS
        )
        return Template(TEMPLATE, context=context, headers=HEADERS)

    @post(
        "/organisations/{code:str}/import",
        guards=ORGANISATION_IMPORT,
        status_code=303,
        request_max_body_size=MAX_BODY_BYTES,
        exception_handlers=TOO_LARGE_HANDLERS,  # type: ignore[arg-type]
    )
    async def organisation_import_upload(
        self, request: HTMXRequest, code: FromPath[str]
    ) -> Response:
        """Import staff or certificates of this organisation only.

        A PRO Partner's certificates stay pending until DG R&O verifies them.
        """
        organisation = await _organisation(code)
        user = _user(request)
        if user.is_dgro:
            scope = ImportScope(organisation_code=code, actor=user.email)
        else:
            scope = ImportScope(organisation_code=code, may_set_status=False, actor=user.email)
        return await _handle_import(
            request, code=code, organisation=organisation, kinds=ORGANISATION_KINDS, scope=scope
        )

    # --- exports of one organisation ------------------------------------------------------

    @get("/organisations/{code:str}/staff.csv", guards=ORGANISATION_EXPORT)
    async def staff_csv(self, code: FromPath[str]) -> Response:
        """The organisation's staff in the columns of the staff import."""
        await _organisation(code)
        return _export(code, "staff", "csv", COLUMNS["staff"], await staff_rows(code))

    @get("/organisations/{code:str}/staff.xlsx", guards=ORGANISATION_EXPORT)
    async def staff_xlsx(self, code: FromPath[str]) -> Response:
        await _organisation(code)
        return _export(code, "staff", "xlsx", COLUMNS["staff"], await staff_rows(code))

    @get("/organisations/{code:str}/certificates.csv", guards=ORGANISATION_EXPORT)
    async def certificates_csv(self, code: FromPath[str]) -> Response:
        """The certificates of the organisation's staff in the columns of the certificate import."""
        await _organisation(code)
        return _export(
            code, "certificates", "csv", COLUMNS["certificates"], await certificate_rows(code)
        )

    @get("/organisations/{code:str}/certificates.xlsx", guards=ORGANISATION_EXPORT)
    async def certificates_xlsx(self, code: FromPath[str]) -> Response:
        await _organisation(code)
        return _export(
            code, "certificates", "xlsx", COLUMNS["certificates"], await certificate_rows(code)
        )

    # --- eligibility of every organisation (DG R&O) ----------------------------------------

    @get("/eligibility.csv", guards=[requires_dgro])
    async def eligibility_csv_export(self, as_of: FromQuery[str | None] = None) -> Response:
        """SPEC 5.2's CSV: one row per organisation."""
        day = parse_as_of(as_of)
        rows = [r.as_dict() for r in await eligibility_for_all(day)]
        return _download(
            eligibility_csv(rows), f"eligibility-{day.isoformat()}.csv", CSV_MEDIA_TYPE
        )

    @get("/eligibility.xlsx", guards=[requires_dgro])
    async def eligibility_xlsx_export(self, as_of: FromQuery[str | None] = None) -> Response:
        day = parse_as_of(as_of)
        rows = [r.as_dict() for r in await eligibility_for_all(day)]
        content = xlsx_bytes("eligibility", CSV_COLUMNS, eligibility_xlsx_rows(rows))
        return _download(content, f"eligibility-{day.isoformat()}.xlsx", XLSX_MEDIA_TYPE)
