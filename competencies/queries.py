"""Reads of the competency models: the list of models, one model as group → competency →
indicators (searchable), with the tracks that develop each competency, and two models
side by side with the mapping between them."""

from __future__ import annotations

from typing import Any

from competencies.tables import Competency, CompetencyGroup, CompetencyModel, Indicator


async def models() -> list[dict[str, Any]]:
    return await CompetencyModel.select().order_by(CompetencyModel.valid_from)


async def model_tree(code: str, q: str = "") -> dict[str, Any] | None:
    """The model with its groups, competencies (matching `q` in any language, when given)
    and their indicators, in four queries; None for an unknown model."""
    model = await CompetencyModel.select().where(CompetencyModel.code == code).first()
    if model is None:
        return None
    groups = await (
        CompetencyGroup.select()
        .where(CompetencyGroup.of_model == model["id"])
        .order_by(CompetencyGroup.position)
    )
    query = Competency.select().where(Competency.of_model == model["id"])
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
        await Indicator.select()
        .where(Indicator.competency.is_in([c["id"] for c in competencies]))
        .order_by(Indicator.position)
        if competencies
        else []
    )
    by_competency: dict[int, list[dict[str, Any]]] = {}
    for indicator in indicators:
        by_competency.setdefault(indicator["competency"], []).append(indicator)
    by_group: dict[int, list[dict[str, Any]]] = {}
    for competency in competencies:
        competency["indicators"] = by_competency.get(competency["id"], [])
        competency["maps_from_codes"] = [c for c in competency["maps_from"].split("|") if c]
        by_group.setdefault(competency["in_group"], []).append(competency)
    model["groups"] = [
        {**group, "competencies": by_group.get(group["id"], [])}
        for group in groups
        if by_group.get(group["id"]) or not q
    ]
    model["count"] = len(competencies)
    return model
