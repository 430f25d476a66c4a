"""Organisations: DG R&O sees all; everyone else only their own (organisation scope)."""

from __future__ import annotations

from litestar import Controller, get
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Template

from certification.tables import Organisation
from portal.guards import requires_dgro, requires_organisation_scope
from portal.i18n import gettext as _


class OrganisationController(Controller):
    path = "/organisations"
    include_in_schema = False

    @get("/", guards=[requires_dgro], name="organisations")
    async def organisations(self) -> Template:
        rows = await Organisation.select().order_by(Organisation.code)
        return Template("organisations/index.html", context={"organisations": rows})

    @get("/{code:str}", guards=[requires_organisation_scope], name="organisation")
    async def organisation(self, code: FromPath[str]) -> Template:
        row = await Organisation.select().where(Organisation.code == code).first()
        if row is None:
            raise NotFoundException(_("There is no organisation with code %(code)s.", code=code))
        return Template("organisations/detail.html", context={"organisation": row})
