"""The evaluation cycle's period (SPEC 3, 5.4), pure.

A cycle starts when a function starts (the staff member's start date, or a change of
function). That first cycle ends on 31 December of the same year when it starts from
1 January to 30 June, else on 31 December of the next year; later cycles run 1 January
to 31 December. A change of function on F ends the running cycle on F minus one day;
the staff member's end date ends the running cycle that day and no cycle follows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

ONE_DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class Cycle:
    start: dt.date
    end: dt.date
    function: str


def first_cycle_end(start: dt.date) -> dt.date:
    """31 December of the start's year when it starts by 30 June, else of the next year."""
    return dt.date(start.year if start.month <= 6 else start.year + 1, 12, 31)


def cycles_of(
    start_date: dt.date,
    end_date: dt.date | None,
    functions: Sequence[tuple[dt.date, str]],
    through: dt.date,
) -> list[Cycle]:
    """Every cycle that starts on or before `through`. `functions` are the (started on,
    title) of the staff member's functions; one starting on the start date names the
    first; later ones are changes of function (any before the start date or after the
    end date is ignored here: the import refuses them)."""
    titles = {day: title for day, title in functions}
    changes = sorted(
        day for day in titles if start_date < day and (end_date is None or day <= end_date)
    )
    segment_starts = [start_date, *changes]
    cycles: list[Cycle] = []
    for index, segment_start in enumerate(segment_starts):
        if segment_start > through:
            break
        segment_end = (
            segment_starts[index + 1] - ONE_DAY if index + 1 < len(segment_starts) else end_date
        )
        title = titles.get(segment_start, "")
        cycle_start = segment_start
        cycle_end = first_cycle_end(segment_start)
        while cycle_start <= through and (segment_end is None or cycle_start <= segment_end):
            end = cycle_end if segment_end is None else min(cycle_end, segment_end)
            cycles.append(Cycle(cycle_start, end, title))
            cycle_start = cycle_end + ONE_DAY
            cycle_end = dt.date(cycle_start.year, 12, 31)
    return cycles
