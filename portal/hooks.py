"""The hooks by which an area hears from an area above it, filled by the shell at start-up:
`install()` runs in `create_app`, in the `portal` command and in the test session. An area
never imports one above it (the layers contract of pyproject.toml); where its work needs one
above, it offers a hook and the shell, which stands over every area, fills it:

- the Q-check threshold watch (`certification.qcheck_watch`) watches every Q-check write
  (`qchecks.watch`), inside the write's transaction;
- the evaluation objectives (cycles) and the tracks (certification) that name a competency
  count as its uses when a model reload would drop it; the tracks that develop each
  competency and the competencies an organisation's certificates cover are certification's
  answers for the competency pages (`competencies.uses`).

Each hook imports its area when it is called, as the commands do: `portal --help`, and a
command that writes no Q-check and no model, loads neither pandas nor the tables.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from typing import TYPE_CHECKING

from competencies.uses import ANSWERS, NamedBy, add_named_by
from qchecks.watch import Noted, Watch, add_watch

if TYPE_CHECKING:
    from piccolo.columns import ForeignKey

    from competencies.queries import CompetencyName


async def _threshold_zones(codes: Collection[str] | None, day: dt.date) -> Noted:
    from certification.qcheck_watch import zones

    return await zones(codes, day)


async def _threshold_notices(before: Noted, after: Noted, day: dt.date) -> list[str]:
    from certification.qcheck_watch import raise_notices

    return await raise_notices(before, after, day)


THRESHOLD_WATCH = Watch(note=_threshold_zones, compare=_threshold_notices)


def _objectives() -> ForeignKey:
    from cycles.tables import CycleObjective

    return CycleObjective.competency


def _tracks() -> ForeignKey:
    from certification.tables import TrackCompetency

    return TrackCompetency.competency


async def _tracks_developing() -> dict[str, list[CompetencyName]]:
    from certification.catalogue import track_competencies

    return await track_competencies()


async def _covered(organisation_id: int, day: dt.date) -> set[int]:
    from certification.coverage import covered_competencies

    return await covered_competencies(organisation_id, day)


def install() -> None:
    """Fill every hook (again is harmless: each is added once)."""
    add_watch(THRESHOLD_WATCH)
    add_named_by(NamedBy("evaluation objective(s)", _objectives))
    add_named_by(NamedBy("track(s)", _tracks))
    ANSWERS.tracks_developing = _tracks_developing
    ANSWERS.covered = _covered
