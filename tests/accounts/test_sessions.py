"""Login, logout and the session: fixation refused, ids rotated, timeouts enforced."""

from __future__ import annotations

import time

from core.tables import AuditEntry, StoreEntry
from portal.app import create_app
from tests.conftest import csrf_token, login, make_settings, new_client

SESSION_COOKIE = "portal_session"


async def session_rows() -> set[str]:
    return {row["key"] for row in await StoreEntry.select(StoreEntry.key)}


async def test_login_with_the_right_password_reaches_the_home_page(client, users):
    response = await login(client, users["partner_bosa"])
    assert response.status_code == 303
    assert response.headers["location"] == "/"
    home = await client.get("/")
    assert home.status_code == 200
    assert "Pauline Partner" in home.text


async def test_wrong_password_is_refused_with_a_message_and_audited(client, users):
    token = await csrf_token(client)
    response = await client.post(
        "/login",
        data={"email": users["dgro"].email, "password": "not-the-password", "_csrf_token": token},
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 400
    assert "The e-mail address or the password is wrong." in response.text
    assert SESSION_COOKIE not in client.cookies
    failed = await AuditEntry.select().where(AuditEntry.action == "login").first()
    assert failed["outcome"] == "failed"
    assert failed["record_key"] == users["dgro"].email


async def test_login_goes_back_to_the_page_asked_for_but_never_off_site(client, users):
    response = await login(client, users["dgro"], next_path="/audit")
    assert response.headers["location"] == "/audit"
    await client.post("/logout", headers={"x-csrftoken": client.cookies["csrftoken"]})
    response = await login(client, users["dgro"], next_path="//evil.example/steal")
    assert response.headers["location"] == "/"


async def test_an_unknown_session_id_is_never_adopted(client, users):
    """Session fixation: the attacker plants an id; login must not keep it."""
    planted = "a" * 64
    client.cookies.set(SESSION_COOKIE, planted, domain="testserver.local")
    response = await login(client, users["partner_bosa"])
    assert response.status_code == 303
    issued = client.cookies[SESSION_COOKIE]
    assert issued != planted
    assert not any(key.endswith(planted) for key in await session_rows())
    # The planted id does not log anybody in.
    attacker = new_client(client.app)
    async with attacker:
        attacker.cookies.set(SESSION_COOKIE, planted, domain="testserver.local")
        assert (await attacker.get("/")).status_code == 303


async def test_a_known_session_id_is_replaced_at_login(client, users):
    """An anonymous session that existed before login (e.g. a flash) gets a fresh id."""
    await login(client, users["staff_bosa"])
    await client.post("/logout", headers={"x-csrftoken": client.cookies["csrftoken"]})
    before_login = client.cookies[SESSION_COOKIE]  # the post-logout session with its flash
    assert any(key.endswith(before_login) for key in await session_rows())
    await login(client, users["staff_bosa"])
    after_login = client.cookies[SESSION_COOKIE]
    assert after_login != before_login
    assert not any(key.endswith(before_login) for key in await session_rows())


async def test_logout_invalidates_the_session_on_the_server(client, users):
    await login(client, users["hr_bosa"])
    stolen = client.cookies[SESSION_COOKIE]
    response = await client.post("/logout", headers={"x-csrftoken": client.cookies["csrftoken"]})
    assert response.status_code == 303
    assert response.headers["location"] == "/login"
    async with new_client(client.app) as replay:
        replay.cookies.set(SESSION_COOKIE, stolen, domain="testserver.local")
        again = await replay.get("/")
        assert again.status_code == 303
        assert again.headers["location"].startswith("/login")


async def test_anonymous_visitors_get_no_session_row(client):
    await client.get("/login")
    await client.get("/health")
    assert await session_rows() == set()
    assert SESSION_COOKIE not in client.cookies


async def test_session_cookie_flags_in_development(client, users):
    response = await login(client, users["dgro"])
    cookie = next(
        v for k, v in response.headers.multi_items() if k == "set-cookie" and SESSION_COOKIE in v
    )
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie
    assert "Secure" not in cookie  # plain http in development


async def test_session_cookie_is_secure_in_production(users):
    settings = make_settings(
        PORTAL_ENV="production",
        SECRET_KEY="dY2LXbLMWFBwuVzSfn9bX1D8QEIpyksHqHe3LFCYe4fnBqs5",
        ALLOWED_HOSTS="testserver.local",
        PUBLIC_URL="https://testserver.local",
    )
    app = create_app(settings)
    async with new_client(app, base_url="https://testserver.local") as client:
        response = await login(client, users["dgro"])
        assert response.status_code == 303
        cookie = next(
            v
            for k, v in response.headers.multi_items()
            if k == "set-cookie" and SESSION_COOKIE in v
        )
        assert "Secure" in cookie and "HttpOnly" in cookie
        assert "strict-transport-security" in response.headers


async def test_idle_timeout_ends_the_session(client, users):
    await login(client, users["dgro"])
    # Idle for longer than the timeout: the store entry has expired.
    await StoreEntry.update({StoreEntry.expires_at: int(time.time()) - 1}).where(
        StoreEntry.key.like("sessions:%")
    )
    response = await client.get("/")
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")


async def test_absolute_timeout_ends_even_an_active_session(users):
    app = create_app(make_settings(SESSION_ABSOLUTE_HOURS="1"))
    async with new_client(app) as client:
        await login(client, users["dgro"])
        assert (await client.get("/")).status_code == 200
        sid = client.cookies[SESSION_COOKIE]
        store = app.stores.get("sessions")
        data = await store.get(sid)
        stale = data.replace(b'"auth_at":', b'"auth_at":1,"_was":')
        await store.set(sid, stale, expires_in=600)
        response = await client.get("/")
        assert response.status_code == 303
        assert not any(key.endswith(sid) for key in await session_rows())


async def test_login_attempts_are_rate_limited_with_a_clear_page(users):
    app = create_app(make_settings(LOGIN_ATTEMPTS_PER_MINUTE="3"))
    async with new_client(app) as client:
        token = await csrf_token(client)
        statuses = []
        for _ in range(4):
            response = await client.post(
                "/login",
                data={
                    "email": users["dgro"].email,
                    "password": "wrong-password",
                    "_csrf_token": token,
                },
                headers={"Accept-Language": "en"},
            )
            statuses.append(response.status_code)
        assert statuses == [400, 400, 400, 429]
        assert "Too many login attempts from your address. Wait a minute" in response.text
        assert "text/html" in response.headers["content-type"]


async def test_expired_sessions_are_swept_at_the_next_login(client, users):
    await StoreEntry.insert(
        StoreEntry(key="sessions:old", value=b"{}", expires_at=int(time.time()) - 60),
        StoreEntry(key="sessions:kept", value=b"{}", expires_at=int(time.time()) + 600),
    )
    await login(client, users["dgro"])
    keys = await session_rows()
    assert "sessions:old" not in keys
    assert "sessions:kept" in keys


async def test_reading_pages_writes_no_session_until_the_idle_timeout_needs_renewing(client, users):
    await login(client, users["dgro"])
    await client.get("/")
    [before] = await StoreEntry.select(StoreEntry.value, StoreEntry.expires_at).where(
        StoreEntry.key.like("sessions:%")
    )
    # Two more pages within the minute: the session row is neither rewritten nor renewed.
    await StoreEntry.update({StoreEntry.expires_at: before["expires_at"] - 30}).where(
        StoreEntry.key.like("sessions:%")
    )
    assert (await client.get("/")).status_code == 200
    assert (await client.get("/tracks")).status_code == 200
    [same] = await StoreEntry.select(StoreEntry.expires_at).where(StoreEntry.key.like("sessions:%"))
    assert same["expires_at"] == before["expires_at"] - 30
    # Once more than a minute of the idle timeout has passed, reading renews it.
    await StoreEntry.update({StoreEntry.expires_at: int(time.time()) + 600}).where(
        StoreEntry.key.like("sessions:%")
    )
    response = await client.get("/")
    assert response.status_code == 200
    assert SESSION_COOKIE in response.headers.get("set-cookie", "")
    [renewed] = await StoreEntry.select(StoreEntry.expires_at).where(
        StoreEntry.key.like("sessions:%")
    )
    assert renewed["expires_at"] >= int(time.time()) + 30 * 60 - 5


CSRF_COOKIE = "csrftoken"


async def test_a_csrf_token_is_good_only_in_the_session_it_was_issued_for(client, users):
    """Two real sessions: the token (and its cookie) of one is refused in the other, as is
    the token a browser had before it logged in."""
    before_login = await csrf_token(client, "/login")
    await login(client, users["dgro"])
    token_a = await csrf_token(client, "/import")  # a form of A's session
    assert token_a != before_login
    assert client.cookies[CSRF_COOKIE] == token_a
    async with new_client(client.app) as other:
        await login(other, users["partner_bosa"])
        token_b = await csrf_token(other, "/")
        # B's browser made to carry A's token as cookie and form field (double submit).
        other.cookies.set(CSRF_COOKIE, token_a, domain="testserver.local")
        refused = await other.post("/logout", data={"_csrf_token": token_a})
        assert refused.status_code == 403
        assert (await other.get("/")).status_code == 200  # still logged in: nothing done
        # The token from before login is refused in the logged-in session too.
        client_cookie = client.cookies[CSRF_COOKIE]
        client.cookies.set(CSRF_COOKIE, before_login, domain="testserver.local")
        assert (await client.post("/logout", data={"_csrf_token": before_login})).status_code == 403
        client.cookies.set(CSRF_COOKIE, client_cookie, domain="testserver.local")
        # Each session's own token works.
        other.cookies.set(CSRF_COOKIE, token_b, domain="testserver.local")
        assert (await other.post("/logout", data={"_csrf_token": token_b})).status_code == 303
        assert (await client.post("/logout", data={"_csrf_token": token_a})).status_code == 303
    refusals = await AuditEntry.select(AuditEntry.detail).where(
        AuditEntry.action == "access_denied"
    )
    assert [r["detail"] for r in refusals] == ["POST /logout: CSRF token verification failed"] * 2


async def session_expiry() -> int:
    [row] = await StoreEntry.select(StoreEntry.expires_at).where(StoreEntry.key.like("sessions:%"))
    return int(row["expires_at"])


async def test_a_short_idle_timeout_is_renewed_by_activity(users):
    """SESSION_IDLE_MINUTES=1 and a click every 30 s: the session lives on. (It was renewed
    only once a minute of it had passed, which with a one-minute timeout is never.)"""
    app = create_app(make_settings(SESSION_IDLE_MINUTES="1"))
    async with new_client(app) as client:
        await login(client, users["dgro"])
        assert (await client.get("/")).status_code == 200
        for _ in range(3):
            # 30 seconds later (half the idle timeout has passed): a click renews it.
            await StoreEntry.update({StoreEntry.expires_at: int(time.time()) + 30}).where(
                StoreEntry.key.like("sessions:%")
            )
            assert (await client.get("/")).status_code == 200
            assert await session_expiry() >= int(time.time()) + 60 - 5
        # A click a few seconds after the last renewal writes nothing.
        await StoreEntry.update({StoreEntry.expires_at: int(time.time()) + 57}).where(
            StoreEntry.key.like("sessions:%")
        )
        assert (await client.get("/")).status_code == 200
        assert await session_expiry() <= int(time.time()) + 57
        # Idle for longer than the timeout: ended.
        await StoreEntry.update({StoreEntry.expires_at: int(time.time()) - 1}).where(
            StoreEntry.key.like("sessions:%")
        )
        assert (await client.get("/")).status_code == 303
