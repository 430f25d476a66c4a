"""The review's year rules (SPEC 5.3, issue 19 items 1 and 2): no future year; the current
year opens but closes from 1 January Y+1 only; an open review can be discarded (audited),
a closed one cannot; on the command line, on the pages (a refusal answers with the page,
its message beside the form and the year typed kept; "Close" and "Discard" ask "I
understand" first, without JavaScript), and demo-data after a closed review."""

from __future__ import annotations

import datetime as dt
import sqlite3

import pytest

from certification.review.service import (
    close_review,
    decide,
    discard_review,
    open_review,
    review_status,
)
from certification.tables import Review, ReviewEntry
from core.errors import Refused
from core.tables import AuditEntry
from portal.demo import DEMO_QCHECKS, load_demo_data
from qchecks.tables import ClosedYear, QCheck
from tests.certification.test_review import DGRO, YEAR, data
from tests.conftest import csrf_token, login
from tests.helpers import EN, post
from tests.portal.test_cli import run_portal

THIS_YEAR = dt.date.today().year


async def decide_all(year: int) -> None:
    status = await review_status(year)
    assert status is not None
    for row in status["organisations"]:
        if row["flag"]:
            decision = "grant" if row["flag"] == "grant" else "confirm"
            await decide(DGRO, year, row["organisation"], decision, "the test decides")


# --- the service ----------------------------------------------------------------------------


async def test_a_future_year_cannot_be_opened_and_a_year_closes_once_over():
    await data()
    with pytest.raises(Refused, match="The review of 2026 cannot be opened: 2026 has not begun"):
        await open_review(DGRO, 2026, today=dt.date(2025, 12, 2))
    assert await Review.count() == 0
    # The current year may be opened, to prepare it...
    await open_review(DGRO, YEAR, today=dt.date(2025, 12, 2))
    await decide_all(YEAR)
    # ... but not closed before 1 January Y+1.
    for day in (dt.date(2025, 12, 2), dt.date(2025, 12, 31)):
        with pytest.raises(Refused, match="can be closed from 1 Jan 2026, once the year is over"):
            await close_review(DGRO, YEAR, today=day)
    status = await review_status(YEAR)
    assert status is not None and status["state"] == "open"
    assert await ClosedYear.count() == 0
    assert await close_review(DGRO, YEAR, today=dt.date(2026, 1, 1)) == ["BBB"]
    assert (await review_status(YEAR) or {})["state"] == "closed"


async def test_an_open_review_is_discarded_with_its_rows_and_audited():
    await data()
    await open_review(DGRO, YEAR)
    await decide(DGRO, YEAR, "AAA", "withdraw", "no certified staff left")
    assert await discard_review(DGRO, YEAR) == 3
    assert await Review.count() == 0 and await ReviewEntry.count() == 0
    assert await review_status(YEAR) is None
    [entry] = (
        await AuditEntry.select()
        .where(AuditEntry.action == "review_discarded")
        .output(load_json=True)
    )
    assert entry["actor_email"] == DGRO.email
    assert (entry["table_name"], entry["record_key"]) == ("review", str(YEAR))
    assert (entry["before"]["organisations"], entry["before"]["decisions"]) == (3, 1)
    # Discarded, the year can be opened again (frozen anew).
    assert await open_review(DGRO, YEAR) == 3
    with pytest.raises(Refused, match="There is no review of 2024"):
        await discard_review(DGRO, 2024)


async def test_a_closed_review_cannot_be_discarded():
    await data()
    await open_review(DGRO, YEAR)
    await decide_all(YEAR)
    await close_review(DGRO, YEAR)
    before = await review_status(YEAR)
    with pytest.raises(Refused, match="is closed: its decisions apply, it cannot be discarded"):
        await discard_review(DGRO, YEAR)
    assert await review_status(YEAR) == before
    assert await AuditEntry.count().where(AuditEntry.action == "review_discarded") == 0


# --- the command line -----------------------------------------------------------------------


