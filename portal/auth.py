"""Users, passwords, login and the per-request user and language."""

from __future__ import annotations

import time
from dataclasses import dataclass
from enum import StrEnum

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from litestar.connection import ASGIConnection, Request
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Receive, Scope, Send

from core.i18n import LANGUAGE_COOKIE, negotiate_language, set_language
from portal.sessions import rotate_session_id
from core.settings import settings_of
from accounts.tables import User

_hasher = PasswordHasher()
# Verified against when the e-mail is unknown, so both failures take the same time.
_DUMMY_HASH = _hasher.hash("not-a-real-password")


class Role(StrEnum):
    DGRO = "dgro"
    PRO_PARTNER = "pro_partner"
    HR = "hr"
    EVALUATOR = "evaluator"
    STAFF = "staff"


ALL_ROLES = frozenset(Role)


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


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

    def has_role(self, *roles: Role) -> bool:
        return bool(self.roles.intersection(roles))

    @property
    def is_dgro(self) -> bool:
        return Role.DGRO in self.roles

    def may_act_for(self, organisation_code: str) -> bool:
        """DG R&O acts for every organisation; everyone else only for their own."""
        return self.is_dgro or self.organisation_code == organisation_code


async def load_user(user_id: int) -> CurrentUser | None:
    row = (
        await User.select(
            User.id,
            User.email,
            User.full_name,
            User.roles,
            User.organisation,
            User.organisation.code,
            User.preferred_language,
        )
        .where((User.id == user_id) & (User.active.eq(True)))
        .first()
    )
    if row is None:
        return None
    return CurrentUser(
        id=row["id"],
        email=row["email"],
        full_name=row["full_name"],
        roles=parse_roles(row["roles"]),
        organisation_id=row["organisation"],
        organisation_code=row["organisation.code"],
        preferred_language=row["preferred_language"],
    )


async def authenticate(email: str, password: str) -> CurrentUser | None:
    """The active user with this e-mail and password, or None."""
    row = (
        await User.select(User.id, User.password_hash)
        .where((User.email == email.strip().lower()) & (User.active.eq(True)))
        .first()
    )
    if row is None:
        verify_password(_DUMMY_HASH, password)
        return None
    if not verify_password(row["password_hash"], password):
        return None
    return await load_user(row["id"])


def start_session(request: Request, user: CurrentUser) -> None:
    """Log the user in on a fresh session id (never the one the browser brought)."""
    rotate_session_id(request)
    request.set_session({"user_id": user.id, "auth_at": int(time.time())})
    request.scope["user"] = user


def end_session(request: Request) -> None:
    """Log out: the old session id is deleted server-side; a fresh, empty one may follow."""
    rotate_session_id(request)
    request.set_session({})
    request.scope["user"] = None


class UserAndLanguageMiddleware(ASGIMiddleware):
    """Puts the logged-in user (or None) and the request's language in the scope."""

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        connection: ASGIConnection = ASGIConnection(scope)
        settings = settings_of(connection)
        user: CurrentUser | None = None
        session = scope.get("session") or {}
        user_id = session.get("user_id") if isinstance(session, dict) else None
        if user_id is not None:
            age = time.time() - float(session.get("auth_at", 0))
            if age <= settings.security.session_absolute_hours * 3600:
                user = await load_user(int(user_id))
            if user is None:
                # Expired or deactivated: the old id is deleted server-side.
                rotate_session_id(connection)
                scope["session"] = {}
        scope["user"] = user
        language = negotiate_language(
            connection.cookies.get(LANGUAGE_COOKIE),
            user.preferred_language if user else None,
            connection.headers.get("accept-language"),
            settings.default_language,
        )
        scope["language"] = language  # type: ignore[typeddict-unknown-key]
        set_language(language)
        await next_app(scope, receive, send)
