"""Which kind of list a 名单名称 names (and 认定部门, for shared names): list_names.yaml."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from graph.records import RED_KINDS, ListKind, ListType
from loaders.base import normalize_header

LIST_NAMES_FILE = Path(__file__).resolve().parent / "list_names.yaml"

#: The kinds a name the file does not know loads as; they have no names of their own.
UNMAPPED_KINDS = frozenset({ListKind.OTHER_BLACK, ListKind.OTHER_RED})

_QUOTES = re.compile(r"[\"'“”‘’「」『』]")


def name_key(text: str) -> str:
    """A 名单名称 or 认定部门 as it is matched: normalize_header, quote marks dropped.

    >>> name_key(" 拖欠农民工工资“黑名单” ") == name_key("拖欠农民工工资黑名单")
    True
    """
    return _QUOTES.sub("", normalize_header(text))


class ListNamesError(ValueError):
    """list_names.yaml breaks a rule: the message names the file, the entry and the reason."""


class _Kind(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    names: tuple[str, ...] = Field(min_length=1)
    authorities: tuple[str, ...] = ()

    @field_validator("names", "authorities")
    @classmethod
    def _non_empty(cls, values: tuple[str, ...]) -> tuple[str, ...]:
        for value in values:
            if not name_key(value):
                raise ValueError("an empty entry")
        return values


class _File(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    kinds: dict[ListKind, _Kind]
    shared_names: tuple[str, ...] = ()


@dataclass(frozen=True)
class ListNames:
    """The mapping, normalised: name -> kind; shared names; authority words by kind."""

    names: Mapping[str, ListKind]
    shared: frozenset[str]
    authorities: Mapping[ListKind, tuple[str, ...]]

    def kind(self, name: str, authority: str | None, list_type: ListType) -> ListKind | None:
        """The kind a list is, from its name (and its 认定部门 for a shared name); None when
        the file does not tell (the caller loads it as other_black / other_red).

        >>> LIST_NAMES.kind("严重失信主体名单", "某区应急管理局", ListType.BLACK)
        <ListKind.SAFETY_PRODUCTION: 'safety_production'>
        >>> LIST_NAMES.kind("严重失信主体名单", "某区生态环境分局", ListType.BLACK)
        <ListKind.ENVIRONMENTAL: 'environmental'>
        >>> LIST_NAMES.kind("严重失信主体名单", "某区档案馆", ListType.BLACK) is None
        True
        """
        key = name_key(name)
        kind = self.names.get(key)
        if kind is not None or key not in self.shared or not authority:
            return kind
        department = name_key(authority)
        found: dict[ListKind, int] = {}  # kind -> its longest word in the department's name
        for candidate, words in self.authorities.items():
            if (candidate in RED_KINDS) == (list_type is ListType.RED):
                lengths = [len(word) for word in words if word in department]
                if lengths:
                    found[candidate] = max(lengths)
        longest = max(found.values(), default=0)
        best = [kind for kind, length in found.items() if length == longest]
        return best[0] if len(best) == 1 else None  # none, or a tie: not told

    def is_shared(self, name: str) -> bool:
        """True for a name several departments publish under (its kind needs the 认定部门)."""
        return name_key(name) in self.shared


def load_list_names(path: Path = LIST_NAMES_FILE) -> ListNames:
    """Read and check the mapping: every ListKind but other_* has names, other_* none; a
    name belongs to one kind and is not also shared; an authority word to one kind of each
    colour. ListNamesError names the entry that breaks a rule."""
    where = path.name
    try:
        raw: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
        data = _File.model_validate(raw)
    except (OSError, yaml.YAMLError) as exc:
        raise ListNamesError(f"{where}: cannot read: {exc}") from None
    except ValidationError as exc:
        error = exc.errors()[0]
        loc = ".".join(str(part) for part in error["loc"])
        raise ListNamesError(f"{where}: {loc}: {error['msg']}") from None
    names: dict[str, ListKind] = {}
    words: dict[tuple[bool, str], ListKind] = {}
    for kind, entry in data.kinds.items():
        if kind in UNMAPPED_KINDS:
            raise ListNamesError(f"{where}: kinds.{kind}: has no names (unknown lists load as it)")
        for name in entry.names:
            key = name_key(name)
            if key in names:
                raise ListNamesError(f"{where}: kinds.{kind}: {name!r} is also {names[key]}")
            names[key] = kind
        for word in entry.authorities:
            colour = (kind in RED_KINDS, name_key(word))
            if words.get(colour, kind) is not kind:
                other = words[colour]
                raise ListNamesError(f"{where}: kinds.{kind}: authority {word!r} is also {other}")
            words[colour] = kind
    missing = [str(k) for k in ListKind if k not in UNMAPPED_KINDS and k not in data.kinds]
    if missing:
        raise ListNamesError(f"{where}: kinds: no names for {', '.join(missing)}")
    for name in data.shared_names:
        if name_key(name) in names:
            kind = names[name_key(name)]
            raise ListNamesError(f"{where}: shared_names: {name!r} is also a name of {kind}")
        if not name_key(name):
            raise ListNamesError(f"{where}: shared_names: an empty entry")
    return ListNames(
        names=names,
        shared=frozenset(name_key(name) for name in data.shared_names),
        authorities={
            kind: tuple(name_key(w) for w in entry.authorities)
            for kind, entry in data.kinds.items()
            if entry.authorities
        },
    )


#: The shipped mapping, read and checked once when the loaders import this module (a bad
#: entry stops them, with the entry named); parse workers inherit it.
LIST_NAMES = load_list_names()
