"""Demo data for development: a few organisations and one user per role (idempotent)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from accounts.service import save_user


@dataclass(frozen=True)
class DemoUser:
    email: str
    full_name: str
    roles: str
    organisation: str | None
    password: str


DEMO_USERS = [
    DemoUser("dgro@demo.portal.be", "Dirk Dgro", "dgro", None, "demo-dgro-2026"),
    DemoUser(
        "partner@bosa.demo.portal.be", "Pauline Partner", "pro_partner", "BOSA", "demo-partner-2026"
    ),
    DemoUser("hr@bosa.demo.portal.be", "Hugo Hr", "hr", "BOSA", "demo-hr-2026"),
    DemoUser(
        "evaluator@bosa.demo.portal.be",
        "Eva Evaluator",
        "evaluator,staff",
        "BOSA",
        "demo-evaluator-2026",
    ),
    # Sam's second evaluator: the report is final once she signed too (SPEC 3.2).
    DemoUser(
        "lucie.dubois@bosa.demo.portal.be",
        "Lucie Dubois",
        "evaluator,staff",
        "BOSA",
        "demo-evaluator-2026",
    ),
    DemoUser("staff@bosa.demo.portal.be", "Sam Staff", "staff", "BOSA", "demo-staff-2026"),
    # Decides HR's motivated requests to read a closed dossier (SPEC 3.2).
    DemoUser("legal@bosa.demo.portal.be", "Lena Legal", "legal", "BOSA", "demo-legal-2026"),
    DemoUser(
        "partner@fin.demo.portal.be", "Fien Financiën", "pro_partner", "FIN", "demo-partner-2026"
    ),
]


# Through the real import, so the demo shows every level: MOBILIT client, BOSA one FR
# SELTEST consultant short of client, OSTBEL individual with a DE gap, FIN none.
DEMO_ORGANISATION_CSV = """code,name_nl,name_fr,language_roles,pro_partner_email
BOSA,FOD Beleid en Ondersteuning,SPF Stratégie et Appui,NL|FR,partner@bosa.demo.portal.be
FIN,FOD Financiën,SPF Finances,NL|FR,partner@fin.demo.portal.be
MOBILIT,FOD Mobiliteit en Vervoer,SPF Mobilité et Transports,NL|FR,partner@mobilit.demo.portal.be
OSTBEL,Dienst Oost-België,Service Belgique de l'Est,NL|FR|DE,
"""
# (code, name_nl, name_fr, language_roles), read from the CSV above (the tests use it).
DEMO_ORGANISATIONS = [
    tuple(line.split(",")[:4]) for line in DEMO_ORGANISATION_CSV.strip().splitlines()[1:]
]
DEMO_STAFF_CSV = (
    "organisation_code,email,first_name,last_name,language_role,start_date,end_date,statute\n"
    """BOSA,staff@bosa.demo.portal.be,Sam,Staff,NL,2019-03-01,,
