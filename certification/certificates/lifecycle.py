"""The life cycle of a certificate (SPEC 2.1), pure:

    pending --verify--> valid --suspend--> suspended --reinstate--> valid
    pending --reject--> revoked     valid/suspended --revoke--> revoked

A PRO Partner's registration starts `pending`; DG R&O's own starts `valid`.
"""

from __future__ import annotations

from enum import StrEnum

from core.lifecycle import StateMachine


class CertificateStatus(StrEnum):
    PENDING = "pending"
    VALID = "valid"
    SUSPENDED = "suspended"
    REVOKED = "revoked"


class Action(StrEnum):
    VERIFY = "verify"
    REJECT = "reject"
    SUSPEND = "suspend"
    REVOKE = "revoke"
    REINSTATE = "reinstate"


STATUSES = tuple(str(status) for status in CertificateStatus)
ACTIONS = tuple(str(action) for action in Action)
AUDIT_ACTIONS = {
    Action.VERIFY: "certificate_verified",
    Action.REJECT: "certificate_rejected",
    Action.SUSPEND: "certificate_suspended",
    Action.REVOKE: "certificate_revoked",
    Action.REINSTATE: "certificate_reinstated",
}
REASON_REQUIRED = frozenset({Action.REJECT, Action.SUSPEND, Action.REVOKE})
MAX_REASON = 2000

CERTIFICATE_LIFECYCLE = StateMachine(
    actions=ACTIONS,
    transitions={
        (CertificateStatus.PENDING, Action.VERIFY): CertificateStatus.VALID,
        (CertificateStatus.PENDING, Action.REJECT): CertificateStatus.REVOKED,
        (CertificateStatus.VALID, Action.SUSPEND): CertificateStatus.SUSPENDED,
        (CertificateStatus.VALID, Action.REVOKE): CertificateStatus.REVOKED,
        (CertificateStatus.SUSPENDED, Action.REVOKE): CertificateStatus.REVOKED,
        (CertificateStatus.SUSPENDED, Action.REINSTATE): CertificateStatus.VALID,
    },
)
next_status = CERTIFICATE_LIFECYCLE.next_state
actions_for = CERTIFICATE_LIFECYCLE.actions_for
