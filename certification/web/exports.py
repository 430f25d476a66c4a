"""Downloads: an organisation's certificates (the `certificates` import's columns) and
every organisation's eligibility (SPEC 5.2's CSV columns), as CSV or XLSX."""

from __future__ import annotations

from litestar import Controller, Request, Response, get
from litestar.params import FromPath, FromQuery

from certification.certificates.queries import certificate_export_rows
from certification.eligibility import eligibility_for_all
from certification.exports import CSV_COLUMNS, eligibility_csv, eligibility_sheet_rows
from certification.importing import CERTIFICATES
from core.spreadsheets import CSV_MEDIA_TYPE, XLSX_MEDIA_TYPE, xlsx_bytes
from organisations.queries import organisation_by_code
from webkit.forms import parse_as_of
from webkit.guards import requires_dgro, requires_organisation_scope, requires_register_reader
from webkit.lookups import no_such_organisation, or_404
from webkit.rendering import download, spreadsheet


class ExportController(Controller):
    include_in_schema = False

    @get(
        [
            "/organisations/{code:str}/certificates.csv",
            "/organisations/{code:str}/certificates.xlsx",
        ],
        guards=[requires_register_reader, requires_organisation_scope],
        name="certificates_export",
    )
    async def certificates_export(self, request: Request, code: FromPath[str]) -> Response:
        organisation = or_404(await organisation_by_code(code), no_such_organisation(code))
        rows = await certificate_export_rows(organisation.code)
        return spreadsheet(
            request,
            f"{organisation.code}-certificates",
            "certificates",
            CERTIFICATES.columns,
            rows,
        )

    @get("/eligibility.csv", guards=[requires_dgro], name="eligibility_csv")
    async def eligibility_csv_export(self, as_of: FromQuery[str | None] = None) -> Response:
        day = parse_as_of(as_of)
        rows = [r.as_dict() for r in await eligibility_for_all(day)]
        content = ("\ufeff" + eligibility_csv(rows)).encode("utf-8")
        return download(content, f"eligibility-{day.isoformat()}.csv", CSV_MEDIA_TYPE)

    @get("/eligibility.xlsx", guards=[requires_dgro], name="eligibility_xlsx")
    async def eligibility_xlsx_export(self, as_of: FromQuery[str | None] = None) -> Response:
        day = parse_as_of(as_of)
        rows = [r.as_dict() for r in await eligibility_for_all(day)]
        content = xlsx_bytes(
            "eligibility", CSV_COLUMNS, eligibility_sheet_rows(eligibility_csv(rows))
        )
        return download(content, f"eligibility-{day.isoformat()}.xlsx", XLSX_MEDIA_TYPE)
