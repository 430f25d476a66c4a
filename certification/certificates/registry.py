"""The staff and certificate register: form parsing, status transitions, reads and writes.

`next_status` holds the certificate life cycle (SPEC 2.1) as a pure function:

    pending --verify--> valid --suspend--> suspended --reinstate--> valid
    pending --reject--> revoked     valid/suspended --revoke--> revoked

Every write runs in `write_transaction()` together with its audit entry, and checks
that the staff member or certificate belongs to the organisation acted for.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from piccolo.columns import Column

from certification.importing import EMAIL, ISO_DATE
from certification.rules import CertificateStatus
from certification.tables import Certificate, Track
from organisations.tables import Organisation, StaffMember
from core import audit
from core.database import write_transaction
from core.i18n import gettext as _

PAGE_SIZE = 50
STATUSES = tuple(str(status) for status in CertificateStatus)


# --- the life cycle of a certificate (pure) ----------------------------------------------


class Action:
    VERIFY = "verify"
    REJECT = "reject"
    SUSPEND = "suspend"
    REVOKE = "revoke"
    REINSTATE = "reinstate"


ACTIONS = (Action.VERIFY, Action.REJECT, Action.SUSPEND, Action.REVOKE, Action.REINSTATE)
AUDIT_ACTIONS = {
    Action.VERIFY: "certificate_verified",
    Action.REJECT: "certificate_rejected",
    Action.SUSPEND: "certificate_suspended",
    Action.REVOKE: "certificate_revoked",
    Action.REINSTATE: "certificate_reinstated",
}
REASON_REQUIRED = frozenset({Action.REJECT, Action.SUSPEND, Action.REVOKE})

TRANSITIONS: dict[tuple[str, str], str] = {
    (CertificateStatus.PENDING, Action.VERIFY): CertificateStatus.VALID,
    (CertificateStatus.PENDING, Action.REJECT): CertificateStatus.REVOKED,
    (CertificateStatus.VALID, Action.SUSPEND): CertificateStatus.SUSPENDED,
    (CertificateStatus.VALID, Action.REVOKE): CertificateStatus.REVOKED,
    (CertificateStatus.SUSPENDED, Action.REVOKE): CertificateStatus.REVOKED,
    (CertificateStatus.SUSPENDED, Action.REINSTATE): CertificateStatus.VALID,
}


class UnknownAction(ValueError):
    """An action name that is not one of ACTIONS (a programming error, not user input)."""


class TransitionRefused(Exception):
    """The action is not possible from the certificate's current status."""

    def __init__(self, current: str, action: str) -> None:
        self.current = current
        self.action = action
        super().__init__(transition_message(current, action))

    @property
    def message(self) -> str:
        return transition_message(self.current, self.action)


def status_label(status: str) -> str:
    """The status in words (never shown by colour only)."""
    return {
        "pending": _("pending verification"),
        "valid": _("valid"),
        "suspended": _("suspended"),
        "revoked": _("revoked"),
    }.get(status, status)


def action_label(action: str) -> str:
    return {
        Action.VERIFY: _("Verify"),
        Action.REJECT: _("Reject"),
        Action.SUSPEND: _("Suspend"),
        Action.REVOKE: _("Revoke"),
        Action.REINSTATE: _("Reinstate"),
    }.get(action, action)


def reason_label(action: str) -> str:
    return {
        Action.REJECT: _("Reason for rejecting"),
        Action.SUSPEND: _("Reason for suspending"),
        Action.REVOKE: _("Reason for revoking"),
    }.get(action, _("Reason"))


def transition_message(current: str, action: str) -> str:
    """Why `action` is impossible, naming the current status."""
    status = status_label(current)
    messages = {
        Action.VERIFY: _(
            "This certificate is %(status)s: only a pending certificate can be verified.",
            status=status,
        ),
        Action.REJECT: _(
            "This certificate is %(status)s: only a pending certificate can be rejected.",
            status=status,
        ),
        Action.SUSPEND: _(
            "This certificate is %(status)s: only a valid certificate can be suspended.",
            status=status,
        ),
        Action.REVOKE: _(
            "This certificate is %(status)s: only a valid or suspended certificate can be revoked.",
            status=status,
        ),
        Action.REINSTATE: _(
            "This certificate is %(status)s: only a suspended certificate can be reinstated.",
            status=status,
        ),
    }
    return messages[action]


