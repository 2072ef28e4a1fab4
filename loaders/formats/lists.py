"""红黑名单 (red and black lists) in credgraph's own layout: one entry per row, any list."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from graph.errors import InvalidInput
from graph.ids import mask_citizen_ids
from graph.model import Relation
from graph.records import RED_KINDS, ListEntry, ListKind, ListType, record_id
from graph.vocabulary import Label, RelType
from loaders import items
from loaders.base import (
    Column,
    Context,
    Parsed,
    Row,
    RowError,
    SourceFormat,
    authority,
    subject,
)
from loaders.formats.list_facts import facts
from loaders.formats.list_names import LIST_NAMES, UNMAPPED_KINDS
from loaders.items import Item, build

#: 名单类型 -> red or black.
LIST_TYPES = {"黑名单": ListType.BLACK, "红名单": ListType.RED}

COLUMNS = (
    Column("list_type", "名单类型", ("红黑名单类型", "名单类别"), required=True),
    Column("list_name", "名单名称", ("名单种类",), required=True),
    Column("name", "主体名称", ("对象名称", "当事人名称"), required=True),
    Column("subject_kind", "主体类别", ("主体类型",)),
    Column("uscc", "统一社会信用代码", ("主体统一社会信用代码",)),
    Column("id_number", "证件号码", ("身份证号码", "主体证件号码")),
    Column("listed", "列入日期", ("列入时间", "认定日期", "认定时间"), required=True),
    Column("removed", "移出日期", ("移出时间", "有效期至")),
    Column("reason", "列入事由", ("列入原因", "认定事由")),
    Column("legal_basis", "认定依据", ("列入依据",)),
    Column("authority", "认定部门", ("认定单位", "认定机关", "列入部门"), required=True),
    Column(
        "authority_uscc",
        "认定部门统一社会信用代码",
        ("认定单位统一社会信用代码", "认定机关统一社会信用代码"),
    ),
    # facts a measure's condition may test (graph.records.FACTS); all optional
    Column("listing_clause", "列入条款", ("认定条款", "列入依据条款")),
    Column("tax_paid", "欠缴税款是否缴清", ("欠缴税款是否已缴清", "税款是否缴清")),
    Column("tax_unpaid", "是否欠缴税款", ("是否存在欠缴税款",)),
    Column("guarantee_given", "是否提供担保", ("是否提供纳税担保",)),
    Column("criminal_sentence", "是否被判处刑罚", ("是否判处刑罚",)),
    # 直接责任人员 named in the listing decision (organisation subjects only)
    Column(
        "responsible_name", "直接责任人员", ("直接责任人", "直接责任人员姓名", "直接责任人姓名")
    ),
    Column(
        "responsible_id",
        "直接责任人员证件号码",
        ("直接责任人证件号码", "直接责任人员身份证号码", "直接责任人身份证号码"),
    ),
)

_UNMAPPED = frozenset(str(kind) for kind in UNMAPPED_KINDS)


def list_kind(row: Row, list_type: ListType) -> ListKind:
    """The kind of list from its name (and 认定部门 for a shared name, see list_names.yaml);
    it must agree with the 名单类型 (red or black). A name the mapping does not know is
    other_black / other_red, and the load report counts it (see :func:`unrecognised`)."""
    name = row.required("list_name")
    kind = LIST_NAMES.kind(name, row.text("authority"), list_type)
    if kind is None:
        return ListKind.OTHER_RED if list_type is ListType.RED else ListKind.OTHER_BLACK
    if (kind in RED_KINDS) != (list_type is ListType.RED):
        other = "红名单" if list_type is ListType.BLACK else "黑名单"
        reason = f"{name} is a {other}, but {row.header('list_type')} says otherwise"
        raise RowError(row.header("list_name"), reason)
    return kind


def unrecognised(record: Mapping[str, Any]) -> str | None:
    """How the load report names the list of an entry the mapping did not recognise (its
    名单名称; with the 认定部门 for a shared name), else None.

    >>> unrecognised({"kind": "ListEntry", "list_kind": "other_black", "list_name": "灰名单",
    ...               "issuing_authority": "某局"})
    '灰名单'
    """
    if record.get("kind") != Label.LIST_ENTRY or record.get("list_kind") not in _UNMAPPED:
        return None
    name = str(record["list_name"])
    if LIST_NAMES.is_shared(name):
        name = f"{name}（认定部门 {record.get('issuing_authority', '')}）"
    return mask_citizen_ids(name)


_SEPARATORS = re.compile(r"[、;；,，]")


def _split(row: Row, name: str) -> list[str]:
    value = row.text(name)
    if value is None:
        return []
    parts = [part.strip() for part in _SEPARATORS.split(value)]
    if not all(parts):
        raise RowError(row.header(name), "an empty entry between separators (、 or ;)")
    return parts


def responsible(
    row: Row, ctx: Context, entity: Item, entry: Item, valid: tuple[date, date | None]
) -> tuple[list[Item], list[Item]]:
    """The 直接责任人员 of an organisation's entry and their DIRECTLY_RESPONSIBLE_FOR links,
    each keyed by the entry's id (it binds for that entry only), valid while it is listed.

    Several persons are separated by 、 or ; in both columns, their ID numbers (full or
    masked) in the same order; without ID numbers each is known by name only. A person
    subject with such a column, or counts that differ, is an error.
    """
    names, numbers = _split(row, "responsible_name"), _split(row, "responsible_id")
    if not names:
        if numbers:
            raise RowError(row.header("responsible_id"), f"no {row.header('responsible_name')}")
        return [], []
    if entity.get("label") == Label.PERSON:
        reason = "directly responsible persons are named for an organisation subject only"
        raise RowError(row.header("responsible_name"), reason)
    if numbers and len(numbers) != len(names):
        named = f"{len(names)} persons in {row.header('responsible_name')}"
        reason = f"{len(numbers)} ID numbers for {named}"
        raise RowError(row.header("responsible_id"), reason)
    prov = ctx.provenance()
    persons: dict[str, Item] = {}
    ids: list[str | None] = [*numbers] if numbers else [None] * len(names)
    for name, number in zip(names, ids, strict=True):
        try:
            person = items.person(name, number, ctx.key, **prov)
        except InvalidInput as exc:
            header = row.header("responsible_id")
            raise RowError(header, getattr(exc, "reason", str(exc))) from None
        persons.setdefault(person.id, person)
    links = [
        build(
            Relation,
            type=RelType.DIRECTLY_RESPONSIBLE_FOR,
            source_id=person_id,
            target_id=entity.id,
            key=entry.id,
            valid_from=valid[0],
            valid_to=valid[1],
            authority=entry.issuing_authority,
            **prov,
        )
        for person_id in persons
    ]
    return list(persons.values()), links


def parse(row: Row, ctx: Context) -> Parsed:
    """One list entry: the deciding department, the subject, the ListEntry with its facts,
    and the entry's directly responsible persons.

    The status stays active even when 移出日期 has passed: the entry's validity ends on that
    day, which already ends its effect (``in_force_on`` checks valid_to), and the record
    keeps saying what the list said for any earlier ``as_of``.
    """
    issuer = authority(row, ctx, "authority", "authority_uscc")
    listed_as = row.choice("list_type", LIST_TYPES)
    kind = list_kind(row, listed_as)
    entity = subject(row, ctx)
    listed = row.date("listed", required=True)
    assert listed is not None
    removed = row.date("removed")
    if removed and removed < listed:
        raise RowError(row.header("removed"), "before the listing date")
    name = row.required("list_name")
    record = build(
        ListEntry,
        id=record_id(Label.LIST_ENTRY, name, entity.id, listed),
        subject_id=entity.id,
        issuer_id=issuer.id,
        issuing_authority=issuer.name,
        list_type=listed_as,
        list_kind=kind,
        list_name=name,
        decision_date=listed,
        valid_from=listed,
        valid_to=removed,
        reason=row.text("reason"),
        legal_basis=row.text("legal_basis"),
        **facts(row),
        **ctx.provenance(),
    )
    people, links = responsible(row, ctx, entity, record, (listed, removed))
    return Parsed(
        entities=[issuer, entity, *people],
        relations=links,
        records=[record],
        primary=("record", record.id),
    )


FORMAT = SourceFormat(
    name="lists",
    title="红黑名单",
    columns=COLUMNS,
    signature=("list_type", "list_name"),
    parse=parse,
)
