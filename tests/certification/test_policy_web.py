"""DG R&O's policy page (SPEC 2.3): versions, what-if simulation, adoption, deletion."""

import datetime as dt
import re

from certification.eligibility import eligibility_for_all
from certification.tables import CertificationPolicy
from core.i18n import format_day, set_language
from core.tables import AuditEntry
from tests.conftest import login
from tests.helpers import EN, load, post

HTMX = {**EN, "HX-Request": "true"}
TODAY = dt.date.today()
CHECKED = (TODAY - dt.timedelta(days=30)).isoformat()
SEEDED = dt.date(2000, 1, 1)
CLOSED = (TODAY - dt.timedelta(days=40)).isoformat()

ORGANISATIONS = """code,name_nl,name_fr,language_roles,pro_partner_email
BOSA,FOD BOSA,SPF BOSA,NL|FR,partner@bosa.demo.portal.be
FIN,FOD Financiën,SPF Finances,NL|FR,partner@fin.demo.portal.be
"""
STAFF = (
    "organisation_code,email,first_name,last_name,language_role,start_date,end_date\n"
    + "".join(
        f"{org},{name}@{org.lower()}.be,{name.title()},{org},{role},2020-01-01,\n"
        for org in ("BOSA", "FIN")
        for name, role in (("an", "NL"), ("bo", "FR"), ("cy", "NL"), ("di", "FR"))
    )
)
CERTIFICATES = "email,track,obtained_on,status,valid_until\n" + "".join(
    f"{name}@{org}.be,{track},2020-06-01,valid,\n"
    for org in ("bosa", "fin")
    for name, tracks in (
        ("an", "AZ SELTEST"),
        ("bo", "AZ SELTEST"),
        ("cy", "ASSESS"),
        ("di", "ASSESS"),
    )
    for track in tracks.split()
)
# BOSA averages 81.00 (client), FIN 79.50 (individual: below 80.00).
QCHECKS = (
    "selection_reference,organisation_code,consultant_email,language_role,closed_on,checked_on,score\n"
    f"B-1,BOSA,an@bosa.be,NL,{CLOSED},{CHECKED},80\n"
    f"B-2,BOSA,bo@bosa.be,FR,{CLOSED},{CHECKED},82\n"
    f"F-1,FIN,an@fin.be,NL,{CLOSED},{CHECKED},79\n"
    f"F-2,FIN,bo@fin.be,FR,{CLOSED},{CHECKED},80\n"
)


async def two_organisations() -> None:
    for kind, text in (
        ("organisations", ORGANISATIONS),
        ("staff", STAFF),
        ("certificates", CERTIFICATES),
        ("qchecks", QCHECKS),
    ):
        await load(kind, text)


def draft(**changes: str) -> dict[str, str]:
    values = {
        "min_certified_staff": "4",
        "min_az_per_language": "1",
        "min_seltest_per_language": "1",
        "min_az_for_individual": "1",
        "min_qcheck_average": "80.00",
        "effective_from": TODAY.isoformat(),
        "note": "",
    }
    return {**values, **changes}


def english_day(day: dt.date) -> str:
    """A date as an English page writes it ("5 Mar 2027")."""
    set_language("en")
    return format_day(day)


def text_of(html: str, element_id: str) -> str:
    match = re.search(rf'id="{element_id}"[^>]*>(.*?)</(tr|section|table)>', html, re.S)
    assert match, element_id
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", match.group(1))).strip()


def changed_codes(html: str) -> list[str]:
    return re.findall(r'<tr id="change-([A-Z]+)">', html)


async def level_on(code: str, day: dt.date) -> str:
    [result] = await eligibility_for_all(day, code)
    return str(result.eligibility.eligible_level)


async def insert_version(effective_from: dt.date, hundredths: int = 8000, **values) -> None:
    await CertificationPolicy.insert(
        CertificationPolicy(
            effective_from=effective_from,
            min_qcheck_average_hundredths=hundredths,
            adopted_by="earlier@dgro.be",
            adopted_at=dt.datetime.now(dt.UTC),
            **values,
        )
    )


