"""Piccolo app of `certification`: tracks, certificates, policy versions, reminders."""

from pathlib import Path

from piccolo.conf.apps import AppConfig, table_finder

APP_CONFIG = AppConfig(
    app_name="certification",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=table_finder(modules=["certification.tables"], exclude_imported=True),
    migration_dependencies=["organisations.piccolo_app", "competencies.piccolo_app"],
    commands=[],
)
