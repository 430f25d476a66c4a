"""Users: passwords, login checks, and creating or updating a user (one path for the CLI,
the demo data and, later, the web)."""

from __future__ import annotations

from collections.abc import Iterable

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from accounts.identity import CurrentUser, Role, parse_roles
from accounts.tables import User
from core import audit
from core.database import write_transaction
from core.parsing import is_email
from organisations.tables import Organisation

MIN_PASSWORD_LENGTH = 10


_hasher = PasswordHasher()
# Verified against when the e-mail is unknown, so both failures take the same time.
_DUMMY_HASH = _hasher.hash("not-a-real-password")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


# Read on every request: one hand-written statement (building it through the query
# builder cost more than running it).
_LOAD_USER = (
    "SELECT u.id, u.email, u.full_name, u.roles, u.organisation, u.preferred_language, "
    "o.code AS organisation_code FROM portal_user u "
    "LEFT JOIN organisation o ON o.id = u.organisation WHERE u.id = {} AND u.active = {}"
)


async def load_user(user_id: int) -> CurrentUser | None:
    rows = await User.raw(_LOAD_USER, user_id, True)
    if not rows:
        return None
    row = rows[0]
    return CurrentUser(
        id=row["id"],
        email=row["email"],
        full_name=row["full_name"],
        roles=parse_roles(row["roles"]),
        organisation_id=row["organisation"],
        organisation_code=row["organisation_code"],
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


class UserInputError(ValueError):
    """The message tells the person what to change."""


async def save_user(
    email: str,
    full_name: str,
    roles: Iterable[str],
    organisation_code: str | None,
    password: str,
    *,
    command: str,
) -> int:
    """Create the user or update the one with this e-mail; audited. Returns the user id."""
    email = email.strip().lower()
    if not is_email(email):
        raise UserInputError(f"{email!r} is not an e-mail address.")
    if not full_name.strip():
        raise UserInputError("The full name is empty.")
    try:
        role_set = sorted({Role(r) for r in roles})
    except ValueError as error:
        raise UserInputError(f"Unknown role: {error}") from None
    if not role_set:
        raise UserInputError("Give at least one role.")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserInputError(f"The password needs at least {MIN_PASSWORD_LENGTH} characters.")
    organisation_id = None
    if organisation_code:
        row = (
            await Organisation.select(Organisation.id)
            .where(Organisation.code == organisation_code)
            .first()
        )
        if row is None:
            raise UserInputError(f"There is no organisation with code {organisation_code!r}.")
        organisation_id = row["id"]
    elif set(role_set) - {Role.DGRO}:
        raise UserInputError("Every role but dgro needs an organisation (--organisation CODE).")

    values = {
        "full_name": full_name.strip(),
        "roles": ",".join(role_set),
        "organisation": organisation_id,
    }
    async with write_transaction():
        existing = (
            await User.select(User.id, User.full_name, User.roles, User.organisation)
            .where(User.email == email)
            .first()
        )
        if existing is None:
            rows = await User.insert(
                User(
                    email=email,
                    password_hash=hash_password(password),
                    full_name=values["full_name"],
                    roles=values["roles"],
                    organisation=organisation_id,
                )
            ).returning(User.id)
            user_id = rows[0]["id"]
        else:
            user_id = existing["id"]
            await User.update(
                {
                    User.full_name: values["full_name"],
                    User.roles: values["roles"],
                    User.organisation: organisation_id,
                    User.password_hash: hash_password(password),
                    User.active: True,
                }
            ).where(User.id == user_id)
        await audit.record(
            audit.Actor.command_line(command),
            "user_saved",
            table="portal_user",
            key=email,
            before=None if existing is None else {k: existing[k] for k in values},
            after=values,
        )
    return user_id


async def record_login(actor: audit.Actor, email: str, *, succeeded: bool) -> None:
    """Audit a login attempt (a failed one keeps the e-mail that was typed)."""
    async with write_transaction():
        if succeeded:
            await audit.record(actor, "login", table="portal_user", key=email)
        else:
            await audit.record(
                actor,
                "login",
                table="portal_user",
                key=email,
                outcome=audit.Outcome.FAILED,
                detail="wrong e-mail or password",
            )


async def record_logout(actor: audit.Actor) -> None:
    async with write_transaction():
        await audit.record(actor, "logout", table="portal_user", key=actor.email or "")


async def set_preferred_language(actor: audit.Actor, user: CurrentUser, language: str) -> None:
    """Remember the user's language (audited); nothing happens when it is already theirs."""
    if user.preferred_language == language:
        return
    async with write_transaction():
        await User.update({User.preferred_language: language}).where(User.id == user.id)
        await audit.record(
            actor,
            "language_changed",
            table="portal_user",
            key=user.email,
            before={"preferred_language": user.preferred_language},
            after={"preferred_language": language},
        )
