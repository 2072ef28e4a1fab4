"""股东及出资信息 (shareholders and capital contributions): one SHAREHOLDER_OF link per row."""

from __future__ import annotations

import unicodedata

from graph.errors import InvalidInput
from graph.ids import parse_uscc
from graph.model import Relation
from graph.store.common import identity
from graph.vocabulary import RelType
from loaders.base import (
    Column,
    Context,
    Parsed,
    Row,
    RowError,
    SourceFormat,
    is_person_id,
    organization,
    person,
)
from loaders.items import Item, build

#: 股东类型 -> True for a natural person, False for an organisation, None when the type
#: does not say (the number decides).
HOLDER_TYPES: dict[str, bool | None] = {
    **dict.fromkeys(("自然人股东", "自然人", "自然人投资者", "外籍自然人"), True),
    **dict.fromkeys(
        (
            "企业法人",
            "法人股东",
            "法人",
            "非法人组织",
            "事业法人",
            "社团法人",
            "机关法人",
            "合伙企业",
            "农民专业合作社",
            "个体工商户",
            "外国(地区)企业",
            "外商投资企业",
        ),
        False,
    ),
    **dict.fromkeys(("其他", "其他投资者", "其他股东"), None),
}

# 认缴出资额 is in 万元 as the header says; a cell may repeat the unit (600万元).
COLUMNS = (
    Column("uscc", "统一社会信用代码", ("企业统一社会信用代码",), required=True),
    Column("company_name", "企业名称", ("市场主体名称",)),  # understood; the registry names it
    Column(
        "holder_name", "股东名称", ("股东", "股东(发起人)", "股东姓名", "投资人"), required=True
    ),
    Column("holder_type", "股东类型", ("股东(发起人)类型", "投资人类型")),
    Column("id_type", "证照/证件类型", ("证件类型", "证照类型")),
    Column("id_number", "证照/证件号码", ("证件号码", "证照号码", "证照/证件号")),
    Column(
        "subscribed",
        "认缴出资额(万元)",
        ("认缴出资额", "认缴出资(万元)", "认缴出资额(万元人民币)", "认缴额(万元)"),
    ),
    Column("ratio", "出资比例", ("持股比例", "出资比例(%)", "持股比例(%)")),
)


def parse_ratio(text: str) -> float:
    """A share as a fraction: "60%" and "60" are percentages, "0.6" (at most 1) a fraction.

    >>> parse_ratio("60%"), parse_ratio("0.6"), parse_ratio("60"), parse_ratio("100.00％")
    (0.6, 0.6, 0.6, 1.0)
    >>> parse_ratio("120%")
    Traceback (most recent call last):
    ...
    ValueError: ratio over 100%
    """
    cleaned = unicodedata.normalize("NFKC", text).strip()
    percent = cleaned.endswith("%")
    cleaned = cleaned.removesuffix("%").strip()
    try:
        value = float(cleaned)
    except ValueError:
        raise ValueError(f"unparseable ratio {text!r}") from None
    if value < 0 or value != value:
        raise ValueError(f"negative or invalid ratio {text!r}")
    if percent or value > 1:
        value /= 100
    if value > 1:
        raise ValueError("ratio over 100%")
    return value


def _is_uscc(text: str | None) -> bool:
    try:
        return text is not None and bool(parse_uscc(text))
    except InvalidInput:
        return False


def shareholder(row: Row, ctx: Context) -> Item:
    """The shareholder: a person, or an organisation identified by its USCC.

    A declared type decides; 其他 or no type is decided by the number (a valid USCC first,
    since an all-digit USCC also looks like an ID number).
    """
    natural = row.choice("holder_type", HOLDER_TYPES, required=False)
    number = row.text("id_number")
    if natural is None:
        natural = not _is_uscc(number) and is_person_id(number)
    if natural:
        holder = person(row, ctx, "holder_name", "id_number")
        id_type = row.text("id_type")
        return Item(holder, id_type=id_type) if id_type else holder
    if number is None:
        reason = "missing: an organisation shareholder needs its unified social credit code"
        raise RowError(row.header("id_number"), reason)
    return organization(row.uscc("id_number"), row.required("holder_name"), ctx)


def parse(row: Row, ctx: Context) -> Parsed:
    """One shareholding: the shareholder (no stub for the company) and its SHAREHOLDER_OF link."""
    company = row.uscc("uscc", required=True)
    assert company is not None  # required
    holder = shareholder(row, ctx)
    if holder.id == company:
        raise RowError(row.header("id_number"), "a company cannot be its own shareholder")
    text = row.text("ratio")
    try:
        ratio = parse_ratio(text) if text else None
    except ValueError as exc:
        raise RowError(row.header("ratio"), str(exc)) from None
    relation = build(
        Relation,
        type=RelType.SHAREHOLDER_OF,
        source_id=holder.id,
        target_id=company,
        subscribed_amount=row.amount("subscribed"),
        ratio=ratio,
        **ctx.provenance(),
    )
    return Parsed(entities=[holder], relations=[relation], primary=("relation", identity(relation)))


FORMAT = SourceFormat(
    name="shareholder",
    title="股东及出资信息",
    columns=COLUMNS,
    signature=("holder_name", "holder_type"),
    parse=parse,
)
