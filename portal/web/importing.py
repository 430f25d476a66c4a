"""The import page (SPEC 5.1) for every kind of the registry in `portal.imports`.

It runs the same `import_file` as `portal import`: all or nothing, the same errors, shown
next to the rows they belong to. DG R&O imports every kind; a PRO Partner the kinds an
area marks `organisation_scoped`, for its own organisation.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import anyio
from litestar import Controller, Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.exceptions import PermissionDeniedException
from litestar.exceptions.http_exceptions import RequestEntityTooLarge
from litestar.params import FromPath
from litestar.plugins.flash import flash
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Template

from core.i18n import gettext as _
from core.i18n import ngettext
from core.identity import Role
from core.importing import (
    MAX_FILE_BYTES,
    ImportIssue,
    ImportRefused,
    ImportResult,
    ImportScope,
    read_rows,
)
from organisations.queries import OrganisationRow, organisation_by_code, organisation_codes
from portal.imports import IMPORT_KINDS, KINDS, import_file
from webkit.errors import error_response
from webkit.guards import (
    actor_of,
    current_user,
    requires_dgro,
    requires_organisation_scope,
    requires_register_writer,
    signed_in,
)
from webkit.lookups import no_such_organisation, or_404
from webkit.rendering import render

# Room for the multipart envelope around a file of the largest size the import accepts.
MAX_REQUEST_BYTES = MAX_FILE_BYTES + 1024 * 1024
# Rows with errors shown on the page; the count of all of them is always given.
MAX_ROWS_SHOWN = 200
MAX_CELL_CHARS = 120
ORGANISATION_KINDS = tuple(name for name, kind in IMPORT_KINDS.items() if kind.organisation_scoped)
ALLOWED_SUFFIXES = (".csv", ".xlsx")
TEMPLATE = "portal/import.html"


@dataclass
class ImportPage:
    """Everything the import template shows; one object for GET, errors and fragments."""

    action: str
    kinds: tuple[str, ...]
    organisation: OrganisationRow | None = None
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
            "columns": {name: kind.columns for name, kind in IMPORT_KINDS.items()},
            "kind_labels": {name: kind.label() for name, kind in IMPORT_KINDS.items()},
            "kind_notes": {name: kind.note() for name, kind in IMPORT_KINDS.items()},
            "max_megabytes": MAX_FILE_BYTES // 2**20,
            "max_bytes": MAX_FILE_BYTES,
            "max_rows_shown": MAX_ROWS_SHOWN,
            "today": dt.date.today().isoformat(),
        }


def _is_partner_only(request: Request) -> bool:
    user = current_user(request)
    return user is not None and not user.is_dgro


async def _organisation_page(request: Request, code: str) -> ImportPage:
    organisation = or_404(await organisation_by_code(code), no_such_organisation(code))
    return ImportPage(
        action=f"/organisations/{organisation.code}/import",
        kinds=ORGANISATION_KINDS,
        organisation=organisation,
        partner_only=_is_partner_only(request),
    )


async def _dgro_page() -> ImportPage:
    return ImportPage(action="/import", kinds=KINDS, organisation_codes=await organisation_codes())


def _scope(request: Request, page: ImportPage) -> ImportScope:
    user = signed_in(request)
    if user.is_dgro:
        return ImportScope(actor=actor_of(request))
    if page.organisation is None or not user.has_role(Role.PRO_PARTNER):
        raise PermissionDeniedException(_("Your role does not allow this."))
    return ImportScope(
        organisation_code=page.organisation.code,
        may_set_status=False,
        actor=actor_of(request),
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
    shown_lines = set(sorted(by_line)[:MAX_ROWS_SHOWN])
    header: list[str] = []
    cells: dict[int, dict[str, str]] = {}
    try:
        header, rows = read_rows(file_name, data)
        cells = {row.line: row.values for row in rows if row.line in shown_lines}
    except ImportRefused:
        # A file refused while reading (e.g. not UTF-8 from line N on): the line and its
        # message are still listed, without cells (or with those read before it).
        pass
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
    return render(request, TEMPLATE, page.context(), block="importer", status=status)


async def _handle_upload(request: HTMXRequest, page: ImportPage) -> Response:
    scope = _scope(request, page)
    form = await request.form()
    page.kind = str(form.get("kind", "")).strip()
    upload = form.get("file")
    if page.kind not in page.kinds:
        if page.kind in KINDS:
            page.field_errors["kind"] = _(
                "%(kind)s cannot be imported here; choose one of: %(kinds)s.",
                kind=IMPORT_KINDS[page.kind].label(),
                kinds=", ".join(IMPORT_KINDS[k].label() for k in page.kinds),
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

    result = await import_file(page.kind, page.file_name, data, scope)
    if not result.ok:
        page.result = result
        page.file_issues = [issue for issue in result.issues if issue.line <= 1]
        page.header, page.bad_rows, page.bad_row_count = await anyio.to_thread.run_sync(
            _offending_rows, page.file_name, data, result.issues
        )
        return _render(request, page, 400)

    message = ngettext(
        "Imported %(num)d row: %(created)d new, %(updated)d updated.",
        "Imported %(num)d rows: %(created)d new, %(updated)d updated.",
        result.rows,
        created=result.created,
        updated=result.updated,
    )
    if result.encoding:
        message += " " + _(
            "The file was read as %(encoding)s text (it is not UTF-8).",
            encoding=result.encoding,
        )
    flash(request, message, category="success")
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


class ImportController(Controller):
    include_in_schema = False

    @get("/import", guards=[requires_dgro], name="import")
    async def import_page(self, request: HTMXRequest) -> Template:
        return _render(request, await _dgro_page(), 200)

    @post("/import", guards=[requires_dgro], status_code=303, **UPLOAD_OPTIONS)
    async def import_upload(self, request: HTMXRequest) -> Response:
        return await _handle_upload(request, await _dgro_page())

    @get(
        "/organisations/{code:str}/import",
        guards=[requires_register_writer, requires_organisation_scope],
        name="organisation_import",
    )
    async def organisation_import_page(self, request: HTMXRequest, code: FromPath[str]) -> Template:
        return _render(request, await _organisation_page(request, code), 200)

    @post(
        "/organisations/{code:str}/import",
        guards=[requires_register_writer, requires_organisation_scope],
        status_code=303,
        **UPLOAD_OPTIONS,
    )
    async def organisation_import_upload(
        self, request: HTMXRequest, code: FromPath[str]
    ) -> Response:
        return await _handle_upload(request, await _organisation_page(request, code))
