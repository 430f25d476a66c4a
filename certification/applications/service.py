"""Applications for client certification: apply (the eligibility frozen at submission),
withdraw, and DG R&O's approval (the level history gets the grant) or rejection; each a
transition of `lifecycle.py` in one transaction with its audit entry and the PRO Partner's
notice."""

from __future__ import annotations

import datetime as dt
from typing import Any

from certification.applications.lifecycle import (
    APPLICATION_LIFECYCLE,
    ApplicationAction,
    ApplicationState,
    needs_override,
)
from certification.eligibility import eligibility_for_all
from certification.levels import APPLICATION, record_change
from certification.recipients import mail_recipients
from certification.tables import Application
from core import audit, notices
from core.database import compare_and_set, is_unique_violation, write_transaction
from core.errors import NotFound, Refused, TransitionRefused
from core.i18n import gettext as _
from organisations.tables import Organisation

NOTICE_DECIDED = "application_decided"
MAX_REASON = 2000


async def _organisation(code: str) -> dict[str, Any]:
    row = (
        await Organisation.select(Organisation.id, Organisation.code)
        .where(Organisation.code == code)
        .first()
    )
    if row is None:
        raise NotFound(_("There is no such organisation."))
    return row


async def apply(actor: audit.Actor, code: str, today: dt.date) -> int:
    """Submit an application for the organisation; its eligibility today is frozen in it."""
    try:
        async with write_transaction():
            organisation = await _organisation(code)
            if await Application.exists().where(
                (Application.organisation == organisation["id"])
                & (Application.state == ApplicationState.SUBMITTED)
            ):
                raise Refused(_("%(code)s has an open application already.", code=code))
            [result] = await eligibility_for_all(today, code)
            if str(result.granted) == "client":
                raise Refused(_("%(code)s holds client certification already.", code=code))
            [row] = await Application.insert(
                Application(
                    organisation=organisation["id"],
                    state=str(ApplicationState.SUBMITTED),
                    frozen=result.as_dict(),
                    submitted_by=actor.label,
                    submitted_at=dt.datetime.now(dt.UTC),
                    revision=1,
                )
            ).returning(Application.id)
            await audit.record(
                actor,
                "application_submitted",
                table="client_application",
                key=str(row["id"]),
                after={"organisation": code, "eligible_level": result.as_dict()["eligible_level"]},
            )
    except Exception as error:
        if is_unique_violation(error):  # submitted meanwhile
            raise Refused(_("%(code)s has an open application already.", code=code)) from None
        raise
    return int(row["id"])


async def _application(application_id: int) -> dict[str, Any]:
    row = (
        await Application.select(
            *Application.all_columns(), Application.organisation.code.as_alias("code")
        )
        .where(Application.id == application_id)
        .output(load_json=True)
        .first()
    )
    if row is None:
        raise NotFound
    return row


async def _transition(
    actor: audit.Actor,
    application: dict[str, Any],
    action: ApplicationAction,
    reason: str | None,
    revision: int,
    override: bool = False,
) -> None:
    new_state = APPLICATION_LIFECYCLE.next_state(application["state"], action)
    changed = await compare_and_set(
        Application,
        application["id"],
        Application.revision,
        revision,
        {
            Application.state: new_state,
            Application.decided_by: actor.label,
            Application.decided_at: dt.datetime.now(dt.UTC),
            Application.reason: reason,
            Application.override: override,
            Application.revision: revision + 1,
        },
    )
    if not changed:
        raise TransitionRefused(application["state"], str(action))
    await audit.record(
        actor,
        f"application_{new_state}",
        table="client_application",
        key=str(application["id"]),
        before={"state": application["state"]},
        after={"state": new_state, "reason": reason or "", "override": override},
    )


async def withdraw(actor: audit.Actor, application_id: int, code: str, revision: int) -> None:
    """The PRO Partner takes its open application back."""
    async with write_transaction():
        application = await _application(application_id)
        if application["code"] != code:
            raise NotFound(_("There is no such application."))
        await _transition(actor, application, ApplicationAction.WITHDRAW, None, revision)


def _reason(reason: str) -> str:
    reason = reason.strip()
    if len(reason) > MAX_REASON:
        raise Refused(_("Keep the reason under 2,000 characters."), "reason")
    return reason


async def approve(
    actor: audit.Actor, application_id: int, reason: str, revision: int, today: dt.date
) -> None:
    """Grant client certification from today: where the frozen eligibility is client, or
    with an explicit override reason."""
    reason = _reason(reason)
    async with write_transaction():
        application = await _application(application_id)
        eligible = application["frozen"].get("eligible_level", "")
        override = needs_override(eligible)
        if override and not reason:
            raise Refused(
                _(
                    "The eligibility frozen at submission is %(level)s, not client: give the "
                    "reason for approving all the same.",
                    level=eligible,
                ),
                "reason",
            )
        await _transition(actor, application, ApplicationAction.APPROVE, reason, revision, override)
        await record_change(
            actor,
            {"id": application["organisation"], "code": application["code"]},
            application["frozen"].get("granted_level", ""),
            "client",
            today,
            APPLICATION,
            note=reason,
        )
        await notices.notify(
            NOTICE_DECIDED,
            (notices.PRO_PARTNER,),
            application["code"],
            {"decision": "approved", "reason": reason},
            mail_to=await mail_recipients((notices.PRO_PARTNER,), application["code"]),
        )


async def reject(actor: audit.Actor, application_id: int, reason: str, revision: int) -> None:
    reason = _reason(reason)
    if not reason:
        raise Refused(_("Give the reason for rejecting the application."), "reason")
    async with write_transaction():
        application = await _application(application_id)
        await _transition(actor, application, ApplicationAction.REJECT, reason, revision)
        await notices.notify(
            NOTICE_DECIDED,
            (notices.PRO_PARTNER,),
            application["code"],
            {"decision": "rejected", "reason": reason},
            mail_to=await mail_recipients((notices.PRO_PARTNER,), application["code"]),
        )
