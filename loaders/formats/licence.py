"""行政许可信息 (双公示 licence disclosure), new (2019/2021) and old (2016) generations."""

from __future__ import annotations

from graph.model import Relation
from graph.records import AdministrativeLicence, RecordStatus, record_id
from graph.vocabulary import Label, RelType
from loaders.base import (
    Column,
    Context,
    Parsed,
    Row,
    RowError,
    SourceFormat,
    authority,
    normalize_header,
    organization,
    person,
)
from loaders.items import Item, build

#: 行政相对人类别 -> whether the party is a natural person.
PARTY_KINDS = {"法人及非法人组织": False, "自然人": True, "个体工商户": False}

#: 许可类别. "其他" may carry the specific kind after it ("其他-备案"): any value starting
#: with 其他 is accepted as written (see :func:`licence_category`).
CATEGORIES = {c: c for c in ("普通", "特许", "认可", "核准", "登记", "其他")}
OTHER_CATEGORY = "其他"

#: 当前状态 in words -> record status. status_since stays unknown (None): the feeds do not say
#: when a licence was revoked or lapsed.
STATUS_WORDS = {
    "有效": RecordStatus.ACTIVE,
    "正常": RecordStatus.ACTIVE,
    "撤销": RecordStatus.REVOKED,
    "已撤销": RecordStatus.REVOKED,
    "撤回": RecordStatus.REVOKED,
    "吊销": RecordStatus.REVOKED,
    "异议": RecordStatus.DISPUTED,
    "异议中": RecordStatus.DISPUTED,
    "无效": RecordStatus.EXPIRED,
    "失效": RecordStatus.EXPIRED,
    "注销": RecordStatus.EXPIRED,
    "过期": RecordStatus.EXPIRED,
    "已过期": RecordStatus.EXPIRED,
}
#: 当前状态 as a number. Two codings circulate and clash on "1": the one REFERENCE.md §3 cites
#: from an implementation (0 正常 / 1 撤销 / 2 异议 / 3 其他) and an unverified one (1 有效 /
#: 2 无效). This follows the cited coding; "3 其他" is left out on purpose, so such a row is
#: rejected as an unknown category instead of guessed. For a feed with the other coding,
#: rebuild ``STATUSES`` with ``{"1": ACTIVE, "2": EXPIRED}``. An empty 当前状态 means active.
STATUS_CODES = {
    "0": RecordStatus.ACTIVE,
    "1": RecordStatus.REVOKED,
    "2": RecordStatus.DISPUTED,
}
STATUSES = STATUS_WORDS | STATUS_CODES

#: 证件类型 values that mean a citizen ID number (公民身份号码), which can be keyed.
CITIZEN_ID_TYPES = frozenset({"身份证", "居民身份证", "身份证号", "居民身份证号", "身份证号码"})

COLUMNS = (
    Column("party_name", "行政相对人名称", ("相对人名称",), required=True),
    Column("party_kind", "行政相对人类别"),
    Column(
        "uscc",
        "行政相对人代码_1(统一社会信用代码)",
        ("统一社会信用代码", "行政相对人代码_1"),
    ),
    Column(
        "registration_number",
        "行政相对人代码_2(工商注册号)",
        ("行政相对人代码_2", "工商注册号", "行政相对人代码_3(工商登记码)", "工商登记码"),
    ),
    Column(
        "org_code",
        "行政相对人代码_3(组织机构代码)",
        ("行政相对人代码_3", "组织机构代码", "行政相对人代码_2(组织机构代码)"),
    ),
    Column("tax_code", "行政相对人代码_4(税务登记号)", ("行政相对人代码_4", "税务登记号")),
    Column("institution_code", "行政相对人代码_5(事业单位证书号)", ("行政相对人代码_5",)),
    Column("social_org_code", "行政相对人代码_6(社会组织登记证号)", ("行政相对人代码_6",)),
    Column("legal_rep", "法定代表人", ("法定代表人姓名",)),
    Column("legal_rep_id_type", "法定代表人证件类型"),
    Column("legal_rep_id", "法定代表人证件号码"),
    Column("id_type", "证件类型"),
    Column(
        "id_number", "证件号码", ("居民身份证号", "行政相对人代码_5(居民身份证号)", "身份证号码")
    ),
    Column("title", "行政许可决定文书名称", ("项目名称", "许可决定文书名称")),
    Column(
        "document_number",
        "行政许可决定文书号",
        ("行政许可决定书文号", "许可决定文书号", "许可文书号"),
        required=True,
    ),
    Column("category", "许可类别", ("审批类别", "许可类型"), required=True),
    Column("licence_name", "许可证书名称", ("许可证名称",)),
    Column("licence_number", "许可编号", ("许可证编号", "许可证号")),
    Column("content", "许可内容"),
    Column("decision_date", "许可决定日期", ("许可日期", "决定日期"), required=True),
    Column("valid_from", "有效期自", ("许可有效期自", "有效期起")),
    Column("valid_to", "有效期至", ("许可截止期", "许可有效期至", "有效期止", "许可截止日期")),
    Column("authority", "许可机关", ("许可机关名称", "许可部门"), required=True),
    Column("authority_uscc", "许可机关统一社会信用代码", ("许可机关代码",)),
    Column("status", "当前状态"),
    Column("reporter", "数据来源单位"),
    Column("reporter_uscc", "数据来源单位统一社会信用代码"),
    Column("region_code", "地方编码"),
    Column("updated_at", "数据更新时间戳"),
    Column("remarks", "备注"),
)


