"""The shared half of every import (SPEC 5.1): reading, header checks, the run, the audit.

An area contributes an `ImportKind`: its columns and a `validate` step that checks every
row against the database as sets and returns the writer of the valid rows. `run_import`
reads the file (CSV or XLSX, size and zip-bomb limits), checks the header, validates and
writes all or nothing in one transaction together with one audit entry.

Every cell is held to the length its table column allows (the kind's `limits`, taken
from the tables, which the forms share) or to MAX_CELL, and may hold no NUL character
(PostgreSQL refuses one in text): such a row is named by its line and never reaches the
kind's checks nor the database.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from core import audit, versions
from core.database import (
    fetch_in_transaction,
    give_bulk_memory,
    refresh_statistics,
    table_size,
    write_transaction,
)
from core.parsing import FIRST_DAY, LAST_DAY, NotADate, is_email, parse_iso_date

MAX_FILE_BYTES = 128 * 1024 * 1024
MAX_XLSX_UNPACKED_BYTES = 256 * 1024 * 1024
MAX_XLSX_RATIO = 100
MAX_ROWS = 2_000_000
# The longest cell of a column whose table gives no length (dates, scores, codes).
MAX_CELL = 255
NUL_MESSAGE = "{column} holds a NUL character (\\0), which no text may contain"
# Rows per INSERT statement: below SQLite's limit on bound variables.
CHUNK = 500
# Large imports refresh the planner's statistics of the tables they wrote.
ANALYZE_AFTER_ROWS = 1000
# From this many rows, an import at least as large as its table is a bulk load (see
# `core.database.bulk_load`).
BULK_LOAD_ROWS = 50_000


class ImportRefused(Exception):
    """The whole file is refused before any row is read (size, format, header)."""

    def __init__(self, issues: list[ImportIssue]) -> None:
        super().__init__("; ".join(i.message for i in issues))
        self.issues = issues


@dataclass(frozen=True)
class ImportIssue:
    line: int
    message: str

    def format(self, file_name: str) -> str:
        return f"{file_name}:{self.line}: {self.message}"


@dataclass
class ImportResult:
    kind: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    issues: list[ImportIssue] = field(default_factory=list)
    # "Windows-1252" when a CSV file was read as such (not valid UTF-8): the summary says so.
    encoding: str = ""

    @property
    def ok(self) -> bool:
        return not self.issues


COMMAND_LINE = audit.Actor.command_line("import")


@dataclass(frozen=True)
class ImportScope:
    """Who imports: DG R&O may import everything; a PRO Partner only its own organisation."""

    organisation_code: str | None = None  # None: every organisation (DG R&O, the CLI)
    may_set_status: bool = True  # only DG R&O verifies certificates
    actor: audit.Actor = COMMAND_LINE

    @property
    def registered_by(self) -> str:
        """Who registered what the import creates: the user, or the command that ran it."""
        return self.actor.label


# A kind's validation: the rows, the scope and the result to add issues to; returns the
# writer of the valid rows (awaited in the import's transaction), or None to refuse. The
# writer may return a step to run once the rows are committed and the statistics fresh.
Validate = Callable[[Iterable["Row"], ImportScope, ImportResult], Awaitable[Callable | None]]


@dataclass(frozen=True)
class ImportKind:
    """One kind of file an area accepts; `label` and `note` are the import page's words."""

    name: str
    columns: tuple[str, ...]
    validate: Validate
    tables_written: tuple[str, ...]
    label: Callable[[], str]
    note: Callable[[], str]
    # A PRO Partner may import it for its own organisation (else DG R&O only).
    organisation_scoped: bool = False
    # Columns a file may leave out of its header entirely (SPEC 5.1 "optional").
    optional: tuple[str, ...] = ()
    # The most characters a column's cell may hold: its table column's length (see
    # `varchar_lengths`); a column not named here holds at most MAX_CELL.
    limits: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))


def varchar_lengths(table: Any, **columns: str) -> dict[str, int]:
    """`limits` of a kind from its table: file column -> the length of the table's column
    of that name (`first_name="first_name"`), the one length the forms keep to as well."""
    return {column: getattr(table, name).length for column, name in columns.items()}


def kinds_by_name(*kinds: ImportKind) -> dict[str, ImportKind]:
    """The registry of kinds, in the order given (the order pages and messages list them)."""
    return {kind.name: kind for kind in kinds}


# --- reading ---------------------------------------------------------------------------------


