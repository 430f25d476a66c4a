"""The yearly review (SPEC 5.3): open (freeze every organisation's eligibility on 31
December Y), decide per organisation, close (apply the decisions to the level history and
close the year's Q-checks), or discard an open review. The command line and the web call
these same functions; each write runs in one transaction with its audit entry.

The year's rules: a year after the current one cannot be opened (there is nothing to
judge yet); the current year may be opened to prepare it, but closed from 1 January Y+1
only (closing applies the decisions and closes the year's Q-checks for good)."""

from __future__ import annotations

import datetime as dt
from typing import Any, TypedDict

from certification.eligibility import eligibility_for_all, load_policies
from certification.levels import REVIEW, record_change
from certification.recipients import partner_recipients
from certification.review.lifecycle import (
    CLIENT,
    DECISIONS,
    REVIEW_LIFECYCLE,
    Decision,
    ReviewAction,
    ReviewState,
    closing_from,
    decision_allowed,
    effective_on,
    flag_of,
    review_day,
)
from certification.rules import policy_on
from certification.tables import Review, ReviewEntry
from core import audit, notices
from core.database import compare_and_set, is_unique_violation, write_transaction
from core.errors import Refused, TransitionRefused
from core.i18n import format_day
from core.i18n import gettext as _
from organisations.tables import Organisation
from qchecks.service import close_year  # the Q-check guard of closed years

MAX_REASON = 2000
NOTICE_REVIEW = "review_decided"


async def _review(year: int) -> dict[str, Any]:
    review = await Review.select().where(Review.year == year).first()
    if review is None:
        raise Refused(_("There is no review of %(year)d: open it first.", year=year), "year")
    return review


def _closed(year: int) -> Refused:
    return Refused(
        _("The review of %(year)d is closed: it can no longer change.", year=year), "year"
    )


def _not_in_the_future(year: int, today: dt.date) -> None:
    if year > today.year:
        raise Refused(
            _(
                "The review of %(year)d cannot be opened: %(year)d has not begun. Open the "
                "review of %(current)d or an earlier year.",
                year=year,
                current=today.year,
            ),
            "year",
        )


def _year_over(year: int, today: dt.date) -> None:
    if today < closing_from(year):
        raise Refused(
            _(
                "The review of %(year)d can be closed from %(day)s, once the year is over; "
                "until then it stays open to prepare the decisions.",
                year=year,
                day=format_day(closing_from(year)),
            ),
            "year",
        )


async def open_review(actor: audit.Actor, year: int, today: dt.date | None = None) -> int:
    """Freeze every organisation's granted and eligible level and conditions on 31
    December `year`, with the policy in force that day; the number of organisations.
    Refused for a year after the current one."""
    _not_in_the_future(year, today or dt.date.today())
    day = review_day(year)
    try:
        async with write_transaction():
            if await Review.exists().where(Review.year == year):
                raise Refused(
                    _("The review of %(year)d has been opened already.", year=year), "year"
                )
            results = await eligibility_for_all(day)
            policy = policy_on(await load_policies(), day)
            ids = {
                row["code"]: row["id"]
                for row in await Organisation.select(Organisation.id, Organisation.code)
            }
            [review] = await Review.insert(
                Review(
                    year=year,
                    state=str(ReviewState.OPEN),
                    as_of=day,
                    policy_effective_from=policy.effective_from,
                    opened_at=dt.datetime.now(dt.UTC),
                    opened_by=actor.label,
                )
            ).returning(Review.id)
            entries = []
            for result in results:
                granted = str(result.granted)
                eligible = str(result.eligibility.eligible_level)
                flag = flag_of(granted, eligible)
                entries.append(
                    ReviewEntry(
                        review=review["id"],
                        organisation=ids[result.eligibility.organisation],
                        granted_level=granted,
                        eligible_level=eligible,
                        flag=None if flag is None else str(flag),
                        conditions=[c.as_dict() for c in result.eligibility.conditions],
                        revision=1,
                    )
                )
            for start in range(0, len(entries), 500):
                await ReviewEntry.insert(*entries[start : start + 500])
            await audit.record(
                actor,
                "review_opened",
                table="review",
                key=str(year),
                after={"as_of": day, "organisations": len(entries)},
            )
    except Exception as error:
        if is_unique_violation(error):  # opened meanwhile by someone else
            raise Refused(
                _("The review of %(year)d has been opened already.", year=year), "year"
            ) from None
        raise
    return len(entries)


