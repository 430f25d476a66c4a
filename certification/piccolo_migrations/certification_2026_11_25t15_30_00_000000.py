"""One open application per organisation."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-25T15:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "One submitted client application per organisation"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="certification", description=DESCRIPTION)

    async def create_indexes():
        from certification.tables import Application

        await Application.raw(
            "CREATE UNIQUE INDEX IF NOT EXISTS client_application_open "
            "ON client_application (organisation) WHERE state = 'submitted'"
        )

    async def drop_indexes():
        from certification.tables import Application

        await Application.raw("DROP INDEX IF EXISTS client_application_open")

    manager.add_raw(create_indexes)
    manager.add_raw_backwards(drop_indexes)
    return manager
