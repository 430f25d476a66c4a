"""Records a page is about, or the 404 that says which one is missing."""

from __future__ import annotations

from typing import Any

from litestar.exceptions import NotFoundException

from core.i18n import gettext as _
from organisations.queries import organisation_by_code


def no_such_organisation(code: str) -> NotFoundException:
    return NotFoundException(_("There is no organisation with code %(code)s.", code=code))


async def organisation_or_404(code: str) -> dict[str, Any]:
    """The organisation's row (with `roles`), or a 404 naming the code."""
    organisation = await organisation_by_code(code)
    if organisation is None:
        raise no_such_organisation(code)
    return organisation
