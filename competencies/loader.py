"""Loading a competency model file (YAML, `competencies/data`): every problem named with
its line (`FILE:LINE: message`), nothing written while there is one; then the model's
groups, competencies and indicators upserted by code (so links into the model keep
their ids), competencies no longer in the file removed, and the mapping replaced. A
competency that something outside the model uses (an evaluation objective, a function's
requirement, a track, a newer model's mapping) is never removed: the load is refused,
naming it and its users, because removing it would delete those rows with it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from competencies.uses import NAMED_BY
from core import audit
from core.database import write_transaction
from core.settings import PROJECT_ROOT

LANGUAGES = ("nl", "fr", "en")
KINDS = ("generic", "technical")
HEADINGS = ("", "profession", "support")
BUNDLED = (
    PROJECT_ROOT / "competencies" / "data" / "federal-5plus1.yaml",
    PROJECT_ROOT / "competencies" / "data" / "bosa-12.yaml",
)


class ModelFileRefused(Exception):
    def __init__(self, problems: list[tuple[int, str]]) -> None:
        super().__init__("; ".join(message for _line, message in problems))
        self.problems = sorted(problems)

    def lines(self, file_name: str) -> list[str]:
        return [f"{file_name}:{line}: {message}" for line, message in self.problems]


@dataclass
class CompetencyData:
    line: int
    code: str
    names: dict[str, str]
    definitions: dict[str, str]
    core: bool = False
    heading: str = ""
    indicators: list[dict[str, str]] = field(default_factory=list)
    maps_from: list[tuple[int, str]] = field(default_factory=list)


@dataclass
class GroupData:
    code: str
    kind: str
    names: dict[str, str]
    competencies: list[CompetencyData]


@dataclass
class ModelData:
    code: str
    version: int
    valid_from: dt.date
    names: dict[str, str]
    maps_from: str | None
    groups: list[GroupData]
    groups_line: int = 1  # where the list of groups starts: a refused removal points here


class _Reader:
    """Walks the YAML node tree, keeping each problem with its line (1-based)."""

    def __init__(self) -> None:
        self.problems: list[tuple[int, str]] = []

    def problem(self, node: yaml.Node, message: str) -> None:
        self.problems.append((node.start_mark.line + 1, message))

    def mapping(self, node: yaml.Node, what: str) -> dict[str, yaml.Node]:
        if not isinstance(node, yaml.MappingNode):
            self.problem(node, f"{what} must be a mapping (key: value)")
            return {}
        found: dict[str, yaml.Node] = {}
        for key, value in node.value:
            if not isinstance(key, yaml.ScalarNode):  # `? [a, b]`: no key of a model is one
                self.problem(key, f"a key in {what} must be a text")
                continue
            if key.value in found:
                self.problem(key, f"{key.value} is given twice in {what}")
            found[str(key.value)] = value
        return found

    def text(
        self,
        parent: yaml.Node,
        values: dict[str, yaml.Node],
        key: str,
        what: str,
        *,
        required: bool = True,
        limit: int = 200,
    ) -> str:
        node = values.get(key)
        if node is None:
            if required:
                self.problem(parent, f"{what} has no {key}")
            return ""
        if not isinstance(node, yaml.ScalarNode) or not str(node.value).strip():
            self.problem(node, f"{what}: {key} must be a non-empty text")
            return ""
        value = str(node.value).strip()
        if len(value) > limit:
            self.problem(node, f"{what}: {key} is longer than {limit} characters")
        return value

    def languages(
        self,
        parent: yaml.Node,
        values: dict[str, yaml.Node],
        key: str,
        what: str,
        *,
        required: bool = True,
        limit: int = 200,
    ) -> dict[str, str]:
        node = values.get(key)
        if node is None:
            if required:
                self.problem(parent, f"{what} has no {key} (nl, fr and en)")
            return {}
        texts = self.mapping(node, f"{what} {key}")
        unknown = sorted(set(texts) - set(LANGUAGES))
        if unknown:
            self.problem(node, f"{what} {key}: unknown language(s) {', '.join(unknown)}")
        return {
            language: self.text(node, texts, language, f"{what} {key}", limit=limit)
            for language in LANGUAGES
        }


def _refuse_nul(root: yaml.Node) -> None:
    """A NUL character (`"\\0"` in a quoted YAML string) in any text: no text may hold one
    (PostgreSQL refuses it), each named by its line."""
    problems: list[tuple[int, str]] = []
    stack = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, yaml.ScalarNode):
            if "\x00" in str(node.value):
                problems.append((node.start_mark.line + 1, "a text holds a NUL character (\\0)"))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
        elif isinstance(node, yaml.MappingNode):
            stack.extend(item for pair in node.value for item in pair)
    if problems:
        raise ModelFileRefused(problems)


MAX_DEPTH = 32  # a model file nests 8 levels deep; 20,000 nested `[` blew the stack


class _ModelLoader(yaml.SafeLoader):
    """The safe loader without anchors and aliases, and with a nesting limit: a model file
    needs neither, an alias lets a few lines stand for billions of nodes (the
    "billion laughs" file hung the load in the walk over them), and each level of nesting
    is a Python call of the composer (20,000 levels: a RecursionError, a traceback).
    Both refused as a YAML error, at the line where they start."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.depth = 0

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            raise yaml.composer.ComposerError(
                None, None, "anchors and aliases (&name, *name) are not allowed", event.start_mark
            )
        if self.depth >= MAX_DEPTH:
            raise yaml.composer.ComposerError(
                None, None, f"nested more than {MAX_DEPTH} levels deep", event.start_mark
            )
        self.depth += 1
        try:
            return super().compose_node(parent, index)  # type: ignore[no-untyped-call]
        finally:
            self.depth -= 1