BOSA,evaluator@bosa.demo.portal.be,Eva,Evaluator,NL,2018-09-01,,
BOSA,lucie.dubois@bosa.demo.portal.be,Lucie,Dubois,FR,2020-01-15,,
BOSA,marc.lambert@bosa.demo.portal.be,Marc,Lambert,FR,2021-06-01,,
BOSA,tine.claes@bosa.demo.portal.be,Tine,Claes,NL,2026-09-01,,trainee
BOSA,jan.peeters@bosa.demo.portal.be,Jan,Peeters,NL,2017-02-01,2024-12-31,
MOBILIT,an.claes@mobilit.demo.portal.be,An,Claes,NL,2016-01-01,,
MOBILIT,pierre.martin@mobilit.demo.portal.be,Pierre,Martin,FR,2016-05-01,,
MOBILIT,els.maes@mobilit.demo.portal.be,Els,Maes,NL,2019-01-01,,
MOBILIT,sophie.leroy@mobilit.demo.portal.be,Sophie,Leroy,FR,2019-09-01,,
OSTBEL,jonas.schmitz@ostbel.demo.portal.be,Jonas,Schmitz,DE,2018-01-01,,
OSTBEL,nina.wouters@ostbel.demo.portal.be,Nina,Wouters,NL,2020-01-01,,
FIN,tom.janssens@fin.demo.portal.be,Tom,Janssens,NL,2022-01-01,,
"""
)
DEMO_CERTIFICATE_CSV = """email,track,obtained_on,status,valid_until
evaluator@bosa.demo.portal.be,AZ,2021-05-10,valid,
evaluator@bosa.demo.portal.be,SELTEST,2021-11-20,valid,
lucie.dubois@bosa.demo.portal.be,AZ,2022-03-15,valid,2027-03-15
marc.lambert@bosa.demo.portal.be,INTERVIEW,2023-02-01,valid,
staff@bosa.demo.portal.be,ASSESS,2024-04-01,pending,
jan.peeters@bosa.demo.portal.be,AZ,2018-01-01,valid,
an.claes@mobilit.demo.portal.be,AZ,2017-06-01,valid,
an.claes@mobilit.demo.portal.be,SELTEST,2017-10-01,valid,
pierre.martin@mobilit.demo.portal.be,AZ,2017-06-01,valid,
pierre.martin@mobilit.demo.portal.be,SELTEST,2018-02-01,valid,
els.maes@mobilit.demo.portal.be,ASSESS,2020-05-01,valid,
sophie.leroy@mobilit.demo.portal.be,INTERVIEW,2020-10-01,valid,2027-01-31
jonas.schmitz@ostbel.demo.portal.be,INTERVIEW,2019-05-01,valid,
nina.wouters@ostbel.demo.portal.be,AZ,2021-01-01,valid,
tom.janssens@fin.demo.portal.be,AZ,2025-01-01,pending,
"""
DEMO_FUNCTIONS_CSV = """email,function,started_on
staff@bosa.demo.portal.be,Selection consultant,2019-03-01
evaluator@bosa.demo.portal.be,Head of selection,2018-09-01
lucie.dubois@bosa.demo.portal.be,Selection consultant,2020-01-15
marc.lambert@bosa.demo.portal.be,Assessor,2021-06-01
"""
# Who evaluates whom in the demo: (staff, role, evaluator).
DEMO_EVALUATORS = [
    ("staff@bosa.demo.portal.be", "first", "evaluator@bosa.demo.portal.be"),
    ("staff@bosa.demo.portal.be", "second", "lucie.dubois@bosa.demo.portal.be"),
    ("marc.lambert@bosa.demo.portal.be", "first", "evaluator@bosa.demo.portal.be"),
]


# (selection reference, organisation, consultant, language role, days before today, score)
DEMO_QCHECKS = [
    ("DEMO-BOSA-1", "BOSA", "evaluator@bosa.demo.portal.be", "NL", 200, 84.5),
    ("DEMO-BOSA-2", "BOSA", "lucie.dubois@bosa.demo.portal.be", "FR", 120, 79.0),
    ("DEMO-BOSA-3", "BOSA", "evaluator@bosa.demo.portal.be", "NL", 40, 86.25),
    ("DEMO-MOB-1", "MOBILIT", "an.claes@mobilit.demo.portal.be", "NL", 300, 88.0),
    ("DEMO-MOB-2", "MOBILIT", "pierre.martin@mobilit.demo.portal.be", "FR", 90, 82.5),
    ("DEMO-MOB-3", "MOBILIT", "an.claes@mobilit.demo.portal.be", "NL", 20, 79.75),
    ("DEMO-OST-1", "OSTBEL", "nina.wouters@ostbel.demo.portal.be", "NL", 60, 77.0),
]


def demo_qchecks_csv(today: dt.date, leave: frozenset[str] = frozenset()) -> str:
    """Q-checks dated relative to today, so the demo's window is never empty; without the
    references in `leave` (see `_left_as_they_are`)."""
    lines = [
        "selection_reference,organisation_code,consultant_email,language_role,closed_on,checked_on,score"
    ]
    for reference, code, email, role, days_ago, score in DEMO_QCHECKS:
        if reference in leave:
            continue
        checked = today - dt.timedelta(days=days_ago)
        closed = checked - dt.timedelta(days=21)
        lines.append(f"{reference},{code},{email},{role},{closed},{checked},{score}")
    return "\n".join(lines) + "\n"


async def _left_as_they_are(today: dt.date) -> tuple[frozenset[str], list[int]]:
    """The demo Q-checks a closed yearly review would refuse to write (SPEC 5.3: its
    Q-checks never change): those dated in a closed year today, or stored with a date in
    one. They are left as they are (or not made), so demo-data still runs; with the
    closed years concerned."""
    from qchecks.queries import closed_years
    from qchecks.tables import QCheck

    closed = await closed_years()
    if not closed:
        return frozenset(), []
    stored = {
        row["reference"]: row["checked_on"]
        for row in await QCheck.select(
            QCheck.selection_file.reference.as_alias("reference"), QCheck.checked_on
        ).where(QCheck.selection_file.reference.is_in([row[0] for row in DEMO_QCHECKS]))
    }
    leave, years = set(), set()
    for reference, *_cells, days_ago, _score in DEMO_QCHECKS:
        for day in (today - dt.timedelta(days=days_ago), stored.get(reference)):
            if day is not None and day.year in closed:
                leave.add(reference)
                years.add(day.year)
    return frozenset(leave), sorted(years)


async def load_demo_data(say: Callable[[str], object] = lambda line: None) -> list[DemoUser]:
    """Insert or refresh the demo records; running it twice changes nothing more. Demo
    Q-checks that a closed yearly review protects are left as they are (`say` tells it
    in one line): demo-data runs whatever state the reviews are in."""
    from core.audit import Actor
    from portal.imports import ImportScope, import_file

    today = dt.date.today()
    leave, years = await _left_as_they_are(today)
    if leave:
        say(
            f"{len(leave)} demo Q-check(s) left as they are: the yearly review of "
            f"{', '.join(str(year) for year in years)} is closed and its Q-checks cannot change."
        )
    qchecks = (
        [] if len(leave) == len(DEMO_QCHECKS) else [("qchecks", demo_qchecks_csv(today, leave))]
    )
    for kind, text in (
        ("organisations", DEMO_ORGANISATION_CSV),
        ("staff", DEMO_STAFF_CSV),
        ("certificates", DEMO_CERTIFICATE_CSV),
        *qchecks,  # none when every one is left as it is
        ("functions", DEMO_FUNCTIONS_CSV),
    ):
        result = await import_file(
            kind,
            f"demo-{kind}.csv",
            text.encode(),
            ImportScope(actor=Actor.command_line("demo-data")),
        )
        if not result.ok:  # pragma: no cover - the demo files are fixed
            raise RuntimeError([issue.format(kind) for issue in result.issues])
    # Client certification comes from an approved application (next issue); the demo
    # grants it to MOBILIT directly so that a client dashboard can be seen.
    from core import versions
    from core.database import write_transaction
    from organisations.tables import Organisation

    async with write_transaction():
        await versions.bump()
        await Organisation.update({Organisation.client_certified_since: dt.date(2024, 1, 1)}).where(
            Organisation.code == "MOBILIT"
        )
    await _demo_cycles(today)
    await _demo_journeys(today, leave)
    for user in DEMO_USERS:
        await save_user(
            user.email,
            user.full_name,
            user.roles.split(","),
            user.organisation,
            user.password,
            command="demo-data",
        )
    await _demo_dossier_request(today)
    return DEMO_USERS


async def _demo_cycles(today: dt.date) -> None:
    """The demo's evaluators (once) and every cycle through today (generate is idempotent)."""
    from core.audit import Actor
    from core.database import write_transaction
    from cycles.service import generate
    from cycles.tables import EvaluatorAssignment
    from organisations.tables import StaffMember

    async with write_transaction():
        if not await EvaluatorAssignment.exists():
            ids = {
                row["email"]: (row["id"], row["start_date"])
                for row in await StaffMember.select(
                    StaffMember.id, StaffMember.email, StaffMember.start_date
                )
            }
            await EvaluatorAssignment.insert(
                *[
                    EvaluatorAssignment(
                        staff=ids[staff][0],
                        role=role,
                        evaluator=ids[evaluator][0],
                        from_on=ids[staff][1],
                        assigned_by="demo-data",
                    )
                    for staff, role, evaluator in DEMO_EVALUATORS
                ]
            )
    await generate(Actor.command_line("demo-data"), today)
    await _demo_archive(today)


