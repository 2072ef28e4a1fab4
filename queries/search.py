"""Finding entities by part of a name, a former name (曾用名), a code or a citizen ID number."""

from __future__ import annotations

import json
import re
from typing import Literal, NamedTuple

from pydantic import BaseModel

from graph.errors import InvalidInput, NotFound
from graph.ids import (
    InvalidIdentifier,
    clean_text,
    echo_safe,
    parse_citizen_id,
    parse_uscc,
    person_key,
    strip_invisible,
)
from graph.store import common, names
from graph.store.protocol import CodeField, GraphStore, NameMatch
from graph.vocabulary import Label

SearchKind = Literal["enterprise", "social_organization", "authority", "person"]
Matched = Literal[
    "uscc", "org_code", "registration_number", "id_number", "id", "name", "former_name"
]
KIND_LABELS: dict[str, Label] = {
    "enterprise": Label.ENTERPRISE,
    "social_organization": Label.SOCIAL_ORGANIZATION,
    "authority": Label.AUTHORITY,
    "person": Label.PERSON,
}
#: Name matches asked of the store: the ranked list pages through at most these.
CANDIDATES = 200
MAX_QUERY = 100
MAX_LIMIT = 100
#: Company-form endings (企业组织形式) a query and a name are compared without, longest first.
SUFFIXES = tuple(
    names.fold(s)
    for s in sorted(
        (
            "有限公司",
            "有限责任公司",
            "股份有限公司",
            "集团有限公司",
            "集团股份有限公司",
            "集团有限责任公司",
            "股份公司",
            "集团公司",
            "公司",
            "（分公司）",
            "（有限合伙）",
            "（普通合伙）",
        ),
        key=len,
        reverse=True,
    )
)
CODE_SCORE = 100.0
#: Score of a name match by (field, how): equal, equal without the company form ("stem"),
#: starts with the query, with the query's stem, contains it, contains its stem.
NAME_SCORES: dict[tuple[str, str], float] = {
    ("name", "equal"): 90.0,
    ("name", "stem"): 85.0,
    ("former_name", "equal"): 80.0,
    ("former_name", "stem"): 75.0,
    ("name", "prefix"): 60.0,
    ("former_name", "prefix"): 55.0,
    ("name", "stem_prefix"): 50.0,
    ("former_name", "stem_prefix"): 45.0,
    ("name", "contains"): 40.0,
    ("former_name", "contains"): 35.0,
    ("name", "stem_contains"): 30.0,
    ("former_name", "stem_contains"): 25.0,
}
_ORG_CODE = re.compile(r"[0-9A-Z]{8}-?[0-9A-Z]")
_ENDINGS = re.compile("(?:" + "|".join(re.escape(s) for s in SUFFIXES) + ")*")
_DIGIT_RUN = re.compile(r"[0-9]{15,}")


class SearchHit(BaseModel):
    """One ranked match: what was found and how it matched (higher ``score`` first)."""

    id: str
    label: Label
    name: str
    uscc: str | None = None
    matched: Matched
    score: float


class SearchPage(BaseModel):
    """One page of a search; pass ``next_cursor`` back for the next one."""

    query: str  # as it may be echoed: a citizen ID number masked, never in full
    kind: SearchKind | None = None
    items: list[SearchHit]
    next_cursor: str | None = None


def search(
    store: GraphStore,
    q: str,
    key: bytes,
    *,
    kind: SearchKind | None = None,
    limit: int = 20,
    cursor: str | None = None,
) -> SearchPage:
    """Entities whose code, id, name or former name matches ``q``, ranked: exact codes and
    ids, then equal names, names equal without their company form (有限公司 ...), former
    names likewise, then names starting with ``q``, then containing it; ties by the shorter
    name, then id. A citizen ID number is matched exactly, through the keyed person id, and
    never goes to the store or back to the caller; a query holding 15 or more digits in a row
    is not compared with names.

    Names compare in any case, with full-width brackets as half-width (the query's letters
    and digits too); the best ``CANDIDATES`` name matches (and their stems') are ranked and
    paged, so a very common fragment shows that many at most.
    """
    text = strip_invisible(q).strip()
    if not text or len(text) > MAX_QUERY:
        raise InvalidInput(f"q: must have 1 to {MAX_QUERY} characters", field="q")
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidInput(f"limit: must be between 1 and {MAX_LIMIT}, got {limit}", field="limit")
    if kind is not None and kind not in KIND_LABELS:
        raise InvalidInput(f"kind: one of {', '.join(KIND_LABELS)}, got {kind!r}", field="kind")
    after = _after(cursor)
    labels = [KIND_LABELS[kind]] if kind else list(KIND_LABELS.values())
    ranked = _ranked(store, text, key, labels)
    rest = [hit for hit in ranked if after is None or hit.order > after]
    items = [_model(hit) for hit in rest[:limit]]
    more = _cursor(rest[limit - 1]) if len(rest) > limit else None
    return SearchPage(query=echo_safe(text), kind=kind, items=items, next_cursor=more)


def stem(text: str) -> str:
    """A folded name without its company-form endings (the longest each time, while at least
    two characters are left).

    >>> stem("武汉某某建设工程有限责任公司"), stem("某某商贸有限公司(分公司)"), stem("有限公司")
    ('武汉某某建设工程', '某某商贸', '有限公司')
    """
    while True:
        cut = next((s for s in SUFFIXES if text.endswith(s)), None)  # the longest
        if cut is None or len(text) - len(cut) < 2:
            return text
        text = text[: -len(cut)]


class _Hit(NamedTuple):
    """A SearchHit before it is made (most never are: only a page's are)."""

    order: tuple[float, int, str]  # best first: higher score, the shorter name, the id
    label: Label
    name: str
    uscc: str | None
    matched: Matched