class ReviewedOrganisation(TypedDict):
    """One organisation of SPEC 5.3's review document."""

    organisation: str
    granted_level: str
    eligible_level: str
    flag: str
    decision: str
    reason: str
    conditions: list[dict[str, Any]]  # the conditions as the review saw them (JSON)


class ReviewStatus(TypedDict):
    """SPEC 5.3's JSON object of `portal review status`: typed, and a dict as JSON is."""

    year: int
    state: str
    as_of: str
    policy_effective_from: str
    organisations: list[ReviewedOrganisation]


async def review_status(year: int) -> ReviewStatus | None:
    """The review as SPEC 5.3's JSON object (organisations sorted by code), or None."""
    review = await Review.select().where(Review.year == year).first()
    if review is None:
        return None
    entries = await (
        ReviewEntry.select(
            ReviewEntry.organisation.code.as_alias("organisation"),
            ReviewEntry.granted_level,
            ReviewEntry.eligible_level,
            ReviewEntry.flag,
            ReviewEntry.decision,
            ReviewEntry.reason,
            ReviewEntry.conditions,
        )
        .where(ReviewEntry.review == review["id"])
        .order_by(ReviewEntry.organisation.code)
        .output(load_json=True)
    )
    return {
        "year": review["year"],
        "state": review["state"],
        "as_of": review["as_of"].isoformat(),
        "policy_effective_from": review["policy_effective_from"].isoformat(),
        "organisations": [
            ReviewedOrganisation(
                organisation=entry["organisation"],
                granted_level=entry["granted_level"],
                eligible_level=entry["eligible_level"],
                flag=entry["flag"],
                decision=entry["decision"],
                reason=entry["reason"],
                conditions=entry["conditions"],
            )
            for entry in entries
        ],
    }


async def decide(
    actor: audit.Actor,
    year: int,
    code: str,
    decision: str,
    reason: str,
    expected_revision: int | None = None,
) -> None:
    """Record (or replace) the decision on one organisation while the review is open.
    With `expected_revision` (the web's page), a decision made meanwhile is not
    overwritten: TransitionRefused names the revision found."""
    reason = reason.strip()
    async with write_transaction():
        review = await _review(year)
        if review["state"] != ReviewState.OPEN:
            raise _closed(year)
        REVIEW_LIFECYCLE.next_state(review["state"], ReviewAction.DECIDE)
        entry = (
            await ReviewEntry.select()
            .where(
                (ReviewEntry.review == review["id"])
                & (ReviewEntry.organisation.code == code.strip().upper())
            )
            .first()
        )
        if entry is None:
            raise Refused(
                _(
                    "There is no organisation %(code)s in the review of %(year)d.",
                    code=code,
                    year=year,
                ),
                "organisation",
            )
        if decision not in DECISIONS:
            raise Refused(
                _("The decision is one of: %(decisions)s.", decisions=", ".join(DECISIONS)),
                "decision",
            )
        if not decision_allowed(decision, entry["granted_level"], entry["eligible_level"]):
            if decision == Decision.GRANT:
                message = _(
                    "Grant only where client certification is eligible and not granted "
                    "(%(code)s: granted %(granted)s, eligible %(eligible)s).",
                    code=code.upper(),
                    granted=entry["granted_level"],
                    eligible=entry["eligible_level"],
                )
            else:
                message = _(
                    "Confirm or withdraw only where client certification is granted "
                    "(%(code)s: granted %(granted)s).",
                    code=code.upper(),
                    granted=entry["granted_level"],
                )
            raise Refused(message, "decision")
        if not reason:
            raise Refused(_("Give the reason for the decision."), "reason")
        if len(reason) > MAX_REASON:
            raise Refused(_("Keep the reason under 2,000 characters."), "reason")
        expected = entry["revision"] if expected_revision is None else expected_revision
        changed = await compare_and_set(
            ReviewEntry,
            entry["id"],
            ReviewEntry.revision,
            expected,
            {
                ReviewEntry.decision: decision,
                ReviewEntry.reason: reason,
                ReviewEntry.decided_by: actor.label,
                ReviewEntry.decided_at: dt.datetime.now(dt.UTC),
                ReviewEntry.revision: expected + 1,
            },
        )
        if not changed:
            raise TransitionRefused(str(entry["decision"] or ""), "decide")
        await audit.record(
            actor,
            "review_decided",
            table="review_entry",
            key=f"{year}:{code.upper()}",
            before={"decision": entry["decision"], "reason": entry["reason"]},
            after={"decision": decision, "reason": reason},
        )


