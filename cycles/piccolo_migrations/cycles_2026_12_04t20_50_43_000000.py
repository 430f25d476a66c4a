"""The reports that were final before `evaluation_report.final_at` existed: final by the
rule of the time (the first evaluation signed and, where the staff member has a second
evaluator today, the second too) get their moment, today; from now on the signature that
makes a report final keeps it."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-04T20:50:43:000000"
VERSION = "1.38.0"
DESCRIPTION = "The moment of the reports final before it was kept"


async def backfill() -> None:
    import datetime as dt

    from cycles.tables import (
        CycleEvaluation,
        EvaluationCycle,
        EvaluationReport,
        EvaluatorAssignment,
    )

    today = dt.date.today()
    signed: dict[int, set[str]] = {}
    for row in await CycleEvaluation.select(CycleEvaluation.cycle, CycleEvaluation.kind).where(
        CycleEvaluation.kind.is_in(["first", "second"])
    ):
        signed.setdefault(row["cycle"], set()).add(row["kind"])
    if not signed:
        return
    staff_of = {
        row["id"]: row["staff"]
        for row in await EvaluationCycle.select(EvaluationCycle.id, EvaluationCycle.staff).where(
            EvaluationCycle.id.is_in(list(signed))
        )
    }
    seconds = {
        row["staff"]
        for row in await EvaluatorAssignment.select(EvaluatorAssignment.staff).where(
            (EvaluatorAssignment.role == "second")
            & (EvaluatorAssignment.from_on <= today)
            & (EvaluatorAssignment.until_on.is_null() | (EvaluatorAssignment.until_on >= today))
        )
    }
    final = [
        cycle
        for cycle, kinds in signed.items()
        if "first" in kinds and (staff_of.get(cycle) not in seconds or "second" in kinds)
    ]
    if not final:
        return
    # A report row for every cycle with a first evaluation (the rows' other columns take
    # their defaults; a row that is not final reads as before).
    await EvaluationReport.raw(
        "INSERT INTO evaluation_report (cycle) SELECT DISTINCT e.cycle FROM cycle_evaluation e "
        "WHERE e.kind = 'first' AND NOT EXISTS "
        "(SELECT 1 FROM evaluation_report r WHERE r.cycle = e.cycle)"
    )
    await EvaluationReport.update({EvaluationReport.final_at: dt.datetime.now(dt.UTC)}).where(
        EvaluationReport.cycle.is_in(final) & EvaluationReport.final_at.is_null()
    )


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="cycles", description=DESCRIPTION)
    manager.add_raw(backfill)
    return manager
