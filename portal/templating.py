"""The Jinja environment: templates/ at the project root, autoescape, translations."""

from __future__ import annotations

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.template.config import TemplateConfig

from core.i18n import LANGUAGE_NAMES, current_language, translations_for
from core.settings import LANGUAGES, PROJECT_ROOT

TEMPLATES_DIR = PROJECT_ROOT / "templates"


def _gettext(message: str) -> str:
    return translations_for(current_language()).gettext(message)


def _ngettext(singular: str, plural: str, n: int) -> str:
    return translations_for(current_language()).ngettext(singular, plural, n)


def build_environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES_DIR)),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_callables(_gettext, _ngettext, newstyle=True)  # type: ignore[attr-defined]
    env.globals.update(
        LANGUAGES=LANGUAGES,
        LANGUAGE_NAMES=LANGUAGE_NAMES,
        current_language=current_language,
        role_label=role_label,
    )
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
    }
    return labels.get(role, role)
