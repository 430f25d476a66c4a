"""Users: passwords, login checks, creating or updating a user (the CLI and the demo data),
the pages' account management (invitations, roles, deactivation), the one-time tokens of
invitations and password resets, and one's own password. Every write is audited in its
transaction; every change of password, roles, organisation or activity raises the user's
`session_version`, which ends their other sessions."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Iterable, Mapping
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from accounts import rules
from accounts.forms import UserInput
from accounts.mails import INVITATION_MAIL, RESET_MAIL, queue_account_mail
from accounts.passwords import password_error
from accounts.queries import invited_record
from accounts.tables import AccountToken, User
from core import audit, notices
from core.database import is_unique_violation, write_transaction
from core.errors import NotFound, Refused
from core.i18n import gettext as _
from core.identity import CurrentUser, Role, parse_roles
from core.parsing import is_email
from organisations.tables import Organisation, StaffMember

MIN_PASSWORD_LENGTH = rules.MIN_PASSWORD_LENGTH


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
    "u.session_version, u.staff_member, o.code AS organisation_code FROM portal_user u "
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
        session_version=row["session_version"],
        staff_id=row["staff_member"],
    )


async def authenticate(email: str, password: str) -> CurrentUser | None:
    """The active user with this e-mail and password, or None."""
    row = (
        await User.select(User.id, User.password_hash)
        .where((User.email == email.strip().lower()) & (User.active.eq(True)))
        .first()
    )
    if row is None or not row["password_hash"]:  # unknown, or invited without a password yet
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
    problem = password_error(password, email)
    if problem:
        raise UserInputError(problem)
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
                    # A reset ends every session the user has open (issue 13, item 1).
                    User.session_version: User.session_version + 1,
                }
            ).where(User.id == user_id)
            await _void_tokens(user_id, dt.datetime.now(dt.UTC))
        staff_id = await _operator_link(user_id, organisation_id, email)
        await audit.record(
            audit.Actor.command_line(command),
            "user_saved",
            table="portal_user",
            key=email,
            before=None if existing is None else {k: existing[k] for k in values},
            after=values if staff_id is None else {**values, "staff_member": staff_id},
            detail="" if existing is None else "password reset; the user's sessions ended",
        )
    return user_id


async def _operator_link(user_id: int, organisation_id: int | None, email: str) -> int | None:
    """`portal create-user` (and the demo data) is the operator at the server's shell: an
    account it saves without a staff record is linked to the unheld record with its e-mail
    in its organisation, as an explicit administrator's link would. The id, or None."""
    row = await User.select(User.staff_member).where(User.id == user_id).first()
    if row is None or row["staff_member"] is not None:
        return None
    staff_id = await _unlinked_record_by_email(organisation_id, email)
    if staff_id is not None:
        await User.update({User.staff_member: staff_id}).where(User.id == user_id)
    return staff_id


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


# --- one-time tokens ------------------------------------------------------------------------


def token_digest(token: str) -> str:
    """What is stored of a token: its SHA-256 (256 random bits need no slow hash)."""
    return hashlib.sha256(token.encode()).hexdigest()


async def _void_tokens(user_id: int, now: dt.datetime, purpose: str | None = None) -> None:
    """The user's tokens not used yet stop working (a newer one, or the account changed)."""
    where = (AccountToken.user == user_id) & AccountToken.used_at.is_null()
    if purpose is not None:
        where = where & (AccountToken.purpose == purpose)
    await AccountToken.update({AccountToken.used_at: now}).where(where)


async def _issue_token(
    user_id: int, purpose: str, created_by: str | None, staff_id: int | None = None
) -> str:
    """A fresh token for the user (their earlier unused one of this purpose is void); an
    invitation names the staff record its acceptance links (`staff_id`)."""
    now = dt.datetime.now(dt.UTC)
    await _void_tokens(user_id, now, purpose)
    token = secrets.token_urlsafe(32)
    await AccountToken.insert(
        AccountToken(
            user=user_id,
            purpose=purpose,
            token_hash=token_digest(token),
            created_at=now,
            expires_at=now + rules.VALID_FOR[purpose],
            created_by=created_by,
            staff_member=staff_id,
        )
    )
    return token


def token_link(base_url: str, purpose: str, user_id: int, token: str) -> str:
    path = "invitation" if purpose == rules.INVITATION else "password/reset"
    return f"{base_url.rstrip('/')}/{path}/{user_id}/{token}"


