"""Writes of Q-checks: DG R&O records, edits and deletes a Q-check, keeps the checklist,
and (for the yearly review) closes a year. Each write runs in one transaction with its
audit entry (the Q-check's history is its audit entries) and the watches of the areas
above (`qchecks.watch`: the threshold watch).

An edit is a compare-and-set on the revision the page showed: a stale page never
overwrites a change made meanwhile. A Q-check of a closed year cannot change
(`ensure_year_open`, the one guard the yearly review relies on).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from core import audit, versions
from core.database import compare_and_set, is_unique_violation, write_transaction
from core.errors import NotFound, Refused, TransitionRefused
from core.i18n import format_day
from core.i18n import gettext as _
from organisations.queries import staff_postings
from organisations.tables import Organisation
from qchecks import watch
from qchecks.forms import CriterionInput, CriterionScore, QCheckInput
from qchecks.queries import CriterionVersion, criteria_in_force
from qchecks.rules import format_hundredths, on_staff_on, weighted_score
from qchecks.tables import ClosedYear, Criterion, QCheck, QCheckCriterion, SelectionFile

# --- the guard of closed years -------------------------------------------------------------


async def ensure_year_open(*days: dt.date) -> None:
    """Refuse when the year of any of `days` is closed (its yearly review is closed)."""
    years = sorted({day.year for day in days})
    closed = await ClosedYear.select(ClosedYear.year).where(ClosedYear.year.is_in(years))
    if closed:
        raise Refused(
            _(
                "The yearly review of %(year)d is closed: its Q-checks can no longer change.",
                year=closed[0]["year"],
            )
        )


async def close_year(actor: audit.Actor, year: int) -> None:
    """Close `year` for editing (the yearly review calls this when it closes); idempotent."""
    async with write_transaction():
        if await ClosedYear.exists().where(ClosedYear.year == year):
            return
        await ClosedYear.insert(
            ClosedYear(year=year, closed_at=dt.datetime.now(dt.UTC), closed_by=actor.label)
        )
        await audit.record(actor, "qcheck_year_closed", table="qcheck_closed_year", key=str(year))


# --- recording -----------------------------------------------------------------------------


Scored = list[tuple[CriterionVersion, CriterionScore]]  # a criterion and its score


async def _resolve(
    data: QCheckInput,
) -> tuple[int, int, Scored, int]:
    """The organisation and consultant ids, the criteria scored with their definition, and
    the overall score; Refused with the field when the database says no."""
    organisation = (
        await Organisation.select(Organisation.id)
        .where(Organisation.code == data.organisation_code)
        .first()
    )
    if organisation is None:
        raise Refused(
            _("There is no organisation %(code)s.", code=data.organisation_code),
            "organisation_code",
        )
    postings = await staff_postings(data.consultant_email)
    if data.consultant_email not in postings:
        raise Refused(
            _("No staff member has this e-mail address: the consultant must be registered staff."),
            "consultant_email",
        )
    consultant, own_postings = postings[data.consultant_email]
    if not on_staff_on(own_postings, organisation["id"], data.closed_on):
        raise Refused(
            _(
                "%(email)s was not on the staff of %(code)s on %(day)s, the closing date.",
                email=data.consultant_email,
                code=data.organisation_code,
                day=format_day(data.closed_on),
            ),
            "consultant_email",
        )
    checklist = {row.code: row for row in await criteria_in_force(data.checked_on)}
    scored = [(checklist[c.code], c) for c in data.criteria if c.code in checklist]
    if data.criteria and (len(scored) != len(data.criteria) or len(scored) != len(checklist)):
        raise Refused(
            _(
                "The checklist in force on %(day)s has these criteria: %(codes)s. Score them, "
                "or give the overall score only.",
                day=format_day(data.checked_on),
                codes=", ".join(checklist) or "—",
            ),
            "checked_on",
        )
    if data.criteria:
        score = weighted_score((d.weight, c.score_hundredths) for d, c in scored)
    else:
        assert data.score_hundredths is not None
        score = data.score_hundredths
    return organisation["id"], consultant, scored, score


def _audit_values(data: QCheckInput, score: int) -> dict[str, Any]:
    return {
        "organisation": data.organisation_code,
        "consultant": data.consultant_email,
        "language_role": data.language_role,
        "closed_on": data.closed_on,
        "checked_on": data.checked_on,
        "score": format_hundredths(score),
        "criteria": "; ".join(
            f"{c.code} {format_hundredths(c.score_hundredths)}"
            + (f" ({c.comment})" if c.comment else "")
            for c in data.criteria
        ),
        "comment": data.comment,
    }


async def _write_criteria(qcheck_id: int, scored: Scored) -> None:
    await QCheckCriterion.delete().where(QCheckCriterion.qcheck == qcheck_id)
    if scored:
        await QCheckCriterion.insert(
            *[
                QCheckCriterion(
                    qcheck=qcheck_id,
                    criterion=score.code,
                    definition=definition.id,
                    score_hundredths=score.score_hundredths,
                    comment=score.comment,
                )
                for definition, score in scored
            ]
        )


async def record_qcheck(actor: audit.Actor, data: QCheckInput, today: dt.date) -> int:
    """A new selection file and its Q-check, checked by `actor`; the Q-check's id."""
    try:
        async with write_transaction():
            if await SelectionFile.exists().where(SelectionFile.reference == data.reference):
                raise Refused(
                    _(
                        "Selection file %(reference)s already has a Q-check: open it to edit.",
                        reference=data.reference,
                    ),
                    "selection_reference",
                )
            await ensure_year_open(data.checked_on)
            organisation, consultant, scored, score = await _resolve(data)
            before = await watch.before([data.organisation_code], today)
            await versions.bump()  # computed eligibility is stale from here
            [selection_file] = await SelectionFile.insert(
                SelectionFile(
                    reference=data.reference,
                    organisation=organisation,
                    language_role=data.language_role,
                    closed_on=data.closed_on,
                )
            ).returning(SelectionFile.id)
            [qcheck] = await QCheck.insert(
                QCheck(
                    selection_file=selection_file["id"],
                    organisation=organisation,
                    consultant=consultant,
                    checked_on=data.checked_on,
                    score_hundredths=score,
                    checked_by=actor.label,
                    comment=data.comment,
                    updated_at=dt.datetime.now(dt.UTC),
                    revision=1,
                )
            ).returning(QCheck.id)
            await _write_criteria(qcheck["id"], scored)
            await audit.record(
                actor,
                "qcheck_recorded",
                table="qcheck",
                key=data.reference,
                after=_audit_values(data, score),
            )
            await watch.after(before, [data.organisation_code], today)
        return int(qcheck["id"])
    except Exception as error:
        if is_unique_violation(error):  # the same reference, recorded meanwhile
            raise Refused(
                _(
                    "Selection file %(reference)s already has a Q-check: open it to edit.",
                    reference=data.reference,
                ),
                "selection_reference",
            ) from None
        raise


