"""Record factories: the rows a test puts in the real database before it looks at a page
or calls a service. Each singular function inserts one record and returns its id; its
keyword arguments have the defaults most tests want, and any other column of the table
can be given by name. A plural function (`staff_members`, `cycles`, ...) inserts many in
ONE insert (a set-up of n rows asks the database once, not n times) and returns their ids
in the order given; each of its rows holds the singular function's arguments by name.

One place, so a test says only what matters to it, and a new column is added here once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from piccolo.table import Table

from certification.tables import Certificate, Track
from cycles.tables import (
    CycleEvaluation,
    CycleMeeting,
    CycleObjective,
    EvaluationCycle,
    EvaluatorAssignment,
)
from organisations.tables import Organisation, StaffMember

TODAY = dt.date.today()
LAST_YEAR = TODAY - dt.timedelta(days=365)
# The PRO Partner of BOSA in the `users` fixture: who registers a certificate by default.
PARTNER = "partner@bosa.demo.portal.be"
# An evaluator's default start: before any staff member's cycles the tests look at.
ASSIGNED_ON = dt.date(2020, 1, 1)

# The staff form as a PRO Partner or HR fills it in (the add and edit forms' fields).
NEW_STAFF = {
    "email": "New.Person@bosa.example.be",
    "first_name": "Nina",
    "last_name": "Nieuw",
    "language_role": "FR",
    "start_date": "2026-01-05",
    "end_date": "",
}


async def _insert(table: type[Table], rows: list[Table]) -> list[int]:
    """Insert `rows` of `table` in one query; their ids, in the order of `rows`."""
    if not rows:
        return []
    found = await table.insert(*rows).returning(table.id)  # type: ignore[attr-defined]
    return [int(row["id"]) for row in found]


async def organisation_id(code: str) -> int:
    """The id of the organisation `code` (the `users` fixture loads BOSA, FIN, ...)."""
    [found] = await _organisation_ids([code])
    return found


async def _organisation_ids(codes: Iterable[str]) -> list[int]:
    wanted = list(codes)
    rows = await Organisation.select(Organisation.id, Organisation.code).where(
        Organisation.code.is_in(sorted(set(wanted)))
    )
    by_code = {row["code"]: int(row["id"]) for row in rows}
    missing = sorted(set(wanted) - set(by_code))
    assert not missing, f"no organisation {', '.join(missing)}"
    return [by_code[code] for code in wanted]


# --- organisations ---------------------------------------------------------------------


def _staff_row(
    organisation: int,
    email: str,
    *,
    first: str = "Ann",
    last: str = "Peeters",
    role: str = "NL",
    start: dt.date = LAST_YEAR,
    end: dt.date | None = None,
    **columns: Any,
) -> StaffMember:
    return StaffMember(
        organisation=organisation,
        email=email,
        first_name=first,
        last_name=last,
        language_role=role,
        start_date=start,
        end_date=end,
        **columns,
    )


async def staff_member(
    code: str,
    email: str,
    *,
    first: str = "Ann",
    last: str = "Peeters",
    role: str = "NL",
    start: dt.date = LAST_YEAR,
    end: dt.date | None = None,
    **columns: Any,
) -> int:
    """A staff member of the organisation `code`, there since a year ago, still there."""
    row = _staff_row(
        await organisation_id(code),
        email,
        first=first,
        last=last,
        role=role,
        start=start,
        end=end,
        **columns,
    )
    [staff_id] = await _insert(StaffMember, [row])
    return staff_id


async def staff_members(people: Iterable[Mapping[str, Any]]) -> list[int]:
    """Many staff members in one insert; each of `people` holds `staff_member`'s
    arguments by name (`code` and `email` at least)."""
    rows = [dict(person) for person in people]
    organisations = await _organisation_ids(row.pop("code") for row in rows)
    return await _insert(
        StaffMember,
        [
            _staff_row(organisation, **row)
            for organisation, row in zip(organisations, rows, strict=True)
        ],
    )


# --- certification -----------------------------------------------------------------------


async def certificate(
    staff_id: int,
    track: str = "AZ",
    *,
    status: str = "pending",
    obtained_on: dt.date = LAST_YEAR,
    valid_until: dt.date | None = None,
    registered_by: str | None = PARTNER,
    **columns: Any,
) -> int:
    """A certificate of the track `track` (its code), obtained a year ago and waiting
    for DG R&O's verification, as BOSA's PRO Partner registered it."""
    found = await Track.select(Track.id).where(Track.code == track).first()
    assert found is not None, f"no track {track}"
    row = Certificate(
        staff=staff_id,
        track=found["id"],
        obtained_on=obtained_on,
        valid_until=valid_until,
        status=status,
        registered_by=registered_by,
        **columns,
    )
    [certificate_id] = await _insert(Certificate, [row])
    return certificate_id


# --- evaluation cycles -------------------------------------------------------------------


def _cycle_row(staff_id: int, starts_on: dt.date, ends_on: dt.date, **columns: Any):
    return EvaluationCycle(staff=staff_id, starts_on=starts_on, ends_on=ends_on, **columns)


async def cycle(staff_id: int, starts_on: dt.date, ends_on: dt.date, **columns: Any) -> int:
    """An evaluation cycle of the staff member (no function, no absence unless given)."""
    [cycle_id] = await cycles(
        [dict(staff_id=staff_id, starts_on=starts_on, ends_on=ends_on, **columns)]
    )
    return cycle_id


async def cycles(rows: Iterable[Mapping[str, Any]]) -> list[int]:
    """Many cycles in one insert; each row holds `cycle`'s arguments by name."""
    return await _insert(EvaluationCycle, [_cycle_row(**row) for row in rows])