class TokenRefused(Exception):
    """The token cannot be used: `state` says why (unknown, used or expired)."""

    def __init__(self, state: rules.TokenState) -> None:
        super().__init__(str(state))
        self.state = state


async def token_owner(purpose: str, user_id: int, token: str) -> dict[str, Any]:
    """The active user a usable token of this purpose was issued to; TokenRefused else (a
    token of another user, or of the other purpose, is unknown here)."""
    row = (
        await AccountToken.select(
            AccountToken.id,
            AccountToken.used_at,
            AccountToken.expires_at,
            AccountToken.staff_member,
            AccountToken.user.staff_member.as_alias("linked_staff"),
            AccountToken.user.email.as_alias("email"),
            AccountToken.user.full_name.as_alias("full_name"),
            AccountToken.user.active.as_alias("active"),
        )
        .where(
            (AccountToken.token_hash == token_digest(token))
            & (AccountToken.user == user_id)
            & (AccountToken.purpose == purpose)
        )
        .first()
    )
    found = row is not None and bool(row["active"])
    state = rules.token_state(
        found,
        row["used_at"] if row else None,
        row["expires_at"] if row else None,
        dt.datetime.now(dt.UTC),
    )
    if state is not rules.TokenState.USABLE:
        raise TokenRefused(state)
    assert row is not None
    return row


async def use_token(
    actor: audit.Actor, purpose: str, user_id: int, token: str, password: str
) -> str:
    """Set the password with an invitation or reset token, once: the token is spent, every
    other unused token of the user is void, every session of the user ends. The user's
    e-mail. TokenRefused for a token that cannot be used, Refused for a weak password."""
    async with write_transaction():
        row = await token_owner(purpose, user_id, token)
        problem = password_error(password, row["email"])
        if problem:
            raise Refused(problem, "password")
        now = dt.datetime.now(dt.UTC)
        spent = await (
            AccountToken.update({AccountToken.used_at: now})
            .where((AccountToken.id == row["id"]) & AccountToken.used_at.is_null())
            .returning(AccountToken.id)
        )
        if not spent:  # used meanwhile by another request
            raise TokenRefused(rules.TokenState.USED)
        await _void_tokens(user_id, now)
        await User.update(
            {
                User.password_hash: hash_password(password),
                User.session_version: User.session_version + 1,
            }
        ).where(User.id == user_id)
        action = "invitation_accepted" if purpose == rules.INVITATION else "password_reset"
        linked = await _link_invited(row) if purpose == rules.INVITATION else None
        await audit.record(
            audit.Actor(row["email"], "", actor.ip_address, actor.path),
            action,
            table="portal_user",
            key=row["email"],
            after=None if linked is None else {"staff_member": linked},
            detail="password set; the user's sessions ended"
            + ("; linked to the staff record the invitation named" if linked else ""),
        )
    return str(row["email"])


async def _link_invited(token_row: dict[str, Any]) -> int | None:
    """Accepting an invitation links the account to the staff record the invitation named
    when it was sent, by id (the inviter saw it), unless the account has a record already
    or another account took that one meanwhile. The id linked, or None."""
    staff_id = token_row["staff_member"]
    if staff_id is None or token_row["linked_staff"] is not None:
        return None
    if await User.exists().where(User.staff_member == staff_id):
        return None
    await User.update({User.staff_member: staff_id}).where(User.email == token_row["email"])
    return int(staff_id)


async def request_password_reset(
    actor: audit.Actor, email: str, base_url: str, language: str
) -> None:
    """Mail a reset link to the active user with this e-mail. The caller answers the same
    whether or not there is one (no account enumeration); the audit log says which."""
    async with write_transaction():
        row = (
            await User.select(User.id, User.full_name, User.preferred_language)
            .where((User.email == email) & User.active.eq(True))
            .first()
            if email
            else None
        )
        if row is None:
            await audit.record(
                actor,
                "password_reset_requested",
                table="portal_user",
                key=email[:200],
                outcome=audit.Outcome.FAILED,
                detail="no active account with this e-mail; nothing sent",
            )
            return
        token = await _issue_token(row["id"], rules.RESET, None)
        await queue_account_mail(
            RESET_MAIL,
            email,
            row["preferred_language"] or language,
            full_name=row["full_name"],
            email=email,
            link=token_link(base_url, rules.RESET, row["id"], token),
        )
        await audit.record(
            actor, "password_reset_requested", table="portal_user", key=email, detail="mailed"
        )


# --- one's own account ----------------------------------------------------------------------


