"""Downloads of an organisation's staff, in the columns of the `staff` import."""

from __future__ import annotations

from litestar import Controller, Request, Response, get
from litestar.params import FromPath

from organisations.importing import STAFF
from organisations.queries import organisation_by_code, staff_export_rows
from webkit.guards import requires_organisation_scope, requires_register_reader
from webkit.lookups import no_such_organisation, or_404
from webkit.rendering import spreadsheet


class StaffExportController(Controller):
    include_in_schema = False

    @get(
        ["/organisations/{code:str}/staff.csv", "/organisations/{code:str}/staff.xlsx"],
        guards=[requires_register_reader, requires_organisation_scope],
        name="staff_export",
    )
    async def staff_export(self, request: Request, code: FromPath[str]) -> Response:
        organisation = or_404(await organisation_by_code(code), no_such_organisation(code))
        rows = await staff_export_rows(organisation.code)
        return spreadsheet(
            request, f"{organisation.code}-staff", "staff", (*STAFF.columns, *STAFF.optional), rows
        )
