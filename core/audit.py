"""The audit log: every write in the project, and every refused attempt, goes through `record`."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from core.i18n import gettext as _
from core.tables import AuditEntry

# The links of the account mails carry a one-time token as their last segment
# (`/invitation/{user_id}/{token}`, `/password/reset/{user_id}/{token}`: accounts/web/tokens.py).
# Whoever reads the token in a log could take the account over while the link is valid, so
# the audit trail and the server's logs keep the path with the token replaced.
REDACTED = "[redacted]"
_TOKEN_PATH = re.compile(
    r"(/(?:invitation|password/reset)/[^/?#\s]*/)(?!\[redacted\])[^/?#\s:'\"]+", re.IGNORECASE
)


def redact_tokens(text: str) -> str:
    """`text` (a path, a log line) with the token of every account-mail link replaced:
    `/password/reset/8/[redacted]`."""
    return _TOKEN_PATH.sub(rf"\1{REDACTED}", text)


class Outcome:
    OK = "ok"
    DENIED = "denied"
    FAILED = "failed"


@dataclass(frozen=True)
class Actor:
    """Who acted and from where: a logged-in user, an anonymous visitor or the command line.

    The web shell builds it from a request (`webkit.guards.actor_of`); no web code here.
    """

    email: str | None
    roles: str = ""
    ip_address: str | None = None
    path: str = ""

    @property
    def label(self) -> str:
        """Who, in one word: the user's e-mail, or the command that ran."""
        return self.email or self.path

    @classmethod
    def command_line(cls, command: str) -> Actor:
        return cls(email=None, roles="cli", ip_address=None, path=f"cli:{command}")


def who(label: str | None) -> str:
    """Who did something, as a reader says it: an e-mail stays an e-mail; a command
    (`cli:demo-data`, what `Actor.label` gives for the command line) becomes words."""
    if not label:
        return "—"
    if not label.startswith("cli:"):
        return label
    command = label.removeprefix("cli:")
    if command == "demo-data":
        return _("the demo data")
    if command == "migrate":
        return _("the installation")
    if command == "import":
        return _("an import on the command line")
    return _("the command line (%(command)s)", command=f"portal {command}")


def _jsonable(value: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if value is None:
        return None
    out: dict[str, Any] = {}
    for key, item in value.items():
        if isinstance(item, dt.date | dt.datetime):
            out[key] = item.isoformat()
        elif isinstance(item, int | float | str | bool) or item is None:
            out[key] = item
        else:
            out[key] = str(item)
    return out


def _entry(
    actor: Actor,
    action: str,
    table: str,
    key: str,
    before: Mapping[str, Any] | None,
    after: Mapping[str, Any] | None,
    outcome: str,
    detail: str,
) -> AuditEntry:
    return AuditEntry(
        at=dt.datetime.now(dt.UTC),
        actor_email=actor.email,
        actor_roles=actor.roles,
        action=action,
        table_name=table,
        record_key=str(key)[:200],
        before=_jsonable(before),
        after=_jsonable(after),
        outcome=outcome,
        ip_address=actor.ip_address,
        path=redact_tokens(actor.path)[:500],
        detail=redact_tokens(detail),
    )


async def record_many(
    actor: Actor, action: str, *, table: str, entries: Sequence[tuple[str, Mapping[str, Any]]]
) -> None:
    """One entry per (key, after) of a set-based write, in one insert."""
    if entries:
        await AuditEntry.insert(
            *[
                _entry(actor, action, table, key, None, after, Outcome.OK, "")
                for key, after in entries
            ]
        )


async def record(
    actor: Actor,
    action: str,
    *,
    table: str = "",
    key: str = "",
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    outcome: str = Outcome.OK,
    detail: str = "",
) -> None:
    """Append one entry; call it inside the write's transaction so both land or neither."""
    await AuditEntry.insert(_entry(actor, action, table, key, before, after, outcome, detail))
