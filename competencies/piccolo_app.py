"""Piccolo app of `competencies`: The federal competency model and its versions."""

from pathlib import Path

from piccolo.conf.apps import AppConfig, table_finder

APP_CONFIG = AppConfig(
    app_name="competencies",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=table_finder(modules=["competencies.tables"], exclude_imported=True),
    migration_dependencies=["organisations.piccolo_app"],
    commands=[],
)
