"""The competency models as data: `portal migrate` loads the 5+1 model and BOSA's newer
one with its mapping; a model file is checked line by line and loaded all or nothing;
loading again updates in place (links into the model keep their ids)."""

from __future__ import annotations

import pytest

from competencies.loader import ModelFileRefused, parse_model, seed_models, write_model
from competencies.tables import Competency, CompetencyModel, Indicator
from core.audit import Actor
from tests.portal.test_cli import run_portal

ACTOR = Actor.command_line("test")
GOOD = """model:
  code: TEST
  version: 2
  valid_from: 2026-01-01
  name: {nl: Test, fr: Test, en: Test}
groups:
  - code: G1
    name: {nl: Groep, fr: Groupe, en: Group}
    competencies:
      - code: C1
        core: true
        name: {nl: Een, fr: Un, en: One}
        indicators:
          - {nl: "Doet een, twee", fr: "Fait un, deux", en: "Does one, two"}
"""


async def test_migrate_loads_both_models_with_their_mapping():
    await seed_models()
    models = {row["code"]: row for row in await CompetencyModel.select()}
    assert set(models) == {"FED-5+1", "BOSA-12"}
    assert models["BOSA-12"]["maps_from"] == "FED-5+1"
    core = await Competency.select(Competency.code).where(
        (Competency.of_model == models["FED-5+1"]["id"]) & Competency.core.eq(True)
    )
    assert sorted(row["code"] for row in core) == [
        "OBJECTIVES",
        "RELIABILITY",
        "SELFDEV",
        "SERVICE",
        "TEAMWORK",
    ]
    assert await Competency.count().where(Competency.of_model == models["BOSA-12"]["id"]) == 12
    achieve = (
        await Competency.select(Competency.maps_from).where(Competency.code == "ACHIEVE").first()
    )
    assert achieve["maps_from"] == "OBJECTIVES|EXECUTE"
    # Loading again changes nothing and keeps the ids.
    before = {row["id"] for row in await Competency.select(Competency.id)}
    await seed_models()
    assert {row["id"] for row in await Competency.select(Competency.id)} == before


async def test_a_good_file_loads_and_a_second_load_updates_in_place():
    assert await write_model(parse_model(GOOD), ACTOR) == 1
    first = await Competency.select(Competency.id, Competency.name_en).first()
    changed = GOOD.replace("en: One", "en: The one").replace(
        "      - code: C1",
        "      - code: C2\n        name: {nl: Twee, fr: Deux, en: Two}\n      - code: C1",
    )
    assert await write_model(parse_model(changed), ACTOR) == 2
    again = (
        await Competency.select(Competency.id, Competency.name_en)
        .where(Competency.code == "C1")
        .first()
    )
    assert again == {"id": first["id"], "name_en": "The one"}
    assert (await Indicator.select(Indicator.text_en).first())["text_en"] == "Does one, two"


@pytest.mark.parametrize(
    ("broken", "line", "message"),
    [
        (GOOD.replace("  code: TEST\n", ""), 2, "model has no code"),
        (GOOD.replace("valid_from: 2026-01-01", "valid_from: 2026-02-30"), 4, "is not a date"),
        (
            GOOD.replace("{nl: Groep, fr: Groupe, en: Group}", "{nl: Groep, fr: Groupe}"),
            8,
            "has no en",
        ),
        (GOOD.replace("core: true", "core: maybe"), 11, "core is true or false"),
        (
            GOOD.replace("{nl: Een, fr: Un, en: One}", "{nl: Een, fr: Un, en: One, de: Eins}"),
            12,
            "unknown language(s) de",
        ),
        (
            GOOD + "      - code: C1\n        name: {nl: A, fr: B, en: C}\n",
            15,
            "already on line 10",
        ),
        (GOOD.replace("name: {nl: Test", "name: {nl: [Test"), 5, "not readable YAML"),
        # A NUL character, escaped in a quoted string or raw (PostgreSQL refused it: a traceback).
        (
            GOOD.replace("{nl: Een, fr: Un, en: One}", '{nl: "E\\0en", fr: Un, en: One}'),
            12,
            "a text holds a NUL character",
        ),
        (
            GOOD.replace("{nl: Een, fr: Un, en: One}", "{nl: E\x00en, fr: Un, en: One}"),
            12,
            "#x0000",
        ),
        (GOOD.replace("          - {nl:", "          - {xx: 1, nl:"), 14, "unknown language(s) xx"),
        (
            GOOD.split("    competencies:")[0] + "    competencies: []\n",
            9,
            "needs a list",
        ),
    ],
)
async def test_every_kind_of_bad_line_is_named_and_nothing_is_written(broken, line, message):
    with pytest.raises(ModelFileRefused) as refused:
        parse_model(broken)
    assert any(found == line and message in text for found, text in refused.value.problems), (
        refused.value.problems
    )
    assert await CompetencyModel.count() == 0