def next_status(current: str, action: str) -> str:
    """The status after `action`; TransitionRefused when impossible from `current`."""
    if action not in ACTIONS:
        raise UnknownAction(f"unknown certificate action {action!r}")
    try:
        return str(TRANSITIONS[(current, action)])
    except KeyError:
        raise TransitionRefused(current, action) from None


def actions_for(status: str) -> list[str]:
    """The decisions DG R&O can take on a certificate with this status, in a stable order."""
    return [action for action in ACTIONS if (status, action) in TRANSITIONS]


def reason_error(action: str, reason: str) -> str | None:
    """The message when a decision that needs a reason has none."""
    if action in REASON_REQUIRED and not reason.strip():
        return {
            Action.REJECT: _("Give the reason for rejecting this certificate."),
            Action.SUSPEND: _("Give the reason for suspending this certificate."),
            Action.REVOKE: _("Give the reason for revoking this certificate."),
        }[action]
    if len(reason) > 2000:
        return _("Keep the reason under 2,000 characters.")
    return None


# --- forms (pure) ------------------------------------------------------------------------


@dataclass(frozen=True)
class StaffInput:
    email: str
    first_name: str
    last_name: str
    language_role: str
    start_date: dt.date
    end_date: dt.date | None

    def record(self) -> dict[str, Any]:
        return {
            "email": self.email,
            "first_name": self.first_name,
            "last_name": self.last_name,
            "language_role": self.language_role,
            "start_date": self.start_date,
            "end_date": self.end_date,
        }


@dataclass(frozen=True)
class CertificateInput:
    track: str
    obtained_on: dt.date
    valid_until: dt.date | None


@dataclass
class FormResult:
    """The user's input (kept to re-render), the errors per field, and the parsed data."""

    values: dict[str, str]
    errors: dict[str, str] = field(default_factory=dict)
    data: Any = None

    @property
    def ok(self) -> bool:
        return not self.errors and self.data is not None


def _text(form: Mapping[str, Any], name: str) -> str:
    value = form.get(name)
    return "" if value is None else str(value).strip()


def parse_date(raw: str) -> tuple[dt.date | None, str | None]:
    if not ISO_DATE.match(raw):
        return None, _("Give the date as YYYY-MM-DD, e.g. 2026-03-15.")
    try:
        return dt.date.fromisoformat(raw), None
    except ValueError:
        return None, _("%(value)s is not a real date.", value=raw)


STAFF_FIELDS = ("email", "first_name", "last_name", "language_role", "start_date", "end_date")
CERTIFICATE_FIELDS = ("track", "obtained_on", "valid_until")


def parse_staff_form(form: Mapping[str, Any], language_roles: Sequence[str]) -> FormResult:
    """Check a staff member's fields; the language role must be one of the organisation's."""
    values = {name: _text(form, name) for name in STAFF_FIELDS}
    values["email"] = values["email"].lower()
    values["language_role"] = values["language_role"].upper()
    result = FormResult(values)
    errors = result.errors
    if not values["email"]:
        errors["email"] = _("Give the e-mail address.")
    elif len(values["email"]) > 254 or not EMAIL.match(values["email"]):
        errors["email"] = _("%(value)s is not an e-mail address.", value=values["email"])
    for name, message in (
        ("first_name", _("Give the first name.")),
        ("last_name", _("Give the last name.")),
    ):
        if not values[name]:
            errors[name] = message
        elif len(values[name]) > 100:
            errors[name] = _("Keep the name under 100 characters.")
    if values["language_role"] not in language_roles:
        errors["language_role"] = _(
            "Choose one of the organisation's language roles: %(roles)s.",
            roles=", ".join(language_roles),
        )
    start = end = None
    if not values["start_date"]:
        errors["start_date"] = _("Give the start date.")
    else:
        start, problem = parse_date(values["start_date"])
        if problem:
            errors["start_date"] = problem
    if values["end_date"]:
        end, problem = parse_date(values["end_date"])
        if problem:
            errors["end_date"] = problem
        elif start is not None and end is not None and end < start:
            errors["end_date"] = _("The end date comes before the start date.")
    if not errors and start is not None:
        result.data = StaffInput(
            email=values["email"],
            first_name=values["first_name"],
            last_name=values["last_name"],
            language_role=values["language_role"],
            start_date=start,
            end_date=end,
        )
    return result


