"""Reads the named Cypher statements in cypher/ beside this module; splices checked names."""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

from graph.vocabulary import Label, RelType, check_label, check_rel_type

_INCLUDE = re.compile(r"__INCLUDE_(\w+)__")


@cache
def statement(name: str) -> str:
    """The text of ``cypher/<name>.cypher`` (beside this module), with each ``__INCLUDE_x__``
    replaced by the fragment ``_x.cypher`` (a subquery body two statements share).

    >>> statement("labels_of").startswith("// Purpose:")
    True
    >>> text = statement("expand")
    >>> "__INCLUDE" in text, text.count("[r:__TYPES__]")
    (False, 2)
    """
    text = (
        resources.files("graph.store.neo4j").joinpath("cypher", f"{name}.cypher").read_text("utf-8")
    )
    return _INCLUDE.sub(lambda m: _fragment(m.group(1)), text)


def _fragment(name: str) -> str:
    """A fragment's text without its leading comment lines."""
    lines = statement(f"_{name}").rstrip("\n").split("\n")
    while lines and lines[0].lstrip().startswith("//"):
        lines.pop(0)
    return "\n".join(lines)


def with_labels(name: str, labels: tuple[Label, ...]) -> str:
    """The statement with ``__LABELS__`` replaced by checked labels joined with ':'.

    >>> "SET n:Node:Entity:Person" in with_labels("upsert_entities",
    ...     (Label.NODE, Label.ENTITY, Label.PERSON))
    True
    """
    return statement(name).replace("__LABELS__", ":".join(check_label(x) for x in labels))


def with_type(name: str, rel_type: RelType) -> str:
    """The statement with ``__TYPE__`` replaced by a checked relationship type."""
    return statement(name).replace("__TYPE__", check_rel_type(rel_type))


def with_types(name: str, rel_types: list[str]) -> str:
    """The statement with ``__TYPES__`` replaced by checked relationship types joined with '|'
    (a typed pattern lets Neo4j skip the other relationship chains of a dense node).

    >>> "[r:HAS_PHONE|SERVES_IN]" in with_types("links", ["HAS_PHONE", "SERVES_IN"])
    True
    """
    return statement(name).replace(
        "__TYPES__", "|".join(check_rel_type(RelType(t)) for t in rel_types)
    )
