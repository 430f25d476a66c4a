"""Language negotiation, catalogues and redirect targets."""

import datetime as dt

import pytest

from core.i18n import gettext, negotiate_language, set_language
from webkit.forms import safe_redirect_target


@pytest.mark.parametrize(
    ("cookie", "preferred", "header", "expected"),
    [
        ("fr", "en", "nl-BE", "fr"),  # the explicit choice wins
        (None, "en", "fr-BE,fr;q=0.9", "en"),  # then the user's stored preference
        (None, None, "fr-BE,fr;q=0.9,nl;q=0.8", "fr"),
        (None, None, "de-DE,de;q=0.9,en;q=0.5", "de"),  # German is the fourth language
        (None, None, "es-ES,es;q=0.9,en;q=0.5", "en"),  # first supported language
        (None, None, "nl-BE", "nl"),
        (None, None, "ja", "nl"),  # unsupported: the default
        ("xx", None, None, "nl"),  # a forged cookie is ignored
        (None, None, None, "fr"),
    ],
)
def test_language_negotiation(cookie, preferred, header, expected):
    default = "fr" if (cookie, preferred, header) == (None, None, None) else "nl"
    assert negotiate_language(cookie, preferred, header, default) == expected


def test_catalogues_translate_into_dutch_french_and_german():
    set_language("nl")
    assert gettext("Log in") == "Aanmelden"
    set_language("fr")
    assert gettext("Log in") == "Se connecter"
    set_language("en")
    assert gettext("Log in") == "Log in"
    set_language("fr")
    assert gettext("Welcome, %(name)s.", name="Anne") == "Bienvenue, Anne."
    set_language("de")
    assert gettext("Log in") == "Anmelden"
    assert "Anne" in gettext("Welcome, %(name)s.", name="Anne")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("/audit?page=2", "/audit?page=2"),
        ("/", "/"),
        ("", "/"),
        (None, "/"),
        ("https://evil.example/", "/"),
        ("//evil.example/x", "/"),
        ("/\\evil.example", "/"),
        ("javascript:alert(1)", "/"),
        ("audit", "/"),
    ],
)
def test_only_local_redirect_targets(value, expected):
    assert safe_redirect_target(value) == expected


def test_moments_are_shown_in_belgian_time_winter_and_summer():
    """Stored in UTC, shown as Belgium lives them (issue 19 #10: times were UTC unsaid)."""
    from core.i18n import format_day, set_language

    set_language("nl")
    winter = dt.datetime(2026, 12, 2, 14, 5, tzinfo=dt.UTC)  # CET, UTC+1
    summer = dt.datetime(2026, 7, 1, 22, 30, tzinfo=dt.UTC)  # CEST, UTC+2: the next day
    assert format_day(winter) == "2 dec 2026 15:05"
    assert format_day(summer) == "2 jul 2026 00:30"


def test_figures_in_the_readers_format_every_digit_kept():
    """SPEC 2.2: a truncated 79.99 never reads 80; NL/FR write a decimal comma."""
    from core.i18n import format_figure, set_language

    set_language("nl")
    assert [format_figure(v) for v in ("79.99", "80.00", "1234", "-1.50", "—")] == [
        "79,99", "80,00", "1.234", "-1,50", "—",
    ]  # fmt: skip
    set_language("fr")
    assert format_figure("82.27") == "82,27"
    set_language("en")
    assert format_figure("82.27") == "82.27"
