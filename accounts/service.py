"""Creating and updating users: one path for the CLI, the demo data and (later) the web."""

from __future__ import annotations

import re
from collections.abc import Iterable

from organisations.tables import Organisation
from core import audit
from portal.auth import Role, hash_password
from core.database import write_transaction
from accounts.tables import User

EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MIN_PASSWORD_LENGTH = 10


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
    if not EMAIL_PATTERN.match(email):
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
                User(email=email, password_hash=hash_password(password), **values)
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
