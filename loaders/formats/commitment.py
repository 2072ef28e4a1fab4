"""信用承诺 (credit commitments) in credgraph's own layout: who promised what, to whom, kept?"""

from __future__ import annotations

from graph.records import CreditCommitment, record_id
from graph.vocabulary import Label
from loaders.base import (
    Column,
    Context,
    Parsed,
    Row,
    SourceFormat,
    authority,
    subject,
)
from loaders.items import build

#: 履约状态 -> the value stored as ``fulfilment``.
FULFILMENTS = {
    "履约": "履约",
    "已履约": "履约",
    "未履约": "未履约",
    "履约中": "履约中",
    "失信": "失信",
}

#: 主体类别 -> whether the subject is a natural person.
COLUMNS = (
    Column("name", "承诺主体名称", ("承诺主体", "承诺人名称", "承诺人"), required=True),
    Column("subject_kind", "主体类别", ("承诺主体类别", "主体类型")),
    Column("uscc", "统一社会信用代码", ("承诺主体统一社会信用代码",)),
    Column("id_number", "证件号码", ("身份证号码", "承诺人证件号码")),
    Column("commitment_type", "承诺类型", ("承诺类别",)),
    Column("matter", "承诺事项", ("承诺事项名称",), required=True),
    Column("content", "承诺内容"),
    Column("committed", "承诺日期", ("承诺时间", "作出承诺日期", "签署日期"), required=True),
    Column("authority", "受理部门", ("受理单位", "受理机关", "承诺受理部门"), required=True),
    Column(
        "authority_uscc",
        "受理部门统一社会信用代码",
        ("受理单位统一社会信用代码", "受理机关统一社会信用代码"),
    ),
    Column("fulfilment", "履约状态", ("履约情况", "践诺状态")),
)


def parse(row: Row, ctx: Context) -> Parsed:
    """One commitment: the accepting department, the subject, the CreditCommitment."""
    issuer = authority(row, ctx, "authority", "authority_uscc")
    entity = subject(row, ctx)
    matter = row.required("matter")
    committed = row.date("committed", required=True)
    record = build(
        CreditCommitment,
        id=record_id(Label.CREDIT_COMMITMENT, issuer.name, entity.id, matter, committed),
        subject_id=entity.id,
        issuer_id=issuer.id,
        issuing_authority=issuer.name,
        commitment_type=row.text("commitment_type"),
        matter=matter,
        content=row.text("content"),
        decision_date=committed,
        valid_from=committed,
        fulfilment=row.choice("fulfilment", FULFILMENTS, required=False),
        **ctx.provenance(),
    )
    return Parsed(entities=[issuer, entity], records=[record], primary=("record", record.id))


FORMAT = SourceFormat(
    name="commitment",
    title="信用承诺",
    columns=COLUMNS,
    signature=("commitment_type", "matter"),
    parse=parse,
)
