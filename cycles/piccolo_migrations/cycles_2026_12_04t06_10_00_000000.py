"""Natural key of an evaluation draft: one per cycle and kind."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-04T06:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "One evaluation draft per cycle and kind"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="cycles", description=DESCRIPTION)

    async def create_index():
        from cycles.tables import EvaluationDraft

        await EvaluationDraft.raw(
            "CREATE UNIQUE INDEX IF NOT EXISTS evaluation_draft_kind "
            "ON evaluation_draft (cycle, kind)"
        )

    async def drop_index():
        from cycles.tables import EvaluationDraft

        await EvaluationDraft.raw("DROP INDEX IF EXISTS evaluation_draft_kind")

    manager.add_raw(create_index)
    manager.add_raw_backwards(drop_index)
    return manager