async def test_a_mapping_to_an_unknown_competency_is_refused_with_its_line():
    await seed_models()
    mapped = GOOD.replace(
        "  valid_from: 2026-01-01\n", "  valid_from: 2026-01-01\n  maps_from: FED-5+1\n"
    ).replace("        core: true\n", "        core: true\n        maps_from: [TEAMWORK, NOPE]\n")
    with pytest.raises(ModelFileRefused) as refused:
        await write_model(parse_model(mapped), ACTOR)
    assert refused.value.problems == [(13, "competency NOPE is not in model FED-5+1")]
    assert await CompetencyModel.count().where(CompetencyModel.code == "TEST") == 0


def test_the_command_line_names_the_lines(tmp_path):
    database = tmp_path / "portal.sqlite"
    assert run_portal("migrate", database=database).returncode == 0
    bad = tmp_path / "model.yaml"
    bad.write_text(GOOD.replace("core: true", "core: maybe"))
    answer = run_portal("competencies", "load", str(bad), database=database)
    assert answer.returncode != 0
    assert f"{bad}:11: competency C1: core is true or false" in answer.stderr
    bad.write_text(GOOD)
    good = run_portal("competencies", "load", str(bad), database=database)
    assert good.returncode == 0 and "1 competencies" in good.stdout


async def test_the_model_page_searches_in_the_readers_language_and_compares(client, users):
    from tests.conftest import login

    await seed_models()
    await login(client, users["staff_bosa"])
    page = await client.get("/competencies", headers={"Accept-Language": "fr"})
    assert page.status_code == 200
    assert "Travailler en équipe" in page.text and "autodévelopper" in page.text
    found = await client.get(
        "/competencies?model=FED-5%2B1&q=fiab",
        headers={"Accept-Language": "fr", "HX-Request": "true"},
    )
    assert "Faire preuve de fiabilité" in found.text and "Travailler en équipe" not in found.text
    assert "<html" not in found.text
    compare = await client.get("/competencies/compare", headers={"Accept-Language": "en"})
    assert "Achieving results" in compare.text and "Achieving objectives" in compare.text
    assert (await client.get("/competencies?model=NOPE")).status_code == 404
    api = await client.get("/api/v1/competencies?model=BOSA-12")
    body = api.json()
    assert body["maps_from"] == "FED-5+1" and len(body["groups"]) == 4
    achieve = body["groups"][0]["competencies"][0]
    assert achieve["code"] == "ACHIEVE" and achieve["maps_from"] == ["OBJECTIVES", "EXECUTE"]


async def test_dgro_keeps_the_competencies_a_track_develops(client, users):
    from certification.catalogue import seed_track_competencies, track_competencies
    from tests.conftest import csrf_token, login

    await seed_models()
    await seed_track_competencies()
    assert [c.code for c in (await track_competencies())["SELTEST"]] == [
        "METHODOLOGY",
        "SOFTWARE",
        "RELIABILITY",
        "ANALYSE",
    ]
    teamwork = await Competency.select(Competency.id).where(Competency.code == "TEAMWORK").first()
    await login(client, users["dgro"])
    edit = await client.get("/tracks/SELTEST/edit", headers={"Accept-Language": "en"})
    assert "Competencies this track develops" in edit.text and "Working in a team" in edit.text
    token = await csrf_token(client, "/tracks/SELTEST/edit")
    saved = await client.post(
        "/tracks/SELTEST/competencies",
        data={"competency": [str(teamwork["id"])], "_csrf_token": token},
    )
    assert saved.status_code == 303
    assert [c.code for c in (await track_competencies())["SELTEST"]] == ["TEAMWORK"]
    model = await client.get("/competencies", headers={"Accept-Language": "en"})
    assert "Developed by the tracks: SELTEST" in model.text
    listing = await client.get("/tracks", headers={"Accept-Language": "en"})
    assert "Working in a team" in listing.text
    await client.post("/logout", headers={"x-csrftoken": client.cookies["csrftoken"]})
    await login(client, users["partner_bosa"])
    token = await csrf_token(client, "/")
    refused = await client.post(
        "/tracks/SELTEST/competencies", data={"competency": [], "_csrf_token": token}
    )
    assert refused.status_code == 403


