"""社会组织登记信息 (social organisation registry): the organisation, its legal rep and 负责人."""

from __future__ import annotations

from graph.ids import uscc_category
from graph.model import OrganizationType, Relation, SocialOrganization
from graph.vocabulary import RelType
from loaders.base import Column, Context, Parsed, Row, SourceFormat, person
from loaders.formats.enterprise import contacts, former_names
from loaders.items import build
from loaders.resolve import named_person

#: 社会组织类型 -> organisation type (社会服务机构 is the 2016 Charity Law name of 民办非企业单位).
ORG_TYPES = {
    "社会团体": OrganizationType.SOCIAL_GROUP,
    "民办非企业单位": OrganizationType.PRIVATE_NON_ENTERPRISE,
    "民办非企业单位(法人)": OrganizationType.PRIVATE_NON_ENTERPRISE,
    "社会服务机构": OrganizationType.PRIVATE_NON_ENTERPRISE,
    "基金会": OrganizationType.FOUNDATION,
    "公募基金会": OrganizationType.FOUNDATION,
    "非公募基金会": OrganizationType.FOUNDATION,
}
#: USCC category (GB 32100, 民政) -> organisation type, when the type column is empty.
CATEGORY_TYPES = {
    "社会团体": OrganizationType.SOCIAL_GROUP,
    "民办非企业单位": OrganizationType.PRIVATE_NON_ENTERPRISE,
    "基金会": OrganizationType.FOUNDATION,
}

# 注册资金 is understood but not kept (the model has no field for it). 负责人 names the
# principal (PRINCIPAL_OF), not the legal representative: a file that means its 法定代表人
# must say 法定代表人. The principal's ID column is canonically ``id_number`` so that the
# rejects file masks it as it masks every ID column of that name.
COLUMNS = (
    Column("uscc", "统一社会信用代码", ("社会信用代码",), required=True),
    Column("name", "社会组织名称", ("组织名称", "名称"), required=True),
    Column("org_type", "社会组织类型", ("组织类型",)),
    Column("legal_rep", "法定代表人", ("法定代表人姓名",)),
    Column("legal_rep_id", "法定代表人证件号码", ("法定代表人身份证号码", "法定代表人证件号")),
    Column("registration_authority", "登记管理机关", ("登记机关",)),
    Column("supervising_unit", "业务主管单位", ("业务主管单位名称", "主管单位")),
    Column("established", "成立登记日期", ("成立日期", "成立时间", "登记日期")),
    Column("address", "住所", ("地址", "注册地址", "办公地址")),
    Column("registration_status", "登记状态", ("状态",)),
    Column("phone", "联系电话", ("电话",)),
    Column("registered_capital", "注册资金", ("注册资本", "开办资金")),
    Column("former_names", "曾用名", ("曾用名称", "原名称")),
    Column("principal", "负责人", ("负责人姓名", "主要负责人", "主要负责人姓名")),
    Column(
        "id_number", "负责人证件号码", ("负责人身份证号码", "负责人证件号", "主要负责人证件号码")
    ),
)


def parse(row: Row, ctx: Context) -> Parsed:
    """One registered social organisation, its legal representative, its principal (负责人),
    phone and address. A principal without an ID number is the legal representative when the
    names are the same, else a person known by name in the organisation (see
    ``loaders.resolve.named_person``)."""
    code = row.uscc("uscc", required=True)
    assert code is not None  # required
    org_type = row.choice("org_type", ORG_TYPES, required=False)
    if org_type is None:
        org_type = CATEGORY_TYPES.get(uscc_category(code)[1], OrganizationType.OTHER)
    registrar = row.text("registration_authority")
    name = row.required("name")
    org = build(
        SocialOrganization,
        id=code,
        uscc=code,
        name=name,
        former_names=former_names(row, name),
        org_type=org_type,
        registration_authority=registrar,
        supervising_unit=row.text("supervising_unit"),
        established=row.date("established"),
        address=row.text("address"),
        registration_status=row.text("registration_status"),
        **ctx.provenance(),
    )
    out = Parsed(entities=[org], primary=("entity", org.id))
    rep = person(row, ctx, "legal_rep", "legal_rep_id") if row.text("legal_rep") else None
    principal = row.text("principal")
    chief = None
    if principal is not None and row.text("id_number"):
        chief = person(row, ctx, "principal", "id_number")
    elif principal is not None:
        same = rep is not None and rep.name == principal
        chief = rep if same else named_person(principal, org.id, ctx.key, **ctx.provenance())
    for holder, role in ((rep, RelType.LEGAL_REPRESENTATIVE_OF), (chief, RelType.PRINCIPAL_OF)):
        if holder is None:
            continue
        if all(holder is not e for e in out.entities):
            out.entities.append(holder)
        out.relations.append(
            build(
                Relation,
                type=role,
                source_id=holder.id,
                target_id=org.id,
                authority=registrar,
                **ctx.provenance(),
            )
        )
    points, links = contacts(row, ctx, org.id, authority=registrar)
    out.entities.extend(points)
    out.relations.extend(links)
    return out


FORMAT = SourceFormat(
    name="social_org",
    title="社会组织登记信息",
    columns=COLUMNS,
    signature=("name", "org_type"),
    parse=parse,
)