def parse_model(text: str) -> ModelData:
    """The model file's content, or ModelFileRefused naming every problem's line."""
    reader = _Reader()
    try:
        root = yaml.compose(text, Loader=_ModelLoader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        position = getattr(error, "position", None)  # a character YAML refuses (a raw NUL)
        if mark is not None:
            line = mark.line + 1
        elif isinstance(position, int):
            line = text.count("\n", 0, position) + 1
        else:
            line = 1
        raise ModelFileRefused(
            [(line, f"not readable YAML: {getattr(error, 'problem', error)}")]
        ) from None
    if root is None:
        raise ModelFileRefused([(1, "the file is empty")])
    _refuse_nul(root)
    top = reader.mapping(root, "the file")
    model_node = top.get("model")
    if model_node is None:
        reader.problem(root, "the file has no model")
        raise ModelFileRefused(reader.problems)
    model = reader.mapping(model_node, "model")
    code = reader.text(model_node, model, "code", "model", limit=40)
    version_text = reader.text(model_node, model, "version", "model", limit=10)
    # ASCII digits only: "²" is a digit to isdigit() but not to int(); the length is
    # checked above, and int() of thousands of digits is an error of its own.
    whole = version_text.isascii() and version_text.isdigit() and len(version_text) <= 10
    number = int(version_text) if whole else 0
    version = max(number, 1)
    if version_text and number < 1:
        reader.problem(model["version"], "model: version must be a whole number from 1")
    valid_from = dt.date(2000, 1, 1)
    valid_text = reader.text(model_node, model, "valid_from", "model", limit=10)
    if valid_text:
        try:
            valid_from = dt.date.fromisoformat(valid_text)
        except ValueError:
            reader.problem(
                model["valid_from"], f"model: valid_from {valid_text!r} is not a date YYYY-MM-DD"
            )
    names = reader.languages(model_node, model, "name", "model")
    maps_from = (
        reader.text(model_node, model, "maps_from", "model", required=False, limit=40) or None
    )
    groups_node = top.get("groups")
    groups = _groups(reader, groups_node or root, maps_from)
    if reader.problems:
        raise ModelFileRefused(reader.problems)
    groups_line = groups_node.start_mark.line + 1 if groups_node is not None else 1
    return ModelData(code, version, valid_from, names, maps_from, groups, groups_line)


def _groups(reader: _Reader, node: yaml.Node, maps_from: str | None) -> list[GroupData]:
    """The list of groups, each with its competencies (codes unique across the model)."""
    groups: list[GroupData] = []
    codes: dict[str, int] = {}
    if not isinstance(node, yaml.SequenceNode) or not node.value:
        reader.problem(node, "the file needs a list of groups")
        return groups
    for group_node in node.value:
        group = reader.mapping(group_node, "a group")
        group_code = reader.text(group_node, group, "code", "a group", limit=40)
        what = f"group {group_code or '?'}"
        kind = reader.text(group_node, group, "kind", what, required=False) or "generic"
        if kind not in KINDS:
            reader.problem(group["kind"], f"{what}: kind is generic or technical")
        competencies = []
        list_node = group.get("competencies")
        if not isinstance(list_node, yaml.SequenceNode) or not list_node.value:
            reader.problem(list_node or group_node, f"{what} needs a list of competencies")
        else:
            for item in list_node.value:
                competencies.append(_competency(reader, item, codes, maps_from))
        groups.append(
            GroupData(
                group_code, kind, reader.languages(group_node, group, "name", what), competencies
            )
        )
    return groups


def _competency(
    reader: _Reader, node: yaml.Node, codes: dict[str, int], maps_from: str | None
) -> CompetencyData:
    values = reader.mapping(node, "a competency")
    code = reader.text(node, values, "code", "a competency", limit=40)
    line = node.start_mark.line + 1
    if code in codes:
        reader.problem(node, f"competency {code} is already on line {codes[code]}")
    elif code:
        codes[code] = line
    what = f"competency {code or '?'}"
    data = CompetencyData(
        line=line,
        code=code,
        names=reader.languages(node, values, "name", what),
        definitions=reader.languages(node, values, "definition", what, required=False, limit=2000),
    )
    core = values.get("core")
    if core is not None:
        if not isinstance(core, yaml.ScalarNode) or core.value not in ("true", "false"):
            reader.problem(core, f"{what}: core is true or false")
        data.core = core.value == "true"
    heading = reader.text(node, values, "heading", what, required=False, limit=20)
    if heading not in HEADINGS:
        reader.problem(values["heading"], f"{what}: heading is profession or support")
    data.heading = heading
    data.indicators = _indicators(reader, values.get("indicators"), what)
    mapped = values.get("maps_from")
    if mapped is not None:
        if maps_from is None:
            reader.problem(
                mapped, f"{what}: maps_from needs the model's maps_from (the older model)"
            )
        elif not isinstance(mapped, yaml.SequenceNode):
            reader.problem(mapped, f"{what}: maps_from must be a list of competency codes")
        else:
            data.maps_from = [(item.start_mark.line + 1, str(item.value)) for item in mapped.value]
    return data


def _indicators(reader: _Reader, node: yaml.Node | None, what: str) -> list[dict[str, str]]:
    """A competency's behavioural indicators, each in the three languages."""
    if node is None:
        return []
    if not isinstance(node, yaml.SequenceNode):
        reader.problem(node, f"{what}: indicators must be a list")
        return []
    indicators = []
    for item in node.value:
        texts = reader.mapping(item, f"{what} indicator")
        unknown = sorted(set(texts) - set(LANGUAGES))
        if unknown:
            reader.problem(item, f"{what} indicator: unknown language(s) {', '.join(unknown)}")
        indicators.append(
            {
                lang: reader.text(item, texts, lang, f"{what} indicator", limit=1000)
                for lang in LANGUAGES
            }
        )
    return indicators


async def write_model(model: ModelData, actor: audit.Actor) -> int:
    """Upsert the model in one transaction; the number of competencies. A mapping to a
    competency the older model does not have is refused with its line, nothing written."""
    from competencies.tables import Competency, CompetencyGroup, CompetencyModel, Indicator

    async with write_transaction():
        older: dict[str, int] = {}
        if model.maps_from:
            source = (
                await CompetencyModel.select(CompetencyModel.id)
                .where(CompetencyModel.code == model.maps_from)
                .first()
            )
            if source is None:
                raise ModelFileRefused([(1, f"model {model.maps_from} (maps_from) is not loaded")])
            older = {
                row["code"]: row["id"]
                for row in await Competency.select(Competency.id, Competency.code).where(
                    Competency.of_model == source["id"]
                )
            }
            missing = [
                (line, f"competency {code} is not in model {model.maps_from}")
                for group in model.groups
                for competency in group.competencies
                for line, code in competency.maps_from
                if code not in older
            ]
            if missing:
                raise ModelFileRefused(missing)
        values: dict[Any, Any] = {
            "version": model.version,
            "valid_from": model.valid_from,
            "name_nl": model.names["nl"],
            "name_fr": model.names["fr"],
            "name_en": model.names["en"],
            "maps_from": model.maps_from,
        }
        existing = (
            await CompetencyModel.select(CompetencyModel.id)
            .where(CompetencyModel.code == model.code)
            .first()
        )
        if existing is not None:
            await _refuse_removing_used(model, existing["id"])
        if existing is None:
            [row] = await CompetencyModel.insert(
                CompetencyModel(code=model.code, **values)
            ).returning(CompetencyModel.id)
            model_id = row["id"]
        else:
            model_id = existing["id"]
            await CompetencyModel.update(values).where(CompetencyModel.id == model_id)
        await CompetencyGroup.insert(
            *[
                CompetencyGroup(
                    of_model=model_id,
                    code=g.code,
                    kind=g.kind,
                    position=i,
                    name_nl=g.names["nl"],
                    name_fr=g.names["fr"],
                    name_en=g.names["en"],
                )
                for i, g in enumerate(model.groups)
            ]
        ).on_conflict(
            target=(CompetencyGroup.of_model, CompetencyGroup.code),
            action="DO UPDATE",
            values=[
                CompetencyGroup.kind,
                CompetencyGroup.position,
                CompetencyGroup.name_nl,
                CompetencyGroup.name_fr,
                CompetencyGroup.name_en,
            ],
        )
        group_ids = {
            row["code"]: row["id"]
            for row in await CompetencyGroup.select(CompetencyGroup.id, CompetencyGroup.code).where(
                CompetencyGroup.of_model == model_id
            )
        }
        all_competencies = [(g, c) for g in model.groups for c in g.competencies]
        await Competency.insert(
            *[
                Competency(
                    of_model=model_id,
                    in_group=group_ids[g.code],
                    code=c.code,
                    core=c.core,
                    heading=c.heading,
                    position=i,
                    name_nl=c.names["nl"],
                    name_fr=c.names["fr"],
                    name_en=c.names["en"],
                    definition_nl=c.definitions.get("nl", ""),
                    definition_fr=c.definitions.get("fr", ""),
                    definition_en=c.definitions.get("en", ""),
                    maps_from="|".join(code for _line, code in c.maps_from),
                )
                for i, (g, c) in enumerate(all_competencies)
            ]
        ).on_conflict(
            target=(Competency.of_model, Competency.code),
            action="DO UPDATE",
            values=[
                Competency.in_group,
                Competency.core,
                Competency.heading,
                Competency.position,
                Competency.name_nl,
                Competency.name_fr,
                Competency.name_en,
                Competency.definition_nl,
                Competency.definition_fr,
                Competency.definition_en,
                Competency.maps_from,
            ],
        )
        ids = {
            row["code"]: row["id"]
            for row in await Competency.select(Competency.id, Competency.code).where(
                Competency.of_model == model_id
            )
        }
        in_file = {c.code for _g, c in all_competencies}
        gone = [competency_id for code, competency_id in ids.items() if code not in in_file]
        if gone:
            await Competency.delete().where(Competency.id.is_in(gone))
        await CompetencyGroup.delete().where(
            (CompetencyGroup.of_model == model_id)
            & CompetencyGroup.code.not_in([g.code for g in model.groups])
        )
        current = [ids[c.code] for _g, c in all_competencies]
        await Indicator.delete().where(Indicator.competency.is_in(current))
        indicators = [
            Indicator(
                competency=ids[c.code],
                position=i,
                text_nl=t["nl"],
                text_fr=t["fr"],
                text_en=t["en"],
            )
            for _g, c in all_competencies
            for i, t in enumerate(c.indicators)
        ]
        if indicators:
            await Indicator.insert(*indicators)
        await audit.record(
            actor,
            "competency_model_loaded",
            table="competency_model",
            key=model.code,
            after={"version": model.version, "competencies": len(all_competencies)},
        )
    return len(all_competencies)


async def _refuse_removing_used(model: ModelData, model_id: int) -> None:
    """The competencies of the loaded model that the file no longer has must be used by
    nothing: the foreign keys to a competency cascade, so removing one would silently
    delete the evaluation objectives (and their progress), function requirements and track
    links that name it. Refused instead, each competency with what uses it (the function
    requirements here, and what the areas above name in `competencies.uses.NAMED_BY`)."""
    from competencies.tables import Competency, FunctionRequirement

    in_file = {c.code for g in model.groups for c in g.competencies}
    gone = {
        row["id"]: row["code"]
        for row in await Competency.select(Competency.id, Competency.code).where(
            Competency.of_model == model_id
        )
        if row["code"] not in in_file
    }
    if not gone:
        return
    uses: dict[str, list[str]] = {code: [] for code in gone.values()}
    named_by = [(use.column(), use.what) for use in NAMED_BY]
    # In the order of their words: evaluation objective(s), function requirement(s), track(s).
    for column, what in sorted(
        [(FunctionRequirement.competency, "function requirement(s)"), *named_by],
        key=lambda use: use[1],
    ):
        counts: dict[int, int] = {}
        for row in await column._meta.table.select(column).where(column.is_in(list(gone))):
            counts[row[column._meta.name]] = counts.get(row[column._meta.name], 0) + 1
        for competency_id, count in sorted(counts.items()):
            uses[gone[competency_id]].append(f"{count} {what}")
    for row in await Competency.select(
        Competency.of_model.code.as_alias("model"), Competency.code, Competency.maps_from
    ).where(Competency.of_model.maps_from == model.code):
        for code in set(row["maps_from"].split("|")) & set(uses):
            uses[code].append(f"the mapping of {row['model']} {row['code']}")
    problems = [
        (
            model.groups_line,
            f"competency {code} is no longer in the file but {', '.join(found)} use it; "
            "keep it in the model",
        )
        for code, found in sorted(uses.items())
        if found
    ]
    if problems:
        raise ModelFileRefused(problems)


async def load_file(path: Path, actor: audit.Actor) -> int:
    """Parse and write one file; ModelFileRefused names the problems."""
    text = await _read(path)
    return await write_model(parse_model(text), actor)


async def _read(path: Path) -> str:
    import anyio

    try:
        return await anyio.Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ModelFileRefused([(1, "the file is not UTF-8 text")]) from None


async def seed_models() -> None:
    """The bundled models, loaded by `portal migrate` (and again when they change)."""
    actor = audit.Actor.command_line("migrate")
    for path in BUNDLED:
        await load_file(path, actor)
