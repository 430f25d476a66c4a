"""Reads of accounts: the users list of a manager (DG R&O: everyone; HR: the accounts of its
organisation it manages), with filters and pages."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from accounts import rules
from accounts.tables import User
from core.i18n import gettext as _
from core.identity import CurrentUser, Role
from core.paging import Page, fetch_page

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
