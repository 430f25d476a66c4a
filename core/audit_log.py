"""Reading the audit log: DG R&O's filters and one page of entries, newest first."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from urllib.parse import urlencode

from core.audit import Outcome
from core.i18n import gettext as _
from core.paging import Page, fetch_page
from core.parsing import date_field
from core.tables import AuditEntry


@dataclass
class AuditFilter:
    actor: str = ""
    action: str = ""
    outcome: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    errors: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_query(cls, query: dict[str, str]) -> AuditFilter:
        result = cls(
            actor=query.get("actor", "").strip(),
            action=query.get("action", "").strip(),
            outcome=query.get("outcome", "").strip(),
        )
        if result.outcome and result.outcome not in {Outcome.OK, Outcome.DENIED, Outcome.FAILED}:
            result.errors["outcome"] = _("Choose an outcome from the list.")
        for name in ("date_from", "date_to"):
            raw = query.get(name, "").strip()
            if not raw:
                continue
            day, problem = date_field(raw)
            if problem:
                result.errors[name] = problem
            else:
                setattr(result, name, day)
        if result.date_from and result.date_to and result.date_from > result.date_to:
            result.errors["date_to"] = _("The end date comes before the start date.")
        return result

    def where(self):
        clauses = []
        if self.actor:
            clauses.append(AuditEntry.actor_email.ilike(f"%{self.actor}%"))
        if self.action:
            clauses.append(AuditEntry.action == self.action)
        if self.outcome:
            clauses.append(AuditEntry.outcome == self.outcome)
        if self.date_from:
            start = dt.datetime.combine(self.date_from, dt.time.min, tzinfo=dt.UTC)
            clauses.append(AuditEntry.at >= start)
        if self.date_to:
            end = dt.datetime.combine(
                self.date_to + dt.timedelta(days=1), dt.time.min, tzinfo=dt.UTC
            )
            clauses.append(AuditEntry.at < end)
        return clauses

    def query_string(self, page: int) -> str:
        params = {
            "actor": self.actor,
            "action": self.action,
            "outcome": self.outcome,
            "date_from": self.date_from.isoformat() if self.date_from else "",
            "date_to": self.date_to.isoformat() if self.date_to else "",
            "page": str(page),
        }
        return urlencode({k: v for k, v in params.items() if v})


async def audit_page(filters: AuditFilter, page: int) -> Page:
    """One page of the entries that pass the filters (none while a filter is invalid)."""
    if filters.errors:
        return Page(rows=[], total=0, page=1, pages=1)
    query = AuditEntry.select().order_by(AuditEntry.id, ascending=False)
    return await fetch_page(query, AuditEntry.count(), filters.where(), page)


async def audit_actions() -> list[str]:
    """Every action name in the log, for the filter's list."""
    rows = await AuditEntry.select(AuditEntry.action).distinct().order_by(AuditEntry.action)
    return [row["action"] for row in rows]


async def record_history(table: str, key: str) -> list[dict]:
    """Every entry about one record (who changed what, when, before and after), oldest
    first: the history shown on the record's own page."""
    return await (
        AuditEntry.select()
        .where((AuditEntry.table_name == table) & (AuditEntry.record_key == key))
        .order_by(AuditEntry.id)
        .output(load_json=True)
    )


