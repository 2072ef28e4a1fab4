"""Entity resolution of persons known only by name and a masked ID number (e.g. court lists)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from graph.model import Person, Relation
from graph.store.protocol import GraphStore
from graph.vocabulary import RelType

MIN_OVERLAP = 8  # visible positions both masks must share before two people can match


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


def candidates(person: Person, known: Iterable[Person]) -> list[Person]:
    """Known persons with a keyed ID (id_hash) whose mask agrees with ``person``'s."""
    if not person.id_masked:
        return []
    return [
        other
        for other in known
        if other.id_hash and other.id_masked and masks_compatible(person.id_masked, other.id_masked)
    ]


class Resolution:
    """For one batch: which unverified persons are someone already known, and which might be."""

    def __init__(self, store: GraphStore, persons: Sequence[Person]) -> None:
        unverified = [p for p in persons if p.id_hash is None and p.id_masked]
        known = store.find_persons([p.name for p in unverified]) if unverified else {}
        self.same: dict[str, str] = {}  # unverified id -> the one known person it is
        self.possible: list[Relation] = []
        for person in unverified:
            found = candidates(person, known.get(person.name, []))
            if len(found) == 1:
                self.same[person.id] = found[0].id
            for other in found if len(found) > 1 else []:
                reason = (
                    f"same name and compatible masked ID number; {len(found)} candidates, "
                    "so no automatic link"
                )
                self.possible.append(
                    Relation(
                        type=RelType.POSSIBLY_SAME_AS,
                        source_id=person.id,
                        target_id=other.id,
                        reason=reason,
                        source_file=person.source_file,
                        source_row=person.source_row,
                    )
                )

    def node(self, node_id: str) -> str:
        """The id to use for ``node_id`` after resolution."""
        return self.same.get(node_id, node_id)