async def change_password(
    actor: audit.Actor, user: CurrentUser, current: str, new: str, repeated: str
) -> int:
    """Change one's own password (the current one is asked); the new session version, which
    the caller's session takes: every other session of the user ends."""
    row = await User.select(User.password_hash).where(User.id == user.id).first()
    if row is None or not verify_password(row["password_hash"] or _DUMMY_HASH, current):
        async with write_transaction():
            await audit.record(
                actor,
                "password_changed",
                table="portal_user",
                key=user.email,
                outcome=audit.Outcome.FAILED,
                detail="the current password was wrong",
            )
        raise Refused(_("The current password is wrong."), "current_password")
    problem = password_error(new, user.email)
    if problem:
        raise Refused(problem, "password")
    if new != repeated:
        raise Refused(_("The two passwords differ: type the same one twice."), "password_again")
    if new == current:
        raise Refused(_("Choose a password other than the current one."), "password")
    async with write_transaction():
        [changed] = await (
            User.update(
                {
                    User.password_hash: hash_password(new),
                    User.session_version: User.session_version + 1,
                }
            )
            .where(User.id == user.id)
            .returning(User.session_version)
        )
        await _void_tokens(user.id, dt.datetime.now(dt.UTC), rules.RESET)
        await audit.record(
            actor,
            "password_changed",
            table="portal_user",
            key=user.email,
            detail="the user's other sessions ended",
        )
    return int(changed["session_version"])


# --- managing accounts (DG R&O; HR for its own organisation) --------------------------------


def _manages(manager: CurrentUser, row: dict[str, Any]) -> bool:
    return rules.may_manage(
        manager.roles, manager.organisation_id, parse_roles(row["roles"]), row["organisation"]
    )


async def _managed_user(manager: CurrentUser, user_id: int) -> dict[str, Any]:
    """The user's row when the manager may manage it; NotFound otherwise (another
    organisation's account is not revealed)."""
    row = await User.select().where(User.id == user_id).first()
    if row is None or not _manages(manager, row):
        raise NotFound
    return row


async def _organisation_id(manager: CurrentUser, data: UserInput) -> int | None:
    """The organisation the account belongs to: HR's own; for DG R&O the one named (every
    role but dgro needs one)."""
    if not manager.is_dgro:
        return manager.organisation_id
    if Role.DGRO in data.roles and data.organisation_code:
        raise Refused(
            _("A DG R&O account belongs to no organisation: leave the organisation empty."),
            "organisation",
        )
    if data.organisation_code:
        row = (
            await Organisation.select(Organisation.id)
            .where(Organisation.code == data.organisation_code)
            .first()
        )
        if row is None:
            raise Refused(
                _("There is no organisation with code %(code)s.", code=data.organisation_code),
                "organisation",
            )
        return int(row["id"])
    if set(data.roles) - {Role.DGRO}:
        raise Refused(_("Every role but DG R&O needs an organisation."), "organisation")
    return None


def _check_grant(manager: CurrentUser, roles: Iterable[str]) -> None:
    beyond = rules.roles_beyond_grant(manager.roles, list(roles))
    if beyond:
        raise Refused(_("You cannot grant a role you do not hold yourself."), "roles")


async def invite_user(
    actor: audit.Actor, manager: CurrentUser, data: UserInput, base_url: str
) -> int:
    """Open an account without a password and mail its invitation (7 days, once)."""
    _check_grant(manager, data.roles)
    organisation_id = await _organisation_id(manager, data)
    refused = Refused(
        _("This e-mail address already has an account: find it in the list of users.")
        if manager.is_dgro
        else _("This e-mail address already has an account; ask DG R&O if it is not listed."),
        "email",
    )
    try:
        async with write_transaction():
            if await User.exists().where(User.email == data.email):
                raise refused
            [row] = await User.insert(
                User(
                    email=data.email,
                    full_name=data.full_name,
                    password_hash="",
                    roles=",".join(rules.sorted_roles(data.roles)),
                    organisation=organisation_id,
                    preferred_language=data.preferred_language,
                    active=True,
                    created_at=dt.datetime.now(dt.UTC),
                )
            ).returning(User.id)
            user_id = int(row["id"])
            staff_id = await _unlinked_record_by_email(organisation_id, data.email)
            token = await _issue_token(user_id, rules.INVITATION, manager.email, staff_id)
            await queue_account_mail(
                INVITATION_MAIL,
                data.email,
                data.preferred_language,
                full_name=data.full_name,
                inviter=manager.full_name,
                email=data.email,
                link=token_link(base_url, rules.INVITATION, user_id, token),
            )
            await audit.record(
                actor,
                "user_invited",
                table="portal_user",
                key=data.email,
                after={
                    "full_name": data.full_name,
                    "roles": ",".join(rules.sorted_roles(data.roles)),
                    "organisation": data.organisation_code or manager.organisation_code,
                    "preferred_language": data.preferred_language,
                    "staff_member": staff_id,
                },
            )
    except Exception as error:
        if is_unique_violation(error):
            raise refused from None
        raise
    return user_id


