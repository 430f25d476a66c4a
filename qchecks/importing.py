"""The `qchecks` kind of the import (SPEC 5.1): selection files and their Q-check."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable, Iterable
from operator import itemgetter

from core.database import (
    bulk_load,
    drop_stage,
    fetch_in_transaction,
    run_in_transaction,
    stage_append,
    stage_rows,
    upsert_from,
    write_transaction,
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
    varchar_lengths,
)
from core.parsing import NotADate, is_email, parse_iso_date
from organisations.importing import language_cell, organisation_map
from organisations.rules import LANGUAGE_ROLES
from organisations.tables import StaffMember
from qchecks import watch
from qchecks.queries import closed_years
from qchecks.rules import check_dates, check_score
from qchecks.tables import SelectionFile

# SPEC 5.1's words for the problems `qchecks.rules` finds.
SCORE_PROBLEMS = {
    "empty": "score is empty",
    "comma": "score {raw!r}: use a dot for decimals, e.g. 83.25",
    "shape": "score {raw!r} must be a percentage from 0 to 100 with at most two decimals",
    "range": "score {raw} is outside 0–100",
}
DATE_PROBLEMS = {
    "closed_in_future": "closed_on {closed} lies in the future: "
    "only a closed selection file is checked",
    "checked_in_future": "checked_on {checked} lies in the future",
    "checked_before_closed": "checked_on comes before closed_on: "
    "only a closed selection file is checked",
}


QCHECK_COLUMNS = (
    "selection_reference",
    "organisation_code",
    "consultant_email",
    "language_role",
    "closed_on",
    "checked_on",
    "score",
)

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
    ("checked_by", "TEXT"),
)
STAGE_NAMES = tuple(name for name, _kind in STAGE_COLUMNS)
FLUSH = 20_000

# The staged rows whose consultant was not on the staff of the file's organisation on its
# closing date: `qchecks.rules.on_staff_on` (the current posting or an earlier one before
# a move), as one set-based query over the stage.
NOT_ON_STAFF = f"""
SELECT s.line AS line, m.email AS email, o.code AS code, s.closed_on AS closed_on
FROM {STAGE} s
JOIN staff_member m ON m.id = s.consultant
JOIN organisation o ON o.id = s.organisation
WHERE s.closed_on IS NOT NULL
  AND NOT (m.organisation = s.organisation AND m.start_date <= s.closed_on
           AND (m.end_date IS NULL OR m.end_date >= s.closed_on))
  AND NOT EXISTS (
    SELECT 1 FROM staff_assignment a
    WHERE a.staff = s.consultant AND a.organisation = s.organisation
      AND a.start_date <= s.closed_on AND (a.end_date IS NULL OR a.end_date >= s.closed_on))
"""  # noqa: S608 - the stage's name is the code's


def _worded(
    row: Row,
    organisations: dict[str, int],
    staff: dict[str, int],
    today: dt.date,
    errors: RowErrors,
) -> tuple:
    """The full check of a row the quick one (`_clean`) refused: each problem in words;
    the row's values as far as they could be read (reference first)."""
    v = row.values
    reference = required(v, "selection_reference", errors)
    code = required(v, "organisation_code", errors).upper()
    organisation = organisations.get(code)
    if code and organisation is None:
        errors.add(f"organisation {code} does not exist")
    email = email_cell(v, "consultant_email", errors)
    consultant = staff.get(email)
    if email and consultant is None:
        errors.add(f"no staff member with e-mail {email} (the consultant must be registered staff)")
    role = language_cell(required(v, "language_role", errors), "language_role", errors)
    closed = date_cell(v, "closed_on", errors)
    checked = date_cell(v, "checked_on", errors)
    if closed and checked:
        for problem in check_dates(closed, checked, today):
            errors.add(DATE_PROBLEMS[problem].format(closed=closed, checked=checked))
    elif closed and closed > today:
        errors.add(DATE_PROBLEMS["closed_in_future"].format(closed=closed))
    elif checked and checked > today:
        errors.add(DATE_PROBLEMS["checked_in_future"].format(checked=checked))
    raw_score = v.get("score", "").strip()
    score, score_problem = check_score(raw_score)
    if score_problem:
        errors.add(SCORE_PROBLEMS[score_problem].format(raw=raw_score))
    return (reference, organisation, consultant, role, closed, checked, score)


async def _staged_issues(result: ImportResult) -> None:
    """What only the whole file shows, found as sets in the stage: a reference twice, a
    consultant not on the organisation's staff on the closing day, a closed year."""
    for duplicate in await duplicate_lines(STAGE, "reference"):
        result.issues.append(
            ImportIssue(
                duplicate["line"],
                f"selection file {duplicate['key']} is already on line "
                f"{duplicate['first']} of this file",
            )
        )
    for elsewhere in await fetch_in_transaction(NOT_ON_STAFF):
        result.issues.append(
            ImportIssue(
                int(elsewhere["line"]),
                f"consultant {elsewhere['email']} is not on the staff of {elsewhere['code']} "
                f"on closed_on {elsewhere['closed_on']}",
            )
        )
    for line, year in await _closed_year_lines(await closed_years()):
        result.issues.append(
            ImportIssue(line, f"the yearly review of {year} is closed: its Q-checks cannot change")
        )


