"""Who a question is about: a USCC, a citizen ID number, a legacy code or an entity id."""

from __future__ import annotations

from graph.errors import InvalidInput, NotFound
from graph.ids import (
    InvalidIdentifier,
    clean_text,
    echo_safe,
    looks_like_citizen_id,
    looks_like_uscc,
    mask_digits,
    parse_citizen_id,
    parse_uscc,
    person_key,
)
from graph.store.protocol import GraphStore, NodeSummary

_ID_TAIL = "0123456789X"


def subject_id(store: GraphStore, text: str, key: bytes, *, verify: bool = True) -> str:
    """The node id for what a caller typed; raises NotFound when no such entity is loaded,
    InvalidInput (field ``subject``) when it is a USCC or ID number that cannot be valid.

    Invisible characters (zero-width spaces, BOM, soft hyphens) and full-width forms are
    dropped first. An 18-character USCC is the organisation's id; a citizen ID number (18 or
    15 digits) is turned into the keyed person id (the number itself is never stored or
    logged); a 9-character 组织机构代码 or a 15-digit 工商注册号 finds the organisation it
    belongs to; anything else is taken as an entity id. A USCC or an 18-digit ID number with a
    wrong check digit is an error, not an unknown entity: a typo must not read as "not
    registered". ``verify=False`` skips the store read that checks the entity exists, for a
    question that raises NotFound itself (the approval check: one read fewer per check).
    """
    value = clean_text(text)
    if not value:
        raise InvalidInput("subject: empty", field="subject")
    try:
        node_id = _candidate(store, value, key)
    except InvalidInput:
        if _exists(store, value):  # an entity whose id only looks like a code
            return value
        raise
    if verify and not _exists(store, node_id):
        raise NotFound(f"no entity for subject {echo_safe(value)!r}")
    return node_id


def subject_ids(store: GraphStore, texts: list[str], key: bytes) -> tuple[list[str], list[str]]:
    """The node ids of many subjects, and the ones not found or not valid as they may be
    echoed (ID numbers masked) instead of raising: for scans of many subjects at once."""
    found, missing = [], []
    for text in texts:
        try:
            found.append(subject_id(store, text, key))
        except (NotFound, InvalidInput):
            missing.append(echo_safe(text))
    return found, missing


def summary(store: GraphStore, node_id: str) -> NodeSummary:
    """The NodeSummary of an existing entity; raises NotFound."""
    found = store.links([node_id], cap=1).nodes.get(node_id)
    if found is None:
        raise NotFound(f"no entity with id {echo_safe(node_id)!r}")
    return found


def _exists(store: GraphStore, node_id: str) -> bool:
    return node_id in store.links([node_id], cap=1).nodes


def _candidate(store: GraphStore, value: str, key: bytes) -> str:
    upper = value.upper()
    digits = upper.isascii() and upper[:-1].isdigit() and upper[-1:] in _ID_TAIL
    if digits and len(upper) == 15 and upper.isdigit():
        return _legacy(store, upper, key) or value
    if digits and len(upper) == 18:
        return _digits18(store, upper, key)
    if looks_like_uscc(upper):
        return _uscc(upper)
    if digits and len(upper) in (16, 17, 19):
        reason = f"{len(upper)} digits; a citizen ID number has 18 (or 15), a USCC 18 characters"
        raise InvalidInput(f"subject: {reason} ({echo_safe(upper)})", field="subject")
    if len(upper) in (17, 19) and looks_like_uscc((upper + "0")[:18]):
        reason = f"USCC has {len(upper)} characters, expected 18"
        raise InvalidInput(f"subject: {reason} ({echo_safe(upper)})", field="subject")
    if len(upper) in (9, 10) and upper.replace("-", "").isalnum():
        return _by_code(store, "org_code", upper.replace("-", "")) or value
    return value


def _legacy(store: GraphStore, number: str, key: bytes) -> str | None:
    """A 15-digit legacy ID number's person, else the organisation of that 工商注册号."""
    try:
        person = f"person:{person_key(parse_citizen_id(number, 'subject', allow_legacy=True), key)}"
    except InvalidIdentifier:
        person = None
    if person is not None and _exists(store, person):
        return person
    return _by_code(store, "registration_number", number) or person


def _digits18(store: GraphStore, upper: str, key: bytes) -> str:
    """18 digits (the last may be X): a citizen ID number or an all-digit USCC, or an error
    that says which it looks like (an ID number is never echoed in full)."""
    try:
        return f"person:{person_key(parse_citizen_id(upper, 'subject'), key)}"
    except InvalidIdentifier as exc:
        id_reason = exc.reason
    id_like = looks_like_citizen_id(upper)  # a real birth date: only the check digit is wrong
    try:
        code = parse_uscc(upper, "subject")
    except InvalidIdentifier as exc:
        uscc_reason = exc.reason
    else:
        if not id_like or _exists(store, code):
            return code
        uscc_reason = ""  # a valid USCC no one has, and an ID number with a typo: the latter
    if id_like:
        reason = f"citizen ID {id_reason} ({mask_digits(upper)})"
    elif looks_like_uscc(upper):
        reason = f"USCC {uscc_reason} ({echo_safe(upper)})"
    else:
        reason = "neither a citizen ID number (no real birth date at positions 7-14) nor a USCC"
        reason += f" ({mask_digits(upper)})"
    raise InvalidInput(f"subject: {reason}", field="subject")


def _uscc(upper: str) -> str:
    try:
        return parse_uscc(upper, "subject")
    except InvalidIdentifier as exc:
        reason = f"USCC {exc.reason} ({echo_safe(upper)})"
        raise InvalidInput(f"subject: {reason}", field="subject") from None


def _by_code(store: GraphStore, field: str, code: str) -> str | None:
    found = store.find_by_code(field, [code])  # type: ignore[arg-type]
    ids = found.get(code, [])
    return ids[0] if len(ids) == 1 else None