async def stored_versions() -> list[dict]:
    """The versions beyond the one `portal migrate` seeds (SPEC's defaults from 2000-01-01)."""
    return await (
        CertificationPolicy.select()
        .where(CertificationPolicy.effective_from != SEEDED)
        .order_by(CertificationPolicy.effective_from)
    )


async def policy_audit() -> list[dict]:
    return await (
        AuditEntry.select()
        .where(AuditEntry.action.is_in(["policy_adopted", "policy_deleted"]))
        .order_by(AuditEntry.id)
        .output(load_json=True)
    )


# --- the page ----------------------------------------------------------------------------------


async def test_dgro_sees_the_policy_in_force_every_version_and_a_prefilled_draft(client, users):
    await insert_version(TODAY - dt.timedelta(days=400), 7500, note="first")
    await insert_version(TODAY - dt.timedelta(days=10), 8025, min_certified_staff=5, note="now")
    future = TODAY + dt.timedelta(days=30)
    await insert_version(future, 9000, note="later")
    await login(client, users["dgro"])
    page = await client.get("/policy", headers=EN)
    assert page.status_code == 200
    html = page.text
    assert "Policy in force today" in html
    assert "Minimum certified staff (any track) for client certification</dt>\n  <dd>5</dd>" in html
    assert "80.25 %" in html
    assert "not yet in force" in text_of(html, f"version-{future.isoformat()}")
    assert "90.00 %" in text_of(html, f"version-{future.isoformat()}")
    assert "in force" in text_of(html, f"version-{(TODAY - dt.timedelta(days=10)).isoformat()}")
    assert "superseded" in text_of(html, f"version-{(TODAY - dt.timedelta(days=400)).isoformat()}")
    assert "earlier@dgro.be" in html
    # The draft starts from the thresholds in force.
    assert re.search(r'name="min_certified_staff" type="number" value="5"', html)
    assert re.search(r'name="min_qcheck_average" type="number" value="80.25"', html)
    for label in (
        "Minimum certified staff",
        "Minimum AZ-certified per language role",
        "Minimum SELTEST-certified per language role",
        "Minimum AZ-certified for individual certification",
        "Minimum Q-check average (%)",
        "Effective from",
        "Note",
    ):
        assert label in html
    # Only a future version can be deleted.
    assert html.count('/delete"') == 1


async def test_after_migrate_the_seeded_default_version_is_in_force(client, users):
    await login(client, users["dgro"])
    html = (await client.get("/policy", headers=EN)).text
    assert "In force since 1 Jan 2000." in html
    assert "80.00 %" in text_of(html, "version-2000-01-01")
    assert "in force" in text_of(html, "version-2000-01-01")
    assert "/delete" not in html


async def test_a_pro_partner_may_not_see_or_change_the_policy(client, users):
    await login(client, users["partner_bosa"])
    assert (await client.get("/policy", headers=EN)).status_code == 403
    token = client.cookies["csrftoken"]
    future = (TODAY + dt.timedelta(days=5)).isoformat()
    await insert_version(TODAY + dt.timedelta(days=5))
    for path, data in (
        ("/policy/simulate", draft()),
        ("/policy", draft(effective_from=future)),
        (f"/policy/{future}/delete", {}),
    ):
        response = await client.post(path, data={**data, "_csrf_token": token}, headers=EN)
        assert response.status_code == 403, path
    assert len(await stored_versions()) == 1
    assert await policy_audit() == []


async def test_a_post_without_the_csrf_token_is_refused(client, users):
    await login(client, users["dgro"])
    response = await client.post("/policy", data=draft(), headers=EN)
    assert response.status_code == 403
    assert await stored_versions() == []


# --- the simulation ---------------------------------------------------------------------------


