"""The `functions` kind of the import (SPEC 5.1): `email`, `function`, `started_on`: the
staff member holds that function from that date (a change of function). A staff
member's first function starts on their `start_date`; `started_on` before the
`start_date` or after the `end_date` is an error. Natural key: email + started_on."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from core.database import bulk_upsert
from core.i18n import gettext as _
from core.importing import (
    ImportKind,
    ImportResult,
    ImportScope,
    Row,
    RowErrors,
    date_cell,
    email_cell,
    no_duplicate,
    required,
    varchar_lengths,
)
from cycles.tables import StaffFunction
from organisations.importing import staff_in_scope
from organisations.tables import StaffMember


async def _import_functions(
    rows: Iterable[Row], scope: ImportScope, result: ImportResult
) -> Callable | None:
    staff = {
        row["email"]: row
        for row in await staff_in_scope(
            scope,
            StaffMember.id,
            StaffMember.email,
            StaffMember.start_date,
            StaffMember.end_date,
        )
    }
    existing = {
        (row["staff"], row["started_on"])
        for row in await StaffFunction.select(StaffFunction.staff, StaffFunction.started_on)
    }
    seen: dict[tuple, int] = {}
    records = []
    for row in rows:
        errors = RowErrors(row.line, result.issues)
        v = row.values
        email = email_cell(v, "email", errors)
        title = required(v, "function", errors)
        started = date_cell(v, "started_on", errors)
        member = staff.get(email)
        if email and member is None:
            where = f" in {scope.organisation_code}" if scope.organisation_code else ""
            errors.add(f"no staff member with e-mail {email}{where}")
        if member is not None and started is not None:
            if started < member["start_date"]:
                errors.add(
                    f"started_on {started} comes before the start_date {member['start_date']}"
                )
            elif member["end_date"] is not None and started > member["end_date"]:
                errors.add(f"started_on {started} comes after the end_date {member['end_date']}")
        no_duplicate((email, started), row.line, seen, errors, "this function")
        if errors.count == 0 and member is not None and started is not None:
            records.append((member["id"], started, title))

    async def write() -> None:
        result.created = sum(1 for r in records if (r[0], r[1]) not in existing)
        result.updated = len(records) - result.created
        await bulk_upsert(
            "staff_function",
            ("staff", "started_on", "title"),
            records,
            conflict=("staff", "started_on"),
            update=("title",),
        )

    return write


FUNCTIONS = ImportKind(
    name="functions",
    columns=("email", "function", "started_on"),
    validate=_import_functions,
    tables_written=("staff_function",),
    limits={
        **varchar_lengths(StaffMember, email="email"),
        **varchar_lengths(StaffFunction, function="title"),
    },
    label=lambda: _("Functions"),
    note=lambda: _(
        "functions: the staff member holds the function from started_on (a change of "
        "function); the first function starts on the start_date."
    ),
)
