from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-04T02:43:52:431582"
VERSION = "1.38.0"
DESCRIPTION = "The statute of a staff member (SPEC 3.1)"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="organisations", description=DESCRIPTION)

    manager.add_column(
        table_class_name="StaffMember",
        tablename="staff_member",
        column_name="statute",
        db_column_name="statute",
        column_class_name="Varchar",
        column_class=Varchar,
        params={
            "length": 12,
            "default": "statutory",
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
