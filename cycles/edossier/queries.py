"""The e-dossier (SPEC 3.2) as it is read: a staff member's closed cycles with their final
reports and signed meeting reports, and HR's motivated requests to read a closed dossier,
for the requesting HR account and for the organisation's legal reviewer."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from core.rows import columns_of
from cycles import rules
from cycles.lifecycle import ReportState
from cycles.queries import final_reports, regime_for
from cycles.tables import (
    CycleEvaluation,
    CycleMeeting,
    DossierRequest,
    EvaluationCycle,
    ImprovementPlan,
)
from organisations.tables import StaffMember


@dataclass(frozen=True)
class SignedMeeting:
    id: int
    kind: str
    held_on: dt.date


@dataclass(frozen=True)
class ArchivedCycle:
    """A closed cycle in the staff member's e-dossier: what it keeps."""

    id: int
    starts_on: dt.date
    ends_on: dt.date
    kind: str
    function: str
    final: bool
    meetings: list[SignedMeeting]


async def archived_cycles(staff_id: int | None, today: dt.date) -> list[ArchivedCycle]:
    """The staff member's closed cycles, newest first, each with whether its report is
    final and its signed meeting reports. Four queries, whatever the number of cycles."""
    if staff_id is None:
        return []
    staff = (
        await StaffMember.select(StaffMember.organisation).where(StaffMember.id == staff_id).first()
    )
    if staff is None:
        return []
    regime = await regime_for(staff["organisation"])
    cycles = [
        row
        for row in await EvaluationCycle.select(
            EvaluationCycle.id,
            EvaluationCycle.starts_on,
            EvaluationCycle.ends_on,
            EvaluationCycle.kind,
            EvaluationCycle.function,
        )
        .where(EvaluationCycle.staff == staff_id)
        .order_by(EvaluationCycle.starts_on, ascending=False)
        if rules.is_closed(row["ends_on"], regime, today)
    ]
    ids = [row["id"] for row in cycles]
    if not ids:
        return []
    meetings: dict[int, list[SignedMeeting]] = {}
    for row in await (
        CycleMeeting.select(
            CycleMeeting.id, CycleMeeting.cycle, CycleMeeting.kind, CycleMeeting.held_on
        )
        .where(CycleMeeting.cycle.is_in(ids) & (CycleMeeting.state == str(ReportState.SIGNED)))
        .order_by(CycleMeeting.held_on)
    ):
        meetings.setdefault(row["cycle"], []).append(
            SignedMeeting(row["id"], row["kind"], row["held_on"])
        )
    finals = await final_reports(ids)
    return [
        ArchivedCycle(
            **row,
            final=row["id"] in finals,
            meetings=meetings.get(row["id"], []),
        )
        for row in cycles
    ]


@dataclass(frozen=True)
class RequestRow:
    """A motivated request to read a closed dossier, with the cycle it is about."""

    id: int
    cycle: int
    requested_by: int
    requested_label: str
    requested_at: dt.datetime
    motive: str
    reason: str
    state: str
    decided_by: int | None
    decided_label: str
    decided_at: dt.datetime | None
    decision_note: str
    valid_until: dt.date | None
    revision: int
    staff_name: str
    starts_on: dt.date
    ends_on: dt.date

    def readable(self, today: dt.date) -> bool:
        return rules.grant_open(self.state, self.valid_until, today)


def _request_query():  # type: ignore[no-untyped-def]
    return DossierRequest.select(
        *columns_of(DossierRequest, RequestRow),
        DossierRequest.cycle._.staff._.first_name.as_alias("first_name"),
        DossierRequest.cycle._.staff._.last_name.as_alias("last_name"),
        DossierRequest.cycle._.starts_on.as_alias("starts_on"),
        DossierRequest.cycle._.ends_on.as_alias("ends_on"),
        DossierRequest.cycle._.staff._.organisation.as_alias("organisation_id"),
    )


def _request_row(row: dict[str, object]) -> RequestRow:
    first, last = row.pop("first_name"), row.pop("last_name")
    row.pop("organisation_id")
    return RequestRow(**row, staff_name=f"{first} {last}")  # type: ignore[arg-type]


async def requests_of(organisation_id: int, requested_by: int | None = None) -> list[RequestRow]:
    """The organisation's requests, newest first (one query); `requested_by`: one HR
    account's own."""
    query = _request_query().where(DossierRequest.cycle._.staff._.organisation == organisation_id)
    if requested_by is not None:
        query = query.where(DossierRequest.requested_by == requested_by)
    return [_request_row(row) for row in await query.order_by(DossierRequest.id, ascending=False)]


async def request_in(organisation_id: int, request_id: int) -> RequestRow | None:
    """The request, if it is about a dossier of the organisation."""
    row = await (
        _request_query()
        .where(
            (DossierRequest.id == request_id)
            & (DossierRequest.cycle._.staff._.organisation == organisation_id)
        )
        .first()
    )
    return None if row is None else _request_row(row)


@dataclass(frozen=True)
class ClosedCycle:
    """A closed cycle HR may ask to read, for the request form's list."""

    id: int
    staff_name: str
    starts_on: dt.date
    ends_on: dt.date


async def closed_cycles_of_organisation(organisation_id: int, today: dt.date) -> list[ClosedCycle]:
    """The organisation's closed cycles, by staff member then newest first (one query)."""
    regime = await regime_for(organisation_id)
    rows = await (
        EvaluationCycle.select(
            EvaluationCycle.id,
            EvaluationCycle.staff.first_name.as_alias("first_name"),
            EvaluationCycle.staff.last_name.as_alias("last_name"),
            EvaluationCycle.starts_on,
            EvaluationCycle.ends_on,
        )
        .where(EvaluationCycle.staff.organisation == organisation_id)
        .order_by(EvaluationCycle.staff.last_name)
        .order_by(EvaluationCycle.starts_on, ascending=False)
    )
    return [
        ClosedCycle(
            row["id"], f"{row['first_name']} {row['last_name']}", row["starts_on"], row["ends_on"]
        )
        for row in rows
        if rules.is_closed(row["ends_on"], regime, today)
    ]


async def dossier_facts(cycle_id: int) -> tuple[bool, bool]:
    """(has a negative evaluation, has an improvement plan): what a motive can rest on."""
    ratings = {
        row["rating"]
        for row in await CycleEvaluation.select(CycleEvaluation.rating).where(
            CycleEvaluation.cycle == cycle_id
        )
    }
    has_plan = await ImprovementPlan.exists().where(ImprovementPlan.cycle == cycle_id)
    return bool(ratings & rules.NEGATIVE_RATINGS), bool(has_plan)
