"""行政处罚信息 (双公示 penalty disclosure), new (2019/2021) and old (2016) generations."""

from __future__ import annotations

from graph.model import Relation
from graph.records import AdministrativePenalty, record_id
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
from loaders.items import Item, build

#: 行政相对人类别 -> whether the party is a natural person.
PARTY_KINDS = {"法人及非法人组织": False, "自然人": True, "个体工商户": False}

#: 处罚类别 (Administrative Penalty Law 2021 Art. 9, plus pre-2021 wording).
CATEGORIES = {
    c: c
    for c in [
        "警告",
        "通报批评",
        "罚款",
        "没收违法所得",
        "没收非法财物",
        "没收违法所得、没收非法财物",
        "暂扣许可证件",
        "降低资质等级",
        "吊销许可证件",
        "限制开展生产经营活动",
        "责令停产停业",
        "责令关闭",
        "限制从业",
        "行政拘留",
        "暂扣或者吊销许可证",
        "暂扣或者吊销执照",
        "责令停产停业、责令关闭",
        "其他",
    ]
}

COLUMNS = (
    Column("party_name", "行政相对人名称", required=True),
    Column("party_kind", "行政相对人类别"),
    Column("uscc", "行政相对人代码_1(统一社会信用代码)", ("统一社会信用代码", "行政相对人代码_1")),
    Column(
        "registration_number", "行政相对人代码_2(工商注册号)", ("行政相对人代码_2", "工商注册号")
    ),
    Column("org_code", "行政相对人代码_3(组织机构代码)", ("行政相对人代码_3", "组织机构代码")),
    Column("tax_code", "行政相对人代码_4(税务登记号)", ("行政相对人代码_4",)),
    Column("institution_code", "行政相对人代码_5(事业单位证书号)", ("行政相对人代码_5",)),
    Column("social_org_code", "行政相对人代码_6(社会组织登记证号)", ("行政相对人代码_6",)),
    Column("legal_rep", "法定代表人", ("法定代表人姓名",)),
    Column("legal_rep_id_type", "法定代表人证件类型"),
    Column("legal_rep_id", "法定代表人证件号码"),
    Column("id_type", "证件类型"),
    Column("id_number", "证件号码", ("居民身份证号",)),
    Column("document_number", "行政处罚决定书文号", required=True),
    Column("violation_type", "违法行为类型", ("处罚类别2",)),
    Column("facts", "违法事实", ("处罚事由",)),
    Column("legal_basis", "处罚依据"),
    Column("category", "处罚类别", ("处罚类别1",), required=True),
    Column("content", "处罚内容", ("处罚结果",)),
    Column("fine", "罚款金额(万元)", ("罚款金额",)),
    Column("confiscated", "没收违法所得、没收非法财物的金额(万元)"),
    Column("licence_revoked", "暂扣或吊销证照名称及编号"),
    Column("decision_date", "处罚决定日期", required=True),
    Column("valid_to", "处罚有效期"),
    Column("disclosure_end", "公示截止期"),
    Column("authority", "处罚机关", required=True),
    Column("authority_uscc", "处罚机关统一社会信用代码"),
    Column("reporter", "数据来源单位"),
    Column("reporter_uscc", "数据来源单位统一社会信用代码"),
    Column("remarks", "备注"),
)


def parse(row: Row, ctx: Context) -> Parsed:
    """One penalty: the party (organisation or person), its legal representative, the record."""
    issuer = authority(row, ctx, "authority", "authority_uscc")
    natural = row.choice("party_kind", PARTY_KINDS, required=False)
    code = row.uscc("uscc")
    if natural is None:
        natural = code is None and row.text("id_number") is not None
    out = Parsed(entities=[issuer])
    subject: Item
    if natural:
        subject = person(row, ctx, "party_name", "id_number")
    else:
        subject = organization(
            code,
            row.required("party_name"),
            ctx,
            org_code=row.text("org_code"),
            registration_number=row.text("registration_number"),
        )
        # A representative known only by name is not made a node: namesakes would merge.
        if row.text("legal_rep") and row.text("legal_rep_id"):
            rep = person(row, ctx, "legal_rep", "legal_rep_id")
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
    document = row.required("document_number")
    decided = row.date("decision_date", required=True)
    valid_to = row.date("valid_to") or row.date("disclosure_end")
    if valid_to and decided and valid_to < decided:
        raise RowError(row.header("valid_to"), "ends before the decision date")
    record = build(
        AdministrativePenalty,
        id=record_id(Label.ADMINISTRATIVE_PENALTY, issuer.name, document),
        subject_id=subject.id,
        issuer_id=issuer.id,
        issuing_authority=issuer.name,
        document_number=document,
        decision_date=decided,
        valid_from=decided,
        valid_to=valid_to,
        penalty_category=row.choice("category", CATEGORIES),
        violation_type=row.text("violation_type"),
        content=row.text("content") or row.text("facts"),
        legal_basis=row.text("legal_basis"),
        fine_amount=row.amount("fine"),
        confiscated_amount=row.amount("confiscated"),
        **ctx.provenance(),
    )
    out.records.append(record)
    out.primary = ("record", record.id)
    return out


FORMAT = SourceFormat(
    name="penalty",
    title="行政处罚信息",
    columns=COLUMNS,
    signature=("document_number", "category", "authority"),
    parse=parse,
)
