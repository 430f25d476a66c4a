"""Track sessions, place requests and mentoring: DG R&O publishes, PRO Partners request
places for their own staff, a client-certified organisation registers mentees, and a full
session places mentees first, then by request date, with each outcome in words."""

from __future__ import annotations

import datetime as dt

from certification.tables import Mentorship, PlaceRequest
from core import versions
from organisations.tables import Organisation, StaffMember
from portal.imports import ImportScope, import_file
from tests.conftest import login
from tests.helpers import EN, logout, post

STAFF = (
    "organisation_code,email,first_name,last_name,language_role,start_date,end_date\n"
    "BOSA,mentor@bosa.be,Mia,Mentor,NL,2019-01-01,\n"
    "BOSA,new@bosa.be,Nico,New,NL,2026-01-01,\n"
    "BOSA,other@bosa.be,Olga,Other,NL,2019-01-01,\n"
    "FIN,fin@fin.be,Fin,Staff,NL,2019-01-01,\n"
)
CERTIFICATES = "email,track,obtained_on,status,valid_until\nmentor@bosa.be,AZ,2020-01-01,valid,\n"


async def setup() -> dict[str, int]:
    for kind, text in (("staff", STAFF), ("certificates", CERTIFICATES)):
        result = await import_file(kind, f"{kind}.csv", text.encode(), ImportScope())
        assert result.ok, result.issues
    return {
        row["email"]: row["id"]
        for row in await StaffMember.select(StaffMember.id, StaffMember.email)
    }


async def test_a_full_session_places_the_mentee_first(client, users):
    ids = await setup()
    start = dt.date.today() + dt.timedelta(days=30)
    await login(client, users["dgro"])
    published = await post(
        client,
        "/sessions",
        {
            "track": "AZ",
            "language": "NL",
            "capacity": "1",
            "starts_on": start.isoformat(),
            "ends_on": (start + dt.timedelta(days=5)).isoformat(),
        },
    )
    assert published.status_code == 303, published.text
    await logout(client)

    await login(client, users["partner_bosa"])
    refused = await post(
        client,
        "/organisations/BOSA/mentoring",
        {"mentor": str(ids["mentor@bosa.be"]), "mentee": str(ids["new@bosa.be"]), "track": "AZ"},
    )
    assert refused.status_code == 400 and "client-certified organisations only" in refused.text
    await Organisation.update({Organisation.client_certified_since: dt.date(2024, 1, 1)}).where(
        Organisation.code == "BOSA"
    )
    await versions.bump()
    no_certificate = await post(
        client,
        "/organisations/BOSA/mentoring",
        {"mentor": str(ids["other@bosa.be"]), "mentee": str(ids["new@bosa.be"]), "track": "AZ"},
    )
    assert (
        no_certificate.status_code == 400 and "needs a valid AZ certificate" in no_certificate.text
    )
    in_track = await post(
        client,
        "/organisations/BOSA/mentoring",
        {"mentor": str(ids["mentor@bosa.be"]), "mentee": str(ids["mentor@bosa.be"]), "track": "AZ"},
    )
    assert in_track.status_code == 400
    registered = await post(
        client,
        "/organisations/BOSA/mentoring",
        {"mentor": str(ids["mentor@bosa.be"]), "mentee": str(ids["new@bosa.be"]), "track": "AZ"},
    )
    assert registered.status_code == 303, registered.text
    assert await Mentorship.count() == 1

    sessions = await client.get("/sessions", headers=EN)
    session_id = int(sessions.text.split('href="/sessions/')[1].split('"')[0])
    assert (
        await post(client, f"/sessions/{session_id}/requests", {"staff": str(ids["other@bosa.be"])})
    ).status_code == 303
    assert (
        await post(client, f"/sessions/{session_id}/requests", {"staff": str(ids["new@bosa.be"])})
    ).status_code == 303
    twice = await post(
        client, f"/sessions/{session_id}/requests", {"staff": str(ids["new@bosa.be"])}
    )
    assert twice.status_code == 400 and "already" in twice.text
    foreign = await post(
        client, f"/sessions/{session_id}/requests", {"staff": str(ids["fin@fin.be"])}
    )
    assert foreign.status_code == 400 and "of your organisation" in foreign.text
    page = (await client.get(f"/sessions/{session_id}", headers=EN)).text
    assert page.index("Nico New") < page.index("Olga Other")
    assert "placed: mentee priority" in page and "waiting list position 1" in page
    await logout(client)

    await login(client, users["partner_fin"])
    other = (await client.get(f"/sessions/{session_id}", headers=EN)).text
    assert "Nico New" not in other and "No place has been requested." in other
    assert (await client.get("/organisations/BOSA/mentoring")).status_code == 403
    assert await PlaceRequest.count() == 2


async def test_a_session_is_for_its_language_and_those_without_the_track_and_a_request_is_withdrawn(
    client, users
):
    ids = await setup()
    start = dt.date.today() + dt.timedelta(days=30)
    await login(client, users["dgro"])
    for language in ("FR", "NL"):
        published = await post(
            client,
            "/sessions",
            {"track": "AZ", "language": language, "capacity": "1",
             "starts_on": start.isoformat(), "ends_on": start.isoformat()},
        )  # fmt: skip
        assert published.status_code == 303, published.text
    await logout(client)
    await login(client, users["partner_bosa"])
    sessions = (await client.get("/sessions", headers=EN)).text
    french, dutch = (int(part.split('"')[0]) for part in sessions.split('href="/sessions/')[1:3])
    # The list shows the sessions soonest first; both start the same day: find which is FR.
    page = (await client.get(f"/sessions/{french}", headers=EN)).text
    if "in FR." not in page:
        french, dutch = dutch, french

    wrong_language = await post(
        client, f"/sessions/{french}/requests", {"staff": str(ids["new@bosa.be"])}
    )
    assert wrong_language.status_code == 400
    assert "Nico New works in NL; this session is given in FR." in wrong_language.text
    holds_it = await post(
        client, f"/sessions/{dutch}/requests", {"staff": str(ids["mentor@bosa.be"])}
    )
    assert holds_it.status_code == 400
    assert "Mia Mentor holds a certificate of this track already." in holds_it.text
    assert await PlaceRequest.count() == 0

    placed = await post(client, f"/sessions/{dutch}/requests", {"staff": str(ids["new@bosa.be"])})
    assert placed.status_code == 303
    [place] = await PlaceRequest.select(PlaceRequest.id)
    page = (await client.get(f"/sessions/{dutch}", headers=EN)).text
    assert f'action="/sessions/{dutch}/requests/{place["id"]}/cancel"' in page
    await logout(client)

    # Another organisation's PRO Partner finds no such request; BOSA's withdraws it.
    await login(client, users["partner_fin"])
    foreign = await post(client, f"/sessions/{dutch}/requests/{place['id']}/cancel", {})
    assert foreign.status_code == 404 and await PlaceRequest.count() == 1
    await logout(client)
    await login(client, users["partner_bosa"])
    withdrawn = await post(client, f"/sessions/{dutch}/requests/{place['id']}/cancel", {})
    assert withdrawn.status_code == 303 and withdrawn.headers["location"] == f"/sessions/{dutch}"
    assert await PlaceRequest.count() == 0
    page = (await client.get(f"/sessions/{dutch}", headers=EN)).text
    assert "The place request has been withdrawn." in page
    assert "No place has been requested." in page
