"""Bad input answers 4xx, never 500: a NUL byte in any text, a page number out of range."""

from __future__ import annotations

import datetime as dt

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


# --- every kind of body the handlers parse (issue 18 #4) -----------------------------

NUL_WORDS = "The input holds a character that is not allowed (NUL)"
BOUNDARY = "portal-test-boundary"


def multipart(parts: list[tuple[str, str | bytes, str | None]], *, charset: str = "") -> bytes:
    """A multipart/form-data body as a browser sends it: (name, value, file name) parts;
    the name and file name go into the header as they are (a NUL too)."""
    out = b""
    for name, value, filename in parts:
        disposition = f'form-data; name="{name}"'
        if filename is not None:
            disposition += f'; filename="{filename}"'
        head = f"--{BOUNDARY}\r\nContent-Disposition: {disposition}\r\n"
        if filename is not None:
            head += "Content-Type: text/csv\r\n"
        elif charset:
            head += f"Content-Type: text/plain; charset={charset}\r\n"
        body = value if isinstance(value, bytes) else value.encode(charset or "utf-8")
        out += head.encode("utf-8") + b"\r\n" + body + b"\r\n"
    return out + f"--{BOUNDARY}--\r\n".encode()


MULTIPART = {"content-type": f"multipart/form-data; boundary={BOUNDARY}"}


def staff_form(first_name: str, token: str) -> list[tuple[str, str | bytes, str | None]]:
    fields = {
        "first_name": first_name,
        "last_name": "C",
        "email": "ab@bosa.be",
        "language_role": "NL",
        "start_date": "2024-01-01",
        "_csrf_token": token,
    }
    return [(name, value, None) for name, value in fields.items()]


async def test_a_nul_in_a_multipart_form_is_refused_and_nothing_is_written(client, users):
    """The probe's reproduction: the staff form as multipart/form-data (SQLite stored the
    NUL, PostgreSQL answered 500)."""
    from organisations.tables import StaffMember
    from tests.conftest import csrf_token

    await login(client, users["partner_bosa"])
    token = await csrf_token(client, "/organisations/BOSA/staff")
    headers = {**MULTIPART, "Accept-Language": "en"}
    for body in (
        multipart(staff_form("F\x00x", token)),
        # the token in the header and not in the form: the handler reads the body itself
        multipart(staff_form("F\x00x", "")),
        # a NUL in a field's name, and in a value written in another charset (UTF-7
        # writes it without a 0 byte; Litestar decodes the part in its charset)
        multipart([*staff_form("F", token), ("x\x00", "y", None)]),
        multipart(staff_form("F", token), charset="utf-7").replace(
            b"\r\nF\r\n", b"\r\nF+AAA-x\r\n"
        ),
    ):
        answer = await client.post(
            "/organisations/BOSA/staff",
            content=body,
            headers={**headers, "x-csrftoken": token},
        )
        assert answer.status_code == 400, body
        assert NUL_WORDS in answer.text
    assert await StaffMember.count() == 0
    # The same form without a NUL is taken: the multipart check refuses only the NUL.
    answer = await client.post(
        "/organisations/BOSA/staff", content=multipart(staff_form("F", token)), headers=headers
    )
    assert answer.status_code == 303
    assert await StaffMember.count() == 1


async def test_a_multipart_value_that_cannot_be_read_is_a_400_not_a_500(client, users):
    from organisations.tables import StaffMember
    from tests.conftest import csrf_token

    await login(client, users["partner_bosa"])
    token = await csrf_token(client, "/organisations/BOSA/staff")
    for body in (
        multipart(staff_form(b"\xff\xfe".decode("latin-1"), token), charset="latin-1").replace(
            b"charset=latin-1", b"charset=utf-8"
        ),
        multipart(staff_form("F", token), charset="utf-8").replace(b"utf-8", b"no-such-set"),
        multipart(staff_form("F", token))[:-30],  # cut short
    ):
        answer = await client.post(
            "/organisations/BOSA/staff",
            content=body,
            headers={**MULTIPART, "Accept-Language": "en", "x-csrftoken": token},
        )
        assert answer.status_code == 400, body
    assert await StaffMember.count() == 0


async def test_a_nul_in_an_uploaded_file_name_is_refused_but_its_contents_are_the_imports(
    client, users
):
    """The file's name goes into the audit entry and the messages: a NUL there is the
    guard's. A NUL inside the file is the import's, which names its line."""
    from core.tables import AuditEntry
    from organisations.tables import StaffMember

    await login(client, users["dgro"])
    token = client.cookies["csrftoken"]
    csv = (
        b"organisation_code,email,first_name,last_name,language_role,start_date,end_date\n"
        b"BOSA,an@bosa.be,A\x00n,Peeters,NL,2020-01-01,\n"
    )
    headers = {**MULTIPART, "Accept-Language": "en", "x-csrftoken": token}
    for filename in ("st\x00aff.csv", "staff.csv\x00.exe"):
        body = multipart([("kind", "staff", None), ("file", csv, filename)])
        answer = await client.post("/import", content=body, headers=headers)
        assert answer.status_code == 400
        assert NUL_WORDS in answer.text
    body = multipart([("kind", "staff", None), ("file", csv, "staff.csv")])
    answer = await client.post("/import", content=body, headers=headers)
    assert answer.status_code == 400
    assert "first_name holds a NUL character" in answer.text
    assert await StaffMember.count() == 0
    assert await AuditEntry.count().where(AuditEntry.action == "import") == 0


