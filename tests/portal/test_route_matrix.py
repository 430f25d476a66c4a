"""Every route × every role × another organisation (issue 13), generated from the app's
route table: each identity tries each route, and the outcome must be the one the table
below states. A route without a row fails the test, so a new route must say who may use it.

Identities: anonymous; DG R&O; BOSA's PRO Partner, HR, an evaluator (also staff, Sam's
first evaluator) and a staff member (Sam); and FIN's PRO Partner (another organisation).
Paths name BOSA and real records of the demo data (Sam's cycle, a Q-check of BOSA, …).

Outcomes: an allowed identity gets no 401/403/404 (a POST with an empty form may be
refused with a message: 400/409/422); a denied one gets 401/403/404 or the login page;
nobody ever gets a 5xx.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest

from tests.conftest import CSRF_FIELD, login, new_client

ANON, DGRO, PARTNER, HR, EVALUATOR, STAFF, OTHER, LEGAL = (
    "anonymous", "dgro", "partner", "hr", "evaluator", "staff", "other_partner", "legal",
)  # fmt: skip
LOGGED_IN = {DGRO, PARTNER, HR, EVALUATOR, STAFF, OTHER, LEGAL}
BOSA_USERS = {DGRO, PARTNER, HR, EVALUATOR, STAFF, LEGAL}  # DG R&O acts for every organisation
PARTNERS_HR = {DGRO, PARTNER, HR}

# method path -> who is let through (the rest is denied)
EXPECTED: dict[str, set[str]] = {
    "GET /": LOGGED_IN,
    "GET /accessibility": LOGGED_IN | {ANON},
    # The outbox as pages, in development only (the tests' app is one): no login.
    "GET /dev/mail": LOGGED_IN | {ANON},
    "GET /dev/mail/{mail_id}": LOGGED_IN | {ANON},
    "GET /audit": {DGRO},
    "GET /import": {DGRO},
    "POST /import": {DGRO},
    "GET /organisations/{code}/import": {DGRO, PARTNER},
    "POST /organisations/{code}/import": {DGRO, PARTNER},
    "GET /notices": LOGGED_IN,  # everyone has notices of their own (issue 22)
    "POST /notices/{notice_id}/read": {PARTNER},  # a notice for BOSA's PRO Partner
    "GET /organisations": {DGRO},
    "GET /organisations/{code}": BOSA_USERS,
    "GET /organisations/{code}/look-ahead": BOSA_USERS,
    "GET /organisations/{code}/staff": PARTNERS_HR,
    "POST /organisations/{code}/staff": {DGRO, PARTNER, HR},
    "GET /organisations/{code}/staff.csv": PARTNERS_HR,
    "GET /organisations/{code}/staff.xlsx": PARTNERS_HR,
    "GET /organisations/{code}/certificates.csv": PARTNERS_HR,
    "GET /organisations/{code}/certificates.xlsx": PARTNERS_HR,
    "GET /organisations/{code}/staff/{staff_id}/edit": {DGRO, PARTNER, HR},
    "POST /organisations/{code}/staff/{staff_id}": {DGRO, PARTNER, HR},
    "GET /organisations/{code}/staff/{staff_id}/functions": {DGRO, HR},
    "POST /organisations/{code}/staff/{staff_id}/functions": {DGRO, HR},
    "POST /organisations/{code}/staff/{staff_id}/certificates": {DGRO, PARTNER},
    "POST /organisations/{code}/staff/moves/{request_id}/withdraw": {DGRO, PARTNER, HR},
    "GET /certificates/queue": {DGRO},
    "POST /certificates/{certificate_id}/{action}": {DGRO},
    "GET /policy": {DGRO},
    "POST /policy": {DGRO},
    "POST /policy/{effective_from}/delete": {DGRO},
    "POST /policy/simulate": {DGRO},
    "GET /eligibility.csv": {DGRO},
    "GET /eligibility.xlsx": {DGRO},
    "GET /tracks": LOGGED_IN,
    "POST /tracks": {DGRO},
    "GET /tracks/{code}/edit": {DGRO},
    "POST /tracks/{code}": {DGRO},
    "POST /tracks/{code}/competencies": {DGRO},
    "GET /api/v1/eligibility": {DGRO},
    "GET /api/v1/me": LOGGED_IN,
    "GET /api/v1/organisations/{code}/eligibility": BOSA_USERS,
    "GET /reviews": {DGRO},
    "POST /reviews": {DGRO},
    "GET /reviews/{year}": {DGRO},
    "POST /reviews/{year}/close": {DGRO},
    "POST /reviews/{year}/decisions/{code}": {DGRO},
    "POST /reviews/{year}/discard": {DGRO},  # an empty form: 400, "tick I understand"
    "GET /reviews/{year}/review.csv": {DGRO},
    "GET /reviews/{year}/review.xlsx": {DGRO},
    "GET /reviews/{year}/letters/{code}": {DGRO},
    "GET /applications": {DGRO},
    "POST /applications/{application_id}/{action}": {DGRO},
    "GET /organisations/{code}/application": {DGRO, PARTNER},
    "POST /organisations/{code}/application": {DGRO, PARTNER},
    "POST /organisations/{code}/application/{application_id}/withdraw": {DGRO, PARTNER},
    "GET /organisations/{code}/mentoring": PARTNERS_HR,
    "POST /organisations/{code}/mentoring": {DGRO, PARTNER},
    "GET /sessions": {DGRO, PARTNER, HR, OTHER},
    "POST /sessions": {DGRO},
    "GET /sessions/{session_id}": {DGRO, PARTNER, HR, OTHER},
    "POST /sessions/{session_id}/requests": {PARTNER, OTHER},
    # BOSA's request: its PRO Partner withdraws it (FIN's finds no such request).
    "POST /sessions/{session_id}/requests/{place_id}/cancel": {PARTNER},
    "GET /qchecks": {DGRO},
    "POST /qchecks": {DGRO},
    "GET /qchecks/new": {DGRO},
    "GET /qchecks/criteria": {DGRO},
    "POST /qchecks/criteria": {DGRO},
    "GET /qchecks/{qcheck_id}": {DGRO, PARTNER, HR, EVALUATOR},  # EVALUATOR ran the file
    "GET /qchecks/{qcheck_id}/edit": {DGRO},
    "POST /qchecks/{qcheck_id}/edit": {DGRO},
    "POST /qchecks/{qcheck_id}/delete": {DGRO},
    "GET /qchecks/ranking": {DGRO},
    "GET /qchecks/ranking.csv": {DGRO},
    "GET /qchecks/ranking.xlsx": {DGRO},
    "GET /my/qchecks": LOGGED_IN,
    "GET /api/v1/qchecks/{qcheck_id}": {DGRO, PARTNER, HR, EVALUATOR},
    "POST /api/v1/qchecks": {DGRO},
    "GET /organisations/{code}/qchecks": PARTNERS_HR,
    "GET /organisations/{code}/qchecks/analytics": PARTNERS_HR,
    "GET /organisations/{code}/qchecks/analytics.csv": PARTNERS_HR,
    "GET /organisations/{code}/qchecks/analytics.xlsx": PARTNERS_HR,
    "GET /competencies": LOGGED_IN,
    "GET /competencies/compare": LOGGED_IN,
    "GET /api/v1/competencies": LOGGED_IN,
    "GET /organisations/{code}/functions": PARTNERS_HR,
    "POST /organisations/{code}/functions": {DGRO, HR},
    "POST /organisations/{code}/functions/{profile_id}/requirements": {DGRO, HR},
    "GET /functions": {DGRO},
    "POST /functions": {DGRO},
    "POST /functions/{profile_id}/requirements": {DGRO},
    # The dossier: its staff member and evaluators only (SPEC 3, privacy)
    "GET /my/dossier": LOGGED_IN,
    "GET /cycles/{cycle_id}": {EVALUATOR, STAFF},
    "POST /cycles/{cycle_id}/meetings": {EVALUATOR, STAFF},
    "POST /cycles/{cycle_id}/meetings/{meeting_id}/{action}": {EVALUATOR, STAFF},
    "POST /cycles/{cycle_id}/objectives": {EVALUATOR, STAFF},  # the staff member: 400, words
    "POST /cycles/{cycle_id}/improvement-plan": {EVALUATOR, STAFF},  # the staff member: 400
    "POST /cycles/{cycle_id}/objectives/{objective_id}/{action}": {EVALUATOR, STAFF},
    "POST /cycles/{cycle_id}/evaluations/{kind}": {EVALUATOR, STAFF},
    "GET /team": {EVALUATOR},
    "GET /organisations/{code}/regime": {DGRO, HR},
    "POST /organisations/{code}/regime": {DGRO, HR},
    "GET /organisations/{code}/cycles": {HR},
    "POST /organisations/{code}/cycles/generate": {HR},
    "GET /organisations/{code}/cycles/status.csv": {HR},
    "GET /organisations/{code}/cycles/status.xlsx": {HR},
    "GET /organisations/{code}/cycles/evaluators": {HR},
    "POST /organisations/{code}/cycles/evaluators/{staff_id}": {HR},
    "POST /organisations/{code}/cycles/evaluators/{staff_id}/end": {HR},
    "GET /organisations/{code}/cycles/{cycle_id}/absence": {HR},
    # The e-dossier (SPEC 3.2): the staff member's closed cycles and the PDFs of a cycle
    # (its staff member and evaluators); HR's motivated requests, the legal reviewer's
    # decisions, and the reading of a granted request (its HR requester only).
    "GET /my/e-dossier": LOGGED_IN,
    "GET /cycles/{cycle_id}/dossier.pdf": {EVALUATOR, STAFF},
    "GET /cycles/{cycle_id}/report.pdf": set(),  # Sam's running cycle has no final report
    "GET /cycles/{cycle_id}/meetings/{meeting_id}/report.pdf": set(),  # not signed: 404
    "POST /cycles/{cycle_id}/report/remarks": {EVALUATOR, STAFF},  # refused with words
    "POST /cycles/{cycle_id}/report/receipt": {EVALUATOR, STAFF},  # refused with words
    "GET /organisations/{code}/dossier-requests": {HR, LEGAL},
    "POST /organisations/{code}/dossier-requests": {HR, LEGAL},  # legal: refused with words
    "POST /organisations/{code}/dossier-requests/{dossier_request_id}/decide": {HR, LEGAL},
    "GET /organisations/{code}/dossier-requests/{dossier_request_id}": {HR},
    "GET /organisations/{code}/dossier-requests/{dossier_request_id}/dossier.pdf": {HR},
    "GET /organisations/{code}/stages/{stage_id}": {HR},
    "GET /organisations/{code}/cycles/check": {HR},
    "GET /organisations/{code}/cycles/check/export.csv": {HR},
    "GET /organisations/{code}/cycles/check/export.xlsx": {HR},
    "POST /organisations/{code}/stages/{stage_id}": {HR},
    "POST /organisations/{code}/stages/{stage_id}/working-time": {HR},
    "POST /organisations/{code}/cycles/{cycle_id}/absence": {HR},
    "POST /organisations/{code}/cycles/{cycle_id}/absence/periods": {HR},
    "POST /organisations/{code}/cycles/{cycle_id}/absence/periods/{period_id}/delete": {HR},
    # Accounts (issue 12): one's own; DG R&O every account and organisation, HR the hr,
    # evaluator and staff accounts of its own organisation (the user tried is BOSA staff)
    "GET /account": LOGGED_IN,
    "POST /account/password": LOGGED_IN,
    "GET /account/notifications": LOGGED_IN,
    "POST /account/notifications": LOGGED_IN,
    "GET /password/forgot": LOGGED_IN | {ANON},
    "POST /password/forgot": LOGGED_IN | {ANON},
    "GET /admin/organisations": {DGRO},
    "GET /admin/organisations/new": {DGRO},
    "POST /admin/organisations/new": {DGRO},
    "GET /admin/organisations/{code}": {DGRO},
    "POST /admin/organisations/{code}": {DGRO},
    "GET /admin/staff-moves": {DGRO},
    "POST /admin/staff-moves/{request_id}": {DGRO},
    "GET /admin/users": {DGRO, HR},
    "GET /admin/users/invite": {DGRO, HR},
    "POST /admin/users/invite": {DGRO, HR},
    "GET /admin/users/{user_id}": {DGRO, HR},
    "POST /admin/users/{user_id}": {DGRO, HR},
    "POST /admin/users/{user_id}/deactivate": {DGRO, HR},
    "POST /admin/users/{user_id}/reactivate": {DGRO, HR},
    "POST /admin/users/{user_id}/invitation": {DGRO, HR},
    "POST /admin/users/{user_id}/staff-record": {DGRO, HR},
    "POST /admin/users/{user_id}/staff-record/remove": {DGRO, HR},
}
# Not tried here: their own tests cover them (the log-in and session tests, the static
# files, the OpenAPI schema, the health check; the links of invitation and reset mails,
# whose one-time tokens the account tests try).
NOT_TRIED = re.compile(
    r"^(GET|POST) (/login|/logout|/language|/health|/static|/schema|/invitation/|/password/reset/)"
)

USERS = {
    DGRO: "dgro",
    PARTNER: "partner_bosa",
    HR: "hr_bosa",
    EVALUATOR: "evaluator_bosa",
    STAFF: "staff_bosa",
    LEGAL: "legal_bosa",
    OTHER: "partner_fin",
}


def route_rows(app) -> list[str]:
    rows = set()
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            for method in handler.http_methods:
                if method in ("GET", "POST", "PUT", "PATCH", "DELETE"):
                    path = re.sub(r"\{(\w+):[^}]+\}", r"{\1}", route.path)
                    rows.add(f"{method} {path}")
    return sorted(rows)


async def records(users) -> dict[str, Any]:
    """The demo data and one record of each kind a path names."""
    from dataclasses import replace

    from certification.applications.service import apply
    from certification.policy import adopt
    from certification.rules import DEFAULT_POLICY
    from certification.tables import Certificate, PlaceRequest, Review
    from certification.training.service import SessionInput, publish_session
    from competencies.functions import add_profile
    from competencies.loader import seed_models
    from core.audit import Actor
    from core.tables import Notice
    from cycles.dossier import service as dossier_service
    from cycles.objectives import service as objective_service
    from cycles.tables import EvaluationCycle
    from organisations.tables import Organisation, StaffMember
    from portal.demo import load_demo_data
    from qchecks.tables import QCheck

    await seed_models()
    await load_demo_data()
    cli = Actor.command_line("matrix")
    sam = await StaffMember.select().where(StaffMember.email == "staff@bosa.demo.portal.be")
    today = dt.date.today()
    cycle = await (
        EvaluationCycle.select(EvaluationCycle.id)
        .where((EvaluationCycle.staff == sam[0]["id"]) & (EvaluationCycle.starts_on <= today))
        .order_by(EvaluationCycle.starts_on, ascending=False)
        .first()
    )
    # Sam's running cycle is an early one (after a final insufficient, SPEC 3.2): its
    # dossier also holds the improvement plan's form.
    await EvaluationCycle.update({EvaluationCycle.kind: "early"}).where(
        EvaluationCycle.id == cycle["id"]
    )
    from core.identity import CurrentUser, parse_roles

    bosa = (await Organisation.select().where(Organisation.code == "BOSA").first())["id"]
    eva_record = await StaffMember.select(StaffMember.id).where(
        StaffMember.email == "evaluator@bosa.demo.portal.be"
    )
    eva = CurrentUser(0, "evaluator@bosa.demo.portal.be", "Eva", parse_roles("evaluator,staff"),
                      bosa, "BOSA", "en", staff_id=eva_record[0]["id"])  # fmt: skip
    meeting = await dossier_service.add_meeting(
        cli, eva, cycle["id"], dossier_service.MeetingInput("feedback", today, "Matrix"), today
    )
    objective = await objective_service.add_objective(
        cli,
        eva,
        cycle["id"],
        objective_service.ObjectiveInput(kind="performance", title="Matrix"),
        today,
    )
    qcheck = (
        await QCheck.select(QCheck.id)
        .where(QCheck.consultant.email == "evaluator@bosa.demo.portal.be")
        .first()
    )
    certificate = (
        await Certificate.select(Certificate.id).where(Certificate.staff == sam[0]["id"]).first()
    )
    session = await publish_session(
        cli, SessionInput("AZ", today + dt.timedelta(days=30), today + dt.timedelta(days=31),
                          "NL", 10),
    )  # fmt: skip
    application = await apply(cli, "BOSA", today)
    from certification.training.service import request_place

    await request_place(cli, bosa, session, sam[0]["id"], today)  # Sam: NL, no AZ yet
    place = await PlaceRequest.select(PlaceRequest.id).where(PlaceRequest.session == session)
    profile = await add_profile(cli, bosa, "Matrix function")
    from accounts.service import save_user
    from accounts.tables import User

    await save_user("extra@bosa.demo.portal.be", "Extra Staff", ["staff"], "BOSA",
                    "matrix-extra-password-2026", command="matrix")  # fmt: skip
    extra = await User.select(User.id).where(User.email == "extra@bosa.demo.portal.be").first()
    notice = await Notice.insert(
        Notice(created_at=dt.datetime.now(dt.UTC), kind="qcheck_average_near",
               audience="pro_partner", organisation_code="BOSA",
               params={"average": "81.00", "threshold": "80.00", "as_of": today.isoformat()})
    ).returning(Notice.id)  # fmt: skip
    # The demo data opened the review of the past year (ready to decide).
    assert await Review.exists().where(Review.year == today.year - 1)
    # A PRO Partner's registration of FIN's first staff member, waiting for DG R&O.
    from organisations.forms import StaffInput
    from organisations.service import request_moves

    fin_member = await StaffMember.select().where(StaffMember.organisation.code == "FIN").first()
    await request_moves(cli, bosa, [(fin_member["id"], StaffInput(
        fin_member["email"], "Moving", "Member", "NL", today, None))])  # fmt: skip
    from organisations.tables import StaffMoveRequest

    move = await StaffMoveRequest.select(StaffMoveRequest.id).first()
    from core import outbox

    mail = await outbox.enqueue("matrix", "someone@bosa.demo.portal.be", "en", "Matrix", "Hi")
    future = today + dt.timedelta(days=400)
    await adopt(replace(DEFAULT_POLICY, effective_from=future), "matrix", cli, today)
    # A trainee of BOSA (not Sam nor Eva) and the stage `generate` gives them.
    from cycles.service import generate

    trainee = (
        await StaffMember.select(StaffMember.id)
        .where(
            (StaffMember.organisation == bosa)
            & StaffMember.email.not_in(
                ["staff@bosa.demo.portal.be", "evaluator@bosa.demo.portal.be"]
            )
        )
        .first()
    )
    await StaffMember.update({StaffMember.statute: "trainee"}).where(
        StaffMember.id == trainee["id"]
    )
    await generate(cli, today, staff_ids=[trainee["id"]])
    stage = (
        await EvaluationCycle.select(EvaluationCycle.id)
        .where((EvaluationCycle.staff == trainee["id"]) & (EvaluationCycle.kind == "probation"))
        .first()
    )
    # HR's granted request to read Sam's closed cycle of two years ago (SPEC 3.2).
    from accounts.tables import User as Account
    from cycles.tables import DossierRequest

    closed = (
        await EvaluationCycle.select(EvaluationCycle.id)
        .where(
            (EvaluationCycle.staff == sam[0]["id"])
            & (EvaluationCycle.ends_on < dt.date(today.year - 1, 1, 1))
        )
        .order_by(EvaluationCycle.starts_on, ascending=False)
        .first()
    )
    hr_account = (
        await Account.select(Account.id).where(Account.email == "hr@bosa.demo.portal.be").first()
    )
    [grant] = await DossierRequest.insert(
        DossierRequest(cycle=closed["id"], requested_by=hr_account["id"],
                       requested_label="hr@bosa.demo.portal.be",
                       requested_at=dt.datetime.now(dt.UTC), motive="other", reason="Matrix",
                       state="granted", decided_label="legal@bosa.demo.portal.be",
                       decided_at=dt.datetime.now(dt.UTC), decision_note="Matrix",
                       valid_until=today + dt.timedelta(days=30))
    ).returning(DossierRequest.id)  # fmt: skip
    # A second request of HR's, waiting for the legal reviewer (its decision form).
    await DossierRequest.insert(
        DossierRequest(cycle=closed["id"], requested_by=hr_account["id"],
                       requested_label="hr@bosa.demo.portal.be",
                       requested_at=dt.datetime.now(dt.UTC), motive="other", reason="Matrix")
    )  # fmt: skip
    # Eva sent the first evaluation's draft of Sam's running cycle for the written
    # procedure: Sam's dossier shows the form for his remarks.
    from cycles.dossier.reports import DraftInput, save_draft

    await save_draft(cli, eva, cycle["id"], DraftInput("first", "Matrix", "insufficient"), 0,
                     today, send=True)  # fmt: skip
    # A day of absence HR recorded in Sam's running cycle (the absence page's remove form).
    from cycles.hr.service import PeriodInput, record_absence_period
    from cycles.queries import regime_for

    period = await record_absence_period(
        cli, bosa, cycle["id"], PeriodInput(today, today, "Matrix"), today, await regime_for(bosa)
    )
    return {
        "code": "BOSA",
        "period_id": period,
        "dossier_request_id": grant["id"],
        "staff_id": sam[0]["id"],
        "cycle_id": cycle["id"],
        "meeting_id": meeting,
        "objective_id": objective,
        "qcheck_id": qcheck["id"],
        "certificate_id": certificate["id"],
        "session_id": session,
        "place_id": place[0]["id"],
        "application_id": application,
        "profile_id": profile,
        "notice_id": notice[0]["id"],
        "request_id": move["id"],
        "mail_id": mail,
        "stage_id": stage["id"],
        "user_id": extra["id"],
        "year": today.year - 1,
        "effective_from": future.isoformat(),
        "track": "AZ",
        "action": "verify",
        "kind": "self",
    }


def denied(status: int, location: str) -> bool:
    """Refused, or sent to log in first (the page it wanted as `next`)."""
    return status in (401, 403, 404) or (
        status in (302, 303) and location.startswith("/login?next=")
    )


async def test_every_route_answers_each_identity_as_the_table_says(app, users):
    rows = route_rows(app)
    tried = [row for row in rows if not NOT_TRIED.match(row)]
    missing = [row for row in tried if row not in EXPECTED]
    assert missing == [], f"routes without a row in EXPECTED: {missing}"
    stale = [row for row in EXPECTED if row not in rows]
    assert stale == [], f"rows for routes that no longer exist: {stale}"

    values = await records(users)
    clients = {}
    for identity in [ANON, *USERS]:
        client = new_client(app)
        if identity != ANON:
            answer = await login(client, users[USERS[identity]])
            assert answer.status_code == 303, identity
        page = await client.get("/login" if identity == ANON else "/accessibility")
        match = CSRF_FIELD.search(page.text)
        assert match, identity
        clients[identity] = (client, match.group(1))

    wrong: list[str] = []
    tries = 0
    # Reads first, then writes (an empty form); one identity after the other.
    for row in sorted(tried, key=lambda r: (not r.startswith("GET"), r)):
        method, template = row.split(" ", 1)
        if template.startswith("/tracks/"):
            template = template.replace("{code}", "{track}")
        path = re.sub(r"\{(\w+)\}", lambda m: str(values[m.group(1)]), template)
        for identity, (client, token) in clients.items():
            tries += 1
            if method == "GET":
                response = await client.get(path)
            else:
                response = await client.request(
                    method, path, data={"_csrf_token": token}, headers={"x-csrftoken": token}
                )
            status, location = response.status_code, response.headers.get("location", "")
            allowed = identity in EXPECTED[row]
            if status >= 500:
                wrong.append(f"{row} as {identity}: {status}")
            elif allowed and denied(status, location):
                wrong.append(f"{row} as {identity}: denied ({status} {location}), expected allowed")
            elif not allowed and not denied(status, location):
                wrong.append(f"{row} as {identity}: {status}, expected denied")
    for client, _token in clients.values():
        await client.aclose()
    assert wrong == [], "\n".join(wrong)
    assert tries == len(tried) * 8


pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


async def test_ids_out_of_range_are_not_found_not_an_error(app, users):
    """A record id no database column can hold (2**63) in any path: a 4xx, never a 5xx."""
    rows = [
        row for row in route_rows(app)
        if not NOT_TRIED.match(row) and re.search(r"_id\}|\{year\}", row)
    ]  # fmt: skip
    assert len(rows) > 20
    client = new_client(app)
    await login(client, users[USERS[DGRO]])
    page = await client.get("/accessibility")
    match = CSRF_FIELD.search(page.text)
    assert match
    token = match.group(1)
    wrong = []
    for row in rows:
        method, template = row.split(" ", 1)
        path = re.sub(r"\{(\w+_id|year)\}", str(2**63), template)
        path = path.replace("{code}", "BOSA").replace("{action}", "verify")
        path = path.replace("{kind}", "self").replace("{token}", "x")
        if method == "GET":
            response = await client.get(path)
        else:
            response = await client.post(
                path, data={"_csrf_token": token}, headers={"x-csrftoken": token}
            )
        if response.status_code >= 500:
            wrong.append(f"{row}: {response.status_code}")
    await client.aclose()
    assert wrong == [], "\n".join(wrong)


async def test_accounts_with_a_staff_record_but_no_standing_read_no_dossier(app, users):
    """Issue 18: HR and BOSA's PRO Partner with a staff record of their own in the register
    (as an HR officer or a partner has), linked to their accounts, evaluating nobody: on
    every GET route of the table, page and htmx fragment, no dossier content of anyone
    (planted canaries) reaches them, and Sam's dossier is a 404."""
    from accounts.service import link_staff_record, load_user
    from accounts.tables import User
    from core.audit import Actor
    from cycles.objectives import service as objective_service
    from organisations.forms import StaffInput
    from organisations.service import add_staff
    from organisations.tables import Organisation

    values = await records(users)
    today = dt.date.today()
    cli = Actor.command_line("matrix")
    eva_id = (await User.select(User.id).where(User.email == users["evaluator_bosa"].email)
              .first())["id"]  # fmt: skip
    eva = await load_user(eva_id)
    assert eva is not None and eva.staff_id is not None
    canaries = ["CANARY-objective-e1", "CANARY-specific-e1"]
    await objective_service.add_objective(
        cli, eva, values["cycle_id"], objective_service.ObjectiveInput(kind="performance", title=canaries[0]),
        today,
    )  # fmt: skip
    await objective_service.add_objective(
        cli, eva, values["cycle_id"],
        objective_service.ObjectiveInput(kind="performance", title="Second", specific=canaries[1]), today,
    )  # fmt: skip
    bosa = (await Organisation.select().where(Organisation.code == "BOSA").first())["id"]
    dgro = await load_user(
        (await User.select(User.id).where(User.email == users["dgro"].email).first())["id"]
    )
    assert dgro is not None
    for key in ("hr_bosa", "partner_bosa"):
        email = users[key].email
        await add_staff(cli, bosa, StaffInput(email, "Own", key, "NL", dt.date(2020, 1, 1), None))
        account = (await User.select(User.id).where(User.email == email).first())["id"]
        await link_staff_record(cli, dgro, account, email)
        reader = await load_user(account)
        assert reader is not None and reader.staff_id is not None

    rows = [row for row in route_rows(app) if row.startswith("GET ") and not NOT_TRIED.match(row)]
    wrong = []
    for key in ("hr_bosa", "partner_bosa"):
        client = new_client(app)
        assert (await login(client, users[key])).status_code == 303
        for row in rows:
            template = row.split(" ", 1)[1]
            if template.startswith("/tracks/"):
                template = template.replace("{code}", "{track}")
            path = re.sub(r"\{(\w+)\}", lambda m: str(values[m.group(1)]), template)
            for headers in ({}, {"hx-request": "true"}):
                response = await client.get(path, headers=headers)
                if response.status_code >= 500 or any(c in response.text for c in canaries):
                    wrong.append(f"{row} as {key} {headers}: {response.status_code}")
        dossier = await client.get(f"/cycles/{values['cycle_id']}")
        assert dossier.status_code == 404, key
        await client.aclose()
    assert wrong == [], "\n".join(wrong)


