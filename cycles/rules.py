"""The evaluation cycle's period (SPEC 3, 5.4), pure.

A cycle starts when a function starts (the staff member's start date, or a change of
function). That first cycle ends on 31 December of the same year when it starts from
1 January to 30 June, else on 31 December of the next year; later cycles run 1 January
to 31 December. A change of function on F ends the running cycle on F minus one day;
the staff member's end date ends the running cycle that day and no cycle follows.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from functools import cache

import holidays

ONE_DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class Cycle:
    start: dt.date
    end: dt.date
    function: str


def first_cycle_end(start: dt.date) -> dt.date:
    """31 December of the start's year when it starts by 30 June, else of the next year."""
    return dt.date(start.year if start.month <= 6 else start.year + 1, 12, 31)


def cycles_of(
    start_date: dt.date,
    end_date: dt.date | None,
    functions: Sequence[tuple[dt.date, str]],
    through: dt.date,
) -> list[Cycle]:
    """Every cycle that starts on or before `through`. `functions` are the (started on,
    title) of the staff member's functions; one starting on the start date names the
    first; later ones are changes of function (any before the start date or after the
    end date is ignored here: the import refuses them)."""
    titles = {day: title for day, title in functions}
    changes = sorted(
        day for day in titles if start_date < day and (end_date is None or day <= end_date)
    )
    segment_starts = [start_date, *changes]
    cycles: list[Cycle] = []
    for index, segment_start in enumerate(segment_starts):
        if segment_start > through:
            break
        segment_end = (
            segment_starts[index + 1] - ONE_DAY if index + 1 < len(segment_starts) else end_date
        )
        title = titles.get(segment_start, "")
        cycle_start = segment_start
        cycle_end = first_cycle_end(segment_start)
        while cycle_start <= through and (segment_end is None or cycle_start <= segment_end):
            end = cycle_end if segment_end is None else min(cycle_end, segment_end)
            cycles.append(Cycle(cycle_start, end, title))
            cycle_start = cycle_end + ONE_DAY
            cycle_end = dt.date(cycle_start.year, 12, 31)
    return cycles


# --- Statutes and the stage (SPEC 3.1) ----------------------------------------------------

STAGE_MONTHS = 12
STAGE_FREE_ABSENCE = 30  # working days of absence in a stage that do not extend it
MAX_STAGE_EXTENSION_MONTHS = 4


def months_later_end(start: dt.date, months: int) -> dt.date:
    """The last day of a period of `months` months from `start`: the day before the same
    day of the month `months` later, or that month's last day when it has no such day
    (a start on 29 February, or on the 31st)."""
    index = start.year * 12 + start.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    last = calendar.monthrange(year, month)[1]
    if start.day > last:
        return dt.date(year, month, last)
    return dt.date(year, month, start.day) - ONE_DAY


FULL_TIME = 100  # a stage's working time, in per cent of a full-time job
MIN_WORKING_TIME = 10


