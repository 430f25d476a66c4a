from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Boolean
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-04T21:18:44:224831"
VERSION = "1.38.0"
DESCRIPTION = "An organisation may not use the evaluation cycles"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="cycles", description=DESCRIPTION)

    manager.add_column(
        table_class_name="EvaluationRegime",
        tablename="evaluation_regime",
        column_name="cycles_off",
        db_column_name="cycles_off",
        column_class_name="Boolean",
        column_class=Boolean,
        params={
            "default": False,
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    return manager
