"""What waits for the person on their home page (issue 19): counts with links, one
set-based count per kind, gathered from the areas by the shell (which alone may know
them all)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from certification.applications.queries import submitted_count
from certification.certificates.queries import pending_count
from certification.dashboard import organisation_dashboard
from certification.explain import level_label
from core import notices
from core.i18n import ngettext
from core.identity import CurrentUser, Role
from cycles.queries import reports_to_sign
from organisations.queries import pending_move_count


@dataclass(frozen=True)
class WorkItem:
    text: str  # "3 certificates to verify", in the reader's language
    href: str


@dataclass(frozen=True)
class WorkList:
    items: tuple[WorkItem, ...]
    level: str | None = None  # the organisation's certification level, for its PRO Partner


def _item(count: int, text: str, href: str) -> list[WorkItem]:
    return [WorkItem(text, href)] if count else []


async def _dgro_items() -> list[WorkItem]:
    certificates = await pending_count()
    applications = await submitted_count()
    moves = await pending_move_count()
    return [
        *_item(
            certificates,
            ngettext(
                "%(num)d certificate to verify", "%(num)d certificates to verify", certificates
            ),
            "/certificates/queue",
        ),
        *_item(
            applications,
            ngettext(
                "%(num)d application for client certification to decide",
                "%(num)d applications for client certification to decide",
                applications,
            ),
            "/applications",
        ),
        *_item(
            moves,
            ngettext("%(num)d staff move to confirm", "%(num)d staff moves to confirm", moves),
            "/admin/staff-moves",
        ),
    ]


async def _partner_items(user: CurrentUser) -> list[WorkItem]:
    code = str(user.organisation_code)
    certificates = await pending_count(code)
    moves = await pending_move_count(user.organisation_id)
    return [
        *_item(
            certificates,
            ngettext(
                "%(num)d certificate waits for DG R&O's verification",
                "%(num)d certificates wait for DG R&O's verification",
                certificates,
            ),
            f"/organisations/{code}/staff",
        ),
        *_item(
            moves,
            ngettext(
                "%(num)d registration waits for DG R&O",
                "%(num)d registrations wait for DG R&O",
                moves,
            ),
            f"/organisations/{code}/staff#moves",
        ),
    ]


async def work_for(user: CurrentUser, today: dt.date) -> WorkList:
    """The reader's work list: only what concerns their roles, only what is non-zero."""
    items: list[WorkItem] = []
    level = None
    partner = user.has_role(Role.PRO_PARTNER) and user.organisation_code is not None
    if user.is_dgro:
        items += await _dgro_items()
    if partner:
        items += await _partner_items(user)
        dashboard = await organisation_dashboard(str(user.organisation_code), today)
        level = level_label(dashboard.granted) if dashboard else None
    unread = await notices.unread_for(user)
    if unread is not None:
        text = ngettext("%(num)d unread notice", "%(num)d unread notices", unread)
        items += _item(unread, text, "/notices")
    to_sign = await reports_to_sign(user.staff_id)
    text = ngettext(
        "%(num)d meeting report waits for your signature",
        "%(num)d meeting reports wait for your signature",
        to_sign,
    )
    items += _item(to_sign, text, "/my/dossier")
    return WorkList(tuple(items), level)
