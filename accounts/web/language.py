"""The language switch (NL / FR / EN): remembered in a cookie and on the user."""

from __future__ import annotations

from litestar import Controller, Request, post
from litestar.datastructures import Cookie
from litestar.exceptions import ValidationException
from litestar.response import Redirect

from accounts.service import set_preferred_language
from core.i18n import LANGUAGE_COOKIE
from core.settings import LANGUAGES, settings_of
from webkit.forms import safe_redirect_target
from webkit.guards import PUBLIC, actor_of, current_user

ONE_YEAR = 365 * 24 * 3600


class LanguageController(Controller):
    include_in_schema = False

    @post("/language", opt=PUBLIC, status_code=303, name="language")
    async def choose_language(self, request: Request) -> Redirect:
        form = await request.form()
        language = str(form.get("language", "")).strip().lower()
        if language not in LANGUAGES:
            raise ValidationException(f"Unknown language {language!r}")
        user = current_user(request)
        if user is not None:
            await set_preferred_language(actor_of(request), user, language)
        target = safe_redirect_target(str(form.get("next", "")) or request.headers.get("referer"))
        cookie = Cookie(
            key=LANGUAGE_COOKIE,
            value=language,
            max_age=ONE_YEAR,
            httponly=True,
            samesite="lax",
            secure=settings_of(request).security.secure_cookies,
        )
        return Redirect(target, status_code=303, cookies=[cookie])
