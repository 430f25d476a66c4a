"""Fuzzing (issue 13) with hypothesis: every import kind and every form, fed NUL
characters, huge values, malformed dates and numbers, wrong types, another
organisation's keys. Nothing may answer 5xx (or raise), and a refused input writes
nothing: every table keeps its rows (the audit log may only gain refusals).

The number of examples is kept small for `make test` (`FUZZ_EXAMPLES`, default 20 per
import kind and 4 per form); raise it for a deeper run."""

from __future__ import annotations

import io
import os
import re
from pathlib import Path

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from tests.conftest import CSRF_FIELD, login, new_client

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "20"))
FORM_EXAMPLES = max(EXAMPLES // 5, 2)


def examples(strategy, count: int) -> list:
    """`count` inputs drawn by hypothesis (its edge cases first), for an async test to
    try one by one (hypothesis cannot drive an async function inside a running loop)."""
    drawn: list = []

    @settings(
        max_examples=count,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def draw(value) -> None:
        drawn.append(value)

    draw()
    return drawn


# Values a person (or an attacker) might put in any cell or field.
NASTY = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        [
            "", " ", "\x00", "a\x00b", "2026-02-30", "2026-13-01", "31/12/2026", "9999-12-31",
            "0001-01-01", "-1", "1e309", "NaN", "100.001", "８０", "0x10", "'; DROP TABLE x;--",
            "<script>alert(1)</script>", "=HYPERLINK(\"http://x\")", "FIN", "MOBILIT",
            "an.claes@mobilit.demo.portal.be", "tom.janssens@fin.demo.portal.be", "NL|FR|XX",
            "valid", "revoked", "AZ", "ZZ", "x" * 300, "é" * 5000, "\u202e", "\ud7ff",
        ]
    ),
    st.integers(min_value=-(10**20), max_value=10**20).map(str),
    st.builds(lambda n: "y" * n, st.integers(min_value=1000, max_value=100_000)),
)  # fmt: skip


# Another organisation's keys, and keys of the same length that exist nowhere.
OTHER_KEYS = {
    "MOBILIT": "NOSUCHO",
    "an.claes@mobilit.demo.portal.be": "zz.zzzzz@zzzzzzz.zzzz.zzzzzz.zz",
    "tom.janssens@fin.demo.portal.be": "zzz.zzzzzzzz@zzz.zzzz.zzzzzz.zz",
    "FIN": "ZZZ",
}


def _hide(text: str) -> str:
    """Another organisation's keys (in any case, as whole words) replaced by their stand-ins."""
    for key, stand_in in OTHER_KEYS.items():
        text = re.sub(rf"\b{re.escape(key)}\b", stand_in, text)
        text = re.sub(rf"\b{re.escape(key.lower())}\b", stand_in.lower(), text)
    return text


async def counts() -> dict[str, int]:
    """Rows per table; of the audit log only the entries of writes that took place."""
    from piccolo.conf.apps import Finder

    from core.tables import AuditEntry

    found = {}
    for table in Finder().get_table_classes():
        name = table._meta.tablename
        if name in ("portal_store",):  # sessions and rate-limit counters
            continue
        if table is AuditEntry:
            found[name] = await AuditEntry.count().where(AuditEntry.outcome == "ok")
        else:
            found[name] = await table.count()
    return found


def csv_bytes(columns: tuple[str, ...], rows: list[list[str]]) -> bytes:
    import csv

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(columns)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8", "surrogatepass")


