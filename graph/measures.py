"""The joint-punishment (联合惩戒) and incentive measure catalogue: loaded and validated."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from graph.errors import InvalidInput, NotFound
from graph.records import FACTS, RED_KINDS, ListKind
from graph.vocabulary import RelType

CATALOGUE_DIR = Path(__file__).resolve().parent / "catalogue"
AUTHORITIES_FILE = "authorities.yaml"
_KEBAB = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"


class Effect(StrEnum):
    """What a measure does: restrict (限制), review strictly (从严审核/参考), or reward (激励)."""

    RESTRICT = "restrict"
    REVIEW = "review"
    INCENTIVE = "incentive"


class Matter(StrEnum):
    """The matter (事项) a measure bears on: stable codes; Chinese titles in MATTER_TITLES."""

    PROCUREMENT = "procurement"
    BIDDING = "bidding"
    SUBSIDY = "subsidy"
    LICENSING = "licensing"
    MARKET_ENTRY = "market_entry"
    FINANCING = "financing"
    HONOURS = "honours"
    PUBLIC_OFFICE = "public_office"
    CONSUMPTION = "consumption"
    TRAVEL = "travel"
    LAND = "land"


MATTER_TITLES: dict[Matter, str] = {
    Matter.PROCUREMENT: "政府采购",
    Matter.BIDDING: "招标投标",
    Matter.SUBSIDY: "财政补贴和政策支持",
    Matter.LICENSING: "行政许可和资质",
    Matter.MARKET_ENTRY: "市场准入（设立企业、担任法定代表人/董监高）",
    Matter.FINANCING: "融资和债券",
    Matter.HONOURS: "评优评先和荣誉",
    Matter.PUBLIC_OFFICE: "公职任用",
    Matter.CONSUMPTION: "高消费",
    Matter.TRAVEL: "出行",
    Matter.LAND: "取得政府供应土地和特殊市场交易",
}


class Reach(StrEnum):
    """Whom a measure reaches: the listed subject and the people around a listed organisation."""

    SUBJECT = "subject"  # the listed entity itself (名单主体)
    LEGAL_REPRESENTATIVE = "legal_representative"  # 法定代表人
    PRINCIPAL = "principal"  # 主要负责人
    ACTUAL_CONTROLLER = "actual_controller"  # 实际控制人
    EXECUTIVE = "executive"  # 董事、监事、高级管理人员
    DIRECTLY_RESPONSIBLE = "directly_responsible"  # 直接责任人员


#: The graph relations (person -[type]-> organisation) that lead from a listed organisation to
#: the people a measure reaches. SUBJECT needs none; DIRECTLY_RESPONSIBLE has no relation in the
#: DIRECTLY_RESPONSIBLE_FOR relations name the list entry they come from (their ``key``):
#: 直接责任人员 are named case by case in a listing decision, and bound for that entry only.
REACH_RELATIONS: dict[Reach, frozenset[RelType]] = {
    Reach.SUBJECT: frozenset(),
    Reach.LEGAL_REPRESENTATIVE: frozenset({RelType.LEGAL_REPRESENTATIVE_OF}),
    Reach.PRINCIPAL: frozenset({RelType.PRINCIPAL_OF}),
    Reach.ACTUAL_CONTROLLER: frozenset({RelType.ACTUAL_CONTROLLER_OF}),
    Reach.EXECUTIVE: frozenset({RelType.EXECUTIVE_OF}),
    Reach.DIRECTLY_RESPONSIBLE: frozenset({RelType.DIRECTLY_RESPONSIBLE_FOR}),
}


class SubjectKind(StrEnum):
    """The kind of listed subject a measure applies to."""

    ORGANIZATION = "organization"
    PERSON = "person"


class CatalogueError(InvalidInput):
    """A catalogue file breaks a rule: the message names the file, the measure, field and reason."""

    def __init__(
        self, file: str, reason: str, *, measure_id: str | None = None, field: str | None = None
    ) -> None:
        where = [file, f"measure {measure_id}" if measure_id else "", field or ""]
        super().__init__(": ".join([*filter(None, where), reason]), field=field)
        self.file, self.measure_id = file, measure_id


class _Data(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


_M = TypeVar("_M", bound=_Data)


class Authority(_Data):
    """An implementing authority (实施部门)."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: str = Field(min_length=1)


class Memorandum(_Data):
    """A joint-punishment memorandum (合作备忘录) or the policy document that carries measures.

    ``basic_list`` says how its measures map to the national basic list of measures
    (全国失信惩戒措施基础清单, since 国办发〔2020〕49号), which every measure must fit."""

    id: str = Field(pattern=_KEBAB)
    title: str = Field(min_length=1)
    document_number: str = Field(min_length=1)  # 文号
    issued: date
    basic_list: str = Field(min_length=1)
    source_file: str = ""  # the catalogue file, set by the loader; not part of the version
    note: str | None = None


