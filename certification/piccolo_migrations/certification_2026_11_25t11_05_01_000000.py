"""A reminder goes once per certificate and threshold (unique certificate + days_before).

Raw steps are separate migrations: Piccolo runs them before it creates the tables of the same one.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-25T11:05:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "Unique reminder per certificate and threshold"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="certification", description=DESCRIPTION)

    async def create_index():
        from certification.tables import CertificateReminder

        await CertificateReminder.raw(
            "CREATE UNIQUE INDEX IF NOT EXISTS certificate_reminder_once "
            "ON certificate_reminder (certificate, days_before)"
        )

    async def drop_index():
        from certification.tables import CertificateReminder

        await CertificateReminder.raw("DROP INDEX IF EXISTS certificate_reminder_once")

    manager.add_raw(create_index)
    manager.add_raw_backwards(drop_index)
    return manager