async def _import_qchecks(
    rows: Iterable[Row], scope: ImportScope, result: ImportResult
) -> Callable | None:
    if scope.organisation_code is not None:
        result.issues.append(ImportIssue(0, "only DG R&O records Q-checks"))
        return None
    organisations = {code: row.id for code, row in (await organisation_map()).items()}
    staff = {
        row["email"]: row["id"]
        for row in await StaffMember.select(StaffMember.id, StaffMember.email)
    }
    today = dt.date.today()
    by = scope.registered_by
    # Every row with a reference is staged (the duplicates are found there, as a set);
    # only a file without errors is merged.
    await stage_rows(STAGE, STAGE_COLUMNS)
    batch: list[tuple] = []
    staged = 0
    cells_of: Callable[[list[str]], tuple[str, ...]] | None = None
    for row in rows:
        if cells_of is None:  # the columns in the file's order, taken in one C call a row
            cells_of = itemgetter(*(row.header.index(column) for column in QCHECK_COLUMNS))
        clean = _clean(cells_of(row.cells), organisations, staff, today)
        if clean is not None:
            batch.append((row.line, *clean, by))
            if len(batch) == FLUSH:
                await stage_append(STAGE, STAGE_NAMES, batch)
                staged += len(batch)
                batch = []
            continue
        # Something in the row is off: the full check words each problem.
        worded = _worded(row, organisations, staff, today, RowErrors(row.line, result.issues))
        reference = worded[0]
        if reference:
            batch.append((row.line, *worded, by))
            if len(batch) == FLUSH:
                await stage_append(STAGE, STAGE_NAMES, batch)
                staged += len(batch)
                batch = []
    await stage_append(STAGE, STAGE_NAMES, batch)
    staged += len(batch)
    await _staged_issues(result)

    # What the watches (`qchecks.watch`: the threshold watch) note before the write: read
    # now, before the import replaces the data version (a result cached under the new
    # version must be of the new data).
    noted = [] if result.issues else await watch.before(None, today)

    async def write() -> Callable[[], Awaitable[None]]:
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

        async def after_commit() -> None:
            # After the commit and fresh statistics: the threshold watch reads all
            # organisations' eligibility (see certification.qcheck_watch).
            async with write_transaction():
                await watch.after(noted, None, today)

        return after_commit

    return write


_ROLES = {role: role for role in LANGUAGE_ROLES}


def _clean(
    cells: tuple[str, ...],
    organisations: dict[str, int],
    staff: dict[str, int],
    today: dt.date,
) -> tuple | None:
    """The staged values of a row with nothing to say about it, checked as the full check
    does (`qchecks.rules`), or None: then the full check runs and words each problem.
    A shortcut for the million clean rows of a bulk load, not a second set of rules."""
    reference, code, email, role, closed_on, checked_on, raw_score = cells
    organisation = organisations.get(code.upper())
    email = email.lower()
    consultant = staff.get(email) if is_email(email) else None
    role = _ROLES.get(role.upper(), "")
    if not reference or organisation is None or consultant is None:
        return None
    if not role:
        return None
    try:
        closed = parse_iso_date(closed_on)
        checked = parse_iso_date(checked_on)
    except NotADate:
        return None
    if check_dates(closed, checked, today):
        return None
    score, problem = check_score(raw_score)
    if problem:
        return None
    return reference, organisation, consultant, role, closed, checked, score


async def _closed_year_lines(years: set[int]) -> list[tuple[int, int]]:
    """(line, year) of the staged rows that would change a Q-check of a closed year: a new
    check dated in it, or an existing one dated in it (the guard of `qchecks.service`)."""
    found: dict[int, int] = {}
    for year in sorted(years):
        start, end = dt.date(year, 1, 1).isoformat(), dt.date(year, 12, 31).isoformat()
        # The dates are built from integers here, never from the file.
        rows = await fetch_in_transaction(
            f"SELECT s.line AS line FROM {STAGE} s "  # noqa: S608
            "LEFT JOIN selection_file f ON f.reference = s.reference "
            "LEFT JOIN qcheck q ON q.selection_file = f.id "
            f"WHERE (s.checked_on >= '{start}' AND s.checked_on <= '{end}') "
            f"OR (q.checked_on >= '{start}' AND q.checked_on <= '{end}')"
        )
        for row in rows:
            found.setdefault(int(row["line"]), year)
    return sorted(found.items())


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
            (
                "selection_file",
                "organisation",
                "consultant",
                "checked_on",
                "score_hundredths",
                "checked_by",
                "updated_at",
            ),
            "SELECT f.id, s.organisation, s.consultant, s.checked_on, "  # noqa: S608
            "s.score_hundredths, s.checked_by, CURRENT_TIMESTAMP "
            f"FROM {STAGE} s JOIN selection_file f ON f.reference = s.reference",
            conflict=("selection_file",),
            update=(
                "organisation",
                "consultant",
                "checked_on",
                "score_hundredths",
                "checked_by",
                "updated_at",
            ),
            increment=("revision",),
            insert_only=checks_empty,
        )
    )


QCHECKS = ImportKind(
    name="qchecks",
    columns=QCHECK_COLUMNS,
    validate=_import_qchecks,
    tables_written=("selection_file", "qcheck"),
    limits={
        **varchar_lengths(SelectionFile, selection_reference="reference"),
        **varchar_lengths(StaffMember, consultant_email="email"),
    },
    label=lambda: _("Q-checks"),
    note=lambda: _(
        "qchecks: score is a percentage from 0 to 100 with at most two decimals, "
        "with a dot (83.25)."
    ),
)
