"""DG R&O's yearly review pages: the years, one review with every organisation (flagged
first, filters), a decision per organisation, closing (a second step: "I understand this
is final"), discarding an open review, the download and the letters. The same service as
`portal review` (SPEC 5.3). A refusal answers with the page (4xx), its message beside the
form that was sent and what was typed kept."""

from __future__ import annotations

import datetime as dt
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.exceptions import HTTPException
from litestar.params import FromPath, FromQuery
from litestar.plugins.flash import flash
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Template

from certification import explain
from certification.review import letters, queries, service
from certification.review.lifecycle import (
    DECISIONS,
    ReviewState,
    closing_from,
    decision_allowed,
)
from core.errors import NotFound, Refused, TransitionRefused
from core.forms import FormResult
from core.i18n import gettext as _
from core.i18n import ngettext
from core.parsing import number_field
from core.settings import settings_of
from webkit.errors import shows_again
from webkit.forms import form_revision
from webkit.guards import actor_of, requires_dgro
from webkit.rendering import download, render, spreadsheet

LIST_TEMPLATE = "certification/reviews.html"
REVIEW_TEMPLATE = "certification/review.html"
EXPORT_COLUMNS = (
    "organisation",
    "granted_level",
    "eligible_level",
    "flag",
    "unmet_conditions",
    "decision",
    "reason",
    "decided_by",
)


def flag_label(flag: str | None) -> str:
    if flag == "withdraw":
        return _("granted, no longer eligible: withdraw?")
    if flag == "grant":
        return _("eligible, not granted: grant?")
    return ""


def decision_label(decision: str | None) -> str:
    return {
        "confirm": _("confirm"),
        "withdraw": _("withdraw"),
        "grant": _("grant"),
    }.get(decision or "", "—")


async def _review_or_404(year: int) -> queries.ReviewRow:
    review = await queries.review_of(year)
    if review is None:
        raise NotFound(_("There is no review of %(year)d: open it first.", year=year))
    return review


async def _list_page(
    request: Request, typed: str | None = None, error: str | None = None
) -> Template:
    """The years and the form to open one; after a refusal, the year typed and why (400)."""
    this_year = dt.date.today().year
    context = {
        "reviews": await queries.reviews(),
        "this_year": this_year,
        "typed_year": str(this_year - 1) if typed is None else typed,
        "year_error": error,
    }
    return render(request, LIST_TEMPLATE, context, block=None, status=400 if error else 200)


def _page_context(
    review: queries.ReviewRow, entries: list[dict], filters: queries.EntryFilter
) -> dict[str, Any]:
    return {
        "review": review,
        "entries": entries,
        "filters": filters,
        "is_open": review.state == ReviewState.OPEN,
        "closes_from": closing_from(review.year),
        "may_close": dt.date.today() >= closing_from(review.year),
        "allowed": lambda entry: [
            d
            for d in DECISIONS
            if decision_allowed(d, entry["granted_level"], entry["eligible_level"])
        ],
        "flag_label": flag_label,
        "decision_label": decision_label,
        "explain": explain,
        "errors": {},
        "typed": {},
    }


async def _refused_page(
    request: Request,
    year: int,
    errors: dict[str, str],
    typed: dict[str, dict[str, str]] | None = None,
    status: int = 400,
) -> Template:
    """The review page again after a refused form: the message beside that form (`close`,
    `discard`, `decision:CODE`), what was typed in a decision form kept."""
    review = await _review_or_404(year)
    entries = await queries.review_entries(review.id)
    context = {
        **_page_context(review, entries, queries.EntryFilter()),
        "errors": errors,
        "typed": typed or {},
    }
    return render(request, REVIEW_TEMPLATE, context, block=None, status=status)


async def _decision_page(request: Request, form: FormResult) -> Template:
    """The review again after a refused decision form, its message and what was typed."""
    code = str(request.path_params["code"]).upper()
    message = next(iter(form.errors.values()), "")
    typed = {
        code: {"decision": form.values.get("decision", ""), "reason": form.values.get("reason", "")}
    }
    return await _refused_page(
        request, int(request.path_params["year"]), {f"decision:{code}": message}, typed
    )


