"""Data versions: what a cache of computed results is keyed on, so it is never stale.

Every service write that can change eligibility calls `bump` in its own transaction;
readers read the version *before* the data, so a result cached under a version was
computed from data at least that new.
"""

from __future__ import annotations

import uuid
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from typing import Any, TypeVar

from core.tables import DataVersion

ELIGIBILITY = "eligibility"
T = TypeVar("T")


async def bump(name: str = ELIGIBILITY) -> None:
    """Replace the version's token (call it inside the write's transaction)."""
    await DataVersion.raw(
        "INSERT INTO data_version (name, token) VALUES ({}, {}) "
        "ON CONFLICT (name) DO UPDATE SET token = excluded.token",
        name,
        uuid.uuid4().hex,
    )


async def version(name: str = ELIGIBILITY) -> str | None:
    """The current token, or None when nothing was ever written through a service."""
    # Read on every cached page: one hand-written statement, not the query builder.
    rows = await DataVersion.raw("SELECT token FROM data_version WHERE name = {}", name)
    return str(rows[0]["token"]) if rows else None


class VersionedCache:
    """Results computed from the data, kept per key and data version, a few at a time.

    `get(key, compute)` reads the version first, then returns the result kept for
    (version, key) or computes and keeps it: a result is never older than the version it
    is kept under. Without a version (nothing written through a service yet) nothing is
    kept. Per process; every worker keeps its own.
    """

    def __init__(self, size: int, name: str = ELIGIBILITY) -> None:
        self.size = size
        self.name = name
        self._kept: OrderedDict[tuple[str, Hashable], Any] = OrderedDict()

    async def get(self, key: Hashable, compute: Callable[[], Awaitable[T]]) -> T:
        token = await version(self.name)
        if token is None:
            return await compute()
        kept_key = (token, key)
        if kept_key in self._kept:
            self._kept.move_to_end(kept_key)
            return self._kept[kept_key]  # type: ignore[no-any-return]
        result = await compute()
        self._kept[kept_key] = result
        while len(self._kept) > self.size:
            self._kept.popitem(last=False)
        return result

    def clear(self) -> None:
        self._kept.clear()
