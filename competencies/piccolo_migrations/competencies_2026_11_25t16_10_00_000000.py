"""Natural keys of the competency model: a group and a competency per code in a model."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-25T16:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Competency groups and competencies unique per model and code"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="competencies", description=DESCRIPTION)

    async def create_indexes():
        from competencies.tables import Competency

        await Competency.raw(
            "CREATE UNIQUE INDEX IF NOT EXISTS competency_code ON competency (of_model, code)"
        )
        await Competency.raw(
            "CREATE UNIQUE INDEX IF NOT EXISTS competency_group_code "
            "ON competency_group (of_model, code)"
        )

    async def drop_indexes():
        from competencies.tables import Competency

        await Competency.raw("DROP INDEX IF EXISTS competency_code")
        await Competency.raw("DROP INDEX IF EXISTS competency_group_code")

    manager.add_raw(create_indexes)
    manager.add_raw_backwards(drop_indexes)
    return manager
