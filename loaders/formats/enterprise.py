"""企业登记信息 (enterprise registry): the enterprise, its legal representative, contacts."""

from __future__ import annotations

import re
import unicodedata

from graph.ids import uscc_entity_kind
from graph.model import (
    ContactKind,
    Enterprise,
    EnterpriseKind,
    Relation,
)
from graph.vocabulary import RelType
from loaders.base import Column, Context, Parsed, Row, RowError, SourceFormat, person
from loaders.items import Item, build, contact_point

#: USCC category (graph.ids.uscc_entity_kind) -> kind of market subject.
CODE_KINDS = {
    "enterprise": EnterpriseKind.COMPANY,
    "sole_trader": EnterpriseKind.SOLE_TRADER,
    "cooperative": EnterpriseKind.COOPERATIVE,
}
#: Words of 企业类型 that name a kind, for codes outside 91/92/93.
TYPE_WORDS = (("个体", EnterpriseKind.SOLE_TRADER), ("合作社", EnterpriseKind.COOPERATIVE))

# 注册资本 and 经营范围 are understood but not kept: the model has no field for them, and
# capital comes in too many currencies and units to parse safely.
COLUMNS = (
    Column("uscc", "统一社会信用代码", ("社会信用代码",), required=True),
    Column("name", "企业名称", ("名称", "企业(机构)名称", "市场主体名称"), required=True),
    Column("enterprise_type", "企业类型", ("类型", "市场主体类型", "企业类型名称")),
    Column("legal_rep", "法定代表人", ("法定代表人姓名", "负责人", "法定代表人/负责人", "经营者")),
    Column("legal_rep_id", "法定代表人证件号码", ("法定代表人身份证号码", "法定代表人证件号")),
    Column("established", "成立日期", ("成立时间", "注册日期")),
    Column("registration_status", "登记状态", ("经营状态", "企业状态")),
    Column("address", "住所", ("注册地址", "地址", "住所(经营场所)", "经营场所", "企业地址")),
    Column("phone", "联系电话", ("电话", "企业联系电话", "联系方式")),
    Column("registration_authority", "登记机关", ("登记机关名称",)),
    Column("registered_capital", "注册资本", ("注册资本(万元)", "注册资金")),
    Column("business_scope", "经营范围"),
    Column("former_names", "曾用名", ("曾用名称", "企业曾用名", "原名称")),
)

_PHONE_SEPARATORS = re.compile(r"[;,、/]")
_NAME_SEPARATORS = re.compile(r"[;、]")


def former_names(row: Row, name: str) -> list[str]:
    """The names in the optional 曾用名 cell (separated by ； ; or 、), once each, without
    the current ``name``.

    >>> row = Row({"former_names": "甲公司；乙公司、甲公司; 丙公司"}, {})
    >>> former_names(row, "丙公司")
    ['甲公司', '乙公司']
    """
    text = row.text("former_names")
    if text is None:
        return []
    parts = (part.strip() for part in _NAME_SEPARATORS.split(text.replace("；", ";")))
    return [part for part in dict.fromkeys(parts) if part and part != name]


def split_phones(text: str) -> list[str]:
    """The numbers in one phone cell (separated by ; , 、 or /), each stripped.

    >>> split_phones("027-80000010；13900000000")
    ['027-80000010', '13900000000']
    """
    parts = _PHONE_SEPARATORS.split(unicodedata.normalize("NFKC", text))
    return [part.strip() for part in parts if part.strip()]


def contacts(
    row: Row, ctx: Context, owner_id: str, *, authority: str | None = None
) -> tuple[list[Item], list[Item]]:
    """The phone(s) and address a row declares for ``owner_id``, and the links to them.

    Reads the columns ``phone`` and ``address`` (both optional); a phone without digits is an
    error.
    """
    prov = ctx.provenance()
    points: list[Item] = []
    links: list[Item] = []
    for raw in split_phones(row.text("phone") or ""):
        try:
            points.append(contact_point(ContactKind.PHONE, raw, **prov))
        except ValueError:
            raise RowError(row.header("phone"), f"no digits in {raw!r}") from None
        links.append(_link(RelType.HAS_PHONE, owner_id, points[-1].id, authority, ctx))
    address = row.text("address")
    if address:
        points.append(contact_point(ContactKind.ADDRESS, address, **prov))
        links.append(_link(RelType.HAS_ADDRESS, owner_id, points[-1].id, authority, ctx))
    return points, links


def _link(type_: RelType, source: str, target: str, authority: str | None, ctx: Context) -> Item:
    return build(
        Relation,
        type=type_,
        source_id=source,
        target_id=target,
        authority=authority,
        **ctx.provenance(),
    )


def kind_of(code: str, enterprise_type: str | None) -> EnterpriseKind:
    """The kind of market subject: from the USCC category, else from the 企业类型 wording.

    >>> kind_of("92440300MA5F2X3K33", None), kind_of("Y1110000MA0000015C", "个体工商户")
    (<EnterpriseKind.SOLE_TRADER: 'sole_trader'>, <EnterpriseKind.SOLE_TRADER: 'sole_trader'>)
    """
    kind = CODE_KINDS.get(uscc_entity_kind(code))
    if kind is not None:
        return kind
    for word, word_kind in TYPE_WORDS:
        if enterprise_type and word in enterprise_type:
            return word_kind
    return EnterpriseKind.OTHER


def parse(row: Row, ctx: Context) -> Parsed:
    """One registered enterprise, its legal representative, its phone(s) and address.

    A row naming another legal representative than the one the graph holds ends the current
    one the day before the load date and starts the named one on it (the format has no
    核准日期 or 变更日期 to date it by); a row naming a holder the graph already has, current
    or ended, changes nothing. ``loaders.resolve.Resolution`` decides this against the store.
    """
    code = row.uscc("uscc", required=True)
    assert code is not None  # required
    enterprise_type = row.text("enterprise_type")
    registrar = row.text("registration_authority")
    name = row.required("name")
    enterprise = build(
        Enterprise,
        id=code,
        uscc=code,
        name=name,
        former_names=former_names(row, name),
        kind=kind_of(code, enterprise_type),
        enterprise_type=enterprise_type,
        established=row.date("established"),
        registration_status=row.text("registration_status"),
        registration_authority=registrar,
        address=row.text("address"),
        **ctx.provenance(),
    )
    out = Parsed(entities=[enterprise], primary=("entity", enterprise.id))
    if row.text("legal_rep"):
        # The legal representative may have changed since 成立日期: valid_from stays unknown.
        rep = person(row, ctx, "legal_rep", "legal_rep_id")
        out.entities.append(rep)
        out.relations.append(
            _link(RelType.LEGAL_REPRESENTATIVE_OF, rep.id, enterprise.id, registrar, ctx)
        )
    points, links = contacts(row, ctx, enterprise.id, authority=registrar)
    out.entities.extend(points)
    out.relations.extend(links)
    return out


FORMAT = SourceFormat(
    name="enterprise",
    title="企业登记信息",
    columns=COLUMNS,
    signature=("name", "registration_status", "uscc"),
    parse=parse,
)