async def test_hr_keeps_its_functions_and_sees_what_no_certified_staff_covers(client, users):
    from certification.catalogue import seed_track_competencies
    from tests.conftest import csrf_token, login

    await seed_models()
    await seed_track_competencies()
    staff = (
        "organisation_code,email,first_name,last_name,language_role,start_date,end_date\n"
        "BOSA,az@bosa.be,Az,Holder,NL,2019-01-01,\n"
    )
    certificates = "email,track,obtained_on,status,valid_until\naz@bosa.be,AZ,2020-01-01,valid,\n"
    from portal.imports import ImportScope, import_file

    for kind, text in (("staff", staff), ("certificates", certificates)):
        assert (await import_file(kind, f"{kind}.csv", text.encode(), ImportScope())).ok
    ids = {
        row["code"]: row["id"]
        for row in await Competency.select(Competency.id, Competency.code).where(
            Competency.of_model.code == "FED-5+1"
        )
    }
    await login(client, users["hr_bosa"])
    token = await csrf_token(client, "/organisations/BOSA/functions")
    added = await client.post(
        "/organisations/BOSA/functions", data={"title": "Selector", "_csrf_token": token}
    )
    assert added.status_code == 303
    from competencies.tables import FunctionProfile

    profile = await FunctionProfile.select().first()
    for code in ("ANALYSE", "TEAMWORK"):
        answer = await client.post(
            f"/organisations/BOSA/functions/{profile['id']}/requirements",
            data={"competency": str(ids[code]), "level": "3", "_csrf_token": token},
        )
        assert answer.status_code == 303, answer.text
    from organisations.tables import Organisation

    fin = await Organisation.select(Organisation.id).where(Organisation.code == "FIN").first()
    [fin_profile] = await FunctionProfile.insert(
        FunctionProfile(organisation=fin["id"], title="FIN function")
    ).returning(FunctionProfile.id)
    foreign = await client.post(
        f"/organisations/BOSA/functions/{fin_profile['id']}/requirements",
        data={"competency": str(ids["TEAMWORK"]), "level": "2", "_csrf_token": token},
    )
    assert foreign.status_code == 404  # HR edits only its own organisation's profiles
    assert (await client.get("/organisations/FIN/functions")).status_code == 403
    page = await client.get("/organisations/BOSA/functions", headers={"Accept-Language": "en"})
    uncovered = page.text.split("Required competencies no certified staff member covers")[1].split(
        "</section>"
    )[0]
    # AZ develops Analysing (held by Az Holder); nobody's track develops Working in a team.
    assert "Working in a team" in uncovered and "Analysing" not in uncovered
    model = await client.get("/competencies", headers={"Accept-Language": "en"})
    assert "Required by the functions: Selector" in model.text
    await client.post("/logout", headers={"x-csrftoken": client.cookies["csrftoken"]})
    await login(client, users["partner_fin"])
    token = await csrf_token(client, "/")
    other = await client.post(
        f"/organisations/FIN/functions/{profile['id']}/requirements",
        data={"competency": str(ids["TEAMWORK"]), "level": "2", "_csrf_token": token},
    )
    assert other.status_code in (403, 404)  # another organisation's profile is never changed
    assert (await client.get("/organisations/BOSA/functions")).status_code == 403


async def test_dgro_keeps_the_federal_wide_functions_every_organisation_sees(client, users):
    from competencies.tables import FunctionProfile
    from tests.conftest import csrf_token, login

    await seed_models()
    teamwork = await Competency.select(Competency.id).where(Competency.code == "TEAMWORK").first()
    await login(client, users["dgro"])
    token = await csrf_token(client, "/functions")
    assert (
        await client.post("/functions", data={"title": "Federal selector", "_csrf_token": token})
    ).status_code == 303
    profile = await FunctionProfile.select().first()
    assert profile["organisation"] is None
    answer = await client.post(
        f"/functions/{profile['id']}/requirements",
        data={"competency": str(teamwork["id"]), "level": "4", "_csrf_token": token},
    )
    assert answer.status_code == 303
    await client.post("/logout", headers={"x-csrftoken": client.cookies["csrftoken"]})
    await login(client, users["hr_bosa"])
    page = await client.get("/organisations/BOSA/functions", headers={"Accept-Language": "en"})
    assert "Federal selector" in page.text and "federal-wide" in page.text
    assert (await client.get("/functions")).status_code == 403
    token = await csrf_token(client, "/")
    # HR cannot change a federal-wide function through its organisation's page either.
    refused = await client.post(
        f"/organisations/BOSA/functions/{profile['id']}/requirements",
        data={"competency": str(teamwork["id"]), "level": "1", "_csrf_token": token},
    )
    assert refused.status_code == 404


