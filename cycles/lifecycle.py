"""State machines of a dossier, pure.

A meeting's report:

    draft --sign_staff-----> staff_signed --sign_evaluator--> signed
    draft --sign_evaluator-> evaluator_signed --sign_staff--> signed

The report text can change only in `draft`; the staff member's remarks only until they
sign. Once both signed (`signed`) nothing changes; signing twice is refused.

An objective:

    open --achieve--> achieved     (the evaluator; or derived from a valid certificate)
    open --close----> closed       (with a final progress note: a change of function)
    open --carry----> carried      (closed and copied into the staff member's new cycle)
    achieved --reopen--> open
"""

from __future__ import annotations

from enum import StrEnum

from core.lifecycle import StateMachine


class ReportState(StrEnum):
    DRAFT = "draft"
    STAFF_SIGNED = "staff_signed"
    EVALUATOR_SIGNED = "evaluator_signed"
    SIGNED = "signed"


class ReportAction(StrEnum):
    EDIT = "edit"
    REMARK = "remark"
    SIGN_STAFF = "sign_staff"
    SIGN_EVALUATOR = "sign_evaluator"


REPORT_LIFECYCLE = StateMachine(
    actions=tuple(str(action) for action in ReportAction),
    transitions={
        (ReportState.DRAFT, ReportAction.EDIT): ReportState.DRAFT,
        (ReportState.DRAFT, ReportAction.REMARK): ReportState.DRAFT,
        (ReportState.EVALUATOR_SIGNED, ReportAction.REMARK): ReportState.EVALUATOR_SIGNED,
        (ReportState.DRAFT, ReportAction.SIGN_STAFF): ReportState.STAFF_SIGNED,
        (ReportState.DRAFT, ReportAction.SIGN_EVALUATOR): ReportState.EVALUATOR_SIGNED,
        (ReportState.EVALUATOR_SIGNED, ReportAction.SIGN_STAFF): ReportState.SIGNED,
        (ReportState.STAFF_SIGNED, ReportAction.SIGN_EVALUATOR): ReportState.SIGNED,
    },
)


class ObjectiveState(StrEnum):
    OPEN = "open"
    ACHIEVED = "achieved"
    CLOSED = "closed"
    CARRIED = "carried"


class ObjectiveAction(StrEnum):
    EDIT = "edit"
    PROGRESS = "progress"
    ACHIEVE = "achieve"
    CLOSE = "close"
    CARRY = "carry"
    REOPEN = "reopen"


OBJECTIVE_LIFECYCLE = StateMachine(
    actions=tuple(str(action) for action in ObjectiveAction),
    transitions={
        (ObjectiveState.OPEN, ObjectiveAction.EDIT): ObjectiveState.OPEN,
        (ObjectiveState.OPEN, ObjectiveAction.PROGRESS): ObjectiveState.OPEN,
        (ObjectiveState.OPEN, ObjectiveAction.ACHIEVE): ObjectiveState.ACHIEVED,
        (ObjectiveState.OPEN, ObjectiveAction.CLOSE): ObjectiveState.CLOSED,
        (ObjectiveState.OPEN, ObjectiveAction.CARRY): ObjectiveState.CARRIED,
        (ObjectiveState.ACHIEVED, ObjectiveAction.REOPEN): ObjectiveState.OPEN,
    },
)


class RequestState(StrEnum):
    PENDING = "pending"
    GRANTED = "granted"
    REFUSED = "refused"


class RequestAction(StrEnum):
    GRANT = "grant"
    REFUSE = "refuse"


# HR's motivated request to read a closed dossier (SPEC 3.2):
#
#     pending --grant--> granted      (at once for a negative evaluation or a plan,
#     pending --refuse-> refused       otherwise the organisation's legal reviewer)
REQUEST_LIFECYCLE = StateMachine(
    actions=tuple(str(action) for action in RequestAction),
    transitions={
        (RequestState.PENDING, RequestAction.GRANT): RequestState.GRANTED,
        (RequestState.PENDING, RequestAction.REFUSE): RequestState.REFUSED,
    },
)
