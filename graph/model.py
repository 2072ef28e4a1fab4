"""Pydantic models of the graph's entities and relations (实体与关系), with provenance and time."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, TypeAdapter, model_validator

from graph.ids import (
    is_masked_id,
    mask_id,
    parse_citizen_id,
    parse_masked_id,
    parse_uscc,
    person_key,
)
from graph.vocabulary import Label, RelType

_NON_EMPTY = Field(min_length=1)
#: A unified social credit code, validated (GB 32100 check digit) and normalised.
Uscc = Annotated[str, AfterValidator(parse_uscc)]


class Model(BaseModel):
    """Base of every stored model: strict about unknown fields, stripped strings."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=False)

    def properties(self) -> dict[str, Any]:
        """The stored properties: JSON-ready values (dates as ISO strings), no ``None``."""
        return self.model_dump(mode="json", exclude_none=True)


class Provenance(Model):
    """Where a fact came from (来源): the file and row, and when it was first accepted."""

    source_file: str | None = None
    source_row: int | None = Field(default=None, ge=1)
    loaded_at: datetime | None = None


class EnterpriseKind(StrEnum):
    """Kinds of market subject (市场主体)."""

    COMPANY = "company"  # 公司 and other enterprises
    SOLE_TRADER = "sole_trader"  # 个体工商户
    COOPERATIVE = "cooperative"  # 农民专业合作社
    OTHER = "other"


class OrganizationType(StrEnum):
    """Kinds of non-market organisation."""

    SOCIAL_GROUP = "social_group"  # 社会团体
    PRIVATE_NON_ENTERPRISE = "private_non_enterprise"  # 民办非企业单位 / 社会服务机构
    FOUNDATION = "foundation"  # 基金会
    GOVERNMENT_ORGAN = "government_organ"  # 机关
    PUBLIC_INSTITUTION = "public_institution"  # 事业单位
    LEGAL_SERVICE = "legal_service"  # 律师事务所, 公证处, 司法鉴定机构 ...
    OTHER = "other"


class ContactKind(StrEnum):
    """Kinds of contact point that can be shared between entities."""

    PHONE = "phone"
    ADDRESS = "address"


class Entity(Provenance):
    """Common fields of every entity: a stable id and a display name."""

    id: str = _NON_EMPTY
    name: str = _NON_EMPTY


class Organization(Entity):
    """Common fields of registered organisations: the names they were known by before.

    ``former_names`` (曾用名) grows when an upsert renames the organisation (the old name is
    kept, see ``former_names_after``); it is not stored while empty.
    """

    former_names: list[str] = Field(default_factory=list)

    def properties(self) -> dict[str, Any]:
        """As Model.properties, without an empty ``former_names``."""
        props = super().properties()
        if not props.get("former_names"):
            props.pop("former_names", None)
        return props


def former_names_after(
    old_name: str | None, old_former: list[str] | None, new_name: str, new_former: list[str]
) -> list[str]:
    """The former names of an organisation after an upsert: those it had, those the new
    item brings, and the old name when it changed; in that order, once each, never the
    current name (an upsert repeated changes nothing).

    >>> former_names_after("甲公司", [], "乙公司", [])
    ['甲公司']
    >>> former_names_after("乙公司", ["甲公司"], "甲公司", ["丙公司"])
    ['丙公司', '乙公司']
    """
    names = [*(old_former or []), *new_former]
    if old_name is not None and old_name != new_name:
        names.append(old_name)
    return [n for n in dict.fromkeys(names) if n != new_name]


class Enterprise(Organization):
    """企业: a market subject identified by its unified social credit code (统一社会信用代码)."""

    label: Literal[Label.ENTERPRISE] = Label.ENTERPRISE
    uscc: Uscc | None = None
    kind: EnterpriseKind = EnterpriseKind.COMPANY
    enterprise_type: str | None = (
        None  # 企业类型 as registered, e.g. 有限责任公司(自然人投资或控股)
    )
    registration_status: str | None = None  # 登记状态: 存续, 在业, 吊销, 注销 ...
    established: date | None = None  # 成立日期
    registration_authority: str | None = None  # 登记机关
    registration_number: str | None = None  # 工商注册号 (legacy)
    org_code: str | None = None  # 组织机构代码 (legacy; derived from the USCC when it has one)
    address: str | None = None  # 住所

    @model_validator(mode="after")
    def _derive_org_code(self) -> Enterprise:
        if self.uscc and self.org_code is None and self.uscc != "0" * 17 + "X":
            self.org_code = self.uscc[8:17]
        return self