def _federal_without(code: str) -> str:
    """The bundled 5+1 model file with one competency's block left out."""
    from competencies.loader import BUNDLED

    lines = BUNDLED[0].read_text(encoding="utf-8").splitlines(keepends=True)
    start = lines.index(f"      - code: {code}\n")
    end = next(i for i in range(start + 1, len(lines)) if lines[i].startswith(("      - ", "  - ")))
    return "".join(lines[:start] + lines[end:])


async def _uses_of(code: str, users) -> dict[str, int]:
    """An evaluation objective with two progress updates, a function requirement and a
    track link, each naming the competency `code` of the 5+1 model; their counts."""
    import datetime as dt

    from certification.catalogue import set_track_competencies
    from competencies.tables import FunctionProfile, FunctionRequirement
    from cycles.service import generate
    from cycles.tables import CycleObjective, EvaluationCycle, ObjectiveProgress
    from organisations.tables import Organisation, StaffMember

    competency = (
        await Competency.select(Competency.id)
        .where((Competency.code == code) & (Competency.of_model.code == "FED-5+1"))
        .first()
    )
    bosa = await Organisation.select(Organisation.id).where(Organisation.code == "BOSA").first()
    await StaffMember.insert(
        StaffMember(
            organisation=bosa["id"],
            email="sam@bosa.be",
            first_name="Sam",
            last_name="Staff",
            language_role="NL",
            start_date=dt.date(2019, 3, 1),
        )
    )
    await generate(ACTOR, dt.date(2026, 12, 31))
    cycle = await EvaluationCycle.select(EvaluationCycle.id).first()
    [objective, _performance] = await CycleObjective.insert(
        CycleObjective(
            cycle=cycle["id"], kind="development", title="Try", competency=competency["id"]
        ),
        CycleObjective(cycle=cycle["id"], kind="performance", title="Do"),
    ).returning(CycleObjective.id)
    await ObjectiveProgress.insert(
        *[
            ObjectiveProgress(objective=objective["id"], recorded_by="sam@bosa.be", percent=p)
            for p in (20, 40)
        ]
    )
    [profile] = await FunctionProfile.insert(
        FunctionProfile(organisation=bosa["id"], title="Selector")
    ).returning(FunctionProfile.id)
    await FunctionRequirement.insert(
        FunctionRequirement(profile=profile["id"], competency=competency["id"], level=3)
    )
    assert await set_track_competencies("SELTEST", [competency["id"]], ACTOR)
    return await _counts()


async def _counts() -> dict[str, int]:
    from certification.tables import TrackCompetency
    from competencies.tables import FunctionRequirement
    from cycles.tables import CycleObjective, ObjectiveProgress

    return {
        "objectives": await CycleObjective.count(),
        "progress": await ObjectiveProgress.count(),
        "requirements": await FunctionRequirement.count(),
        "tracks": await TrackCompetency.count(),
        "competencies": await Competency.count(),
    }


async def test_a_reload_that_drops_a_used_competency_is_refused_and_deletes_nothing(users):
    # The probe: the bundled model without INNOVATE loaded with rc 0, and the objective
    # naming INNOVATE went (ON DELETE CASCADE) with its progress.
    await seed_models()
    before = await _uses_of("INNOVATE", users)
    assert before["objectives"] == 2 and before["progress"] == 2
    with pytest.raises(ModelFileRefused) as refused:
        await write_model(parse_model(_federal_without("INNOVATE")), ACTOR)
    [(line, message)] = refused.value.problems
    assert line == 16  # the list of groups, from which it is missing
    assert message == (
        "competency INNOVATE is no longer in the file but 1 evaluation objective(s), "
        "1 function requirement(s), 1 track(s), the mapping of BOSA-12 INNOVATE use it; "
        "keep it in the model"
    )
    assert await _counts() == before
    assert await Competency.exists().where(Competency.code == "INNOVATE")