class Row:
    """One row of the file: its line and its cells, in the header's order (`values`: by
    column, made when asked). `extra`: more cells than the header has columns."""

    __slots__ = ("_values", "cells", "extra", "header", "line")

    def __init__(self, line: int, cells: list[str], header: list[str], extra: bool = False):
        self.line = line
        self.cells = cells
        self.header = header
        self.extra = extra
        self._values: dict[str, str] | None = None

    @property
    def values(self) -> dict[str, str]:
        if self._values is None:
            self._values = dict(zip(self.header, self.cells, strict=False))
        return self._values


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _check_xlsx_container(data: bytes) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise ImportRefused([ImportIssue(0, "this is not a readable .xlsx file")]) from None
    unpacked = 0
    for info in archive.infolist():
        unpacked += info.file_size
        if info.compress_size and info.file_size / info.compress_size > MAX_XLSX_RATIO:
            raise ImportRefused(
                [ImportIssue(0, "the .xlsx file is refused: it unpacks to far more than its size")]
            )
    if unpacked > MAX_XLSX_UNPACKED_BYTES:
        raise ImportRefused(
            [
                ImportIssue(
                    0,
                    f"the .xlsx file is refused: it unpacks to more than "
                    f"{MAX_XLSX_UNPACKED_BYTES // 2**20} MB",
                )
            ]
        )


def _records(
    file_name: str, data: bytes, encoding: str | None = None
) -> Iterator[tuple[int, list[str]]]:
    """(line, cells) of every record of the file, read as it goes (bounded memory)."""
    suffix = Path(file_name).suffix.lower()
    if suffix == ".csv":
        encoding = encoding or csv_encoding(data)
        # Decoded as it is read: no second copy of the whole text.
        text = io.TextIOWrapper(io.BytesIO(data), encoding=encoding, newline="")
        return _csv_records(text, _separator(data, encoding))
    if suffix == ".xlsx":
        _check_xlsx_container(data)
        from openpyxl import load_workbook

        try:
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception:  # openpyxl raises many kinds for a damaged file
            raise ImportRefused([ImportIssue(0, "this is not a readable .xlsx file")]) from None
        return _xlsx_records(workbook)
    raise ImportRefused([ImportIssue(0, "only .csv and .xlsx files can be imported")])


WINDOWS_1252 = "cp1252"


def csv_encoding(data: bytes) -> str:
    """UTF-8 (with or without BOM), or Windows-1252 when the file is not valid UTF-8 (what
    Excel saves as "CSV"); neither: refused, naming the line (SPEC 5.1)."""
    try:
        data.decode("utf-8-sig")  # checked whole first, so the bad line can be named
    except UnicodeDecodeError as error:
        try:
            data.decode(WINDOWS_1252)
        except UnicodeDecodeError:
            line = data[: error.start].count(b"\n") + 1
            raise ImportRefused(
                [ImportIssue(line, "the file is neither UTF-8 nor Windows-1252 text")]
            ) from None
        return WINDOWS_1252
    return "utf-8-sig"


def _separator(data: bytes, encoding: str) -> str:
    """`;` when the header row has more semicolons than commas (Excel with Belgian
    settings), else `,`: the header row decides (SPEC 5.1)."""
    start = data.lstrip(b"\r\n")[:65536]
    first = start.split(b"\n", 1)[0].decode(encoding, errors="replace")
    return ";" if first.count(";") > first.count(",") else ","


def _csv_records(source: io.TextIOWrapper, separator: str) -> Iterator[tuple[int, list[str]]]:
    reader = csv.reader(source, delimiter=separator)
    try:
        for record in reader:
            yield reader.line_num, record
    except csv.Error as error:
        raise ImportRefused([ImportIssue(reader.line_num, f"unreadable CSV: {error}")]) from None


def _xlsx_records(workbook: Any) -> Iterator[tuple[int, list[str]]]:
    try:
        sheet = workbook.worksheets[0]
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, [_cell(v) for v in values]
    finally:
        workbook.close()


def read_rows(
    file_name: str, data: bytes, encoding: str | None = None
) -> tuple[list[str], Iterator[Row]]:
    """The header of a .csv (UTF-8 or Windows-1252, comma or semicolon) or .xlsx file
    (first sheet), and its rows as they are read: a file of a million rows never sits in
    memory as a million dicts.

    Reading the rows may still raise ImportRefused (an unreadable CSV record, too many rows).
    """
    if len(data) > MAX_FILE_BYTES:
        raise ImportRefused(
            [ImportIssue(0, f"the file is larger than {MAX_FILE_BYTES // 2**20} MB")]
        )
    records = _records(file_name, data, encoding)
    first = next((record for _line, record in records if any(c.strip() for c in record)), None)
    if first is None:
        raise ImportRefused([ImportIssue(1, "the file is empty: a header row is needed")])
    header = [h.strip().lower() for h in first]
    if any("\x00" in h for h in header):
        raise ImportRefused([ImportIssue(1, NUL_MESSAGE.format(column="the header"))])
    written = len(header)
    while header and header[-1] == "":
        header.pop()
    return header, _rows(header, records, written)


