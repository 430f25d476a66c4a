"""Small helpers shared by every form handler."""

from __future__ import annotations

from urllib.parse import urlsplit


def safe_redirect_target(value: str | None, default: str = "/") -> str:
    """Only a path on this site: never another host, never a scheme (open redirect)."""
    if not value:
        return default
    value = value.strip()
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or not value.startswith("/") or value.startswith("//"):
        return default
    if "\\" in value or any(ord(ch) < 32 for ch in value):
        return default
    return value
