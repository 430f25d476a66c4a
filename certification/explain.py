"""Words for the engine's results: condition labels, the exact gap, levels and tasks."""

from __future__ import annotations

from certification.rules import SEEDED_POLICY_NOTE, Condition, Level
from core.i18n import format_figure, ngettext
from core.i18n import gettext as _
from qchecks.rules import format_average, format_hundredths


def level_label(level: Level | str) -> str:
    return {
        "none": _("no certification"),
        "individual": _("individual certification"),
        "client": _("client certification"),
    }[str(level)]


def condition_label(code: str) -> str:
    kind, _sep, role = code.partition(":")
    labels = {
        "az_certified": _("AZ-certified staff (Consultant A to Z)"),
        "pro_partner": _("PRO Partner designated"),
        "certified_staff": _("Certified staff (any track)"),
        "az_per_language": _("AZ-certified consultants, language role %(role)s", role=role),
        "seltest_per_language": _(
            "SELTEST-certified consultants, language role %(role)s", role=role
        ),
        "qcheck_average": _("Q-check average of the last twelve months (%)"),
    }
    return labels.get(kind, code)


def policy_note(note: str | None) -> str:
    """A policy version's note; the seeded version's stored note in the reader's words."""
    if note == SEEDED_POLICY_NOTE:
        return _("The default thresholds of the specification, set when the portal was installed.")
    return note or ""


def figure(code: str, value: object) -> str:
    """A figure found for condition `code`, as the reader writes numbers (pages only):
    Q-check averages truncated, never rounded up."""
    if code == "qcheck_average":
        return format_figure(format_average(value))  # type: ignore[arg-type]
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return "—" if value is None else str(value)


def required_figure(code: str, value: object) -> str:
    """A threshold: the Q-check minimum exactly as adopted (80.07 stays 80.07)."""
    if code == "qcheck_average" and isinstance(value, int | float):
        return format_figure(format_hundredths(round(float(value) * 100)))
    return figure(code, value)


def gap(condition: Condition) -> str:
    """What is missing, in words a PRO Partner acts on: "1 more FR SELTEST-certified consultant"."""
    if condition.met:
        return ""
    kind, _sep, role = condition.code.partition(":")
    missing = 0
    if isinstance(condition.actual, int) and not isinstance(condition.actual, bool):
        missing = max(int(condition.required) - condition.actual, 1)  # type: ignore[arg-type]
    if kind == "az_certified":
        return ngettext(
            "%(num)d more AZ-certified staff member",
            "%(num)d more AZ-certified staff members",
            missing,
        )
    if kind == "pro_partner":
        return _("Designate a PRO Partner")
    if kind == "certified_staff":
        return ngettext(
            "%(num)d more certified staff member", "%(num)d more certified staff members", missing
        )
    if kind == "az_per_language":
        return ngettext(
            "%(num)d more %(role)s AZ-certified consultant",
            "%(num)d more %(role)s AZ-certified consultants",
            missing,
            role=role,
        )
    if kind == "seltest_per_language":
        return ngettext(
            "%(num)d more %(role)s SELTEST-certified consultant",
            "%(num)d more %(role)s SELTEST-certified consultants",
            missing,
            role=role,
        )
    if kind == "qcheck_average":
        if condition.actual is None:
            return _("No Q-check in the last twelve months by an AZ-certified consultant")
        return _(
            "Q-check average %(actual)s %% is below %(required)s %%",
            actual=format_average(condition.actual),  # type: ignore[arg-type]
            required=f"{float(condition.required):.2f}",
        )
    return condition.code


def task_label(key: str) -> str:
    return {
        "run_selections": _("Run selection procedures from A to Z"),
        "administrative_tasks": _("Administrative tasks of the selection"),
        "selection_tests": _("Selection tests"),
        "assessment_exercises": _("Chair interviews with an assessment exercise"),
        "chair_interviews": _("Chair selection interviews"),
        "develop_tests": _(
            "Develop and validate specific selection tests (case, situational judgement)"
        ),
        "complaint_answers": _("Draft and final answer to complaints"),
        "archiving": _("Deliver documents for archiving"),
        "mentoring": _("Mentor new colleagues not yet in a certification track"),
        "assign_selection_files": _("PRO Portal: assign selection files"),
        "pc_planning": _("PC planning: book test rooms and supervise PC tests"),
        "assessments_unless_certified": _(
            "Chair interviews with an assessment exercise "
            "(unless the organisation has a certified assessor)"
        ),
        "tools": _("Manage platforms, applications and website"),
        "reasonable_accommodations": _("Reasonable accommodations: decision and administration"),
        "sign_documents": _("Sign final and interim reports and selection boards"),
        "test_complaints": _(
            "Handle complaints about PC and standard tests; final answer to other complaints"
        ),
        "trainings_and_certification_tests": _("Organise the certification trainings and tests"),
        "qchecks": _("Quality checks (Q-checks) of the selection files"),
        "everything_else": _("Every selection task the organisation has no certified staff for"),
        "whole_selection_process": _("The whole recruitment and selection process"),
    }.get(key, key)
