"""Where a competency counts outside its model, told by the areas above competencies
without competencies importing them: the shell fills these at start-up
(`portal.hooks.install`).

- `NAMED_BY`: the foreign keys of other areas' tables that name a competency (an evaluation
  objective, a track), each with its words. They cascade, so a model reload that would
  drop a competency one of them names is refused (`competencies.loader`).
- `ANSWERS.tracks_developing`: the training tracks that develop each competency (the model
  page shows them).
- `ANSWERS.covered`: the competencies an organisation's valid certificates cover on a day
  (the function profiles' page lists the required ones that none covers).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from piccolo.columns import ForeignKey

    from competencies.queries import CompetencyName


@dataclass(frozen=True)
class NamedBy:
    """`column()`: a foreign key to `competency` (resolved at the check, so the tables load
    only when a model is written); `what`: its rows in words, e.g. "track(s)"."""

    what: str
    column: Callable[[], ForeignKey]


NAMED_BY: list[NamedBy] = []


def add_named_by(named_by: NamedBy) -> None:
    """Count `named_by`'s rows as uses of a competency from now on (once)."""
    if all(known.what != named_by.what for known in NAMED_BY):
        NAMED_BY.append(named_by)


async def _not_installed(*_args: object) -> Any:
    raise RuntimeError("competencies.uses: the shell fills it at start-up (portal.hooks.install)")


@dataclass
class Answers:
    # track code -> the competencies it develops
    tracks_developing: Callable[[], Awaitable[dict[str, list[CompetencyName]]]] = _not_installed
    # (organisation id, day) -> the ids of the competencies its valid certificates cover
    covered: Callable[[int, dt.date], Awaitable[set[int]]] = _not_installed


ANSWERS = Answers()
