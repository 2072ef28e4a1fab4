"""The graph vocabulary both stores share: node labels, relationship types, endpoint rules."""

from __future__ import annotations

from enum import StrEnum


class Label(StrEnum):
    """Node labels. Every node also has ``Node``; entities ``Entity``; records ``Record``."""

    NODE = "Node"
    ENTITY = "Entity"
    ENTERPRISE = "Enterprise"  # 企业 (incl. 个体工商户, 农民专业合作社)
    SOCIAL_ORGANIZATION = "SocialOrganization"  # 社会组织, 机关, 事业单位
    AUTHORITY = "Authority"  # 部门: issues licences, penalties, list entries
    PERSON = "Person"  # 自然人
    CONTACT_POINT = "ContactPoint"  # shared phone or address
    RECORD = "Record"
    ADMINISTRATIVE_LICENCE = "AdministrativeLicence"  # 行政许可
    ADMINISTRATIVE_PENALTY = "AdministrativePenalty"  # 行政处罚
    LIST_ENTRY = "ListEntry"  # 红黑名单 entry
    CREDIT_COMMITMENT = "CreditCommitment"  # 信用承诺
    INTEGRITY_RECORD = "IntegrityRecord"  # 诚信档案 record (公务员, 司法执法人员)
    ENFORCEMENT_CASE = "EnforcementCase"  # 执行案件


ENTITY_LABELS = frozenset(
    {Label.ENTERPRISE, Label.SOCIAL_ORGANIZATION, Label.AUTHORITY, Label.PERSON}
)
ORGANIZATION_LABELS = frozenset({Label.ENTERPRISE, Label.SOCIAL_ORGANIZATION, Label.AUTHORITY})
RECORD_LABELS = frozenset(
    {
        Label.ADMINISTRATIVE_LICENCE,
        Label.ADMINISTRATIVE_PENALTY,
        Label.LIST_ENTRY,
        Label.CREDIT_COMMITMENT,
        Label.INTEGRITY_RECORD,
        Label.ENFORCEMENT_CASE,
    }
)
NODE_LABELS = ENTITY_LABELS | RECORD_LABELS | {Label.CONTACT_POINT}


def umbrella_labels(label: Label) -> tuple[Label, ...]:
    """All labels a node of ``label`` carries, most general first.

    >>> [str(x) for x in umbrella_labels(Label.PERSON)]
    ['Node', 'Entity', 'Person']
    """
    if label in ENTITY_LABELS:
        return (Label.NODE, Label.ENTITY, label)
    if label in RECORD_LABELS:
        return (Label.NODE, Label.RECORD, label)
    if label is Label.CONTACT_POINT:
        return (Label.NODE, label)
    raise ValueError(f"{label} is not a concrete node label")


class RelType(StrEnum):
    """Relationship types; every relation has valid_from / valid_to and provenance."""

    LEGAL_REPRESENTATIVE_OF = "LEGAL_REPRESENTATIVE_OF"  # 法定代表人
    PRINCIPAL_OF = "PRINCIPAL_OF"  # 主要负责人
    SHAREHOLDER_OF = "SHAREHOLDER_OF"  # 股东 (subscribed_amount, ratio)
    EXECUTIVE_OF = "EXECUTIVE_OF"  # 董事 / 监事 / 高级管理人员 (post)
    ACTUAL_CONTROLLER_OF = "ACTUAL_CONTROLLER_OF"  # 实际控制人
    # 直接责任人员: a person a listing decision names as directly responsible for the
    # organisation's breach; ``key`` is the id of that list entry (it binds for that entry).
    DIRECTLY_RESPONSIBLE_FOR = "DIRECTLY_RESPONSIBLE_FOR"
    # 解除限制: a restriction lifted for a person who has left a named role (a former legal
    # representative shows the court they are neither the actual controller nor directly
    # responsible, 法发〔2019〕35号 第十七条); ``key`` is the list entry, valid_from the day.
    RELEASED_FROM = "RELEASED_FROM"
    BRANCH_OF = "BRANCH_OF"  # 分支机构 -> 总部
    SERVES_IN = "SERVES_IN"  # 公务员 / 司法执法人员 serving in an organisation (role, post)
    HAS_PHONE = "HAS_PHONE"  # 联系电话
    HAS_ADDRESS = "HAS_ADDRESS"  # 住所 / 地址
    POSSIBLY_SAME_AS = "POSSIBLY_SAME_AS"  # entity resolution could not decide (reason)
    CONCERNS = "CONCERNS"  # record -> its subject (行政相对人 / 被执行人 / 名单主体)
    ISSUED_BY = "ISSUED_BY"  # record -> the authority that decided it


#: Relation types between entities (what a neighbourhood shows by default).
ENTITY_REL_TYPES = frozenset(RelType) - {RelType.CONCERNS, RelType.ISSUED_BY}
#: Relation types that the stores create from a record's subject_id / issuer_id.
RECORD_REL_TYPES = frozenset({RelType.CONCERNS, RelType.ISSUED_BY})

_ANY_ORG = ORGANIZATION_LABELS
_ANY_ENTITY = ENTITY_LABELS

#: Which node labels may stand at the source and the target of each entity relation.
ENDPOINTS: dict[RelType, tuple[frozenset[Label], frozenset[Label]]] = {
    RelType.LEGAL_REPRESENTATIVE_OF: (frozenset({Label.PERSON}), _ANY_ORG),
    RelType.PRINCIPAL_OF: (frozenset({Label.PERSON}), _ANY_ORG),
    RelType.SHAREHOLDER_OF: (_ANY_ENTITY, frozenset({Label.ENTERPRISE})),
    RelType.EXECUTIVE_OF: (frozenset({Label.PERSON}), _ANY_ORG),
    RelType.ACTUAL_CONTROLLER_OF: (
        _ANY_ENTITY,
        frozenset({Label.ENTERPRISE, Label.SOCIAL_ORGANIZATION}),
    ),
    RelType.DIRECTLY_RESPONSIBLE_FOR: (frozenset({Label.PERSON}), _ANY_ORG),
    RelType.RELEASED_FROM: (frozenset({Label.PERSON}), _ANY_ORG),
    RelType.BRANCH_OF: (_ANY_ORG, _ANY_ORG),
    RelType.SERVES_IN: (frozenset({Label.PERSON}), _ANY_ORG),
    RelType.HAS_PHONE: (_ANY_ENTITY, frozenset({Label.CONTACT_POINT})),
    RelType.HAS_ADDRESS: (_ANY_ENTITY, frozenset({Label.CONTACT_POINT})),
    RelType.POSSIBLY_SAME_AS: (frozenset({Label.PERSON}), frozenset({Label.PERSON})),
}


def check_label(value: str) -> Label:
    """Return the Label for ``value`` or raise ValueError: the guard before splicing into Cypher.

    >>> check_label("Person")
    <Label.PERSON: 'Person'>
    """
    return Label(value)


def check_rel_type(value: str) -> RelType:
    """Return the RelType for ``value`` or raise ValueError: the guard before splicing.

    >>> check_rel_type("SHAREHOLDER_OF")
    <RelType.SHAREHOLDER_OF: 'SHAREHOLDER_OF'>
    """
    return RelType(value)
