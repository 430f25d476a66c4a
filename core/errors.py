"""What a service answers when it will not do what was asked; the web maps each to a status.

`Refused` (the person can fix it: 400 with the message next to `field`), `NotFound` (404:
absent, or not in the organisation acted for), `TransitionRefused` (409: the record's state
does not allow it, or changed since the page was shown). `webkit.errors` maps each to its
answer once, for every route.
"""

from __future__ import annotations


class Refused(Exception):
    """A write refused for a reason the user can fix; `field` names the form field."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    @property
    def errors(self) -> dict[str, str]:
        """The message by field ("" when it belongs to the whole form)."""
        return {self.field: self.message}


class FieldsRefused(Refused):
    """Several fields refused at once (a form's checks): `errors` maps field to message."""

    def __init__(self, errors: dict[str, str]) -> None:
        first = next(iter(errors.items()), ("", ""))
        super().__init__(first[1], first[0])
        self._errors = dict(errors)

    @property
    def errors(self) -> dict[str, str]:
        return dict(self._errors)


class NotFound(Exception):
    """The record does not exist, or not in the organisation acted for; the message (if
    any) says which record, in the reader's words."""


class TransitionRefused(Exception):
    """`action` is impossible from the record's `current` state (maybe changed meanwhile)."""

    def __init__(self, current: str, action: str) -> None:
        super().__init__(f"{action} is impossible from {current}")
        self.current = current
        self.action = action


class ChangedMeanwhile(TransitionRefused):
    """The record is no longer in the state the page showed (`shown`): someone else
    (`changed_by`, with `reason`) put it in `current` meanwhile; nothing was written."""

    def __init__(
        self, current: str, action: str, shown: str, changed_by: str | None, reason: str | None
    ) -> None:
        super().__init__(current, action)
        self.shown = shown
        self.changed_by = changed_by
        self.reason = reason
