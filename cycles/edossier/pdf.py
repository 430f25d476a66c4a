"""A cycle's kept reports as PDF (SPEC 3.2): the whole cycle, its final evaluation report
or one signed meeting report, in the staff member's language, rendered from an HTML
template with WeasyPrint as tagged PDF/UA, like the review's letters."""

from __future__ import annotations

import datetime as dt

from core.i18n import gettext as _
from core.i18n import in_language
from core.settings import PROJECT_ROOT
from core.templating import jinja_environment
from cycles import labels
from cycles.dossier.queries import Dossier
from cycles.queries import CycleContext

TEMPLATE = "cycles/archive.html"
PARTS = ("cycle", "report", "meeting")


def title_of(cycle: CycleContext, part: str) -> str:
    period = f"{labels.format_day(cycle.starts_on)} – {labels.format_day(cycle.ends_on)}"
    if part == "report":
        return _("Evaluation report of %(name)s, %(period)s", name=cycle.staff_name, period=period)
    if part == "meeting":
        return _("Meeting report of %(name)s, %(period)s", name=cycle.staff_name, period=period)
    return _("Evaluation dossier of %(name)s, %(period)s", name=cycle.staff_name, period=period)


def file_name(cycle: CycleContext, part: str, meeting_id: int | None = None) -> str:
    """`dossier-BOSA-2026-12.pdf`: the organisation, the cycle's start, and the part."""
    stem = {"cycle": "dossier", "report": "report", "meeting": f"meeting-{meeting_id}"}[part]
    return f"{stem}-{cycle.organisation_code}-{cycle.starts_on.isoformat()}.pdf"


def render_pdf(
    cycle: CycleContext,
    dossier: Dossier,
    language: str,
    part: str = "cycle",
    meeting_id: int | None = None,
) -> bytes:
    """The PDF bytes of `part` of the cycle, in `language`."""
    from weasyprint import HTML  # loaded for the PDFs only (it is large)

    with in_language(language):
        html = (
            jinja_environment()
            .get_template(TEMPLATE)
            .render(
                cycle=cycle,
                d=dossier,
                part=part,
                meeting_id=meeting_id,
                L=labels,
                title=title_of(cycle, part),
                language=language,
                today=dt.date.today(),
            )
        )
    return HTML(string=html, base_url=str(PROJECT_ROOT)).write_pdf(pdf_variant="pdf/ua-1")
