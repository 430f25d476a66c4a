"""A client's error is answered with a page, not with a stack trace in the server's log
(issue 18, info): the development server printed a traceback for a 409 or a 422 of a
handler, burying the traces of real faults (5xx), which keep theirs."""

from __future__ import annotations

import logging
import re

import httpx
from litestar import get
from litestar.exceptions import HTTPException

from portal.app import create_app
from tests.conftest import make_settings, new_client
from tests.portal.live_server import portal_run_logged
from webkit.guards import PUBLIC

FIELD = re.compile(r'name="_csrf_token" value="([^"]+)"')


def test_client_errors_log_no_traceback(users):
    dgro = users["dgro"]
    with portal_run_logged() as (base_url, log), httpx.Client(base_url=base_url) as web:
        token = FIELD.search(web.get("/login").text)
        assert token
        web.post(
            "/login", data={"email": dgro.email, "password": dgro.password, "_csrf_token": token[1]}
        )
        statuses = {
            "unrouted": web.get("/no/such/page").status_code,
            "unknown record": web.get("/cycles/99999").status_code,
            "bad input": web.get("/audit?actor=a%00b").status_code,
            "no token": web.post("/logout").status_code,
            "not allowed": web.post("/health").status_code,
            "invalid body": web.post(
                "/api/v1/qchecks",
                json={"score": "x"},
                headers={"x-csrftoken": web.cookies["csrftoken"]},
            ).status_code,
        }
    assert statuses == {
        "unrouted": 404,
        "unknown record": 404,
        "bad input": 400,
        "no token": 403,
        "not allowed": 405,
        "invalid body": 422,
    }
    assert '"POST /api/v1/qchecks HTTP/1.1" 422' in log.text  # the log was read
    assert "Traceback" not in log.text, log.text
    assert "Uncaught exception" not in log.text, log.text


async def test_a_server_fault_keeps_its_trace_and_a_refusal_leaves_none(users):
    """In the app itself: a handler that fails (added to the real app for the test) is
    logged with its traceback; a 409 a handler raises, and a 404, are not logged at all."""

    @get("/test-fault", opt=PUBLIC, sync_to_thread=False)
    def fault() -> None:
        raise RuntimeError("the fault under test")

    @get("/test-conflict", opt=PUBLIC, sync_to_thread=False)
    def conflict() -> None:
        raise HTTPException(status_code=409, detail="changed meanwhile")

    app = create_app(make_settings())
    app.register(fault)
    app.register(conflict)
    kept = Kept()
    logging.getLogger("litestar").addHandler(kept)
    try:
        async with new_client(app) as client:
            assert (await client.get("/test-conflict")).status_code == 409
            assert (await client.get("/no/such/page")).status_code == 404
            assert kept.records == []
            assert (await client.get("/test-fault")).status_code == 500
    finally:
        logging.getLogger("litestar").removeHandler(kept)
    [record] = kept.records
    assert record.exc_info and "the fault under test" in str(record.exc_info[1])
    assert "/test-fault" in record.getMessage()


class Kept(logging.Handler):
    """Keeps every record the app logs, to be read by the test."""

    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)
