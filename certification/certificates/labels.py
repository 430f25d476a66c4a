"""Certificate statuses, decisions and refusals in words (never shown by colour only)."""

from __future__ import annotations

from certification.certificates.lifecycle import Action
from core.errors import ChangedMeanwhile
from core.i18n import gettext as _


def status_label(status: str, rejected: bool = False) -> str:
    """The status in words (never shown by colour only); a revoked certificate that DG
    R&O rejected before it was ever valid reads "rejected"."""
    if rejected and status == "revoked":
        return _("rejected by DG R&O")
    return {
        "pending": _("pending verification"),
        "valid": _("valid"),
        "suspended": _("suspended"),
        "revoked": _("revoked"),
    }.get(status, status)


def action_label(action: str) -> str:
    labels: dict[str, str] = {
        Action.VERIFY: _("Verify"),
        Action.REJECT: _("Reject"),
        Action.SUSPEND: _("Suspend"),
        Action.REVOKE: _("Revoke"),
        Action.REINSTATE: _("Reinstate"),
    }
    return labels.get(action, action)


def reason_label(action: str) -> str:
    labels: dict[str, str] = {
        Action.REJECT: _("Reason for rejecting"),
        Action.SUSPEND: _("Reason for suspending"),
        Action.REVOKE: _("Reason for revoking"),
    }
    return labels.get(action, _("Reason"))


def transition_message(current: str, action: str) -> str:
    """Why `action` is impossible, naming the current status."""
    status = status_label(current)
    messages = {
        Action.VERIFY: _(
            "This certificate is %(status)s: only a pending certificate can be verified.",
            status=status,
        ),
        Action.REJECT: _(
            "This certificate is %(status)s: only a pending certificate can be rejected.",
            status=status,
        ),
        Action.SUSPEND: _(
            "This certificate is %(status)s: only a valid certificate can be suspended.",
            status=status,
        ),
        Action.REVOKE: _(
            "This certificate is %(status)s: only a valid or suspended certificate can be revoked.",
            status=status,
        ),
        Action.REINSTATE: _(
            "This certificate is %(status)s: only a suspended certificate can be reinstated.",
            status=status,
        ),
    }
    return messages[Action(action)]


def changed_message(changed: ChangedMeanwhile) -> str:
    """A decision made on a stale page: what the certificate became, by whom, and why."""
    if changed.reason:
        return _(
            "This certificate changed after your page was shown: %(who)s made it %(status)s "
            "(was %(shown)s; reason: “%(reason)s”). Your decision was not saved: reload the "
            "page and decide again.",
            who=changed.changed_by or "—",
            status=status_label(changed.current),
            shown=status_label(changed.shown),
            reason=changed.reason,
        )
    return _(
        "This certificate changed after your page was shown: %(who)s made it %(status)s "
        "(was %(shown)s). Your decision was not saved: reload the page and decide again.",
        who=changed.changed_by or "—",
        status=status_label(changed.current),
        shown=status_label(changed.shown),
    )
