"""The Jinja environment every rendering shares: templates/ at the project root,
autoescape, and the translations of the reader's language (pages through the web shell,
documents such as the review's letters through their area)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from core.assets import asset_url
from core.audit import who
from core.i18n import LANGUAGE_NAMES, current_language, format_day, format_figure, translations_for
from core.settings import LANGUAGES, PROJECT_ROOT

TEMPLATES_DIR = PROJECT_ROOT / "templates"


def _gettext(message: str) -> str:
    return translations_for(current_language()).gettext(message)


def _ngettext(singular: str, plural: str, n: int) -> str:
    return translations_for(current_language()).ngettext(singular, plural, n)


# Where a record has no text in the reader's language: German readers (the German-speaking
# Community lies in Wallonia) read the French, everyone else the Dutch.
FALLBACK_LANGUAGES = {"de": ("fr", "nl")}


def localized(row: Any, field: str) -> str:
    """`row[field + "_" + language]` in the reader's language; else the fallback where there
    is no such column or it is empty (organisations have no English or German name)."""
    language = current_language()
    for candidate in (language, *FALLBACK_LANGUAGES.get(language, ("nl",))):
        name = f"{field}_{candidate}"
        value = row.get(name) if isinstance(row, Mapping) else getattr(row, name, None)
        if value:
            return str(value)
    return ""


def machine_time(value: dt.date | dt.datetime) -> str:
    """A `<time datetime>` value: a day, or a moment to the second (HTML allows at most
    three digits of a fraction; the reader sees the formatted time anyway)."""
    if isinstance(value, dt.datetime):
        return value.isoformat(timespec="seconds")
    return value.isoformat()


def jinja_environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES_DIR)),
        # Pages and documents are escaped; plain-text mails (.txt) are not.
        autoescape=select_autoescape(
            disabled_extensions=("txt",), default=True, default_for_string=True
        ),
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_callables(_gettext, _ngettext, newstyle=True)  # type: ignore[attr-defined]
    env.filters["date"] = format_day
    env.filters["figure"] = format_figure
    env.filters["who"] = who
    env.filters["iso"] = machine_time
    env.globals.update(
        LANGUAGES=LANGUAGES,
        LANGUAGE_NAMES=LANGUAGE_NAMES,
        current_language=current_language,
        localized=localized,
        asset=asset_url,
    )
    return env
