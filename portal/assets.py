"""Serving the content-hashed static files (`core.assets`): a name whose digest is the
file's current one is sent with a year's `Cache-Control` and `immutable`; an old or
wrong digest is 404 (a page from before a deployment gets its files from the new page)."""

from __future__ import annotations

from litestar import get
from litestar.datastructures import CacheControlHeader
from litestar.params import FromPath
from litestar.response import File

from core.assets import digest as content_digest
from core.assets import resolve
from core.errors import NotFound
from webkit.guards import PUBLIC

YEAR = 365 * 24 * 3600
IMMUTABLE = CacheControlHeader(public=True, max_age=YEAR, immutable=True)


@get(
    "/static/v/{digest:str}/{name:path}",
    opt=PUBLIC,
    include_in_schema=False,
    cache_control=IMMUTABLE,
    name="hashed_static",
)
async def hashed_static(digest: FromPath[str], name: FromPath[str]) -> File:
    path = resolve(name.lstrip("/"))
    if path is None or content_digest(path) != digest:
        raise NotFound()
    return File(path=path, content_disposition_type="inline", filename=path.name)