# Words for the codes the log stores (issue 12): the page shows these, the stored entry
# and any export keep the codes. An action another area adds later without a label here
# shows as its code with spaces, never as nothing.
def action_label(action: str) -> str:
    labels = {
        "login": _("Login"),
        "logout": _("Logout"),
        "access_denied": _("Access refused"),
        "language_changed": _("Language changed"),
        "user_saved": _("User account saved"),
        "staff_added": _("Staff member added"),
        "staff_updated": _("Staff member changed"),
        "staff_move_requested": _("Move of a staff member requested"),
        "staff_move_confirmed": _("Move of a staff member confirmed"),
        "staff_move_declined": _("Move of a staff member declined"),
        "staff_move_withdrawn": _("Move request withdrawn"),
        "staff_function_set": _("Function of a staff member recorded"),
        "certificate_registered": _("Certificate registered"),
        "certificate_verified": _("Certificate verified"),
        "certificate_rejected": _("Certificate rejected"),
        "certificate_suspended": _("Certificate suspended"),
        "certificate_revoked": _("Certificate revoked"),
        "certificate_reinstated": _("Certificate reinstated"),
        "certificate_reminders_sent": _("Expiry reminders sent"),
        "policy_adopted": _("Policy adopted"),
        "policy_deleted": _("Policy version deleted"),
        "granted_level_changed": _("Granted level changed"),
        "track_added": _("Track added"),
        "track_changed": _("Track changed"),
        "track_competencies_changed": _("Competencies of a track changed"),
        "session_published": _("Track session published"),
        "session_place_requested": _("Place in a track session requested"),
        "session_place_cancelled": _("Place request in a track session withdrawn"),
        "mentorship_registered": _("Mentorship registered"),
        "review_opened": _("Yearly review opened"),
        "review_decided": _("Yearly review decision"),
        "review_closed": _("Yearly review closed"),
        "review_discarded": _("Yearly review discarded"),
        "application_submitted": _("Application for client certification submitted"),
        "application_withdrawn": _("Application withdrawn"),
        "application_approved": _("Application approved"),
        "application_rejected": _("Application rejected"),
        "qcheck_recorded": _("Q-check recorded"),
        "qcheck_edited": _("Q-check changed"),
        "qcheck_deleted": _("Q-check deleted"),
        "qcheck_year_closed": _("Q-check year closed"),
        "qcheck_criterion_saved": _("Q-check criterion saved"),
        "qcheck_criterion_retired": _("Q-check criterion retired"),
        "function_profile_added": _("Function profile added"),
        "function_requirement_set": _("Competency required by a function set"),
        "competency_model_loaded": _("Competency model loaded"),
        "cycles_generated": _("Evaluation cycles generated"),
        "import_organisations": _("Import of organisations"),
        "import_staff": _("Import of staff"),
        "import_certificates": _("Import of certificates"),
        "import_qchecks": _("Import of Q-checks"),
        "import_functions": _("Import of staff functions"),
    }
    return labels.get(action) or action.replace("_", " ")


def record_label(table: str) -> str:
    """What kind of record an entry is about ("User account: …")."""
    labels = {
        "portal_user": _("User account"),
        "staff_member": _("Staff member"),
        "staff_move_request": _("Move request"),
        "staff_function": _("Function of a staff member"),
        "certificate": _("Certificate"),
        "certificate_reminder": _("Expiry reminder"),
        "certification_policy": _("Policy version"),
        "client_application": _("Application"),
        "competency_model": _("Competency model"),
        "evaluation_cycle": _("Evaluation cycle"),
        "function_profile": _("Function profile"),
        "level_change": _("Granted level"),
        "mentorship": _("Mentorship"),
        "qcheck": _("Q-check"),
        "qcheck_closed_year": _("Q-check year"),
        "qcheck_criterion_def": _("Q-check criterion"),
        "review": _("Yearly review"),
        "review_entry": _("Yearly review decision"),
        "session_request": _("Place request"),
        "track": _("Track"),
        "track_session": _("Track session"),
        "organisations": _("Organisations"),
        "staff": _("Staff"),
        "certificates": _("Certificates"),
        "qchecks": _("Q-checks"),
        "functions": _("Staff functions"),
    }
    return labels.get(table) or table.replace("_", " ")


def outcome_label(outcome: str) -> str:
    return {
        Outcome.OK: _("succeeded"),
        Outcome.DENIED: _("refused"),
        Outcome.FAILED: _("failed"),
    }.get(outcome, outcome)
