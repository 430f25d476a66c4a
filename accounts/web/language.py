"""The language switch (NL / FR / EN): remembered in a cookie and on the user."""

from __future__ import annotations

from litestar import Controller, Request, post
from litestar.datastructures import Cookie
from litestar.exceptions import ValidationException
from litestar.response import Redirect

from accounts.tables import User
from core import audit
from core.database import write_transaction
from core.i18n import LANGUAGE_COOKIE
from core.settings import LANGUAGES, settings_of
from portal.forms import safe_redirect_target
from portal.guards import PUBLIC, actor_of, current_user

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
        if user is not None and user.preferred_language != language:
            async with write_transaction():
                await User.update({User.preferred_language: language}).where(User.id == user.id)
                await audit.record(
                    actor_of(request),
                    "language_changed",
                    table="portal_user",
                    key=user.email,
                    before={"preferred_language": user.preferred_language},
                    after={"preferred_language": language},
                )
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