async def _current(qcheck_id: int) -> dict[str, Any]:
    row = (
        await QCheck.select(
            QCheck.id,
            QCheck.revision,
            QCheck.checked_on,
            QCheck.score_hundredths,
            QCheck.comment,
            QCheck.selection_file.id.as_alias("file_id"),
            QCheck.selection_file.reference.as_alias("reference"),
            QCheck.selection_file.closed_on.as_alias("closed_on"),
            QCheck.selection_file.language_role.as_alias("language_role"),
            QCheck.organisation.code.as_alias("organisation_code"),
            QCheck.consultant.email.as_alias("consultant_email"),
        )
        .where(QCheck.id == qcheck_id)
        .first()
    )
    if row is None:
        raise NotFound
    return row


def _before_values(row: dict[str, Any], criteria: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "organisation": row["organisation_code"],
        "consultant": row["consultant_email"],
        "language_role": row["language_role"],
        "closed_on": row["closed_on"],
        "checked_on": row["checked_on"],
        "score": format_hundredths(row["score_hundredths"]),
        "criteria": "; ".join(
            f"{c['criterion']} {format_hundredths(c['score_hundredths'] or 0)}"
            + (f" ({c['comment']})" if c["comment"] else "")
            for c in criteria
        ),
        "comment": row["comment"],
    }


async def edit_qcheck(
    actor: audit.Actor, qcheck_id: int, data: QCheckInput, revision: int, today: dt.date
) -> None:
    """Change a Q-check as the page at `revision` showed it; the previous values stay in
    its history. The reference itself does not change."""
    async with write_transaction():
        row = await _current(qcheck_id)
        await ensure_year_open(row["checked_on"], data.checked_on)
        organisation, consultant, scored, score = await _resolve(data)
        criteria = await QCheckCriterion.select().where(QCheckCriterion.qcheck == row["id"])
        noted = await watch.before([data.organisation_code], today)
        moved = row["organisation_code"] != data.organisation_code
        if moved:
            noted = watch.joined(noted, await watch.before([row["organisation_code"]], today))
        await versions.bump()
        changed = await compare_and_set(
            QCheck,
            row["id"],
            QCheck.revision,
            revision,
            {
                QCheck.organisation: organisation,
                QCheck.consultant: consultant,
                QCheck.checked_on: data.checked_on,
                QCheck.score_hundredths: score,
                QCheck.comment: data.comment,
                QCheck.checked_by: actor.label,
                QCheck.updated_at: dt.datetime.now(dt.UTC),
                QCheck.revision: revision + 1,
            },
        )
        if not changed:
            raise TransitionRefused(str(row["revision"]), "edit")
        await SelectionFile.update(
            {
                SelectionFile.organisation: organisation,
                SelectionFile.language_role: data.language_role,
                SelectionFile.closed_on: data.closed_on,
            }
        ).where(SelectionFile.id == row["file_id"])
        await _write_criteria(row["id"], scored)
        await audit.record(
            actor,
            "qcheck_edited",
            table="qcheck",
            key=row["reference"],
            before=_before_values(row, criteria),
            after=_audit_values(data, score),
        )
        if moved:
            await watch.after(noted, [row["organisation_code"]], today)
        await watch.after(noted, [data.organisation_code], today)


