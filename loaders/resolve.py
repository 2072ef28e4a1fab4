"""Entity resolution of persons known only by name and a masked ID number (e.g. court lists)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from graph.model import Person, Relation
from graph.store.protocol import CODE_FIELDS, GraphStore
from graph.vocabulary import Label, RelType
from loaders.items import Item, build

MIN_OVERLAP = 8
_PERSON, _ENTERPRISE = (
    str(Label.PERSON),
    str(Label.ENTERPRISE),
)  # visible positions both masks must share before two people can match


def masks_compatible(a: str, b: str) -> bool:
    """True when two masked (or full) ID numbers agree on every position both show.

    >>> masks_compatible("4201021985****0026", "420102********0026")
    True
    >>> masks_compatible("4201021985****0026", "420102********0036")
    False
    """
    if len(a) != len(b):
        return False
    shared = [(x, y) for x, y in zip(a, b, strict=True) if x != "*" and y != "*"]
    return len(shared) >= MIN_OVERLAP and all(x == y for x, y in shared)


def candidates(person: Person | dict[str, Any], known: Iterable[Person]) -> list[Person]:
    """Known persons with a keyed ID (id_hash) whose mask agrees with ``person``'s."""
    mask = person.get("id_masked") if isinstance(person, dict) else person.id_masked
    if not mask:
        return []
    return [
        other
        for other in known
        if other.id_hash and other.id_masked and masks_compatible(mask, other.id_masked)
    ]


class Resolution:
    """For one batch: which entities are someone already known, and which might be.

    A person known by name and masked ID is the known person when exactly one fits; with
    several, it stays apart with POSSIBLY_SAME_AS links. An organisation without a USCC is
    the organisation its legacy code (组织机构代码, 工商注册号) belongs to, when exactly one.
    """

    def __init__(self, store: GraphStore, entities: Sequence[Item]) -> None:
        self.same: dict[str, str] = {}  # id in the batch -> the known entity it is
        self.possible: list[Item] = []
        persons, orgs = [], []
        for entity in entities:
            label = entity["label"]
            if label == _PERSON:
                if "id_hash" not in entity and "id_masked" in entity:
                    persons.append(entity)
            elif (
                label == _ENTERPRISE
                and "uscc" not in entity
                and ("org_code" in entity or "registration_number" in entity)
            ):
                orgs.append(entity)
        if persons:
            self._persons(store, persons)
        if orgs:
            self._organisations(store, orgs)

    def _organisations(self, store: GraphStore, legacy: Sequence[Item]) -> None:
        for field in CODE_FIELDS:
            values = [v for o in legacy if (v := o.get(field))]
            known = store.find_by_code(field, values) if values else {}
            for org in legacy:
                ids = [i for i in known.get(org.get(field) or "", []) if i != org["id"]]
                if len(ids) == 1 and org["id"] not in self.same:
                    self.same[org["id"]] = ids[0]

    def _persons(self, store: GraphStore, unverified: Sequence[Item]) -> None:
        known = store.find_persons([p["name"] for p in unverified]) if unverified else {}
        for person in unverified:
            found = candidates(person, known.get(person["name"], []))
            if len(found) == 1:
                self.same[person["id"]] = found[0].id
            for other in found if len(found) > 1 else []:
                reason = (
                    f"same name and compatible masked ID number; {len(found)} candidates, "
                    "so no automatic link"
                )
                self.possible.append(
                    build(
                        Relation,
                        type=RelType.POSSIBLY_SAME_AS,
                        source_id=person["id"],
                        target_id=other.id,
                        reason=reason,
                        source_file=person.get("source_file"),
                        source_row=person.get("source_row"),
                    )
                )

    def node(self, node_id: str) -> str:
        """The id to use for ``node_id`` after resolution."""
        return self.same.get(node_id, node_id)
