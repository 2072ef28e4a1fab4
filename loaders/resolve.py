"""Entity resolution: persons known by name and a masked ID number (court lists), persons a
source names in one organisation without any ID number, legacy organisation codes, and the
changes of 法定代表人 / 负责人 a registry row implies, decided against the store."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

from graph.model import Person, Relation
from graph.store.common import identity
from graph.store.protocol import CODE_FIELDS, Direction, GraphStore
from graph.vocabulary import Label, RelType
from loaders import items
from loaders.items import Item, build, stable_id

#: The roles that represent an organisation; a name is matched within them.
REPRESENTATIVE_TYPES = (RelType.LEGAL_REPRESENTATIVE_OF, RelType.PRINCIPAL_OF)
_ROLES = frozenset(str(t) for t in REPRESENTATIVE_TYPES)
_UNVERIFIED = "person:unverified:"  # the id prefix of a person known without an ID number
#: A row's (primary, relations), as the write batch gives them (see ``Resolution``).
RowFacts = tuple[tuple[str, Any], Sequence[Item]]
_LINKS_AT_ONCE = 10_000

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


def named_person_id(name: str, org_id: str) -> str:
    """The id of a person known only by ``name`` in the organisation ``org_id``.

    >>> named_person_id("周明", "91420102MA4K00010N") == named_person_id("周明", "x")
    False
    """
    return stable_id("person:unverified", name, None, org_id)


def named_person(name: str, org_id: str, key: bytes, **provenance: Any) -> Item:
    """A person a source names as 法定代表人 or 负责人 of an organisation without an ID number
    (loaders.items.person with none): unverified, with an id scoped to the organisation, so
    namesakes elsewhere stay apart. ``Resolution`` makes it the person of that name who
    already represents the organisation, when there is one."""
    item = items.person(name, None, key, **provenance)
    item["id"] = named_person_id(item["name"], org_id)
    return item


class Resolution:
    """For one batch: which entities are someone already known, and which might be.

    A person known by name and masked ID is the known person when exactly one fits; with
    several, it stays apart with POSSIBLY_SAME_AS links. A person known only by name in one
    organisation (``named_person``) is the person of that name who already holds a
    representative role (法定代表人 or 负责人) there, in the store or earlier in the batch;
    a verified one (with an ID hash) wins, and among several the current one. An
    organisation without a USCC is the organisation its legacy code (组织机构代码, 工商注册号)
    belongs to, when exactly one.

    Given the rows' facts (``rows``: each row's primary and relations), it also finds the role
    changes to write as facts (``updates``, (row position, relation)):

    - a dated 法定代表人 / 负责人 relation that is not the row's main fact (a registry change:
      the old holder ends the day before the change, the new one starts on it);
    - a registry row (its main fact is the organisation) naming a holder the organisation has
      never had while another is current: the current one ends the day before the load date
      and the named one starts on it. A row naming a holder already there (current or
      ended, or one of the same name: a court list's person known by name only) changes
      nothing, so a re-load, or an older snapshot, is a no-op.
    """

    def __init__(
        self, store: GraphStore, entities: Sequence[Item], rows: Sequence[RowFacts] = ()
    ) -> None:
        self.same: dict[str, str] = {}  # id in the batch -> the known entity it is
        self.possible: list[Item] = []
        self.updates: list[tuple[int, Item]] = []
        persons: list[Item] = []
        named: list[Item] = []
        orgs: list[Item] = []
        for entity in entities:
            label = entity["label"]
            if label == _PERSON:
                if "id_hash" in entity:
                    continue
                (persons if "id_masked" in entity else named).append(entity)
            elif (
                label == _ENTERPRISE
                and "uscc" not in entity
                and ("org_code" in entity or "registration_number" in entity)
            ):
                orgs.append(entity)
        if orgs:
            self._organisations(store, orgs)
        if persons:
            self._persons(store, persons)
        if named:
            self._named(store, named, entities, rows)
        if rows:
            self._role_changes(store, rows, {e["id"]: e.get("name", "") for e in entities})

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

    def _named(
        self,
        store: GraphStore,
        named: Sequence[Item],
        entities: Sequence[Item],
        rows: Sequence[RowFacts],
    ) -> None:
        wanted = {p["id"] for p in named}
        aliases: dict[str, list[str]] = {}  # organisation -> the legacy ids resolved to it
        for legacy, real in self.same.items():
            aliases.setdefault(real, []).append(legacy)
        # scoped id -> {holder id: (verified, current)}
        found: dict[str, dict[str, tuple[bool, bool]]] = {}

        def holder(name: str, person_id: str, org: str, verified: bool, current: bool) -> None:
            for org_id in (org, *aliases.get(org, ())):
                scoped = named_person_id(name, org_id)
                if scoped in wanted and scoped != person_id:
                    best = found.setdefault(scoped, {}).get(person_id, (False, False))
                    found[scoped][person_id] = (verified, current or best[1])

        # the representatives the organisations already have (one read of the few
        # organisations in the batch, not of every namesake in the county)
        orgs = {
            self.same.get(item["target_id"], item["target_id"])
            for _, relations in rows
            for item in relations
            if item["source_id"] in wanted
        }
        held, names = _roles_held(store, sorted(orgs), "in") if orgs else ([], {})
        for rel in held:
            if rel.source_id not in wanted and rel.source_id in names:
                verified = not rel.source_id.startswith(_UNVERIFIED)
                holder(
                    names[rel.source_id],
                    rel.source_id,
                    rel.target_id,
                    verified,
                    rel.valid_to is None,
                )
        verified_here = {e["id"]: e["name"] for e in entities if "id_hash" in e}
        for _, relations in rows:
            for item in relations:
                name = verified_here.get(item["source_id"])
                if name is not None and item["type"] in _ROLES:
                    holder(name, item["source_id"], item["target_id"], True, "valid_to" not in item)
        for scoped, holders in found.items():
            keyed = [h for h, (v, _) in holders.items() if v]
            current = [h for h in keyed if holders[h][1]]
            for choice in (keyed, current):
                if len(choice) == 1:
                    self.same[scoped] = choice[0]
                    break

    def _role_changes(
        self, store: GraphStore, rows: Sequence[RowFacts], names: dict[str, str]
    ) -> None:
        declared: list[tuple[int, str, Item]] = []
        for pos, (primary, relations) in enumerate(rows):
            for rel in relations:
                if rel["type"] not in _ROLES:
                    continue
                if "valid_from" in rel or "valid_to" in rel:
                    if primary != ("relation", identity(rel)):
                        self.updates.append((pos, self._remap(rel)))
                elif primary == ("entity", rel["target_id"]):
                    declared.append((pos, names.get(rel["source_id"], ""), self._remap(rel)))
        if not declared:
            return
        orgs = sorted({rel["target_id"] for _, _, rel in declared})
        holders: dict[tuple[str, str], list[Relation]] = {}
        held, held_by = _roles_held(store, orgs, "in")
        for known in held:
            holders.setdefault((str(known.type), known.target_id), []).append(known)
        for pos, name, rel in declared:
            here = holders.get((rel["type"], rel["target_id"]), [])
            if any(
                h.source_id == rel["source_id"] or held_by.get(h.source_id) == name for h in here
            ):
                continue  # the named holder (or one of that name) is known: nothing changes
            day = _load_date(rel)
            current = [h for h in here if h.valid_to is None]
            if not current or any(h.valid_from and h.valid_from >= day for h in current):
                continue  # nobody to replace, or the graph knows a newer holder
            for old in current:
                ended = build(
                    Relation,
                    type=old.type,
                    source_id=old.source_id,
                    target_id=old.target_id,
                    key=old.key,
                    valid_to=day - timedelta(days=1),
                )
                self.updates.append((pos, ended))
            self.updates.append((pos, Item(rel, valid_from=day.isoformat())))

    def _remap(self, rel: Item) -> Item:
        source, target = self.node(rel["source_id"]), self.node(rel["target_id"])
        if (source, target) == (rel["source_id"], rel["target_id"]):
            return rel
        return Item(rel, source_id=source, target_id=target)

    def node(self, node_id: str) -> str:
        """The id to use for ``node_id`` after resolution."""
        return self.same.get(node_id, node_id)


def _roles_held(
    store: GraphStore, ids: Sequence[str], direction: Direction
) -> tuple[list[Relation], dict[str, str]]:
    """The representative relations of ``ids`` (persons "out", organisations "in") and the
    names of the nodes they join, asked in slices of the most ``links`` takes at once."""
    found: list[Relation] = []
    names: dict[str, str] = {}
    for start in range(0, len(ids), _LINKS_AT_ONCE):
        part = ids[start : start + _LINKS_AT_ONCE]
        sub = store.links(part, rel_types=REPRESENTATIVE_TYPES, direction=direction)
        found += sub.relations
        names.update((node_id, node.name) for node_id, node in sub.nodes.items())
    return found, names


def _load_date(rel: Item) -> date:
    """The day a row was loaded (its ``loaded_at``), in UTC."""
    stamp = rel.get("loaded_at")
    if stamp:
        return date.fromisoformat(stamp[:10])
    return datetime.now(UTC).date()
