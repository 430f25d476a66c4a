"""Pages of a list: fifty rows, numbered from 1; asking past the last page gives the last."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar, overload

PAGE_SIZE = 50

Row = TypeVar("Row")


@dataclass
class Page(Generic[Row]):
    """One page of a list; `rows` are the query module's typed rows."""

    rows: list[Row]
    total: int
    page: int
    pages: int


def page_count(total: int) -> int:
    return max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1)


def clamp_page(page: int, total: int) -> int:
    """Page 0 or less is the first page; past the last page, the last page."""
    return min(max(page, 1), page_count(total))


@overload
async def fetch_page(query: Any, count: Any, clauses: Iterable[Any], page: int) -> Page[Any]: ...


@overload
async def fetch_page(
    query: Any, count: Any, clauses: Iterable[Any], page: int, into: Callable[..., Row]
) -> Page[Row]: ...


async def fetch_page(
    query: Any,
    count: Any,
    clauses: Iterable[Any],
    page: int,
    into: Callable[..., Row] | None = None,
) -> Page[Row]:
    """Apply the filters to a select and its count, and fetch the asked page of it; `into`
    makes each row a typed read model (called with the row's columns as keywords)."""
    for clause in clauses:
        query = query.where(clause)
        count = count.where(clause)
    total = await count
    page = clamp_page(page, total)
    rows = await query.limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)
    if into is not None:
        rows = [into(**row) for row in rows]
    return Page(rows=rows, total=total, page=page, pages=page_count(total))


def pager(page: Page, query_string: Callable[[int], str]) -> dict[str, Any]:
    """What the pager component shows: this page, the number of pages, and the query
    strings of the previous and next pages (None at either end)."""
    return {
        "page": page.page,
        "pages": page.pages,
        "previous_query": query_string(page.page - 1) if page.page > 1 else None,
        "next_query": query_string(page.page + 1) if page.page < page.pages else None,
    }