def _meeting_row(cycle_id: int, kind: str, held_on: dt.date, **columns: Any):
    return CycleMeeting(cycle=cycle_id, kind=kind, held_on=held_on, **columns)


async def meeting(cycle_id: int, kind: str, held_on: dt.date, **columns: Any) -> int:
    """A meeting of the cycle (`kind`: planning, functioning, feedback, ...), its report
    a draft unless `state` and the signatures say otherwise."""
    [meeting_id] = await meetings([dict(cycle_id=cycle_id, kind=kind, held_on=held_on, **columns)])
    return meeting_id


async def meetings(rows: Iterable[Mapping[str, Any]]) -> list[int]:
    """Many meetings in one insert; each row holds `meeting`'s arguments by name."""
    return await _insert(CycleMeeting, [_meeting_row(**row) for row in rows])


def _objective_row(cycle_id: int, kind: str, title: str, **columns: Any):
    return CycleObjective(cycle=cycle_id, kind=kind, title=title, **columns)


async def objective(cycle_id: int, kind: str, title: str, **columns: Any) -> int:
    """An open objective of the cycle (`kind`: performance or development)."""
    [objective_id] = await objectives([dict(cycle_id=cycle_id, kind=kind, title=title, **columns)])
    return objective_id


async def objectives(rows: Iterable[Mapping[str, Any]]) -> list[int]:
    """Many objectives in one insert; each row holds `objective`'s arguments by name."""
    return await _insert(CycleObjective, [_objective_row(**row) for row in rows])


async def evaluation(
    cycle_id: int, kind: str, text: str, *, submitted_by: str | None = None, **columns: Any
) -> int:
    """The evaluation `kind` (self, first, second) of the cycle, submitted now; by the
    cycle's staff member unless `submitted_by` names someone else."""
    if submitted_by is None:
        found = (
            await EvaluationCycle.select(EvaluationCycle.staff.email.as_alias("email"))
            .where(EvaluationCycle.id == cycle_id)
            .first()
        )
        assert found is not None, f"no cycle {cycle_id}"
        submitted_by = found["email"]
    row = CycleEvaluation(
        cycle=cycle_id, kind=kind, text=text, submitted_by=submitted_by, **columns
    )
    [evaluation_id] = await _insert(CycleEvaluation, [row])
    return evaluation_id


def _evaluator_row(
    staff_id: int,
    evaluator_id: int,
    role: str = "first",
    from_on: dt.date = ASSIGNED_ON,
    **columns: Any,
) -> EvaluatorAssignment:
    return EvaluatorAssignment(
        staff=staff_id, evaluator=evaluator_id, role=role, from_on=from_on, **columns
    )


async def evaluator(
    staff_id: int,
    evaluator_id: int,
    role: str = "first",
    from_on: dt.date = ASSIGNED_ON,
    **columns: Any,
) -> int:
    """`evaluator_id` evaluates `staff_id` as `role` (first, second, coplanner) from
    `from_on` on, with no end."""
    row = _evaluator_row(staff_id, evaluator_id, role, from_on, **columns)
    [assignment_id] = await _insert(EvaluatorAssignment, [row])
    return assignment_id


async def evaluators(rows: Iterable[Mapping[str, Any]]) -> list[int]:
    """Many evaluator assignments in one insert; each row holds `evaluator`'s arguments
    by name."""
    return await _insert(EvaluatorAssignment, [_evaluator_row(**row) for row in rows])
