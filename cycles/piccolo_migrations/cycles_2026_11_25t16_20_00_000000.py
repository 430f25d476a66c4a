"""Natural keys: one function per staff member and start, one cycle per staff and start."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-25T16:20:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Staff functions and evaluation cycles unique per staff member and start"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="cycles", description=DESCRIPTION)

    async def create_indexes():
        from cycles.tables import EvaluationCycle

        await EvaluationCycle.raw(
            "CREATE UNIQUE INDEX IF NOT EXISTS staff_function_start "
            "ON staff_function (staff, started_on)"
        )
        await EvaluationCycle.raw(
            "CREATE UNIQUE INDEX IF NOT EXISTS evaluation_cycle_start "
            "ON evaluation_cycle (staff, starts_on)"
        )

    async def drop_indexes():
        from cycles.tables import EvaluationCycle

        await EvaluationCycle.raw("DROP INDEX IF EXISTS staff_function_start")
        await EvaluationCycle.raw("DROP INDEX IF EXISTS evaluation_cycle_start")

    manager.add_raw(create_indexes)
    manager.add_raw_backwards(drop_indexes)
    return manager
