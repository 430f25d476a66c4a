"""A submitted form: what the person typed (kept to show again), errors per field, the data."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass
class FormResult:
    values: dict[str, str]
    errors: dict[str, str] = field(default_factory=dict)
    data: Any = None

    @property
    def ok(self) -> bool:
        return not self.errors and self.data is not None


def text(form: Mapping[str, Any], name: str) -> str:
    """A field's value, trimmed; empty when absent."""
    value = form.get(name)
    return "" if value is None else str(value).strip()