DEMO_EVALUATIONS = [
    ("self", "Drie selecties begeleid; de planning liep in het voorjaar uit.", ""),
    ("first", "Voldoet aan de verwachtingen: degelijke selecties, planning bijsturen.", ""),
    ("second", "Akkoord met de eerste evaluator.", ""),
]


async def _demo_archive(today: dt.date) -> None:
    """Sam's last closed cycle, evaluated and signed for receipt (once): the e-dossier
    then keeps a final report, and HR has a closed dossier to ask for."""
    from core.database import write_transaction
    from cycles import rules
    from cycles.queries import regime_for
    from cycles.tables import CycleEvaluation, EvaluationCycle, EvaluationReport
    from organisations.tables import StaffMember

    async with write_transaction():
        sam = (
            await StaffMember.select(StaffMember.id, StaffMember.organisation)
            .where(StaffMember.email == "staff@bosa.demo.portal.be")
            .first()
        )
        if sam is None:
            return
        regime = await regime_for(sam["organisation"])
        closed = [
            row
            for row in await EvaluationCycle.select(EvaluationCycle.id, EvaluationCycle.ends_on)
            .where((EvaluationCycle.staff == sam["id"]) & (EvaluationCycle.kind == "annual"))
            .order_by(EvaluationCycle.ends_on, ascending=False)
            if rules.is_closed(row["ends_on"], regime, today)
        ]
        if not closed or await CycleEvaluation.exists().where(
            CycleEvaluation.cycle == closed[0]["id"]
        ):
            return
        cycle, ends_on = closed[0]["id"], closed[0]["ends_on"]
        signed = dt.datetime.combine(
            rules.deadlines(ends_on, regime).first, dt.time(10), tzinfo=dt.UTC
        )
        who = {"self": "Sam Staff", "first": "Eva Evaluator", "second": "Lucie Dubois"}
        await CycleEvaluation.insert(
            *[
                CycleEvaluation(
                    cycle=cycle,
                    kind=kind,
                    text=text,
                    rating=rating,
                    submitted_by=who[kind],
                    submitted_at=signed,
                    late=False,
                )
                for kind, text, rating in DEMO_EVALUATIONS
            ]
        )
        await EvaluationReport.insert(
            EvaluationReport(
                cycle=cycle,
                final_at=signed,
                receipt_signed_by="Sam Staff",
                receipt_signed_at=signed + dt.timedelta(days=3),
            )
        )


