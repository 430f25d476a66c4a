"""Reads of accounts: the users list of a manager (DG R&O: everyone; HR: the accounts of its
organisation it manages), with filters and pages."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from accounts import rules
from accounts.tables import AccountToken, User
from core.errors import NotFound
from core.i18n import gettext as _
from core.identity import CurrentUser, Role, parse_roles
from core.paging import Page, fetch_page
from core.rows import columns_of, rows_as
from organisations.tables import StaffMember

# `unlinked`: a staff or evaluator account without its staff record (issue 18): it has no
# dossier and evaluates nobody until DG R&O or HR links it (the migration's report).
STATUSES = ("active", "invited", "deactivated", "unlinked")


@dataclass
class UserFilter:
    text: str = ""
    organisation: str = ""
    role: str = ""
    status: str = ""
    errors: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_query(cls, query: dict[str, str]) -> UserFilter:
        result = cls(
            text=query.get("q", "").strip()[:100],
            organisation=query.get("organisation", "").strip().upper()[:20],
            role=query.get("role", "").strip(),
            status=query.get("status", "").strip(),
        )
        if result.role and result.role not in {str(r) for r in Role}:
            result.errors["role"] = _("Choose a role from the list.")
        if result.status and result.status not in STATUSES:
            result.errors["status"] = _("Choose a status from the list.")
        return result

    def query_string(self, page: int) -> str:
        params = {
            "q": self.text,
            "organisation": self.organisation,
            "role": self.role,
            "status": self.status,
            "page": str(page),
        }
        return urlencode({k: v for k, v in params.items() if v})


def _scope(manager: CurrentUser) -> list[Any]:
    """The accounts a manager sees: DG R&O all; HR its organisation's, of the roles it grants."""
    if manager.is_dgro:
        return []
    clauses: list[Any] = [User.organisation == manager.organisation_id]
    for role in sorted({str(r) for r in Role} - rules.grantable_roles(manager.roles)):
        clauses.append(User.roles.not_like(f"%{role}%"))
    return clauses


def _role_clause(role: str) -> Any:
    # Roles are stored joined by ","; no role name is part of another.
    return User.roles.like(f"%{role}%")


async def users_page(manager: CurrentUser, filters: UserFilter, page: int) -> Page:
    """One page of the accounts the manager sees, by e-mail; `invited` says a password is
    still to be chosen."""
    if filters.errors:
        return Page(rows=[], total=0, page=1, pages=1)
    clauses = _scope(manager)
    if filters.text:
        pattern = f"%{filters.text}%"
        clauses.append(User.email.ilike(pattern) | User.full_name.ilike(pattern))
    if filters.organisation and manager.is_dgro:
        clauses.append(User.organisation.code == filters.organisation)
    if filters.role:
        clauses.append(_role_clause(filters.role))
    if filters.status == "active":
        clauses.append(User.active.eq(True) & (User.password_hash != ""))
    elif filters.status == "invited":
        clauses.append(User.active.eq(True) & (User.password_hash == ""))
    elif filters.status == "deactivated":
        clauses.append(User.active.eq(False))
    elif filters.status == "unlinked":
        clauses.append(
            User.staff_member.is_null() & (_role_clause("staff") | _role_clause("evaluator"))
        )
    query = User.select(
        User.id,
        User.email,
        User.full_name,
        User.roles,
        User.active,
        User.password_hash,
        User.staff_member,
        User.organisation.code.as_alias("organisation_code"),
    ).order_by(User.email)
    result = await fetch_page(query, User.count(), clauses, page)
    for row in result.rows:
        row["invited"] = not row.pop("password_hash")
        row["role_list"] = [r for r in row["roles"].split(",") if r]
    return result


@dataclass(frozen=True)
class StaffRecordRef:
    """The staff record an account is (or will be) linked to, as its page names it."""

    id: int
    email: str
    first_name: str
    last_name: str
    organisation: int


@dataclass(frozen=True)
class ManagedUser:
    """An account as its manager's page shows it: no password hash, `invited` when it has
    no password yet, its organisation's code, its staff record and the one its pending
    invitation names."""

    id: int
    email: str
    full_name: str
    roles: str
    organisation: int | None
    organisation_code: str | None
    preferred_language: str | None
    active: bool
    staff_member: int | None
    invited: bool
    staff_record: StaffRecordRef | None
    invited_record: StaffRecordRef | None

    def form_values(self) -> dict[str, str]:
        """The account's form, filled in."""
        return {
            "email": self.email,
            "full_name": self.full_name,
            "roles": self.roles,
            "organisation": self.organisation_code or "",
            "preferred_language": self.preferred_language or "",
        }


async def invited_record(user_id: int) -> int | None:
    """The staff record the account's latest invitation named (kept when sent again)."""
    row = (
        await AccountToken.select(AccountToken.staff_member)
        .where((AccountToken.user == user_id) & (AccountToken.purpose == rules.INVITATION))
        .order_by(AccountToken.id, ascending=False)
        .first()
    )
    return None if row is None else row["staff_member"]


async def managed_user(manager: CurrentUser, user_id: int) -> ManagedUser:
    """A user the manager may manage, for its page; NotFound otherwise (another
    organisation's account is not revealed)."""
    row = await (
        User.select(
            *columns_of(User, ManagedUser),
            User.password_hash,
            User.organisation.code.as_alias("organisation_code"),
        )
        .where(User.id == user_id)
        .first()
    )
    if row is None or not rules.may_manage(
        manager.roles, manager.organisation_id, parse_roles(row["roles"]), row["organisation"]
    ):
        raise NotFound
    invited = not row.pop("password_hash")
    pending = await invited_record(user_id) if invited and row["staff_member"] is None else None
    wanted = [i for i in (row["staff_member"], pending) if i is not None]
    records = {
        record.id: record
        for record in rows_as(
            StaffRecordRef,
            await StaffMember.select(*columns_of(StaffMember, StaffRecordRef)).where(
                StaffMember.id.is_in(wanted)
            )
            if wanted
            else [],
        )
    }
    return ManagedUser(
        **row,
        invited=invited,
        staff_record=records.get(row["staff_member"]),
        invited_record=records.get(pending) if pending is not None else None,
    )


async def hr_recipients(organisation_id: int, role: str = "hr") -> list[tuple[str, str | None]]:
    """(e-mail, preferred language) of the organisation's active accounts holding `role`:
    who is told of what HR must follow (a final insufficient, SPEC 3.2), or, with
    `role="legal"`, of a request its legal reviewer decides."""
    rows = await User.select(User.email, User.preferred_language).where(
        (User.organisation == organisation_id) & (User.active == True) & _role_clause(role)  # noqa: E712
    )
    return [(row["email"], row["preferred_language"]) for row in rows]
