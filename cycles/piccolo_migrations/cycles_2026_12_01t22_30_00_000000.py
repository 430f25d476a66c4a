"""Natural keys of the dossier: one evaluation of each kind per cycle, one reminder per
task and deadline (so the cron command never sends twice)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-01T22:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "One evaluation per cycle and kind; one reminder per cycle, task and deadline"

INDEXES = {
    "cycle_evaluation_kind": "cycle_evaluation (cycle, kind)",
    "cycle_reminder_once": "cycle_reminder (cycle, task, deadline)",
}


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="cycles", description=DESCRIPTION)

    async def create_indexes():
        from cycles.tables import EvaluationCycle

        for name, target in INDEXES.items():
            await EvaluationCycle.raw(f"CREATE UNIQUE INDEX IF NOT EXISTS {name} ON {target}")

    async def drop_indexes():
        from cycles.tables import EvaluationCycle

        for name in INDEXES:
            await EvaluationCycle.raw(f"DROP INDEX IF EXISTS {name}")

    manager.add_raw(create_indexes)
    manager.add_raw_backwards(drop_indexes)
    return manager
