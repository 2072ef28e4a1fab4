"""失信被执行人名单 (the SPC list of dishonest judgment debtors), as published and aggregated."""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from graph.ids import is_masked_id, org_code_check_char
from graph.model import Relation
from graph.records import ListEntry, ListKind, ListType, RecordStatus, record_id
from graph.vocabulary import Label, RelType
from loaders.base import (
    Column,
    Context,
    Parsed,
    Row,
    RowError,
    SourceFormat,
    authority,
    organization,
    person,
)
from loaders.items import Item, build, nfkc
from loaders.resolve import named_person

#: The list's name on every entry (and in its record id).
LIST_NAME = "失信被执行人"

#: Columns whose text goes into the record's content, each labelled with its header. The
#: 法定代表人或者负责人 is also loaded as a person (see ``representative``).
CONTENT_COLUMNS = (
    "duty",
    "performance",
    "performed",
    "unperformed",
    "basis_unit",
    "legal_rep",
)

_TRAILING_BRACKET = re.compile(r"\([^()]*\)$")
#: Cells that say there is nobody (not a name).
NO_NAME = frozenset({"无", "-", "--", "—", "/", "不详", "暂无", "null", "NULL"})
_PERSON = str(Label.PERSON)
_ORG_CODE = re.compile(r"^[0-9A-Z]{8}-?[0-9X]$")
_DIGITS_ID = re.compile(r"^\d{17}[\dX]$|^\d{15}$")

COLUMNS = (
    Column(
        "name",
        "被执行人姓名/名称",
        ("被执行人姓名", "被执行人名称", "被执行人", "失信被执行人姓名/名称", "失信被执行人"),
        required=True,
    ),
    Column(
        "id_number",
        "身份证号码/组织机构代码",
        (
            "身份证号码/统一社会信用代码",
            "身份证号码/组织机构代码/统一社会信用代码",
            "统一社会信用代码/组织机构代码",
            "组织机构代码/身份证号码",
            "证件号码",
            "证件号码/组织机构代码",
        ),
        required=True,
    ),
    Column(
        "legal_rep",
        "法定代表人或者负责人姓名",
        ("法定代表人或负责人姓名", "法定代表人或者负责人", "法定代表人/负责人姓名"),
    ),
    Column("court", "执行法院", ("执行法院名称",), required=True),
    Column("province", "省份", ("所在省份", "地域名称")),
    Column("basis_document", "执行依据文号"),
    Column("registered", "立案时间", ("立案日期",)),
    Column("case_number", "案号", ("执行案号",), required=True),
    Column("basis_unit", "做出执行依据单位", ("作出执行依据单位",)),
    Column("duty", "生效法律文书确定的义务", ("法律生效文书确定的义务",)),
    Column("performance", "被执行人的履行情况", ("被执行人履行情况", "履行情况")),
    Column("performed", "已履行部分"),
    Column("unperformed", "未履行部分"),
    Column(
        "situation",
        "失信被执行人行为具体情形",
        ("失信被执行人具体情形", "失信行为具体情形", "失信情形"),
    ),
    Column("published", "发布时间", ("发布日期",), required=True),
    Column("removed", "退出日期", ("退出时间", "移出日期")),
    Column("gender", "性别"),
    Column("age", "年龄"),
    Column("debtor_type", "失信人类型"),
)


def looks_like_citizen_id(text: str) -> bool:
    """True for a masked ID, or digits whose positions 7-14 (7-12 if 15 long) read as a birth date.

    A USCC can be all digits too (914403001922038216); its positions 7-14 are the end of a
    division code and the start of an org code, which almost never read as a date.

    >>> looks_like_citizen_id("4201021985****0026"), looks_like_citizen_id("42010219851212002X")
    (True, True)
    >>> looks_like_citizen_id("914403001922038216"), looks_like_citizen_id("91420102MA4K00010N")
    (False, False)
    """
    if is_masked_id(text):
        return True
    if not _DIGITS_ID.match(text):
        return False
    born = text[6:14] if len(text) == 18 else "19" + text[6:12]
    try:
        return date(int(born[:4]), int(born[4:6]), int(born[6:])).year >= 1880
    except ValueError:
        return False


