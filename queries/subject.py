"""Who a question is about: a USCC, a citizen ID number, a legacy code or an entity id."""

from __future__ import annotations

from graph.errors import InvalidInput, NotFound
from graph.ids import InvalidIdentifier, mask_digits, parse_citizen_id, parse_uscc, person_key
from graph.store.protocol import GraphStore, NodeSummary


def subject_id(store: GraphStore, text: str, key: bytes) -> str:
    """The node id for what a caller typed; raises NotFound when no such entity is loaded.

    An 18-character USCC is the organisation's id; a citizen ID number (18 or 15 digits) is
    turned into the keyed person id (the number itself is never stored or logged); a
    9-character 组织机构代码 or 15-digit 工商注册号 finds the organisation it belongs to;
    anything else is taken as an entity id.
    """
    value = text.strip()
    if not value:
        raise InvalidInput("subject: empty", field="subject")
    node_id = _candidate(store, value, key)
    if node_id not in store.links([node_id], cap=1).nodes:
        raise NotFound(f"no entity for subject {_safe(value)!r}")
    return node_id


def subject_ids(store: GraphStore, texts: list[str], key: bytes) -> tuple[list[str], list[str]]:
    """The node ids of many subjects, and the ones not found as they may be echoed (ID
    numbers masked) instead of raising: for scans of many subjects at once."""
    found, missing = [], []
    for text in texts:
        try:
            found.append(subject_id(store, text, key))
        except NotFound:
            missing.append(_safe(text.strip()))
    return found, missing


def summary(store: GraphStore, node_id: str) -> NodeSummary:
    """The NodeSummary of an existing entity; raises NotFound."""
    found = store.links([node_id], cap=1).nodes.get(node_id)
    if found is None:
        raise NotFound(f"no entity with id {node_id!r}")
    return found


def _candidate(store: GraphStore, value: str, key: bytes) -> str:
    upper = value.upper()
    if len(upper) == 18 and not upper[:17].isdigit():
        try:
            return parse_uscc(upper, "subject")
        except InvalidIdentifier:
            return value
    if len(upper) in (15, 18) and upper[:15].isdigit():
        try:
            number = parse_citizen_id(upper, "subject", allow_legacy=True)
        except InvalidIdentifier:
            number = None
        if number is not None:
            return f"person:{person_key(number, key)}"
        if len(upper) == 15:
            return _by_code(store, "registration_number", upper) or value
    if len(upper) == 18 and upper[:17].isdigit():  # a USCC whose category digits are numeric
        try:
            return parse_uscc(upper, "subject")
        except InvalidIdentifier:
            return value
    if len(upper) in (9, 10) and upper.replace("-", "").isalnum():
        return _by_code(store, "org_code", upper.replace("-", "")) or value
    return value


def _by_code(store: GraphStore, field: str, code: str) -> str | None:
    found = store.find_by_code(field, [code])  # type: ignore[arg-type]
    ids = found.get(code, [])
    return ids[0] if len(ids) == 1 else None


def _safe(value: str) -> str:
    """What a subject may be echoed as: ID numbers masked."""
    if len(value) >= 15 and value[:15].isdigit():
        return mask_digits(value)
    return value
