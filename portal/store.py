"""A Litestar `Store` kept in the portal's database, so every worker process shares it."""

from __future__ import annotations

import time
from datetime import timedelta

from litestar.stores.base import NamespacedStore

from core.tables import StoreEntry


def _seconds(value: int | timedelta | None) -> int | None:
    if value is None:
        return None
    return int(value.total_seconds()) if isinstance(value, timedelta) else int(value)


# An idle timeout is renewed when at least this many seconds of it have passed, or a
# quarter of it when that is shorter (a one-minute timeout renews every 15 s of activity).
RENEW_EVERY = 60


class DatabaseStore(NamespacedStore):
    """Key-value entries in the `portal_store` table, namespaced by a key prefix."""

    def __init__(self, namespace: str) -> None:
        self.namespace = namespace

    def with_namespace(self, namespace: str) -> DatabaseStore:
        return DatabaseStore(f"{self.namespace}:{namespace}")

    def _key(self, key: str) -> str:
        return f"{self.namespace}:{key}"

    async def set(
        self, key: str, value: str | bytes, expires_in: int | timedelta | None = None
    ) -> None:
        data = value.encode() if isinstance(value, str) else value
        seconds = _seconds(expires_in)
        expires_at = int(time.time()) + seconds if seconds is not None else None
        await StoreEntry.insert(
            StoreEntry(key=self._key(key), value=data, expires_at=expires_at)
        ).on_conflict(
            target=StoreEntry.key,
            action="DO UPDATE",
            values=[StoreEntry.value, StoreEntry.expires_at],
        )

    async def get(self, key: str, renew_for: int | timedelta | None = None) -> bytes | None:
        # Read on every request: one hand-written statement, not the query builder.
        rows = await StoreEntry.raw(
            "SELECT value, expires_at FROM portal_store WHERE key = {}", self._key(key)
        )
        if not rows:
            return None
        row = rows[0]
        now = int(time.time())
        if row["expires_at"] is not None and row["expires_at"] <= now:
            await self.delete(key)
            return None
        seconds = _seconds(renew_for)
        # Renewed at most once per RENEW_EVERY seconds (or a quarter of a shorter timeout, so
        # activity always renews it, issue 18): a write per request would serialise every
        # reader behind the database's write lock for a precision nobody needs.
        if (
            seconds is not None
            and row["expires_at"] is not None
            and row["expires_at"] < now + seconds - min(RENEW_EVERY, seconds // 4)
        ):
            await StoreEntry.update({StoreEntry.expires_at: now + seconds}).where(
                StoreEntry.key == self._key(key)
            )
        value = row["value"]
        return bytes(value) if value is not None else None

    async def delete(self, key: str) -> None:
        await StoreEntry.delete().where(StoreEntry.key == self._key(key))

    async def delete_all(self) -> None:
        await StoreEntry.delete().where(StoreEntry.key.like(f"{self.namespace}:%"))

    async def exists(self, key: str) -> bool:
        return await self.get(key) is not None

    async def expires_in(self, key: str) -> int | None:
        row = (
            await StoreEntry.select(StoreEntry.expires_at)
            .where(StoreEntry.key == self._key(key))
            .first()
        )
        if row is None or row["expires_at"] is None:
            return None
        return max(row["expires_at"] - int(time.time()), 0)

    async def delete_expired(self) -> int:
        """Remove every expired entry of this namespace; returns how many went."""
        expired = StoreEntry.key.like(f"{self.namespace}:%") & (
            StoreEntry.expires_at <= int(time.time())
        )
        count = await StoreEntry.count().where(expired)
        await StoreEntry.delete().where(expired)
        return count
