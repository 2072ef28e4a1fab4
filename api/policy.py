"""Who may ask what, and what each role sees: the one place access and masking are decided.

``ACCESS`` names, for every route (by operation id), the roles that may call it; a route
missing from it answers 403 to everyone (a test checks that every route is listed).
``present`` turns an answer into what a role may see: people by masked name unless the role
reads names in full, and for ``public`` only in-force public records and no integrity files.
A citizen ID number is never stored, so no role ever sees one in full.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from api.keys import Role
from graph.ids import InvalidIdentifier, parse_citizen_id, parse_uscc
from graph.records import record_in_force
from graph.vocabulary import Label

P, A, I, ADM = Role.PUBLIC, Role.APPROVER, Role.INVESTIGATOR, Role.ADMIN  # noqa: E741
EVERY = frozenset(Role)
READERS = frozenset({P, A, I})
INVESTIGATE = frozenset({I})

#: Operation id -> the roles that may call it. Routes without a key (health, metrics, the
#: OpenAPI page) are not here: they ask nothing about anyone.
ACCESS: dict[str, frozenset[Role]] = {
    # profiles and public records
    "get_entity": READERS,
    "list_neighbours": READERS,
    "get_record": READERS,
    "get_stats": EVERY,
    "list_measures": frozenset({A, I}),
    # approval
    "get_check": frozenset({A, I}),
    "post_checks": frozenset({A, I}),
    # investigation: everything that reads the graph
    "search": INVESTIGATE,
    "get_propagation": INVESTIGATE,
    "get_exposure": INVESTIGATE,
    "get_equity": INVESTIGATE,
    "get_controllers": INVESTIGATE,
    "get_person_roles": INVESTIGATE,
    "get_evasion": INVESTIGATE,
    "post_evasion": INVESTIGATE,
    "get_paths": INVESTIGATE,
    "get_connection": INVESTIGATE,
    "get_conflicts": INVESTIGATE,
    "get_authority_conflicts": INVESTIGATE,
    "list_clusters": INVESTIGATE,
    "get_cluster": INVESTIGATE,
    "list_cluster_changes": INVESTIGATE,
    # the explorer
    "expand_entity": READERS,
    "post_statuses": READERS,
    "get_whoami": EVERY,
    # administration
    "list_keys": frozenset({ADM}),
    "create_key": frozenset({ADM}),
    "revoke_key": frozenset({ADM}),
    "list_audit": frozenset({ADM}),
}

#: Roles that see people's names in full.
FULL_NAMES = frozenset({I, ADM})
#: Questions about a natural person in any case (the others: when a subject is one).
ABOUT_PERSONS = frozenset({"get_person_roles", "get_conflicts"})
#: Parameters and body fields that name the subject(s) of a question.
SUBJECT_FIELDS = (
    "subject",
    "subjects",
    "entity_id",
    "id",
    "source",
    "target",
    "party",
    "staff",
    "q",
)
#: Records the public may see (双公示 and lists), when in force.
PUBLIC_RECORDS = frozenset(
    {str(Label.ADMINISTRATIVE_LICENCE), str(Label.ADMINISTRATIVE_PENALTY), str(Label.LIST_ENTRY)}
)
PERSON = str(Label.PERSON)
MASKED_PERSON = "person:*"


def allowed(role: Role, operation: str) -> bool:
    """Whether ``role`` may call the route ``operation``."""
    return role in ACCESS.get(operation, frozenset())


def is_person(text: str) -> bool:
    """Whether a subject as typed names a natural person: a person id or a citizen ID number.

    >>> is_person("person:abc"), is_person("42010219800101001X"), is_person("91420102MA4K00010N")
    (True, True, False)
    >>> is_person("914201038015773792"), is_person("420102198001010019")  # a USCC; a typo
    (False, True)
    """
    value = text.strip()
    if value.startswith("person:"):
        return True
    upper = value.upper()
    if len(upper) in (15, 18) and upper[:15].isdigit():
        try:
            parse_citizen_id(upper, "subject", allow_legacy=True)
        except InvalidIdentifier:
            if len(upper) == 18 and _valid_uscc(upper):
                return False  # a USCC of digits only (an organisation), not an ID number
            return len(upper) == 18  # a mistyped ID number is still about a person
        return True
    return False


def _valid_uscc(text: str) -> bool:
    try:
        parse_uscc(text)
    except InvalidIdentifier:
        return False
    return True


def needs_purpose(operation: str, subjects: list[str]) -> bool:
    """Questions about a natural person must state why they are asked."""
    return operation in ABOUT_PERSONS or any(is_person(s) for s in subjects)


def mask_name(name: str) -> str:
    """A person's name as masked roles see it: the family name and one mark per character.

    >>> mask_name("周明"), mask_name("欧阳娜娜"), mask_name("Li Lei")
    ('周*', '欧***', 'L*****')
    """
    name = name.strip()
    return name[:1] + "*" * (len(name) - 1) if name else name


def present(role: Role, document: Any, as_of: date | None = None) -> Any:
    """``document`` (an answer as JSON data) as ``role`` may see it; None when the role may
    not see it at all (a record that is not public, a person's own profile for ``public``)."""
    if role in FULL_NAMES:
        return document
    public = role is P
    if public and isinstance(document, dict):
        one_record = "kind" in document and "subject_id" in document
        if one_record and not record_visible(role, document, as_of):
            return None
        entity = document.get("entity")
        if isinstance(entity, dict) and entity.get("label") == PERSON:
            return None
    return _mask(document, public=public, as_of=as_of, aliases={})


def record_visible(role: Role, record: dict[str, Any], as_of: date | None = None) -> bool:
    """Whether ``role`` may see a record (a record document, e.g. ``GET /records/{id}``)."""
    if role is not P:
        return True
    if record.get("kind") not in PUBLIC_RECORDS:
        return False
    return record_in_force(
        record.get("status", "active"),
        _day(record.get("status_since")),
        _day(record.get("valid_from")),
        _day(record.get("valid_to")),
        as_of,
    )


def _day(value: Any) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) and value else None