# The error page's mark: a refused form never answers with it (issue 19 #4).
ERROR_PAGE = 'id="error-page"'


async def test_refused_forms_answer_with_their_form_not_the_error_page(app, users):
    """Issue 19 #4: every POST route outside /api, sent an empty form by someone allowed
    to use it (with and without htmx), answers with its page again, the form and the
    message in it, or is done (a redirect); never with the error page and its one link."""
    values = await records(users)
    order = [DGRO, PARTNER, HR, EVALUATOR, STAFF, OTHER]
    rows = [
        row for row in route_rows(app)
        if row.startswith("POST ") and not NOT_TRIED.match(row) and "/api/" not in row
    ]  # fmt: skip
    clients: dict[str, tuple[Any, str]] = {}
    wrong = []
    for row in rows:
        identity = next(who for who in order if who in EXPECTED[row])
        if identity not in clients:
            client = new_client(app)
            assert (await login(client, users[USERS[identity]])).status_code == 303
            match = CSRF_FIELD.search((await client.get("/accessibility")).text)
            assert match
            clients[identity] = (client, match.group(1))
        client, token = clients[identity]
        template = row.split(" ", 1)[1]
        if template.startswith("/tracks/"):
            template = template.replace("{code}", "{track}")
        path = re.sub(r"\{(\w+)\}", lambda m: str(values[m.group(1)]), template)
        for headers in ({}, {"hx-request": "true"}):
            response = await client.post(
                path, data={"_csrf_token": token}, headers={"x-csrftoken": token, **headers}
            )
            status = response.status_code
            if status >= 500:
                wrong.append(f"{row} as {identity} {headers}: {status}")
            if status not in (400, 409, 422):  # done (a redirect), or a record gone by now
                continue
            # htmx gets the region of the page that holds the form's answer
            if ERROR_PAGE in response.text or ("<form" not in response.text and not headers):
                wrong.append(f"{row} as {identity} {headers}: {status} without its form")
    for client, _token in clients.values():
        await client.aclose()
    assert wrong == [], "\n".join(wrong)