class SocialOrganization(Organization):
    """社会组织 (社会团体, 民办非企业单位, 基金会) and public bodies (机关, 事业单位)."""

    label: Literal[Label.SOCIAL_ORGANIZATION] = Label.SOCIAL_ORGANIZATION
    uscc: Uscc | None = None
    org_type: OrganizationType = OrganizationType.OTHER
    registration_authority: str | None = None  # 登记管理机关
    supervising_unit: str | None = None  # 业务主管单位
    registration_status: str | None = None
    established: date | None = None
    org_code: str | None = None
    address: str | None = None

    @model_validator(mode="after")
    def _derive_org_code(self) -> SocialOrganization:
        if self.uscc and self.org_code is None:
            self.org_code = self.uscc[8:17]
        return self


class Authority(Entity):
    """部门: a body that issues records (licences, penalties, list entries, court decisions)."""

    label: Literal[Label.AUTHORITY] = Label.AUTHORITY
    uscc: Uscc | None = None
    region_code: str | None = None  # 行政区划代码


class Person(Entity):
    """自然人. The raw ID number is never stored: only its keyed hash and a masked form.

    ``id_hash`` is None for a person known only by name and a masked ID (e.g. a court list).
    """

    label: Literal[Label.PERSON] = Label.PERSON
    id_hash: str | None = None
    id_masked: str | None = None
    id_type: str | None = None  # 证件类型: 身份证, 护照 ...


class ContactPoint(Provenance):
    """A phone number or address that entities declare; shared ones suggest links."""

    label: Literal[Label.CONTACT_POINT] = Label.CONTACT_POINT
    id: str = _NON_EMPTY
    kind: ContactKind
    value: str = _NON_EMPTY

    @property
    def name(self) -> str:
        """Display name: the value."""
        return self.value


AnyEntity = Annotated[
    Enterprise | SocialOrganization | Authority | Person | ContactPoint,
    Field(discriminator="label"),
]
ENTITY_ADAPTER: TypeAdapter[Enterprise | SocialOrganization | Authority | Person | ContactPoint] = (
    TypeAdapter(AnyEntity)
)


class ServiceRole(StrEnum):
    """Roles of a person serving in an organisation (SERVES_IN.role)."""

    CIVIL_SERVANT = "civil_servant"  # 公务员
    JUDGE = "judge"  # 法官
    PROSECUTOR = "prosecutor"  # 检察官
    POLICE = "police"  # 警察
    LAWYER = "lawyer"  # 律师
    NOTARY = "notary"  # 公证员
    LEGAL_AID = "legal_aid"  # 法律援助人员
    FORENSIC_EXAMINER = "forensic_examiner"  # 司法鉴定人员
    ARBITRATOR = "arbitrator"  # 仲裁员
    OTHER_JUDICIAL = "other_judicial"  # 其他司法执法人员

    @property
    def judicial(self) -> bool:
        """True for judicial and law-enforcement staff (司法执法人员)."""
        return self is not ServiceRole.CIVIL_SERVANT


#: Which relation types may carry each attribute (the rule Relation checks).
RELATION_ATTRIBUTES: dict[str, frozenset[RelType]] = {
    "subscribed_amount": frozenset({RelType.SHAREHOLDER_OF}),
    "ratio": frozenset({RelType.SHAREHOLDER_OF, RelType.ACTUAL_CONTROLLER_OF}),
    "post": frozenset(  # on ACTUAL_CONTROLLER_OF: the 受益所有权类型 (持股, 控制, 其他)
        {
            RelType.EXECUTIVE_OF,
            RelType.SERVES_IN,
            RelType.PRINCIPAL_OF,
            RelType.ACTUAL_CONTROLLER_OF,
        }
    ),
    "role": frozenset({RelType.SERVES_IN}),
    "reason": frozenset({RelType.POSSIBLY_SAME_AS}),
}