async def _demo_dossier_request(today: dt.date) -> None:
    """Hugo Hr asked to read Sam's evaluated, closed dossier for another reason than a
    negative evaluation or a plan, and Lena Legal granted it (once): HR has a dossier to
    read, the legal reviewer a decision in the list."""
    from accounts.tables import User
    from core.database import write_transaction
    from cycles import rules
    from cycles.tables import DossierRequest, EvaluationCycle, EvaluationReport
    from organisations.tables import StaffMember

    async with write_transaction():
        report = (
            await EvaluationReport.select(EvaluationReport.cycle)
            .where(
                EvaluationReport.cycle.is_in(
                    EvaluationCycle.select(EvaluationCycle.id).where(
                        EvaluationCycle.staff.is_in(
                            StaffMember.select(StaffMember.id).where(
                                StaffMember.email == "staff@bosa.demo.portal.be"
                            )
                        )
                    )
                )
            )
            .first()
        )
        ids = {
            row["email"]: row["id"]
            for row in await User.select(User.id, User.email).where(
                User.email.is_in(["hr@bosa.demo.portal.be", "legal@bosa.demo.portal.be"])
            )
        }
        if (
            report is None
            or len(ids) < 2
            or await DossierRequest.exists().where(DossierRequest.cycle == report["cycle"])
        ):
            return
        asked = dt.datetime.combine(today, dt.time(8), tzinfo=dt.UTC)
        await DossierRequest.insert(
            DossierRequest(
                cycle=report["cycle"],
                requested_by=ids["hr@bosa.demo.portal.be"],
                requested_label="Hugo Hr",
                requested_at=asked,
                motive="other",
                reason="Vraag van de personeelsdienst over de planning van de selecties.",
                state="granted",
                decided_by=ids["legal@bosa.demo.portal.be"],
                decided_label="Lena Legal",
                decided_at=asked + dt.timedelta(hours=1),
                decision_note="Noodzakelijk en evenredig: alleen dit dossier, 30 dagen.",
                valid_until=today + dt.timedelta(days=rules.GRANT_DAYS),
            )
        )


