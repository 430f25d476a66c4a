"""SPEC 5.1 `functions` import and 5.4 `portal cycles generate|list`, as a user runs them."""

from __future__ import annotations

import json

from tests.portal.test_cli import run_portal

ORGS = "code,name_nl,name_fr,language_roles,pro_partner_email\nBOSA,BOSA,BOSA,NL|FR,\n"
STAFF = (
    "organisation_code,email,first_name,last_name,language_role,start_date,end_date\n"
    "BOSA,a@x.be,A,A,NL,2026-07-01,\n"
    "BOSA,b@x.be,B,B,NL,2020-03-01,2024-05-31\n"
)
FUNCTIONS = (
    "email,function,started_on\n"
    "a@x.be,Consultant,2026-07-01\n"
    "b@x.be,Assistant,2020-03-01\n"
    "b@x.be,Consultant,2022-09-15\n"
)


def load(tmp_path, database, kind, text):
    path = tmp_path / f"{kind}.csv"
    path.write_text(text)
    return run_portal("import", kind, str(path), database=database)


def test_functions_import_and_cycles(tmp_path):
    database = tmp_path / "portal.sqlite"
    assert run_portal("migrate", database=database).returncode == 0
    for kind, text in (("organisations", ORGS), ("staff", STAFF)):
        assert load(tmp_path, database, kind, text).returncode == 0
    bad = load(
        tmp_path,
        database,
        "functions",
        FUNCTIONS + "b@x.be,Late,2024-06-01\nb@x.be,Early,2019-01-01\n",
    )
    assert bad.returncode != 0
    assert (
        "functions.csv:5: started_on 2024-06-01 comes after the end_date 2024-05-31"
        in bad.stdout + bad.stderr
    )
    assert (
        "functions.csv:6: started_on 2019-01-01 comes before the start_date 2020-03-01"
        in bad.stdout + bad.stderr
    )
    assert load(tmp_path, database, "functions", FUNCTIONS).returncode == 0
    first = run_portal("cycles", "generate", "--through", "2028-01-01", database=database)
    assert first.returncode == 0, first.stderr
    again = run_portal("cycles", "generate", "--through", "2028-01-01", database=database)
    assert "0 cycle(s) created" in again.stdout
    listed = json.loads(run_portal("cycles", "list", "--format", "json", database=database).stdout)
    assert listed == [
        {
            "email": "a@x.be",
            "organisation": "BOSA",
            "function": "Consultant",
            "start": "2026-07-01",
            "end": "2027-12-31",
            "kind": "annual",
        },
        {
            "email": "a@x.be",
            "organisation": "BOSA",
            "function": "Consultant",
            "start": "2028-01-01",
            "end": "2028-12-31",
            "kind": "annual",
        },
        {
            "email": "b@x.be",
            "organisation": "BOSA",
            "function": "Assistant",
            "start": "2020-03-01",
            "end": "2020-12-31",
            "kind": "annual",
        },
        {
            "email": "b@x.be",
            "organisation": "BOSA",
            "function": "Assistant",
            "start": "2021-01-01",
            "end": "2021-12-31",
            "kind": "annual",
        },
        {
            "email": "b@x.be",
            "organisation": "BOSA",
            "function": "Assistant",
            "start": "2022-01-01",
            "end": "2022-09-14",
            "kind": "annual",
        },
        {
            "email": "b@x.be",
            "organisation": "BOSA",
            "function": "Consultant",
            "start": "2022-09-15",
            "end": "2023-12-31",
            "kind": "annual",
        },
        {
            "email": "b@x.be",
            "organisation": "BOSA",
            "function": "Consultant",
            "start": "2024-01-01",
            "end": "2024-05-31",
            "kind": "annual",
        },
    ]
    # A later change of function ends the running cycle early; nothing is duplicated.
    assert (
        load(
            tmp_path, database, "functions", "email,function,started_on\na@x.be,Senior,2027-03-01\n"
        ).returncode
        == 0
    )
    run_portal("cycles", "generate", "--through", "2028-01-01", database=database)
    a_cycles = [
        row
        for row in json.loads(run_portal("cycles", "list", database=database).stdout)
        if row["email"] == "a@x.be"
    ]
    assert [(r["start"], r["end"], r["function"]) for r in a_cycles] == [
        ("2026-07-01", "2027-02-28", "Consultant"),
        ("2027-03-01", "2027-12-31", "Senior"),
        ("2028-01-01", "2028-12-31", "Senior"),
    ]
    csv_out = run_portal(
        "cycles", "list", "--format", "csv", "--organisation", "BOSA", database=database
    ).stdout
    assert csv_out.splitlines()[0] == "email,organisation,function,start,end,kind"


async def test_generate_on_the_test_database():
    """The same service on SQLite and PostgreSQL: created once, shortened, listed in order."""
    from core.audit import Actor
    from cycles.queries import cycle_rows
    from cycles.service import generate
    from portal.imports import ImportScope, import_file

    for kind, text in (("organisations", ORGS), ("staff", STAFF), ("functions", FUNCTIONS)):
        assert (await import_file(kind, f"{kind}.csv", text.encode(), ImportScope())).ok
    actor = Actor.command_line("test")
    import datetime as dt

    first = await generate(actor, dt.date(2028, 1, 1))
    assert (first.created, first.changed, first.removed) == (7, 0, 0)
    again = await generate(actor, dt.date(2028, 1, 1), "BOSA")
    assert (again.created, again.changed, again.removed) == (0, 0, 0)
    rows = await cycle_rows("BOSA")
    assert [r["start"] for r in rows][:2] == ["2026-07-01", "2028-01-01"]
