"""Piccolo app of `core`: the session store and the audit log."""

from pathlib import Path

from piccolo.conf.apps import AppConfig, table_finder

APP_CONFIG = AppConfig(
    app_name="core",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=table_finder(modules=["core.tables"], exclude_imported=True),
    migration_dependencies=[],
    commands=[],
)