async def resend_invitation(
    actor: audit.Actor, manager: CurrentUser, user_id: int, base_url: str
) -> str:
    """A new invitation for an account that has no password yet (the earlier link is void)."""
    async with write_transaction():
        row = await _managed_user(manager, user_id)
        if row["password_hash"] or not row["active"]:
            raise Refused(_("This account has a password already, or is deactivated."))
        token = await _issue_token(
            user_id, rules.INVITATION, manager.email, await invited_record(user_id)
        )
        await queue_account_mail(
            INVITATION_MAIL,
            row["email"],
            row["preferred_language"] or "nl",
            full_name=row["full_name"],
            inviter=manager.full_name,
            email=row["email"],
            link=token_link(base_url, rules.INVITATION, user_id, token),
        )
        await audit.record(actor, "invitation_sent_again", table="portal_user", key=row["email"])
    return str(row["email"])


async def update_user(
    actor: audit.Actor, manager: CurrentUser, user_id: int, data: UserInput
) -> None:
    """Save a user's name, roles, organisation and mail language. A change of roles or
    organisation ends the user's sessions."""
    if user_id == manager.id:
        raise Refused(_("You cannot change your own roles; ask another administrator."), "roles")
    _check_grant(manager, data.roles)
    organisation_id = await _organisation_id(manager, data)
    async with write_transaction():
        before = await _managed_user(manager, user_id)
        # HR may not take away a role it cannot grant (the account would leave its hands).
        _check_grant(manager, parse_roles(before["roles"]))
        roles = ",".join(rules.sorted_roles(data.roles))
        ends_sessions = roles != before["roles"] or organisation_id != before["organisation"]
        changes: dict[Any, Any] = {
            User.full_name: data.full_name,
            User.roles: roles,
            User.organisation: organisation_id,
            User.preferred_language: data.preferred_language,
        }
        if ends_sessions:
            changes[User.session_version] = User.session_version + 1
        await User.update(changes).where(User.id == user_id)
        fields = ("full_name", "roles", "organisation", "preferred_language")
        await audit.record(
            actor,
            "user_changed",
            table="portal_user",
            key=before["email"],
            before={name: before[name] for name in fields},
            after={
                "full_name": data.full_name,
                "roles": roles,
                "organisation": organisation_id,
                "preferred_language": data.preferred_language,
            },
            detail="roles or organisation changed; the user's sessions ended"
            if ends_sessions
            else "",
        )


async def set_active(
    actor: audit.Actor, manager: CurrentUser, user_id: int, *, active: bool
) -> str:
    """Deactivate (the user cannot log in, every session ends, open links are void) or
    reactivate an account. The user's e-mail."""
    if user_id == manager.id:
        raise Refused(_("You cannot deactivate your own account."))
    async with write_transaction():
        row = await _managed_user(manager, user_id)
        if bool(row["active"]) == active:
            return str(row["email"])
        changes: dict[Any, Any] = {User.active: active}
        if not active:
            changes[User.session_version] = User.session_version + 1
            await _void_tokens(user_id, dt.datetime.now(dt.UTC))
        await User.update(changes).where(User.id == user_id)
        await audit.record(
            actor,
            "user_reactivated" if active else "user_deactivated",
            table="portal_user",
            key=row["email"],
            before={"active": bool(row["active"])},
            after={"active": active},
        )
    return str(row["email"])


# --- the account's own staff record (issue 18) ----------------------------------------------
# A dossier belongs to the account linked to its staff record by id, and an evaluator
# assignment to the account linked to the evaluator's record. The link is made by an
# invitation that named the record (accepted), by `portal create-user` / the demo data (the
# operator), or here by DG R&O or HR of the account's organisation; never by the e-mail a
# register writer can edit. Nobody links their own account.


