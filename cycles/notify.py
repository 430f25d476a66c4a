"""Who is told of a dossier's events (issue 22): the people of a cycle's dossier (the
staff member's account, the accounts of the evaluators assigned that day) and the notice
of each event to those of them it concerns, never to the person who caused it. A notice
carries titles and dates only; HR, other evaluators and other organisations get none."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
from typing import Any

from accounts.tables import User
from core import notices
from core.settings import LANGUAGES
from cycles.queries import CycleContext, running_assignment
from cycles.tables import EvaluatorAssignment
from organisations.tables import Organisation

STAFF = "staff"  # the staff member; the evaluator roles are first, second, coplanner
ACCOUNT_COLUMNS = (
    User.id,
    User.email,
    User.preferred_language,
    User.staff_member,
    User.staff_member.language_role.as_alias("language_role"),
)


def _person(row: Mapping[str, Any]) -> notices.Person:
    """An account as a notice's recipient: mailed in its chosen language, else in the
    language role of its staff record."""
    language = row["preferred_language"]
    if language not in LANGUAGES:
        language = str(row["language_role"] or "nl").lower()
    return notices.Person(row["id"], row["email"], language)


async def people_of(staff_id: int, today: dt.date) -> dict[str, list[notices.Person]]:
    """The accounts of a staff member's dossier by their part in it (two queries)."""
    roles: dict[int, set[str]] = {staff_id: {STAFF}}
    for row in await EvaluatorAssignment.select(
        EvaluatorAssignment.role, EvaluatorAssignment.evaluator
    ).where((EvaluatorAssignment.staff == staff_id) & running_assignment(today)):
        roles.setdefault(row["evaluator"], set()).add(row["role"])
    found: dict[str, list[notices.Person]] = {}
    for row in await User.select(*ACCOUNT_COLUMNS).where(
        User.staff_member.is_in(list(roles)) & (User.active == True)  # noqa: E712
    ):
        person = _person(row)
        for role in roles[row["staff_member"]]:
            found.setdefault(role, []).append(person)
    return found


async def tell(
    kind: str,
    cycle: CycleContext,
    to: Collection[str],
    by_account: int | None,
    today: dt.date,
    **params: Any,
) -> int:
    """The notice `kind` to the people of `cycle`'s dossier in the parts `to` (staff,
    first, second, coplanner), except the account that caused it; inside the write's
    transaction. How many were told."""
    people = await people_of(cycle.staff_id, today)
    chosen = [
        person for part in to for person in people.get(part, []) if person.account != by_account
    ]
    values: Mapping[str, Any] = {
        "cycle": cycle.id,
        "name": cycle.staff_name,
        "start": cycle.starts_on.isoformat(),
        "end": cycle.ends_on.isoformat(),
        **{key: value.isoformat() if isinstance(value, dt.date) else value
           for key, value in params.items()},
    }  # fmt: skip
    return await notices.notify_people(kind, chosen, values, cycle.organisation_code)


async def tell_assigned(
    staff_id: int, evaluator_id: int, role: str, from_on: dt.date, name: str, organisation_id: int
) -> int:
    """The evaluator assigned is told whose evaluator they are, from when."""
    code = (
        await Organisation.select(Organisation.code)
        .where(Organisation.id == organisation_id)
        .first()
    )
    chosen = [
        _person(row)
        for row in await User.select(*ACCOUNT_COLUMNS).where(
            (User.staff_member == evaluator_id) & (User.active == True)  # noqa: E712
        )
    ]
    params = {"name": name, "role": role, "day": from_on.isoformat(), "staff": staff_id}
    return await notices.notify_people(
        "evaluator_assigned", chosen, params, code["code"] if code else None
    )
