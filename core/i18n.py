"""Translations (NL, FR, EN) from Babel catalogues compiled by the build.

The language of the current request lives in a context variable, so Python code and
templates translate with the same `gettext` without passing the request around.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale, UnknownLocaleError
from babel.core import negotiate_locale
from babel.dates import format_date as babel_format_date
from babel.dates import format_time as babel_format_time
from babel.numbers import format_decimal as babel_format_decimal
from babel.support import NullTranslations, Translations

from core.settings import LANGUAGES

TRANSLATIONS_DIR = Path(__file__).parent / "translations"
LANGUAGE_COOKIE = "portal_lang"
LANGUAGE_NAMES = {"nl": "Nederlands", "fr": "Français", "de": "Deutsch", "en": "English"}

_current_language: ContextVar[str] = ContextVar("portal_language", default="nl")


@lru_cache(maxsize=len(LANGUAGES))
def translations_for(language: str) -> NullTranslations:
    """The compiled catalogue of a language (English is the source text)."""
    return Translations.load(str(TRANSLATIONS_DIR), [language], domain="messages")


def set_language(language: str) -> None:
    _current_language.set(language if language in LANGUAGES else "nl")


def current_language() -> str:
    return _current_language.get()


@contextmanager
def in_language(language: str) -> Iterator[None]:
    """Words in `language` inside the block (a mail, a letter, a PDF for someone else),
    the reader's language again after it."""
    previous = current_language()
    set_language(language)
    try:
        yield
    finally:
        set_language(previous)


def gettext(message: str, **variables: object) -> str:
    """Translate into the request's language; `%(name)s` placeholders are filled in."""
    text = translations_for(current_language()).gettext(message)
    return text % variables if variables else text


def ngettext(singular: str, plural: str, n: int, **variables: object) -> str:
    text = translations_for(current_language()).ngettext(singular, plural, n)
    return text % {"num": n, **variables}


_ = gettext


# Every time shown is Belgian time; moments are stored in UTC.
BRUSSELS = ZoneInfo("Europe/Brussels")

# The Belgian variants for NL and FR; British English (day before month) for EN.
DATE_LOCALES = {"nl": "nl_BE", "fr": "fr_BE", "de": "de_BE", "en": "en_GB"}


NUMBER_LOCALES = {"nl": "nl_BE", "fr": "fr_BE", "de": "de_BE", "en": "en_GB"}
_FIGURE = re.compile(r"^[+-]?\d+(\.\d+)?$")


def format_figure(value: object) -> str:
    """A figure as the reader writes it, every digit kept (no rounding: the figures arrive
    truncated, SPEC 2.2): "82.27" reads "82,27" in NL and FR, "1234" "1.234" in NL. The
    Jinja filter `figure`; anything that is not a plain number ("—") is shown as it is.
    Downloads, the API and the command line keep the point."""
    text = str(value)
    if not _FIGURE.match(text):
        return text
    locale = NUMBER_LOCALES.get(current_language(), "nl_BE")
    decimals = len(text.partition(".")[2])  # as many as given: "80.00" stays "80,00"
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return babel_format_decimal(Decimal(text), format=pattern, locale=locale)


def format_day(value: dt.date | dt.datetime | str | None, empty: str = "—") -> str:
    """A date (or a moment) as the reader writes it: "1 dec 2026", "1 déc. 2026",
    "1 Dec 2026"; a moment (stored in UTC) is shown in Belgian time (Europe/Brussels,
    summer time included) with its time of day: "… 15:05".
    The one function every page uses to show a date (the Jinja filter `date` of
    core.templating: `{{ day | date }}`); links, form values
    and `<time datetime>` keep ISO 8601."""
    if value is None:
        return empty
    if isinstance(value, str):  # ISO 8601, as a notice's JSON parameters keep a day
        text = value
        try:
            value = dt.date.fromisoformat(text)
        except ValueError:
            return text
    locale = DATE_LOCALES.get(current_language(), "nl_BE")
    if isinstance(value, dt.datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
        moment = moment.astimezone(BRUSSELS)
        day = babel_format_date(moment.date(), "medium", locale=locale)
        time = babel_format_time(moment, "HH:mm", tzinfo=BRUSSELS, locale=locale)
        return f"{day} {time}"
    return babel_format_date(value, "medium", locale=locale)


def negotiate_language(
    cookie: str | None, preferred: str | None, accept_language: str | None, default: str
) -> str:
    """The explicit choice first, then the user's preference, then the browser's header."""
    for choice in (cookie, preferred):
        if choice and choice in LANGUAGES:
            return choice
    if accept_language:
        wanted = []
        for part in accept_language.split(","):
            tag = part.split(";")[0].strip().replace("-", "_")
            if tag and tag != "*":
                wanted.append(tag)
        match = negotiate_locale(wanted, list(LANGUAGES), sep="_")
        if match:
            return match
        for tag in wanted:
            try:
                language = Locale.parse(tag).language
            except (ValueError, UnknownLocaleError):
                continue
            if language in LANGUAGES:
                return language
    return default
