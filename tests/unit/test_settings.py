"""Settings: safe defaults in development, refusal of unsafe production set-ups."""

import pytest

from core.settings import DEVELOPMENT_SECRET, SettingsError, load_settings

STRONG = "k" * 48
PRODUCTION = {
    "PORTAL_ENV": "production",
    "SECRET_KEY": STRONG,
    "ALLOWED_HOSTS": "portal.example.be",
}


def test_development_defaults_need_no_configuration():
    settings = load_settings({})
    assert settings.env == "development"
    assert settings.debug is True
    assert settings.database.url == "sqlite:///var/portal.sqlite"
    assert settings.default_language == "nl"
    assert settings.openapi_enabled is True
    assert settings.security.secure_cookies is False


def test_a_complete_production_configuration_is_accepted():
    settings = load_settings(PRODUCTION)
    assert settings.is_production
    assert settings.debug is False
    assert settings.openapi_enabled is False
    assert settings.security.secure_cookies is True
    assert settings.security.allowed_hosts == ("portal.example.be",)


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"SECRET_KEY": ""}, "SECRET_KEY is required"),
        ({"SECRET_KEY": "short-secret"}, "too weak"),
        ({"SECRET_KEY": DEVELOPMENT_SECRET}, "too weak"),
        ({"PORTAL_DEBUG": "true"}, "PORTAL_DEBUG must be off"),
        ({"ALLOWED_HOSTS": ""}, "ALLOWED_HOSTS must list"),
        ({"ALLOWED_HOSTS": "*"}, "ALLOWED_HOSTS must list"),
    ],
)
def test_production_refuses_to_start_with_a_one_line_reason(change, reason):
    with pytest.raises(SettingsError) as error:
        load_settings({**PRODUCTION, **change})
    assert reason in str(error.value)
    assert "\n" not in str(error.value)


@pytest.mark.parametrize(
    ("environ", "reason"),
    [
        ({"PORTAL_ENV": "staging"}, "PORTAL_ENV must be"),
        ({"PORTAL_DEFAULT_LANGUAGE": "de"}, "PORTAL_DEFAULT_LANGUAGE must be one of nl, fr, en"),
        ({"DATABASE_URL": "mysql://root@localhost/x"}, "DATABASE_URL must start with"),
        ({"SMTP_PORT": "twenty-five"}, "SMTP_PORT must be a whole number"),
        ({"SESSION_IDLE_MINUTES": "0"}, "SESSION_IDLE_MINUTES must be at least 1"),
        ({"PORTAL_OPENAPI": "perhaps"}, "PORTAL_OPENAPI must be true or false"),
    ],
)
def test_malformed_values_are_named(environ, reason):
    with pytest.raises(SettingsError, match=reason):
        load_settings(environ)


def test_openapi_can_be_enabled_in_production():
    assert load_settings({**PRODUCTION, "PORTAL_OPENAPI": "1"}).openapi_enabled is True


def test_create_app_refuses_an_unsafe_production_environment(monkeypatch):
    from core.settings import get_settings
    from portal.app import create_app

    monkeypatch.setenv("PORTAL_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    get_settings.cache_clear()
    try:
        with pytest.raises(SettingsError, match="SECRET_KEY is required"):
            create_app()
    finally:
        monkeypatch.setenv("PORTAL_ENV", "development")
        get_settings.cache_clear()
