"""The links in the account mails lead to PUBLIC_URL, never to the Host a request names
(issue 18, info): "forgot your password" sent with `Host: attacker.example` mailed a reset
link to attacker.example, whose server then received the token when the user clicked."""

from __future__ import annotations

import re

import httpx

from core.settings import get_settings
from core.tables import OutboxMessage
from tests.conftest import csrf_token, login
from tests.portal.live_server import portal_run_logged

LINK = re.compile(r"\S+/(?:invitation|password/reset)/\d+/[A-Za-z0-9_-]+")
ATTACKER = {"Host": "attacker.example"}


async def mailed_links() -> list[str]:
    bodies = await OutboxMessage.select(OutboxMessage.body).order_by(OutboxMessage.id)
    return [link for row in bodies for link in LINK.findall(row["body"])]


async def test_a_reset_and_an_invitation_asked_for_another_host_link_to_the_portal(client, users):
    public_url = get_settings().public_url  # development: http://127.0.0.1:8000
    token = await csrf_token(client, "/password/forgot")
    answer = await client.post(
        "/password/forgot",
        data={"email": users["staff_bosa"].email, "_csrf_token": token},
        headers=ATTACKER,
    )
    assert answer.status_code == 303
    await login(client, users["dgro"])
    answer = await client.post(
        "/admin/users/invite",
        data={
            "email": "nina.new@bosa.example.be",
            "full_name": "Nina New",
            "roles": "staff",
            "organisation": "BOSA",
            "preferred_language": "en",
            "_csrf_token": await csrf_token(client, "/admin/users/invite"),
        },
        headers=ATTACKER,
    )
    assert answer.status_code == 303, answer.text
    [reset, invitation] = await mailed_links()
    assert reset.startswith(f"{public_url}/password/reset/"), reset
    assert invitation.startswith(f"{public_url}/invitation/"), invitation


async def test_portal_run_links_to_public_url_or_in_development_to_itself(users):
    email = users["staff_bosa"].email
    for environ in ({"PUBLIC_URL": "https://portal.example.be"}, {}):
        with portal_run_logged(**environ) as (base_url, _):
            async with httpx.AsyncClient(base_url=base_url) as web:
                token = await csrf_token(web, "/password/forgot")
                answer = await web.post(
                    "/password/forgot",
                    data={"email": email, "_csrf_token": token},
                    headers=ATTACKER,
                )
                assert answer.status_code == 303
        expected = environ.get("PUBLIC_URL", base_url)  # `portal run`'s own address
        assert (await mailed_links())[-1].startswith(f"{expected}/password/reset/")