def _rows(
    header: list[str], records: Iterator[tuple[int, list[str]]], written: int
) -> Iterator[Row]:
    """The rows of the file. A row may be as wide as the header row as written (a
    spreadsheet's export ends every row, the header too, with the same empty cells),
    never wider, even with empty cells (issue 18: a row of 10,000 empty cells was
    taken); nor may it fill a column the header leaves without a name."""
    width = len(header)
    count = 0
    strip = str.strip
    for line, record in records:
        cells = list(map(strip, record))
        if not any(cells):
            continue  # blank lines are skipped
        count += 1
        if count > MAX_ROWS:
            raise ImportRefused([ImportIssue(0, f"the file has more than {MAX_ROWS} rows")])
        if len(cells) != width:
            if len(cells) > written or any(cells[width:]):
                yield Row(line, cells, header, extra=True)
                continue
            cells = cells[:width] + [""] * (width - len(cells))
        yield Row(line, cells, header)


def check_header(
    expected: tuple[str, ...], header: list[str], optional: tuple[str, ...] = ()
) -> list[ImportIssue]:
    """Every expected column, optional ones if wanted, nothing else, nothing twice."""
    issues = []
    missing = [c for c in expected if c not in header]
    extra = [c for c in header if c not in expected and c not in optional]
    duplicated = sorted({c for c in header if header.count(c) > 1})
    if missing:
        issues.append(ImportIssue(1, f"missing column(s): {', '.join(missing)}"))
    if extra:
        issues.append(
            ImportIssue(
                1,
                f"unknown column(s): {', '.join(c or '(empty)' for c in extra)}; "
                f"the columns are: {', '.join(expected)}"
                + "".join(f", {c} (optional)" for c in optional),
            )
        )
    if duplicated:
        issues.append(ImportIssue(1, f"column(s) given twice: {', '.join(duplicated)}"))
    return issues


# --- cells: what every kind checks the same way ----------------------------------------------


class RowErrors:
    """The issues of one row; `count` tells whether the row may be written."""

    def __init__(self, line: int, issues: list[ImportIssue]) -> None:
        self.line = line
        self.issues = issues
        self.count = 0

    def add(self, message: str) -> None:
        self.issues.append(ImportIssue(self.line, message))
        self.count += 1


def required(values: dict[str, str], column: str, errors: RowErrors) -> str:
    value = values.get(column, "")
    if value == "":
        errors.add(f"{column} is empty")
    return value


def date_cell(
    values: dict[str, str], column: str, errors: RowErrors, *, optional: bool = False
) -> dt.date | None:
    raw = values.get(column, "")
    if raw == "":
        if not optional:
            errors.add(f"{column} is empty")
        return None
    try:
        return parse_iso_date(raw)
    except NotADate as error:
        if error.shape:
            errors.add(f"{column} {raw!r} is not a date in the form YYYY-MM-DD")
        elif error.out_of_range:
            errors.add(f"{column} {raw!r} is not a date from {FIRST_DAY} to {LAST_DAY}")
        else:
            errors.add(f"{column} {raw!r} is not a real date")
        return None


def email_cell(
    values: dict[str, str], column: str, errors: RowErrors, *, optional: bool = False
) -> str:
    raw = values.get(column, "").strip().lower()
    if raw == "":
        if not optional:
            errors.add(f"{column} is empty")
        return ""
    if not is_email(raw):
        errors.add(f"{column} {raw!r} is not an e-mail address")
    return raw


def no_duplicate(key: Any, line: int, seen: dict[Any, int], errors: RowErrors, what: str) -> None:
    """A natural key may appear once per file."""
    if key in seen:
        errors.add(f"{what} is already on line {seen[key]} of this file")
    else:
        seen[key] = line


def chunks(items: list[Any]) -> Iterable[list[Any]]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


async def duplicate_lines(stage: str, column: str) -> list[dict[str, Any]]:
    """The rows of a stage (with its `line` column) whose `column` an earlier line of the
    file already has: `line`, `key` and `first`, the line that has it first."""
    return await fetch_in_transaction(
        f"SELECT s.line AS line, s.{column} AS key, d.first AS first FROM {stage} s "  # noqa: S608
        f"JOIN (SELECT {column}, MIN(line) AS first FROM {stage} GROUP BY {column} "
        f"HAVING COUNT(*) > 1) d ON d.{column} = s.{column} WHERE s.line > d.first"
    )


