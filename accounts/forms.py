"""The account forms: an invitation, a user's edit, the password forms (pure: no web, no ORM).

The organisation is a code here; the service finds it (and refuses an unknown one)."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from accounts.passwords import password_error
from core.forms import FormResult, text
from core.i18n import gettext as _
from core.identity import Role
from core.parsing import is_email
from core.settings import LANGUAGES

USER_FIELDS = ("email", "full_name", "organisation", "preferred_language")


@dataclass(frozen=True)
class UserInput:
    email: str
    full_name: str
    roles: frozenset[str]
    organisation_code: str | None
    preferred_language: str


def _roles_of(form: Mapping[str, Any]) -> list[str]:
    getall = getattr(form, "getall", None)
    values = getall("roles", []) if getall else form.get("roles", [])
    if isinstance(values, str):
        values = [values]
    return sorted({str(v).strip() for v in values if str(v).strip()})


def _organisation_problem(
    roles: Collection[str], organisation: str, grantable: Collection[str]
) -> str | None:
    """Checked with the other fields, so every mistake shows in one round: a DG R&O account
    belongs to no organisation; every other role needs one (asked only of DG R&O, who
    chooses it: HR's accounts are its own organisation's)."""
    if Role.DGRO in roles and organisation:
        return _("A DG R&O account belongs to no organisation: leave the organisation empty.")
    if set(roles) - {Role.DGRO} and not organisation and Role.DGRO in grantable:
        return _("Every role but DG R&O needs an organisation.")
    return None


def parse_user_form(
    form: Mapping[str, Any], *, grantable: Collection[str], with_email: bool
) -> FormResult:
    """An invitation (`with_email`) or a user's edit: name, roles (one at least, each one
    the manager may grant), organisation code, language of the mails."""
    values = {name: text(form, name) for name in USER_FIELDS}
    values["email"] = values["email"].lower()
    values["organisation"] = values["organisation"].upper()
    values["preferred_language"] = values["preferred_language"].lower()
    roles = _roles_of(form)
    result = FormResult(values)
    result.values["roles"] = ",".join(roles)  # type: ignore[assignment]
    errors = result.errors
    if with_email:
        if not values["email"]:
            errors["email"] = _("Give the e-mail address.")
        elif len(values["email"]) > 254 or not is_email(values["email"]):
            errors["email"] = _("%(value)s is not an e-mail address.", value=values["email"][:80])
    if not values["full_name"]:
        errors["full_name"] = _("Give the full name.")
    elif len(values["full_name"]) > 200:
        errors["full_name"] = _("Keep the name under 200 characters.")
    known = {str(role) for role in Role}
    if not roles:
        errors["roles"] = _("Choose at least one role.")
    elif any(role not in known for role in roles):
        errors["roles"] = _("Choose the roles from the list.")
    elif any(role not in grantable for role in roles):
        errors["roles"] = _("You cannot grant a role you do not hold yourself.")
    organisation_error = _organisation_problem(roles, values["organisation"], grantable)
    if organisation_error:
        errors["organisation"] = organisation_error
    if values["preferred_language"] not in LANGUAGES:
        errors["preferred_language"] = _("Choose a language from the list.")
    if not errors:
        result.data = UserInput(
            email=values["email"],
            full_name=values["full_name"],
            roles=frozenset(roles),
            organisation_code=values["organisation"] or None,
            preferred_language=values["preferred_language"],
        )
    return result


def parse_new_password(form: Mapping[str, Any], email: str) -> FormResult:
    """The new password typed twice; the password rule with the owner's e-mail."""
    password = str(form.get("password") or "")
    repeated = str(form.get("password_again") or "")
    result = FormResult({})
    problem = password_error(password, email)
    if problem:
        result.errors["password"] = problem
    elif password != repeated:
        result.errors["password_again"] = _("The two passwords differ: type the same one twice.")
    else:
        result.data = password
    return result


def parse_email(form: Mapping[str, Any]) -> str:
    """The e-mail of the "forgot your password" form, lower case ('' when none)."""
    email = text(form, "email").lower()
    return email if len(email) <= 254 and is_email(email) else ""
