"""The `qchecks` kind of the import (SPEC 5.1): selection files and their Q-check."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from core.database import (
    bulk_load,
    bulk_upsert,
    drop_stage,
    run_in_transaction,
    stage_rows,
    upsert_from,
)
from core.i18n import gettext as _
from core.importing import (
    ImportIssue,
    ImportKind,
    ImportResult,
    ImportScope,
    Row,
    RowErrors,
    date_cell,
    email_cell,
    is_bulk_load,
    no_duplicate,
    required,
)
from organisations.importing import language_cell, organisation_map
from organisations.tables import StaffMember
from qchecks.tables import SelectionFile

SCORE = re.compile(r"^\d{1,3}(\.\d{1,2})?$")


def score_hundredths(raw: str) -> int:
    """`83.25` -> 8325, exactly, from the digits (the text matched SCORE)."""
    whole, _dot, decimals = raw.partition(".")
    return int(whole) * 100 + int(decimals.ljust(2, "0"))


async def _import_qchecks(
    rows: Iterable[Row], scope: ImportScope, result: ImportResult
) -> Callable | None:
    if scope.organisation_code is not None:
        result.issues.append(ImportIssue(0, "only DG R&O records Q-checks"))
        return None
    organisations = await organisation_map()
    staff = {
        row["email"]: row["id"]
        for row in await StaffMember.select(StaffMember.id, StaffMember.email)
    }
    existing = {row["reference"] for row in await SelectionFile.select(SelectionFile.reference)}
    seen: dict[str, int] = {}
    records = []
    for row in rows:
        errors = RowErrors(row.line, result.issues)
        v = row.values
        reference = required(v, "selection_reference", errors)
        if len(reference) > 60:
            errors.add("selection_reference is longer than 60 characters")
        no_duplicate(reference, row.line, seen, errors, f"selection file {reference}")
        code = required(v, "organisation_code", errors).upper()
        organisation = organisations.get(code)
        if code and organisation is None:
            errors.add(f"organisation {code} does not exist")
        email = email_cell(v, "consultant_email", errors)
        consultant = staff.get(email)
        if email and consultant is None:
            errors.add(
                f"no staff member with e-mail {email} (the consultant must be registered staff)"
            )
        role = language_cell(required(v, "language_role", errors), "language_role", errors)
        closed = date_cell(v, "closed_on", errors)
        checked = date_cell(v, "checked_on", errors)
        if closed and checked and checked < closed:
            errors.add("checked_on comes before closed_on: only a closed selection file is checked")
        raw_score = v.get("score", "").strip()
        score = None
        if raw_score == "":
            errors.add("score is empty")
        elif "," in raw_score:
            errors.add(f"score {raw_score!r}: use a dot for decimals, e.g. 83.25")
        elif not SCORE.match(raw_score):
            errors.add(
                f"score {raw_score!r} must be a percentage from 0 to 100 with at most two decimals"
            )
        else:
            score = score_hundredths(raw_score)
            if score > 10_000:
                errors.add(f"score {raw_score} is outside 0–100")
                score = None
        if errors.count == 0 and organisation is not None and consultant is not None:
            records.append(
                (reference, organisation["id"], consultant, role, closed, checked, score)
            )

    async def write() -> None:
        result.created = sum(1 for r in records if r[0] not in existing)
        result.updated = len(records) - result.created
        # A load at least as large as what is there rebuilds the secondary indexes (and on
        # PostgreSQL checks the foreign keys) once, after the merge.
        bulk = await is_bulk_load(len(records), "qcheck")
        async with (
            bulk_load("selection_file", when=bulk),
            bulk_load("qcheck", when=bulk),
        ):
            await _merge(records)

    return write


async def _merge(records: list[tuple]) -> None:
    """Selection files, then their Q-checks, each staged and merged in one statement."""
    await bulk_upsert(
        "selection_file",
        ("reference", "organisation", "language_role", "closed_on"),
        ((ref, o, lr, cl) for ref, o, _c, lr, cl, _ch, _s in records),
        conflict=("reference",),
        update=("organisation", "language_role", "closed_on"),
    )
    # The Q-checks find their selection file by reference in one join, not a
    # sub-select per row.
    await stage_rows(
        "stage_qcheck",
        (
            ("reference", "TEXT"),
            ("organisation", "INTEGER"),
            ("consultant", "INTEGER"),
            ("checked_on", "DATE"),
            ("score_hundredths", "INTEGER"),
        ),
        ((ref, o, c, ch, sc) for ref, o, c, _lr, _cl, ch, sc in records),
    )
    await run_in_transaction(
        upsert_from(
            "qcheck",
            ("selection_file", "organisation", "consultant", "checked_on", "score_hundredths"),
            "SELECT f.id, s.organisation, s.consultant, s.checked_on, s.score_hundredths "
            "FROM stage_qcheck s JOIN selection_file f ON f.reference = s.reference",
            conflict=("selection_file",),
            update=("organisation", "consultant", "checked_on", "score_hundredths"),
        )
    )
    await drop_stage("stage_qcheck")


QCHECKS = ImportKind(
    name="qchecks",
    columns=(
        "selection_reference",
        "organisation_code",
        "consultant_email",
        "language_role",
        "closed_on",
        "checked_on",
        "score",
    ),
    validate=_import_qchecks,
    tables_written=("selection_file", "qcheck"),
    label=lambda: _("Q-checks"),
    note=lambda: _(
        "qchecks: score is a percentage from 0 to 100 with at most two decimals, "
        "with a dot (83.25)."
    ),
)