async def test_the_simulation_lists_exactly_the_organisations_that_change_level(client, users):
    await two_organisations()
    await login(client, users["dgro"])

    stricter = await post(client, "/policy/simulate", draft(min_qcheck_average="81.50"))
    assert stricter.status_code == 200
    html = stricter.text
    assert changed_codes(html) == ["BOSA"]
    row = text_of(html, "change-BOSA")
    assert "client certification individual certification (drops)" in row
    assert "Q-check average of the last twelve months (%)" in row
    assert "qcheck_average" not in row  # words, not the code
    assert "actual 81.00; required 80.00 → 81.50" in row
    # Counts per level: BOSA client→individual; MOBILIT and OSTBEL have nobody certified.
    assert text_of(html, "count-client") == "client certification 1 0"
    assert text_of(html, "count-individual") == "individual certification 1 2"
    assert text_of(html, "count-none") == "no certification 2 2"

    looser = await post(client, "/policy/simulate", draft(min_qcheck_average="79"))
    assert changed_codes(looser.text) == ["FIN"]
    row = text_of(looser.text, "change-FIN")
    assert "individual certification client certification (rises)" in row
    assert "actual 79.50; required 80.00 → 79.00" in row

    same = await post(client, "/policy/simulate", draft())
    assert changed_codes(same.text) == []
    assert "No organisation would change level." in same.text

    # A simulation writes nothing.
    assert await stored_versions() == []
    assert await policy_audit() == []


async def test_the_simulation_compares_with_the_policy_in_force_on_the_draft_date(client, users):
    await two_organisations()
    later = TODAY + dt.timedelta(days=20)
    await insert_version(later, 8200)  # from `later` on, BOSA (81.00) is only individual
    await login(client, users["dgro"])
    response = await post(
        client,
        "/policy/simulate",
        draft(min_qcheck_average="80", effective_from=later.isoformat()),
    )
    assert f"Simulation on {english_day(later)}" in response.text
    assert changed_codes(response.text) == ["BOSA"]
    assert "actual 81.00; required 82.00 → 80.00" in text_of(response.text, "change-BOSA")
    # A draft dated in the past is simulated from today.
    past = await post(
        client,
        "/policy/simulate",
        draft(effective_from=(TODAY - dt.timedelta(days=100)).isoformat()),
    )
    assert f"Simulation on {english_day(TODAY)}" in past.text


async def test_the_simulation_runs_on_the_day_chosen(client, users):
    await two_organisations()
    later = TODAY + dt.timedelta(days=20)
    await insert_version(later, 8200)
    await login(client, users["dgro"])
    # D chosen on the day of the version of `later` (82.00), whatever the draft's date.
    response = await post(
        client, "/policy/simulate", draft(min_qcheck_average="81", simulate_on=later.isoformat())
    )
    assert f"Simulation on {english_day(later)}" in response.text
    assert changed_codes(response.text) == ["BOSA"]
    assert "actual 81.00; required 82.00 → 81.00" in text_of(response.text, "change-BOSA")
    assert "(rises)" in text_of(response.text, "change-BOSA")
    assert re.search(rf'name="simulate_on" [^>]*value="{later.isoformat()}"', response.text)
    # A past D: within the Q-check window BOSA drops; before the Q-checks nobody changes.
    recent = (TODAY - dt.timedelta(days=20)).isoformat()
    response = await post(
        client, "/policy/simulate", draft(min_qcheck_average="81.50", simulate_on=recent)
    )
    assert f"Simulation on {english_day(dt.date.fromisoformat(recent))}" in response.text
    assert changed_codes(response.text) == ["BOSA"]
    before_checks = (TODAY - dt.timedelta(days=35)).isoformat()
    response = await post(
        client, "/policy/simulate", draft(min_qcheck_average="81.50", simulate_on=before_checks)
    )
    assert changed_codes(response.text) == []
    assert text_of(response.text, "count-client") == "client certification 0 0"
    # A bad day is explained next to its field; nothing is simulated.
    bad = await post(client, "/policy/simulate", draft(simulate_on="31/12/2026"))
    assert bad.status_code == 400
    assert re.search(
        r'id="draft-simulate_on"[^>]*aria-describedby="draft-simulate_on-help '
        r'draft-simulate_on-error"\s*aria-invalid="true"',
        bad.text,
    )
    assert "Give the date as YYYY-MM-DD" in bad.text
    assert 'value="31/12/2026"' in bad.text
    assert "Simulation on" not in bad.text