@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data", None],
)
async def test_a_json_route_reads_any_body_as_json(client, users, content_type):
    """Litestar decodes the API's body as JSON whatever the Content-Type says: the guard
    reads it as JSON too (the probe: `text/plain` stored the NUL on SQLite)."""
    from qchecks.tables import QCheck

    await login(client, users["dgro"])
    headers = {"x-csrftoken": client.cookies["csrftoken"], "Accept-Language": "en"}
    if content_type:
        headers["content-type"] = content_type
    body = '{"selection_reference": "a\\u0000b", "score": "80"}'
    answer = await client.post("/api/v1/qchecks", content=body, headers=headers)
    assert answer.status_code == 400
    assert NUL_WORDS in answer.json()["detail"]
    assert await QCheck.count() == 0


async def test_a_nul_split_between_two_chunks_of_the_body_is_found(client, users):
    """The body is checked as it streams to the handler: `%00` or `\\u0000` cut in two
    across chunks is seen all the same."""
    from organisations.tables import StaffMember
    from qchecks.tables import QCheck
    from tests.conftest import csrf_token

    await login(client, users["dgro"])
    token = await csrf_token(client, "/organisations/BOSA/staff")
    form = (
        f"first_name=F%00x&last_name=C&email=ab%40bosa.be&language_role=NL"
        f"&start_date=2024-01-01&_csrf_token={token}"
    ).encode()
    json = b'{"selection_reference": "a\\u0000b", "score": "80"}'
    tries = [
        ("/organisations/BOSA/staff", "application/x-www-form-urlencoded", form, b"%00"),
        ("/api/v1/qchecks", "application/json", json, b"\\u0000"),
    ]
    for path, content_type, body, pattern in tries:
        start = body.index(pattern)
        for cut in range(start + 1, start + len(pattern)):

            async def chunks(body=body, cut=cut):
                yield body[:cut]
                yield body[cut:]

            answer = await client.post(
                path,
                content=chunks(),
                headers={
                    "content-type": content_type,
                    "x-csrftoken": token,
                    "Accept-Language": "en",
                },
            )
            assert answer.status_code == 400, (path, cut)
            assert NUL_WORDS in answer.text
    assert await StaffMember.count() == 0
    assert await QCheck.count() == 0


# --- numbers beyond their column (issue 18 #5) ----------------------------------------


async def test_a_number_beyond_its_column_is_refused_in_words(app, users):
    """The probe's reproductions (500s: PostgreSQL from 2**31, SQLite from 2**63): each a
    400 with the words of its form, and nothing written. Every other field of every form:
    test_form_inputs."""
    from tests.conftest import new_client
    from tests.portal.test_fuzz import counts
    from tests.portal.test_route_matrix import records

    values = await records(users)
    tries = [
        ("dgro", f"/applications/{values['application_id']}/reject",
         {"revision": str(2**31), "reason": "x"}, "The form is incomplete: reload the page."),
        ("dgro", "/organisations/BOSA/mentoring",
         {"mentor": str(2**63), "mentee": "1", "track": "AZ"}, "Choose from the list."),
        ("dgro", f"/organisations/BOSA/functions/{values['profile_id']}/requirements",
         {"competency": str(2**31), "level": "2"}, "Choose from the list."),
        ("hr_bosa", "/organisations/BOSA/cycles/generate",
         {"through": "2026-12-31", "team": str(2**31)}, "Choose a team from the list."),
        ("partner_bosa", f"/sessions/{values['session_id']}/requests",
         {"staff": str(10**30)}, "Choose from the list."),
        ("dgro", "/sessions",
         {"track": "AZ", "language": "NL", "capacity": "9" * 5000, "starts_on": "2027-01-04",
          "ends_on": "2027-01-05"}, "Give a whole number from 0 to 2147483647."),
        ("hr_bosa", f"/organisations/BOSA/cycles/{values['cycle_id']}/absence",
         {"absent_days": "²"}, "Give a whole number of days (0 or more)."),
    ]  # fmt: skip
    clients = {}
    for name in {name for name, *_rest in tries}:
        clients[name] = new_client(app)
        await login(clients[name], users[name])  # a login is audited: before counting
    before = await counts()
    for name, path, form, words in tries:
        client = clients[name]
        token = client.cookies["csrftoken"]
        answer = await client.post(
            path, data={**form, "_csrf_token": token}, headers={"Accept-Language": "en"}
        )
        assert answer.status_code == 400, (path, answer.status_code)
        assert words in answer.text, path
    assert await counts() == before
    for client in clients.values():
        await client.aclose()


async def test_a_date_beyond_2999_is_refused_next_to_its_field(client, users):
    """Issue 18 (info row): 9999-12-31 was stored as `infinity` on PostgreSQL."""
    from organisations.tables import StaffMember
    from tests.conftest import csrf_token

    await login(client, users["partner_bosa"])
    token = await csrf_token(client, "/organisations/BOSA/staff")
    form = {
        "first_name": "A",
        "last_name": "C",
        "email": "ab@bosa.be",
        "language_role": "NL",
        "start_date": "2024-01-01",
        "end_date": "9999-12-31",
        "_csrf_token": token,
    }
    answer = await client.post(
        "/organisations/BOSA/staff", data=form, headers={"Accept-Language": "en"}
    )
    assert answer.status_code == 400
    assert "Give a date from 1900-01-01 to 2999-12-31." in answer.text
    assert await StaffMember.count() == 0
    answer = await client.post(
        "/organisations/BOSA/staff",
        data={**form, "end_date": "2999-12-31"},
        headers={"Accept-Language": "en"},
    )
    assert answer.status_code == 303
    assert await StaffMember.select(StaffMember.end_date) == [{"end_date": dt.date(2999, 12, 31)}]
