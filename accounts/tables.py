"""People who log in: their roles, their organisation (the scope of what they see) and language;
and the one-time tokens of invitations and password resets."""

from piccolo.columns import Boolean, ForeignKey, Integer, Serial, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from organisations.tables import Organisation, StaffMember


class User(Table, tablename="portal_user"):
    """A person who logs in. Roles are joined with ","; the organisation is the scope.

    An invited user has no password yet (`password_hash` empty) until the invitation is
    accepted. `session_version` is copied into each session at login; raising it (a
    password, role or organisation change, a deactivation) ends every session that holds
    an older one.
    """

    id: Serial

    email = Varchar(length=254, unique=True, required=True)
    full_name = Varchar(length=200, required=True)
    password_hash = Varchar(length=255, required=True)
    roles = Varchar(length=100, default="staff")
    organisation = ForeignKey(references=Organisation, null=True)
    preferred_language = Varchar(length=2, null=True, default=None)
    active = Boolean(default=True)
    created_at = Timestamptz()
    session_version = Integer(default=0)
    # Unique where set: the index `portal_user_staff_member` of migration 2026-12-02T07:00
    # (SQLite cannot add a UNIQUE column to a table).
    staff_member = ForeignKey(
        references=StaffMember, null=True, default=None, on_delete=OnDelete.set_null
    )


class AccountToken(Table, tablename="account_token"):
    """A one-time token sent by e-mail: an invitation or a password reset. Only the SHA-256
    of the token is kept (the token is 256 random bits: no dictionary to try)."""

    id: Serial

    user = ForeignKey(references=User, required=True, index=True, on_delete=OnDelete.cascade)
    purpose = Varchar(length=20, required=True)
    token_hash = Varchar(length=64, unique=True, required=True)
    created_at = Timestamptz()
    expires_at = Timestamptz()
    used_at = Timestamptz(null=True, default=None)
    created_by = Varchar(length=254, null=True, default=None)
    # An invitation names the staff record its account will be linked to when accepted
    # (chosen when it is sent, by id: a later change of the record's e-mail changes nothing).
    staff_member = ForeignKey(
        references=StaffMember, null=True, default=None, on_delete=OnDelete.set_null
    )
