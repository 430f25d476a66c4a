"""Reminders 7 days (the regime's number) before each evaluation deadline (SPEC 3), for
cron: `portal cycles remind`. Each reminder is recorded with its mail in the outbox in
one transaction (unique on cycle + task + deadline), so running it twice, or twice a day,
never sends twice; the outbox delivers now and retries later when the SMTP server is down.

Who is reminded: the staff member of the self-evaluation, the first evaluator and any
co-planner of the first evaluation, the second evaluator of the second; each in their
preferred language (else their language role's), only for a task still open."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from core import audit, outbox
from core.database import write_transaction
from core.i18n import gettext, in_language
from cycles import rules
from cycles.labels import evaluation_kind_label, format_day
from cycles.queries import regime_of_row, regime_rows
from cycles.tables import CycleEvaluation, CycleReminder, EvaluationCycle, EvaluatorAssignment

COMMAND_LINE = audit.Actor.command_line("cycles remind")
SendMail = Callable[[str, str, str], Awaitable[None]]
LOOK_BACK = dt.timedelta(days=400)  # the last deadline falls within a year of a cycle's end


@dataclass
class RemindReport:
    queued: int = 0
    failed: dict[str, str] = field(default_factory=dict)


def reminder_text(name: str, task: str, deadline: dt.date, language: str) -> tuple[str, str]:
    with in_language(language):
        subject = gettext(
            "Reminder: %(task)s by %(day)s",
            task=evaluation_kind_label(task),
            day=format_day(deadline),
        )
        body = gettext(
            "The %(task)s of %(name)s is due by %(day)s. Open the evaluation dossier in the "
            "PRO certification portal to write it. After the deadline it can still be "
            "submitted, marked late.",
            task=evaluation_kind_label(task),
            name=name,
            day=format_day(deadline),
        )
    return subject, body + "\n"


def _language(preferred: str | None, language_role: str) -> str:
    if preferred in ("nl", "fr", "en"):
        return str(preferred)
    return "fr" if language_role == "FR" else "nl"


def _due_tasks(
    cycle: dict,
    regime: rules.Regime,
    done: set[tuple[int, str]],
    sent: set[tuple[int, str, dt.date]],
    evaluators: list[tuple[str, str, str]],
    today: dt.date,
) -> list[tuple[str, dt.date, list[tuple[str, str]]]]:
    """The cycle's tasks whose reminder is due today, not done and not sent, each with who
    is reminded (address, language role): the staff member for the self-evaluation, the
    first evaluator and any co-planner for the first, the second for the second. Pure."""
    deadlines = rules.deadlines(cycle["ends_on"], regime)
    evaluated = rules.gets_annual_evaluation(
        cycle["starts_on"], cycle["ends_on"], cycle["absent_days"], regime
    )
    out = []
    for task in rules.EVALUATION_KINDS:
        deadline = deadlines.of(task)
        if (cycle["id"], task) in done or (cycle["id"], task, deadline) in sent:
            continue
        if (task != "self" and not evaluated) or not rules.reminder_due(deadline, regime, today):
            continue
        if task == "self":
            recipients = [(cycle["email"], cycle["language_role"])]
        else:
            wanted = {"first", "coplanner"} if task == "first" else {"second"}
            recipients = [(email, role) for kind, email, role in evaluators if kind in wanted]
        if recipients:
            out.append((task, deadline, recipients))
    return out


async def send_cycle_reminders(
    today: dt.date, send_mail: SendMail, actor: audit.Actor = COMMAND_LINE
) -> RemindReport:
    from accounts.tables import User

    cycles = await EvaluationCycle.select(
        *EvaluationCycle.all_columns(),
        EvaluationCycle.staff.email.as_alias("email"),
        EvaluationCycle.staff.first_name.as_alias("first_name"),
        EvaluationCycle.staff.last_name.as_alias("last_name"),
        EvaluationCycle.staff.language_role.as_alias("language_role"),
        EvaluationCycle.staff.organisation.as_alias("organisation_id"),
    ).where((EvaluationCycle.ends_on < today) & (EvaluationCycle.ends_on >= today - LOOK_BACK))
    report = RemindReport()
    if not cycles:
        return report
    ids = [cycle["id"] for cycle in cycles]
    regimes = await regime_rows(list({cycle["organisation_id"] for cycle in cycles}))
    done = {
        (row["cycle"], row["kind"])
        for row in await CycleEvaluation.select(CycleEvaluation.cycle, CycleEvaluation.kind).where(
            CycleEvaluation.cycle.is_in(ids)
        )
    }
    sent = {
        (row["cycle"], row["task"], row["deadline"])
        for row in await CycleReminder.select().where(CycleReminder.cycle.is_in(ids))
    }
    evaluators: dict[int, list[tuple[str, str, str]]] = {}
    for row in await EvaluatorAssignment.select(
        EvaluatorAssignment.staff,
        EvaluatorAssignment.role,
        EvaluatorAssignment.evaluator.email.as_alias("email"),
        EvaluatorAssignment.evaluator.language_role.as_alias("language_role"),
    ).where(
        EvaluatorAssignment.staff.is_in(list({cycle["staff"] for cycle in cycles}))
        & (EvaluatorAssignment.from_on <= today)
        & (EvaluatorAssignment.until_on.is_null() | (EvaluatorAssignment.until_on >= today))
    ):
        evaluators.setdefault(row["staff"], []).append(
            (row["role"], row["email"], row["language_role"])
        )
    due: list[tuple[dict, str, dt.date, list[tuple[str, str]]]] = []
    for cycle in cycles:
        regime = regime_of_row(regimes.get(cycle["organisation_id"]))
        if regime.cycles_off:  # the organisation does not use the cycles: no reminder
            continue
        for task, deadline, recipients in _due_tasks(
            cycle, regime, done, sent, evaluators.get(cycle["staff"], []), today
        ):
            due.append((cycle, task, deadline, recipients))
    if not due:
        return report
    addresses = {email for *_, recipients in due for email, _role in recipients}
    preferred = {
        row["email"]: row["preferred_language"]
        for row in await User.select(User.email, User.preferred_language).where(
            User.email.is_in(list(addresses))
        )
    }
    queued: dict[int, str] = {}
    async with write_transaction():
        for cycle, task, deadline, recipients in due:
            name = f"{cycle['first_name']} {cycle['last_name']}"
            for email, role in recipients:
                language = _language(preferred.get(email), role)
                subject, body = reminder_text(name, task, deadline, language)
                queued[await outbox.enqueue("cycle_reminder", email, language, subject, body)] = (
                    email
                )
        await CycleReminder.insert(
            *[
                CycleReminder(
                    cycle=cycle["id"], task=task, deadline=deadline, sent_at=dt.datetime.now(dt.UTC)
                )
                for cycle, task, deadline, _recipients in due
            ]
        )
        await audit.record(
            actor,
            "cycle_reminders_queued",
            table="cycle_reminder",
            key=today.isoformat(),
            after={"reminders": len(due), "mails": len(queued)},
        )
    report.queued = len(queued)
    await outbox.deliver_due(send_mail, "cycles remind")
    for message_id, error in (await outbox.still_pending(list(queued))).items():
        report.failed[queued[message_id]] = error
    return report
