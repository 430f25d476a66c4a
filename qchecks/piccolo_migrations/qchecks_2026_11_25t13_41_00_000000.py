"""One version of a checklist criterion per (code, active_from)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-25T13:41:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Q-check criterion versions are unique per code and start"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="qchecks", description=DESCRIPTION)

    async def create_indexes():
        from qchecks.tables import Criterion

        await Criterion.raw(
            "CREATE UNIQUE INDEX IF NOT EXISTS qcheck_criterion_def_version "
            "ON qcheck_criterion_def (code, active_from)"
        )

    async def drop_indexes():
        from qchecks.tables import Criterion

        await Criterion.raw("DROP INDEX IF EXISTS qcheck_criterion_def_version")

    manager.add_raw(create_indexes)
    manager.add_raw_backwards(drop_indexes)
    return manager
