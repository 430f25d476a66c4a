"""Settings, read once from the environment (and an optional `.env` file).

`load_settings` is pure so every rule can be tested; `get_settings` caches the result
for the running process.
"""

from __future__ import annotations

import ipaddress
import math
import os
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

from dotenv import load_dotenv

PROJECT_ROOT = Path(__file__).resolve().parent.parent
LANGUAGES = ("nl", "fr", "de", "en")
DEFAULT_DATABASE_URL = "sqlite:///var/portal.sqlite"
# Used only in development; production refuses to start with it.
DEVELOPMENT_SECRET = "development-only-secret-do-not-use-in-production-0000"  # noqa: S105
MIN_SECRET_LENGTH = 32
# A production secret must look random: no repeated pattern, enough distinct characters
# and enough entropy measured over its characters (40 x "a" has none; 32 random hex
# characters measure 95 bits at worst, `secrets.token_urlsafe(48)` about 340).
MIN_SECRET_DISTINCT = 8
MIN_SECRET_BITS = 80
# Where `portal run` serves by default: the base of the mailed links in development.
DEVELOPMENT_PUBLIC_URL = "http://127.0.0.1:8000"


class SettingsError(ValueError):
    """A setting is missing or unsafe; the message is one line a person can act on."""


@dataclass(frozen=True)
class DatabaseSettings:
    url: str


@dataclass(frozen=True)
class MailSettings:
    host: str
    port: int
    sender: str
    username: str | None
    password: str | None
    use_tls: bool


@dataclass(frozen=True)
class SecuritySettings:
    secret_key: str
    allowed_hosts: tuple[str, ...]
    session_idle_minutes: int
    session_absolute_hours: int
    login_attempts_per_minute: int
    secure_cookies: bool
    # The proxies whose X-Forwarded-For/-Proto uvicorn believes (`portal run`); empty: none,
    # the peer address is the client's.
    forwarded_allow_ips: tuple[str, ...] = ()


@dataclass(frozen=True)
class LetterSettings:
    """Who signs the review's decision letters (SPEC 5.3): a name, and a title per letter
    language; an empty title reads as the translated default ("Director-General")."""

    signatory_name: str = ""
    signatory_title_nl: str = ""
    signatory_title_fr: str = ""


@dataclass(frozen=True)
class Settings:
    env: str
    debug: bool
    default_language: str
    openapi_enabled: bool
    database: DatabaseSettings
    mail: MailSettings
    security: SecuritySettings
    # The portal's public base URL (SPEC 5.5, 5.6), without a trailing slash: every link the
    # portal mails is built on it, never on the Host a request came with.
    public_url: str = DEVELOPMENT_PUBLIC_URL
    letters: LetterSettings = LetterSettings()

    @property
    def is_production(self) -> bool:
        return self.env == "production"


def secret_bits(secret: str) -> float:
    """The secret's entropy estimated from its own characters: its length times the
    Shannon entropy of their distribution (a lower bound for a guessable pattern)."""
    if not secret:
        return 0.0
    counts = Counter(secret)
    size = len(secret)
    per_character = -sum(n / size * math.log2(n / size) for n in counts.values())
    return size * per_character


def _weak_secret_reason(secret: str) -> str | None:
    """Why a production SECRET_KEY is refused, or None."""
    if len(secret) < MIN_SECRET_LENGTH or secret == DEVELOPMENT_SECRET:
        return f"it is shorter than {MIN_SECRET_LENGTH} characters or the development value"
    if secret in (secret + secret)[1:-1]:
        return "it repeats a shorter pattern (low entropy)"
    distinct = len(set(secret))
    if distinct < MIN_SECRET_DISTINCT:
        return f"it has only {distinct} distinct characters (low entropy)"
    bits = secret_bits(secret)
    if bits < MIN_SECRET_BITS:
        return f"its characters carry about {bits:.0f} bits of entropy, under {MIN_SECRET_BITS}"
    # A keyboard walk or a sequence ("qwertyuiop…", "1qaz2wsx…", "azerty…", "abcd…") has
    # many distinct characters and so passes the entropy measure, yet is guessed at once.
    # Its mark: most characters are a neighbouring key of the one before (same row, or the
    # row above or below, on a QWERTY or an AZERTY keyboard) or one code point from it.
    # Random keys: about a fifth (at most 0.55 in 20,000 `secrets.token_hex(16)`).
    from itertools import pairwise

    keyboards = (
        ("1234567890-=", "qwertyuiop[]", "asdfghjkl;'", "zxcvbnm,./"),
        ("&é\"'(-è_çà)=", "azertyuiop^$", "qsdfghjklmù", "wxcvbn,;:!"),
    )
    near = {
        (row[column], other[beside])
        for rows in keyboards
        for r, row in enumerate(rows)
        for other in rows[max(r - 1, 0) : r + 2]
        for column in range(len(row))
        for beside in range(column - 1, column + 2)
        if 0 <= beside < len(other)
    }
    folded = secret.casefold()
    steps = list(pairwise(folded))
    walked = sum(1 for a, b in steps if (a, b) in near or abs(ord(a) - ord(b)) <= 1)
    if walked * 3 >= len(steps) * 2:
        return (
            f"it is a keyboard walk or a sequence ({walked} of the {len(steps)} characters "
            "after the first are next to the one before, on the keyboard or in order)"
        )
    return None


