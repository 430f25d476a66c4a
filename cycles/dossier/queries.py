"""A cycle's dossier as its owner and evaluators read it: meetings with their reports,
objectives with their progress (a development objective completed by a certificate
obtained during the cycle), the evaluations and the tasks, in six queries."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, fields
from typing import Any

from certification.catalogue import track_competencies
from certification.tables import Certificate
from core.rows import columns_of, rows_as
from cycles import rules
from cycles.queries import (
    CycleContext,
    Standing,
    Task,
    evaluation_tasks,
    final_reports,
    has_second_evaluator,
)
from cycles.tables import (
    CycleEvaluation,
    CycleMeeting,
    CycleObjective,
    EvaluationDraft,
    EvaluationReport,
    ImprovementPlan,
    ObjectiveProgress,
)


@dataclass(frozen=True)
class MeetingRow:
    """A meeting of the cycle with its report and signatures."""

    id: int
    cycle: int
    kind: str
    held_on: dt.date
    requested_by: str
    report: str
    staff_remarks: str
    state: str
    staff_signed_by: str | None
    staff_signed_at: dt.datetime | None
    evaluator_signed_by: str | None
    evaluator_signed_at: dt.datetime | None
    revision: int
    created_by: str
    mention: str = ""


@dataclass(frozen=True)
class PlanRow:
    """The improvement plan of an early cycle (SPEC 3.2)."""

    id: int
    actions: str
    support: str
    follow_up_on: dt.date | None
    follow_up: str
    revision: int
    updated_by: str
    updated_at: dt.datetime


@dataclass(frozen=True)
class ProgressRow:
    id: int
    objective: int
    recorded_at: dt.datetime
    recorded_by: str
    percent: int
    comment: str


@dataclass(frozen=True)
class CertificateHeld:
    """A certificate of the cycle's staff member (what can complete an objective)."""

    track: int
    track_code: str
    status: str
    obtained_on: dt.date
    valid_until: dt.date


@dataclass(frozen=True)
class ObjectiveRow:
    """An objective with the competency or track it names, what it is aligned to, its
    progress updates, and the certificate that completed it (then `shown_state` is
    achieved)."""

    id: int
    cycle: int
    kind: str
    title: str
    specific: str
    measurable: str
    achievable: str
    relevant: str
    due_on: dt.date | None
    competency: int | None
    track: int | None
    aligned_to: int | None
    state: str
    progress: int
    closing_note: str
    carried_from: int | None
    revision: int
    created_by: str
    competency_code: str | None
    competency_name_nl: str | None
    competency_name_fr: str | None
    competency_name_en: str | None
    track_code: str | None
    aligned_title: str | None
    progress_updates: list[ProgressRow]
    completed_by: CertificateHeld | None
    shown_state: str

    def form_values(self) -> dict[str, object]:
        """The objective as its edit form starts: each field by name."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True)
class EvaluationRow:
    id: int
    cycle: int
    kind: str
    text: str
    rating: str
    submitted_by: str
    submitted_at: dt.datetime
    late: bool


@dataclass(frozen=True)
class DraftRow:
    """An evaluation not signed yet, for its writer (and, once sent for the written
    procedure, for the staff member)."""

    id: int
    kind: str
    text: str
    rating: str
    revision: int
    updated_by: str
    updated_at: dt.datetime


@dataclass(frozen=True)
class ReportRow:
    """The staff member's side of the evaluation report (SPEC 3.2)."""

    written_sent_on: dt.date | None
    written_sent_by: str
    staff_remarks: str
    remarks_at: dt.datetime | None
    receipt_signed_by: str | None
    receipt_signed_at: dt.datetime | None
    refused_on: dt.date | None
    refused_by: str | None
    receipt_remarks: str

    @property
    def remarks_until(self) -> dt.date | None:
        """The last day of the written procedure's term, if the draft was sent."""
        return rules.remarks_term_end(self.written_sent_on) if self.written_sent_on else None

    @property
    def acknowledged(self) -> bool:
        return self.receipt_signed_at is not None or self.refused_on is not None


@dataclass(frozen=True)
class Dossier:
    """Everything in a cycle's dossier (never for HR)."""

    meetings: list[MeetingRow]
    objectives: list[ObjectiveRow]
    active_objectives: int
    has_development: bool
    certificates: list[CertificateHeld]
    evaluations: dict[str, EvaluationRow]
    tasks: list[Task]
    evaluated: bool
    performance_days: int
    functioning_missing: bool
    closed: bool
    deadlines: rules.Deadlines
    ratings: tuple[str, ...]
    track_competencies: dict[str, list[Any]]
    plan: PlanRow | None = None  # an early cycle's improvement plan
    drafts: dict[str, DraftRow] = field(default_factory=dict)  # the reader's own drafts
    report: ReportRow | None = None
    final: bool = False  # the evaluators signed the report (SPEC 3.2)


def _completing(
    track: int | None, certificates: list[CertificateHeld], cycle: CycleContext
) -> CertificateHeld | None:
    """The certificate of the objective's track obtained during the cycle, if any."""
    if track is None:
        return None
    return next(
        (
            held
            for held in certificates
            if held.track == track
            and rules.certificate_completes(
                held.status, held.obtained_on, cycle.starts_on, cycle.ends_on
            )
        ),
        None,
    )


async def report_of(cycle_id: int) -> ReportRow | None:
    row = await (
        EvaluationReport.select(*columns_of(EvaluationReport, ReportRow))
        .where(EvaluationReport.cycle == cycle_id)
        .first()
    )
    return ReportRow(**row) if row is not None else None