def parse_certificate_form(
    form: Mapping[str, Any], active_tracks: Sequence[str], today: dt.date
) -> FormResult:
    """Check a certificate registration: an active track, a date not in the future."""
    values = {name: _text(form, name) for name in CERTIFICATE_FIELDS}
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
        obtained, problem = parse_date(values["obtained_on"])
        if problem:
            errors["obtained_on"] = problem
        elif obtained is not None and obtained > today:
            errors["obtained_on"] = _(
                "The date obtained cannot be in the future (today is %(today)s).",
                today=today.isoformat(),
            )
    if values["valid_until"]:
        until, problem = parse_date(values["valid_until"])
        if problem:
            errors["valid_until"] = problem
        elif obtained is not None and until is not None and until < obtained:
            errors["valid_until"] = _("A certificate cannot run out before it was obtained.")
    if not errors and obtained is not None:
        result.data = CertificateInput(values["track"], obtained, until)
    return result


# --- list filters (pure) -----------------------------------------------------------------


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


# --- reads -------------------------------------------------------------------------------


async def organisation_by_code(code: str) -> dict[str, Any] | None:
    row = await Organisation.select().where(Organisation.code == code).first()
    if row is not None:
        row["roles"] = [r for r in (row["language_roles"] or "").split("|") if r]
    return row


async def track_codes(*, active_only: bool) -> list[str]:
    query = Track.select(Track.code).order_by(Track.id)
    if active_only:
        query = query.where(Track.active.eq(True))
    return [row["code"] for row in await query]


@dataclass
class Page:
    rows: list[dict[str, Any]]
    total: int
    page: int
    pages: int


def _pages(total: int) -> int:
    return max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1)


async def staff_page(organisation_id: int, filters: StaffFilter, page: int, today: dt.date) -> Page:
    """One page of the organisation's staff, each with their certificates."""
    clauses: list[Any] = [StaffMember.organisation == organisation_id]
    for word in filters.q.split():
        pattern = f"%{word}%"
        clauses.append(
            StaffMember.first_name.ilike(pattern)
            | StaffMember.last_name.ilike(pattern)
            | StaffMember.email.ilike(pattern)
        )
    if filters.language_role:
        clauses.append(StaffMember.language_role == filters.language_role)
    if filters.active == "yes":
        clauses.append(StaffMember.start_date <= today)
        clauses.append(StaffMember.end_date.is_null() | (StaffMember.end_date >= today))
    if filters.track or filters.status:
        held = Certificate.select(Certificate.staff)
        if filters.track:
            held = held.where(Certificate.track.code == filters.track)
        if filters.status:
            held = held.where(Certificate.status == filters.status)
        clauses.append(StaffMember.id.is_in(held))
    query = StaffMember.select().order_by(
        StaffMember.last_name, StaffMember.first_name, StaffMember.id
    )
    count = StaffMember.count()
    for clause in clauses:
        query = query.where(clause)
        count = count.where(clause)
    total = await count
    pages = _pages(total)
    page = min(max(page, 1), pages)  # past the last page: the last page
    rows = await query.limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)
    by_staff: dict[int, list[dict[str, Any]]] = {row["id"]: [] for row in rows}
    if by_staff:
        certificates = await (
            Certificate.select(
                *Certificate.all_columns(), Certificate.track.code.as_alias("track_code")
            )
            .where(Certificate.staff.is_in(list(by_staff)))
            .order_by(Certificate.obtained_on)
            .order_by(Certificate.id)
        )
        for certificate in certificates:
            by_staff[certificate["staff"]].append(certificate)
    for row in rows:
        row["certificates"] = by_staff[row["id"]]
        row["active"] = row["start_date"] <= today and (
            row["end_date"] is None or row["end_date"] >= today
        )
    return Page(rows=rows, total=total, page=page, pages=pages)


async def staff_member(organisation_id: int, staff_id: int) -> dict[str, Any] | None:
    """The staff member when they belong to this organisation, else None."""
    return (
        await StaffMember.select()
        .where((StaffMember.id == staff_id) & (StaffMember.organisation == organisation_id))
        .first()
    )


