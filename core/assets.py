"""The portal's static files under content-hashed names (issue 20): a page links
`/static/v/<digest>/app.css`; the digest changes with the file, so the file may be cached
for a year (`immutable`) and a new version is fetched the moment it is deployed.

Three roots: the portal's own `static/`, and htmx and Pico as npm installed them."""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

from core.settings import PROJECT_ROOT

NODE_MODULES = PROJECT_ROOT / "node_modules"
# URL prefix under /static/ -> directory; the longest prefix wins.
ROOTS: dict[str, Path] = {
    "vendor/htmx/": NODE_MODULES / "htmx.org" / "dist",
    "vendor/pico/": NODE_MODULES / "@picocss" / "pico" / "css",
    "": PROJECT_ROOT / "static",
}
HASHED_PREFIX = "/static/v/"
DIGEST_LENGTH = 12


def resolve(name: str) -> Path | None:
    """The file behind a static name (`app.css`, `vendor/htmx/htmx.min.js`), or None when
    there is none or the name leaves its root."""
    for prefix, root in ROOTS.items():
        if name.startswith(prefix):
            path = (root / name[len(prefix) :]).resolve()
            if path.is_file() and path.is_relative_to(root.resolve()):
                return path
            return None
    return None


@cache
def _digest(path: Path, mtime_ns: int, size: int) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:DIGEST_LENGTH]


def digest(path: Path) -> str:
    """The file's content digest (computed again when the file changes)."""
    stat = path.stat()
    return _digest(path, stat.st_mtime_ns, stat.st_size)


def asset_url(name: str) -> str:
    """The hashed URL of a static file, for templates: `{{ asset('app.css') }}`."""
    path = resolve(name)
    if path is None:
        raise LookupError(f"no static file {name!r}")
    return f"{HASHED_PREFIX}{digest(path)}/{name}"
