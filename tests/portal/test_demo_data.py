"""The demo data shows every journey (issue 19): Q-checks scored on the checklist with
comments, a session to ask places in, an application waiting for DG R&O, the past year's
review open; run twice, it makes each only once."""

from __future__ import annotations

import datetime as dt

from certification.tables import Application, Review, TrackSession
from portal.demo import DEMO_QCHECK_COMMENT, DEMO_QCHECKS, load_demo_data
from qchecks.tables import QCheck, QCheckCriterion


async def test_the_demo_data_starts_every_journey_once():
    await load_demo_data()
    scores = {
        row["reference"]: row["score_hundredths"]
        for row in await QCheck.select(
            QCheck.selection_file.reference.as_alias("reference"), QCheck.score_hundredths
        )
    }
    criteria_before = await QCheckCriterion.count()
    await load_demo_data()

    # Every demo Q-check is scored on the six criteria, and keeps its imported score.
    assert criteria_before == await QCheckCriterion.count() == 6 * len(DEMO_QCHECKS)
    assert scores == {reference: round(score * 100) for reference, *_r, score in DEMO_QCHECKS}
    commented = await QCheckCriterion.count().where(QCheckCriterion.comment != "")
    assert commented == 2 * len(DEMO_QCHECKS)
    assert await QCheck.count().where(QCheck.comment == DEMO_QCHECK_COMMENT) == len(DEMO_QCHECKS)
    spread = await QCheckCriterion.select(QCheckCriterion.score_hundredths).where(
        QCheckCriterion.qcheck == (await QCheck.select(QCheck.id).first())["id"]
    )
    assert len({row["score_hundredths"] for row in spread}) > 1  # not one score six times

    assert await TrackSession.count() == 1
    [application] = await Application.select(
        Application.state, Application.organisation.code.as_alias("code")
    )
    assert application == {"state": "submitted", "code": "OSTBEL"}
    [review] = await Review.select(Review.year, Review.state)
    assert review == {"year": dt.date.today().year - 1, "state": "open"}
