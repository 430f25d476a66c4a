"""The forms of the cycle side that HR fills in (pure: no web, no ORM)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from core.forms import FormResult, text
from core.i18n import gettext as _
from core.parsing import date_field

FUNCTION_TITLE_LENGTH = 200  # cycles.tables.StaffFunction.title


@dataclass(frozen=True)
class FunctionInput:
    title: str
    started_on: dt.date


def parse_function_form(form: Mapping[str, Any]) -> FormResult:
    """A change of function: its title and the day it starts, each error at its field."""
    values = {"title": text(form, "title"), "started_on": text(form, "started_on")}
    errors: dict[str, str] = {}
    if not values["title"]:
        errors["title"] = _("Give the function.")
    elif len(values["title"]) > FUNCTION_TITLE_LENGTH:
        errors["title"] = _(
            "The function is at most %(max)d characters long.", max=FUNCTION_TITLE_LENGTH
        )
    started = None
    if not values["started_on"]:
        errors["started_on"] = _("Give the day the function starts.")
    else:
        started, problem = date_field(values["started_on"])
        if problem:
            errors["started_on"] = problem
    data = FunctionInput(values["title"], started) if not errors and started else None
    return FormResult(values=values, errors=errors, data=data)
