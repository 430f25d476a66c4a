"""`generate` stays set-based (issue 21, "Done means"): the same number of queries for 3
staff members as for 300, statutory staff, trainees with their stage, contractual staff
and mandate holders mixed, and a second run creates nothing."""

from __future__ import annotations

import datetime as dt

from core.audit import Actor
from cycles import service
from cycles.tables import EvaluationCycle
from organisations.tables import Organisation, StaffMember

STATUTES = ("statutory", "trainee", "contractual", "mandate")
THROUGH = dt.date(2027, 12, 31)


async def _staff(organisation: int, number: int, prefix: str) -> None:
    await StaffMember.insert(
        *[
            StaffMember(
                organisation=organisation,
                email=f"{prefix}{index}@bosa.be",
                first_name="S",
                last_name=f"{prefix}{index}",
                language_role="NL",
                statute=STATUTES[index % len(STATUTES)],
                start_date=dt.date(2024, 1 + index % 12, 1 + index % 28),
            )
            for index in range(number)
        ]
    )


async def test_generate_asks_the_same_for_3_and_for_300_staff(users, queries):
    organisation = (
        await Organisation.select(Organisation.id).where(Organisation.code == "BOSA").first()
    )["id"]

    async def generate_for(number: int, prefix: str) -> tuple[int, int]:
        await _staff(organisation, number, prefix)
        queries.clear()
        created = await service.generate(Actor.command_line("test"), THROUGH, "BOSA")
        count = len(queries)
        mine = StaffMember.select(StaffMember.id).where(StaffMember.email.like(f"{prefix}%"))
        # Every staff member but the mandate holders has cycles; mandate holders none.
        with_cycles = {
            row["staff"]
            for row in await EvaluationCycle.select(EvaluationCycle.staff).where(
                EvaluationCycle.staff.is_in(mine)
            )
        }
        expected = sum(1 for index in range(number) if STATUTES[index % 4] != "mandate")
        assert len(with_cycles) == expected, created
        return count, await EvaluationCycle.count()

    few, cycles_after_few = await generate_for(3, "few")
    many, cycles_after_many = await generate_for(300, "many")
    assert few == many, (few, many)
    # Trainees start with their stage: one probation cycle each.
    trainees = StaffMember.select(StaffMember.id).where(StaffMember.statute == "trainee")
    assert await EvaluationCycle.count().where(
        (EvaluationCycle.kind == "probation") & EvaluationCycle.staff.is_in(trainees)
    ) == await StaffMember.count().where(StaffMember.statute == "trainee")
    # Again: nothing new.
    await service.generate(Actor.command_line("test"), THROUGH, "BOSA")
    assert await EvaluationCycle.count() == cycles_after_many > cycles_after_few
    print(f"generate: {few} queries for 3 staff, {many} for 300")