async def drafts_for(
    cycle_id: int, standing: Standing | None, report: ReportRow | None
) -> dict[str, DraftRow]:
    """The drafts the reader may see: the first evaluation's to its writers (the first
    evaluator, a co-planner), the second's to the second evaluator, and a draft sent for
    the written procedure to the staff member."""
    if standing is None:
        return {}
    kinds = []
    if standing.plans:
        kinds.append("first")
    if "second" in standing.evaluator_roles:
        kinds.append("second")
    if standing.is_owner and report is not None and report.written_sent_on is not None:
        kinds.append("first")
    if not kinds:
        return {}
    return {
        row["kind"]: DraftRow(**row)
        for row in await EvaluationDraft.select(*columns_of(EvaluationDraft, DraftRow)).where(
            (EvaluationDraft.cycle == cycle_id) & EvaluationDraft.kind.is_in(kinds)
        )
    }


async def dossier(cycle: CycleContext, today: dt.date, standing: Standing | None = None) -> Dossier:
    """Everything in a cycle's dossier, for its owner or an evaluator (never for HR): the
    meetings with their reports, the objectives with their progress (a development
    objective whose track has a valid certificate obtained during the cycle is shown
    achieved, with the certificate), the evaluations and the tasks. Six queries."""
    meetings = rows_as(
        MeetingRow,
        await CycleMeeting.select(*columns_of(CycleMeeting, MeetingRow))
        .where(CycleMeeting.cycle == cycle.id)
        .order_by(CycleMeeting.held_on),
    )
    objective_rows = await (
        CycleObjective.select(
            *columns_of(CycleObjective, ObjectiveRow),
            CycleObjective.competency.code.as_alias("competency_code"),
            CycleObjective.competency.name_nl.as_alias("competency_name_nl"),
            CycleObjective.competency.name_fr.as_alias("competency_name_fr"),
            CycleObjective.competency.name_en.as_alias("competency_name_en"),
            CycleObjective.track.code.as_alias("track_code"),
            CycleObjective.aligned_to.title.as_alias("aligned_title"),
        )
        .where(CycleObjective.cycle == cycle.id)
        .order_by(CycleObjective.id)
    )
    ids = [row["id"] for row in objective_rows]
    progress: dict[int, list[ProgressRow]] = {}
    if ids:
        for row in await (
            ObjectiveProgress.select(*columns_of(ObjectiveProgress, ProgressRow))
            .where(ObjectiveProgress.objective.is_in(ids))
            .order_by(ObjectiveProgress.recorded_at, ascending=False)
        ):
            progress.setdefault(row["objective"], []).append(ProgressRow(**row))
    certificates = rows_as(
        CertificateHeld,
        await Certificate.select(
            Certificate.track,
            Certificate.track.code.as_alias("track_code"),
            Certificate.status,
            Certificate.obtained_on,
            Certificate.valid_until,
        )
        .where(Certificate.staff == cycle.staff_id)
        .order_by(Certificate.obtained_on),
    )
    objectives = []
    for row in objective_rows:
        completed_by = _completing(row["track"], certificates, cycle)
        objectives.append(
            ObjectiveRow(
                **row,
                progress_updates=progress.get(row["id"], []),
                completed_by=completed_by,
                shown_state="achieved"
                if completed_by is not None and row["state"] == "open"
                else row["state"],
            )
        )
    evaluations = {
        row["kind"]: EvaluationRow(**row)
        for row in await CycleEvaluation.select(*columns_of(CycleEvaluation, EvaluationRow)).where(
            CycleEvaluation.cycle == cycle.id
        )
    }
    report = await report_of(cycle.id)
    final = cycle.id in await final_reports([cycle.id])
    second_due = not final and await has_second_evaluator(cycle.staff_id, today)
    functioning_required = rules.functioning_meeting_required(
        cycle.absent_days, cycle.work_regime_changed_on is not None, cycle.regime
    )
    return Dossier(
        meetings=meetings,
        objectives=objectives,
        active_objectives=sum(1 for o in objectives if o.state != "carried"),
        has_development=any(o.kind == "development" and o.state != "carried" for o in objectives),
        certificates=certificates,
        evaluations=evaluations,
        tasks=evaluation_tasks(
            cycle, {k: e.late for k, e in evaluations.items()}, today, second_due
        ),
        evaluated=cycle.evaluated,
        performance_days=rules.performance_days(cycle.starts_on, cycle.ends_on, cycle.absent_days),
        functioning_missing=functioning_required
        and not any(m.kind == "functioning" for m in meetings),
        closed=cycle.closed(today),
        deadlines=cycle.deadlines,
        ratings=tuple(rules.RATING_SCALES.get(cycle.regime.rating_scale, ())),
        track_competencies=await track_competencies(),
        plan=await improvement_plan(cycle.id) if cycle.kind == "early" else None,
        drafts=await drafts_for(cycle.id, standing, report),
        report=report,
        final=final,
    )


async def improvement_plan(cycle_id: int) -> PlanRow | None:
    row = await (
        ImprovementPlan.select(*columns_of(ImprovementPlan, PlanRow))
        .where(ImprovementPlan.cycle == cycle_id)
        .first()
    )
    return PlanRow(**row) if row is not None else None


async def signed_kinds(cycle_id: int) -> set[str]:
    """The kinds of evaluation signed in the cycle (self, first, second)."""
    return {
        row["kind"]
        for row in await CycleEvaluation.select(CycleEvaluation.kind).where(
            CycleEvaluation.cycle == cycle_id
        )
    }


async def meeting_state(cycle_id: int, meeting_id: int) -> str | None:
    """The state of the cycle's meeting's report; None when the cycle has no such meeting."""
    row = await (
        CycleMeeting.select(CycleMeeting.state)
        .where((CycleMeeting.id == meeting_id) & (CycleMeeting.cycle == cycle_id))
        .first()
    )
    return None if row is None else str(row["state"])
