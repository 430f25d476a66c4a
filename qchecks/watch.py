"""Watches on Q-check writes: what an area above qchecks does when Q-checks change, without
qchecks importing it. The threshold watch of certification (`certification.qcheck_watch`:
a notice when an organisation's average falls under the threshold, or near it) is one;
the shell adds it at start-up (`portal.hooks.install`).

A write takes what each watch notes of the organisations it touches before it writes
(`before`) and hands that back after it (`after`), inside its own transaction: the watch
compares and acts on the same data the write sees.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass
from typing import Any

# What one watch noted, by organisation code (what it notes is the watch's own business).
Noted = dict[str, Any]


@dataclass(frozen=True)
class Watch:
    """`note(codes, day)`: the watch's figures of the organisations `codes` (None: every
    one) on `day`, read on the caller's transaction; `compare(before, after, day)`: acts on
    what changed between the figures before and after the write."""

    note: Callable[[Collection[str] | None, dt.date], Awaitable[Noted]]
    compare: Callable[[Noted, Noted, dt.date], Awaitable[object]]


WATCHES: list[Watch] = []


def add_watch(watch: Watch) -> None:
    """Watch every Q-check write from now on (once, however often it is added)."""
    if watch not in WATCHES:
        WATCHES.append(watch)


async def before(codes: Collection[str] | None, day: dt.date) -> list[Noted]:
    """What every watch notes of `codes` before the write, in the order of `WATCHES`."""
    return [await watch.note(codes, day) for watch in WATCHES]


def joined(first: list[Noted], second: list[Noted]) -> list[Noted]:
    """Two notes of `before` taken for different organisations, as one."""
    return [{**a, **b} for a, b in zip(first, second, strict=True)]


async def after(noted: list[Noted], codes: Collection[str] | None, day: dt.date) -> None:
    """After the write: every watch compares what it noted before with `codes` now."""
    for watch, earlier in zip(WATCHES, noted, strict=True):
        await watch.compare(earlier, await watch.note(codes, day), day)
