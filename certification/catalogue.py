"""The PRO Academy track catalogue, kept by DG R&O (SPEC 2.1)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from piccolo.query.functions.aggregate import Count

from certification.tables import Certificate, Track
from core import audit
from core.database import write_transaction
from core.i18n import gettext as _

TRACK_CODE = re.compile(r"^[A-Z][A-Z0-9_-]{1,19}$")
NAME_FIELDS = ("name_nl", "name_fr", "name_en")


@dataclass
class TrackForm:
    values: dict[str, str]
    errors: dict[str, str] = field(default_factory=dict)


def parse_track_form(form: Mapping[str, Any], *, with_code: bool) -> TrackForm:
    """Trimmed values and an error per field a person can act on."""
    values = {name: str(form.get(name, "")).strip() for name in ("code", *NAME_FIELDS)}
    values["code"] = values["code"].upper()
    result = TrackForm(values)
    if with_code and not TRACK_CODE.match(values["code"]):
        result.errors["code"] = _(
            "The code is 2 to 20 capital letters, digits, '-' or '_', starting with a letter."
        )
    for name in NAME_FIELDS:
        if not values[name]:
            result.errors[name] = _("Give the name in this language.")
        elif len(values[name]) > 200:
            result.errors[name] = _("At most 200 characters.")
    return result


class TrackExists(Exception):
    pass


async def track_by_code(code: str) -> dict[str, Any] | None:
    return await Track.select().where(Track.code == code).first()


async def tracks_with_use() -> list[dict[str, Any]]:
    tracks = await Track.select().order_by(Track.id)
    counts = {
        row["track"]: row["count"]
        for row in await Certificate.select(Certificate.track, Count()).group_by(Certificate.track)
    }
    return [{**track, "certificates": counts.get(track["id"], 0)} for track in tracks]


async def add_track(values: Mapping[str, str], actor: audit.Actor) -> None:
    async with write_transaction():
        if await Track.exists().where(Track.code == values["code"]):
            raise TrackExists(values["code"])
        await Track.insert(
            Track(
                code=values["code"],
                name_nl=values["name_nl"],
                name_fr=values["name_fr"],
                name_en=values["name_en"],
                active=True,
            )
        )
        await audit.record(
            actor, "track_added", table="track", key=values["code"], after=dict(values)
        )


async def update_track(
    code: str, values: Mapping[str, str], active: bool, actor: audit.Actor
) -> bool:
    """Rename or (de)activate; False when there is no such track. The code never changes."""
    async with write_transaction():
        before = await Track.select().where(Track.code == code).first()
        if before is None:
            return False
        after = {**{k: values[k] for k in NAME_FIELDS}, "active": active}
        await Track.update({getattr(Track, k): v for k, v in after.items()}).where(
            Track.code == code
        )
        await audit.record(
            actor,
            "track_changed",
            table="track",
            key=code,
            before={k: before[k] for k in (*NAME_FIELDS, "active")},
            after=after,
        )
    return True
