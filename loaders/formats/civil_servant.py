"""公务员诚信档案 (civil servant integrity files): the official, their unit, one record."""

from __future__ import annotations

from collections.abc import Mapping

from graph.model import Relation, ServiceRole
from graph.records import IntegrityRecord, record_id
from graph.vocabulary import Label, RelType
from loaders.base import Column, Context, Parsed, Row, SourceFormat, authority, organization, person
from loaders.items import Item, build

#: 记录类型 of a civil servant's integrity file (values kept as written; synonyms unified).
RECORD_TYPES = {
    **{
        t: t
        for t in (
            "年度考核",
            "平时考核",
            "个人有关事项报告",
            "诚信承诺",
            "诚信记录",
            "失信记录",
            "投诉举报",
            "违纪违法",
            "党纪处分",
            "政务处分",
            "组织处理",
            "表彰奖励",
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

COLUMNS = (
    Column("name", "姓名", ("人员姓名",), required=True),
    Column("id_number", "证件号码", ("身份证号码", "公民身份号码", "身份证号"), required=True),
    Column("employer", "工作单位", ("所在单位", "单位名称")),
    Column(
        "employer_uscc",
        "工作单位统一社会信用代码",
        ("所在单位统一社会信用代码", "单位统一社会信用代码"),
    ),
    Column("post", "职务", ("职位",)),
    Column("record_type", "记录类型", ("档案类型", "信息类别"), required=True),
    Column("content", "记录内容", ("内容", "事项")),
    Column("record_date", "记录日期", ("记录时间", "发生日期"), required=True),
    Column("result", "记录结果", ("结果", "处理结果")),
    Column("source_unit", "记录来源单位", ("来源单位", "数据来源单位"), required=True),
)


def unit(row: Row, ctx: Context, name_col: str, code_col: str) -> Item | None:
    """The unit someone serves in: by its USCC (11… is an Authority), else an Authority by name."""
    if not row.text(name_col):
        row.uscc(code_col)  # a code without a name is still checked
        return None
    code = row.uscc(code_col)
    if code is None:
        return authority(row, ctx, name_col, None)
    return organization(code, row.required(name_col), ctx)


def integrity_record(
    row: Row, ctx: Context, subject: Item, record_types: Mapping[str, str]
) -> Item:
    """The integrity record of a row (record_type, content, record_date, result, source_unit)."""
    source = row.required("source_unit")
    record_type: str = row.choice("record_type", record_types)
    recorded = row.date("record_date", required=True)
    content = row.text("content")
    return build(
        IntegrityRecord,
        id=record_id(Label.INTEGRITY_RECORD, source, subject.id, record_type, recorded, content),
        subject_id=subject.id,
        issuer_id=None,
        issuing_authority=source,
        record_type=record_type,
        content=content,
        result=row.text("result"),
        decision_date=recorded,
        valid_from=recorded,
        **ctx.provenance(),
    )


def parse(row: Row, ctx: Context) -> Parsed:
    """One record of a civil servant: their unit, the person, SERVES_IN, the record."""
    row.required("id_number")
    official = person(row, ctx, "name", "id_number")
    out = Parsed(entities=[official])
    employer = unit(row, ctx, "employer", "employer_uscc")
    if employer is not None:
        out.entities.insert(0, employer)
        out.relations.append(
            build(
                Relation,
                type=RelType.SERVES_IN,
                source_id=official.id,
                target_id=employer.id,
                role=ServiceRole.CIVIL_SERVANT,
                post=row.text("post"),
                **ctx.provenance(),
            )
        )
    record = integrity_record(row, ctx, official, RECORD_TYPES)
    out.records.append(record)
    out.primary = ("record", record.id)
    return out


FORMAT = SourceFormat(
    name="civil_servant",
    title="公务员诚信档案",
    columns=COLUMNS,
    signature=("employer", "post", "record_type"),
    parse=parse,
)
