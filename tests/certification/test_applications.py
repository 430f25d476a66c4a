"""Applications for client certification: the PRO Partner applies (eligibility frozen),
one open per organisation, withdraws; DG R&O approves (the level history grants client
from that day, an override needs a reason) or rejects with a reason; the PRO Partner is
told; nobody else may."""

from __future__ import annotations

import datetime as dt

from certification.eligibility import eligibility_for_all
from certification.tables import Application, LevelChange
from core.tables import Notice
from portal.imports import ImportScope, import_file
from tests.conftest import login
from tests.helpers import EN, logout, post

STAFF = (
    "organisation_code,email,first_name,last_name,language_role,start_date,end_date\n"
    + "".join(
        f"BOSA,s{i}@bosa.be,S{i},Staff,{'NL' if i % 2 else 'FR'},2019-01-01,\n" for i in range(4)
    )
)
CERTIFICATES = "email,track,obtained_on,status,valid_until\n" + "".join(
    f"s{i}@bosa.be,{track},2020-01-01,valid,\n" for i in range(4) for track in ("AZ", "SELTEST")
)
QCHECKS = (
    "selection_reference,organisation_code,consultant_email,language_role,closed_on,checked_on,score\n"
    f"R-1,BOSA,s0@bosa.be,FR,{dt.date.today() - dt.timedelta(days=40)},{dt.date.today() - dt.timedelta(days=30)},90\n"
)


async def client_ready() -> None:
    from organisations.tables import Organisation

    await Organisation.update(
        {Organisation.pro_partner_email: "partner@bosa.demo.portal.be"}
    ).where(Organisation.code == "BOSA")
    for kind, text in (("staff", STAFF), ("certificates", CERTIFICATES), ("qchecks", QCHECKS)):
        result = await import_file(kind, f"{kind}.csv", text.encode(), ImportScope())
        assert result.ok, result.issues


async def test_apply_approve_and_the_level_is_granted(client, users):
    await client_ready()
    await login(client, users["partner_bosa"])
    page = await client.get("/organisations/BOSA/application", headers=EN)
    assert "Apply for client certification" in page.text
    assert (await post(client, "/organisations/BOSA/application")).status_code == 303
    second = await post(client, "/organisations/BOSA/application")
    assert second.status_code == 400 and "open application already" in second.text
    application = await Application.select().output(load_json=True).first()
    assert application["frozen"]["eligible_level"] == "client"
    assert (
        "The conditions as they stood at submission"
        in (await client.get("/organisations/BOSA/application", headers=EN)).text
    )
    assert (await client.get("/applications")).status_code == 403
    await logout(client)

    await login(client, users["dgro"])
    assert "BOSA" in (await client.get("/applications", headers=EN)).text
    approved = await post(
        client, f"/applications/{application['id']}/approve", {"revision": "1", "reason": ""}
    )
    assert approved.status_code == 303, approved.text
    stale = await post(
        client, f"/applications/{application['id']}/reject", {"revision": "1", "reason": "late"}
    )
    assert stale.status_code == 409
    # The queue is empty and keeps the history: BOSA's application, approved, by whom.
    queue = (await client.get("/applications", headers=EN)).text
    assert "No application is waiting." in queue
    history = queue.split('id="decided-applications"')[1].split("</table>")[0]
    assert '<a href="/organisations/BOSA/application">BOSA</a>' in history
    assert "approved" in history and users["dgro"].email in history
    [result] = await eligibility_for_all(dt.date.today(), "BOSA")
    assert str(result.granted) == "client"
    change = await LevelChange.select().first()
    assert (change["to_level"], change["reason"], change["effective_on"]) == (
        "client",
        "application",
        dt.date.today(),
    )
    await logout(client)
    await login(client, users["partner_bosa"])
    notices = (await client.get("/notices", headers=EN)).text
    assert "DG R&O approved the application of BOSA" in notices
    assert await Notice.count() == 1


async def test_a_rejection_needs_a_reason_and_an_override_too(client, users):
    await login(client, users["partner_bosa"])  # BOSA has no certified staff: not eligible
    assert (await post(client, "/organisations/BOSA/application")).status_code == 303
    application = await Application.select().output(load_json=True).first()
    assert application["frozen"]["eligible_level"] == "none"
    await logout(client)
    await login(client, users["dgro"])
    no_reason = await post(
        client, f"/applications/{application['id']}/approve", {"revision": "1", "reason": ""}
    )
    assert (
        no_reason.status_code == 400
        and "give the reason for approving all the same" in no_reason.text
    )
    blank = await post(
        client, f"/applications/{application['id']}/reject", {"revision": "1", "reason": " "}
    )
    assert blank.status_code == 400
    rejected = await post(
        client, f"/applications/{application['id']}/reject", {"revision": "1", "reason": "no staff"}
    )
    assert rejected.status_code == 303
    assert (await Application.select(Application.state).first())["state"] == "rejected"
    assert await LevelChange.count() == 0


async def test_the_partner_withdraws_and_another_organisation_cannot_touch_it(client, users):
    await login(client, users["partner_bosa"])
    await post(client, "/organisations/BOSA/application")
    application = await Application.select().first()
    await logout(client)
    await login(client, users["partner_fin"])
    assert (await client.get("/organisations/BOSA/application")).status_code == 403
    other = await post(
        client, f"/organisations/BOSA/application/{application['id']}/withdraw", {"revision": "1"}
    )
    assert other.status_code == 403
    wrong = await post(
        client, f"/organisations/FIN/application/{application['id']}/withdraw", {"revision": "1"}
    )
    assert wrong.status_code == 404
    await logout(client)
    await login(client, users["partner_bosa"])
    done = await post(
        client, f"/organisations/BOSA/application/{application['id']}/withdraw", {"revision": "1"}
    )
    assert done.status_code == 303
    assert (await Application.select(Application.state).first())["state"] == "withdrawn"
    again = await post(client, "/organisations/BOSA/application")  # a new one may follow
    assert again.status_code == 303 and await Application.count() == 2
