"""The e-mail outbox: a message is written with the change that causes it (same
transaction: both land or neither), and `deliver_due` sends what is due.

Delivery: a worker claims a batch (`pending` -> `sending`, its name and the time; on
PostgreSQL `SKIP LOCKED`, so two workers never claim the same message), sends each, and
marks it `sent`; a failed send goes back to `pending` with a later attempt (1, 5, 30
minutes, then every 2 hours). A claim older than CLAIM_TIMEOUT (a worker that died) is
taken over. A message is sent once per claim; only a worker that dies between the SMTP
server's acceptance and the `sent` mark can cause a second copy.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from core.database import is_sqlite, write_transaction
from core.tables import OutboxMessage

BACKOFF = (dt.timedelta(minutes=1), dt.timedelta(minutes=5), dt.timedelta(minutes=30))
LAST_BACKOFF = dt.timedelta(hours=2)
CLAIM_TIMEOUT = dt.timedelta(minutes=10)
BATCH = 50

Send = Callable[[str, str, str], Awaitable[None]]


def backoff(attempts: int) -> dt.timedelta:
    """The wait before attempt `attempts + 1`."""
    return BACKOFF[attempts - 1] if 0 < attempts <= len(BACKOFF) else LAST_BACKOFF


async def enqueue(kind: str, recipient: str, language: str, subject: str, body: str) -> int:
    """Write one message; call it inside the write's transaction. The message's id."""
    now = dt.datetime.now(dt.UTC)
    [row] = await OutboxMessage.insert(
        OutboxMessage(
            created_at=now,
            kind=kind,
            recipient=recipient,
            language=language,
            subject=subject[:300],
            body=body,
            state="pending",
            attempts=0,
            next_attempt_at=now,
        )
    ).returning(OutboxMessage.id)
    return int(row["id"])


# The claim; `limit` and `lock` are the code's, the values are parameters ({{}}).
_CLAIM = (
    "UPDATE portal_outbox SET state = 'sending', claimed_by = {{}}, claimed_at = {{}} "
    "WHERE id IN (SELECT id FROM portal_outbox WHERE (state = 'pending' AND "
    "next_attempt_at <= {{}}) OR (state = 'sending' AND claimed_at < {{}}) "
    "ORDER BY id LIMIT {limit}{lock}) "
    "RETURNING id, recipient, subject, body, attempts"
)


async def _claim(worker: str, now: dt.datetime) -> list[dict[str, Any]]:
    stale = now - CLAIM_TIMEOUT
    lock = "" if is_sqlite() else " FOR UPDATE SKIP LOCKED"
    async with write_transaction():
        return await OutboxMessage.raw(
            _CLAIM.format(limit=BATCH, lock=lock),
            worker,
            now,
            now,
            stale,
        )


async def deliver_due(send: Send, worker: str, now: dt.datetime | None = None) -> tuple[int, int]:
    """Send every message due now; (sent, failed). Run it again and again (cron, `--loop`)."""
    sent = failed = 0
    while True:
        moment = now or dt.datetime.now(dt.UTC)
        batch = await _claim(worker, moment)
        if not batch:
            return sent, failed
        for message in batch:
            try:
                await send(message["recipient"], message["subject"], message["body"])
            except Exception as error:  # the server is down, refuses, times out: try later
                attempts = int(message["attempts"]) + 1
                await OutboxMessage.update(
                    {
                        OutboxMessage.state: "pending",
                        OutboxMessage.attempts: attempts,
                        OutboxMessage.next_attempt_at: moment + backoff(attempts),
                        OutboxMessage.last_error: f"{type(error).__name__}: {error}"[:500],
                        OutboxMessage.claimed_by: None,
                    }
                ).where((OutboxMessage.id == message["id"]) & (OutboxMessage.claimed_by == worker))
                failed += 1
            else:
                await OutboxMessage.update(
                    {
                        OutboxMessage.state: "sent",
                        OutboxMessage.sent_at: dt.datetime.now(dt.UTC),
                        OutboxMessage.attempts: int(message["attempts"]) + 1,
                    }
                ).where(OutboxMessage.id == message["id"])
                sent += 1


async def still_pending(message_ids: list[int]) -> dict[int, str]:
    """The messages among `message_ids` not sent yet, with their last error."""
    if not message_ids:
        return {}
    rows = await OutboxMessage.select(OutboxMessage.id, OutboxMessage.last_error).where(
        OutboxMessage.id.is_in(message_ids) & (OutboxMessage.state != "sent")
    )
    return {row["id"]: row["last_error"] for row in rows}


@dataclass(frozen=True)
class Mail:
    """A mail of the outbox as the development mail viewer shows it."""

    id: int
    created_at: dt.datetime
    recipient: str
    subject: str
    state: str
    body: str


def _mail_columns() -> tuple:
    return (
        OutboxMessage.id,
        OutboxMessage.created_at,
        OutboxMessage.recipient,
        OutboxMessage.subject,
        OutboxMessage.state,
        OutboxMessage.body,
    )


async def newest_mails(limit: int) -> list[Mail]:
    """The newest mails of the outbox first, at most `limit`."""
    rows = (
        await OutboxMessage.select(*_mail_columns())
        .order_by(OutboxMessage.id, ascending=False)
        .limit(limit)
    )
    return [Mail(**row) for row in rows]


async def mail(mail_id: int) -> Mail | None:
    row = await OutboxMessage.select(*_mail_columns()).where(OutboxMessage.id == mail_id).first()
    return Mail(**row) if row else None