class Condition(_Data):
    """A fact of the list entry a measure needs: the measure applies only when the entry's
    ``fact`` equals ``equals``. When the source did not give the fact, the check answers
    review and names what is missing, never restrict."""

    fact: str
    equals: bool | str
    title: str = Field(min_length=1)  # what the condition says, as the text puts it

    @model_validator(mode="after")
    def _known_fact(self) -> Condition:
        if self.fact not in FACTS:
            raise ValueError(f"fact: unknown {self.fact!r}; known: {', '.join(FACTS)}")
        return self


class Verification(StrEnum):
    """Whether a measure's legal basis was checked against the text (verified needs sources)."""

    VERIFIED = "verified"
    UNVERIFIED = "unverified"


class Measure(_Data):
    """One measure: what it does, on which matters, triggered by which lists, reaching whom."""

    id: str = Field(pattern=_KEBAB)
    title: str = Field(min_length=1)
    memorandum: str = Field(min_length=1)
    legal_basis: str = Field(min_length=1)  # 法律政策依据: no measure without one
    authority: str = Field(min_length=1)
    effect: Effect
    matters: tuple[Matter, ...] = Field(min_length=1)
    list_kinds: tuple[ListKind, ...] = Field(min_length=1)
    applies_to: tuple[SubjectKind, ...] = Field(min_length=1)
    reaches: tuple[Reach, ...] = Field(min_length=1)
    conditions: tuple[Condition, ...] = ()  # all must hold; see Condition
    # The applicant's own people this measure looks at: when a person who holds one of these
    # roles in the applying organisation is listed, the applicant gets ``effect`` (e.g. a
    # subsidy applicant whose legal representative is a judgment debtor is reviewed).
    applicant_roles: tuple[Reach, ...] = ()
    basis: Verification
    sources: tuple[str, ...] = ()  # where the basis was checked (site or document)
    basic_list_item: str = Field(min_length=1)  # its item in the national basic list
    note: str | None = None

    @model_validator(mode="after")
    def _check_consistency(self) -> Measure:
        if self.basis is Verification.VERIFIED and not self.sources:
            raise ValueError("sources: a verified basis names where it was checked")
        if self.basis is Verification.UNVERIFIED and "UNVERIFIED" not in (self.note or ""):
            raise ValueError("note: an unverified basis says what is UNVERIFIED in the note")
        for name in ("matters", "list_kinds", "applies_to", "reaches"):
            if len(set(values := getattr(self, name))) != len(values):
                raise ValueError(f"{name}: duplicate value")
        if Reach.SUBJECT not in self.reaches:
            raise ValueError("reaches: must include subject")
        if set(self.reaches) != {Reach.SUBJECT} and SubjectKind.ORGANIZATION not in self.applies_to:
            raise ValueError("reaches: people around a subject need applies_to organization")
        for kind in self.list_kinds:
            if (kind in RED_KINDS) != (self.effect is Effect.INCENTIVE):
                colour = "red" if kind in RED_KINDS else "black"
                raise ValueError(f"list_kinds: {colour}-list kind {kind} with effect {self.effect}")
        return self


class Catalogue:
    """The loaded catalogue: memoranda, authorities and measures, with a content version."""

    def __init__(
        self,
        memoranda: Mapping[str, Memorandum],
        authorities: Mapping[str, Authority],
        measures: Iterable[Measure],
    ) -> None:
        self.memoranda = dict(memoranda)
        self.authorities = dict(authorities)
        self.measures = tuple(sorted(measures, key=lambda m: m.id))
        self._by_id = {m.id: m for m in self.measures}
        items = [*self.authorities.values(), *self.memoranda.values(), *self.measures]
        canonical = "\n".join(sorted(map(_canonical, items)))
        self.version = hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]

    def measure(self, measure_id: str) -> Measure:
        """The measure with ``measure_id``, or raise NotFound."""
        try:
            return self._by_id[measure_id]
        except KeyError:
            raise NotFound(f"measure {measure_id!r} is not in the catalogue") from None

    def measures_for(self, list_kind: ListKind, matter: Matter | None = None) -> list[Measure]:
        """Measures an in-force entry of ``list_kind`` triggers, on ``matter`` (all when None).

        >>> cat = load_catalogue()
        >>> [m.id for m in cat.measures_for(ListKind.DISHONEST_JUDGMENT_DEBTOR, Matter.TRAVEL)]
        ['djd-exit-ban', 'djd-travel-air', 'djd-travel-rail']
        """
        kind_measures = (m for m in self.measures if list_kind in m.list_kinds)
        return [m for m in kind_measures if matter is None or matter in m.matters]

    def trigger_kinds(self) -> frozenset[ListKind]:
        """The list kinds that trigger at least one measure.

        >>> ListKind.OTHER_BLACK in load_catalogue().trigger_kinds()
        False
        """
        return frozenset(k for m in self.measures for k in m.list_kinds)


