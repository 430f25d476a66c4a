"""Base tables: the key-value store behind sessions and rate limits, and the audit log."""

from piccolo.columns import (
    JSON,
    BigInt,
    Bytea,
    Integer,
    Serial,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.indexes import IndexMethod
from piccolo.table import Table


class StoreEntry(Table, tablename="portal_store"):
    """Litestar store entries (sessions, rate limits), shared by every worker process."""

    id: Serial

    key = Varchar(length=200, unique=True)
    value = Bytea()
    # Unix seconds; null means the entry never expires.
    expires_at = BigInt(null=True, default=None, index=True)


class AuditEntry(Table, tablename="portal_audit"):
    """Append-only: who did what to which record, before and after, when, from where."""

    id: Serial

    at = Timestamptz(index=True)
    actor_email = Varchar(length=254, null=True, default=None, index=True)
    actor_roles = Varchar(length=100, default="")
    action = Varchar(length=60, index=True)
    table_name = Varchar(length=60, default="")
    record_key = Varchar(length=200, default="")
    before = JSON(null=True, default=None)
    after = JSON(null=True, default=None)
    outcome = Varchar(length=20, default="ok", index=True, index_method=IndexMethod.btree)
    ip_address = Varchar(length=64, null=True, default=None)
    path = Varchar(length=500, default="")
    detail = Text(default="")


class DataVersion(Table, tablename="data_version"):
    """A token that every write that can change a computed result replaces (the cache key).

    A fresh random token, not a counter: a counter could repeat after a reset and let a
    cache serve results of other data.
    """

    id: Serial

    name = Varchar(length=40, unique=True, required=True)
    token = Varchar(length=32, required=True)


class Notice(Table, tablename="portal_notice"):
    """An in-app notice to an audience (`dgro`, or `pro_partner` of an organisation),
    kept as a kind and its parameters so that it is shown, and later mailed, in the
    reader's language. `mailed_at` is for the e-mail outbox."""

    id: Serial

    created_at = Timestamptz(index=True)
    kind = Varchar(length=60, required=True)
    audience = Varchar(length=20, required=True)
    organisation_code = Varchar(length=20, null=True, default=None, index=True)
    params = JSON(default="{}")
    read_at = Timestamptz(null=True, default=None)
    mailed_at = Timestamptz(null=True, default=None)
    # A notice to one person (audience `person`): their account's id, and how they chose
    # to be told of its kind when it was raised (`now`, `digest` or `app`).
    recipient = Integer(null=True, default=None, index=True)
    delivery = Varchar(length=10, default="now")


class NoticePreference(Table, tablename="portal_notice_preference"):
    """How a person wants to be told of each kind of notice to them: `now` (a mail at
    once, the default), `digest` (one mail a day) or `app` (in the portal only)."""

    id: Serial

    account = Integer(required=True, unique=True)  # portal_user.id
    choices = JSON(default="{}")  # kind -> delivery


class OutboxMessage(Table, tablename="portal_outbox"):
    """An e-mail written in the same transaction as the change that causes it, delivered
    later by `portal send-mail` (`core.outbox`): pending -> sending -> sent, or back to
    pending with a later attempt when the SMTP server is down."""

    id: Serial

    created_at = Timestamptz()
    kind = Varchar(length=60, required=True)
    recipient = Varchar(length=254, required=True)
    language = Varchar(length=2, default="nl")
    subject = Varchar(length=300, required=True)
    body = Text(required=True)
    state = Varchar(length=10, default="pending", index=True)
    attempts = Integer(default=0)
    next_attempt_at = Timestamptz(index=True)
    claimed_by = Varchar(length=80, null=True, default=None)
    claimed_at = Timestamptz(null=True, default=None)
    sent_at = Timestamptz(null=True, default=None)
    last_error = Text(default="")
