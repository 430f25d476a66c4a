"""The decision letters of a closed review (SPEC 5.3): one PDF per decided organisation,
in the organisation's language (FR when FR is its only or first language role, else NL),
rendered from an HTML template with WeasyPrint as tagged PDF/UA (an accessible public
document: structure, language and title in the file)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from certification.explain import level_label
from certification.review.lifecycle import ReviewState
from certification.review.service import ReviewedOrganisation, review_status
from certification.tables import Review
from core.errors import Refused
from core.i18n import gettext as _
from core.i18n import in_language
from core.settings import PROJECT_ROOT, LetterSettings
from core.templating import jinja_environment
from organisations.rules import correspondence_language
from organisations.tables import Organisation

TEMPLATE = "certification/review_letter.html"


def decision_label(decision: str) -> str:
    return {
        "confirm": _("Client certification is confirmed."),
        "withdraw": _("Client certification is withdrawn."),
        "grant": _("Client certification is granted."),
    }[decision]


def letter_reference(year: int, code: str) -> str:
    """The letter's reference, the same each time it is printed: the review and the
    organisation it decides (an organisation has one decision per review)."""
    return f"DGRO/REV/{year}/{code}"


def signatory_lines(signatory: LetterSettings, language: str) -> list[str]:
    """Who signs, in the letter's language: the configured name and title; without a title,
    the translated function (the letter is never signed by nobody)."""
    configured = signatory.signatory_title_fr if language == "fr" else signatory.signatory_title_nl
    title = configured or _("Director-General, DG Recruitment and Development")
    return [line for line in (signatory.signatory_name, title) if line]


def render_letter(
    organisation: dict[str, Any],
    entry: ReviewedOrganisation,
    year: int,
    signatory: LetterSettings | None = None,
) -> bytes:
    """One letter as PDF bytes, in the organisation's language."""
    from weasyprint import HTML  # loaded for the letters only (it is large)

    language = correspondence_language(organisation["language_roles"])
    with in_language(language):
        html = (
            jinja_environment()
            .get_template(TEMPLATE)
            .render(
                organisation=organisation,
                name=organisation["name_fr"] if language == "fr" else organisation["name_nl"],
                year=year,
                entry=entry,
                decision=decision_label(entry["decision"]),
                granted=level_label(entry["granted_level"]),
                eligible=level_label(entry["eligible_level"]),
                reference=letter_reference(year, organisation["code"]),
                signatory=signatory_lines(signatory or LetterSettings(), language),
                starts=dt.date(year + 1, 1, 1),
                today=dt.date.today(),
                language=language,
            )
        )
    return HTML(string=html, base_url=str(PROJECT_ROOT)).write_pdf(pdf_variant="pdf/ua-1")


async def review_letters(
    year: int, only: str | None = None, signatory: LetterSettings | None = None
) -> list[tuple[str, bytes]]:
    """(organisation code, PDF) for every decided organisation of the closed review (or
    the one `only`), signed by `signatory` (the settings' `letters`)."""
    review = await Review.select(Review.state).where(Review.year == year).first()
    if review is None:
        raise Refused(_("There is no review of %(year)d: open it first.", year=year), "year")
    if review["state"] != ReviewState.CLOSED:
        raise Refused(
            _(
                "Letters are written for a closed review: close the review of %(year)d first.",
                year=year,
            ),
            "year",
        )
    status = await review_status(year)
    assert status is not None
    organisations = {
        row["code"]: row
        for row in await Organisation.select(
            Organisation.code,
            Organisation.name_nl,
            Organisation.name_fr,
            Organisation.language_roles,
            Organisation.pro_partner_email,
        )
    }
    return [
        (
            entry["organisation"],
            render_letter(organisations[entry["organisation"]], entry, year, signatory),
        )
        for entry in status["organisations"]
        if entry["decision"] and only in (None, entry["organisation"])
    ]
