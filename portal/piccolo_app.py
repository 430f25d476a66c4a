"""Piccolo app of `portal`: Users, sessions and the audit log of the web portal."""

from pathlib import Path

from piccolo.conf.apps import AppConfig, table_finder

APP_CONFIG = AppConfig(
    app_name="portal",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=table_finder(modules=["portal.tables"], exclude_imported=True),
    migration_dependencies=["certification.piccolo_app"],
    commands=[],
)
