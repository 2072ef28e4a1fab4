"""受益所有人信息 (beneficial owners): one ACTUAL_CONTROLLER_OF per row, with type and share."""

from __future__ import annotations

from graph.ids import is_masked_id
from graph.model import Relation
from graph.store.common import identity
from graph.vocabulary import RelType
from loaders.base import Column, Context, Parsed, Row, RowError, SourceFormat, person
from loaders.formats.shareholder import parse_ratio
from loaders.items import build, nfkc

# 企业名称 is understood but not used: the registry names the organisation, and a beneficial
# owner of an organisation the graph does not know is rejected (no stub for it).
COLUMNS = (
    Column("uscc", "统一社会信用代码", ("企业统一社会信用代码", "社会信用代码"), required=True),
    Column("company_name", "企业名称", ("市场主体名称", "主体名称")),
    Column("name", "受益所有人姓名", ("受益所有人", "受益所有人名称"), required=True),
    Column(
        "id_number",
        "证件号码",
        ("身份证件号码", "受益所有人证件号码", "身份证号码", "证件号"),
        required=True,
    ),
    Column("kind", "受益所有权类型", ("受益所有权类别", "受益类型", "受益所有人类型")),
    Column("ratio", "持股比例", ("持股比例(%)", "受益所有权比例", "最终持股比例")),
    Column("since", "成为受益所有人日期", ("成为受益所有人时间", "受益起始日期")),
)


def parse(row: Row, ctx: Context) -> Parsed:
    """One beneficial owner: a person known by a full ID number (the keyed person), the
    organisation it controls, 受益所有权类型 as the relation's ``post`` (持股, 控制, 其他),
    持股比例 as its ``ratio`` ("25%", "25" and "0.25" are a quarter) and 成为受益所有人日期 as
    its ``valid_from``."""
    company = row.uscc("uscc", required=True)
    assert company is not None  # required
    number = row.required("id_number")
    if is_masked_id(nfkc(number).strip()):
        raise RowError(row.header("id_number"), "a beneficial owner needs a full ID number")
    owner = person(row, ctx, "name", "id_number")
    text = row.text("ratio")
    try:
        ratio = parse_ratio(text) if text else None
    except ValueError as exc:
        raise RowError(row.header("ratio"), str(exc)) from None
    kind = row.text("kind")
    relation = build(
        Relation,
        type=RelType.ACTUAL_CONTROLLER_OF,
        source_id=owner.id,
        target_id=company,
        post=nfkc(kind) if kind else None,
        ratio=ratio,
        valid_from=row.date("since"),
        **ctx.provenance(),
    )
    return Parsed(entities=[owner], relations=[relation], primary=("relation", identity(relation)))


FORMAT = SourceFormat(
    name="beneficial_owner",
    title="受益所有人信息",
    columns=COLUMNS,
    signature=("name", "id_number", "uscc"),
    parse=parse,
)
