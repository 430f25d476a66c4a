"""The competency model page (searchable, in the reader's language, htmx live search with a
plain form fallback), two models side by side with the mapping, and the JSON API."""

from __future__ import annotations

from typing import Any

from litestar import Controller, get
from litestar.params import FromQuery
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Template

from competencies import queries
from competencies.functions import functions_requiring
from competencies.uses import ANSWERS
from core.errors import NotFound
from core.i18n import gettext as _
from core.templating import localized
from webkit.api import error_responses
from webkit.guards import current_user, requires_login
from webkit.rendering import render

DEFAULT_MODEL = "FED-5+1"


async def _tree(code: str, q: str = "") -> queries.ModelTree:
    tree = await queries.model_tree(code, q)
    if tree is None:
        raise NotFound(_("There is no competency model %(code)s.", code=code))
    return tree


class CompetencyController(Controller):
    path = "/competencies"
    include_in_schema = False
    guards = [requires_login]

    @get("/", name="competencies")
    async def model(
        self, request: HTMXRequest, model: FromQuery[str] = DEFAULT_MODEL, q: FromQuery[str] = ""
    ) -> Template:
        """One model: group → competency → indicators; `q` searches every language."""
        q = q.strip()[:100]
        developed: dict[int, list[str]] = {}
        for track, competencies in (await ANSWERS.tracks_developing()).items():
            for competency in competencies:
                developed.setdefault(competency.id, []).append(track)
        user = current_user(request)
        context = {
            "model": await _tree(model, q),
            "models": await queries.models(),
            "q": q,
            "t": localized,
            "developed": developed,
            "required_by": await functions_requiring(user.organisation_id if user else None),
        }
        query = f"model={model}" + (f"&q={q}" if q else "")
        return render(
            request, "competencies/model.html", context, push_url=f"/competencies?{query}"
        )

    @get("/compare", name="competencies_compare")
    async def compare(
        self,
        request: HTMXRequest,
        left: FromQuery[str] = DEFAULT_MODEL,
        right: FromQuery[str] = "BOSA-12",
    ) -> Template:
        """Two models side by side; each competency of the newer one names the older
        competencies it continues (the mapping)."""
        older, newer = await _tree(left), await _tree(right)
        names = {c.code: localized(c, "name") for group in older.groups for c in group.competencies}
        context = {"left": older, "right": newer, "older_names": names, "t": localized}
        return render(request, "competencies/compare.html", context, block=None)


class CompetencyApiController(Controller):
    path = "/api/v1/competencies"
    tags = ["competencies"]
    guards = [requires_login]

    @get(
        "/",
        summary="A competency model: groups, competencies, indicators, mapping",
        responses=error_responses(400, 401, 404),
    )
    async def model(self, model: FromQuery[str] = DEFAULT_MODEL) -> dict[str, Any]:
        tree = await _tree(model)
        return {
            "model": tree.code,
            "version": tree.version,
            "valid_from": tree.valid_from.isoformat(),
            "maps_from": tree.maps_from,
            "name": {lang: getattr(tree, f"name_{lang}") for lang in ("nl", "fr", "en")},
            "groups": [
                {
                    "code": group.code,
                    "kind": group.kind,
                    "name": {lang: getattr(group, f"name_{lang}") for lang in ("nl", "fr", "en")},
                    "competencies": [
                        {
                            "code": c.code,
                            "core": c.core,
                            "heading": c.heading or None,
                            "name": {
                                lang: getattr(c, f"name_{lang}") for lang in ("nl", "fr", "en")
                            },
                            "definition": {
                                lang: getattr(c, f"definition_{lang}")
                                for lang in ("nl", "fr", "en")
                            },
                            "indicators": [
                                {lang: getattr(i, f"text_{lang}") for lang in ("nl", "fr", "en")}
                                for i in c.indicators
                            ],
                            "maps_from": c.maps_from_codes,
                        }
                        for c in group.competencies
                    ],
                }
                for group in tree.groups
            ],
        }
