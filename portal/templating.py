"""The pages' Jinja environment: the shared one of `core.templating` and the pages' helpers."""

from __future__ import annotations

from jinja2 import Environment
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.template.config import TemplateConfig

from core.i18n import gettext as _gettext
from core.templating import jinja_environment


def build_environment() -> Environment:
    """The shared environment (`core.templating`) with what the pages add."""
    env = jinja_environment()
    env.globals.update(role_label=role_label)
    return env


def template_config() -> TemplateConfig[JinjaTemplateEngine]:
    return TemplateConfig(instance=JinjaTemplateEngine.from_environment(build_environment()))


def role_label(role: str) -> str:
    """The translated name of a role (SPEC section 1)."""
    labels = {
        "dgro": _gettext("DG R&O"),
        "pro_partner": _gettext("PRO Partner"),
        "hr": _gettext("HR (P&O)"),
        "evaluator": _gettext("Evaluator"),
        "staff": _gettext("Staff member"),
        "legal": _gettext("Legal reviewer"),
    }
    return labels.get(role, role)
