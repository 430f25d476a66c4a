"""Eligibility in the formats of SPEC 5.2 (JSON, CSV, a table for people), and safe cells."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from core.spreadsheets import safe_cell
from qchecks.rules import format_average


def eligibility_json(rows: list[dict[str, Any]]) -> str:
    return json.dumps(rows, ensure_ascii=False, indent=2)


def _condition_summary(row: dict[str, Any]) -> str:
    return "; ".join(
        f"{c['code']} {c['actual']}/{c['required']}" for c in row["conditions"] if not c["met"]
    )


CSV_COLUMNS = (
    "organisation",
    "as_of",
    "eligible_level",
    "granted_level",
    "certified_staff",
    "qcheck_average",
    "qcheck_count",
    "unmet_conditions",
)


def eligibility_csv(rows: list[dict[str, Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        writer.writerow(
            safe_cell(v)
            for v in (
                row["organisation"],
                row["as_of"],
                row["eligible_level"],
                row["granted_level"],
                row["certified_staff"],
                "" if row["qcheck_average"] is None else repr(row["qcheck_average"]),
                row["qcheck_count"],
                _condition_summary(row),
            )
        )
    return buffer.getvalue()


def eligibility_table(rows: list[dict[str, Any]]) -> str:
    header = ("ORGANISATION", "ELIGIBLE", "GRANTED", "CERTIFIED", "Q-CHECK AVG", "N", "UNMET")
    lines = [
        (
            r["organisation"],
            r["eligible_level"],
            r["granted_level"],
            str(r["certified_staff"]),
            format_average(r["qcheck_average"]),
            str(r["qcheck_count"]),
            _condition_summary(r) or "—",
        )
        for r in rows
    ]
    widths = [max(len(str(x)) for x in column) for column in zip(header, *lines, strict=False)]

    def join(cells: tuple[str, ...]) -> str:
        return "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()

    out = [join(header), *(join(line) for line in lines)]
    if rows:
        out.append(f"as of {rows[0]['as_of']}")
    return "\n".join(out)


NUMERIC_ELIGIBILITY_COLUMNS = {"certified_staff": int, "qcheck_count": int, "qcheck_average": float}


def eligibility_sheet_rows(text: str) -> list[list[Any]]:
    """The rows of `eligibility_csv` (one source for the columns), numbers as numbers."""
    records = list(csv.reader(io.StringIO(text)))[1:]
    out = []
    for record in records:
        row: list[Any] = []
        for column, value in zip(CSV_COLUMNS, record, strict=True):
            convert = NUMERIC_ELIGIBILITY_COLUMNS.get(column)
            row.append(convert(value) if convert and value != "" else value)
        out.append(row)
    return out
