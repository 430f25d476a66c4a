"""Organisations: DG R&O's overview of every level, and each organisation's dashboard."""

from __future__ import annotations

from jinja2_fragments.litestar import HTMXBlockTemplate
from litestar import Controller, get
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Template

from certification.eligibility import eligibility_for_all, load_organisation_facts, look_ahead
from certification.rules import Level, coverage_counts
from certification.tables import Track
from organisations.tables import Organisation, ProPartnerTerm, StaffMember
from certification.tasks import task_split
from certification import explain
from portal.forms import parse_as_of
from portal.guards import requires_dgro, requires_organisation_scope
from core.i18n import gettext as _
from portal.templating import wants_fragment

SORT_KEYS = {
    "code": lambda row: row["code"],
    "eligible": lambda row: (-Level(row["eligible"]).rank, row["code"]),
    "granted": lambda row: (-Level(row["granted"]).rank, row["code"]),
    "certified": lambda row: (-row["certified_staff"], row["code"]),
    "average": lambda row: (
        row["qcheck_average"] is None,
        -(row["qcheck_average"] or 0),
        row["code"],
    ),
}


class OrganisationController(Controller):
    path = "/organisations"
    include_in_schema = False

    @get("/", guards=[requires_dgro], name="organisations")
    async def organisations(
        self,
        request: HTMXRequest,
        as_of: FromQuery[str | None] = None,
        level: FromQuery[str | None] = None,
        q: FromQuery[str | None] = None,
        sort: FromQuery[str | None] = None,
        attention: FromQuery[bool] = False,
    ) -> Template:
        """Every organisation with its levels and what fails, sortable and filterable."""
        day = parse_as_of(as_of)
        names = {
            row["code"]: row
            for row in await Organisation.select(
                Organisation.code, Organisation.name_nl, Organisation.name_fr
            )
        }
        rows = []
        for result in await eligibility_for_all(day):
            eligibility = result.eligibility
            rows.append(
                {
                    "code": eligibility.organisation,
                    "name_nl": names[eligibility.organisation]["name_nl"],
                    "name_fr": names[eligibility.organisation]["name_fr"],
                    "eligible": str(eligibility.eligible_level),
                    "granted": str(result.granted),
                    "certified_staff": eligibility.certified_staff,
                    "qcheck_average": eligibility.qcheck_average,
                    "gaps": [explain.gap(c) for c in eligibility.unmet],
                    # Granted more than it now qualifies for: the yearly review flags it.
                    "attention": result.granted.rank > eligibility.eligible_level.rank,
                }
            )
        total = len(rows)
        if level in {"none", "individual", "client"}:
            rows = [row for row in rows if row["eligible"] == level]
        if q:
            needle = q.strip().lower()
            rows = [
                row
                for row in rows
                if needle in row["code"].lower()
                or needle in row["name_nl"].lower()
                or needle in row["name_fr"].lower()
            ]
        if attention:
            rows = [row for row in rows if row["attention"]]
        sort = sort if sort in SORT_KEYS else "code"
        rows.sort(key=SORT_KEYS[sort])
        context = {
            "rows": rows,
            "total": total,
            "as_of": day,
            "filters": {"level": level or "", "q": q or "", "sort": sort, "attention": attention},
            "explain": explain,
        }
        headers = {"Vary": "HX-Request"}
        if wants_fragment(request):
            return HTMXBlockTemplate(
                template_name="organisations/index.html",
                block_name="results",
                context=context,
                headers=headers,
            )
        return Template("organisations/index.html", context=context, headers=headers)

    @get("/{code:str}", guards=[requires_organisation_scope], name="organisation")
    async def organisation(
        self, code: FromPath[str], as_of: FromQuery[str | None] = None
    ) -> Template:
        """The dashboard: levels, conditions with the exact gap, coverage, look-ahead, tasks."""
        day = parse_as_of(as_of)
        organisation = await Organisation.select().where(Organisation.code == code).first()
        bundle = await load_organisation_facts(code)
        if organisation is None or bundle is None:
            raise NotFoundException(_("There is no organisation with code %(code)s.", code=code))
        [result] = await eligibility_for_all(day, code)
        coverage = coverage_counts(bundle.staff, bundle.certificates, day)
        tracks = await Track.select().order_by(Track.id)
        tracks_held = {track for (_role, track), count in coverage.items() if count}
        partner_email = organisation["pro_partner_email"]
        partner_staff = (
            await StaffMember.select(StaffMember.first_name, StaffMember.last_name)
            .where(StaffMember.email == partner_email)
            .first()
            if partner_email
            else None
        )
        partner_history = (
            await ProPartnerTerm.select()
            .where(ProPartnerTerm.organisation == organisation["id"])
            .order_by(ProPartnerTerm.started_on, ascending=False)
        )
        return Template(
            "organisations/detail.html",
            context={
                "organisation": organisation,
                "roles": [r for r in organisation["language_roles"].split("|") if r],
                "as_of": day,
                "eligibility": result.eligibility,
                "granted": result.granted,
                "coverage": coverage,
                "tracks": tracks,
                "drop": look_ahead(bundle, day),
                "tasks": task_split(result.granted, tracks_held),
                "explain": explain,
                "partner_staff": partner_staff,
                "partner_history": partner_history,
            },
        )
