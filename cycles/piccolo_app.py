"""Piccolo app of `cycles`: Staff evaluation cycles."""

from pathlib import Path

from piccolo.conf.apps import AppConfig, table_finder

APP_CONFIG = AppConfig(
    app_name="cycles",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=table_finder(modules=["cycles.tables"], exclude_imported=True),
    migration_dependencies=["certification.piccolo_app", "competencies.piccolo_app"],
    commands=[],
)
