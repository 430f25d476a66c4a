"""Piccolo app of `accounts`: the users who log in."""

from pathlib import Path

from piccolo.conf.apps import AppConfig, table_finder

APP_CONFIG = AppConfig(
    app_name="accounts",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=table_finder(modules=["accounts.tables"], exclude_imported=True),
    migration_dependencies=["organisations.piccolo_app"],
    commands=[],
)
