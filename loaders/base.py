"""What every source format is made of: columns with header variants, typed row access, output."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from graph.errors import InvalidInput
from graph.ids import is_masked_id, parse_uscc, uscc_entity_kind
from graph.model import (
    Authority,
    Enterprise,
    EnterpriseKind,
    OrganizationType,
    SocialOrganization,
)
from loaders import items
from loaders.items import Item, build, stable_id


class RowError(Exception):
    """A row cannot be loaded: ``field`` is the column header as the source names it."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


def normalize_header(text: str) -> str:
    """Header text reduced for matching: NFKC (full-width to half-width), no spaces, no BOM.

    >>> normalize_header(" 罚款金额（万元） ")
    '罚款金额(万元)'
    """
    text = unicodedata.normalize("NFKC", text.replace("\ufeff", ""))
    return "".join(text.split())


@dataclass(frozen=True)
class Column:
    """One source column: canonical ``name``, its standard ``header`` and accepted variants."""

    name: str
    header: str
    aliases: tuple[str, ...] = ()
    required: bool = False

    def headers(self) -> tuple[str, ...]:
        """Every accepted header, normalised."""
        return tuple(normalize_header(h) for h in (self.header, *self.aliases))


@dataclass
class Parsed:
    """What one row becomes. ``primary`` names the row's main fact: ("record"|"entity"|
    "relation", key) where key is the record/entity id or the relation's identity tuple."""

    entities: list[Item] = field(default_factory=list)
    relations: list[Item] = field(default_factory=list)
    records: list[Item] = field(default_factory=list)
    primary: tuple[str, Any] = ("entity", "")

    def __reduce__(self) -> tuple[Any, ...]:
        """Sent from a parse worker as plain dicts in a tuple (pickle's fast path: a dict
        subclass or a dataclass's state costs it several times more)."""
        return Parsed, (
            [dict(e) for e in self.entities],
            [dict(r) for r in self.relations],
            [dict(r) for r in self.records],
            self.primary,
        )


