"""Index for the eligibility aggregate: Q-checks of one organisation in a date window."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-25T11:05:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Q-check window index"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="qchecks", description=DESCRIPTION)

    async def create_indexes():
        from qchecks.tables import QCheck

        await QCheck.raw(
            "CREATE INDEX IF NOT EXISTS qcheck_window ON qcheck (checked_on, organisation)"
        )

    async def drop_indexes():
        from qchecks.tables import QCheck

        await QCheck.raw("DROP INDEX IF EXISTS qcheck_window")

    manager.add_raw(create_indexes)
    manager.add_raw_backwards(drop_indexes)
    return manager
