"""One entry per organisation in a review; a history read per organisation in order."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-25T15:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Review entries unique per review and organisation; level history index"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="certification", description=DESCRIPTION)

    async def create_indexes():
        from certification.tables import ReviewEntry

        await ReviewEntry.raw(
            "CREATE UNIQUE INDEX IF NOT EXISTS review_entry_organisation "
            "ON review_entry (review, organisation)"
        )

    async def drop_indexes():
        from certification.tables import ReviewEntry

        await ReviewEntry.raw("DROP INDEX IF EXISTS review_entry_organisation")

    manager.add_raw(create_indexes)
    manager.add_raw_backwards(drop_indexes)
    return manager
