"""One-time tokens never reach a log or the audit trail (issue 18 #3): a reset or invitation
link refused by CSRF or by the rate limit was audited with its path, token included (DG
R&O reads the audit log at /audit), and uvicorn's access log printed every token path.
Anyone reading either could take the account over while the link was valid."""

from __future__ import annotations

import asyncio
import datetime as dt
import re

import httpx

from accounts.tables import AccountToken, User
from core.audit import REDACTED, redact_tokens
from core.tables import AuditEntry, OutboxMessage
from portal.app import create_app
from tests.conftest import make_settings
from tests.portal.live_server import portal_run_logged

FIELD = re.compile(r'name="_csrf_token" value="([^"]+)"')
LINK = re.compile(r"https?://[^/\s]+(/(?:invitation|password/reset)/(\d+)/([A-Za-z0-9_-]+))")
NEW_PASSWORD = "lantern-orchard-velvet"


async def form_token(browser: httpx.AsyncClient, path: str) -> str:
    match = FIELD.search((await browser.get(path)).text)
    assert match, f"no CSRF field on {path}"
    return match[1]


async def mailed_link(recipient: str) -> tuple[str, str]:
    """The path and token of the newest account mail to `recipient`. A reset mail is
    written just after "Forgot your password?" has answered (issue 18, row 9): waited
    for, up to 10 s."""
    for _attempt in range(100):
        message = (
            await OutboxMessage.select(OutboxMessage.body)
            .where(OutboxMessage.recipient == recipient)
            .order_by(OutboxMessage.id, ascending=False)
            .first()
        )
        if message is not None:
            break
        await asyncio.sleep(0.1)
    assert message is not None, f"no mail to {recipient}"
    match = LINK.search(message["body"])
    assert match, message["body"]
    return match[1], match[3]


async def test_refused_token_links_leave_no_token_in_the_audit_log_or_the_access_log(users):
    dgro, staff, hr = users["dgro"], users["staff_bosa"], users["hr_bosa"]
    with portal_run_logged(LOGIN_ATTEMPTS_PER_MINUTE="6") as (base_url, log):
        async with httpx.AsyncClient(
            base_url=base_url, headers={"Accept-Language": "en"}
        ) as browser:
            # DG R&O invites someone (attempt 1: the login); two people ask for a reset (2, 3).
            await browser.post(
                "/login",
                data={
                    "email": dgro.email,
                    "password": dgro.password,
                    "_csrf_token": await form_token(browser, "/login"),
                },
            )
            invited = await browser.post(
                "/admin/users/invite",
                data={
                    "email": "nina.new@bosa.example.be",
                    "full_name": "Nina New",
                    "roles": "staff",
                    "organisation": "BOSA",
                    "preferred_language": "en",
                    "_csrf_token": await form_token(browser, "/admin/users/invite"),
                },
            )
            assert invited.status_code == 303, invited.text
            await browser.post("/logout", data={"_csrf_token": await form_token(browser, "/")})
            for email in (staff.email, hr.email):
                await browser.post(
                    "/password/forgot",
                    data={
                        "email": email,
                        "_csrf_token": await form_token(browser, "/password/forgot"),
                    },
                )
        invitation, invitation_token = await mailed_link("nina.new@bosa.example.be")
        reset, reset_token = await mailed_link(staff.email)
        expired, expired_token = await mailed_link(hr.email)
        hr_id = (await User.select(User.id).where(User.email == hr.email).first())["id"]
        await AccountToken.update(
            {AccountToken.expires_at: dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)}
        ).where(AccountToken.user == hr_id)
        unknown_token = "U" * 43
        unknown = reset.replace(reset_token, unknown_token)

        async with httpx.AsyncClient(
            base_url=base_url, headers={"Accept-Language": "en"}
        ) as attacker:
            # Both valid links open their page.
            assert (await attacker.get(reset)).status_code == 200
            assert (await attacker.get(invitation)).status_code == 200
            # Without a CSRF token (attempts 4, 5): refused and audited.
            for path in (reset, invitation):
                assert (await attacker.post(path, data={"password": "x"})).status_code == 403
            # With one, but two passwords that differ (6): the form again.
            differing = {"password": NEW_PASSWORD, "password_again": "other-" + NEW_PASSWORD}
            token = await form_token(attacker, reset)
            assert (
                await attacker.post(reset, data={**differing, "_csrf_token": token})
            ).status_code == 400
            # Beyond LOGIN_ATTEMPTS_PER_MINUTE: 429, audited.
            for path in (reset, invitation):
                answer = await attacker.post(path, data={**differing, "_csrf_token": token})
                assert answer.status_code == 429
            # An expired link and a made-up one: refused pages.
            assert (await attacker.get(expired)).status_code == 400
            assert (await attacker.get(unknown)).status_code == 400
            assert (await attacker.get(f"{reset}/more")).status_code == 404

    tokens = (invitation_token, reset_token, expired_token, unknown_token)
    audit = await AuditEntry.select().order_by(AuditEntry.id)
    refusals = [entry for entry in audit if entry["action"] == "access_denied"]
    assert len(refusals) == 4, [entry["detail"] for entry in refusals]
    for entry in audit:
        assert not any(token in str(entry) for token in tokens), entry
    # What the trail keeps: the link's kind and user, the token replaced.
    reset_path = reset.replace(reset_token, REDACTED)
    invitation_path = invitation.replace(invitation_token, REDACTED)
    assert {entry["path"] for entry in refusals} == {reset_path, invitation_path}
    assert f"POST {reset_path}: rate limited" in [entry["detail"] for entry in refusals]
    assert f'"GET {reset_path} HTTP/1.1" 200' in log.text
    assert f'"GET {expired.replace(expired_token, REDACTED)} HTTP/1.1" 400' in log.text
    assert f'"POST {invitation_path} HTTP/1.1" 429' in log.text
    assert not any(token in log.text for token in tokens), log.text


def test_every_route_with_a_token_in_its_path_is_redacted():
    """A new route that carries a token in its path must be covered by `redact_tokens`."""
    app = create_app(make_settings())
    token_routes = [route.path for route in app.routes if "{token" in route.path]
    assert token_routes  # the invitation and reset links
    for template in token_routes:
        path = re.sub(r"\{user_id:int\}", "8", template)
        path = re.sub(r"\{token:str\}", "Secret-Token_0123456789", path)
        assert "{" not in path, template
        assert "Secret-Token" not in redact_tokens(path), template
        assert redact_tokens(path).endswith(f"/8/{REDACTED}")
