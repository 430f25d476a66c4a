"""Who may write in a cycle's dossier, checked the same way by every dossier write:
the reader's standing (owner, evaluator), a cycle still open, the planner's right, the
length of a text, and the audit entry of a refused change."""

from __future__ import annotations

import datetime as dt

from core import audit
from core.database import write_transaction
from core.errors import NotFound, Refused
from core.i18n import gettext as _
from core.identity import CurrentUser
from cycles import queries, rules
from cycles.labels import format_day
from cycles.queries import CycleContext, Standing

MAX_TEXT = 10_000


MAX_TITLE = 200


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


async def context_for(
    user: CurrentUser, cycle_id: int, today: dt.date
) -> tuple[CycleContext, Standing]:
    """The cycle and the reader's standing; NotFound when the reader may not see it
    (a dossier outside one's reach does not exist for the reader)."""
    cycle = await queries.cycle_context(cycle_id)
    standing = await queries.standing(user, cycle, today)
    if standing.access not in (rules.OWNER, rules.EVALUATOR):
        raise NotFound(_("There is no such evaluation cycle."))
    return cycle, standing


def ensure_open(cycle: CycleContext, today: dt.date) -> None:
    if cycle.closed(today):
        raise Refused(
            _(
                "This cycle closed on %(day)s: it can only be read now.",
                day=format_day(cycle.deadlines.closes),
            )
        )


def ensure_planner(standing: Standing) -> None:
    if not standing.plans:
        raise Refused(_("Only the first evaluator or a co-planner can do this."))


def bounded_text(value: str, field: str, limit: int = MAX_TEXT) -> str:
    value = value.strip()
    if len(value) > limit:
        raise Refused(_("Keep this under %(limit)s characters.", limit=f"{limit:,}"), field)
    return value


async def audit_denied(actor: audit.Actor, action: str, table: str, key: int, detail: str) -> None:
    """A refused change is audited on its own (the refused write itself rolled back)."""
    async with write_transaction():
        await audit.record(
            actor, action, table=table, key=str(key), outcome=audit.Outcome.DENIED, detail=detail
        )
