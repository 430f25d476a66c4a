"""Piccolo app of `qchecks`: selection files and their Q-checks."""

from pathlib import Path

from piccolo.conf.apps import AppConfig, table_finder

APP_CONFIG = AppConfig(
    app_name="qchecks",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=table_finder(modules=["qchecks.tables"], exclude_imported=True),
    migration_dependencies=["organisations.piccolo_app"],
    commands=[],
)
