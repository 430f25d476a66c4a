"""The register's forms (pure: no web, no ORM): certificate registration, the reason of a
decision, and the filters of the staff register."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from certification.certificates.lifecycle import MAX_REASON, REASON_REQUIRED, STATUSES, Action
from core.forms import FormResult, text
from core.i18n import format_day
from core.i18n import gettext as _
from core.parsing import date_field

CERTIFICATE_FIELDS = ("track", "obtained_on", "valid_until")


@dataclass(frozen=True)
class CertificateInput:
    track: str
    obtained_on: dt.date
    valid_until: dt.date | None


def parse_certificate_form(
    form: Mapping[str, Any], active_tracks: Sequence[str], today: dt.date
) -> FormResult:
    """Check a certificate registration: an active track, a date not in the future."""
    values = {name: text(form, name) for name in CERTIFICATE_FIELDS}
    values["track"] = values["track"].upper()
    result = FormResult(values)
    errors = result.errors
    if values["track"] not in active_tracks:
        errors["track"] = _(
            "Choose one of the active tracks: %(tracks)s.", tracks=", ".join(active_tracks)
        )
    obtained = until = None
    if not values["obtained_on"]:
        errors["obtained_on"] = _("Give the date the certificate was obtained.")
    else:
        obtained, problem = date_field(values["obtained_on"])
        if problem:
            errors["obtained_on"] = problem
        elif obtained is not None and obtained > today:
            errors["obtained_on"] = _(
                "The date obtained cannot be in the future (today is %(today)s).",
                today=format_day(today),
            )
    if values["valid_until"]:
        until, problem = date_field(values["valid_until"])
        if problem:
            errors["valid_until"] = problem
        elif obtained is not None and until is not None and until < obtained:
            errors["valid_until"] = _("A certificate cannot run out before it was obtained.")
    if not errors and obtained is not None:
        result.data = CertificateInput(values["track"], obtained, until)
    return result


def reason_error(action: str, reason: str) -> str | None:
    """The message when a decision that needs a reason has none."""
    if action in REASON_REQUIRED and not reason.strip():
        return {
            Action.REJECT: _("Give the reason for rejecting this certificate."),
            Action.SUSPEND: _("Give the reason for suspending this certificate."),
            Action.REVOKE: _("Give the reason for revoking this certificate."),
        }[Action(action)]
    if len(reason) > MAX_REASON:
        return _("Keep the reason under 2,000 characters.")
    return None


@dataclass
class StaffFilter:
    q: str = ""
    language_role: str = ""
    track: str = ""
    status: str = ""
    active: str = "all"
    errors: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_query(
        cls, query: Mapping[str, str], language_roles: Sequence[str], tracks: Sequence[str]
    ) -> StaffFilter:
        result = cls(
            q=query.get("q", "").strip()[:200],
            language_role=query.get("language_role", "").strip().upper(),
            track=query.get("track", "").strip().upper(),
            status=query.get("status", "").strip().lower(),
            active=query.get("active", "").strip().lower() or "all",
        )
        if result.language_role and result.language_role not in language_roles:
            result.errors["language_role"] = _("Choose a language role from the list.")
        if result.track and result.track not in tracks:
            result.errors["track"] = _("Choose a track from the list.")
        if result.status and result.status not in STATUSES:
            result.errors["status"] = _("Choose a certificate status from the list.")
        if result.active not in ("yes", "all"):
            result.errors["active"] = _("Choose “yes” or “all”.")
        return result

    def query_string(self, page: int | None = None) -> str:
        params = {
            "q": self.q,
            "language_role": self.language_role,
            "track": self.track,
            "status": self.status,
            "active": "" if self.active == "all" else self.active,
            "page": str(page) if page else "",
        }
        return urlencode({k: v for k, v in params.items() if v})
