"""Access control over HTTP: CSRF, roles, organisation scope, and the audit of refusals."""

from core.tables import AuditEntry
from tests.conftest import csrf_token, login


async def test_a_form_post_without_csrf_token_is_refused_and_audited(client, users):
    await login(client, users["hr_bosa"])
    response = await client.post("/logout", headers={"Accept-Language": "en"})
    assert response.status_code == 403
    assert "This form has expired or did not come from the portal." in response.text
    # still logged in: nothing happened
    assert (await client.get("/")).status_code == 200
    refused = await AuditEntry.select().where(AuditEntry.outcome == "denied").first()
    assert refused["actor_email"] == users["hr_bosa"].email
    assert "/logout" in refused["detail"]


async def test_login_itself_needs_the_csrf_token(client, users):
    response = await client.post(
        "/login", data={"email": users["dgro"].email, "password": users["dgro"].password}
    )
    assert response.status_code == 403
    assert "portal_session" not in client.cookies


async def test_htmx_sends_the_token_in_the_header(client, users):
    await login(client, users["dgro"])
    page = await client.get("/")
    assert 'data-hx-headers=\'{"x-csrftoken": "' in page.text
    response = await client.post(
        "/logout", headers={"x-csrftoken": client.cookies["csrftoken"], "HX-Request": "true"}
    )
    assert response.status_code == 303


async def test_anonymous_visitors_are_sent_to_login_with_the_page_remembered(client):
    response = await client.get("/audit?outcome=denied")
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=%2Faudit%3Foutcome%3Ddenied"


async def test_anonymous_htmx_requests_get_a_full_page_redirect(client):
    response = await client.get("/audit", headers={"HX-Request": "true"})
    assert response.status_code == 401
    assert response.headers["HX-Redirect"].startswith("/login?next=")


async def test_a_role_that_may_not_see_a_page_gets_403_and_is_audited(client, users):
    await login(client, users["partner_bosa"])
    response = await client.get("/audit")
    assert response.status_code == 403
    assert "<h1>" in response.text
    refused = await AuditEntry.select().where(AuditEntry.outcome == "denied").first()
    assert refused["actor_email"] == users["partner_bosa"].email
    assert refused["detail"].startswith("GET /audit")


async def test_organisation_scope_own_organisation_only(client, users):
    await login(client, users["partner_bosa"])
    assert (await client.get("/organisations/BOSA")).status_code == 200
    response = await client.get("/organisations/FIN")
    assert response.status_code == 403
    assert "FOD Financi" not in response.text
    assert (await client.get("/organisations")).status_code == 403


async def test_dgro_sees_every_organisation(client, users):
    await login(client, users["dgro"])
    listing = await client.get("/organisations")
    assert listing.status_code == 200
    for code in ("BOSA", "FIN", "MOBILIT", "OSTBEL"):
        assert f"/organisations/{code}" in listing.text
    assert (await client.get("/organisations/FIN")).status_code == 200
    assert (await client.get("/organisations/NOPE")).status_code == 404


async def test_api_answers_json_401_and_403(client, users):
    response = await client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.json()["status_code"] == 401
    await login(client, users["evaluator_bosa"])
    me = (await client.get("/api/v1/me")).json()
    assert me["email"] == users["evaluator_bosa"].email
    assert me["roles"] == ["evaluator", "staff"]
    assert me["organisation"] == "BOSA"


async def test_deactivated_user_loses_access_at_the_next_request(client, users):
    from accounts.tables import User

    await login(client, users["staff_bosa"])
    await User.update({User.active: False}).where(User.email == users["staff_bosa"].email)
    response = await client.get("/")
    assert response.status_code == 303
    token = await csrf_token(client)
    again = await client.post(
        "/login",
        data={
            "email": users["staff_bosa"].email,
            "password": users["staff_bosa"].password,
            "_csrf_token": token,
        },
    )
    assert again.status_code == 400