def test_the_year_rules_and_discard_on_the_command_line(tmp_path):
    database = tmp_path / "portal.sqlite"
    assert run_portal("migrate", database=database).returncode == 0
    future = run_portal("review", "open", "--year", str(THIS_YEAR + 1), database=database)
    assert future.returncode != 0
    assert f"{THIS_YEAR + 1} has not begun" in future.stderr and "Traceback" not in future.stderr
    current = run_portal("review", "open", "--year", str(THIS_YEAR), database=database)
    assert current.returncode == 0, current.stderr
    early = run_portal("review", "close", "--year", str(THIS_YEAR), database=database)
    assert early.returncode != 0
    assert f"can be closed from 1 Jan {THIS_YEAR + 1}, once the year is over" in early.stderr
    still = run_portal("review", "status", "--year", str(THIS_YEAR), "--format", "json",
                       database=database)  # fmt: skip
    assert '"state": "open"' in still.stdout
    discarded = run_portal("review", "discard", "--year", str(THIS_YEAR), database=database)
    assert discarded.returncode == 0, discarded.stderr
    assert f"The review of {THIS_YEAR} has been discarded" in discarded.stdout
    assert run_portal("review", "status", "--year", str(THIS_YEAR), database=database).returncode
    again = run_portal("review", "discard", "--year", str(THIS_YEAR), database=database)
    assert again.returncode != 0 and f"There is no review of {THIS_YEAR}" in again.stderr
    # A past year closes; closed, it cannot be discarded.
    assert run_portal("review", "open", "--year", "2025", database=database).returncode == 0
    assert run_portal("review", "close", "--year", "2025", database=database).returncode == 0
    closed = run_portal("review", "discard", "--year", "2025", database=database)
    assert closed.returncode != 0 and "cannot be discarded" in closed.stderr
    connection = sqlite3.connect(database)
    assert connection.execute(
        "SELECT path, record_key FROM portal_audit WHERE action = 'review_discarded'"
    ).fetchall() == [("cli:review", str(THIS_YEAR))]
    assert connection.execute("SELECT year, state FROM review").fetchall() == [(2025, "closed")]


# --- the pages ------------------------------------------------------------------------------


async def test_the_open_form_refuses_a_future_year_beside_the_field(client, users):
    await data()
    await login(client, users["dgro"])
    answer = await post(client, "/reviews", {"year": str(THIS_YEAR + 1)})
    assert answer.status_code == 400
    assert f"{THIS_YEAR + 1} has not begun" in answer.text
    assert 'id="review-year-error"' in answer.text and 'aria-invalid="true"' in answer.text
    assert f'value="{THIS_YEAR + 1}"' in answer.text  # the year typed is kept
    assert "<h1>Yearly reviews</h1>" in answer.text  # the page, not the bare error page
    bad = await post(client, "/reviews", {"year": "twenty"})
    assert bad.status_code == 400 and "Give the year as four digits" in bad.text
    assert 'value="twenty"' in bad.text
    assert await Review.count() == 0


async def test_closing_asks_i_understand_and_waits_for_the_year_end(client, users):
    await data()
    await open_review(DGRO, THIS_YEAR)
    await login(client, users["dgro"])
    page = await client.get(f"/reviews/{THIS_YEAR}", headers=EN)
    assert f"can be closed from 1 Jan {THIS_YEAR + 1}" in page.text
    assert f'action="/reviews/{THIS_YEAR}/close"' not in page.text
    early = await post(client, f"/reviews/{THIS_YEAR}/close", {"final": "yes"})
    assert early.status_code == 400 and 'id="close-error"' in early.text
    assert f"can be closed from 1 Jan {THIS_YEAR + 1}, once the year is over" in early.text
    assert (await review_status(THIS_YEAR) or {})["state"] == "open"

    await open_review(DGRO, YEAR)
    await decide_all(YEAR)
    page = await client.get(f"/reviews/{YEAR}", headers=EN)
    assert 'name="final" value="yes" required' in page.text
    unticked = await post(client, f"/reviews/{YEAR}/close", {})
    assert unticked.status_code == 400
    assert "Tick “I understand that closing is final” to close the review." in unticked.text
    assert (await review_status(YEAR) or {})["state"] == "open"
    closed = await post(client, f"/reviews/{YEAR}/close", {"final": "yes"})
    assert closed.status_code == 303
    assert (await review_status(YEAR) or {})["state"] == "closed"


async def test_a_refused_decision_keeps_what_was_typed(client, users):
    await data()
    await open_review(DGRO, YEAR)
    await login(client, users["dgro"])
    answer = await post(
        client,
        f"/reviews/{YEAR}/decisions/BBB",
        {"decision": "withdraw", "reason": "typed reason kept", "revision": "1"},
    )
    assert answer.status_code == 400
    assert 'id="decision-BBB-error"' in answer.text and "Confirm or withdraw only" in answer.text
    assert "typed reason kept</textarea>" in answer.text


