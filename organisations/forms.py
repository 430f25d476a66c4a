"""The staff member form (pure: no web, no ORM)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from core.forms import FormResult, text
from core.i18n import gettext as _
from core.parsing import date_field, is_email
from organisations.rules import LANGUAGE_ROLES, ORGANISATION_CODE, STAFF_NAME_LENGTH, STATUTES

STAFF_FIELDS = (
    "email",
    "first_name",
    "last_name",
    "language_role",
    "start_date",
    "end_date",
    "statute",
)


@dataclass(frozen=True)
class StaffInput:
    email: str
    first_name: str
    last_name: str
    language_role: str
    start_date: dt.date
    end_date: dt.date | None
    # SPEC 3.1; None: not given (a new staff member is statutory, a saved one keeps theirs).
    statute: str | None = None

    def record(self) -> dict[str, Any]:
        record = {
            "email": self.email,
            "first_name": self.first_name,
            "last_name": self.last_name,
            "language_role": self.language_role,
            "start_date": self.start_date,
            "end_date": self.end_date,
        }
        if self.statute is not None:
            record["statute"] = self.statute
        return record


def _staff_dates(
    values: Mapping[str, str], errors: dict[str, str]
) -> tuple[dt.date | None, dt.date | None]:
    """The start date (required) and the end date (optional, not before the start), each
    error next to its field."""
    start = end = None
    if not values["start_date"]:
        errors["start_date"] = _("Give the start date.")
    else:
        start, problem = date_field(values["start_date"])
        if problem:
            errors["start_date"] = problem
    if values["end_date"]:
        end, problem = date_field(values["end_date"])
        if problem:
            errors["end_date"] = problem
        elif start is not None and end is not None and end < start:
            errors["end_date"] = _("The end date comes before the start date.")
    return start, end


def parse_staff_form(form: Mapping[str, Any], language_roles: Sequence[str]) -> FormResult:
    """Check a staff member's fields; the language role must be one of the organisation's."""
    values = {name: text(form, name) for name in STAFF_FIELDS}
    values["email"] = values["email"].lower()
    values["language_role"] = values["language_role"].upper()
    result = FormResult(values)
    errors = result.errors
    if not values["email"]:
        errors["email"] = _("Give the e-mail address.")
    elif not is_email(values["email"]):
        errors["email"] = _("%(value)s is not an e-mail address.", value=values["email"])
    for name, message in (
        ("first_name", _("Give the first name.")),
        ("last_name", _("Give the last name.")),
    ):
        if not values[name]:
            errors[name] = message
        elif len(values[name]) > STAFF_NAME_LENGTH:
            errors[name] = _(
                "Keep the name to %(count)d characters at most.", count=STAFF_NAME_LENGTH
            )
    if values["language_role"] not in language_roles:
        errors["language_role"] = _(
            "Choose one of the organisation's language roles: %(roles)s.",
            roles=", ".join(language_roles),
        )
    values["statute"] = values["statute"].lower()
    if values["statute"] and values["statute"] not in STATUTES:
        errors["statute"] = _("Choose one of the statutes in the list.")
    start, end = _staff_dates(values, errors)
    if not errors and start is not None:
        result.data = StaffInput(
            email=values["email"],
            first_name=values["first_name"],
            last_name=values["last_name"],
            language_role=values["language_role"],
            start_date=start,
            end_date=end,
            statute=values["statute"] or None,
        )
    return result


ORGANISATION_FIELDS = ("code", "name_nl", "name_fr", "pro_partner_email")


@dataclass(frozen=True)
class OrganisationInput:
    code: str
    name_nl: str
    name_fr: str
    language_roles: tuple[str, ...]
    pro_partner_email: str | None

    def record(self) -> dict[str, Any]:
        return {
            "name_nl": self.name_nl,
            "name_fr": self.name_fr,
            "language_roles": "|".join(self.language_roles),
            "pro_partner_email": self.pro_partner_email,
        }


def parse_organisation_form(form: Mapping[str, Any], *, code: str | None = None) -> FormResult:
    """A new organisation (`code` None: typed in the form) or an edit of the one with `code`:
    names NL and FR, language roles (one at least, NL, FR, DE in that order), PRO Partner
    e-mail (may be empty)."""
    values = {name: text(form, name) for name in ORGANISATION_FIELDS}
    values["code"] = (code or values["code"]).upper()
    values["pro_partner_email"] = values["pro_partner_email"].lower()
    getall = getattr(form, "getall", None)
    chosen = getall("language_roles", []) if getall else form.get("language_roles", [])
    if isinstance(chosen, str):
        chosen = [chosen]
    picked = {str(role).strip().upper() for role in chosen}
    roles = tuple(role for role in LANGUAGE_ROLES if role in picked)
    result = FormResult(values)
    result.values["language_roles"] = "|".join(roles)
    errors = result.errors
    if code is None and not ORGANISATION_CODE.match(values["code"]):
        errors["code"] = _("The code is 2 to 20 capital letters, digits, '-' or '_'.")
    for name, message in (
        ("name_nl", _("Give the name in Dutch.")),
        ("name_fr", _("Give the name in French.")),
    ):
        if not values[name]:
            errors[name] = message
        elif len(values[name]) > 255:
            errors[name] = _("Keep the name under 255 characters.")
    if not roles or picked - set(LANGUAGE_ROLES):
        errors["language_roles"] = _("Choose one or more language roles: NL, FR, DE.")
    partner = values["pro_partner_email"]
    if partner and (len(partner) > 254 or not is_email(partner)):
        errors["pro_partner_email"] = _("%(value)s is not an e-mail address.", value=partner[:80])
    if not errors:
        result.data = OrganisationInput(
            code=values["code"],
            name_nl=values["name_nl"],
            name_fr=values["name_fr"],
            language_roles=roles,
            pro_partner_email=partner or None,
        )
    return result