async def is_bulk_load(rows: int, table: str) -> bool:
    """A load of at least BULK_LOAD_ROWS rows and at least as many as the table holds."""
    return rows >= BULK_LOAD_ROWS and rows >= await table_size(table)


# --- the run ---------------------------------------------------------------------------------


class _Counted:
    """The rows a kind validates: rows with more cells than columns, a cell longer than
    its column allows or a NUL character are reported here and left out; the others are
    counted as they pass."""

    def __init__(
        self, rows: Iterator[Row], result: ImportResult, limits: list[int], may_hold_nul: bool
    ) -> None:
        self.rows = rows
        self.result = result
        self.limits = limits
        self.shortest = min(limits, default=MAX_CELL)
        # A CSV file without a NUL byte anywhere has none in a cell: no look per row.
        self.may_hold_nul = may_hold_nul
        self.count = 0

    def __iter__(self) -> Iterator[Row]:
        issues = self.result.issues
        shortest = self.shortest
        may_hold_nul = self.may_hold_nul
        for row in self.rows:
            if row.extra:
                issues.append(
                    ImportIssue(row.line, "this row has more cells than the header has columns")
                )
                continue
            cells = row.cells
            # One pass over the lengths; the cell-by-cell look only for a suspect row.
            if max(map(len, cells), default=0) > shortest or (
                may_hold_nul and "\x00" in "".join(cells)
            ):
                before = len(issues)
                for column, cell, limit in zip(row.header, cells, self.limits, strict=False):
                    if "\x00" in cell:
                        issues.append(ImportIssue(row.line, NUL_MESSAGE.format(column=column)))
                    elif len(cell) > limit:
                        issues.append(
                            ImportIssue(
                                row.line,
                                f"{column} is longer than {limit} characters ({len(cell)} given)",
                            )
                        )
                if len(issues) > before:
                    continue
            self.count += 1
            yield row


async def run_import(
    kinds: Mapping[str, ImportKind], kind: str, file_name: str, data: bytes, scope: ImportScope
) -> ImportResult:
    """Validate every row; write all of them, with one audit entry, in one transaction
    only if none has an error."""
    result = ImportResult(kind=kind)
    file_name = file_name.replace("\x00", "\ufffd")  # named in messages and the audit log
    if kind not in kinds:
        result.issues.append(ImportIssue(0, f"unknown kind {kind!r}: use {', '.join(kinds)}"))
        return result
    spec = kinds[kind]
    try:
        # A CSV file's encoding is found once (decoding it whole), then named in the summary.
        csv = file_name.lower().endswith(".csv") and len(data) <= MAX_FILE_BYTES
        encoding = csv_encoding(data) if csv else None  # a larger file: refused unread
        header, rows = read_rows(file_name, data, encoding)
    except ImportRefused as refused:
        result.issues.extend(refused.issues)
        return result
    if encoding == WINDOWS_1252:
        result.encoding = "Windows-1252"
    result.issues.extend(check_header(spec.columns, header, spec.optional))
    if result.issues:
        return result
    limits = [spec.limits.get(column, MAX_CELL) for column in header]
    # An .xlsx file is compressed: its cells are looked at one by one.
    may_hold_nul = not file_name.lower().endswith(".csv") or b"\x00" in data
    counted = _Counted(rows, result, limits, may_hold_nul)
    try:
        # Validation runs in the write's transaction: a kind may stream its rows into a
        # stage as it checks them (bounded memory) and check them there as sets.
        async with write_transaction():
            await give_bulk_memory()
            write = await spec.validate(counted, scope, result)
            result.rows = counted.count
            result.issues.sort(key=lambda issue: issue.line)
            if result.issues or write is None:
                raise _Refused
            await versions.bump()  # computed eligibility is stale from here
            after = await write()
            await audit.record(
                scope.actor,
                f"import_{kind}",
                table=kind,
                key=Path(file_name).name,
                after={"rows": result.rows, "created": result.created, "updated": result.updated},
            )
    except _Refused:  # rolled back: nothing written
        result.created = result.updated = 0
        return result
    except ImportRefused as refused:  # read as it goes: the file turned out unreadable
        result.issues[:] = refused.issues
        result.rows = result.created = result.updated = 0
        return result
    if result.rows >= ANALYZE_AFTER_ROWS:
        await refresh_statistics(*spec.tables_written)
    if after is not None:  # what the kind does once its rows are in (e.g. notices)
        await after()
    return result


class _Refused(Exception):
    """Some row has an error: the transaction rolls back whatever validation staged."""
