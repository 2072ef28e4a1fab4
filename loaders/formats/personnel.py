"""主要人员信息 (principal staff: directors, supervisors, managers): one EXECUTIVE_OF per row."""

from __future__ import annotations

from graph.model import Relation
from graph.store.common import identity
from graph.vocabulary import RelType
from loaders.base import Column, Context, Parsed, Row, SourceFormat, person
from loaders.items import build

COLUMNS = (
    Column("uscc", "统一社会信用代码", ("企业统一社会信用代码",), required=True),
    Column("company_name", "企业名称", ("市场主体名称",)),  # understood; the registry names it
    Column("name", "姓名", ("人员姓名",), required=True),
    Column("id_number", "证件号码", ("身份证号码", "身份证号", "证件号")),
    Column("post", "职务", ("职位", "职务名称", "任职职务")),
)


def parse(row: Row, ctx: Context) -> Parsed:
    """One person and the post they hold in the company (no stub for the company)."""
    company = row.uscc("uscc", required=True)
    assert company is not None  # required
    staff = person(row, ctx, "name", "id_number")
    relation = build(
        Relation,
        type=RelType.EXECUTIVE_OF,
        source_id=staff.id,
        target_id=company,
        post=row.text("post"),
        **ctx.provenance(),
    )
    return Parsed(entities=[staff], relations=[relation], primary=("relation", identity(relation)))


FORMAT = SourceFormat(
    name="personnel",
    title="主要人员信息",
    columns=COLUMNS,
    signature=("post", "name", "uscc"),
    parse=parse,
)
