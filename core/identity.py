"""Who a user is for the portal: roles (SPEC section 1) and the user of a request."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    DGRO = "dgro"
    PRO_PARTNER = "pro_partner"
    HR = "hr"
    EVALUATOR = "evaluator"
    STAFF = "staff"
    # SPEC 1: decides HR's motivated requests to read a closed dossier (SPEC 3.2).
    LEGAL = "legal"


ALL_ROLES = frozenset(Role)


def parse_roles(value: str) -> frozenset[Role]:
    """`"dgro,hr"` -> {Role.DGRO, Role.HR}; unknown names raise ValueError."""
    return frozenset(Role(part.strip()) for part in value.split(",") if part.strip())


@dataclass(frozen=True)
class CurrentUser:
    id: int
    email: str
    full_name: str
    roles: frozenset[Role]
    organisation_id: int | None
    organisation_code: str | None
    preferred_language: str | None
    # Copied into the session at login; a session holding an older one has ended.
    session_version: int = 0
    # The person's own staff record (`portal_user.staff_member`), by id: what makes a
    # dossier theirs and an evaluator assignment theirs. None: no dossier at all.
    staff_id: int | None = None

    def has_role(self, *roles: Role) -> bool:
        return bool(self.roles.intersection(roles))

    @property
    def is_dgro(self) -> bool:
        return Role.DGRO in self.roles

    def may_act_for(self, organisation_code: str) -> bool:
        """DG R&O acts for every organisation; everyone else only for their own."""
        return self.is_dgro or self.organisation_code == organisation_code