# The checklist's spread around each demo Q-check's overall score: pairs of criteria of
# equal weight move up and down alike, so the weighted score stays the imported one.
DEMO_SPREAD = {"PROFILE": 300, "TESTS": -300, "REPORT": -550, "PROCEDURE": 550}
DEMO_CRITERION_COMMENT = {
    "REPORT": "Het verslag motiveert de eindrangschikking niet per kandidaat.",
    "PROCEDURE": "Termijnen en gelijke behandeling gerespecteerd.",
}
DEMO_QCHECK_COMMENT = "Degelijk dossier; het verslag mag de rangschikking beter motiveren."
DEMO_APPLICANT = "OSTBEL"


async def _demo_journeys(today: dt.date, leave: frozenset[str]) -> None:
    """What each journey starts from, each made once: the demo Q-checks scored on the
    checklist with comments, a training session to ask places in, an application waiting
    for DG R&O and the yearly review of the past year, open and ready to decide."""
    from certification.applications.service import apply
    from certification.review.service import open_review
    from certification.tables import Application, Review, TrackSession
    from certification.training.service import SessionInput, publish_session
    from core.audit import Actor

    demo = Actor.command_line("demo-data")
    await _demo_qcheck_criteria(demo, today, leave)
    if not await TrackSession.exists():
        starts = today + dt.timedelta(days=45)
        session = SessionInput("AZ", starts, starts + dt.timedelta(days=1), "NL", 12)
        await publish_session(demo, session)
    if not await Application.exists().where(Application.organisation.code == DEMO_APPLICANT):
        await apply(demo, DEMO_APPLICANT, today)
    if not await Review.exists().where(Review.year == today.year - 1):
        await open_review(demo, today.year - 1, today)


async def _demo_qcheck_criteria(demo, today: dt.date, leave: frozenset[str]) -> None:
    """The demo Q-checks that have no criterion scores yet get them, through the service
    DG R&O's form uses (the same overall score, its history and audit entry)."""
    from qchecks.forms import CriterionScore, QCheckInput
    from qchecks.queries import criteria_in_force
    from qchecks.service import edit_qcheck
    from qchecks.tables import QCheck, QCheckCriterion

    references = [row[0] for row in DEMO_QCHECKS if row[0] not in leave]
    scored = {row["qcheck"] for row in await QCheckCriterion.select(QCheckCriterion.qcheck)}
    rows = await QCheck.select(
        QCheck.id,
        QCheck.revision,
        QCheck.checked_on,
        QCheck.score_hundredths,
        QCheck.selection_file.reference.as_alias("reference"),
        QCheck.selection_file.closed_on.as_alias("closed_on"),
        QCheck.selection_file.language_role.as_alias("language_role"),
        QCheck.organisation.code.as_alias("code"),
        QCheck.consultant.email.as_alias("email"),
    ).where(QCheck.selection_file.reference.is_in(references or [""]))
    checklists: dict[dt.date, list[str]] = {}
    for row in rows:
        if row["id"] in scored:
            continue
        day = row["checked_on"]
        if day not in checklists:  # one read per day checked, not one per Q-check
            checklists[day] = [c.code for c in await criteria_in_force(day)]
        checklist = checklists[day]
        spread = DEMO_SPREAD if set(DEMO_SPREAD) <= set(checklist) else {}
        criteria = tuple(
            CriterionScore(
                code,
                max(0, min(10000, row["score_hundredths"] + spread.get(code, 0))),
                DEMO_CRITERION_COMMENT.get(code, ""),
            )
            for code in checklist
        )
        data = QCheckInput(
            reference=row["reference"],
            organisation_code=row["code"],
            consultant_email=row["email"],
            language_role=row["language_role"],
            closed_on=row["closed_on"],
            checked_on=row["checked_on"],
            score_hundredths=None,
            criteria=criteria,
            comment=DEMO_QCHECK_COMMENT,
        )
        await edit_qcheck(demo, row["id"], data, row["revision"], today)