async def test_htmx_gets_the_results_block_and_a_plain_post_the_whole_page(client, users):
    await two_organisations()
    await login(client, users["dgro"])
    fragment = await post(
        client, "/policy/simulate", draft(min_qcheck_average="81.5"), headers=HTMX
    )
    assert fragment.status_code == 200
    assert fragment.text.lstrip().startswith('<div id="simulation"')
    assert "<html" not in fragment.text and "Draft a new version" not in fragment.text
    assert changed_codes(fragment.text) == ["BOSA"]
    assert "HX-Request" in fragment.headers["vary"].split(",")

    page = await post(client, "/policy/simulate", draft(min_qcheck_average="81.5"))
    assert "<html" in page.text and "Draft a new version" in page.text
    assert changed_codes(page.text) == ["BOSA"]
    # The user's draft is kept in the re-rendered form.
    assert 'name="min_qcheck_average" type="number" value="81.5"' in page.text
    # The form works without JavaScript (formaction) and with htmx (hx-post + hx-target).
    assert 'formaction="/policy/simulate"' in page.text
    assert (
        'data-hx-post="/policy/simulate"' in page.text
        and 'data-hx-target="#simulation"' in page.text
    )


async def test_bad_draft_values_are_explained_next_to_each_field(client, users):
    await login(client, users["dgro"])
    response = await post(
        client,
        "/policy/simulate",
        draft(
            min_certified_staff="-1",
            min_az_per_language="1.5",
            min_seltest_per_language="two",
            min_qcheck_average="100.01",
            effective_from="2027-02-30",
        ),
    )
    assert response.status_code == 400
    html = response.text
    assert "Enter zero or more, not a negative number." in html
    assert html.count('class="error">Enter a whole number, such as 4 (no decimals).</small>') == 2
    assert "A Q-check average cannot be above 100 %." in html
    assert "Give the date as YYYY-MM-DD" in html
    for name in (
        "min_certified_staff",
        "min_az_per_language",
        "min_seltest_per_language",
        "min_qcheck_average",
        "effective_from",
    ):
        assert re.search(
            rf'id="draft-{name}"[^>]*aria-describedby="draft-{name}-help draft-{name}-error"\s*aria-invalid="true"',
            html,
        ), name
    assert 'value="two"' in html  # the input is kept

    decimals = await post(client, "/policy/simulate", draft(min_qcheck_average="80.125"))
    assert decimals.status_code == 400
    assert "Use at most two decimals" in decimals.text

    # htmx: the errors show inside the simulation the button updates, each naming and
    # linking its field; nothing is re-targeted elsewhere.
    fragment = await post(
        client,
        "/policy/simulate",
        draft(min_qcheck_average="80.125", simulate_on="31/12/2026"),
        headers=HTMX,
    )
    assert fragment.status_code == 400
    assert fragment.text.lstrip().startswith('<div id="simulation"')
    assert "hx-retarget" not in fragment.headers
    errors = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", fragment.text))  # the whole region
    assert "Minimum Q-check average (%) : Use at most two decimals" in errors
    assert "Simulate on (optional) : Give the date as YYYY-MM-DD" in errors
    assert 'href="#draft-min_qcheck_average"' in fragment.text
    assert 'role="alert"' in fragment.text


# --- adoption and deletion ----------------------------------------------------------------------


