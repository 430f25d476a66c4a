"""One request per staff member and session."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-25T16:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Session requests unique per session and staff member"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="certification", description=DESCRIPTION)

    async def create_indexes():
        from certification.tables import PlaceRequest

        await PlaceRequest.raw(
            "CREATE UNIQUE INDEX IF NOT EXISTS session_request_staff "
            "ON session_request (session, staff)"
        )

    async def drop_indexes():
        from certification.tables import PlaceRequest

        await PlaceRequest.raw("DROP INDEX IF EXISTS session_request_staff")

    manager.add_raw(create_indexes)
    manager.add_raw_backwards(drop_indexes)
    return manager