def licence_category(row: Row) -> str:
    """许可类别 as a known category, or "其他…" as written; anything else is an error."""
    value = normalize_header(row.required("category"))
    if value.startswith(OTHER_CATEGORY):
        return value
    category: str = row.choice("category", CATEGORIES)
    return category


def citizen_id_column(row: Row, type_col: str, id_col: str) -> str | None:
    """``id_col`` when its ID type is empty or a citizen ID; None for passports and the like."""
    id_type = row.text(type_col)
    if id_type is None or normalize_header(id_type) in CITIZEN_ID_TYPES:
        return id_col
    return None


def parse(row: Row, ctx: Context) -> Parsed:
    """One licence: the party (organisation or person), its legal representative, the record."""
    issuer = authority(row, ctx, "authority", "authority_uscc")
    natural = row.choice("party_kind", PARTY_KINDS, required=False)
    code = row.uscc("uscc")
    if natural is None:
        natural = code is None and row.text("id_number") is not None
    out = Parsed(entities=[issuer])
    subject: Item
    if natural:
        subject = person(row, ctx, "party_name", citizen_id_column(row, "id_type", "id_number"))
    else:
        subject = organization(
            code,
            row.required("party_name"),
            ctx,
            org_code=row.text("org_code"),
            registration_number=row.text("registration_number"),
        )
        rep_id = citizen_id_column(row, "legal_rep_id_type", "legal_rep_id")
        # A representative known only by name (or by a passport number) is not made a node:
        # name-only people would merge every namesake into one.
        if row.text("legal_rep") and rep_id and row.text(rep_id):
            rep = person(row, ctx, "legal_rep", rep_id)
            out.entities.append(rep)
            out.relations.append(
                build(
                    Relation,
                    type=RelType.LEGAL_REPRESENTATIVE_OF,
                    source_id=rep.id,
                    target_id=subject.id,
                    **ctx.provenance(),
                )
            )
    out.entities.insert(1, subject)
    document = row.text("document_number") or row.text("licence_number")
    if document is None:
        raise RowError(row.header("document_number"), "missing required field")
    decided = row.date("decision_date", required=True)
    valid_from = row.date("valid_from") or decided
    valid_to = row.date("valid_to")
    if valid_to and valid_from and valid_to < valid_from:
        raise RowError(row.header("valid_to"), "ends before the validity start")
    status = row.choice("status", STATUSES, required=False) or RecordStatus.ACTIVE
    record = build(
        AdministrativeLicence,
        id=record_id(Label.ADMINISTRATIVE_LICENCE, issuer.name, document),
        subject_id=subject.id,
        issuer_id=issuer.id,
        issuing_authority=issuer.name,
        document_number=document,
        title=row.text("title"),
        content=row.text("content"),
        decision_date=decided,
        valid_from=valid_from,
        valid_to=valid_to,
        status=status,
        licence_category=licence_category(row),
        licence_name=row.text("licence_name"),
        licence_number=row.text("licence_number"),
        **ctx.provenance(),
    )
    out.records.append(record)
    out.primary = ("record", record.id)
    return out


FORMAT = SourceFormat(
    name="licence",
    title="行政许可信息",
    columns=COLUMNS,
    signature=("document_number", "category", "authority"),
    parse=parse,
)
