"""The Q-check checklist that exists after `portal migrate`: DG R&O's criteria, weighted.

The sources (shared/seeds) name the Q-checks but not their criteria: this first checklist
is the project's own proposal, written from what a selection file must show (function
profile, screening, tests, interview, motivated report, regular procedure); DG R&O adapts
it on the checklist page (a new version from a date, the old one kept).
"""

from __future__ import annotations

import datetime as dt

from qchecks.tables import Criterion

CHECKLIST_START = dt.date(2000, 1, 1)

# (code, NL, FR, weight)
SEEDED_CRITERIA = (
    (
        "PROFILE",
        "Functieprofiel en selectiecriteria",
        "Profil de fonction et critères de sélection",
        20,
    ),
    ("SCREENING", "Screening van de kandidaturen", "Screening des candidatures", 15),
    ("TESTS", "Keuze en gebruik van de tests", "Choix et utilisation des tests", 20),
    ("INTERVIEW", "Interview en beoordeling", "Entretien et évaluation", 25),
    ("REPORT", "Verslag en motivering", "Rapport et motivation", 10),
    (
        "PROCEDURE",
        "Regelmatigheid van de procedure (termijnen, gelijke behandeling)",
        "Régularité de la procédure (délais, égalité de traitement)",
        10,
    ),
)


async def seed_criteria() -> None:
    """The first checklist, only when there is none: never overwrite DG R&O's versions."""
    if await Criterion.exists():
        return
    await Criterion.insert(
        *[
            Criterion(code=code, name_nl=nl, name_fr=fr, weight=weight, active_from=CHECKLIST_START)
            for code, nl, fr, weight in SEEDED_CRITERIA
        ]
    )