def _flag(value: str | None, *, name: str, default: bool) -> bool:
    if value is None or value.strip() == "":
        return default
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise SettingsError(f"{name} must be true or false, not {value!r}.")


def _integer(value: str | None, *, name: str, default: int, minimum: int = 1) -> int:
    if value is None or value.strip() == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise SettingsError(f"{name} must be a whole number, not {value!r}.") from None
    if number < minimum:
        raise SettingsError(f"{name} must be at least {minimum}, not {number}.")
    return number


def _proxies(value: str | None) -> tuple[str, ...]:
    """FORWARDED_ALLOW_IPS: addresses or networks (CIDR) of trusted proxies, or `*`."""
    items = tuple(item.strip() for item in (value or "").split(",") if item.strip())
    for item in items:
        if item == "*":
            continue
        try:
            ipaddress.ip_network(item, strict=False)
        except ValueError:
            raise SettingsError(
                f"FORWARDED_ALLOW_IPS must list IP addresses or networks of your proxies, "
                f"comma-separated, not {item!r}."
            ) from None
    return items


def host_name(host: str) -> str | None:
    """The host name of a `Host` header or an ALLOWED_HOSTS entry, lower case and without
    its port (`Portal.example.be:8443` gives `portal.example.be`, `[::1]:8000` gives `::1`);
    None when it is malformed (an unclosed bracket, a port that is no number)."""
    value = host.strip().lower()
    if value.startswith("["):
        name, bracket, rest = value[1:].partition("]")
        if not bracket:
            return None
    elif value.count(":") > 1:  # an IPv6 address without brackets (and so without a port)
        name, rest = value, ""
    else:
        name, colon, after = value.partition(":")
        rest = colon + after
    port = rest.removeprefix(":")
    if rest and (rest == port or not (port == "" or (port.isascii() and port.isdigit()))):
        return None
    return name.rstrip(".") or None


def host_allowed(name: str, allowed: tuple[str, ...]) -> bool:
    """Whether a host name (see `host_name`) is one of ALLOWED_HOSTS: `*` is any name,
    `*.example.be` any name under example.be; the port is never part of the comparison."""
    return any(
        pattern == "*"
        or name == pattern
        or (pattern.startswith("*.") and name.endswith(pattern[1:]))
        for pattern in allowed
    )


def _hosts(value: str | None) -> tuple[str, ...]:
    """ALLOWED_HOSTS: host names, `*` or `*.domain`, each kept without a port."""
    hosts = []
    for item in (h.strip() for h in (value or "").split(",")):
        if not item:
            continue
        name = "*" if item == "*" else host_name(item)
        if name is None or ("*" in name and not (name == "*" or name.startswith("*."))):
            raise SettingsError(
                f"ALLOWED_HOSTS must list host names (a leading '*.' for every name under a "
                f"domain), comma-separated, not {item!r}."
            )
        hosts.append(name)
    return tuple(hosts)


def _public_url(value: str | None, *, production: bool, hosts: tuple[str, ...]) -> str:
    """PUBLIC_URL: scheme and host (and port) of the portal as its users reach it."""
    raw = (value or "").strip()
    if not raw:
        if production:
            raise SettingsError(
                "PUBLIC_URL is required in production: the portal's address as its users "
                "reach it, e.g. https://portal.example.be (the links in its e-mails use it)."
            )
        return DEVELOPMENT_PUBLIC_URL
    parts = urlsplit(raw)
    name = host_name(parts.netloc) if parts.netloc and "@" not in parts.netloc else None
    if (
        parts.scheme not in ("http", "https")
        or name is None
        or parts.path not in ("", "/")
        or parts.query
        or parts.fragment
    ):
        raise SettingsError(
            f"PUBLIC_URL must be an http(s) address with a host and no path, such as "
            f"https://portal.example.be, not {raw!r}."
        )
    if production and parts.scheme != "https":
        raise SettingsError(f"PUBLIC_URL must start with https:// in production, not {raw!r}.")
    if production and not host_allowed(name, hosts):
        raise SettingsError(
            f"PUBLIC_URL's host {name!r} must be one of ALLOWED_HOSTS: its links would be refused."
        )
    return f"{parts.scheme}://{parts.netloc.lower()}"