async def test_an_unused_competency_is_still_removed_and_a_used_one_kept(users):
    from competencies.tables import FunctionProfile, FunctionRequirement

    two = GOOD.replace(
        "      - code: C1",
        "      - code: C2\n        name: {nl: Twee, fr: Deux, en: Two}\n      - code: C1",
    )
    await write_model(parse_model(two), ACTOR)
    assert await write_model(parse_model(GOOD), ACTOR) == 1  # C2, used by nothing, goes
    assert not await Competency.exists().where(Competency.code == "C2")
    c1 = await Competency.select(Competency.id).where(Competency.code == "C1").first()
    [profile] = await FunctionProfile.insert(FunctionProfile(title="Federal")).returning(
        FunctionProfile.id
    )
    await FunctionRequirement.insert(
        FunctionRequirement(profile=profile["id"], competency=c1["id"])
    )
    only_c2 = two.split("      - code: C1")[0]
    with pytest.raises(ModelFileRefused) as refused:
        await write_model(parse_model(only_c2), ACTOR)
    assert refused.value.problems == [
        (
            7,
            "competency C1 is no longer in the file but 1 function requirement(s) use it; "
            "keep it in the model",
        )
    ]
    assert await FunctionRequirement.count() == 1
    assert not await Competency.exists().where(Competency.code == "C2")  # nothing written


def test_the_command_refuses_a_reload_that_drops_a_used_competency(tmp_path):
    import sqlite3

    database = tmp_path / "portal.sqlite"
    assert run_portal("migrate", database=database).returncode == 0
    connection = sqlite3.connect(database)
    # What the track page saves: SELTEST develops INNOVATE.
    connection.execute(
        "INSERT INTO track_competency (track, competency) SELECT t.id, c.id FROM track t, "
        "competency c WHERE t.code = 'SELTEST' AND c.code = 'INNOVATE' AND c.of_model = "
        "(SELECT id FROM competency_model WHERE code = 'FED-5+1')"
    )
    connection.commit()
    links = connection.execute("SELECT count(*) FROM track_competency").fetchone()
    model = tmp_path / "model.yaml"
    model.write_text(_federal_without("INNOVATE"), encoding="utf-8")
    answer = run_portal("competencies", "load", str(model), database=database)
    assert answer.returncode != 0
    assert f"{model}:16: competency INNOVATE is no longer in the file but 1 track(s)" in (
        answer.stderr
    )
    assert connection.execute("SELECT count(*) FROM track_competency").fetchone() == links


# A few lines that stand for 9**9 lists of "lol" through anchors and aliases.
BILLION_LAUGHS = (
    'a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]\n'
    + "".join(
        f"{name}: &{name} [{', '.join(['*' + previous] * 9)}]\n"
        for previous, name in zip("abcdefgh", "bcdefghi", strict=True)
    )
    + "model: *i\ngroups: *i\n"
)
DEEP = "model:\n  code: " + "[" * 20_000 + "\n"


@pytest.mark.parametrize(
    ("hostile", "line", "message"),
    [
        (
            BILLION_LAUGHS,
            1,
            "not readable YAML: anchors and aliases (&name, *name) are not allowed",
        ),
        (DEEP, 2, "not readable YAML: nested more than 32 levels deep"),
        # A merge key needs an alias too; an anchor alone is refused where it stands.
        (GOOD.replace("groups:\n", "groups: &all\n"), 6, "anchors and aliases"),
        (GOOD + "copy: *nothing\n", 15, "anchors and aliases"),
        # Keys that are lists or mappings, and digits int() does not read: tracebacks before.
        ("? [a, b]\n: 1\n", 1, "a key in the file must be a text"),
        (GOOD.replace("  code: TEST\n", "  code: TEST\n  {x: 1}: 2\n"), 3, "a key in model"),
        (GOOD.replace("version: 2", "version: ²"), 3, "version must be a whole number from 1"),
        (GOOD.replace("version: 2", "version: " + "9" * 5000), 3, "version must be a whole"),
        (GOOD.replace("version: 2", "version: 0"), 3, "version must be a whole number from 1"),
    ],
)
async def test_a_hostile_file_is_refused_with_its_line_not_a_hang_or_a_traceback(
    hostile, line, message
):
    with pytest.raises(ModelFileRefused) as refused:
        parse_model(hostile)
    assert any(found == line and message in text for found, text in refused.value.problems), (
        refused.value.problems
    )
    assert await CompetencyModel.count() == 0


def test_the_command_refuses_the_hostile_files_with_file_and_line(tmp_path):
    database = tmp_path / "portal.sqlite"
    assert run_portal("migrate", database=database).returncode == 0
    for name, text, line in (("laughs.yaml", BILLION_LAUGHS, 1), ("deep.yaml", DEEP, 2)):
        hostile = tmp_path / name
        hostile.write_text(text, encoding="utf-8")
        answer = run_portal("competencies", "load", str(hostile), database=database)
        assert answer.returncode == 1
        assert answer.stderr.startswith(f"{hostile}:{line}: not readable YAML: ")
        assert "Traceback" not in answer.stderr and "Nothing was loaded" in answer.stderr
