"""DG R&O's certification policy (SPEC 2.3): validate a draft, simulate it, adopt it.

Thresholds are data with an `effective_from` date. A version may start today or later,
never earlier: a policy never rewrites the past, so levels and reviews already computed
stay what they were. A version not yet in force may be replaced or deleted; one in force
(today or earlier) may not. Every change is audited in the same transaction.

The pure part (parsing a draft, comparing two sets of results) needs no database.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from certification.eligibility import load_aggregates, load_policies, policy_from_row
from certification.rules import (
    Eligibility,
    Level,
    Policy,
    evaluate_aggregates,
    policy_on,
)
from certification.tables import CertificationPolicy
from core import audit, versions
from core.database import write_transaction
from core.errors import NotFound, Refused
from core.i18n import format_day
from core.i18n import gettext as _
from core.parsing import DIGITS, NotADate, NotANumber, parse_iso_date, parse_whole_number
from qchecks.rules import format_hundredths

COUNT_FIELDS = (
    "min_certified_staff",
    "min_az_per_language",
    "min_seltest_per_language",
    "min_az_for_individual",
)
AVERAGE_FIELD = "min_qcheck_average"
DATE_FIELD = "effective_from"
NOTE_FIELD = "note"
SIMULATION_DATE_FIELD = "simulate_on"  # optional: the day D of a simulation
FORM_FIELDS = (*COUNT_FIELDS, AVERAGE_FIELD, DATE_FIELD, NOTE_FIELD, SIMULATION_DATE_FIELD)

# Far above any sensible threshold, far below the database's integer limit.
MAX_COUNT = 10_000
MAX_NOTE = 2_000
PERCENTAGE = re.compile(r"^([0-9]+)(?:[.,]([0-9]+))?$")

LEVELS_HIGH_TO_LOW = (Level.CLIENT, Level.INDIVIDUAL, Level.NONE)


class PolicyRefused(Refused):
    """The change breaks a rule of SPEC 2.3; `field` names the form field it concerns."""

    def __init__(self, message: str, field: str = DATE_FIELD) -> None:
        super().__init__(message, field)


class PolicyNotFound(NotFound):
    """No policy version starts on that day."""


# --- formatting -----------------------------------------------------------------------------


def policy_values(policy: Policy) -> dict[str, Any]:
    """The thresholds of a version, as stored and as audited."""
    return {
        "effective_from": policy.effective_from,
        "min_certified_staff": policy.min_certified_staff,
        "min_az_per_language": policy.min_az_per_language,
        "min_seltest_per_language": policy.min_seltest_per_language,
        "min_az_for_individual": policy.min_az_for_individual,
        "min_qcheck_average_hundredths": policy.min_qcheck_average_hundredths,
    }


def form_values(policy: Policy, effective_from: dt.date | None = None, note: str = "") -> dict:
    """A draft form prefilled with a policy's thresholds."""
    return {
        **{name: str(getattr(policy, name)) for name in COUNT_FIELDS},
        AVERAGE_FIELD: format_hundredths(policy.min_qcheck_average_hundredths),
        DATE_FIELD: (effective_from or policy.effective_from).isoformat(),
        NOTE_FIELD: note,
    }


# --- parsing a draft ------------------------------------------------------------------------


@dataclass
class Draft:
    """What the user typed (kept for the re-rendered form), the errors, and the policy."""

    values: dict[str, str]
    errors: dict[str, str] = field(default_factory=dict)
    policy: Policy | None = None
    note: str = ""

    @property
    def ok(self) -> bool:
        return self.policy is not None and not self.errors


def _whole_number(raw: str) -> tuple[int | None, str | None]:
    if raw == "":
        return None, _("Enter a whole number.")
    if raw.startswith("-"):
        return None, _("Enter zero or more, not a negative number.")
    if not DIGITS.fullmatch(raw):
        return None, _("Enter a whole number, such as 4 (no decimals).")
    try:  # the one rule of a form's number: 5,000 digits are "too many", not a 500
        return parse_whole_number(raw, low=0, high=MAX_COUNT), None
    except NotANumber:
        return None, _("Enter at most %(max)d.", max=MAX_COUNT)


def parse_percentage(raw: str) -> tuple[int | None, str | None]:
    """A percentage with at most two decimals, in hundredths: "80.5" -> 8050."""
    if raw == "":
        return None, _("Enter a percentage between 0 and 100, such as 80 or 80.50.")
    if raw.startswith("-"):
        return None, _("Enter a percentage between 0 and 100, not a negative number.")
    match = PERCENTAGE.match(raw)
    if not match:
        return None, _("Enter a percentage between 0 and 100, such as 80 or 80.50.")
    whole, decimals = match.group(1), match.group(2) or ""
    if len(decimals) > 2:
        return None, _("Use at most two decimals, such as 80.25.")
    try:
        hundredths = parse_whole_number(whole, low=0, high=100) * 100 + int(decimals.ljust(2, "0"))
    except NotANumber:
        hundredths = None
    if hundredths is None or hundredths > 10_000:
        return None, _("A Q-check average cannot be above 100 %.")
    return hundredths, None


