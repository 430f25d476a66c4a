"""What many tests do the same way: load an import as DG R&O would, post a form as the
signed-in user's browser does, log out. One place, so a test says only what it checks."""

from __future__ import annotations

from typing import Any

from portal.imports import ImportScope, import_file

EN = {"Accept-Language": "en"}


async def load(kind: str, text: str) -> None:
    """Import `text` (CSV) as the `kind` import with DG R&O's scope; it must succeed."""
    result = await import_file(kind, f"{kind}.csv", text.encode(), ImportScope())
    assert result.ok, result.issues


async def post(client: Any, path: str, values: dict[str, str] | None = None, headers=EN):
    """POST a form with the session's CSRF token (the one every form of the page carries)."""
    data = {**(values or {}), "_csrf_token": client.cookies["csrftoken"]}
    return await client.post(path, data=data, headers=headers)


async def logout(client: Any) -> None:
    await client.post("/logout", headers={"x-csrftoken": client.cookies["csrftoken"]})
