"""Every field of every form the portal shows, filled as a person would and then spoiled
one field at a time (issue 18 #4 and #5): sent as multipart/form-data with a NUL
character, or holding a number no column can keep (`OUT_OF_RANGE`). Neither may answer
5xx, and a refused post writes nothing, on SQLite and on PostgreSQL.

The forms are read from the pages themselves (each identity of the route matrix, every
page it may open), so a new form is tried without a line here; a POST route of the route
matrix that no page shows a form for fails the test, unless listed in `WITHOUT_FORM`."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlencode

import pytest

from tests.conftest import CSRF_FIELD, login, new_client

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@dataclass
class Form:
    action: str
    fields: list[tuple[str, str]] = field(default_factory=list)
    kinds: dict[str, str] = field(default_factory=dict)
    unticked: list[tuple[str, str]] = field(default_factory=list)


class _FormReader(HTMLParser):
    """The POST forms of a page: each field's name and the value a person would send
    (the value shown, the selected or first option), in page order."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: tuple[str, list[tuple[str, bool]]] | None = None
        self._option: list[str] | None = None
        self._textarea: tuple[str, list[str]] | None = None
        self.other_actions: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {key: value or "" for key, value in attrs}
        if tag == "form":
            method = a.get("method", "get").lower()
            self._form = Form(a.get("action", "")) if method == "post" else None
        elif self._form is None:
            return
        elif tag == "input" and a.get("name"):
            self._input(a)
        elif tag == "select" and a.get("name"):
            self._select = (a["name"], [])
        elif tag == "option" and self._select is not None:
            self._option = [a["value"]] if "value" in a else []
            self._select[1].append(("", "selected" in a))
        elif tag == "textarea" and a.get("name"):
            self._textarea = (a["name"], [])
        elif tag == "button" and a.get("formaction"):
            self.other_actions.append(a["formaction"])

    def _input(self, a: dict[str, str]) -> None:
        assert self._form is not None
        kind = a.get("type", "text")
        if kind in ("checkbox", "radio"):
            taken = {name for name, _ in self._form.fields}
            if kind == "radio" and a["name"] in taken:
                return
            if kind == "checkbox" and "checked" not in a:
                # Not sent as shown, but a person may tick it: a field to try all the same
                # (once: its sisters of the same name are parsed alike).
                if a["name"] not in {name for name, _ in self._form.unticked}:
                    self._form.unticked.append((a["name"], a.get("value", "on")))
                return
        if a.get("inputmode") in ("numeric", "decimal") and "pattern" not in a:
            kind = "number"
        default = "on" if kind == "checkbox" else ""
        self._form.fields.append((a["name"], a.get("value", default)))
        self._form.kinds[a["name"]] = "date" if "[0-9]{4}-" in a.get("pattern", "") else kind

    def handle_data(self, data: str) -> None:
        if self._option is not None and self._select is not None and not self._option[:1]:
            self._option.append(data.strip())
        if self._textarea is not None:
            self._textarea[1].append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "option" and self._option is not None and self._select is not None:
            value = self._option[0] if self._option else ""
            self._select[1][-1] = (value, self._select[1][-1][1])
            self._option = None
        elif tag == "select" and self._select is not None and self._form is not None:
            name, options = self._select
            chosen = [v for v, selected in options if selected] or [v for v, _ in options if v]
            self._form.fields.append((name, chosen[0] if chosen else ""))
            self._form.kinds[name] = "select"
            self._select = None
        elif tag == "textarea" and self._textarea is not None and self._form is not None:
            self._form.fields.append((self._textarea[0], "".join(self._textarea[1])))
            self._form.kinds[self._textarea[0]] = "textarea"
            self._textarea = None
        elif tag == "form" and self._form is not None:
            self.forms.append(self._form)
            # A button with its own `formaction` posts the same fields elsewhere.
            for action in self.other_actions:
                fields, kinds = list(self._form.fields), dict(self._form.kinds)
                self.forms.append(Form(action, fields, kinds, list(self._form.unticked)))
            self.other_actions = []
            self._form = None


def page_forms(html: str) -> list[Form]:
    reader = _FormReader()
    reader.feed(html)
    return reader.forms


def filled(form: Form) -> list[tuple[str, str]]:
    """The form as a person would send it: empty fields given a plausible value (a list
    left at its empty choice stays so)."""
    today = dt.date.today().isoformat()
    out = []
    for name, value in form.fields:
        kind = form.kinds.get(name, "text")
        if not value and name != "_csrf_token" and kind != "select":
            value = {
                "date": today,
                "email": f"matrix-{uuid.uuid4().hex[:8]}@bosa.demo.portal.be",
                "number": "80",
                "password": "matrix-password-2026-long",
            }.get(kind, "Matrix")
        out.append((name, value))
    return out