async def pending_queue(organisation_code: str, page: int) -> Page:
    """Pending certificates of every organisation (or one), registered first, first."""
    where: list[Any] = [Certificate.status == CertificateStatus.PENDING]
    if organisation_code:
        where.append(Certificate.staff._.organisation._.code == organisation_code)
    query = Certificate.select(
        Certificate.id,
        Certificate.obtained_on,
        Certificate.valid_until,
        Certificate.status,
        Certificate.registered_by,
        Certificate.track.code.as_alias("track_code"),
        Certificate.staff.id.as_alias("staff_id"),
        Certificate.staff.first_name.as_alias("first_name"),
        Certificate.staff.last_name.as_alias("last_name"),
        Certificate.staff.email.as_alias("email"),
        Certificate.staff.language_role.as_alias("language_role"),
        Certificate.staff._.organisation._.code.as_alias("organisation_code"),
    ).order_by(Certificate.id)
    count = Certificate.count()
    for clause in where:
        query = query.where(clause)
        count = count.where(clause)
    total = await count
    pages = _pages(total)
    page = min(max(page, 1), pages)  # past the last page: the last page
    rows = await query.limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)
    return Page(rows=rows, total=total, page=page, pages=pages)


async def certificate_details(certificate_id: int) -> dict[str, Any] | None:
    return (
        await Certificate.select(
            *Certificate.all_columns(),
            Certificate.track.code.as_alias("track_code"),
            Certificate.staff.first_name.as_alias("first_name"),
            Certificate.staff.last_name.as_alias("last_name"),
            Certificate.staff.email.as_alias("email"),
            Certificate.staff._.organisation._.code.as_alias("organisation_code"),
        )
        .where(Certificate.id == certificate_id)
        .first()
    )


# --- writes ------------------------------------------------------------------------------


