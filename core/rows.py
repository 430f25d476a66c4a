"""Typed read models from query rows: a query module declares a frozen dataclass for what
it returns, selects the columns the dataclass names and hands rows over as instances."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import Any, TypeVar

Row = TypeVar("Row")


def columns_of(table: Any, row_type: type) -> list[Any]:
    """The table's columns that the read model has fields for, in the model's order."""
    names = {column._meta.name for column in table._meta.columns}
    return [getattr(table, f.name) for f in dataclasses.fields(row_type) if f.name in names]


def rows_as(row_type: type[Row], rows: Iterable[dict[str, Any]]) -> list[Row]:
    """Each row as the read model (its columns are the model's fields)."""
    return [row_type(**row) for row in rows]