def route_patterns(app) -> dict[str, tuple[re.Pattern[str], int]]:
    """`POST /path/{name}` (the route matrix's rows) -> the paths it takes, as Litestar
    routes them (an `int` parameter takes digits only), and its number of parameters."""
    types = {"int": r"-?[0-9]+", "str": r"[^/]+", "path": r".*"}
    patterns = {}
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            if "POST" not in handler.http_methods:
                continue
            row = "POST " + re.sub(r"\{(\w+):[^}]+\}", r"{\1}", route.path)
            regex = re.sub(
                r"\\\{\w+:(\w+)\\\}",
                lambda m: types.get(m.group(1), r"[^/]+"),
                re.escape(route.path),
            )
            patterns[row] = (re.compile(f"^{regex}$"), route.path.count("{"))
    return patterns


# POST routes of the route matrix for which no page shows a form to an identity allowed
# to post it: their own tests cover them.
WITHOUT_FORM = {
    "POST /api/v1/qchecks": "JSON, not a form: test_robustness and the API's schema tests",
    "POST /admin/users/{user_id}/reactivate": "no field; shown for a deactivated account",
    "POST /admin/users/{user_id}/invitation": "no field; shown for a pending invitation",
    "POST /admin/users/{user_id}/staff-record/remove": "no field; shown for a linked record",
    "POST /cycles/{cycle_id}/report/receipt": "shown once the report is final, on a cycle "
    "still open: the matrix's cycle has its tasks open; tests/cycles/test_reports.py posts it",
}


@dataclass
class Matrix:
    forms: dict[str, tuple[str, Form]]
    clients: dict[str, tuple[object, str]]
    missing: list[str]


async def harvest(app, users) -> Matrix:
    """For each POST route of the route matrix: an identity allowed to post it and a form
    a page showed that identity for it (DG R&O also opens FIN's and MOBILIT's pages)."""
    from competencies.functions import add_profile
    from core.audit import Actor
    from tests.portal.test_route_matrix import DGRO, EXPECTED, USERS, records

    values = await records(users)
    await add_profile(Actor.command_line("matrix"), None, "Matrix federal function")
    clients = {}
    for identity, name in USERS.items():
        client = new_client(app)
        await login(client, users[name])
        page = await client.get("/accessibility")
        match = CSRF_FIELD.search(page.text)
        assert match
        clients[identity] = (client, match.group(1))
    seen: dict[str, list[Form]] = {identity: [] for identity in clients}
    for row, allowed in sorted(EXPECTED.items()):
        method, template = row.split(" ", 1)
        if method != "GET" or re.search(r"\.(csv|xlsx)$|/letters/|/api/", template):
            continue
        if template.startswith("/tracks/"):
            template = template.replace("{code}", "{track}")
        for identity in sorted(allowed & set(clients)):
            # MOBILIT holds client certification: its mentoring page has the form.
            every = ["BOSA", "FIN", "MOBILIT"]
            codes = every if identity == DGRO and "{code}" in template else ["BOSA"]
            for code in codes:
                named = {**values, "code": code}
                path = re.sub(r"\{(\w+)\}", lambda m, named=named: str(named[m.group(1)]), template)
                page = await clients[identity][0].get(path)  # type: ignore[attr-defined]
                if page.status_code == 200 and "text/html" in page.headers["content-type"]:
                    seen[identity].extend(page_forms(page.text))
    patterns = route_patterns(app)
    chosen: dict[str, tuple[str, Form]] = {}
    for identity, forms in seen.items():
        for form in forms:
            action = form.action.split("?")[0]
            rows = [row for row, (pattern, _n) in patterns.items() if pattern.match(action)]
            if not rows:
                continue
            # The route Litestar takes: a literal segment before a parameter.
            row = min(rows, key=lambda r: patterns[r][1])
            if identity in EXPECTED.get(row, set()) and row not in chosen:
                chosen[row] = (identity, form)
    missing = [
        row
        for row, allowed in sorted(EXPECTED.items())
        if row.startswith("POST ") and allowed and row not in chosen and row not in WITHOUT_FORM
    ]
    return Matrix(chosen, clients, missing)


def with_token(fields: list[tuple[str, str]], token: str) -> list[tuple[str, str]]:
    return [(name, token if name == "_csrf_token" else value) for name, value in fields]


def multipart_body(fields: list[tuple[str, str]], form: Form, boundary: str) -> bytes:
    """The form as a browser sends it with `enctype="multipart/form-data"`; a file field
    holds a one-line CSV under the name typed in it (a NUL there too, if it has one)."""
    out = b""
    for name, value in fields:
        if form.kinds.get(name) == "file":
            head = f'form-data; name="{name}"; filename="{value}.csv"\r\nContent-Type: text/csv'
            content = b"code\n"
        else:
            head, content = f'form-data; name="{name}"', value.encode()
        out += f"--{boundary}\r\nContent-Disposition: {head}\r\n\r\n".encode()
        out += content + b"\r\n"
    return out + f"--{boundary}--\r\n".encode()