async def discard_review(actor: audit.Actor, year: int) -> int:
    """Remove an open review with its frozen rows and decisions (a closed one stays for
    good); the number of organisations it held."""
    async with write_transaction():
        review = await _review(year)
        if review["state"] != ReviewState.OPEN:
            raise Refused(
                _(
                    "The review of %(year)d is closed: its decisions apply, it cannot be "
                    "discarded.",
                    year=year,
                ),
                "year",
            )
        entries = await ReviewEntry.select(ReviewEntry.decision).where(
            ReviewEntry.review == review["id"]
        )
        await ReviewEntry.delete().where(ReviewEntry.review == review["id"])
        removed = await (
            Review.delete()
            .where((Review.id == review["id"]) & (Review.state == str(ReviewState.OPEN)))
            .returning(Review.id)
        )
        if not removed:  # closed meanwhile: the rollback keeps its rows
            raise _closed(year)
        await audit.record(
            actor,
            "review_discarded",
            table="review",
            key=str(year),
            before={
                "as_of": review["as_of"],
                "opened_by": review["opened_by"],
                "organisations": len(entries),
                "decisions": sum(1 for entry in entries if entry["decision"]),
            },
        )
    return len(entries)


async def close_review(actor: audit.Actor, year: int, today: dt.date | None = None) -> list[str]:
    """Apply the decisions (`withdraw` and `grant` change the granted level from 1 January
    Y+1) and close the review and the Q-checks of the year; the codes whose level changed.
    Refused before 1 January Y+1 and while a flagged organisation has no decision."""
    async with write_transaction():
        review = await _review(year)
        if review["state"] != ReviewState.OPEN:
            raise _closed(year)
        _year_over(year, today or dt.date.today())
        entries = await (
            ReviewEntry.select(
                *ReviewEntry.all_columns(),
                ReviewEntry.organisation.code.as_alias("code"),
            )
            .where(ReviewEntry.review == review["id"])
            .order_by(ReviewEntry.organisation.code)
        )
        undecided = [e["code"] for e in entries if e["flag"] and not e["decision"]]
        if undecided:
            raise Refused(
                _(
                    "The review of %(year)d cannot close: these flagged organisations have "
                    "no decision yet: %(codes)s.",
                    year=year,
                    codes=", ".join(undecided),
                ),
                "year",
            )
        changed = []
        partners = await partner_recipients([e["code"] for e in entries if e["decision"]])
        for entry in entries:
            if entry["decision"]:  # the PRO Partner is told; the letter follows
                partner = partners.get(entry["code"])
                await notices.notify(
                    NOTICE_REVIEW,
                    (notices.PRO_PARTNER,),
                    entry["code"],
                    {"year": year, "decision": entry["decision"], "reason": entry["reason"]},
                    mail_to=[partner] if partner else [],
                )
            starts = effective_on(entry["decision"] or "", year)
            if starts is None:
                continue
            to_level = CLIENT if entry["decision"] == Decision.GRANT else entry["eligible_level"]
            await record_change(
                actor,
                {"id": entry["organisation"], "code": entry["code"]},
                entry["granted_level"],
                to_level,
                starts,
                REVIEW,
                note=f"{year}: {entry['reason']}",
            )
            changed.append(entry["code"])
        REVIEW_LIFECYCLE.next_state(review["state"], ReviewAction.CLOSE)
        if not await compare_and_set(
            Review,
            review["id"],
            Review.state,
            str(ReviewState.OPEN),
            {
                Review.state: str(ReviewState.CLOSED),
                Review.closed_at: dt.datetime.now(dt.UTC),
                Review.closed_by: actor.label,
            },
        ):
            raise _closed(year)
        await close_year(actor, year)
        await audit.record(
            actor,
            "review_closed",
            table="review",
            key=str(year),
            after={"changed": ", ".join(changed)},
        )
    return changed
