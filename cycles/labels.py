"""The words for the codes of evaluation cycles, in the reader's language (the codes stay
in exports, the API and the audit log)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from core.i18n import format_day as i18n_format_day
from core.i18n import gettext as _


def format_day(day: dt.date) -> str:
    """A date as the reader writes it (the portal's one date format, `core.i18n`)."""
    return i18n_format_day(day)


def meeting_kind_label(kind: str) -> str:
    return {
        "function": _("function meeting"),
        "planning": _("planning meeting"),
        "feedback": _("feedback moment"),
        "functioning": _("functioning meeting"),
        "balance": _("balance meeting"),
    }.get(kind, kind)


def report_state_label(state: str) -> str:
    return {
        "draft": _("not signed yet"),
        "staff_signed": _("signed by the staff member, waiting for the evaluator"),
        "evaluator_signed": _("signed by the evaluator, waiting for the staff member"),
        "signed": _("signed by both: read-only"),
    }.get(state, state)


def objective_kind_label(kind: str) -> str:
    return {"performance": _("performance"), "development": _("development")}.get(kind, kind)


def objective_state_label(state: str) -> str:
    return {
        "open": _("running"),
        "achieved": _("achieved"),
        "closed": _("closed"),
        "carried": _("carried into the next cycle"),
    }.get(state, state)


def evaluation_kind_label(kind: str) -> str:
    return {
        "self": _("self-evaluation"),
        "first": _("first evaluator's evaluation"),
        "second": _("second evaluator's evaluation"),
    }.get(kind, kind)


def task_status_label(status: str) -> str:
    return {
        "done": _("done"),
        "not_open": _("not open yet"),
        "due": _("to do"),
        "late": _("late"),
        "closed": _("closed"),
        "not_required": _("not required"),
    }.get(status, status)


def mention_label(mention: str) -> str:
    return {
        "": _("no mention yet"),
        "exceptional": _("exceptional"),
        "meets_expectations": _("meets expectations"),
        "to_improve": _("to improve"),
        "insufficient": _("insufficient"),
    }.get(mention, mention)


def rating_label(rating: str) -> str:
    return {
        "": _("no formal rating: the next cycle simply starts"),
        "insufficient": _("insufficient"),
        "career_delay": _("career delay"),
    }.get(rating, rating)


def evaluator_role_label(role: str) -> str:
    return {
        "first": _("first evaluator"),
        "second": _("second evaluator"),
        "coplanner": _("co-planner"),
    }.get(role, role)


def evaluator_role_names(roles: Iterable[str]) -> str:
    """ "first, co-planner" in the reader's language, in a fixed order."""
    order = ("first", "second", "coplanner")
    return ", ".join(evaluator_role_label(role) for role in order if role in roles)


def cycle_kind_label(kind: str) -> str:
    """SPEC 5.4's kinds of cycle, as a reader names them."""
    return {
        "annual": _("annual cycle"),
        "probation": _("stage (probation)"),
        "early": _("early evaluation after an insufficient"),
    }.get(kind, kind)


def motive_label(motive: str) -> str:
    """The motives of HR's request to read a closed dossier (SPEC 3.2)."""
    return {
        "negative_evaluation": _("a negative evaluation (granted at once)"),
        "improvement_plan": _("an improvement plan (granted at once)"),
        "other": _("another motive (decided by the legal reviewer)"),
    }.get(motive, motive)


def request_state_label(state: str) -> str:
    return {
        "pending": _("waiting for the legal reviewer"),
        "granted": _("granted"),
        "refused": _("refused"),
    }.get(state, state)
