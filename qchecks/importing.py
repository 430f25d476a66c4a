"""The `qchecks` kind of the import (SPEC 5.1): selection files and their Q-check."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from core.database import (
    bulk_load,
    drop_stage,
    fetch_in_transaction,
    run_in_transaction,
    stage_append,
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
    duplicate_lines,
    email_cell,
    is_bulk_load,
    required,
)
from organisations.importing import language_cell, organisation_map
from organisations.tables import StaffMember

SCORE = re.compile(r"^\d{1,3}(\.\d{1,2})?$")


def score_hundredths(raw: str) -> int:
    """`83.25` -> 8325, exactly, from the digits (the text matched SCORE)."""
    whole, _dot, decimals = raw.partition(".")
    return int(whole) * 100 + int(decimals.ljust(2, "0"))


# The stage the rows stream into as they are validated, in batches of FLUSH rows.
STAGE = "stage_qcheck"
STAGE_COLUMNS = (
    ("line", "INTEGER"),
    ("reference", "TEXT"),
    ("organisation", "INTEGER"),
    ("consultant", "INTEGER"),
    ("language_role", "TEXT"),
    ("closed_on", "DATE"),
    ("checked_on", "DATE"),
    ("score_hundredths", "INTEGER"),
)
STAGE_NAMES = tuple(name for name, _kind in STAGE_COLUMNS)
FLUSH = 20_000


async def _import_qchecks(
    rows: Iterable[Row], scope: ImportScope, result: ImportResult
) -> Callable | None:
    if scope.organisation_code is not None:
        result.issues.append(ImportIssue(0, "only DG R&O records Q-checks"))
        return None
    organisations = {code: row["id"] for code, row in (await organisation_map()).items()}
    staff = {
        row["email"]: row["id"]
        for row in await StaffMember.select(StaffMember.id, StaffMember.email)
    }
    # Every row with a reference is staged (the duplicates are found there, as a set);
    # only a file without errors is merged.
    await stage_rows(STAGE, STAGE_COLUMNS)
    batch: list[tuple] = []
    staged = 0
    for row in rows:
        errors = RowErrors(row.line, result.issues)
        v = row.values
        reference = required(v, "selection_reference", errors)
        if len(reference) > 60:
            errors.add("selection_reference is longer than 60 characters")
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
        score = _score(v.get("score", "").strip(), errors)
        if reference:
            batch.append(
                (row.line, reference, organisation, consultant, role, closed, checked, score)
            )
            if len(batch) == FLUSH:
                await stage_append(STAGE, STAGE_NAMES, batch)
                staged += len(batch)
                batch = []
    await stage_append(STAGE, STAGE_NAMES, batch)
    staged += len(batch)
    for duplicate in await duplicate_lines(STAGE, "reference"):
        result.issues.append(
            ImportIssue(
                duplicate["line"],
                f"selection file {duplicate['key']} is already on line "
                f"{duplicate['first']} of this file",
            )
        )

    async def write() -> None:
        updated = await fetch_in_transaction(
            f"SELECT COUNT(*) AS n FROM {STAGE} s "  # noqa: S608
            "JOIN selection_file f ON f.reference = s.reference"
        )
        result.updated = int(updated[0]["n"])
        result.created = staged - result.updated
        # A load at least as large as what is there rebuilds the secondary indexes (and on
        # PostgreSQL checks the foreign keys) once, after the merge.
        bulk = await is_bulk_load(staged, "qcheck")
        async with (
            bulk_load("selection_file", when=bulk) as files,
            bulk_load("qcheck", when=bulk) as checks,
        ):
            await _merge(files.empty, checks.empty)
        await drop_stage(STAGE)

    return write


def _score(raw: str, errors: RowErrors) -> int | None:
    """The score in hundredths, exactly from its digits, or None with the row's error."""
    if raw == "":
        errors.add("score is empty")
    elif "," in raw:
        errors.add(f"score {raw!r}: use a dot for decimals, e.g. 83.25")
    elif not SCORE.match(raw):
        errors.add(f"score {raw!r} must be a percentage from 0 to 100 with at most two decimals")
    else:
        score = score_hundredths(raw)
        if score <= 10_000:
            return score
        errors.add(f"score {raw} is outside 0–100")
    return None


async def _merge(files_empty: bool, checks_empty: bool) -> None:
    """Selection files, then their Q-checks, each merged from the stage in one statement;
    the Q-checks find their selection file by reference in one join."""
    await run_in_transaction(
        upsert_from(
            "selection_file",
            ("reference", "organisation", "language_role", "closed_on"),
            f"SELECT reference, organisation, language_role, closed_on FROM {STAGE}",  # noqa: S608
            conflict=("reference",),
            update=("organisation", "language_role", "closed_on"),
            insert_only=files_empty,
        )
    )
    await run_in_transaction(
        upsert_from(
            "qcheck",
            ("selection_file", "organisation", "consultant", "checked_on", "score_hundredths"),
            "SELECT f.id, s.organisation, s.consultant, s.checked_on, "  # noqa: S608
            f"s.score_hundredths FROM {STAGE} s JOIN selection_file f ON f.reference = s.reference",
            conflict=("selection_file",),
            update=("organisation", "consultant", "checked_on", "score_hundredths"),
            insert_only=checks_empty,
        )
    )


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
