"""The Q-check form and the criteria form: what the person typed, checked field by field
with the rules of `qchecks.rules`, in the reader's language. The API sends the same
fields (`api_fields` flattens its JSON), so both paths check alike."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from core.forms import FormResult, text
from core.i18n import format_day
from core.i18n import gettext as _
from core.parsing import EMAIL, date_field, number_field
from organisations.rules import LANGUAGE_ROLES
from qchecks.rules import MAX_REFERENCE, check_dates, check_score

QCHECK_FIELDS = (
    "selection_reference",
    "organisation_code",
    "consultant_email",
    "language_role",
    "closed_on",
    "checked_on",
    "score",
    "comment",
)
MAX_COMMENT = 4000


@dataclass(frozen=True)
class CriterionScore:
    code: str
    score_hundredths: int
    comment: str


@dataclass(frozen=True)
class QCheckInput:
    reference: str
    organisation_code: str
    consultant_email: str
    language_role: str
    closed_on: dt.date
    checked_on: dt.date
    score_hundredths: int | None  # given directly; None when the criteria are scored
    criteria: tuple[CriterionScore, ...]
    comment: str


def score_field(code: str) -> str:
    return f"criterion_{code}_score"


def comment_field(code: str) -> str:
    return f"criterion_{code}_comment"


def score_message(problem: str) -> str:
    return {
        "empty": _("Give a score."),
        "comma": _("Use a dot for decimals, e.g. 83.25."),
        "shape": _("A score is a percentage from 0 to 100 with at most two decimals."),
        "range": _("A score is a percentage from 0 to 100 with at most two decimals."),
    }[problem]


def _date(values: dict[str, str], name: str, errors: dict[str, str], missing: str) -> Any:
    if not values[name]:
        errors[name] = missing
        return None
    day, problem = date_field(values[name])
    if problem:
        errors[name] = problem
    return day


def parse_qcheck_form(
    form: Mapping[str, Any],
    criteria_codes: Sequence[str],
    today: dt.date,
    *,
    decimal_comma: bool = False,
) -> FormResult:
    """A Q-check as typed: either every criterion in force scored (the overall score is
    then computed from the weights) or none and the overall score given. The page's form
    (`decimal_comma`) also takes `83,5`, as NL and FR readers write it; the API keeps the
    point."""
    values = {name: text(form, name) for name in QCHECK_FIELDS}
    for code in criteria_codes:
        values[score_field(code)] = text(form, score_field(code))
        values[comment_field(code)] = text(form, comment_field(code))
    values["organisation_code"] = values["organisation_code"].upper()
    values["language_role"] = values["language_role"].upper()
    values["consultant_email"] = values["consultant_email"].lower()
    result = FormResult(values)
    errors = result.errors
    reference = values["selection_reference"]
    _who_and_what(values, errors)
    closed = _date(values, "closed_on", errors, _("Give the date the selection file closed."))
    checked = _date(values, "checked_on", errors, _("Give the date of the check."))
    if closed and checked:
        _date_order(closed, checked, today, errors)
    read = typed_score if decimal_comma else str
    criteria = _criteria(values, criteria_codes, errors, read)
    score = _overall_score(values["score"], bool(criteria), errors, read)
    if len(values["comment"]) > MAX_COMMENT:
        errors["comment"] = _("Keep the comment under 4,000 characters.")
    if not errors and closed and checked:
        result.data = QCheckInput(
            reference=reference,
            organisation_code=values["organisation_code"],
            consultant_email=values["consultant_email"],
            language_role=values["language_role"],
            closed_on=closed,
            checked_on=checked,
            score_hundredths=score,
            criteria=tuple(criteria),
            comment=values["comment"],
        )
    return result


def _who_and_what(values: dict[str, str], errors: dict[str, str]) -> None:
    """The file's reference, organisation, consultant and language role, each error next
    to its field."""
    reference = values["selection_reference"]
    if not reference:
        errors["selection_reference"] = _("Give the reference of the selection file.")
    elif len(reference) > MAX_REFERENCE:
        errors["selection_reference"] = _("Keep the reference to 60 characters.")
    if not values["organisation_code"]:
        errors["organisation_code"] = _("Choose the organisation.")
    if not values["consultant_email"]:
        errors["consultant_email"] = _("Give the consultant's e-mail address.")
    elif not EMAIL.match(values["consultant_email"]):
        errors["consultant_email"] = _("This is not an e-mail address.")
    if values["language_role"] not in LANGUAGE_ROLES:
        errors["language_role"] = _(
            "Choose the language role: %(roles)s.", roles=", ".join(LANGUAGE_ROLES)
        )


def _date_order(closed: dt.date, checked: dt.date, today: dt.date, errors: dict[str, str]) -> None:
    """`check_dates` in words, next to the field each problem concerns."""
    for problem in check_dates(closed, checked, today):
        if problem == "closed_in_future":
            errors["closed_on"] = _(
                "The closing date cannot be in the future (today is %(today)s).",
                today=format_day(today),
            )
        elif problem == "checked_in_future":
            errors["checked_on"] = _(
                "The date of the check cannot be in the future (today is %(today)s).",
                today=format_day(today),
            )
        else:
            errors["checked_on"] = _(
                "Only a closed file is checked: the check cannot come before %(closed)s.",
                closed=closed.isoformat(),
            )


DECIMAL_COMMA = re.compile(r"^(\d{1,3}),(\d{1,2})$")


def typed_score(raw: str) -> str:
    """A score as a reader of NL, FR or DE pages types it: `83,5` is `83.5` (the import
    and the API keep the point of SPEC 5.1)."""
    return DECIMAL_COMMA.sub(r"\1.\2", raw)


def _checked(raw: str, read: Callable[[str], str]) -> tuple[int | None, str | None]:
    """`check_score` of the score as read; where a comma is a decimal sign (the page), a
    score it cannot read is a malformed one, not a plea for the point."""
    score, problem = check_score(read(raw))
    if problem == "comma" and read is typed_score:
        problem = "shape"
    return score, problem


def _overall_score(
    raw: str, scored_criteria: bool, errors: dict[str, str], read: Callable[[str], str] = str
) -> int | None:
    """The overall score in hundredths when no criterion is scored; it must be empty when
    they are (it is computed from their weights)."""
    if scored_criteria:
        if raw:
            errors["score"] = _(
                "Leave the overall score empty when you score the criteria: it is computed "
                "from their weights."
            )
        return None
    score, problem = _checked(raw, read)
    if problem == "empty":
        errors["score"] = _("Give the overall score, or score every criterion.")
    elif problem:
        errors["score"] = score_message(problem)
    return score


def _criteria(
    values: dict[str, str],
    codes: Sequence[str],
    errors: dict[str, str],
    read: Callable[[str], str] = str,
) -> list[CriterionScore]:
    """Every criterion scored, or none (then an empty list)."""
    given = [code for code in codes if values[score_field(code)]]
    if not given:
        for code in codes:
            if values[comment_field(code)]:
                errors[score_field(code)] = _("Give a score with this comment.")
        return []
    scores = []
    for code in codes:
        score, problem = _checked(values[score_field(code)], read)
        if problem == "empty":
            errors[score_field(code)] = _("Score every criterion, or none of them.")
        elif problem:
            errors[score_field(code)] = score_message(problem)
        comment = values[comment_field(code)]
        if len(comment) > MAX_COMMENT:
            errors[comment_field(code)] = _("Keep the comment under 4,000 characters.")
        if score is not None:
            scores.append(CriterionScore(code, score, comment))
    return scores


def api_fields(payload: Mapping[str, Any]) -> dict[str, Any]:
    """The API's JSON as the form's fields: `criteria` is a list of {code, score, comment}."""
    fields = {name: payload.get(name) for name in QCHECK_FIELDS if payload.get(name) is not None}
    for item in payload.get("criteria") or []:
        if isinstance(item, Mapping) and item.get("code"):
            code = str(item["code"])
            if item.get("score") is not None:
                fields[score_field(code)] = str(item["score"])
            if item.get("comment"):
                fields[comment_field(code)] = str(item["comment"])
    return {name: str(value) for name, value in fields.items()}


# --- the checklist -----------------------------------------------------------------------

CRITERION_FIELDS = ("code", "name_nl", "name_fr", "weight", "active_from")


@dataclass(frozen=True)
class CriterionInput:
    code: str
    name_nl: str
    name_fr: str
    weight: int
    active_from: dt.date


def parse_criterion_form(form: Mapping[str, Any], today: dt.date) -> FormResult:
    """A new criterion, or a new version of one (same code, later start)."""
    values = {name: text(form, name) for name in CRITERION_FIELDS}
    values["code"] = values["code"].upper()
    result = FormResult(values)
    errors = result.errors
    code = values["code"]
    if not code:
        errors["code"] = _("Give the criterion a short code, e.g. INTERVIEW.")
    elif len(code) > 40 or not code.replace("_", "").isalnum():
        errors["code"] = _("Use up to 40 letters, digits and underscores for the code.")
    for name in ("name_nl", "name_fr"):
        if not values[name]:
            errors[name] = _("Give the name in this language.")
        elif len(values[name]) > 200:
            errors[name] = _("Keep the name to 200 characters.")
    weight, _problem = number_field(values["weight"], low=1, high=100)
    if weight is None:
        errors["weight"] = _("The weight is a whole number from 1 to 100.")
    start = _date(values, "active_from", errors, _("Give the date from which it applies."))
    if start is not None and start < today:
        errors["active_from"] = _(
            "A checklist version starts today or later: Q-checks already made keep the "
            "criteria they were scored on."
        )
    if not errors and weight is not None and start is not None:
        result.data = CriterionInput(code, values["name_nl"], values["name_fr"], weight, start)
    return result