async def test_every_import_kind_survives_nasty_files(users):
    from core.audit import Actor
    from portal.demo import load_demo_data
    from portal.imports import COLUMNS, ImportScope, import_file

    await load_demo_data()
    scopes = [
        ImportScope(),
        ImportScope(
            organisation_code="BOSA",
            may_set_status=False,
            actor=Actor(email="partner@bosa.demo.portal.be", roles="pro_partner"),
        ),
    ]
    tried = 0

    for kind, columns in COLUMNS.items():
        files = st.tuples(
            st.lists(
                st.lists(NASTY, min_size=len(columns), max_size=len(columns)),
                min_size=1,
                max_size=4,
            ),
            st.sampled_from(scopes),
            st.booleans(),
        )
        for rows, scope, shuffle in examples(files, EXAMPLES):
            header = tuple(reversed(columns)) if shuffle else columns
            try:
                data = csv_bytes(header, rows)
            except UnicodeEncodeError:
                continue
            before = await counts()
            result = await import_file(kind, f"{kind}.csv", data, scope)
            tried += 1
            if not result.ok:
                assert result.issues, (kind, rows)
                assert await counts() == before, (kind, rows)
                if scope.organisation_code:
                    # A PRO Partner learns nothing of another organisation: its keys give
                    # the same messages as keys that exist nowhere.
                    hidden = _hide(data.decode("utf-8", "surrogatepass"))
                    unknown = await import_file(
                        kind, f"{kind}.csv", hidden.encode("utf-8", "surrogatepass"), scope
                    )
                    said = [_hide(i.format(kind)) for i in result.issues]
                    assert said == [i.format(kind) for i in unknown.issues], (kind, rows)
    # Broken files of every shape too: not CSV, a zip that is no workbook, an empty file.
    for data in (b"", b"\x00\x01\x02", b"PK\x03\x04garbage", "é;ü\n".encode("latin-1")):
        for kind in COLUMNS:
            before = await counts()
            result = await import_file(kind, f"{kind}.xlsx", data, scopes[0])
            assert not result.ok and await counts() == before
            tried += 1
    assert tried >= len(COLUMNS) * 4


FIELD_NAMES = sorted(
    {
        name
        for path in Path(__file__).resolve().parents[2].joinpath("templates").rglob("*.html")
        for name in re.findall(r'name="([a-z_]+)"', path.read_text())
    }
    - {"_csrf_token"}
)


async def test_every_form_survives_nasty_fields(app, users):
    """Every POST route of the route matrix, by an identity allowed to use it, with fields
    of every name the templates use, holding nasty values."""
    from tests.portal.test_route_matrix import EXPECTED, USERS, records

    values = await records(users)
    clients = {}
    for identity, name in USERS.items():
        client = new_client(app)
        await login(client, users[name])
        page = await client.get("/accessibility")
        match = CSRF_FIELD.search(page.text)
        assert match
        clients[identity] = (client, match.group(1))
    tried = 0
    failures: list[str] = []

    state = {"before": await counts()}

    async def try_forms(path: str, client, token: str) -> None:
        nonlocal tried
        fields = st.dictionaries(st.sampled_from(FIELD_NAMES), NASTY, max_size=8)
        for drawn in examples(fields, FORM_EXAMPLES):
            form = {
                key: value.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
                for key, value in drawn.items()
            }
            response = await client.post(
                path, data={**form, "_csrf_token": token}, headers={"x-csrftoken": token}
            )
            tried += 1
            after = await counts()  # one count per try: it is the next try's "before"
            if response.status_code >= 500:
                failures.append(f"{path}: {response.status_code} with {sorted(form)}")
            elif response.status_code >= 400 and after != state["before"]:
                before = state["before"]
                changed = {k: (before[k], after[k]) for k in after if after[k] != before[k]}
                failures.append(f"{path}: {response.status_code} but wrote {changed}")
            state["before"] = after

    for row, allowed in sorted(EXPECTED.items()):
        method, template = row.split(" ", 1)
        if method != "POST" or not allowed:
            continue
        if template.startswith("/tracks/"):
            template = template.replace("{code}", "{track}")
        path = re.sub(r"\{(\w+)\}", lambda m: str(values[m.group(1)]), template)
        identity = sorted(allowed & set(clients))[0]
        await try_forms(path, *clients[identity])
    for client, _token in clients.values():
        await client.aclose()
    assert failures == [], "\n".join(failures[:20])
    assert tried >= 30
