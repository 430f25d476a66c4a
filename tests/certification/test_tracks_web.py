"""DG R&O keeps the track catalogue; everyone else reads it."""

from certification.tables import Track
from core.tables import AuditEntry
from tests.conftest import login

EN = {"Accept-Language": "en"}


def form(client, **values):
    return {"_csrf_token": client.cookies["csrftoken"], **values}


async def test_everyone_reads_the_seeded_catalogue(client, users):
    await login(client, users["staff_bosa"])
    page = await client.get("/tracks", headers=EN)
    assert page.status_code == 200
    for code in ("AZ", "SELTEST", "ASSESS", "INTERVIEW"):
        assert f'<tr id="track-{code}">' in page.text
    assert "Add a track" not in page.text
    refused = await client.post(
        "/tracks", data=form(client, code="NEW", name_nl="a", name_fr="b", name_en="c")
    )
    assert refused.status_code == 403
    assert await Track.count() == 4


async def test_dgro_adds_renames_and_closes_a_track(client, users):
    await login(client, users["dgro"])
    # A first visit shows the empty form without errors (issue 19 #10: it showed three).
    first = await client.get("/tracks", headers=EN)
    assert "Add a track" in first.text
    assert 'class="error"' not in first.text and 'aria-invalid="true"' not in first.text
    added = await client.post(
        "/tracks",
        data=form(
            client, code="pjury", name_nl="Jurylid", name_fr="Membre du jury", name_en="Jury member"
        ),
    )
    assert added.status_code == 303
    assert await Track.exists().where(Track.code == "PJURY")
    saved = await client.post(
        "/tracks/PJURY",
        data=form(
            client, name_nl="Jurylid selectie", name_fr="Membre du jury", name_en="Jury member"
        ),
    )
    assert saved.status_code == 303
    row = await Track.select(Track.name_nl, Track.active).where(Track.code == "PJURY").first()
    assert row == {"name_nl": "Jurylid selectie", "active": False}  # box unticked: closed
    actions = [
        r["action"]
        for r in await AuditEntry.select(AuditEntry.action).where(AuditEntry.table_name == "track")
    ]
    assert actions == ["track_added", "track_changed"]


async def test_bad_track_input_is_explained_and_nothing_is_written(client, users):
    await login(client, users["dgro"])
    bad = await client.post(
        "/tracks", data=form(client, code="a b", name_nl="", name_fr="x", name_en="y"), headers=EN
    )
    assert bad.status_code == 400
    assert "capital letters" in bad.text and "Give the name in this language." in bad.text
    duplicate = await client.post(
        "/tracks", data=form(client, code="AZ", name_nl="x", name_fr="y", name_en="z"), headers=EN
    )
    assert duplicate.status_code == 400
    assert "A track with code AZ exists already." in duplicate.text
    assert await Track.count() == 4
    assert (await client.get("/tracks/NOPE/edit")).status_code == 404
