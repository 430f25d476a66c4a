from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Date
from piccolo.columns.column_types import ForeignKey
from piccolo.columns.column_types import Varchar

ID = "2026-11-25T11:44:01:939774"
VERSION = "1.38.0"
DESCRIPTION = "True"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="qchecks", description=DESCRIPTION)

    manager.alter_column(
        table_class_name="QCheck",
        tablename="qcheck",
        column_name="consultant",
        db_column_name="consultant",
        params={"index": False},
        old_params={"index": True},
        column_class=ForeignKey,
        old_column_class=ForeignKey,
        schema=None,
    )

    manager.alter_column(
        table_class_name="QCheck",
        tablename="qcheck",
        column_name="checked_on",
        db_column_name="checked_on",
        params={"index": False},
        old_params={"index": True},
        column_class=Date,
        old_column_class=Date,
        schema=None,
    )

    manager.alter_column(
        table_class_name="SelectionFile",
        tablename="selection_file",
        column_name="reference",
        db_column_name="reference",
        params={"index": False},
        old_params={"index": True},
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )

    return manager
