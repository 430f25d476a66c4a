"""What every /api/v1 operation may answer besides its result, for the OpenAPI schema:
the JSON error body of `webkit.errors.error_response`, under the codes the operation
can really give (tested with schemathesis against a running portal)."""

from __future__ import annotations

from dataclasses import dataclass

from litestar.openapi.datastructures import ResponseSpec

# What the API's schema says of every string it takes (a `pattern`): no NUL, as the input
# guard of the shell (`portal.input_guard`) refuses one before any handler.
NO_NUL = "^[^\\u0000]*$"


@dataclass
class ApiError:
    """An error under /api: the HTTP status and what went wrong, in the reader's language."""

    status_code: int
    detail: str


@dataclass
class ApiFieldErrors:
    """A refused write: `errors` names each wrong field with its message."""

    status_code: int
    detail: str
    errors: dict[str, str]


DESCRIPTIONS = {
    400: "The input is malformed (e.g. a date not in the form YYYY-MM-DD)",
    401: "Not logged in",
    403: "Logged in, but this role or organisation may not do this (or the CSRF token is "
    "missing or not this session's)",
    404: "No such record, or not one this user may see",
    422: "The record was not written: `errors` names each wrong field",
}


def error_responses(*codes: int) -> dict[int, ResponseSpec]:
    """The `responses` of a handler: the given error codes with their JSON body."""
    return {
        code: ResponseSpec(
            data_container=ApiFieldErrors if code == 422 else ApiError,
            description=DESCRIPTIONS[code],
            generate_examples=False,
        )
        for code in codes
    }