def parse_date(raw: str) -> tuple[dt.date | None, str | None]:
    """A policy date; one message for every wrong one, with an example of a future date."""
    try:
        return parse_iso_date(raw), None
    except NotADate:
        return None, _("Give the date as YYYY-MM-DD, e.g. 2027-01-01.")


def parse_draft(form: Mapping[str, Any]) -> Draft:
    """Form values -> a Policy, or an error per field; the input is kept as typed.

    The simulation day is kept with the values but checked by `parse_simulation_day`.
    """
    values = {name: str(form.get(name, "") or "").strip() for name in FORM_FIELDS}
    draft = Draft(values=values, note=values[NOTE_FIELD])
    numbers: dict[str, int] = {}
    for name in COUNT_FIELDS:
        value, error = _whole_number(values[name])
        if error:
            draft.errors[name] = error
        else:
            numbers[name] = value  # type: ignore[assignment]
    average, error = parse_percentage(values[AVERAGE_FIELD])
    if error:
        draft.errors[AVERAGE_FIELD] = error
    effective_from, error = parse_date(values[DATE_FIELD])
    if error:
        draft.errors[DATE_FIELD] = error
    if len(draft.note) > MAX_NOTE:
        draft.errors[NOTE_FIELD] = _("Keep the note under %(max)d characters.", max=MAX_NOTE)
    if draft.errors:
        return draft
    assert average is not None and effective_from is not None
    draft.policy = Policy(
        effective_from=effective_from,
        min_qcheck_average_hundredths=average,
        **numbers,
    )
    return draft


def past_date_error(effective_from: dt.date, today: dt.date) -> str | None:
    """A new version starts today or later: a policy never rewrites the past."""
    if effective_from >= today:
        return None
    return _(
        "A policy cannot start before today (%(today)s): a policy never rewrites the past, "
        "so levels and reviews already computed stay as they were.",
        today=format_day(today),
    )


# --- comparing two sets of results -------------------------------------------------------------


@dataclass(frozen=True)
class ConditionFlip:
    """A condition met under one policy and not under the other."""

    code: str
    actual: int | float | bool | None
    required_before: int | float | bool
    required_after: int | float | bool
    met_before: bool
    met_after: bool


@dataclass(frozen=True)
class LevelChange:
    organisation: str
    level_before: Level
    level_after: Level
    flips: tuple[ConditionFlip, ...]

    @property
    def is_rise(self) -> bool:
        return self.level_after.rank > self.level_before.rank


def level_changes(before: Sequence[Eligibility], after: Sequence[Eligibility]) -> list[LevelChange]:
    """The organisations whose level differs, with the conditions that flip, sorted by code.

    `before` and `after` are the same organisations on the same day under two policies;
    an organisation present in only one list is not compared.
    """
    later = {result.organisation: result for result in after}
    changes = []
    for old in before:
        new = later.get(old.organisation)
        if new is None or new.eligible_level == old.eligible_level:
            continue
        new_conditions = {c.code: c for c in new.conditions}
        flips = []
        for condition in old.conditions:
            other = new_conditions.get(condition.code)
            if other is not None and other.met != condition.met:
                flips.append(
                    ConditionFlip(
                        code=condition.code,
                        actual=condition.actual,
                        required_before=condition.required,
                        required_after=other.required,
                        met_before=condition.met,
                        met_after=other.met,
                    )
                )
        changes.append(
            LevelChange(old.organisation, old.eligible_level, new.eligible_level, tuple(flips))
        )
    return sorted(changes, key=lambda change: change.organisation)


def level_counts(results: Iterable[Eligibility]) -> dict[Level, int]:
    """How many organisations are at each level, highest level first."""
    counted = Counter(result.eligible_level for result in results)
    return {level: counted.get(level, 0) for level in LEVELS_HIGH_TO_LOW}


# --- the database part ----------------------------------------------------------------------


@dataclass(frozen=True)
class Simulation:
    day: dt.date
    policy_in_force: Policy
    draft: Policy
    organisations: int
    changes: list[LevelChange]
    counts_before: dict[Level, int]
    counts_after: dict[Level, int]


def simulation_day(draft: Policy, today: dt.date) -> dt.date:
    """The default day D: the draft's first day, or today when that is earlier."""
    return max(draft.effective_from, today)


def parse_simulation_day(
    raw: str, draft: Policy | None, today: dt.date
) -> tuple[dt.date | None, str | None]:
    """The day D chosen for a simulation; empty means `simulation_day`.

    Any valid date is accepted, a past one too: a simulation writes nothing, so asking
    "what if this draft had applied on D?" rewrites nothing.
    """
    raw = raw.strip()
    if raw == "":
        return (simulation_day(draft, today) if draft is not None else None), None
    return parse_date(raw)


