"""A certificate DG R&O rejected (revoked before it was ever valid) says so: `rejected`,
filled from the audit log for the rejections made before."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-03T13:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Certificates: rejected, beside the stored status revoked"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="certification", description=DESCRIPTION)

    async def add_rejected():
        from certification.tables import Certificate

        await Certificate.raw(
            "ALTER TABLE certificate ADD COLUMN rejected BOOLEAN NOT NULL DEFAULT FALSE"
        )
        await Certificate.raw(
            "UPDATE certificate SET rejected = TRUE WHERE status = 'revoked' AND "
            "CAST(id AS VARCHAR(20)) IN (SELECT record_key FROM portal_audit "
            "WHERE action = 'certificate_rejected' AND table_name = 'certificate')"
        )

    async def drop_rejected():
        from certification.tables import Certificate

        await Certificate.raw("ALTER TABLE certificate DROP COLUMN rejected")

    manager.add_raw(add_rejected)
    manager.add_raw_backwards(drop_rejected)
    return manager
