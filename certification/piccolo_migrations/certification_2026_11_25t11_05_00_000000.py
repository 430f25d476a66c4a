"""Natural key of certificates (staff + track + obtained_on), used by imports to upsert.

Piccolo has no composite unique constraint, so the index is created with raw SQL that
SQLite and PostgreSQL both understand.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-25T11:05:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Unique natural key of certificates"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="certification", description=DESCRIPTION)

    async def create_indexes():
        from certification.tables import Certificate

        await Certificate.raw(
            "CREATE UNIQUE INDEX IF NOT EXISTS certificate_natural_key "
            "ON certificate (staff, track, obtained_on)"
        )

    async def drop_indexes():
        from certification.tables import Certificate

        await Certificate.raw("DROP INDEX IF EXISTS certificate_natural_key")

    manager.add_raw(create_indexes)
    manager.add_raw_backwards(drop_indexes)
    return manager
