"""Function profiles: a function with the competencies it requires and the expected level.
An organisation's HR keeps its own; DG R&O keeps the federal-wide ones (and may act for
any organisation). Each write in one transaction with its audit entry."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from competencies.tables import Competency, FunctionProfile, FunctionRequirement
from core import audit
from core.database import write_transaction
from core.errors import NotFound, Refused
from core.i18n import gettext as _

LEVELS = (1, 2, 3, 4)


@dataclass(frozen=True)
class Requirement:
    """A competency a function requires, at the expected level, with its names."""

    id: int
    profile: int
    competency: int
    level: int
    code: str
    name_nl: str
    name_fr: str
    name_en: str


@dataclass(frozen=True)
class Profile:
    """A function profile (federal-wide when `organisation` is None) and what it requires."""

    id: int
    organisation: int | None
    title: str
    created_by: str
    requirements: list[Requirement]


async def profiles_for(organisation_id: int | None) -> list[Profile]:
    """The organisation's profiles and the federal-wide ones (None: the federal-wide
    ones only), each with its requirements (two queries)."""
    scope: Any = FunctionProfile.organisation.is_null()
    if organisation_id is not None:
        scope = scope | (FunctionProfile.organisation == organisation_id)
    profiles = (
        await FunctionProfile.select(
            FunctionProfile.id,
            FunctionProfile.organisation,
            FunctionProfile.title,
            FunctionProfile.created_by,
        )
        .where(scope)
        .order_by(FunctionProfile.title)
    )
    requirements = (
        await FunctionRequirement.select(
            FunctionRequirement.id,
            FunctionRequirement.profile,
            FunctionRequirement.competency,
            FunctionRequirement.level,
            FunctionRequirement.competency.code.as_alias("code"),
            FunctionRequirement.competency.name_nl.as_alias("name_nl"),
            FunctionRequirement.competency.name_fr.as_alias("name_fr"),
            FunctionRequirement.competency.name_en.as_alias("name_en"),
        ).where(FunctionRequirement.profile.is_in([p["id"] for p in profiles]))
        if profiles
        else []
    )
    by_profile: dict[int, list[Requirement]] = {}
    for requirement in requirements:
        by_profile.setdefault(requirement["profile"], []).append(Requirement(**requirement))
    return [
        Profile(**profile, requirements=by_profile.get(profile["id"], [])) for profile in profiles
    ]


async def add_profile(actor: audit.Actor, organisation_id: int | None, title: str) -> int:
    title = title.strip()
    if not title:
        raise Refused(_("Give the function's title."), "title")
    if len(title) > 200:
        raise Refused(_("Keep the title to 200 characters."), "title")
    async with write_transaction():
        [row] = await FunctionProfile.insert(
            FunctionProfile(organisation=organisation_id, title=title, created_by=actor.label)
        ).returning(FunctionProfile.id)
        await audit.record(
            actor,
            "function_profile_added",
            table="function_profile",
            key=str(row["id"]),
            after={"title": title, "organisation": organisation_id},
        )
    return int(row["id"])


async def add_requirement(
    actor: audit.Actor,
    organisation_id: int | None,
    profile_id: int,
    competency_id: int,
    level: int,
) -> None:
    """A required competency of one of the organisation's own profiles (the federal-wide
    ones are DG R&O's: `organisation_id` None)."""
    if level not in LEVELS:
        raise Refused(_("The expected level is 1, 2, 3 or 4."), "level")
    async with write_transaction():
        profile = await FunctionProfile.select().where(FunctionProfile.id == profile_id).first()
        if profile is None or profile["organisation"] != organisation_id:
            raise NotFound(_("There is no such function."))
        if not await Competency.exists().where(Competency.id == competency_id):
            raise Refused(_("Choose a competency from the list."), "competency")
        await FunctionRequirement.delete().where(
            (FunctionRequirement.profile == profile_id)
            & (FunctionRequirement.competency == competency_id)
        )
        await FunctionRequirement.insert(
            FunctionRequirement(profile=profile_id, competency=competency_id, level=level)
        )
        await audit.record(
            actor,
            "function_requirement_set",
            table="function_profile",
            key=str(profile_id),
            after={"competency": competency_id, "level": level},
        )


async def functions_requiring(organisation_id: int | None) -> dict[int, list[str]]:
    """competency id -> the titles of the functions that require it: the federal-wide
    ones and the reader's organisation's (one query)."""
    scope: Any = FunctionRequirement.profile.organisation.is_null()
    if organisation_id is not None:
        scope = scope | (FunctionRequirement.profile.organisation == organisation_id)
    rows = await FunctionRequirement.select(
        FunctionRequirement.competency, FunctionRequirement.profile.title.as_alias("title")
    ).where(scope)
    found: dict[int, list[str]] = {}
    for row in rows:
        found.setdefault(row["competency"], []).append(row["title"])
    return found
