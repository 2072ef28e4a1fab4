"""红黑名单 (red and black lists) in credgraph's own layout: one entry per row, any list."""

from __future__ import annotations

from graph.records import RED_KINDS, ListEntry, ListKind, ListType, record_id
from graph.vocabulary import Label
from loaders.base import (
    Column,
    Context,
    Parsed,
    Row,
    RowError,
    SourceFormat,
    authority,
    normalize_header,
    subject,
)
from loaders.items import build

#: 名单类型 -> red or black.
LIST_TYPES = {"黑名单": ListType.BLACK, "红名单": ListType.RED}

#: 名单名称 (normalised: half-width, no spaces) -> the kind of list. A name not listed here
#: loads as other_black or other_red, after its 名单类型.
LIST_KINDS = {
    normalize_header(name): kind
    for kind, names in {
        ListKind.SERIOUS_VIOLATION: ("严重违法失信名单", "严重违法失信企业名单"),
        ListKind.MAJOR_TAX_VIOLATION: ("重大税收违法失信主体", "重大税收违法案件当事人"),
        ListKind.ABNORMAL_OPERATION: ("经营异常名录",),
        ListKind.TOURISM_UNCIVILISED: ("旅游不文明行为记录",),
        ListKind.DISHONEST_JUDGMENT_DEBTOR: ("失信被执行人", "失信被执行人名单"),
        ListKind.TAX_A_GRADE: ("纳税信用A级纳税人", "纳税信用A级"),
        ListKind.MODEL_TRUSTWORTHY: ("守信激励对象", "诚信典型"),
    }.items()
    for name in names
}

#: 主体类别 -> whether the subject is a natural person.
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
)


def list_kind(row: Row, list_type: ListType) -> ListKind:
    """The kind of list from its name; it must agree with the 名单类型 (red or black)."""
    name = row.required("list_name")
    kind = LIST_KINDS.get(normalize_header(name))
    if kind is None:
        return ListKind.OTHER_RED if list_type is ListType.RED else ListKind.OTHER_BLACK
    if (kind in RED_KINDS) != (list_type is ListType.RED):
        other = "红名单" if list_type is ListType.BLACK else "黑名单"
        reason = f"{name} is a {other}, but {row.header('list_type')} says otherwise"
        raise RowError(row.header("list_name"), reason)
    return kind


def parse(row: Row, ctx: Context) -> Parsed:
    """One list entry: the deciding department, the subject, the ListEntry.

    The status stays active even when 移出日期 has passed: the entry's validity ends on that
    day, which already ends its effect (``in_force_on`` checks valid_to), and the record
    keeps saying what the list said for any earlier ``as_of``.
    """
    issuer = authority(row, ctx, "authority", "authority_uscc")
    listed_as = row.choice("list_type", LIST_TYPES)
    kind = list_kind(row, listed_as)
    entity = subject(row, ctx)
    listed = row.date("listed", required=True)
    removed = row.date("removed")
    if removed and listed and removed < listed:
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
        **ctx.provenance(),
    )
    return Parsed(entities=[issuer, entity], records=[record], primary=("record", record.id))


FORMAT = SourceFormat(
    name="lists",
    title="红黑名单",
    columns=COLUMNS,
    signature=("list_type", "list_name"),
    parse=parse,
)