async def _unlinked_record_by_email(organisation_id: int | None, email: str) -> int | None:
    """The staff record with this e-mail in this organisation that no account holds yet."""
    if organisation_id is None or not email:
        return None
    row = (
        await StaffMember.select(StaffMember.id)
        .where(
            (StaffMember.email == email.strip().lower())
            & (StaffMember.organisation == organisation_id)
        )
        .first()
    )
    if row is None or await User.exists().where(User.staff_member == row["id"]):
        return None
    return int(row["id"])


async def link_staff_record(
    actor: audit.Actor, manager: CurrentUser, user_id: int, staff_email: str
) -> str:
    """Link an account to the staff record with `staff_email` in the account's organisation
    (the record the register shows, chosen by id now: a later change of its e-mail changes
    nothing). Refused for one's own account, a record of another organisation or unknown
    (the same words), one another account holds, or an account already linked. Returns the
    record's name."""
    if user_id == manager.id:
        raise Refused(
            _("You cannot link your own account to a staff record; ask another administrator."),
            "staff_email",
        )
    email = staff_email.strip().lower()
    async with write_transaction():
        row = await _managed_user(manager, user_id)
        if row["staff_member"] is not None:
            raise Refused(
                _("This account is linked to a staff record already: remove that link first."),
                "staff_email",
            )
        record = (
            await StaffMember.select()
            .where((StaffMember.email == email) & (StaffMember.organisation == row["organisation"]))
            .first()
            if email and row["organisation"] is not None
            else None
        )
        if record is None:
            raise Refused(
                _(
                    "There is no staff record with the e-mail %(email)s in this account's "
                    "organisation.",
                    email=email or "—",
                ),
                "staff_email",
            )
        if await User.exists().where(User.staff_member == record["id"]):
            raise Refused(
                _("Another account is linked to this staff record already."), "staff_email"
            )
        await User.update({User.staff_member: record["id"]}).where(User.id == user_id)
        await audit.record(
            actor,
            "staff_record_linked",
            table="portal_user",
            key=row["email"],
            before={"staff_member": None},
            after={"staff_member": record["id"], "staff_email": record["email"]},
        )
    return f"{record['first_name']} {record['last_name']}"


async def unlink_staff_record(actor: audit.Actor, manager: CurrentUser, user_id: int) -> None:
    """Remove an account's link to its staff record: it no longer reads that dossier nor
    acts as that person's evaluator (at once: the link is read on every request)."""
    if user_id == manager.id:
        raise Refused(
            _("You cannot change the link of your own account; ask another administrator.")
        )
    async with write_transaction():
        row = await _managed_user(manager, user_id)
        if row["staff_member"] is None:
            return
        await User.update({User.staff_member: None}).where(User.id == user_id)
        await audit.record(
            actor,
            "staff_record_unlinked",
            table="portal_user",
            key=row["email"],
            before={"staff_member": row["staff_member"]},
            after={"staff_member": None},
        )


async def save_notice_choices(
    actor: audit.Actor, user: CurrentUser, choices: Mapping[str, str]
) -> None:
    """One's own choice per kind of notice: a mail at once, a daily digest or in the
    portal only (issue 22). A kind or a choice outside the lists is refused at its field."""
    for kind, delivery in choices.items():
        if kind not in notices.PERSON_KINDS or delivery not in notices.DELIVERIES:
            raise Refused(
                _("Choose at once, a daily digest or in the portal only."), f"notice-{kind}"
            )
    async with write_transaction():
        before = await notices.save_choices(user.id, choices)
        await audit.record(
            actor,
            "notice_choices_saved",
            table="portal_notice_preference",
            key=str(user.id),
            before=before,
            after=dict(choices),
        )


async def send_notice_digests(before: dt.datetime) -> int:
    """The daily digest (cron): one mail to each person with notices waiting for it,
    raised before `before`, in their language, through the outbox; each notice once.
    A deactivated account's notices are marked without a mail. How many mails."""
    waiting = await notices.digest_rows(before)
    if not waiting:
        return 0
    accounts = {
        row["id"]: row
        for row in await User.select(
            User.id,
            User.email,
            User.active,
            User.preferred_language,
            User.staff_member.language_role.as_alias("language_role"),
        ).where(User.id.is_in(list(waiting)))
    }
    sent = 0
    async with write_transaction():
        for account, rows in waiting.items():
            row = accounts.get(account)
            if row is None or not row["active"]:
                await notices.mark_mailed([notice["id"] for notice in rows])
                continue
            language = row["preferred_language"] or str(row["language_role"] or "nl").lower()
            await notices.send_digest(notices.Person(account, row["email"], language), rows)
            sent += 1
    return sent
