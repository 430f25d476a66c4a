"""The 404 of a record a page is about: the record, or the answer that says which is missing.

The query is the owning area's (`organisations.queries.organisation_by_code`); this module
only turns "none" into the 404, so the web base imports no area.
"""

from __future__ import annotations

from typing import TypeVar

from core.errors import NotFound
from core.i18n import gettext as _

Found = TypeVar("Found")


def no_such_organisation(code: str) -> NotFound:
    return NotFound(_("There is no organisation with code %(code)s.", code=code))


def or_404(found: Found | None, missing: NotFound) -> Found:
    """`found`, or the 404 `missing` (naming what is missing) when there is none."""
    if found is None:
        raise missing
    return found
