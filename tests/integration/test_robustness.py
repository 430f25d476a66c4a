"""Bad input answers 4xx, never 500: a NUL byte in any text, a page number out of range."""

from __future__ import annotations

import pytest

from tests.conftest import login


@pytest.mark.parametrize(
    "path",
    [
        "/audit?page=1000000000000000000",
        "/audit?page=-5",
        "/qchecks?page=99999999999999999999",
        "/organisations?page=1000000000000000000&as_of=2026-11-23",
        "/organisations/BOSA/staff?page=1000000000000000000",
    ],
)
async def test_a_page_number_out_of_range_shows_a_page(client, users, path):
    await login(client, users["dgro"])
    answer = await client.get(path, headers={"Accept-Language": "en"})
    assert answer.status_code in (200, 400), (path, answer.status_code)


@pytest.mark.parametrize(
    "path",
    [
        "/organisations/BOSA/staff?q=a%00b",
        "/audit?actor=a%00b",
        "/qchecks?q=%00",
        "/organisations?q=x%00",
    ],
)
async def test_a_nul_byte_in_the_query_is_refused(client, users, path):
    await login(client, users["dgro"])
    answer = await client.get(path, headers={"Accept-Language": "en"})
    assert answer.status_code == 400, (path, answer.status_code)
    assert "character" in answer.text


async def test_a_nul_byte_in_a_form_is_refused_and_nothing_is_written(client, users):
    from organisations.tables import StaffMember
    from tests.conftest import csrf_token

    await login(client, users["partner_bosa"])
    token = await csrf_token(client, "/organisations/BOSA/staff")
    answer = await client.post(
        "/organisations/BOSA/staff",
        data={
            "first_name": "A\x00b",
            "last_name": "C",
            "email": "ab@bosa.be",
            "language_role": "NL",
            "start_date": "2024-01-01",
            "_csrf_token": token,
        },
        headers={"Accept-Language": "en"},
    )
    assert answer.status_code == 400
    assert await StaffMember.count() == 0


async def test_a_nul_character_in_json_is_refused(client, users):
    from qchecks.tables import QCheck

    await login(client, users["dgro"])
    answer = await client.post(
        "/api/v1/qchecks",
        json={"selection_reference": "a\u0000b", "score": "80"},
        headers={"x-csrftoken": client.cookies["csrftoken"], "Accept-Language": "en"},
    )
    assert answer.status_code == 400
    assert "NUL" in answer.json()["detail"]
    assert await QCheck.count() == 0