_DATE_PATTERNS = (
    re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"),
    re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$"),
    re.compile(r"^(\d{4})\.(\d{1,2})\.(\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)


@lru_cache(maxsize=1 << 18)
def parse_date(text: str) -> date:
    """A date from the forms sources use; ValueError otherwise.

    >>> parse_date("2025/7/8"), parse_date("2025年7月8日"), parse_date("2025-07-08 00:00:00")
    (datetime.date(2025, 7, 8), datetime.date(2025, 7, 8), datetime.date(2025, 7, 8))
    """
    text = unicodedata.normalize("NFKC", text).strip()
    text = re.sub(r"[ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?$", "", text)
    for pattern in _DATE_PATTERNS:
        match = pattern.match(text)
        if match:
            try:
                return date(*(int(g) for g in match.groups()))
            except ValueError as exc:
                raise ValueError(f"unparseable date {text!r}: {exc}") from None
    raise ValueError(f"unparseable date {text!r}")


def parse_amount(text: str) -> float:
    """A non-negative amount: digits with optional thousands separators and unit words.

    >>> parse_amount("1,200.5万元"), parse_amount("60%")
    (1200.5, 60.0)
    """
    cleaned = unicodedata.normalize("NFKC", text).strip().replace(",", "")
    cleaned = re.sub(r"(万元|元|万|%)$", "", cleaned).strip()
    try:
        value = float(cleaned)
    except ValueError:
        raise ValueError(f"unparseable amount {text!r}") from None
    if value < 0 or value != value:
        raise ValueError(f"negative or invalid amount {text!r}")
    return value


class Row:
    """One source row by canonical column name; typed getters raise RowError with the header."""

    def __init__(
        self,
        values: Mapping[str, str],
        columns: Mapping[str, Column],
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self._values = values
        self._columns = columns
        self._headers = headers or {}

    def header(self, name: str) -> str:
        """The column's header as the source file writes it (else the standard one)."""
        return self._headers.get(name) or self._columns[name].header

    def text(self, name: str) -> str | None:
        """Stripped text, or None when empty or absent."""
        value = self._values.get(name)
        value = value.strip() if value is not None else ""
        return value or None

    def required(self, name: str) -> str:
        """Text that must be present."""
        value = self.text(name)
        if value is None:
            raise RowError(self.header(name), "missing required field")
        return value

    def date(self, name: str, *, required: bool = False) -> date | None:
        """A date, or None when empty and not required."""
        value = self.required(name) if required else self.text(name)
        if value is None:
            return None
        try:
            return parse_date(value)
        except (ValueError, OverflowError) as exc:
            raise RowError(self.header(name), str(exc)) from None

    def amount(self, name: str) -> float | None:
        """A non-negative number (units stripped), or None when empty."""
        value = self.text(name)
        if value is None:
            return None
        try:
            return parse_amount(value)
        except ValueError as exc:
            raise RowError(self.header(name), str(exc)) from None

    def uscc(self, name: str, *, required: bool = False) -> str | None:
        """A validated unified social credit code, or None when empty and not required."""
        value = self.required(name) if required else self.text(name)
        if value is None:
            return None
        try:
            return parse_uscc(value, field=name)
        except InvalidInput as exc:
            raise RowError(self.header(name), getattr(exc, "reason", str(exc))) from None

    def choice(self, name: str, choices: Mapping[str, Any], *, required: bool = True) -> Any:
        """The value ``choices`` maps the cell to; an unknown category is an error."""
        value = self.required(name) if required else self.text(name)
        if value is None:
            return None
        key = normalize_header(value)
        if key not in choices:
            known = "、".join(list(choices)[:8])
            raise RowError(self.header(name), f"unknown category {value!r} (known: {known})")
        return choices[key]


@dataclass(frozen=True)
class Context:
    """What a parser needs besides the row: the hash key and provenance of the row."""

    key: bytes
    source_file: str
    row: int
    loaded_at: str  # ISO text, as the stored form writes it (a datetime is turned into it)

    def __post_init__(self) -> None:
        if isinstance(self.loaded_at, datetime):
            object.__setattr__(self, "loaded_at", items.iso_moment(self.loaded_at))
        prov = {"source_file": self.source_file, "source_row": self.row}
        object.__setattr__(self, "_prov", prov | {"loaded_at": self.loaded_at})

    def provenance(self) -> dict[str, Any]:
        """Provenance keyword arguments for items.build (one dict per row: do not change it)."""
        prov: dict[str, Any] = self._prov  # type: ignore[attr-defined]
        return prov


def person(row: Row, ctx: Context, name_col: str, id_col: str | None) -> Item:
    """A Person from a name column and an ID-number column (full, masked or empty)."""
    name = row.required(name_col)
    number = row.text(id_col) if id_col else None
    try:
        return items.person(name, number, ctx.key, **ctx.provenance())
    except InvalidInput as exc:
        header = row.header(id_col) if id_col else row.header(name_col)
        raise RowError(header, getattr(exc, "reason", str(exc))) from None


def is_person_id(text: str | None) -> bool:
    """True for a citizen ID number, full or masked; a valid USCC (even all digits) is not one.

    >>> is_person_id("914403001922038216"), is_person_id("4201021985****0026")
    (False, True)
    >>> is_person_id("42010219800101001X"), is_person_id("91420102MA4K00010N")
    (True, False)
    """
    if not text:
        return False
    text = unicodedata.normalize("NFKC", text).strip()
    if is_masked_id(text):
        return True
    try:
        parse_uscc(text)
        return False
    except InvalidInput:
        return len(text) in (15, 18) and text[:15].isdigit()


_ORG_TYPES = {
    "social_organization": OrganizationType.SOCIAL_GROUP,
    "government_organ": OrganizationType.GOVERNMENT_ORGAN,
    "public_institution": OrganizationType.PUBLIC_INSTITUTION,
    "law_firm": OrganizationType.LEGAL_SERVICE,
    "legal_service": OrganizationType.LEGAL_SERVICE,
}
_ENTERPRISE_KINDS = {
    "enterprise": EnterpriseKind.COMPANY,
    "sole_trader": EnterpriseKind.SOLE_TRADER,
    "cooperative": EnterpriseKind.COOPERATIVE,
}


def organization(
    code: str | None,
    name: str,
    ctx: Context,
    *,
    org_code: str | None = None,
    registration_number: str | None = None,
) -> Item:
    """The node for an organisation named in a row, its kind read from the USCC category.

    Government organs (11…) are Authority nodes, so the department that issues a record and
    the one a civil servant serves in are the same node. Without a USCC the node id is
    derived from the legacy code or the name; the loader then links it to the organisation
    that legacy code belongs to, when exactly one is known.
    """
    prov = ctx.provenance()
    if code is None:
        node_id = stable_id("org", org_code or registration_number or name)
        return build(
            Enterprise,
            id=node_id,
            name=name,
            org_code=org_code,
            registration_number=registration_number,
            **prov,
        )
    kind = uscc_entity_kind(code)
    if kind == "government_organ":
        return build(Authority, id=code, uscc=code, name=name, **prov)
    if kind in _ENTERPRISE_KINDS:
        kind_of = _ENTERPRISE_KINDS[kind]
        return build(Enterprise, id=code, uscc=code, name=name, kind=kind_of, **prov)
    org_type = _ORG_TYPES.get(kind, OrganizationType.OTHER)
    return build(SocialOrganization, id=code, uscc=code, name=name, org_type=org_type, **prov)


#: 主体类别 / 行政相对人类别 -> whether the subject is a natural person.
SUBJECT_KINDS = {"法人及非法人组织": False, "自然人": True, "个体工商户": False}


def subject(row: Row, ctx: Context) -> Item:
    """A row's subject from the columns ``subject_kind``, ``uscc``, ``name``, ``id_number``:
    a person when the kind says so (or there is an ID number and no USCC), else an
    organisation."""
    natural = row.choice("subject_kind", SUBJECT_KINDS, required=False)
    code = row.uscc("uscc")
    if natural is None:
        natural = code is None and row.text("id_number") is not None
    if natural:
        return person(row, ctx, "name", "id_number")
    return organization(code, row.required("name"), ctx)


def authority(row: Row, ctx: Context, name_col: str, code_col: str | None) -> Item:
    """The Authority that issued a record: by its USCC when given, else by its name."""
    name = row.required(name_col)
    code = row.uscc(code_col) if code_col else None
    node_id = code or _authority_id(name)
    return build(Authority, id=node_id, uscc=code, name=name, **ctx.provenance())


@lru_cache(maxsize=1 << 12)
def _authority_id(name: str) -> str:
    return stable_id("authority", name)


@dataclass(frozen=True)
class SourceFormat:
    """A source format: columns, the columns that identify it, and the row parser."""

    name: str  # stable code used by --format, e.g. "penalty"
    title: str  # the Chinese name, e.g. 行政处罚信息
    columns: tuple[Column, ...]
    signature: tuple[str, ...]  # canonical names that must all be present to recognise it
    parse: Callable[[Row, Context], Parsed]

    def column_map(self) -> dict[str, Column]:
        """Columns by canonical name."""
        return {c.name: c for c in self.columns}

    def match_headers(self, headers: Iterable[str]) -> tuple[dict[int, str], list[str]]:
        """Map header positions to canonical names; also return headers not understood."""
        lookup = {h: c.name for c in self.columns for h in c.headers()}
        mapping: dict[int, str] = {}
        unknown: list[str] = []
        for index, header in enumerate(headers):
            name = lookup.get(normalize_header(header))
            if name is not None and name not in mapping.values():
                mapping[index] = name
            elif normalize_header(header):
                unknown.append(header)
        return mapping, unknown

    def missing_required(self, mapped: Iterable[str]) -> list[str]:
        """Headers of required columns the file does not have."""
        present = set(mapped)
        return [c.header for c in self.columns if c.required and c.name not in present]