class Relation(Provenance):
    """A typed, dated link between two nodes. ``key`` tells apart parallel links of one type."""

    type: RelType
    source_id: str = _NON_EMPTY
    target_id: str = _NON_EMPTY
    key: str = ""
    valid_from: date | None = None
    valid_to: date | None = None  # last day on which the relation holds (inclusive)
    subscribed_amount: float | None = Field(default=None, ge=0)  # 认缴出资额 (万元)
    ratio: float | None = Field(default=None, ge=0, le=1)  # 出资比例 as a fraction
    post: str | None = None  # 职务
    role: ServiceRole | None = None
    reason: str | None = None
    authority: str | None = None  # who reported the relation (e.g. 登记机关)

    @model_validator(mode="after")
    def _check(self) -> Relation:
        if self.type in {RelType.CONCERNS, RelType.ISSUED_BY}:
            raise ValueError(f"{self.type} links are made from a record's subject_id / issuer_id")
        if self.source_id == self.target_id:
            raise ValueError("source_id: a relation cannot link a node to itself")
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            raise ValueError("valid_to: ends before valid_from")
        for attribute, types in RELATION_ATTRIBUTES.items():
            if getattr(self, attribute) is not None and self.type not in types:
                raise ValueError(f"{attribute}: not an attribute of {self.type}")
        if self.type is RelType.SERVES_IN and self.role is None:
            raise ValueError("role: SERVES_IN needs the role (civil_servant, judge, ...)")
        return self

    @property
    def identity(self) -> tuple[str, str, str, str]:
        """The natural key: (type, source, target, key)."""
        return (str(self.type), self.source_id, self.target_id, self.key)

    def holds_on(self, as_of: date | None) -> bool:
        """True when the relation is valid on ``as_of`` (always, when as_of is None)."""
        return valid_on(self.valid_from, self.valid_to, as_of)


def valid_on(valid_from: date | None, valid_to: date | None, as_of: date | None) -> bool:
    """True when ``as_of`` lies in [valid_from, valid_to]; open ends are unbounded.

    >>> valid_on(date(2024, 1, 1), date(2024, 12, 31), date(2024, 12, 31))
    True
    >>> valid_on(date(2024, 1, 1), None, date(2023, 12, 31))
    False
    """
    if as_of is None:
        return True
    if valid_from is not None and as_of < valid_from:
        return False
    return valid_to is None or as_of <= valid_to


def stable_id(prefix: str, *parts: object) -> str:
    """A deterministic id from natural-key parts (SHA-1, 20 hex chars).

    >>> stable_id("org", "某区市场监督管理局") == stable_id("org", "某区市场监督管理局")
    True
    >>> len(stable_id("penalty", "某市监处罚〔2025〕101号", "某区市场监督管理局"))
    28
    """
    text = "\x1f".join("" if part is None else str(part) for part in parts)
    return f"{prefix}:{hashlib.sha1(text.encode()).hexdigest()[:20]}"


_NOT_DIGITS = re.compile(r"[^0-9]+")


def normalize_contact(kind: ContactKind, value: str) -> str:
    """Normalise a phone (digits only) or an address (half-width, no spaces).

    >>> normalize_contact(ContactKind.PHONE, "027-8000 0010")
    '02780000010'
    >>> normalize_contact(ContactKind.ADDRESS, " 武汉市某区 某路１０号 ")
    '武汉市某区某路10号'
    """
    text = value if value.isascii() else unicodedata.normalize("NFKC", value)
    if kind is ContactKind.PHONE:
        return _NOT_DIGITS.sub("", text) if text.isascii() else "".join(filter(str.isdigit, text))
    return "".join(text.split())


def contact_point(kind: ContactKind, value: str, **provenance: Any) -> ContactPoint:
    """The ContactPoint for a raw phone or address; its id is derived from the normalised value.

    >>> contact_point(ContactKind.PHONE, "027-80000010").id
    'phone:02780000010'
    """
    normal = normalize_contact(kind, value)
    if not normal:
        raise ValueError(f"{kind}: {value!r} has nothing to identify a contact point")
    node_id = f"phone:{normal}" if kind is ContactKind.PHONE else stable_id("address", normal)
    return ContactPoint(id=node_id, kind=kind, value=normal, **provenance)


def make_person(name: str, id_number: str | None, key: bytes, **extra: Any) -> Person:
    """A Person from a name and a full, masked or missing ID number (证件号码).

    A full number gives the keyed person key (the number itself is dropped); a masked or
    missing one gives an id derived from the name and the mask, and no ``id_hash``, so that
    entity resolution can decide later whether it is someone already known.

    >>> p = make_person("吴芳", "420102198512120026", b"k")
    >>> p.id == "person:" + p.id_hash, p.id_masked
    (True, '420102********0026')
    >>> make_person("吴芳", "4201021985****0026", b"k").id_hash is None
    True
    """
    if id_number and not is_masked_id(id_number):
        number = parse_citizen_id(id_number, allow_legacy=True)
        digest = person_key(number, key)
        return Person(
            id=f"person:{digest}", name=name, id_hash=digest, id_masked=mask_id(number), **extra
        )
    masked = parse_masked_id(id_number).text if id_number else None
    return Person(
        id=stable_id("person:unverified", name, masked), name=name, id_masked=masked, **extra
    )
