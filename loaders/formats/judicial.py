"""司法执法人员信用档案 (judicial and law-enforcement staff files): person, unit, one record."""

from __future__ import annotations

from graph.model import (
    OrganizationType,
    Relation,
    ServiceRole,
    SocialOrganization,
    stable_id,
)
from graph.vocabulary import RelType
from loaders.base import Column, Context, Parsed, Row, SourceFormat, person
from loaders.formats.civil_servant import integrity_record, unit
from loaders.items import Item, build

#: 人员类别 -> role in SERVES_IN.
ROLES = {
    "法官": ServiceRole.JUDGE,
    "检察官": ServiceRole.PROSECUTOR,
    "警察": ServiceRole.POLICE,
    "人民警察": ServiceRole.POLICE,
    "民警": ServiceRole.POLICE,
    "律师": ServiceRole.LAWYER,
    "执业律师": ServiceRole.LAWYER,
    "公证员": ServiceRole.NOTARY,
    "法律援助人员": ServiceRole.LEGAL_AID,
    "司法鉴定人员": ServiceRole.FORENSIC_EXAMINER,
    "司法鉴定人": ServiceRole.FORENSIC_EXAMINER,
    "仲裁员": ServiceRole.ARBITRATOR,
    "基层法律服务工作者": ServiceRole.OTHER_JUDICIAL,
}
#: Roles whose unit (court, procuratorate, public security) is a state organ (Authority).
ORGAN_ROLES = frozenset({ServiceRole.JUDGE, ServiceRole.PROSECUTOR, ServiceRole.POLICE})

#: 记录类型 of a judicial staff member's credit file.
RECORD_TYPES = {
    **{
        t: t
        for t in (
            "执业惩戒",
            "行业处分",
            "行政处罚",
            "表彰奖励",
            "投诉举报",
            "违纪违法",
            "年度考核",
            "执业年度考核",
            "诚信记录",
            "其他",
        )
    },
    "表彰": "表彰奖励",
    "奖励": "表彰奖励",
    "投诉": "投诉举报",
    "举报": "投诉举报",
    "投诉处理": "投诉举报",
    "违纪违法处分": "违纪违法",
    "违法违纪处分": "违纪违法",
    "违法违纪": "违纪违法",
}

# 执业证号 (practising certificate number) is understood but not kept: it identifies the
# person, and the graph stores no raw personal identifiers besides the keyed ID hash.
COLUMNS = (
    Column("name", "姓名", ("人员姓名",), required=True),
    Column("id_number", "证件号码", ("身份证号码", "公民身份号码", "身份证号"), required=True),
    Column("category", "人员类别", ("人员类型",), required=True),
    Column("unit", "所在单位", ("工作单位", "执业机构", "执业机构名称")),
    Column(
        "unit_uscc",
        "所在单位统一社会信用代码",
        ("工作单位统一社会信用代码", "执业机构统一社会信用代码"),
    ),
    Column("licence_number", "执业证号", ("执业证号码", "执业证书编号", "执业证编号")),
    Column("post", "职务", ("职位",)),
    Column("record_type", "记录类型", ("档案类型", "信息类别"), required=True),
    Column("content", "记录内容", ("内容", "事项")),
    Column("record_date", "记录日期", ("记录时间", "发生日期"), required=True),
    Column("result", "记录结果", ("结果", "处理结果")),
    Column("source_unit", "记录来源单位", ("来源单位", "数据来源单位"), required=True),
)


def judicial_unit(row: Row, ctx: Context, role: ServiceRole) -> Item | None:
    """The unit: by its USCC (31… law firms are legal-service organisations); without a code,
    an Authority for courts, procuratorates and police, else a legal-service organisation."""
    name = row.text("unit")
    if name is None or row.text("unit_uscc") is not None or role in ORGAN_ROLES:
        return unit(row, ctx, "unit", "unit_uscc")
    org_type = OrganizationType.LEGAL_SERVICE
    return build(
        SocialOrganization,
        id=stable_id("org", name),
        name=name,
        org_type=org_type,
        **ctx.provenance(),
    )


def parse(row: Row, ctx: Context) -> Parsed:
    """One record of a judge, prosecutor, police officer, lawyer ...: unit, person, record."""
    row.required("id_number")
    member = person(row, ctx, "name", "id_number")
    role: ServiceRole = row.choice("category", ROLES)
    out = Parsed(entities=[member])
    employer = judicial_unit(row, ctx, role)
    if employer is not None:
        out.entities.insert(0, employer)
        out.relations.append(
            build(
                Relation,
                type=RelType.SERVES_IN,
                source_id=member.id,
                target_id=employer.id,
                role=role,
                post=row.text("post"),
                **ctx.provenance(),
            )
        )
    record = integrity_record(row, ctx, member, RECORD_TYPES)
    out.records.append(record)
    out.primary = ("record", record.id)
    return out


FORMAT = SourceFormat(
    name="judicial",
    title="司法执法人员信用档案",
    columns=COLUMNS,
    signature=("category", "unit", "record_type"),
    parse=parse,
)
