"""What a page costs on the wire (issue 20): HTML, CSS, JS and JSON travel compressed
(brotli, gzip for a browser without it), and the static files have content-hashed names
that the browser keeps for a year (`immutable`), so a page after the first fetches none
of them again; a new version has a new name."""

from __future__ import annotations

import re

import pytest

from core.assets import asset_url, digest, resolve
from tests.conftest import login

PAGES = ("/organisations/BOSA", "/organisations/BOSA/staff")


async def wire_size(client, path: str, encoding: str) -> tuple[int, int, str]:
    """(bytes on the wire, bytes of the page, Content-Encoding) of one GET."""
    response = await client.get(path, headers={"Accept-Encoding": encoding})
    assert response.status_code == 200, path
    return (
        response.num_bytes_downloaded,
        len(response.content),
        response.headers.get("content-encoding", ""),
    )


@pytest.mark.parametrize("path", PAGES)
async def test_pages_travel_compressed_at_a_fraction_of_their_size(client, users, path):
    await login(client, users["dgro"])
    plain, size, none = await wire_size(client, path, "identity")
    assert none == "" and plain == size
    brotli, brotli_size, br = await wire_size(client, path, "br, gzip")
    gzip, gzip_size, gz = await wire_size(client, path, "gzip")
    assert (br, gz) == ("br", "gzip")
    # The same page once unpacked (its CSRF token and times differ per request).
    assert abs(brotli_size - size) < size / 50 and abs(gzip_size - size) < size / 50
    print(
        f"{path}: {plain} bytes plain, {gzip} gzip ({plain / gzip:.1f}x), {brotli} brotli ({plain / brotli:.1f}x)"
    )
    assert brotli < plain / 4 and gzip < plain / 3


async def test_json_and_css_travel_compressed(client, users):
    await login(client, users["dgro"])
    api = await client.get("/api/v1/eligibility", headers={"Accept-Encoding": "br"})
    assert api.status_code == 200 and api.headers["content-encoding"] == "br"
    css = await client.get(
        asset_url("vendor/pico/pico.min.css"), headers={"Accept-Encoding": "gzip"}
    )
    assert css.headers["content-encoding"] == "gzip"
    assert css.num_bytes_downloaded < len(css.content) / 4


async def test_every_page_links_its_static_files_by_content_digest(client):
    page = (await client.get("/login")).text
    linked = re.findall(r'(?:href|src)="(/static/[^"]+)"', page)
    assert len(linked) == 5, linked  # icon, Pico, the portal's CSS, htmx, the menu's Escape
    for url in linked:
        assert re.fullmatch(r"/static/v/[0-9a-f]{12}/[\w./@-]+", url), url
        answer = await client.get(url)
        assert answer.status_code == 200, url
        cache = answer.headers["cache-control"]
        assert "max-age=31536000" in cache and "immutable" in cache, (url, cache)


async def test_an_old_digest_or_a_path_out_of_the_roots_is_not_found(client):
    name = "app.css"
    current = digest(resolve(name))
    assert (await client.get(f"/static/v/{current}/{name}")).status_code == 200
    stale = "0" * 12 if current != "0" * 12 else "1" * 12
    assert (await client.get(f"/static/v/{stale}/{name}")).status_code == 404
    for escape in ("../pyproject.toml", "vendor/htmx/../../../pyproject.toml", "nothing.css"):
        assert resolve(escape) is None, escape
        answer = await client.get(f"/static/v/{current}/{escape}")
        assert answer.status_code == 404, escape


def test_a_changed_file_gets_a_new_name(tmp_path, monkeypatch):
    from core import assets

    root = tmp_path / "static"
    root.mkdir()
    (root / "x.css").write_text("a{color:red}")
    monkeypatch.setitem(assets.ROOTS, "", root)
    before = asset_url("x.css")
    (root / "x.css").write_text("a{color:blue}")
    after = asset_url("x.css")
    assert before != after and before.endswith("/x.css") and after.endswith("/x.css")
    with pytest.raises(LookupError):
        asset_url("missing.css")
