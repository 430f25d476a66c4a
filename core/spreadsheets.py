"""Spreadsheets people download: CSV and XLSX with every text cell neutralised.

A cell that starts with `=`, `+`, `-`, `@`, tab or carriage return would run as a formula
in a spreadsheet; `safe_cell` makes it text. Dates are written as YYYY-MM-DD.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Sequence
from typing import Any

# A spreadsheet runs a cell that starts with one of these as a formula.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_MEDIA_TYPE = "text/csv; charset=utf-8"


def safe_cell(value: Any) -> Any:
    """Neutralise spreadsheet formulas: `=1+1` becomes `'=1+1`; numbers stay numbers."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _text(value: Any) -> Any:
    """A cell value: dates as YYYY-MM-DD, nothing as empty, formulas neutralised."""
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    return safe_cell(value)


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """UTF-8 with a byte order mark, so spreadsheets read accents right; imports accept it."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([_text(v) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def xlsx_bytes(sheet_title: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """One sheet; dates as real dates shown YYYY-MM-DD, numbers as numbers, text neutralised."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_title)
    for index in range(len(header)):
        sheet.column_dimensions[_column_letter(index)].width = 18
    sheet.append(list(header))
    for row in rows:
        cells: list[Any] = []
        for value in row:
            if isinstance(value, dt.date):
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = "yyyy-mm-dd"
                cells.append(cell)
            elif isinstance(value, str):
                cells.append(safe_cell(ILLEGAL_CHARACTERS_RE.sub("", value)))
            else:
                cells.append(value)
        sheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _column_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)
