"""Piccolo app of `organisations`: organisations, staff and their history."""

from pathlib import Path

from piccolo.conf.apps import AppConfig, table_finder

APP_CONFIG = AppConfig(
    app_name="organisations",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=table_finder(modules=["organisations.tables"], exclude_imported=True),
    migration_dependencies=[],
    commands=[],
)
