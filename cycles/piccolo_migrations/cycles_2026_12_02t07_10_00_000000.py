"""One running assignment per staff member and role (issue 18, row 8).

Four identical `POST …/cycles/evaluators/N role=first` at once on PostgreSQL left four
running rows (each transaction saw none running). A unique partial index on the running
rows (`until_on IS NULL`) makes the database refuse the second; the service answers it as
"changed meanwhile". Running rows that the race already doubled are ended first: the
newest (by start, then id) keeps running, each older one ends the day before it starts
(or on its own first day when it started the same day)."""

import datetime as dt

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-02T07:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "One running evaluator assignment per staff member and role"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="cycles", description=DESCRIPTION)

    async def end_doubles_and_index():
        from cycles.tables import EvaluatorAssignment

        rows = await (
            EvaluatorAssignment.select(
                EvaluatorAssignment.id,
                EvaluatorAssignment.staff,
                EvaluatorAssignment.role,
                EvaluatorAssignment.from_on,
            )
            .where(EvaluatorAssignment.until_on.is_null())
            .order_by(EvaluatorAssignment.from_on, ascending=False)
            .order_by(EvaluatorAssignment.id, ascending=False)
        )
        newest: dict[tuple[int, str], dt.date] = {}
        for row in rows:
            key = (row["staff"], row["role"])
            if key not in newest:
                newest[key] = row["from_on"]
                continue
            until = max(row["from_on"], newest[key] - dt.timedelta(days=1))
            await EvaluatorAssignment.update({EvaluatorAssignment.until_on: until}).where(
                EvaluatorAssignment.id == row["id"]
            )
        await EvaluatorAssignment.raw(
            "CREATE UNIQUE INDEX IF NOT EXISTS evaluator_assignment_running "
            "ON evaluator_assignment (staff, role) WHERE until_on IS NULL"
        )

    async def drop_index():
        from cycles.tables import EvaluatorAssignment

        await EvaluatorAssignment.raw("DROP INDEX IF EXISTS evaluator_assignment_running")

    manager.add_raw(end_doubles_and_index)
    manager.add_raw_backwards(drop_index)
    return manager
