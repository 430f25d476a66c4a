"""Demo data for development: a few organisations and one user per role (idempotent)."""

from __future__ import annotations

from dataclasses import dataclass

from certification.tables import Organisation
from portal import audit
from portal.database import write_transaction
from portal.users import save_user

DEMO_ORGANISATIONS = [
    ("BOSA", "FOD Beleid en Ondersteuning", "SPF Stratégie et Appui", "NL|FR"),
    ("FIN", "FOD Financiën", "SPF Finances", "NL|FR"),
    ("MOBILIT", "FOD Mobiliteit en Vervoer", "SPF Mobilité et Transports", "NL|FR"),
    ("OSTBEL", "Dienst Oost-België", "Service Belgique de l'Est", "NL|FR|DE"),
]


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
    DemoUser("staff@bosa.demo.portal.be", "Sam Staff", "staff", "BOSA", "demo-staff-2026"),
    DemoUser(
        "partner@fin.demo.portal.be", "Fien Financiën", "pro_partner", "FIN", "demo-partner-2026"
    ),
]


async def load_demo_data() -> list[DemoUser]:
    """Insert or refresh the demo records; running it twice changes nothing more."""
    async with write_transaction():
        for code, name_nl, name_fr, roles in DEMO_ORGANISATIONS:
            await Organisation.insert(
                Organisation(code=code, name_nl=name_nl, name_fr=name_fr, language_roles=roles)
            ).on_conflict(
                target=Organisation.code,
                action="DO UPDATE",
                values=[Organisation.name_nl, Organisation.name_fr, Organisation.language_roles],
            )
        await audit.record(
            audit.Actor.command_line("demo-data"),
            "demo_organisations_loaded",
            table="organisation",
            key=",".join(code for code, *_ in DEMO_ORGANISATIONS),
        )
    for user in DEMO_USERS:
        await save_user(
            user.email,
            user.full_name,
            user.roles.split(","),
            user.organisation,
            user.password,
            command="demo-data",
        )
    return DEMO_USERS