def load_settings(environ: Mapping[str, str]) -> Settings:
    """Build the settings from an environment mapping, refusing unsafe production values."""
    env = environ.get("PORTAL_ENV", "development").strip().lower() or "development"
    if env not in {"development", "production"}:
        raise SettingsError(f"PORTAL_ENV must be 'development' or 'production', not {env!r}.")
    production = env == "production"

    debug = _flag(environ.get("PORTAL_DEBUG"), name="PORTAL_DEBUG", default=not production)
    secret = environ.get("SECRET_KEY", "").strip()
    hosts = _hosts(environ.get("ALLOWED_HOSTS"))
    if production:
        if not secret:
            raise SettingsError("SECRET_KEY is required in production.")
        weakness = _weak_secret_reason(secret)
        if weakness:
            raise SettingsError(
                f"SECRET_KEY is too weak for production ({weakness}): use at least "
                f"{MIN_SECRET_LENGTH} random characters, e.g. from `python -c 'import secrets; "
                "print(secrets.token_urlsafe(48))'`."
            )
        if debug:
            raise SettingsError("PORTAL_DEBUG must be off in production.")
        if not hosts or "*" in hosts:
            raise SettingsError(
                "ALLOWED_HOSTS must list the portal's host names in production "
                "(comma-separated, no '*')."
            )
    else:
        secret = secret or DEVELOPMENT_SECRET
        hosts = hosts or ("*",)
    public_url = _public_url(environ.get("PUBLIC_URL"), production=production, hosts=hosts)

    language = environ.get("PORTAL_DEFAULT_LANGUAGE", "nl").strip().lower() or "nl"
    if language not in LANGUAGES:
        raise SettingsError(
            f"PORTAL_DEFAULT_LANGUAGE must be one of {', '.join(LANGUAGES)}, not {language!r}."
        )

    database_url = environ.get("DATABASE_URL", "").strip() or DEFAULT_DATABASE_URL
    if not database_url.startswith(("sqlite:///", "postgresql://", "postgres://")):
        raise SettingsError(
            "DATABASE_URL must start with sqlite:/// or postgresql://, "
            f"not {database_url.split(':', 1)[0]!r}."
        )

    return Settings(
        env=env,
        debug=debug,
        default_language=language,
        openapi_enabled=_flag(
            environ.get("PORTAL_OPENAPI"), name="PORTAL_OPENAPI", default=not production
        ),
        database=DatabaseSettings(url=database_url),
        mail=MailSettings(
            host=environ.get("SMTP_HOST", "127.0.0.1"),
            port=_integer(environ.get("SMTP_PORT"), name="SMTP_PORT", default=25),
            sender=environ.get("SMTP_SENDER", "noreply@portal.invalid"),
            username=environ.get("SMTP_USERNAME") or None,
            password=environ.get("SMTP_PASSWORD") or None,
            use_tls=_flag(environ.get("SMTP_TLS"), name="SMTP_TLS", default=False),
        ),
        security=SecuritySettings(
            secret_key=secret,
            allowed_hosts=hosts,
            session_idle_minutes=_integer(
                environ.get("SESSION_IDLE_MINUTES"), name="SESSION_IDLE_MINUTES", default=30
            ),
            session_absolute_hours=_integer(
                environ.get("SESSION_ABSOLUTE_HOURS"), name="SESSION_ABSOLUTE_HOURS", default=10
            ),
            login_attempts_per_minute=_integer(
                environ.get("LOGIN_ATTEMPTS_PER_MINUTE"),
                name="LOGIN_ATTEMPTS_PER_MINUTE",
                default=10,
            ),
            secure_cookies=production,
            forwarded_allow_ips=_proxies(environ.get("FORWARDED_ALLOW_IPS")),
        ),
        public_url=public_url,
        letters=LetterSettings(
            signatory_name=environ.get("LETTER_SIGNATORY_NAME", "").strip(),
            signatory_title_nl=environ.get("LETTER_SIGNATORY_TITLE_NL", "").strip(),
            signatory_title_fr=environ.get("LETTER_SIGNATORY_TITLE_FR", "").strip(),
        ),
    )


def settings_of(connection: object) -> Settings:
    """The settings of the app serving this request (tests build apps with their own)."""
    return connection.app.state.settings  # type: ignore[attr-defined,no-any-return]


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The settings of this process, read once."""
    load_dotenv(PROJECT_ROOT / ".env", override=False)
    return load_settings(os.environ)
