from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Integer
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-04T03:21:29:020100"
VERSION = "1.38.0"
DESCRIPTION = "The length of the early evaluation after a final insufficient in a regime (SPEC 3.2)"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="cycles", description=DESCRIPTION)

    manager.add_column(
        table_class_name="EvaluationRegime",
        tablename="evaluation_regime",
        column_name="early_months",
        db_column_name="early_months",
        column_class_name="Integer",
        column_class=Integer,
        params={
            "default": 6,
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