def debtor(row: Row, ctx: Context) -> Item:
    """The debtor: a person (full or masked ID), or an organisation (USCC or 组织机构代码)."""
    text = unicodedata.normalize("NFKC", row.required("id_number")).strip().upper()
    name = row.required("name")
    if looks_like_citizen_id(text):
        return person(row, ctx, "name", "id_number")
    if _ORG_CODE.match(text):
        code = text.replace("-", "")
        if code[8] != (expected := org_code_check_char(code[:8])):
            reason = f"组织机构代码 check character is {code[8]}, expected {expected}"
            raise RowError(row.header("id_number"), reason)
        # Linked by the loader to the organisation whose USCC embeds this code, if known.
        return organization(None, name, ctx, org_code=code)
    return organization(row.uscc("id_number", required=True), name, ctx)


def representative_role(name: str) -> RelType:
    """The role of the person who represents an organisation debtor, from its 名称: a company
    (the name ends in 公司, ignoring a trailing bracket) has a 法定代表人; a branch (分公司)
    and every other organisation (个人独资企业, 合伙企业, 个体工商户, 社会组织, 事业单位 …) a
    负责人. The USCC does not decide: 91 covers partnerships and sole proprietorships too.

    >>> representative_role("武汉某某建设工程有限公司（原武汉某某厂）").name
    'LEGAL_REPRESENTATIVE_OF'
    >>> representative_role("某某投资合伙企业(有限合伙)").name
    'PRINCIPAL_OF'
    >>> representative_role("某某有限公司汉口分公司").name
    'PRINCIPAL_OF'
    """
    text = _TRAILING_BRACKET.sub("", nfkc(name).strip()).strip()
    if text.endswith("公司") and not text.endswith("分公司"):
        return RelType.LEGAL_REPRESENTATIVE_OF
    return RelType.PRINCIPAL_OF


def representative(row: Row, ctx: Context, debtor: Item, court: Item) -> tuple[Item, Item] | None:
    """The 法定代表人或者负责人 of an organisation debtor and their relation to it: a person
    known by name only, matched within the organisation by ``loaders.resolve.Resolution``."""
    name = row.text("legal_rep")
    if name is None or debtor["label"] == _PERSON or nfkc(name) in NO_NAME:
        return None
    prov = ctx.provenance()
    rep = named_person(name, debtor["id"], ctx.key, **prov)
    relation = build(
        Relation,
        type=representative_role(debtor["name"]),
        source_id=rep["id"],
        target_id=debtor["id"],
        authority=court["name"],
        **prov,
    )
    return rep, relation


def content(row: Row) -> str | None:
    """The duty, its performance and the other descriptive columns, labelled, in one text."""
    parts = [f"{row.header(col)}：{value}" for col in CONTENT_COLUMNS if (value := row.text(col))]
    return "；".join(parts) or None


def parse(row: Row, ctx: Context) -> Parsed:
    """One list entry: the court (issuer), the debtor (subject), the ListEntry.

    A deleted entry (退出日期 given) is EXPIRED from that day, and its validity ends then. An
    organisation debtor's 法定代表人或者负责人 becomes a person who represents it (a relation
    the list only mentions: created if missing, never overwriting the registry's).
    """
    issuer = authority(row, ctx, "court", None)
    subject = debtor(row, ctx)
    case = row.required("case_number")
    published = row.date("published")
    decided = published or row.date("registered")
    if decided is None:
        raise RowError(row.header("published"), "missing required field")
    removed = row.date("removed")
    if removed and removed < decided:
        raise RowError(row.header("removed"), "before the listing date")
    record = build(
        ListEntry,
        id=record_id(Label.LIST_ENTRY, LIST_NAME, case, subject.id),
        subject_id=subject.id,
        issuer_id=issuer.id,
        issuing_authority=issuer.name,
        list_type=ListType.BLACK,
        list_kind=ListKind.DISHONEST_JUDGMENT_DEBTOR,
        list_name=LIST_NAME,
        document_number=case,
        decision_date=decided,
        valid_from=published,
        valid_to=removed,
        status=RecordStatus.EXPIRED if removed else RecordStatus.ACTIVE,
        status_since=removed,
        reason=row.text("situation"),
        legal_basis=row.text("basis_document"),
        content=content(row),
        **ctx.provenance(),
    )
    out = Parsed(entities=[issuer, subject], records=[record], primary=("record", record.id))
    rep = representative(row, ctx, subject, issuer)
    if rep is not None:
        out.entities.append(rep[0])
        out.relations.append(rep[1])
    return out


FORMAT = SourceFormat(
    name="court",
    title="失信被执行人名单",
    columns=COLUMNS,
    signature=("case_number", "court"),
    parse=parse,
)