async def test_adopting_a_future_policy_changes_eligibility_from_its_date_only(client, users):
    await two_organisations()
    await login(client, users["dgro"])
    start = TODAY + dt.timedelta(days=10)
    response = await post(
        client,
        "/policy",
        draft(min_qcheck_average="81.50", effective_from=start.isoformat(), note="Stricter"),
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/policy"
    page = await client.get("/policy", headers=EN)
    assert f"The policy from {english_day(start)} has been adopted." in page.text
    assert "not yet in force" in text_of(page.text, f"version-{start.isoformat()}")

    assert await level_on("BOSA", start - dt.timedelta(days=1)) == "client"
    assert await level_on("BOSA", TODAY) == "client"
    assert await level_on("BOSA", start) == "individual"
    assert await level_on("BOSA", start + dt.timedelta(days=100)) == "individual"

    [row] = await stored_versions()
    assert row["min_qcheck_average_hundredths"] == 8150
    assert row["adopted_by"] == users["dgro"].email
    assert row["note"] == "Stricter"
    [entry] = await policy_audit()
    assert entry["action"] == "policy_adopted"
    assert entry["actor_email"] == users["dgro"].email
    assert entry["record_key"] == start.isoformat()
    assert entry["before"]["min_qcheck_average_hundredths"] == 8000
    assert entry["after"]["min_qcheck_average_hundredths"] == 8150
    assert entry["after"]["effective_from"] == start.isoformat()


async def test_a_policy_starting_in_the_past_is_refused_and_nothing_is_written(client, users):
    await login(client, users["dgro"])
    yesterday = (TODAY - dt.timedelta(days=1)).isoformat()
    response = await post(client, "/policy", draft(effective_from=yesterday))
    assert response.status_code == 400
    assert "a policy never rewrites the past" in response.text
    assert (
        'aria-describedby="draft-effective_from-help draft-effective_from-error"' in response.text
    )
    assert await stored_versions() == []
    assert await policy_audit() == []


async def test_bad_values_are_not_adopted(client, users):
    await login(client, users["dgro"])
    response = await post(
        client,
        "/policy",
        draft(
            min_az_for_individual="-2", effective_from=(TODAY + dt.timedelta(days=3)).isoformat()
        ),
    )
    assert response.status_code == 400
    assert "Enter zero or more, not a negative number." in response.text
    assert await stored_versions() == []


async def test_a_future_version_may_be_replaced_and_the_audit_keeps_both(client, users):
    await login(client, users["dgro"])
    start = (TODAY + dt.timedelta(days=15)).isoformat()
    await post(client, "/policy", draft(min_certified_staff="5", effective_from=start))
    second = await post(client, "/policy", draft(min_certified_staff="6", effective_from=start))
    assert second.status_code == 303
    rows = await stored_versions()
    assert [row["min_certified_staff"] for row in rows] == [6]
    entries = await policy_audit()
    assert [e["before"]["min_certified_staff"] for e in entries] == [4, 5]
    assert [e["after"]["min_certified_staff"] for e in entries] == [5, 6]


async def test_a_version_in_force_today_cannot_be_replaced(client, users):
    await insert_version(TODAY, 8000)
    await login(client, users["dgro"])
    response = await post(client, "/policy", draft(min_qcheck_average="90"))
    assert response.status_code == 400
    assert "already in force and cannot be replaced" in response.text
    [row] = await stored_versions()
    assert row["min_qcheck_average_hundredths"] == 8000
    assert await policy_audit() == []


async def test_a_version_starting_today_can_be_adopted(client, users):
    await login(client, users["dgro"])
    response = await post(client, "/policy", draft(min_certified_staff="3"))
    assert response.status_code == 303
    [row] = await stored_versions()
    assert row["effective_from"] == TODAY


async def test_only_a_future_version_can_be_deleted(client, users):
    future = TODAY + dt.timedelta(days=7)
    past = TODAY - dt.timedelta(days=7)
    await insert_version(future, 9000)
    await insert_version(past, 8000)
    await login(client, users["dgro"])

    refused = await post(client, f"/policy/{past.isoformat()}/delete", {})
    assert refused.status_code == 409
    assert "never rewrites the past" in refused.text
    today_row = await post(client, f"/policy/{TODAY.isoformat()}/delete", {})
    assert today_row.status_code == 404
    missing = await post(client, "/policy/2099-01-01/delete", {})
    assert missing.status_code == 404
    assert "There is no policy version from 2099-01-01." in missing.text
    assert (await post(client, "/policy/not-a-date/delete", {})).status_code == 404
    assert len(await stored_versions()) == 2
    assert await policy_audit() == []

    deleted = await post(client, f"/policy/{future.isoformat()}/delete", {})
    assert deleted.status_code == 303
    assert [row["effective_from"] for row in await stored_versions()] == [past]
    [entry] = await policy_audit()
    assert entry["action"] == "policy_deleted"
    assert entry["before"]["min_qcheck_average_hundredths"] == 9000
    assert entry["after"] is None
    page = await client.get("/policy", headers=EN)
    assert f"The policy version from {english_day(future)} has been deleted." in page.text
