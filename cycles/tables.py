"""Evaluation cycles (SPEC 3, 5.4): a staff member's functions (their history, from the
`functions` import), the cycles generated from them by `cycles.rules`, who evaluates
whom, each organisation's regime, and the contents of a dossier: meetings with their
signed reports, objectives with their progress, and the evaluations."""

from piccolo.columns import (
    Boolean,
    Date,
    ForeignKey,
    Integer,
    Serial,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.table import Table

from certification.tables import Track
from competencies.tables import Competency
from organisations.tables import Organisation, StaffMember


class StaffFunction(Table, tablename="staff_function"):
    """The staff member holds `title` from `started_on` (a change of function after the
    first). Natural key: staff + started_on."""

    id: Serial

    staff = ForeignKey(references=StaffMember, required=True, index=True)
    started_on = Date(required=True)
    title = Varchar(length=200, required=True)


class EvaluationCycle(Table, tablename="evaluation_cycle"):
    """One evaluation cycle of a staff member. Natural key: staff + starts_on."""

    id: Serial

    staff = ForeignKey(references=StaffMember, required=True, index=True)
    starts_on = Date(required=True)
    ends_on = Date(required=True)
    function = Varchar(length=200, default="")
    # Kept by HR: what makes a functioning meeting mandatory under the regime
    # (an absence of more than N days, a change of work regime) and what the
    # 63 days of performance are counted from.
    absent_days = Integer(default=0)
    work_regime_changed_on = Date(null=True, default=None)
    # SPEC 5.4: annual, probation (a trainee's stage, SPEC 3.1) or early (SPEC 3.2); for
    # a stage, the months a final mention extended it by (at most 4).
    kind = Varchar(length=10, default="annual")
    extension_months = Integer(default=0)
    # A stage's working time in per cent of full time (a part-time stage lasts until the
    # full-time duration is reached); 100 for every other cycle.
    working_time = Integer(default=100)


class EvaluationRegime(Table, tablename="evaluation_regime"):
    """An organisation's evaluation regime (SPEC 3); without a row the federal default
    applies. Deadlines are month-day ("03-15"): the first such day after the cycle ends."""

    id: Serial

    organisation = ForeignKey(references=Organisation, required=True, unique=True)
    preset = Varchar(length=20, default="federal")
    self_deadline = Varchar(length=5, default="03-15")
    first_deadline = Varchar(length=5, default="03-15")
    second_deadline = Varchar(length=5, default="03-31")
    closes_on = Varchar(length=5, default="06-30")
    rating_scale = Varchar(length=20, default="federal")
    min_days_between_meetings = Integer(default=20)
    absence_days_for_functioning = Integer(default=70)
    functioning_after_regime_change = Boolean(default=True)
    reminder_days = Integer(default=7)
    min_performance_days = Integer(default=63)
    stage_months = Integer(default=12)
    early_months = Integer(default=6)
    cycles_off = Boolean(default=False)
    revision = Integer(default=1)
    updated_by = Varchar(length=254, default="")


class EvaluatorAssignment(Table, tablename="evaluator_assignment"):
    """Who evaluates a staff member, with history: `role` is first, second or coplanner
    (stands in for an absent evaluator); a change ends the running row the day before."""

    id: Serial

    staff = ForeignKey(references=StaffMember, required=True, index=True)
    role = Varchar(length=10, required=True)
    evaluator = ForeignKey(references=StaffMember, required=True, index=True)
    from_on = Date(required=True)
    until_on = Date(null=True, default=None)
    assigned_by = Varchar(length=254, default="")


class CycleMeeting(Table, tablename="cycle_meeting"):
    """A meeting of a cycle and its report, signed by the staff member and the evaluator;
    `state` follows `cycles.lifecycle.REPORT_LIFECYCLE`."""

    id: Serial

    cycle = ForeignKey(references=EvaluationCycle, required=True, index=True)
    kind = Varchar(length=12, required=True)
    held_on = Date(required=True)
    requested_by = Varchar(length=10, default="")
    report = Text(default="")
    staff_remarks = Text(default="")
    state = Varchar(length=20, default="draft")
    staff_signed_by = Varchar(length=254, null=True, default=None)
    staff_signed_at = Timestamptz(null=True, default=None)
    evaluator_signed_by = Varchar(length=254, null=True, default=None)
    evaluator_signed_at = Timestamptz(null=True, default=None)
    revision = Integer(default=1)
    created_by = Varchar(length=254, default="")
    # A stage's functioning meetings and its final evaluation close with a mention
    # (SPEC 3.1): exceptional, meets_expectations, to_improve or insufficient.
    mention = Varchar(length=20, default="")


class CycleObjective(Table, tablename="cycle_objective"):
    """A performance or development objective (SMART); a development objective names a
    competency of the model and may name a certification track."""

    id: Serial

    cycle = ForeignKey(references=EvaluationCycle, required=True, index=True)
    kind = Varchar(length=12, required=True)
    title = Varchar(length=200, required=True)
    specific = Text(default="")
    measurable = Text(default="")
    achievable = Text(default="")
    relevant = Text(default="")
    due_on = Date(null=True, default=None)
    competency = ForeignKey(references=Competency, null=True, default=None)
    track = ForeignKey(references=Track, null=True, default=None)
    aligned_to: ForeignKey = ForeignKey(references="self", null=True, default=None)
    state = Varchar(length=10, default="open")
    progress = Integer(default=0)
    closing_note = Text(default="")
    carried_from = Integer(null=True, default=None)
    revision = Integer(default=1)
    created_by = Varchar(length=254, default="")


class ObjectiveProgress(Table, tablename="objective_progress"):
    """A progress update on an objective: how far, and a comment."""

    id: Serial

    objective = ForeignKey(references=CycleObjective, required=True, index=True)
    recorded_at = Timestamptz()
    recorded_by = Varchar(length=254, required=True)
    percent = Integer(default=0)
    comment = Text(default="")


class CycleEvaluation(Table, tablename="cycle_evaluation"):
    """The self-evaluation, the first or the second evaluator's evaluation of a cycle
    (one each; natural key cycle + kind)."""

    id: Serial

    cycle = ForeignKey(references=EvaluationCycle, required=True, index=True)
    kind = Varchar(length=6, required=True)
    text = Text(default="")
    rating = Varchar(length=20, default="")
    submitted_by = Varchar(length=254, required=True)
    submitted_at = Timestamptz()
    late = Boolean(default=False)


class CycleReminder(Table, tablename="cycle_reminder"):
    """A reminder sent for a task of a cycle before its deadline: never twice
    (unique on cycle + task + deadline)."""

    id: Serial

    cycle = ForeignKey(references=EvaluationCycle, required=True, index=True)
    task = Varchar(length=12, required=True)
    deadline = Date(required=True)
    sent_at = Timestamptz()


class StageDecision(Table, tablename="stage_decision"):
    """A decision on a trainee's stage (SPEC 3.1), as HR records it: appointed (the
    statute becomes statutory), extended (by `months`, four at most in all), the appeal
    commission's decision that the stage goes on, or dismissed (the stage and the posting
    end on `decided_on`); with who recorded it and when."""

    id: Serial

    cycle = ForeignKey(references=EvaluationCycle, required=True, index=True)
    decision = Varchar(length=20, required=True)
    months = Integer(default=0)
    decided_on = Date(required=True)
    note = Text(default="")
    recorded_by = Varchar(length=254, required=True)
    recorded_at = Timestamptz()


class ImprovementPlan(Table, tablename="improvement_plan"):
    """The improvement plan that follows a final insufficient (SPEC 3.2): one per early
    cycle, written by the first evaluator; read by the staff member and the evaluators,
    and by HR as a status only (that there is one, since when)."""

    id: Serial

    cycle = ForeignKey(references=EvaluationCycle, required=True, unique=True)
    actions = Text(default="")
    support = Text(default="")
    follow_up_on = Date(null=True, default=None)
    follow_up = Text(default="")
    revision = Integer(default=1)
    updated_by = Varchar(length=254, default="")
    updated_at = Timestamptz()


class EvaluationDraft(Table, tablename="evaluation_draft"):
    """An evaluator's evaluation before it is signed (SPEC 3.2): saved as often as the
    evaluator likes, seen by nobody else, unless it is sent to the staff member for the
    written procedure (`sent_on`). Signing turns it into the `CycleEvaluation` it was the
    draft of and deletes it. Natural key: cycle + kind."""

    id: Serial

    cycle = ForeignKey(references=EvaluationCycle, required=True, index=True)
    kind = Varchar(length=6, required=True)
    text = Text(default="")
    rating = Varchar(length=20, default="")
    revision = Integer(default=1)
    updated_by = Varchar(length=254, default="")
    updated_at = Timestamptz()


class EvaluationReport(Table, tablename="evaluation_report"):
    """What the staff member does with a cycle's evaluation report (SPEC 3.2): the
    written procedure (the draft sent on `written_sent_on`, 15 calendar days for remarks),
    their remarks, and their receipt signature or refusal to sign (with its date) once the
    report is final. One per cycle."""

    id: Serial

    cycle = ForeignKey(references=EvaluationCycle, required=True, unique=True)
    written_sent_on = Date(null=True, default=None)
    written_sent_by = Varchar(length=254, default="")
    staff_remarks = Text(default="")
    remarks_at = Timestamptz(null=True, default=None)
    receipt_signed_by = Varchar(length=254, null=True, default=None)
    receipt_signed_at = Timestamptz(null=True, default=None)
    refused_on = Date(null=True, default=None)
    refused_by = Varchar(length=254, null=True, default=None)
    receipt_remarks = Text(default="")
    # When the evaluators' signatures made the report final: it stays final whatever
    # evaluator is assigned later (SPEC 3.2: a final report cannot change).
    final_at = Timestamptz(null=True, default=None)
    revision = Integer(default=1)


class DossierRequest(Table, tablename="dossier_request"):
    """HR's motivated request to read a closed dossier (SPEC 3.2), by the requesting
    account's id: granted at once for a negative evaluation or an improvement plan,
    otherwise decided by the organisation's legal reviewer (necessity and proportionality).
    A grant opens the dossier to that account only, until `valid_until`."""

    id: Serial

    cycle = ForeignKey(references=EvaluationCycle, required=True, index=True)
    requested_by = Integer(required=True, index=True)  # portal_user.id
    requested_label = Varchar(length=254, default="")
    requested_at = Timestamptz()
    motive = Varchar(length=20, required=True)
    reason = Text(default="")
    state = Varchar(length=10, default="pending")
    decided_by = Integer(null=True, default=None)  # portal_user.id; None: at once
    decided_label = Varchar(length=254, default="")
    decided_at = Timestamptz(null=True, default=None)
    decision_note = Text(default="")
    valid_until = Date(null=True, default=None)
    revision = Integer(default=1)


class AbsencePeriod(Table, tablename="absence_period"):
    """A period of absence HR recorded for a staff member (first and last day, both
    included). Its working days make the days of absence of every cycle it falls in
    (the 63 days of performance, the mandatory functioning meeting, a stage's extension
    beyond 30 working days)."""

    id: Serial

    staff = ForeignKey(references=StaffMember, required=True, index=True)
    starts_on = Date(required=True)
    ends_on = Date(required=True)
    note = Varchar(length=200, default="")
    recorded_by = Varchar(length=254, default="")
    recorded_at = Timestamptz()