async def delete_qcheck(actor: audit.Actor, qcheck_id: int, revision: int, today: dt.date) -> None:
    """Remove a Q-check and its selection file (a file recorded by mistake)."""
    async with write_transaction():
        row = await _current(qcheck_id)
        await ensure_year_open(row["checked_on"])
        if row["revision"] != revision:
            raise TransitionRefused(str(row["revision"]), "delete")
        criteria = await QCheckCriterion.select().where(QCheckCriterion.qcheck == row["id"])
        noted = await watch.before([row["organisation_code"]], today)
        await versions.bump()
        await SelectionFile.delete().where(SelectionFile.id == row["file_id"])  # cascades
        await audit.record(
            actor,
            "qcheck_deleted",
            table="qcheck",
            key=row["reference"],
            before=_before_values(row, criteria),
        )
        await watch.after(noted, [row["organisation_code"]], today)


# --- the checklist -----------------------------------------------------------------------


async def add_criterion_version(actor: audit.Actor, data: CriterionInput) -> None:
    """A new criterion, or a new version of one: the version in force the day before ends
    then. Versions already in force keep their words and weight for the Q-checks on them."""
    try:
        async with write_transaction():
            previous = (
                await Criterion.select()
                .where(
                    (Criterion.code == data.code)
                    & (Criterion.active_from < data.active_from)
                    & (
                        Criterion.active_until.is_null()
                        | (Criterion.active_until >= data.active_from)
                    )
                )
                .first()
            )
            later = await Criterion.exists().where(
                (Criterion.code == data.code) & (Criterion.active_from > data.active_from)
            )
            if later:
                raise Refused(
                    _("A later version of %(code)s exists already.", code=data.code),
                    "active_from",
                )
            await versions.bump()  # kept analytics show the criteria's names
            if previous is not None:
                await Criterion.update(
                    {Criterion.active_until: data.active_from - dt.timedelta(days=1)}
                ).where(Criterion.id == previous["id"])
            await Criterion.insert(
                Criterion(
                    code=data.code,
                    name_nl=data.name_nl,
                    name_fr=data.name_fr,
                    weight=data.weight,
                    active_from=data.active_from,
                )
            )
            await audit.record(
                actor,
                "qcheck_criterion_saved",
                table="qcheck_criterion_def",
                key=f"{data.code}@{data.active_from.isoformat()}",
                before=None
                if previous is None
                else {"name_nl": previous["name_nl"], "weight": previous["weight"]},
                after={
                    "name_nl": data.name_nl,
                    "name_fr": data.name_fr,
                    "weight": data.weight,
                    "active_from": data.active_from,
                },
            )
    except Exception as error:
        if is_unique_violation(error):
            raise Refused(
                _(
                    "%(code)s already has a version starting on %(day)s.",
                    code=data.code,
                    day=format_day(data.active_from),
                ),
                "active_from",
            ) from None
        raise


async def retire_criterion(actor: audit.Actor, code: str, last_day: dt.date) -> None:
    """End the criterion's version in force: from the day after, it is no longer scored."""
    async with write_transaction():
        current = (
            await Criterion.select()
            .where((Criterion.code == code) & Criterion.active_until.is_null())
            .first()
        )
        if current is None:
            raise NotFound
        await versions.bump()
        if last_day < current["active_from"]:
            raise Refused(
                _(
                    "A version ends on or after the day it starts (%(day)s).",
                    day=format_day(current["active_from"]),
                ),
                "last_day",
            )
        await Criterion.update({Criterion.active_until: last_day}).where(
            Criterion.id == current["id"]
        )
        await audit.record(
            actor,
            "qcheck_criterion_retired",
            table="qcheck_criterion_def",
            key=code,
            after={"active_until": last_day},
        )