def _mask(value: Any, *, public: bool, as_of: date | None, aliases: dict[str, str]) -> Any:
    if isinstance(value, list):
        items = [_mask(v, public=public, as_of=as_of, aliases=aliases) for v in value]
        if public:  # record views: only public records in force
            items = [v for v in items if not _hidden_record(v)]
        return items
    if isinstance(value, dict):
        if value.get("label") == PERSON:
            value = {**value, "name": mask_name(str(value.get("name", "")))}
            if "id_hash" in value:
                value["id_hash"] = None
        out = {}
        for k, v in value.items():
            key = _alias(k, aliases) if public and isinstance(k, str) else k
            out[key] = _mask(v, public=public, as_of=as_of, aliases=aliases)
        if public and "records" in out and "record_total" in out:
            out["record_total"] = len(out["records"])
        return out
    if public and isinstance(value, str):
        return _alias(value, aliases)
    return value


def _alias(text: str, aliases: dict[str, str]) -> str:
    """A person id as the public sees it: ``person:*N``, numbered in order of appearance
    within one answer, so the same person is recognisable inside it (three roles of one
    legal representative) but not from one answer to the next."""
    if not text.startswith("person:"):
        return text
    if text not in aliases:
        aliases[text] = f"{MASKED_PERSON}{len(aliases) + 1}"
    return aliases[text]


def _hidden_record(item: Any) -> bool:
    """A record view (``{"record", "in_force"}``) the public may not see."""
    if not (isinstance(item, dict) and "record" in item and "in_force" in item):
        return False
    record = item["record"]
    return not item["in_force"] or not (
        isinstance(record, dict) and record.get("kind") in PUBLIC_RECORDS
    )