async def counts() -> dict[str, int]:
    """Rows per table (of the audit log the writes that took place, as in test_fuzz), in
    one query: the matrix counts after each of its posts."""
    from piccolo.conf.apps import Finder

    from core.tables import AuditEntry

    names = sorted(
        table._meta.tablename
        for table in Finder().get_table_classes()
        if table._meta.tablename != "portal_store"
    )
    audit = AuditEntry._meta.tablename
    where = {audit: " WHERE outcome = 'ok'"}
    parts = [f'(SELECT COUNT(*) FROM {n}{where.get(n, "")}) AS "{n}"' for n in names]  # noqa: S608
    row = (await AuditEntry.raw("SELECT " + ", ".join(parts)))[0]
    return {name: int(row[name]) for name in names}


def changed(before: dict[str, int], after: dict[str, int]) -> dict[str, tuple[int, int]]:
    return {name: (before[name], after[name]) for name in after if after[name] != before[name]}


async def close(matrix: Matrix) -> None:
    for client, _token in matrix.clients.values():
        await client.aclose()  # type: ignore[attr-defined]


async def test_every_field_of_every_form_sent_as_multipart_with_a_nul_is_refused(app, users):
    """Issue 18 #4: the input guard read urlencoded and JSON bodies only; the staff form
    as multipart/form-data stored `F\\x00x` on SQLite and was a 500 on PostgreSQL. Now every
    field (the CSRF token's too) and every uploaded file's name: 400 with the words,
    nothing written."""
    matrix = await harvest(app, users)
    assert matrix.missing == [], f"POST routes without a form on any page: {matrix.missing}"
    boundary = "matrix-" + uuid.uuid4().hex
    failures: list[str] = []
    tried = 0
    for row, (identity, form) in sorted(matrix.forms.items()):
        client, token = matrix.clients[identity]
        base = with_token(filled(form), token) + form.unticked
        before = await counts()
        for index, (name, _value) in enumerate(base):
            spoiled = [*base[:index], (name, "F\x00x"), *base[index + 1 :]]
            answer = await client.post(  # type: ignore[attr-defined]
                form.action,
                content=multipart_body(spoiled, form, boundary),
                # As a browser posts a form: the token in the form only (the CSRF check
                # reads it there), so that every field is read by someone.
                headers={"content-type": f"multipart/form-data; boundary={boundary}"},
            )
            tried += 1
            if answer.status_code != 400 or "(NUL)" not in answer.text:
                failures.append(f"{row} {name}: {answer.status_code}")
        after = await counts()
        if after != before:
            failures.append(f"{row}: wrote {changed(before, after)}")
    await close(matrix)
    assert failures == [], "\n".join(failures)
    assert tried > 150


# Numbers no column holds (ids and revisions are 32-bit INTEGER; SQLite's from 2**63),
# below every range, a digit to `str.isdigit` that `int` refuses, and more digits than
# `int` reads (4,300).
OUT_OF_RANGE = (str(2**31), str(2**63), "-1", str(10**30), "²", "9" * 5000)


async def test_every_field_of_every_form_holding_a_number_out_of_range_is_no_error(app, users):
    """Issue 18 #5: `revision=2147483648` on /applications/2/reject, `mentor=`, `mentee=`,
    `competency=`, `team=`, `staff=` were 500s (PostgreSQL from 2**31, SQLite from 2**63).
    Every field of every form, one at a time, with each value: never a 5xx; a refused post
    writes nothing; and a field that holds a number (its value on the page is digits) is
    refused: no record has such an id, no count is that large."""
    matrix = await harvest(app, users)
    assert matrix.missing == []
    failures: list[str] = []
    tried = 0
    before = await counts()
    for row, (identity, form) in sorted(matrix.forms.items()):
        client, token = matrix.clients[identity]
        base = with_token(filled(form), token) + form.unticked
        for index, (name, value) in enumerate(base):
            if name == "_csrf_token" or form.kinds.get(name) == "file":
                continue
            for number in OUT_OF_RANGE:
                spoiled = [*base[:index], (name, number), *base[index + 1 :]]
                answer = await client.post(  # type: ignore[attr-defined]
                    form.action,
                    content=urlencode(spoiled),
                    headers={
                        "content-type": "application/x-www-form-urlencoded",
                        "x-csrftoken": token,
                    },
                )
                tried += 1
                after = await counts()  # this try's "after" is the next one's "before"
                status = answer.status_code
                if status >= 500:
                    failures.append(f"{row} {name}={number[:12]}: {status}")
                elif status >= 400 and after != before:
                    failures.append(
                        f"{row} {name}={number[:12]}: {status}, wrote {changed(before, after)}"
                    )
                elif re.fullmatch(r"[0-9]+", value) and status < 400:
                    failures.append(f"{row} {name}={number[:12]}: {status}, taken")
                before = after
    await close(matrix)
    assert failures == [], "\n".join(failures)
    assert tried > 500
