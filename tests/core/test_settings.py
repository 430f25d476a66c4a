"""Settings: safe defaults in development, refusal of unsafe production set-ups."""

import pytest

from core.settings import DEVELOPMENT_SECRET, SettingsError, load_settings

# A secret as `secrets.token_urlsafe(36)` makes one.
STRONG = "dY2LXbLMWFBwuVzSfn9bX1D8QEIpyksHqHe3LFCYe4fnBqs5"
PRODUCTION = {
    "PORTAL_ENV": "production",
    "SECRET_KEY": STRONG,
    "ALLOWED_HOSTS": "portal.example.be",
    "PUBLIC_URL": "https://portal.example.be",
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
        ({"SECRET_KEY": "a" * 40}, "repeats a shorter pattern (low entropy)"),
        ({"SECRET_KEY": "0123456789" * 4}, "repeats a shorter pattern (low entropy)"),
        ({"SECRET_KEY": "abab" + "a" * 36}, "only 2 distinct characters (low entropy)"),
        ({"SECRET_KEY": "abcdefgh" + "a" * 32}, "about 46 bits of entropy, under 80"),
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
        (
            {"PORTAL_DEFAULT_LANGUAGE": "es"},
            "PORTAL_DEFAULT_LANGUAGE must be one of nl, fr, de, en",
        ),
        ({"DATABASE_URL": "mysql://root@localhost/x"}, "DATABASE_URL must start with"),
        ({"SMTP_PORT": "twenty-five"}, "SMTP_PORT must be a whole number"),
        ({"SESSION_IDLE_MINUTES": "0"}, "SESSION_IDLE_MINUTES must be at least 1"),
        ({"PORTAL_OPENAPI": "perhaps"}, "PORTAL_OPENAPI must be true or false"),
        ({"FORWARDED_ALLOW_IPS": "proxy.local"}, "FORWARDED_ALLOW_IPS must list IP addresses"),
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


def test_secrets_made_by_the_secrets_module_pass_the_entropy_check():
    import secrets

    for _ in range(200):
        for secret in (secrets.token_hex(16), secrets.token_urlsafe(32)):
            assert load_settings({**PRODUCTION, "SECRET_KEY": secret}).security.secret_key


def test_forwarded_headers_are_believed_from_no_proxy_unless_configured():
    assert load_settings({}).security.forwarded_allow_ips == ()
    proxies = load_settings({"FORWARDED_ALLOW_IPS": " 10.0.0.5, 192.168.0.0/16 "})
    assert proxies.security.forwarded_allow_ips == ("10.0.0.5", "192.168.0.0/16")


@pytest.mark.parametrize(
    "walk",
    [
        "qwertyuiopasdfghjklzxcvbnm1234567890",  # the rows of a QWERTY keyboard
        "azertyuiopqsdfghjklmwxcvbn0123456789",  # of an AZERTY one (Belgium)
        "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik,9ol.",  # its columns
        "0987654321poiuytrewqlkjhgfdsamnbvcxz",  # backwards
        "abcdefghijklmnopqrstuvwxyz0123456789",  # the alphabet and the digits
        "ABCDEFGHIJKLMNOPQRSTUVWXYZ9876543210",
    ],
)
def test_a_keyboard_walk_or_a_sequence_is_no_production_key(walk):
    # The probe: a keyboard walk has many distinct characters, so the entropy measure over
    # its characters let it through.
    with pytest.raises(SettingsError, match="too weak for production \\(it is a keyboard walk"):
        load_settings({**PRODUCTION, "SECRET_KEY": walk})


def test_random_keys_are_no_keyboard_walk():
    import secrets

    for _ in range(200):
        secret = secrets.token_urlsafe(48)
        assert load_settings({**PRODUCTION, "SECRET_KEY": secret}).security.secret_key == secret


def test_public_url_defaults_to_the_development_server_and_is_kept_without_a_slash():
    assert load_settings({}).public_url == "http://127.0.0.1:8000"
    assert load_settings({"PUBLIC_URL": "http://Localhost:8080/"}).public_url == (
        "http://localhost:8080"
    )
    assert load_settings(PRODUCTION).public_url == "https://portal.example.be"


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"PUBLIC_URL": ""}, "PUBLIC_URL is required in production"),
        ({"PUBLIC_URL": "http://portal.example.be"}, "PUBLIC_URL must start with https://"),
        ({"PUBLIC_URL": "https://elsewhere.example"}, "must be one of ALLOWED_HOSTS"),
        ({"PUBLIC_URL": "https://portal.example.be/portal"}, "with a host and no path"),
        ({"PUBLIC_URL": "portal.example.be"}, "with a host and no path"),
        ({"PUBLIC_URL": "https://user@portal.example.be"}, "with a host and no path"),
        ({"ALLOWED_HOSTS": "portal.*.be"}, "ALLOWED_HOSTS must list host names"),
    ],
)
def test_production_needs_an_https_public_url_on_an_allowed_host(change, reason):
    with pytest.raises(SettingsError, match=reason) as error:
        load_settings({**PRODUCTION, **change})
    assert "\n" not in str(error.value)


def test_allowed_hosts_are_host_names_without_their_port():
    settings = load_settings(
        {**PRODUCTION, "ALLOWED_HOSTS": "Portal.Example.be:443, [::1]:8000, *.intra.example.be"}
    )
    assert settings.security.allowed_hosts == ("portal.example.be", "::1", "*.intra.example.be")