class RegistryRefused(Exception):
    """A write refused for a reason the user can fix; `field` names the form field."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotFound(Exception):
    """The record does not exist, or not in the organisation acted for."""


def _is_unique_violation(error: Exception) -> bool:
    name = type(error).__name__
    return "UniqueViolation" in name or (
        name == "IntegrityError" and "UNIQUE" in str(error).upper()
    )


async def _email_conflict(email: str, organisation_id: int, staff_id: int | None) -> None:
    other = (
        await StaffMember.select(StaffMember.id, StaffMember.organisation)
        .where(StaffMember.email == email)
        .first()
    )
    if other is None or other["id"] == staff_id:
        return
    if other["organisation"] != organisation_id:
        raise RegistryRefused(
            _(
                "This e-mail is already registered for another organisation; "
                "ask DG R&O to record the move."
            ),
            "email",
        )
    raise RegistryRefused(
        _("A staff member of this organisation already has this e-mail address."), "email"
    )


async def add_staff(actor: audit.Actor, organisation_id: int, data: StaffInput) -> int:
    """Add a staff member to the organisation; the e-mail must be new to the whole register."""
    try:
        async with write_transaction():
            await _email_conflict(data.email, organisation_id, None)
            [row] = await StaffMember.insert(
                StaffMember(organisation=organisation_id, **data.record())
            ).returning(StaffMember.id)
            await audit.record(
                actor,
                "staff_added",
                table="staff_member",
                key=data.email,
                after={"organisation": organisation_id, **data.record()},
            )
    except Exception as error:
        if _is_unique_violation(error):
            await _email_conflict(data.email, organisation_id, None)
        raise
    return int(row["id"])


async def update_staff(
    actor: audit.Actor, organisation_id: int, staff_id: int, data: StaffInput
) -> None:
    """Save a staff member of this organisation (NotFound for anyone else's)."""
    try:
        async with write_transaction():
            before = await staff_member(organisation_id, staff_id)
            if before is None:
                raise NotFound
            await _email_conflict(data.email, organisation_id, staff_id)
            changes: dict[Column | str, Any] = {k: v for k, v in data.record().items()}
            await StaffMember.update(changes).where(StaffMember.id == staff_id)
            await audit.record(
                actor,
                "staff_updated",
                table="staff_member",
                key=data.email,
                before={name: before[name] for name in STAFF_FIELDS},
                after=data.record(),
            )
    except Exception as error:
        if _is_unique_violation(error):
            await _email_conflict(data.email, organisation_id, staff_id)
        raise


async def register_certificate(
    actor: audit.Actor,
    organisation_id: int,
    staff_id: int,
    data: CertificateInput,
    *,
    registered_by: str,
    verified: bool,
) -> int:
    """Register a certificate: `pending`, or `valid` at once when DG R&O registers it."""
    now = dt.datetime.now(dt.UTC)
    try:
        async with write_transaction():
            staff = await staff_member(organisation_id, staff_id)
            if staff is None:
                raise NotFound
            track = (
                await Track.select(Track.id)
                .where((Track.code == data.track) & (Track.active.eq(True)))
                .first()
            )
            if track is None:
                raise RegistryRefused(_("This track is not active."), "track")
            await _duplicate_certificate(staff_id, track["id"], data)
            status = CertificateStatus.VALID if verified else CertificateStatus.PENDING
            values: dict[str, Any] = {
                "staff": staff_id,
                "track": track["id"],
                "obtained_on": data.obtained_on,
                "valid_until": data.valid_until,
                "status": str(status),
                "registered_by": registered_by,
                "decided_by": registered_by if verified else None,
                "decided_at": now if verified else None,
            }
            [row] = await Certificate.insert(Certificate(**values)).returning(Certificate.id)
            await audit.record(
                actor,
                "certificate_registered",
                table="certificate",
                key=str(row["id"]),
                after={
                    "email": staff["email"],
                    "track": data.track,
                    "obtained_on": data.obtained_on,
                    "valid_until": data.valid_until,
                    "status": str(status),
                },
            )
    except Exception as error:
        if _is_unique_violation(error):
            raise RegistryRefused(_duplicate_message(data), "obtained_on") from None
        raise
    return int(row["id"])


def _duplicate_message(data: CertificateInput) -> str:
    return _(
        "This staff member already has a %(track)s certificate obtained on %(day)s.",
        track=data.track,
        day=data.obtained_on.isoformat(),
    )


async def _duplicate_certificate(staff_id: int, track_id: int, data: CertificateInput) -> None:
    if await Certificate.exists().where(
        (Certificate.staff == staff_id)
        & (Certificate.track == track_id)
        & (Certificate.obtained_on == data.obtained_on)
    ):
        raise RegistryRefused(_duplicate_message(data), "obtained_on")


@dataclass(frozen=True)
class Decision:
    certificate_id: int
    action: str
    before: str
    after: str


async def decide(
    actor: audit.Actor, certificate_id: int, action: str, reason: str, decided_by: str
) -> Decision:
    """DG R&O's decision on a certificate; NotFound, RegistryRefused (reason) or
    TransitionRefused (impossible from the current status) and nothing written."""
    reason = reason.strip()
    problem = reason_error(action, reason)
    if problem:
        raise RegistryRefused(problem, "reason")
    now = dt.datetime.now(dt.UTC)
    async with write_transaction():
        current = await certificate_details(certificate_id)
        if current is None:
            raise NotFound
        new = next_status(current["status"], action)
        stored_reason = reason if action in REASON_REQUIRED else ""
        # The status in the WHERE clause: a decision taken meanwhile is never overwritten.
        changed = await (
            Certificate.update(
                {
                    Certificate.status: new,
                    Certificate.status_reason: stored_reason,
                    Certificate.decided_by: decided_by,
                    Certificate.decided_at: now,
                }
            )
            .where((Certificate.id == certificate_id) & (Certificate.status == current["status"]))
            .returning(Certificate.id)
        )
        if not changed:
            latest = await Certificate.select(Certificate.status).where(
                Certificate.id == certificate_id
            )
            raise TransitionRefused(latest[0]["status"] if latest else current["status"], action)
        await audit.record(
            actor,
            AUDIT_ACTIONS[action],
            table="certificate",
            key=str(certificate_id),
            before={"status": current["status"], "status_reason": current["status_reason"]},
            after={
                "status": new,
                "status_reason": stored_reason,
                "email": current["email"],
                "track": current["track_code"],
                "obtained_on": current["obtained_on"],
            },
        )
    return Decision(certificate_id, action, current["status"], new)
