"""The track catalogue: everyone logged in reads it, DG R&O keeps it."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.params import FromPath
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template

from certification.catalogue import (
    NAME_FIELDS,
    TrackExists,
    TrackForm,
    TrackRow,
    add_track,
    parse_track_form,
    set_track_competencies,
    track_by_code,
    track_competencies,
    tracks_with_use,
    update_track,
)
from competencies.queries import model_tree
from core.errors import NotFound
from core.i18n import gettext as _
from webkit.forms import form_int
from webkit.guards import actor_of, current_user, requires_dgro, requires_login


async def _page(request: Request, form=None, status_code: int = 200) -> Template:
    user = current_user(request)
    return Template(
        "certification/tracks.html",
        context={
            "tracks": await tracks_with_use(),
            "developed": await track_competencies(),
            # A first visit shows an empty form, not the errors of an empty submission.
            "form": form or TrackForm({name: "" for name in ("code", *NAME_FIELDS)}),
            "may_edit": bool(user and user.is_dgro),
        },
        status_code=status_code,
    )


async def _edit_context(track: TrackRow, form: object) -> dict[str, object]:
    """The track's form and the 5+1 model's competencies, those it develops checked."""
    chosen = {c.id for c in (await track_competencies()).get(track.code, [])}
    model = await model_tree("FED-5+1")
    return {
        "track": track,
        "form": form,
        "model": model,
        "chosen": chosen,
    }


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
            raise NotFound(_("There is no track with code %(code)s.", code=code))
        form = parse_track_form(track.form_values(), with_code=False)
        return Template("certification/track_edit.html", context=await _edit_context(track, form))

    @post("/{code:str}", guards=[requires_dgro], status_code=303)
    async def update(self, request: Request, code: FromPath[str]) -> Template | Redirect:
        data = await request.form()
        track = await track_by_code(code)
        if track is None:
            raise NotFound(_("There is no track with code %(code)s.", code=code))
        form = parse_track_form(data, with_code=False)
        if form.errors:
            return Template(
                "certification/track_edit.html",
                context=await _edit_context(track, form),
                status_code=400,
            )
        active = data.get("active") == "on"
        await update_track(code, form.values, active, actor_of(request))
        flash(request, _("Track %(code)s saved.", code=code), category="success")
        return Redirect("/tracks", status_code=303)

    @post("/{code:str}/competencies", guards=[requires_dgro], status_code=303)
    async def save_competencies(self, request: Request, code: FromPath[str]) -> Redirect:
        """The competencies the track develops, as ticked on the track's page."""
        form = await request.form()
        ids = [
            form_int(value, message=_("Choose from the list."))
            for value in form.getall("competency", [])
        ]
        if not await set_track_competencies(code, ids, actor_of(request)):
            raise NotFound(_("There is no track with code %(code)s.", code=code))
        flash(
            request,
            _("The competencies of %(code)s have been saved.", code=code),
            category="success",
        )
        return Redirect(f"/tracks/{code}/edit", status_code=303)