def _hit(
    score: float, node_id: str, label: Label, name: str, uscc: str | None, matched: Matched
) -> _Hit:
    return _Hit((-score, len(name), node_id), label, name, uscc, matched)


def _model(hit: _Hit) -> SearchHit:
    score, _, node_id = hit.order
    return SearchHit(
        id=node_id,
        label=hit.label,
        name=hit.name,
        uscc=hit.uscc,
        matched=hit.matched,
        score=-score,
    )


def _ranked(store: GraphStore, text: str, key: bytes, labels: list[Label]) -> list[_Hit]:
    """Every hit, one per entity (its best), best first."""
    best: dict[str, _Hit] = {}
    code = "".join(clean_text(text).split()).upper()
    found = _code_hits(store, code, text, key, labels)
    if not _DIGIT_RUN.search(code) and not _is_uscc(code):  # no ID number goes to the store
        found += _name_hits(store, text, labels)
    for hit in found:
        node_id = hit.order[2]
        if node_id not in best or hit.order < best[node_id].order:
            best[node_id] = hit
    return sorted(best.values())


def _code_hits(
    store: GraphStore, code: str, text: str, key: bytes, labels: list[Label]
) -> list[_Hit]:
    """Entities whose id, USCC, legacy code or (keyed) citizen ID number is ``code``."""
    wanted: list[tuple[str, Matched]] = []  # (node id, how), best first
    if _is_uscc(code):
        wanted.append((code, "uscc"))
        wanted += [(i, "org_code") for i in _by_code(store, "org_code", code[8:17])]
    if len(code) in (15, 18) and code[:15].isdigit():
        try:
            number = parse_citizen_id(code, "q", allow_legacy=True)
            wanted.append((f"person:{person_key(number, key)}", "id_number"))
        except InvalidIdentifier:
            pass
    if len(code) == 15 and code.isdigit():
        wanted += [(i, "registration_number") for i in _by_code(store, "registration_number", code)]
    if _ORG_CODE.fullmatch(code):
        wanted += [(i, "org_code") for i in _by_code(store, "org_code", code.replace("-", ""))]
    if text.isascii() and not _DIGIT_RUN.search(code):  # ids are ASCII: a name saves a read
        wanted.append((text, "id"))
    if not wanted:
        return []
    nodes = store.links(list(dict.fromkeys(i for i, _ in wanted)), cap=1).nodes
    hits: dict[str, _Hit] = {}
    for node_id, matched in wanted:
        node = nodes.get(node_id)
        if node is None or node.label not in labels or node_id in hits:
            continue
        uscc = code if matched == "uscc" else _uscc_of(store, node_id, node.label)
        hits[node_id] = _hit(CODE_SCORE, node_id, node.label, node.name, uscc, matched)
    return list(hits.values())


def _name_hits(store: GraphStore, text: str, labels: list[Label]) -> list[_Hit]:
    """Entities whose name or a former name matches ``text`` or its stem, scored."""
    query = names.fold(clean_text(text))  # full-width letters and digits as half-width
    short = stem(query)
    found: list[NameMatch] = store.search_names(query, labels, CANDIDATES)
    if short != query:  # the stem finds "某某建设工程有限公司" for "某某建设工程有限责任公司"
        found += store.search_names(short, labels, CANDIDATES)
    hits = []
    for m in found:
        how = _how(query, short, names.fold(m.text))
        if how is not None:
            score = NAME_SCORES[(m.field, how)]
            hits.append(_hit(score, m.id, m.label, m.name, m.uscc, m.field))
    return hits


def _how(query: str, short: str, name: str) -> str | None:
    """How a folded name matches a folded query and its stem, best first.

    >>> _how("武汉某某建设工程", "武汉某某建设工程", "武汉某某建设工程有限公司")
    'stem'
    >>> _how("某某建设工程有限责任公司", "某某建设工程", "武汉某某建设工程有限公司")
    'stem_contains'
    """
    if name == query:
        return "equal"
    if name.startswith(short) and _ENDINGS.fullmatch(name, len(short)) and stem(name) == short:
        return "stem"
    if name.startswith(query):
        return "prefix"
    if name.startswith(short):
        return "stem_prefix"
    if query in name:
        return "contains"
    return "stem_contains" if short in name else None


def _cursor(hit: _Hit) -> str:
    return common.encode_cursor(json.dumps(list(hit.order), ensure_ascii=False))


def _after(cursor: str | None) -> tuple[float, int, str] | None:
    """The place a cursor resumes after; InvalidInput (``cursor``) for one we did not make."""
    after = common.decode_cursor(cursor)
    if after is None:
        return None
    try:
        score, length, node_id = json.loads(after)
        if isinstance(score, int | float) and isinstance(length, int) and isinstance(node_id, str):
            return (float(score), length, node_id)
    except (ValueError, TypeError):
        pass
    raise InvalidInput("cursor: not a cursor returned by a previous page", field="cursor")


def _is_uscc(code: str) -> bool:
    if len(code) != 18:
        return False
    try:
        parse_uscc(code, "q")
    except InvalidIdentifier:
        return False
    return True


def _by_code(store: GraphStore, field: CodeField, code: str) -> list[str]:
    return store.find_by_code(field, [code]).get(code, [])


def _uscc_of(store: GraphStore, node_id: str, label: Label) -> str | None:
    """The USCC an organisation found by another code or its id has."""
    if label is Label.PERSON:
        return None
    try:
        entity = store.get_entity(node_id, record_limit=0).entity
    except NotFound:
        return None
    return getattr(entity, "uscc", None)
