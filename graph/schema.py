"""The Neo4j schema as data: node ids unique, lookup and name indexes."""

from __future__ import annotations

import re
from dataclasses import dataclass

from graph.vocabulary import Label


@dataclass(frozen=True)
class SchemaItem:
    """A constraint or index; ``statement()`` renders its idempotent DDL. A fulltext index
    may name its Lucene ``analyzer`` (e.g. ``cjk``: CJK character pairs, for Chinese names)."""

    name: str
    kind: str  # "unique", "range" or "fulltext"
    label: Label
    properties: tuple[str, ...]
    analyzer: str | None = None

    def statement(self) -> str:
        """DDL with IF NOT EXISTS; labels and keys come from this module's data only."""
        label = Label(self.label)  # guard: only vocabulary labels are spliced
        props = ", ".join(f"n.{p}" for p in self.properties if p.isidentifier())
        if self.kind == "unique":
            return (
                f"CREATE CONSTRAINT {self.name} IF NOT EXISTS "
                f"FOR (n:{label}) REQUIRE {props} IS UNIQUE"
            )
        if self.kind == "range":
            return f"CREATE INDEX {self.name} IF NOT EXISTS FOR (n:{label}) ON ({props})"
        if self.kind == "fulltext":
            ddl = (
                f"CREATE FULLTEXT INDEX {self.name} IF NOT EXISTS FOR (n:{label}) ON EACH [{props}]"
            )
            if self.analyzer is not None:
                if not re.fullmatch(r"[a-z][a-z0-9-]*", self.analyzer):
                    raise ValueError(f"not an analyzer name: {self.analyzer!r}")
                ddl += f" OPTIONS {{indexConfig: {{`fulltext.analyzer`: '{self.analyzer}'}}}}"
            return ddl
        raise ValueError(f"unknown schema item kind {self.kind!r}")


def _snake(label: Label) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in str(label)).lstrip("_")


#: The fulltext index of each searchable label's names and former names (曾用名), one per
#: label so that a search of one kind asks only that kind's index.
NAME_INDEXES: dict[Label, str] = {
    label: f"{_snake(label)}_names"
    for label in (Label.ENTERPRISE, Label.SOCIAL_ORGANIZATION, Label.AUTHORITY, Label.PERSON)
}


SCHEMA: tuple[SchemaItem, ...] = (
    # One constraint makes every id unique across the graph (each node is a :Node); the
    # statements look nodes up by :Node {id}. A constraint per label as well (an earlier
    # schema) cost each new node three index entries and checks, and bought nothing.
    SchemaItem("node_id", "unique", Label.NODE, ("id",)),
    SchemaItem("entity_name", "range", Label.ENTITY, ("name",)),
    SchemaItem("entity_uscc", "range", Label.ENTITY, ("uscc",)),
    SchemaItem("entity_org_code", "range", Label.ENTITY, ("org_code",)),
    SchemaItem("entity_registration_number", "range", Label.ENTITY, ("registration_number",)),
    SchemaItem("person_id_hash", "range", Label.PERSON, ("id_hash",)),
    SchemaItem("record_status", "range", Label.RECORD, ("status",)),
    SchemaItem("record_decision_date", "range", Label.RECORD, ("decision_date",)),
    SchemaItem("record_document_number", "range", Label.RECORD, ("document_number",)),
    SchemaItem("list_entry_kind", "range", Label.LIST_ENTRY, ("list_kind",)),
    *(
        SchemaItem(name, "fulltext", label, ("name", "former_names"), analyzer="cjk")
        for label, name in NAME_INDEXES.items()
    ),
)

#: Constraints of earlier schemas that ``credgraph db init`` drops where it finds them.
RETIRED: tuple[str, ...] = tuple(
    f"{_snake(label)}_id" for label in Label if label is not Label.NODE
)


def drop_statement(name: str) -> str:
    """DDL that drops a retired constraint, if it is there (names checked, then spliced).

    >>> drop_statement("entity_id")
    'DROP CONSTRAINT entity_id IF EXISTS'
    """
    if name not in RETIRED:
        raise ValueError(f"not a retired schema item: {name!r}")
    return f"DROP CONSTRAINT {name} IF EXISTS"
