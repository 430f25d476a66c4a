"""The life cycle of an application for client certification (SPEC 2.4), pure:

submitted --withdraw--> withdrawn       (the PRO Partner, while it is open)
submitted --approve---> approved        (DG R&O: frozen level client, or an override)
submitted --reject----> rejected        (DG R&O, with a reason)
"""

from __future__ import annotations

from enum import StrEnum

from core.lifecycle import StateMachine


class ApplicationState(StrEnum):
    SUBMITTED = "submitted"
    WITHDRAWN = "withdrawn"
    APPROVED = "approved"
    REJECTED = "rejected"


class ApplicationAction(StrEnum):
    WITHDRAW = "withdraw"
    APPROVE = "approve"
    REJECT = "reject"


APPLICATION_LIFECYCLE = StateMachine(
    actions=tuple(str(action) for action in ApplicationAction),
    transitions={
        (ApplicationState.SUBMITTED, ApplicationAction.WITHDRAW): ApplicationState.WITHDRAWN,
        (ApplicationState.SUBMITTED, ApplicationAction.APPROVE): ApplicationState.APPROVED,
        (ApplicationState.SUBMITTED, ApplicationAction.REJECT): ApplicationState.REJECTED,
    },
)


def needs_override(frozen_eligible_level: str) -> bool:
    """Approving an application whose frozen eligibility is not client needs a reason."""
    return frozen_eligible_level != "client"
