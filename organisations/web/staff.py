"""Downloads of an organisation's staff, in the columns of the `staff` import."""

from __future__ import annotations

from litestar import Controller, Request, Response, get
from litestar.params import FromPath

from organisations.importing import STAFF
from organisations.queries import staff_export_rows
from portal.guards import requires_organisation_scope, requires_register_reader
from portal.lookups import organisation_or_404
from portal.rendering import spreadsheet


class StaffExportController(Controller):
    include_in_schema = False

    @get(
        ["/organisations/{code:str}/staff.csv", "/organisations/{code:str}/staff.xlsx"],
        guards=[requires_register_reader, requires_organisation_scope],
        name="staff_export",
    )
    async def staff_export(self, request: Request, code: FromPath[str]) -> Response:
        organisation = await organisation_or_404(code)
        rows = await staff_export_rows(organisation["code"])
        return spreadsheet(request, f"{organisation['code']}-staff", "staff", STAFF.columns, rows)