async def test_dgro_discards_an_open_review_from_its_page(client, users):
    await data()
    await open_review(DGRO, YEAR)
    await login(client, users["dgro"])
    unticked = await post(client, f"/reviews/{YEAR}/discard", {})
    assert unticked.status_code == 400 and 'id="discard-error"' in unticked.text
    assert await Review.count() == 1
    frozen = await ReviewEntry.count()
    discarded = await post(client, f"/reviews/{YEAR}/discard", {"discard": "yes"})
    assert discarded.status_code == 303 and discarded.headers["location"] == "/reviews"
    assert await Review.count() == 0 and await ReviewEntry.count() == 0
    [entry] = (
        await AuditEntry.select()
        .where(AuditEntry.action == "review_discarded")
        .output(load_json=True)
    )
    assert entry["actor_email"] == "dgro@demo.portal.be" and entry["record_key"] == str(YEAR)
    listed = await client.get("/reviews", headers=EN)
    assert f"The review of {YEAR} has been discarded ({frozen} organisations)" in listed.text
    assert "No review has been opened yet." in listed.text
    # Closed, it stays: the message at the top of its page.
    await open_review(DGRO, YEAR)
    await decide_all(YEAR)
    await close_review(DGRO, YEAR)
    refused = await post(client, f"/reviews/{YEAR}/discard", {"discard": "yes"})
    assert refused.status_code == 400 and "cannot be discarded" in refused.text
    assert await Review.count() == 1


async def test_only_dgro_discards(client, users):
    await data()
    await open_review(DGRO, YEAR)
    await login(client, users["partner_bosa"])
    token = await csrf_token(client, "/")
    answer = await client.post(
        f"/reviews/{YEAR}/discard", data={"discard": "yes", "_csrf_token": token}
    )
    assert answer.status_code == 403
    assert await Review.count() == 1


# --- demo-data after a closed review (item 1) -----------------------------------------------


async def test_demo_data_runs_again_after_the_current_year_is_closed():
    await load_demo_data()
    await open_review(DGRO, THIS_YEAR)
    await decide_all(THIS_YEAR)
    await close_review(DGRO, THIS_YEAR, today=dt.date(THIS_YEAR + 1, 1, 1))
    stored = await QCheck.select(QCheck.id, QCheck.checked_on, QCheck.revision).order_by(QCheck.id)
    said: list[str] = []
    for _run in range(2):  # idempotent, whatever state the reviews are in
        await load_demo_data(say=said.append)
    kept = [
        ref
        for ref, *_cells, days_ago, _score in DEMO_QCHECKS
        if (dt.date.today() - dt.timedelta(days=days_ago)).year == THIS_YEAR
    ]
    assert (
        said
        == [
            f"{len(kept)} demo Q-check(s) left as they are: the yearly review of {THIS_YEAR} is "
            "closed and its Q-checks cannot change."
        ]
        * 2
    )
    after = await QCheck.select(QCheck.id, QCheck.checked_on, QCheck.revision).order_by(QCheck.id)
    assert [row for row in after if row["checked_on"].year == THIS_YEAR] == [
        row for row in stored if row["checked_on"].year == THIS_YEAR
    ]


def test_demo_data_exits_0_after_a_closed_review(tmp_path):
    """The state of the report: the current year's review closed (before the year rule)."""
    database = tmp_path / "portal.sqlite"
    assert run_portal("demo-data", database=database).returncode == 0
    assert run_portal("review", "open", "--year", str(THIS_YEAR), database=database).returncode == 0
    connection = sqlite3.connect(database)
    with connection:
        connection.execute("UPDATE review SET state = 'closed'")
        connection.execute(
            "INSERT INTO qcheck_closed_year (year, closed_at, closed_by) VALUES (?, ?, 'test')",
            (THIS_YEAR, dt.datetime.now(dt.UTC).isoformat()),
        )
    for _run in range(2):
        again = run_portal("demo-data", database=database)
        assert again.returncode == 0, again.stderr
        assert "Traceback" not in again.stderr
        assert f"the yearly review of {THIS_YEAR} is closed" in again.stdout
        assert "dgro@demo.portal.be" in again.stdout
