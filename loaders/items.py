"""Graph items as the load path makes them: plain dicts in their stored form, no model objects.

A source row becomes a few items (an organisation, a person, a relation, a record). Building
each as a pydantic model and dumping it again cost most of a row's parse time, so the formats
build the stored form directly with :func:`build`, which applies the model's defaults and its
rules as plain checks. The models in graph/ stay the schema: when a check fails, the model
itself is asked, so the error says exactly what validation would have said, and a test checks
that every item of the generated county validates and dumps back to itself.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Callable
from datetime import date, datetime
from enum import Enum
from functools import lru_cache
from typing import Any, get_args

from pydantic import BaseModel

from graph.errors import InvalidInput
from graph.ids import is_masked_id, mask_id, parse_citizen_id, parse_masked_id, person_key
from graph.model import (
    RELATION_ATTRIBUTES,
    AnyEntity,
    ContactKind,
    ContactPoint,
    Enterprise,
    Person,
    Relation,
    SocialOrganization,
    normalize_contact,
)
from graph.records import RED_KINDS, AnyRecord, ListEntry, ListType
from graph.vocabulary import RelType

Check = Callable[["Item"], str | None]


class Item(dict[str, Any]):
    """One graph item in its stored form; ``item.name`` reads a property (None when absent)."""

    __slots__ = ()

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return self.get(name)


def iso_moment(moment: datetime) -> str:
    """A timestamp as the stored form writes it (what pydantic's JSON mode gives).

    >>> from datetime import UTC
    >>> iso_moment(datetime(2026, 1, 2, 3, 4, 5, 6, tzinfo=UTC))
    '2026-01-02T03:04:05.000006Z'
    """
    text = moment.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _defaults(model: type[BaseModel]) -> dict[str, Any]:
    """The fields a model fills in when not given, in their stored form (None ones left out)."""
    found: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        if info.is_required() or info.default is None or info.default_factory is not None:
            continue
        value = info.default
        found[name] = value.value if isinstance(value, Enum) else value
    return found


_MODELS: tuple[type[BaseModel], ...] = (
    Relation,
    *get_args(get_args(AnyEntity)[0]),
    *get_args(get_args(AnyRecord)[0]),
)
_DEFAULTS = {model: _defaults(model) for model in _MODELS}
_REQUIRED_TEXT = {
    model: tuple(
        name
        for name, info in model.model_fields.items()
        if any(getattr(m, "min_length", None) for m in info.metadata)
    )
    for model in _MODELS
}


def build(model: type[BaseModel], **fields: Any) -> Item:
    """The stored form of ``model(**fields)``: defaults filled in, None left out, dates as
    ISO text, enums as their value; the model's rules checked as plain functions.

    >>> item = build(Relation, type=RelType.SHAREHOLDER_OF, source_id="a", target_id="b",
    ...              ratio=0.5, valid_from=date(2024, 1, 1), post=None)
    >>> item == Relation(type=RelType.SHAREHOLDER_OF, source_id="a", target_id="b", ratio=0.5,
    ...                  valid_from=date(2024, 1, 1)).properties()
    True
    >>> build(Relation, type=RelType.SHAREHOLDER_OF, source_id="a", target_id="a")
    Traceback (most recent call last):
    ...
    pydantic_core._pydantic_core.ValidationError: 1 validation error for Relation
      Value error, source_id: a relation cannot link a node to itself ...
    """
    item = Item(_DEFAULTS[model])
    item.update(fields)
    for key, value in fields.items():
        kind = type(value)
        if kind is str or kind is int or kind is float:
            continue
        if value is None or value == []:  # an empty list (former_names) is not stored
            del item[key]
        elif isinstance(value, Enum):
            item[key] = value._value_
        elif isinstance(value, date):
            item[key] = value.isoformat()
    problem = _CHECKS[model](item)
    if problem is not None:
        model.model_validate(fields)  # raises the model's own error for it
        raise ValueError(problem)  # a rule the model does not have: a bug here
    return item


def _required(model: type[BaseModel], rules: Check | None = None) -> Check:
    """The check of a model: its non-empty text fields, then its own rules."""
    names = _REQUIRED_TEXT[model]

    def check(item: Item) -> str | None:
        for name in names:
            if not item.get(name):
                return f"{name}: empty"
        return rules(item) if rules is not None else None

    return check


def _dates_in_order(item: Item) -> str | None:
    start, end = item.get("valid_from"), item.get("valid_to")
    return "valid_to: ends before valid_from" if start and end and end < start else None


_RELATION_ATTRIBUTES = {  # the model's rule, as plain text (enum members hash slowly)
    attribute: frozenset(str(t) for t in types) for attribute, types in RELATION_ATTRIBUTES.items()
}
_SERVES_IN = str(RelType.SERVES_IN)
_RECORD_LINKS = frozenset({str(RelType.CONCERNS), str(RelType.ISSUED_BY)})


def _relation(item: Item) -> str | None:
    rel_type = item["type"]
    if rel_type in _RECORD_LINKS or item["source_id"] == item["target_id"]:
        return "relation"
    for attribute in _RELATION_ATTRIBUTES.keys() & item.keys():
        if rel_type not in _RELATION_ATTRIBUTES[attribute]:
            return attribute
    if rel_type == _SERVES_IN and "role" not in item:
        return "role"
    ratio = item.get("ratio")
    if ratio is not None and not 0 <= ratio <= 1:
        return "ratio"
    amount = item.get("subscribed_amount")
    if amount is not None and amount < 0:
        return "subscribed_amount"
    return _dates_in_order(item)


def _organisation(item: Item) -> str | None:
    code = item.get("uscc")
    if code and "org_code" not in item and code != "0" * 17 + "X":
        item["org_code"] = code[8:17]
    return None


def _record(item: Item) -> str | None:
    for amount in ("fine_amount", "confiscated_amount"):
        value = item.get(amount)
        if value is not None and value < 0:
            return amount
    return _dates_in_order(item)


_RED_KINDS = frozenset(str(kind) for kind in RED_KINDS)
_RED = str(ListType.RED)


def _list_entry(item: Item) -> str | None:
    red = item["list_kind"] in _RED_KINDS
    if red != (item["list_type"] == _RED):
        return "list_kind"
    return _record(item)


_RULES: dict[type[BaseModel], Check] = {
    Relation: _relation,
    Enterprise: _organisation,
    SocialOrganization: _organisation,
    ListEntry: _list_entry,
    **{m: _record for m in get_args(get_args(AnyRecord)[0]) if m is not ListEntry},
}
_CHECKS = {model: _required(model, _RULES.get(model)) for model in _MODELS}


def stable_id(prefix: str, *parts: object) -> str:
    """As graph.model.stable_id (a deterministic id from natural-key parts).

    >>> from graph.model import stable_id as model_stable_id
    >>> stable_id("org", "某局", None) == model_stable_id("org", "某局", None)
    True
    """
    text = "\x1f".join("" if part is None else str(part) for part in parts)
    return f"{prefix}:{hashlib.sha1(text.encode()).hexdigest()[:20]}"


@lru_cache(maxsize=1 << 20)
def _keyed(number: str, key: bytes) -> tuple[str, str]:
    checked = parse_citizen_id(number, allow_legacy=True)
    return person_key(checked, key), mask_id(checked)


@lru_cache(maxsize=1 << 18)
def _masked(number: str) -> str:
    return parse_masked_id(number).text


def person(name: str, id_number: str | None, key: bytes, **extra: Any) -> Item:
    """As graph.model.make_person, in stored form: a full ID number gives the keyed person
    key (the number itself is dropped); a masked or missing one gives an id from the name and
    the mask, and no ``id_hash``. InvalidInput for a malformed number."""
    if id_number and not is_masked_id(id_number):
        digest, masked = _keyed(id_number, key)
        return build(
            Person, id=f"person:{digest}", name=name, id_hash=digest, id_masked=masked, **extra
        )
    mask = _masked(id_number) if id_number else None
    node_id = stable_id("person:unverified", name, mask)
    return build(Person, id=node_id, name=name, id_masked=mask, **extra)


def contact_point(kind: ContactKind, value: str, **provenance: Any) -> Item:
    """As graph.model.contact_point, in stored form; ValueError when nothing identifies it."""
    normal = normalize_contact(kind, value)
    if not normal:
        raise ValueError(f"{kind}: {value!r} has nothing to identify a contact point")
    node_id = f"phone:{normal}" if kind is ContactKind.PHONE else stable_id("address", normal)
    return build(ContactPoint, id=node_id, kind=kind, value=normal, **provenance)


def nfkc(text: str) -> str:
    """NFKC, skipped for ASCII text (the common case)."""
    return text if text.isascii() else unicodedata.normalize("NFKC", text)


__all__ = ["InvalidInput", "Item", "build", "contact_point", "person", "stable_id"]
