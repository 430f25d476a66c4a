"""The import -> database -> eligibility path agrees with the reference rules (SPEC 2.2)."""

import datetime as dt
import json

import pytest

from bench.generate import generate, write_csv
from certification.eligibility import eligibility_for_all, load_organisation_facts, look_ahead
from certification.rules import DEFAULT_POLICY, eligibility_on
from organisations.tables import Organisation
from portal.imports import ImportScope, import_file
from tests.conftest import login


async def import_dataset(data, folder):
    for kind, path in write_csv(data, folder).items():
        result = await import_file(kind, path.name, path.read_bytes(), ImportScope())
        assert result.ok, [issue.format(path.name) for issue in result.issues[:5]]


@pytest.mark.parametrize("seed", [11, 12, 13])
async def test_database_path_matches_reference_rules_on_random_data(seed, tmp_path):
    data = generate(seed, organisations=25, staff=700, qchecks=4000)
    await import_dataset(data, tmp_path)
    levels_seen = set()
    for day in (dt.date(2026, 12, 31), dt.date(2026, 3, 1), dt.date(2025, 2, 28)):
        from_database = {
            r.eligibility.organisation: r.eligibility for r in await eligibility_for_all(day)
        }
        assert sorted(from_database) == sorted(o.code for o in data.organisations)
        for organisation in data.organisations:
            expected = eligibility_on(
                organisation, data.staff, data.certificates, data.qchecks, [DEFAULT_POLICY], day
            )
            assert from_database[organisation.code] == expected, organisation.code
            levels_seen.add(expected.eligible_level)
    # The data set is only a good test if it reaches every level.
    assert {str(level) for level in levels_seen} == {"none", "individual", "client"}


async def test_one_organisation_and_its_look_ahead(tmp_path):
    data = generate(5, organisations=8, staff=300, qchecks=1500)
    await import_dataset(data, tmp_path)
    day = dt.date(2026, 6, 30)
    for organisation in data.organisations:
        [single] = await eligibility_for_all(day, organisation.code)
        assert single.eligibility == eligibility_on(
            organisation, data.staff, data.certificates, data.qchecks, [DEFAULT_POLICY], day
        )
        bundle = await load_organisation_facts(organisation.code)
        assert bundle is not None
        drop = look_ahead(bundle, day)
        if drop is not None:
            assert drop.on > day
            assert drop.level_after.rank < single.eligibility.eligible_level.rank


async def test_cli_json_and_api_serve_identical_objects(client, users, tmp_path):
    import asyncio
    import subprocess
    import sys

    from tests.conftest import DATABASE_URL

    data = generate(7, organisations=6, staff=150, qchecks=600)
    await import_dataset(data, tmp_path)
    await Organisation.update({Organisation.client_certified_since: dt.date(2026, 1, 1)}).where(
        Organisation.code == "ORG0001"
    )
    cli = await asyncio.to_thread(
        subprocess.run,
        [
            sys.executable,
            "-m",
            "portal",
            "eligibility",
            "--as-of",
            "2026-12-31",
            "--format",
            "json",
        ],
        capture_output=True,
        text=True,
        check=True,
        env={**__import__("os").environ, "DATABASE_URL": DATABASE_URL},
    )
    from_cli = json.loads(cli.stdout)
    codes = [row["organisation"] for row in from_cli]
    assert codes == sorted(codes)
    assert {o.code for o in data.organisations} | {"BOSA", "FIN", "MOBILIT", "OSTBEL"} == set(codes)
    assert next(r for r in from_cli if r["organisation"] == "ORG0001")["granted_level"] == "client"

    await login(client, users["dgro"])
    api = await client.get("/api/v1/eligibility?as_of=2026-12-31")
    assert api.status_code == 200
    assert api.json() == from_cli
    one = await client.get("/api/v1/organisations/ORG0003/eligibility?as_of=2026-12-31")
    assert one.json() == next(r for r in from_cli if r["organisation"] == "ORG0003")
    assert set(from_cli[0]) == {
        "organisation",
        "as_of",
        "eligible_level",
        "granted_level",
        "certified_staff",
        "qcheck_average",
        "qcheck_count",
        "conditions",
    }


async def test_api_eligibility_scope_and_bad_dates(client, users):
    await login(client, users["partner_bosa"])
    assert (await client.get("/api/v1/eligibility")).status_code == 403
    own = await client.get("/api/v1/organisations/BOSA/eligibility?as_of=2026-12-31")
    assert own.status_code == 200
    assert own.json()["eligible_level"] == "none"
    assert (await client.get("/api/v1/organisations/FIN/eligibility")).status_code == 403
    bad = await client.get(
        "/api/v1/organisations/BOSA/eligibility?as_of=31-12-2026", headers={"Accept-Language": "en"}
    )
    assert bad.status_code == 400
    assert "YYYY-MM-DD" in bad.json()["detail"]