class ReviewController(Controller):
    path = "/reviews"
    include_in_schema = False
    guards = [requires_dgro]

    @get("/", name="reviews")
    async def reviews(self, request: HTMXRequest) -> Template:
        return await _list_page(request)

    @post("/", status_code=303)
    async def open_review(self, request: Request) -> Template | Redirect:
        raw = await request.form()
        typed = str(raw.get("year") or "").strip()[:20]
        year, _problem = number_field(typed, low=2000, high=2100)
        if year is None:
            return await _list_page(request, typed, _("Give the year as four digits, e.g. 2026."))
        try:
            count = await service.open_review(actor_of(request), year)
        except Refused as refused:
            return await _list_page(request, typed, refused.message)
        flash(
            request,
            _("The review of %(year)d is open: %(count)d organisations.", year=year, count=count),
            category="success",
        )
        return Redirect(f"/reviews/{year}", status_code=303)

    @get("/{year:int}", name="review")
    async def review(
        self,
        request: HTMXRequest,
        year: FromPath[int],
        flagged: FromQuery[bool] = False,
        undecided: FromQuery[bool] = False,
        q: FromQuery[str] = "",
    ) -> Template:
        """Every organisation with its frozen levels and conditions, flagged first."""
        review = await _review_or_404(year)
        filters = queries.EntryFilter(flagged=flagged, undecided=undecided, q=q.strip()[:100])
        entries = await queries.review_entries(review.id, filters)
        return render(
            request,
            REVIEW_TEMPLATE,
            _page_context(review, entries, filters),
            push_url=f"/reviews/{year}?{filters.query_string()}",
        )

    @post("/{year:int}/decisions/{code:str}", status_code=303, opt=shows_again(_decision_page))
    async def decide(
        self, request: Request, year: FromPath[int], code: FromPath[str]
    ) -> Template | Redirect:
        """A decision from the review page, on the revision the page showed."""
        review = await _review_or_404(year)
        raw = await request.form()
        revision = form_revision(raw.get("revision"))
        code = code.upper()
        typed = {
            code: {
                "decision": str(raw.get("decision") or "")[:20],
                "reason": str(raw.get("reason") or "")[: service.MAX_REASON + 100],
            }
        }
        try:
            await service.decide(
                actor_of(request),
                year,
                code,
                typed[code]["decision"],
                typed[code]["reason"],
                expected_revision=revision,
            )
        except TransitionRefused:
            current = await queries.review_entry(review.id, code) or queries.EntryDecision(
                None, None, None
            )
            raise HTTPException(
                status_code=409,
                detail=_(
                    "%(who)s decided on %(code)s meanwhile: %(decision)s (“%(reason)s”). "
                    "Nothing of yours was saved; reload the review to see it and decide again.",
                    who=current.decided_by or "—",
                    code=code.upper(),
                    decision=decision_label(current.decision),
                    reason=current.reason or "",
                ),
            ) from None
        flash(
            request,
            _("The decision on %(code)s has been recorded.", code=code.upper()),
            category="success",
        )
        return Redirect(f"/reviews/{year}#entry-{code.upper()}", status_code=303)

    @post("/{year:int}/close", status_code=303)
    async def close(self, request: Request, year: FromPath[int]) -> Template | Redirect:
        """Closing is final: the form's second step, "I understand", must be ticked."""
        await _review_or_404(year)
        if (await request.form()).get("final") != "yes":
            return await _refused_page(
                request,
                year,
                {"close": _("Tick “I understand that closing is final” to close the review.")},
            )
        try:
            changed = await service.close_review(actor_of(request), year)
        except Refused as refused:
            return await _refused_page(request, year, {"close": refused.message})
        flash(
            request,
            _(
                "The review of %(year)d is closed; the granted level changes for "
                "%(count)d organisations.",
                year=year,
                count=len(changed),
            ),
            category="success",
        )
        return Redirect(f"/reviews/{year}", status_code=303)

    @post("/{year:int}/discard", status_code=303)
    async def discard(self, request: Request, year: FromPath[int]) -> Template | Redirect:
        """Remove an open review with its decisions (ticked "I understand" first)."""
        await _review_or_404(year)
        if (await request.form()).get("discard") != "yes":
            return await _refused_page(
                request,
                year,
                {
                    "discard": _(
                        "Tick “I understand that the review and its decisions are removed” "
                        "to discard it."
                    )
                },
            )
        try:
            count = await service.discard_review(actor_of(request), year)
        except Refused as refused:
            return await _refused_page(request, year, {"discard": refused.message})
        flash(
            request,
            ngettext(
                "The review of %(year)d has been discarded (%(num)d organisation); it can be "
                "opened again.",
                "The review of %(year)d has been discarded (%(num)d organisations); it can be "
                "opened again.",
                count,
                year=year,
            ),
            category="success",
        )
        return Redirect("/reviews", status_code=303)

    @get(["/{year:int}/review.csv", "/{year:int}/review.xlsx"], name="review_export")
    async def export(self, request: Request, year: FromPath[int]) -> Response:
        review = await _review_or_404(year)
        rows = [
            (
                entry["code"],
                entry["granted_level"],
                entry["eligible_level"],
                entry["flag"] or "",
                " ".join(c["code"] for c in entry["conditions"] if not c["met"]),
                entry["decision"] or "",
                entry["reason"] or "",
                entry["decided_by"] or "",
            )
            for entry in await queries.review_entries(review.id)
        ]
        return spreadsheet(request, f"review-{year}", f"review {year}", EXPORT_COLUMNS, rows)

    @get("/{year:int}/letters/{code:str}", name="review_letter")
    async def letter(
        self, request: Request[Any, Any, Any], year: FromPath[int], code: FromPath[str]
    ) -> Response:
        """One organisation's decision letter (a closed review's decided organisations)."""
        name = code.upper().removesuffix(".PDF")
        found = dict(await letters.review_letters(year, name, settings_of(request).letters))
        if name not in found:
            raise NotFound(_("There is no letter for %(code)s in %(year)d.", code=name, year=year))
        return download(found[name], f"review-{year}-{name}.pdf", "application/pdf")