async def simulate(draft: Policy, today: dt.date, day: dt.date | None = None) -> Simulation:
    """Every organisation on D under the policy in force on D and under the draft.

    D is `day`, by default the draft's first day (or today when that is earlier).
    One aggregate load for all organisations, evaluated twice in memory. Writes nothing.
    """
    day = day or simulation_day(draft, today)
    aggregates = await load_aggregates(day)
    in_force = policy_on(await load_policies(), day)
    before = evaluate_aggregates(aggregates, in_force, day)
    after = evaluate_aggregates(aggregates, draft, day)
    return Simulation(
        day=day,
        policy_in_force=in_force,
        draft=draft,
        organisations=len(before),
        changes=level_changes(before, after),
        counts_before=level_counts(before),
        counts_after=level_counts(after),
    )


@dataclass(frozen=True)
class PolicyVersion:
    """A stored version, with who adopted it and why."""

    policy: Policy
    adopted_by: str | None
    adopted_at: dt.datetime | None
    note: str

    def status(self, today: dt.date, in_force: PolicyVersion | None) -> str:
        """ "future" (not yet in force), "in_force" today, or "superseded"."""
        if self.policy.effective_from > today:
            return "future"
        if in_force is not None and in_force.policy.effective_from == self.policy.effective_from:
            return "in_force"
        return "superseded"


async def policy_versions() -> list[PolicyVersion]:
    """Every stored version, newest `effective_from` first."""
    rows = await CertificationPolicy.select().order_by(
        CertificationPolicy.effective_from, ascending=False
    )
    return [
        PolicyVersion(
            policy=policy_from_row(row),
            adopted_by=row["adopted_by"],
            adopted_at=row["adopted_at"],
            note=row["note"] or "",
        )
        for row in rows
    ]


def in_force_version(versions: Iterable[PolicyVersion], day: dt.date) -> PolicyVersion | None:
    """The stored version in force on `day`; None when SPEC's defaults still apply."""
    started = [v for v in versions if v.policy.effective_from <= day]
    return max(started, key=lambda v: v.policy.effective_from) if started else None


async def adopt(draft: Policy, note: str, actor: audit.Actor, today: dt.date) -> bool:
    """Store the draft as the version from its `effective_from`; True when it replaced one.

    Refused (PolicyRefused) when it starts before today, or when a version already starts
    on that day and is in force.
    """
    error = past_date_error(draft.effective_from, today)
    if error:
        raise PolicyRefused(error)
    after = {**policy_values(draft), "note": note}
    async with write_transaction():
        await versions.bump()  # computed eligibility is stale from here
        existing = (
            await CertificationPolicy.select()
            .where(CertificationPolicy.effective_from == draft.effective_from)
            .first()
        )
        if existing is not None and existing["effective_from"] <= today:
            raise PolicyRefused(
                _(
                    "The version of %(day)s is already in force and cannot be replaced; "
                    "adopt a new version from tomorrow or later instead.",
                    day=format_day(draft.effective_from),
                )
            )
        if existing is not None:
            before = {**policy_values(policy_from_row(existing)), "note": existing["note"]}
        else:
            in_force = policy_on(await load_policies(), draft.effective_from)
            before = policy_values(in_force)
        stored: dict[str, Any] = {
            "min_certified_staff": draft.min_certified_staff,
            "min_az_per_language": draft.min_az_per_language,
            "min_seltest_per_language": draft.min_seltest_per_language,
            "min_az_for_individual": draft.min_az_for_individual,
            "min_qcheck_average_hundredths": draft.min_qcheck_average_hundredths,
            "adopted_by": actor.email,
            "adopted_at": dt.datetime.now(dt.UTC),
            "note": note,
        }
        if existing is not None:
            await CertificationPolicy.update(**stored).where(
                CertificationPolicy.id == existing["id"]
            )
        else:
            await CertificationPolicy.insert(
                CertificationPolicy(effective_from=draft.effective_from, **stored)
            )
        await audit.record(
            actor,
            "policy_adopted",
            table="certification_policy",
            key=draft.effective_from.isoformat(),
            before=before,
            after=after,
            detail="replaced a version not yet in force" if existing is not None else "",
        )
    return existing is not None


async def delete_future(effective_from: dt.date, actor: audit.Actor, today: dt.date) -> None:
    """Delete a version not yet in force (PolicyNotFound / PolicyRefused otherwise)."""
    async with write_transaction():
        await versions.bump()  # computed eligibility is stale from here
        existing = (
            await CertificationPolicy.select()
            .where(CertificationPolicy.effective_from == effective_from)
            .first()
        )
        if existing is None:
            raise PolicyNotFound(effective_from.isoformat())
        if existing["effective_from"] <= today:
            raise PolicyRefused(
                _(
                    "The version of %(day)s is in force or was in force; it cannot be deleted, "
                    "because a policy never rewrites the past.",
                    day=format_day(effective_from),
                )
            )
        await CertificationPolicy.delete().where(CertificationPolicy.id == existing["id"])
        await audit.record(
            actor,
            "policy_deleted",
            table="certification_policy",
            key=effective_from.isoformat(),
            before={**policy_values(policy_from_row(existing)), "note": existing["note"]},
        )
