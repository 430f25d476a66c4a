"""The PRO Academy track catalogue, kept by DG R&O (SPEC 2.1)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from piccolo.query.functions.aggregate import Count

from certification.tables import Certificate, Track, TrackCompetency
from competencies.queries import CompetencyName
from competencies.tables import Competency
from core import audit
from core.database import write_transaction
from core.i18n import gettext as _
from core.rows import columns_of

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


@dataclass(frozen=True)
class TrackRow:
    """A certification track of the catalogue."""

    id: int
    code: str
    name_nl: str
    name_fr: str
    name_en: str
    active: bool

    def form_values(self) -> dict[str, str]:
        """The track as its edit form starts."""
        return {name: getattr(self, name) for name in ("code", *NAME_FIELDS)}


@dataclass(frozen=True)
class TrackUse(TrackRow):
    """A track with the number of certificates registered on it."""

    certificates: int


async def track_by_code(code: str) -> TrackRow | None:
    row = await Track.select(*columns_of(Track, TrackRow)).where(Track.code == code).first()
    return TrackRow(**row) if row is not None else None


async def tracks_with_use() -> list[TrackUse]:
    tracks = await Track.select(*columns_of(Track, TrackRow)).order_by(Track.id)
    counts = {
        row["track"]: row["count"]
        for row in await Certificate.select(Certificate.track, Count()).group_by(Certificate.track)
    }
    return [TrackUse(**track, certificates=counts.get(track["id"], 0)) for track in tracks]


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


# --- the competencies a track develops -------------------------------------------------------


async def track_competencies() -> dict[str, list[CompetencyName]]:
    """track code -> the competencies it develops (code, names, model), in one query."""
    rows = await TrackCompetency.select(
        TrackCompetency.track.code.as_alias("track"),
        TrackCompetency.competency.id.as_alias("id"),
        TrackCompetency.competency.code.as_alias("code"),
        TrackCompetency.competency.name_nl.as_alias("name_nl"),
        TrackCompetency.competency.name_fr.as_alias("name_fr"),
        TrackCompetency.competency.name_en.as_alias("name_en"),
    ).order_by(TrackCompetency.id)
    found: dict[str, list[CompetencyName]] = {}
    for row in rows:
        track = row.pop("track")
        found.setdefault(track, []).append(CompetencyName(**row))
    return found


async def set_track_competencies(code: str, competency_ids: list[int], actor: audit.Actor) -> bool:
    """Replace the competencies a track develops; False when there is no such track."""
    async with write_transaction():
        track = await Track.select(Track.id).where(Track.code == code).first()
        if track is None:
            return False
        known = {
            row["id"]
            for row in await Competency.select(Competency.id).where(
                Competency.id.is_in(competency_ids or [0])
            )
        }
        await TrackCompetency.delete().where(TrackCompetency.track == track["id"])
        chosen = sorted(known)
        if chosen:
            await TrackCompetency.insert(
                *[TrackCompetency(track=track["id"], competency=c) for c in chosen]
            )
        await audit.record(
            actor,
            "track_competencies_changed",
            table="track",
            key=code,
            after={"competencies": len(chosen)},
        )
    return True


# What the seeded tracks develop in the 5+1 model (a first proposal DG R&O edits).
SEEDED_LINKS = {
    "AZ": ("ANALYSE", "DECIDE", "COMMUNICATE", "SERVICE", "METHODOLOGY", "REGULATIONS"),
    "SELTEST": ("METHODOLOGY", "SOFTWARE", "RELIABILITY", "ANALYSE"),
    "ASSESS": ("ANALYSE", "INTEGRATE", "COMMUNICATE", "METHODOLOGY"),
    "INTERVIEW": ("COMMUNICATE", "ANALYSE", "SERVICE", "WRITTEN_ORAL"),
}


async def seed_track_competencies(model_code: str = "FED-5+1") -> None:
    """The seeded links, only when no track has any yet."""
    if await TrackCompetency.exists():
        return
    tracks = {row["code"]: row["id"] for row in await Track.select(Track.id, Track.code)}
    competencies = {
        row["code"]: row["id"]
        for row in await Competency.select(Competency.id, Competency.code).where(
            Competency.of_model.code == model_code
        )
    }
    links = [
        TrackCompetency(track=tracks[track], competency=competencies[code])
        for track, codes in SEEDED_LINKS.items()
        if track in tracks
        for code in codes
        if code in competencies
    ]
    if links:
        await TrackCompetency.insert(*links)
