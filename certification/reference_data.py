"""Reference data that exists after `portal migrate`: the track catalogue and a policy."""

from __future__ import annotations

import datetime as dt

from certification.policy import policy_values
from certification.rules import DEFAULT_POLICY, SEEDED_POLICY_NOTE
from certification.tables import CertificationPolicy, Track
from core import versions

# (code, NL, FR, EN) — names from the glossary (shared/GLOSSARY.md).
SEEDED_TRACKS = (
    ("AZ", "Consultant A tot Z", "Consultant de A à Z", "Consultant A to Z"),
    (
        "SELTEST",
        "Consultant selectietests",
        "Consultant tests de sélection",
        "Selection-test consultant",
    ),
    ("ASSESS", "Assessmenttechnieken", "Techniques d'assessment", "Assessment techniques"),
    ("INTERVIEW", "Interviewvoorzitter", "Président(e) d'entretien", "Interview chair"),
)


async def seed_reference_data() -> None:
    """Insert what is missing; never overwrite what DG R&O has changed since."""
    await Track.insert(
        *[
            Track(code=code, name_nl=nl, name_fr=fr, name_en=en)
            for code, nl, fr, en in SEEDED_TRACKS
        ]
    ).on_conflict(target=Track.code, action="DO NOTHING")
    if not await CertificationPolicy.exists().where(
        CertificationPolicy.effective_from <= dt.date.today()
    ):
        await versions.bump()
        await CertificationPolicy.insert(
            CertificationPolicy(
                **policy_values(DEFAULT_POLICY),
                adopted_by=None,
                note=SEEDED_POLICY_NOTE,
            )
        ).on_conflict(target=CertificationPolicy.effective_from, action="DO NOTHING")