def part_time_end(start: dt.date, full_time_end: dt.date, working_time: int) -> dt.date:
    """The last day of a stage worked at `working_time` % whose full-time duration ends
    on `full_time_end`: it lasts until the full-time duration is reached, i.e. its
    calendar days are the full-time ones times 100 / `working_time`, rounded up."""
    if working_time >= FULL_TIME:
        return full_time_end
    days = (full_time_end - start).days + 1
    return start + dt.timedelta(days=-(-days * FULL_TIME // working_time) - 1)


def stage_end(
    start: dt.date,
    months: int = STAGE_MONTHS,
    absent_working_days: int = 0,
    extension_months: int = 0,
    working_time: int = FULL_TIME,
) -> dt.date:
    """The stage's last day: `months` (and the extension a final mention called for)
    from the start, lengthened for a part-time stage until the full-time duration is
    reached, then one working day later for each working day of absence beyond the
    first 30."""
    end = months_later_end(start, months + max(0, extension_months))
    end = part_time_end(start, end, working_time)
    return add_working_days(end, max(0, absent_working_days - STAGE_FREE_ABSENCE))


def working_time_problem(working_time: int) -> str | None:
    """A stage's working time is a whole per cent from 10 to 100."""
    if not MIN_WORKING_TIME <= working_time <= FULL_TIME:
        return "range"
    return None


STAGE_DECISIONS = ("appointed", "extended", "appeal_continued", "dismissed")


def stage_decision_problem(
    decision: str, months: int, extended_so_far: int, decided: bool
) -> str | None:
    """Why a decision on a stage cannot be recorded (a code), or None. A stage that ended
    in an appointment or a dismissal takes no further decision; an extension is 1 to 4
    months and the extensions of one stage add up to 4 months at most."""
    if decision not in STAGE_DECISIONS:
        return "unknown"
    if decided:
        return "decided"
    if decision == "extended":
        if months < 1:
            return "months"
        if extended_so_far + months > MAX_STAGE_EXTENSION_MONTHS:
            return "too_long"
    return None


MENTIONS = ("exceptional", "meets_expectations", "to_improve", "insufficient")
STAGE_DEVELOPMENT_OBJECTIVES = 2


def needs_mention(cycle_kind: str, meeting_kind: str) -> bool:
    """A stage's functioning meetings and its final (balance) meeting close with a
    mention; no other meeting has one."""
    return cycle_kind == "probation" and meeting_kind in ("functioning", "balance")


STAGE_FUNCTIONING_MEETINGS = 3
STAGE_REPORT_DAYS = 30  # the final report, calendar days after the final meeting


@dataclass(frozen=True)
class StagePlan:
    """What a stage asks, in dates: the planning meeting within its first month, three
    functioning meetings spread evenly over it (proposed days), the final evaluation at
    its end and the final report within 30 calendar days of that meeting."""

    planning_by: dt.date
    functioning_on: tuple[dt.date, ...]
    final_on: dt.date
    report_due: dt.date


def next_working_day(day: dt.date) -> dt.date:
    """`day` when it is a working day, else the first working day after it."""
    while not is_working_day(day):
        day += ONE_DAY
    return day


def stage_plan(start: dt.date, end: dt.date) -> StagePlan:
    """The stage's meetings and terms (SPEC 3.1, 3.2): functioning meetings at a quarter,
    a half and three quarters of the stage, each on a working day."""
    length = (end - start).days
    parts = STAGE_FUNCTIONING_MEETINGS + 1
    functioning = tuple(
        min(end, next_working_day(start + dt.timedelta(days=length * n // parts)))
        for n in range(1, parts)
    )
    return StagePlan(
        planning_by=months_later_end(start, 1),
        functioning_on=functioning,
        final_on=end,
        report_due=end + dt.timedelta(days=STAGE_REPORT_DAYS),
    )


@dataclass(frozen=True)
class Stage:
    """A trainee's stage as `generate` sees it: its first day and its last (already
    extended), or the probation cycle that already holds it."""

    start: dt.date
    end: dt.date


def cycles_with_stage(
    stage: Stage,
    end_date: dt.date | None,
    functions: Sequence[tuple[dt.date, str]],
    through: dt.date,
) -> list[tuple[str, Cycle]]:
    """(kind, cycle) of a staff member with a stage: the stage as one `probation` cycle
    (its function: the one held on its first day; the staff member's end date ends it),
    then the annual cycles from the day after it by the first-cycle rule. A change of
    function during the stage does not end it; it applies to the cycles after it."""
    if stage.start > through:
        return []
    stage_last = stage.end if end_date is None else min(stage.end, end_date)
    result = [("probation", Cycle(stage.start, stage_last, held_on(functions, stage.start)))]
    after = stage_last + ONE_DAY
    if end_date is not None and end_date <= stage_last:
        return result
    later = [(day, title) for day, title in functions if day > after]
    annual = cycles_of(after, end_date, [(after, held_on(functions, after)), *later], through)
    return result + [("annual", cycle) for cycle in annual]


def early_cycle(final_on: dt.date, months: int, function: str) -> Cycle:
    """The early evaluation after an insufficient became final on `final_on` (SPEC 3.2):
    from the next day, for the regime's months."""
    start = final_on + ONE_DAY
    return Cycle(start, months_later_end(start, months), function)


def with_early_cycles(
    cycles: Sequence[tuple[str, Cycle]],
    earlies: Sequence[Cycle],
    end_date: dt.date | None,
    functions: Sequence[tuple[dt.date, str]],
    through: dt.date,
) -> list[tuple[str, Cycle]]:
    """The cycles with each early cycle in its place: the cycle running when it starts
    ends the day before; after it, annual cycles resume by the period rule (the
    first-cycle rule from the day after it), with the changes of function after it."""
    result = list(cycles)
    for early in sorted(earlies, key=lambda cycle: cycle.start):
        before = [
            (kind, replace(cycle, end=min(cycle.end, early.start - ONE_DAY)))
            for kind, cycle in result
            if cycle.start < early.start
        ]
        end = early.end if end_date is None else min(early.end, end_date)
        after: list[tuple[str, Cycle]] = []
        resume = end + ONE_DAY
        if end_date is None or resume <= end_date:
            later = [(day, title) for day, title in functions if day > resume]
            annual = cycles_of(
                resume, end_date, [(resume, held_on(functions, resume)), *later], through
            )
            after = [("annual", cycle) for cycle in annual]
        result = [*before, ("early", replace(early, end=end)), *after]
    return result


def held_on(functions: Sequence[tuple[dt.date, str]], day: dt.date) -> str:
    """The title of the function held on `day` (the latest started on or before it)."""
    started = [(start, title) for start, title in functions if start <= day]
    return max(started)[1] if started else ""


# --- Regimes (SPEC 3): the federal default and a PLOEG-like configuration -------------

# The formal ratings of each scale; no rating means the next cycle simply starts.
RATING_SCALES: dict[str, tuple[str, ...]] = {
    "federal": ("insufficient",),
    "ploeg": ("insufficient", "career_delay"),
}
MEETING_KINDS = ("function", "planning", "feedback", "functioning", "balance")
OBJECTIVE_KINDS = ("performance", "development")
EVALUATION_KINDS = ("self", "first", "second")
MAX_OBJECTIVES = 10


@dataclass(frozen=True)
class Regime:
    """An organisation's evaluation regime; deadlines are month-day strings ("03-15")."""

    preset: str = "federal"
    self_deadline: str = "03-15"
    first_deadline: str = "03-15"
    second_deadline: str = "03-31"
    closes_on: str = "06-30"
    rating_scale: str = "federal"
    min_days_between_meetings: int = 20
    absence_days_for_functioning: int = 70
    functioning_after_regime_change: bool = True
    reminder_days: int = 7
    min_performance_days: int = 63
    stage_months: int = STAGE_MONTHS  # a trainee's stage (SPEC 3.1)
    early_months: int = 6  # the early evaluation after a final insufficient (SPEC 3.2)
    # The organisation does not use the portal's evaluation cycles (issue 22): no cycle is
    # created, no reminder sent; the cycles it had stay readable.
    cycles_off: bool = False


FEDERAL = Regime()
# The Flemish PLOEG module (seed 004): the same calendar, the ratings `insufficient` and
# `career delay`, and a functioning meeting that is not forced by absence or regime.
PLOEG = Regime(
    preset="ploeg",
    rating_scale="ploeg",
    absence_days_for_functioning=0,
    functioning_after_regime_change=False,
)
PRESETS = {"federal": FEDERAL, "ploeg": PLOEG}


def month_day(value: str) -> tuple[int, int] | None:
    """ "03-15" -> (3, 15); None when it is not a day of every year (29 February is not)."""
    parts = value.strip().split("-")
    if len(parts) != 2 or not all(part.isascii() and part.isdigit() for part in parts):
        return None
    month, day = int(parts[0]), int(parts[1])
    try:
        dt.date(2023, month, day)  # a year without 29 February
    except ValueError:
        return None
    return month, day


def regime_problems(regime: Regime) -> dict[str, str]:
    """Field -> problem code of a regime a person entered (empty when it is sound)."""
    problems: dict[str, str] = {}
    days = {}
    for field in ("self_deadline", "first_deadline", "second_deadline", "closes_on"):
        parsed = month_day(getattr(regime, field))
        if parsed is None:
            problems[field] = "month_day"
        else:
            days[field] = parsed
    if len(days) == 4:
        if days["second_deadline"] < days["first_deadline"]:
            problems["second_deadline"] = "second_before_first"
        if days["closes_on"] < max(days["self_deadline"], days["second_deadline"]):
            problems["closes_on"] = "closes_before_deadline"
    if regime.rating_scale not in RATING_SCALES:
        problems["rating_scale"] = "unknown_scale"
    for field, low, high in (
        ("min_days_between_meetings", 0, 120),
        ("absence_days_for_functioning", 0, 366),
        ("reminder_days", 1, 60),
        ("min_performance_days", 0, 366),
        ("stage_months", 1, 36),
        ("early_months", 1, 12),
    ):
        if not low <= getattr(regime, field) <= high:
            problems[field] = f"range:{low}:{high}"
    return problems


def next_month_day(after: dt.date, value: str) -> dt.date:
    """The first day `value` ("03-15") that falls after `after`."""
    parsed = month_day(value)
    if parsed is None:
        raise ValueError(f"not a month-day: {value!r}")
    month, day = parsed
    candidate = dt.date(after.year, month, day)
    return candidate if candidate > after else dt.date(after.year + 1, month, day)


@dataclass(frozen=True)
class Deadlines:
    self: dt.date
    first: dt.date
    second: dt.date
    closes: dt.date

    def of(self, task: str) -> dt.date:
        return {"self": self.self, "first": self.first, "second": self.second}[task]


def deadlines(cycle_end: dt.date, regime: Regime) -> Deadlines:
    """The evaluation deadlines of a cycle: the first of each regime date after the cycle
    ends (a cycle ending 31 December 2026: 15 and 31 March 2027, closed on 30 June 2027)."""
    second = next_month_day(cycle_end, regime.second_deadline)
    self_deadline = next_month_day(cycle_end, regime.self_deadline)
    closes = next_month_day(max(second, self_deadline) - ONE_DAY, regime.closes_on)
    return Deadlines(
        self=self_deadline,
        first=next_month_day(cycle_end, regime.first_deadline),
        second=second,
        closes=closes,
    )


def is_closed(cycle_end: dt.date, regime: Regime, today: dt.date) -> bool:
    """After the closing day everything in the cycle is read-only."""
    return today > deadlines(cycle_end, regime).closes


def evaluation_opens(cycle_start: dt.date, cycle_end: dt.date) -> dt.date:
    """Evaluations can be written from the first day of the cycle's last month (or its
    start, for a cycle shorter than that)."""
    return max(cycle_start, cycle_end.replace(day=1))


@cache
def _public_holidays(year: int) -> frozenset[dt.date]:
    """Belgium's public holidays of a year (the `holidays` library's calendar)."""
    return frozenset(holidays.country_holidays("BE", years=year))


def is_working_day(day: dt.date) -> bool:
    """Monday to Friday, not a public holiday of Belgium."""
    return day.weekday() < 5 and day not in _public_holidays(day.year)


def working_days(start: dt.date, end: dt.date) -> int:
    """Working days from start to end, both included (0 when end < start): Monday to
    Friday, less Belgium's public holidays that fall on one of them."""
    if end < start:
        return 0
    days = (end - start).days + 1
    weeks, rest = divmod(days, 7)
    count = weeks * 5
    weekday = start.weekday()
    for offset in range(rest):
        if (weekday + offset) % 7 < 5:
            count += 1
    for year in range(start.year, end.year + 1):
        count -= sum(
            1 for day in _public_holidays(year) if start <= day <= end and day.weekday() < 5
        )
    return count


def add_working_days(day: dt.date, count: int) -> dt.date:
    """The day `count` working days after `day` (`day` itself when count <= 0)."""
    while count > 0:
        day += ONE_DAY
        if is_working_day(day):
            count -= 1
    return day


def performance_days(cycle_start: dt.date, cycle_end: dt.date, absent_days: int) -> int:
    """Working days in the cycle less the working days of absence HR recorded."""
    return max(0, working_days(cycle_start, cycle_end) - max(0, absent_days))


def is_evaluated(
    cycle_kind: str, cycle_start: dt.date, cycle_end: dt.date, absent_days: int, regime: Regime
) -> bool:
    """Whether a cycle gets its evaluations: a stage always; another cycle with the
    regime's days of performance (63)."""
    return cycle_kind == "probation" or gets_annual_evaluation(
        cycle_start, cycle_end, absent_days, regime
    )


def evaluation_deadline(
    kind: str, cycle_kind: str, cycle_start: dt.date, cycle_end: dt.date, regime: Regime
) -> dt.date:
    """When an evaluation (`kind`: self, first, second) is due: a stage's final report
    within 30 calendar days of its end (SPEC 3.2); otherwise the regime's deadline after
    the cycle."""
    if cycle_kind == "probation":
        return stage_plan(cycle_start, cycle_end).report_due
    return deadlines(cycle_end, regime).of(kind)


def gets_annual_evaluation(
    cycle_start: dt.date, cycle_end: dt.date, absent_days: int, regime: Regime
) -> bool:
    """Only staff with at least the regime's days of performance (63) are evaluated."""
    return performance_days(cycle_start, cycle_end, absent_days) >= regime.min_performance_days


def functioning_meeting_required(
    absent_days: int, work_regime_changed: bool, regime: Regime
) -> bool:
    """Mandatory after an absence of more than N days or a change of work regime."""
    by_absence = regime.absence_days_for_functioning > 0 and (
        absent_days > regime.absence_days_for_functioning
    )
    return by_absence or (work_regime_changed and regime.functioning_after_regime_change)


def too_close(
    held_on: dt.date, others: Sequence[tuple[str, dt.date]], regime: Regime
) -> tuple[str, dt.date] | None:
    """The first other meeting held fewer than the regime's working days away, or None.
    `others` are (kind, held_on) of the cycle's other meetings."""
    minimum = regime.min_days_between_meetings
    if minimum <= 0:
        return None
    for kind, day in sorted(others, key=lambda item: item[1]):
        low, high = sorted((held_on, day))
        # working days strictly between the two meetings, plus the later day itself
        if working_days(low + ONE_DAY, high) < minimum:
            return kind, day
    return None


def objective_problems(kinds: Sequence[str], min_development: int = 1) -> list[str]:
    """Problem codes of a cycle's objectives as they stand at a planning signature (a
    stage's planning asks for `min_development` = 2 development objectives)."""
    problems = []
    if len(kinds) > MAX_OBJECTIVES:
        problems.append("too_many")
    if list(kinds).count("development") < min_development:
        problems.append("no_development")
    return problems


def task_status(
    submitted: bool, deadline: dt.date, closes: dt.date, opens: dt.date, today: dt.date
) -> str:
    """An evaluation task's status: `done`, `not_open` (before the last month), `due`,
    `late` (past the deadline, still possible) or `closed` (past the closing day)."""
    if submitted:
        return "done"
    if today > closes:
        return "closed"
    if today > deadline:
        return "late"
    if today < opens:
        return "not_open"
    return "due"


def reminder_due(deadline: dt.date, regime: Regime, today: dt.date) -> bool:
    """A reminder goes out from N days before a deadline until the deadline itself."""
    return deadline - dt.timedelta(days=regime.reminder_days) <= today <= deadline


# --- Who sees what (SPEC 3, privacy) --------------------------------------------------

OWNER = "owner"  # the staff member: the whole dossier
EVALUATOR = "evaluator"  # first, second evaluator or co-planner: the whole dossier
STATUS_ONLY = "status"  # HR of the organisation: dates and states, never contents
NONE = "none"


def dossier_access(is_owner: bool, is_evaluator: bool, is_hr_of_organisation: bool) -> str:
    """What a reader may see of a dossier. DG R&O sees none of it unless also HR of
    that organisation (or in one of the other relations)."""
    if is_owner:
        return OWNER
    if is_evaluator:
        return EVALUATOR
    if is_hr_of_organisation:
        return STATUS_ONLY
    return NONE


def certificate_completes(
    status: str, obtained_on: dt.date, cycle_start: dt.date, cycle_end: dt.date
) -> bool:
    """A valid certificate of the objective's track obtained during the cycle completes
    a development objective (SPEC 3)."""
    return status == "valid" and cycle_start <= obtained_on <= cycle_end


def function_start_problem(
    started_on: dt.date, start_date: dt.date, end_date: dt.date | None
) -> str | None:
    """A function starts within the staff member's time at the organisation (the rule of
    the `functions` import, SPEC 5.1): "before_start", "after_end" or None."""
    if started_on < start_date:
        return "before_start"
    if end_date is not None and started_on > end_date:
        return "after_end"
    return None


# --- Reports, the written procedure and the e-dossier (SPEC 3.2) -------------------------

REMARKS_DAYS = 15  # the written procedure: calendar days for the staff member's remarks
NEGATIVE_RATINGS = frozenset({"insufficient", "career_delay"})


def report_final(signed_kinds: Collection[str], has_second: bool) -> bool:
    """The evaluation report is final once its evaluators signed: the first, then the
    second where the staff member has one."""
    return "first" in signed_kinds and (not has_second or "second" in signed_kinds)


def remarks_term_end(sent_on: dt.date) -> dt.date:
    """The last day of the written procedure's term: 15 calendar days after the draft was
    sent (sent on 1 March: remarks until 16 March)."""
    return sent_on + dt.timedelta(days=REMARKS_DAYS)


def written_procedure_problem(rating: str) -> str | None:
    """The written procedure is for a draft that already states a negative rating
    (insufficient, or career delay where the regime has it)."""
    return None if rating in NEGATIVE_RATINGS else "not_negative"


def may_sign_after_written_procedure(
    sent_on: dt.date | None, remarks_given: bool, today: dt.date
) -> bool:
    """The evaluators sign a draft of the written procedure after the staff member's
    remarks or once the 15 days have passed; a draft never sent is signed at any time."""
    return sent_on is None or remarks_given or today > remarks_term_end(sent_on)


DOSSIER_MOTIVES = ("negative_evaluation", "improvement_plan", "other")
GRANT_DAYS = 30  # a granted request opens the dossier to its requester for 30 days


def granted_at_once(motive: str, has_negative: bool, has_plan: bool) -> bool:
    """A request about a negative evaluation or an improvement plan that the dossier holds
    is granted at once; any other goes to the organisation's legal reviewer."""
    return (motive == "negative_evaluation" and has_negative) or (
        motive == "improvement_plan" and has_plan
    )


def motive_problem(motive: str, has_negative: bool, has_plan: bool) -> str | None:
    """A motive the dossier does not bear out is refused (so that it is not granted at
    once on a claim): `no_negative`, `no_plan`, or `unknown`."""
    if motive not in DOSSIER_MOTIVES:
        return "unknown"
    if motive == "negative_evaluation" and not has_negative:
        return "no_negative"
    if motive == "improvement_plan" and not has_plan:
        return "no_plan"
    return None


def grant_open(state: str, valid_until: dt.date | None, today: dt.date) -> bool:
    return state == "granted" and valid_until is not None and today <= valid_until


# --- Absence periods (SPEC 3.1: absences extend a stage; SPEC 3: performance days) --------


def merged_periods(
    periods: Sequence[tuple[dt.date, dt.date]], start: dt.date, end: dt.date
) -> list[tuple[dt.date, dt.date]]:
    """The periods cut to [start, end] and merged where they overlap or touch."""
    cut = sorted((max(a, start), min(b, end)) for a, b in periods if a <= end and b >= start)
    merged: list[tuple[dt.date, dt.date]] = []
    for a, b in cut:
        if merged and a <= merged[-1][1] + ONE_DAY:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return merged


def absence_working_days(
    periods: Sequence[tuple[dt.date, dt.date]], start: dt.date, end: dt.date
) -> int:
    """The working days of absence in [start, end]: Monday to Friday, less Belgium's
    public holidays, of the periods' days inside it (a day counted once)."""
    return sum(working_days(a, b) for a, b in merged_periods(periods, start, end))


def absence_period_problem(
    starts_on: dt.date,
    ends_on: dt.date,
    staff_start: dt.date,
    others: Sequence[tuple[dt.date, dt.date]],
) -> str | None:
    """Why a new absence period is refused: `order` (it ends before it starts), `before_start`
    (before the staff member started) or `overlap` (it overlaps one recorded)."""
    if ends_on < starts_on:
        return "order"
    if starts_on < staff_start:
        return "before_start"
    if any(a <= ends_on and b >= starts_on for a, b in others):
        return "overlap"
    return None
