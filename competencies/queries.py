"""Reads of the competency models: the list of models, one model as group → competency →
indicators (searchable), with the tracks that develop each competency, and two models
side by side with the mapping between them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from competencies.tables import Competency, CompetencyGroup, CompetencyModel, Indicator
from core.rows import columns_of


@dataclass(frozen=True)
class CompetencyName:
    """A competency named elsewhere (what a track develops): its id, code and names."""

    id: int
    code: str
    name_nl: str
    name_fr: str
    name_en: str


@dataclass(frozen=True)
class ModelRow:
    """A competency model: its code, version, names and the model it maps from."""

    id: int
    code: str
    version: int
    valid_from: dt.date
    name_nl: str
    name_fr: str
    name_en: str
    maps_from: str | None


@dataclass(frozen=True)
class IndicatorRow:
    id: int
    competency: int
    position: int
    text_nl: str
    text_fr: str
    text_en: str


@dataclass(frozen=True)
class CompetencyNode:
    """A competency with its indicators; `maps_from_codes` are the older model's
    competencies it continues."""

    id: int
    of_model: int
    in_group: int
    code: str
    core: bool
    heading: str
    position: int
    name_nl: str
    name_fr: str
    name_en: str
    definition_nl: str
    definition_fr: str
    definition_en: str
    maps_from: str
    indicators: list[IndicatorRow]
    maps_from_codes: list[str]


@dataclass(frozen=True)
class GroupNode:
    id: int
    of_model: int
    code: str
    kind: str
    position: int
    name_nl: str
    name_fr: str
    name_en: str
    competencies: list[CompetencyNode]


@dataclass(frozen=True)
class ModelTree(ModelRow):
    """A model as group → competency → indicators; `count`: the competencies shown."""

    groups: list[GroupNode]
    count: int


async def models() -> list[ModelRow]:
    rows = await CompetencyModel.select(*columns_of(CompetencyModel, ModelRow)).order_by(
        CompetencyModel.valid_from
    )
    return [ModelRow(**row) for row in rows]


async def model_tree(code: str, q: str = "") -> ModelTree | None:
    """The model with its groups, competencies (matching `q` in any language, when given)
    and their indicators, in four queries; None for an unknown model."""
    model = await (
        CompetencyModel.select(*columns_of(CompetencyModel, ModelRow))
        .where(CompetencyModel.code == code)
        .first()
    )
    if model is None:
        return None
    groups = await (
        CompetencyGroup.select(*columns_of(CompetencyGroup, GroupNode))
        .where(CompetencyGroup.of_model == model["id"])
        .order_by(CompetencyGroup.position)
    )
    query = Competency.select(*columns_of(Competency, CompetencyNode)).where(
        Competency.of_model == model["id"]
    )
    if q:
        like = f"%{q}%"
        query = query.where(
            Competency.name_nl.ilike(like)
            | Competency.name_fr.ilike(like)
            | Competency.name_en.ilike(like)
            | Competency.definition_nl.ilike(like)
            | Competency.definition_fr.ilike(like)
            | Competency.definition_en.ilike(like)
            | Competency.code.ilike(like)
        )
    competencies = await query.order_by(Competency.position)
    indicators = (
        await Indicator.select(*columns_of(Indicator, IndicatorRow))
        .where(Indicator.competency.is_in([c["id"] for c in competencies]))
        .order_by(Indicator.position)
        if competencies
        else []
    )
    by_competency: dict[int, list[IndicatorRow]] = {}
    for indicator in indicators:
        by_competency.setdefault(indicator["competency"], []).append(IndicatorRow(**indicator))
    by_group: dict[int, list[CompetencyNode]] = {}
    for competency in competencies:
        node = CompetencyNode(
            **competency,
            indicators=by_competency.get(competency["id"], []),
            maps_from_codes=[c for c in competency["maps_from"].split("|") if c],
        )
        by_group.setdefault(node.in_group, []).append(node)
    shown = [
        GroupNode(**group, competencies=by_group.get(group["id"], []))
        for group in groups
        if by_group.get(group["id"]) or not q
    ]
    return ModelTree(**model, groups=shown, count=len(competencies))