def _canonical(item: _Data) -> str:
    """The model as sorted JSON, file name left out: what the catalogue version hashes."""
    data = item.model_dump(mode="json", exclude={"source_file"})
    return json.dumps([type(item).__name__, data], sort_keys=True, ensure_ascii=False)


def load_catalogue(folder: Path | None = None) -> Catalogue:
    """Read and validate ``folder/*.yaml`` (default: graph/catalogue); fail fast on any error.

    >>> cat = load_catalogue()
    >>> cat.measure("djd-consumption").effect
    <Effect.RESTRICT: 'restrict'>
    >>> len(cat.version)
    16
    """
    folder = CATALOGUE_DIR if folder is None else folder
    authorities: dict[str, Authority] = {}
    path = folder / AUTHORITIES_FILE
    for index, raw in enumerate(_read(path, "authorities")["authorities"]):
        authority = _validate(Authority, raw, path.name, f"authorities[{index}].")
        if authority.id in authorities:
            reason = f"duplicate authority id {authority.id}"
            raise CatalogueError(path.name, reason, field=f"authorities[{index}].id")
        authorities[authority.id] = authority
    memoranda: dict[str, Memorandum] = {}
    measures: dict[str, Measure] = {}
    for path in sorted(set(folder.glob("*.yaml")) - {folder / AUTHORITIES_FILE}):
        data = _read(path, "measures", "memorandum")
        memo = _validate(Memorandum, data["memorandum"], path.name, "memorandum.")
        if memo.id in memoranda:
            other = memoranda[memo.id].source_file
            reason = f"duplicate memorandum id (also in {other})"
            raise CatalogueError(path.name, reason, field="memorandum.id")
        memoranda[memo.id] = memo = memo.model_copy(update={"source_file": path.name})
        for index, raw in enumerate(data["measures"]):
            label = str(raw.get("id") or f"#{index + 1}")
            measure = _validate(Measure, {"memorandum": memo.id, **raw}, path.name, label)
            problem: tuple[str, str] | None = None
            if measure.memorandum != memo.id:
                problem = ("memorandum", f"must be this file's memorandum {memo.id}")
            elif not measure.id.startswith(f"{memo.id}-"):
                problem = ("id", f"must start with the memorandum id {memo.id}-")
            elif measure.authority not in authorities:
                problem = ("authority", f"unknown authority {measure.authority!r}")
            elif measure.id in measures:
                other = memoranda[measures[measure.id].memorandum].source_file
                problem = ("id", f"duplicate measure id (also in {other})")
            if problem:
                raise CatalogueError(path.name, problem[1], measure_id=measure.id, field=problem[0])
            measures[measure.id] = measure
    return Catalogue(memoranda, authorities, measures.values())


def _read(path: Path, items: str, *others: str) -> dict[str, Any]:
    """The YAML mapping in ``path``: exactly the keys ``items`` (a list of mappings), ``others``."""
    try:
        data = yaml.safe_load(path.read_text("utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise CatalogueError(path.name, f"cannot read: {exc}") from None
    if not isinstance(data, dict):
        raise CatalogueError(path.name, "the top level must be a mapping")
    if wrong := sorted(map(str, set(data) ^ {items, *others})):
        reason = "missing" if wrong[0] in {items, *others} else "unknown key"
        raise CatalogueError(path.name, reason, field=wrong[0])
    if not isinstance(data[items], list) or not data[items]:
        raise CatalogueError(path.name, "must be a non-empty list", field=items)
    for index, item in enumerate(data[items]):
        if not isinstance(item, dict):
            raise CatalogueError(path.name, "must be a mapping", field=f"{items}[{index}]")
    return data


def _validate(model: type[_M], data: dict[str, Any], file: str, where: str) -> _M:
    """Validate as ``model`` or raise the first error; ``where``: a measure id or a field prefix."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        loc = list(error["loc"])
        reason = str(error["msg"]).removeprefix("Value error, ")
        if not loc and (match := re.match(r"^(\w+): (.*)$", reason)):
            loc, reason = [match[1]], match[2]
        kind = error["type"]
        reason = {"extra_forbidden": "unknown key", "missing": "missing"}.get(kind, reason)
        if loc[:1] == ["legal_basis"] and kind in {"missing", "string_too_short", "string_type"}:
            reason = "no measure without a legal basis (missing or blank)"
        elif kind == "enum":
            reason = f"unknown value {error['input']!r} ({reason})"
        path = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc).lstrip(".")
        measure_id, prefix = (where, "") if model is Measure else (None, where)
        field = f"{prefix}{path}".rstrip(".") or None
        raise CatalogueError(file, reason, measure_id=measure_id, field=field) from None
