"""The track catalogue: everyone logged in reads it, DG R&O keeps it."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template

from certification.catalogue import (
    TrackExists,
    add_track,
    parse_track_form,
    track_by_code,
    tracks_with_use,
    update_track,
)
from core.i18n import gettext as _
from portal.guards import actor_of, current_user, requires_dgro, requires_login


async def _page(request: Request, form=None, status_code: int = 200) -> Template:
    user = current_user(request)
    return Template(
        "certification/tracks.html",
        context={
            "tracks": await tracks_with_use(),
            "form": form or parse_track_form({}, with_code=False),
            "may_edit": bool(user and user.is_dgro),
        },
        status_code=status_code,
    )


class TrackController(Controller):
    path = "/tracks"
    include_in_schema = False

    @get("/", guards=[requires_login], name="tracks")
    async def tracks(self, request: Request) -> Template:
        return await _page(request)

    @post("/", guards=[requires_dgro], status_code=303)
    async def add(self, request: Request) -> Template | Redirect:
        form = parse_track_form(await request.form(), with_code=True)
        if not form.errors:
            try:
                await add_track(form.values, actor_of(request))
            except TrackExists:
                form.errors["code"] = _(
                    "A track with code %(code)s exists already.", code=form.values["code"]
                )
        if form.errors:
            return await _page(request, form, status_code=400)
        flash(request, _("Track %(code)s added.", code=form.values["code"]), category="success")
        return Redirect("/tracks", status_code=303)

    @get("/{code:str}/edit", guards=[requires_dgro])
    async def edit_page(self, code: FromPath[str]) -> Template:
        track = await track_by_code(code)
        if track is None:
            raise NotFoundException(_("There is no track with code %(code)s.", code=code))
        form = parse_track_form(track, with_code=False)
        return Template("certification/track_edit.html", context={"track": track, "form": form})

    @post("/{code:str}", guards=[requires_dgro], status_code=303)
    async def update(self, request: Request, code: FromPath[str]) -> Template | Redirect:
        data = await request.form()
        track = await track_by_code(code)
        if track is None:
            raise NotFoundException(_("There is no track with code %(code)s.", code=code))
        form = parse_track_form(data, with_code=False)
        if form.errors:
            return Template(
                "certification/track_edit.html",
                context={"track": track, "form": form},
                status_code=400,
            )
        active = data.get("active") == "on"
        await update_track(code, form.values, active, actor_of(request))
        flash(request, _("Track %(code)s saved.", code=code), category="success")
        return Redirect("/tracks", status_code=303)
