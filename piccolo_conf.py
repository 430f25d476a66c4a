"""Piccolo configuration of the running portal: the engine comes from `DATABASE_URL`."""

from piccolo.conf.apps import AppRegistry

from core.database import engine_from_url
from core.settings import get_settings

DB = engine_from_url(get_settings().database.url)

APP_REGISTRY = AppRegistry(
    apps=[
        "core.piccolo_app",
        "organisations.piccolo_app",
        "accounts.piccolo_app",
        "certification.piccolo_app",
        "qchecks.piccolo_app",
        "competencies.piccolo_app",
        "cycles.piccolo_app",
    ]
)
