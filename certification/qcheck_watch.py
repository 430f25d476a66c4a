"""The Q-check threshold watch: when a Q-check write brings a client-certified
organisation's window average under the threshold of the policy in force, or within
`qchecks.rules.NEAR_MARGIN` points above it, its PRO Partner and DG R&O get a notice.

The Q-check service (and the Q-check import) run it as a `qchecks.watch.Watch`, which the
shell adds at start-up (`portal.hooks`): they take the zones before the write and again
after it (`zones`), then `raise_notices`: a notice only when an organisation's zone got
worse, so repeated writes in the same zone do not repeat it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

from certification.eligibility import OrganisationEligibility, eligibility_for_all
from certification.levels import level_histories
from certification.recipients import mail_recipients
from certification.rules import Level, client_granted_on
from core import notices
from organisations.tables import Organisation
from qchecks.rules import Zone, average_zone, format_average, format_hundredths

Zones = dict[str, tuple[Zone, float | None, float]]

NOTICE_BELOW = "qcheck_average_below"
NOTICE_NEAR = "qcheck_average_near"


def zone_of(result: OrganisationEligibility) -> tuple[Zone, float | None, float] | None:
    """The zone of a client-certified organisation's average (None for the others)."""
    if result.granted is not Level.CLIENT:
        return None
    condition = result.eligibility.condition("qcheck_average")
    average = condition.actual if isinstance(condition.actual, int | float) else None
    threshold = float(condition.required)
    return average_zone(condition.met, average, threshold), average, threshold


# Up to this many client-certified organisations are computed one by one; more, all at once.
ONE_BY_ONE = 20


async def zones(codes: Collection[str] | None, day: dt.date) -> Zones:
    """The zones of the client-certified organisations among `codes` (None: all) on `day`,
    read on the caller's transaction (so after a write, the write is seen). Only those
    organisations are computed: most imports touch none of them."""
    query = Organisation.select(Organisation.id, Organisation.code)
    if codes is not None:
        query = query.where(Organisation.code.is_in(list(codes) or [""]))
    histories = await level_histories()
    clients = [
        row["code"] for row in await query if client_granted_on(histories.get(row["id"], []), day)
    ]
    if len(clients) > ONE_BY_ONE:
        results = await eligibility_for_all(day)
    else:
        results = [r for code in clients for r in await eligibility_for_all(day, code)]
    found: Zones = {}
    for result in results:
        zone = zone_of(result)
        if zone is not None:
            found[result.eligibility.organisation] = zone
    return found


async def raise_notices(before: Zones, after: Zones, day: dt.date) -> list[str]:
    """A notice to DG R&O and the PRO Partner for each organisation whose zone got worse;
    the codes noticed."""
    noticed = []
    for code, (zone, average, threshold) in sorted(after.items()):
        previous = before.get(code, (Zone.OK, None, threshold))[0]
        if zone is Zone.OK or zone.rank <= previous.rank:
            continue
        audiences = (notices.DGRO, notices.PRO_PARTNER)
        await notices.notify(
            NOTICE_BELOW if zone is Zone.BELOW else NOTICE_NEAR,
            audiences,
            code,
            {
                "average": format_average(average),
                "threshold": format_hundredths(round(threshold * 100)),
                "as_of": day.isoformat(),
            },
            mail_to=await mail_recipients(audiences, code),
        )
        noticed.append(code)
    return noticed
