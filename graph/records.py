"""Credit records (信用记录): licences, penalties, list entries, commitments, integrity files."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import Field, TypeAdapter, model_validator

from graph.model import Provenance, stable_id, valid_on
from graph.vocabulary import Label


class RecordStatus(StrEnum):
    """Life-cycle status of a record; only ``active`` records have effect."""

    ACTIVE = "active"  # 有效
    DISPUTED = "disputed"  # 异议处理中: suspended while the objection is handled
    REPAIRED = "repaired"  # 已信用修复
    EXPIRED = "expired"  # 已到期 / 公示期满
    REVOKED = "revoked"  # 已撤销


class ListType(StrEnum):
    """Red list (守信激励) or black list (失信惩戒)."""

    RED = "red"
    BLACK = "black"


class ListKind(StrEnum):
    """Kinds of list whose entries trigger measures; unknown lists load as other_red/other_black."""

    DISHONEST_JUDGMENT_DEBTOR = "dishonest_judgment_debtor"  # 失信被执行人
    SERIOUS_VIOLATION = "serious_violation"  # 严重违法失信名单
    MAJOR_TAX_VIOLATION = "major_tax_violation"  # 重大税收违法失信主体
    ABNORMAL_OPERATION = "abnormal_operation"  # 经营异常名录
    TOURISM_UNCIVILISED = "tourism_uncivilised"  # 旅游不文明行为记录
    SAFETY_PRODUCTION = "safety_production"  # 安全生产严重失信主体 (发改财金〔2016〕1001号)
    ENVIRONMENTAL = "environmental"  # 环境保护领域失信 (发改财金〔2016〕1580号)
    FOOD_DRUG = "food_drug"  # 食品药品生产经营严重失信者 (发改财金〔2016〕1962号)
    CUSTOMS_DISHONEST = "customs_dishonest"  # 海关失信企业
    STATISTICAL = "statistical"  # 统计上严重失信企业 (发改财金〔2017〕1862号)
    LISTED_COMPANY = "listed_company"  # 违法失信上市公司相关责任主体
    FINANCIAL = "financial"  # 涉金融严重失信人
    WAGE_ARREARS = "wage_arrears"  # 拖欠农民工工资失信联合惩戒对象 (发改财金〔2017〕2058号)
    TAX_A_GRADE = "tax_a_grade"  # 纳税信用A级
    MODEL_TRUSTWORTHY = "model_trustworthy"  # 诚信典型 / 守信激励对象
    OTHER_BLACK = "other_black"
    OTHER_RED = "other_red"


RED_KINDS = frozenset({ListKind.TAX_A_GRADE, ListKind.MODEL_TRUSTWORTHY, ListKind.OTHER_RED})


class CreditRecord(Provenance):
    """Fields common to every record: subject, issuer, document, dates, status, provenance."""

    id: str = Field(min_length=1)
    subject_id: str = Field(min_length=1)  # 行政相对人 / 被执行人 / 名单主体
    issuer_id: str | None = None  # the Authority node that decided it
    issuing_authority: str = Field(min_length=1)  # its name as the source gives it
    document_number: str | None = None  # 决定书文号 / 案号
    title: str | None = None
    content: str | None = None
    legal_basis: str | None = None  # 依据
    decision_date: date | None = None
    valid_from: date | None = None
    valid_to: date | None = None  # last day in force (inclusive)
    status: RecordStatus = RecordStatus.ACTIVE
    status_since: date | None = None  # when the current status took effect

    @model_validator(mode="after")
    def _check_dates(self) -> CreditRecord:
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            raise ValueError("valid_to: ends before valid_from")
        return self

    def in_force_on(self, as_of: date | None) -> bool:
        """True when the record has effect on ``as_of`` (see :func:`record_in_force`)."""
        return record_in_force(
            self.status, self.status_since, self.valid_from, self.valid_to, as_of
        )


def record_in_force(
    status: RecordStatus | str,
    status_since: date | None,
    valid_from: date | None,
    valid_to: date | None,
    as_of: date | None,
) -> bool:
    """Whether a record has effect on ``as_of`` (today's state when as_of is None).

    A record is in force inside its validity unless a non-active status (disputed, repaired,
    expired, revoked) had taken effect by then; a status without a date counts from always.

    >>> record_in_force("repaired", date(2025, 6, 1), date(2024, 1, 1), None, date(2025, 5, 31))
    True
    >>> record_in_force("repaired", date(2025, 6, 1), date(2024, 1, 1), None, date(2025, 6, 1))
    False
    """
    if RecordStatus(status) is not RecordStatus.ACTIVE and (
        as_of is None or status_since is None or status_since <= as_of
    ):
        return False
    if as_of is None:
        return valid_to is None or valid_to >= date.today()
    return valid_on(valid_from, valid_to, as_of)


class AdministrativeLicence(CreditRecord):
    """行政许可 (双公示): a licensing decision."""

    kind: Literal[Label.ADMINISTRATIVE_LICENCE] = Label.ADMINISTRATIVE_LICENCE
    licence_category: str | None = None  # 许可类别: 普通, 特许, 认可, 核准, 登记, 其他
    licence_name: str | None = None  # 许可证书名称
    licence_number: str | None = None  # 许可编号


class AdministrativePenalty(CreditRecord):
    """行政处罚 (双公示): a penalty decision."""

    kind: Literal[Label.ADMINISTRATIVE_PENALTY] = Label.ADMINISTRATIVE_PENALTY
    penalty_category: str | None = None  # 处罚类别
    violation_type: str | None = None  # 违法行为类型
    fine_amount: float | None = Field(default=None, ge=0)  # 罚款金额（万元）
    confiscated_amount: float | None = Field(default=None, ge=0)  # 没收金额（万元）


class ListEntry(CreditRecord):
    """An entry on a red or black list (红黑名单), e.g. 失信被执行人 or 纳税信用A级."""

    kind: Literal[Label.LIST_ENTRY] = Label.LIST_ENTRY
    list_type: ListType
    list_kind: ListKind
    list_name: str = Field(min_length=1)  # the list's name as published
    reason: str | None = None  # 列入事由
    # Facts a measure's condition may need (see FACTS); None: the source does not say.
    listing_clause: str | None = None  # 列入条款, e.g. 第五条第一款第（一）项
    tax_unpaid: bool | None = None  # 欠缴税款、滞纳金、罚款尚未缴清
    guarantee_given: bool | None = None  # 已提供纳税担保
    criminal_sentence: bool | None = None  # 因该违法行为被判处刑罚

    @model_validator(mode="after")
    def _check_colour(self) -> ListEntry:
        red = self.list_kind in RED_KINDS
        if red != (self.list_type is ListType.RED):
            raise ValueError(f"list_kind: {self.list_kind} is not a {self.list_type} list")
        return self


#: The facts of a list entry that a measure's condition can test: field -> what it means.
#: A fact the source does not give stays None, and a measure that needs it answers review.
FACTS: dict[str, str] = {
    "listing_clause": "列入条款",
    "tax_unpaid": "欠缴税款、滞纳金、罚款尚未缴清",
    "guarantee_given": "已提供纳税担保",
    "criminal_sentence": "因该违法行为被判处刑罚",
}


class CreditCommitment(CreditRecord):
    """信用承诺: a commitment made to an authority, and whether it was kept."""

    kind: Literal[Label.CREDIT_COMMITMENT] = Label.CREDIT_COMMITMENT
    commitment_type: str | None = None  # 承诺类型: 审批替代型, 信用修复型 ...
    matter: str | None = None  # 承诺事项
    fulfilment: str | None = None  # 履约状态


class IntegrityRecord(CreditRecord):
    """诚信档案 record of a civil servant (公务员) or judicial staff member (司法执法人员)."""

    kind: Literal[Label.INTEGRITY_RECORD] = Label.INTEGRITY_RECORD
    record_type: str = Field(min_length=1)  # 年度考核, 个人有关事项报告, 投诉, 执业惩戒 ...
    result: str | None = None  # 记录结果


class EnforcementCase(CreditRecord):
    """执行案件: a court enforcement case against a judgment debtor."""

    kind: Literal[Label.ENFORCEMENT_CASE] = Label.ENFORCEMENT_CASE
    case_number: str = Field(min_length=1)  # 案号
    court: str | None = None  # 执行法院
    basis_document: str | None = None  # 执行依据文号
    duty: str | None = None  # 生效法律文书确定的义务
    performance: str | None = None  # 履行情况


AnyRecord = Annotated[
    AdministrativeLicence
    | AdministrativePenalty
    | ListEntry
    | CreditCommitment
    | IntegrityRecord
    | EnforcementCase,
    Field(discriminator="kind"),
]
RECORD_ADAPTER: TypeAdapter[
    AdministrativeLicence
    | AdministrativePenalty
    | ListEntry
    | CreditCommitment
    | IntegrityRecord
    | EnforcementCase
] = TypeAdapter(AnyRecord)


def record_id(kind: Label, *natural_key: object) -> str:
    """The id of a record from its natural key, e.g. (authority, document number).

    >>> record_id(Label.ADMINISTRATIVE_PENALTY, "某区市场监督管理局", "某市监处罚〔2025〕101号")[:8]
    'penalty:'
    """
    prefix = {
        Label.ADMINISTRATIVE_LICENCE: "licence",
        Label.ADMINISTRATIVE_PENALTY: "penalty",
        Label.LIST_ENTRY: "list",
        Label.CREDIT_COMMITMENT: "commitment",
        Label.INTEGRITY_RECORD: "integrity",
        Label.ENFORCEMENT_CASE: "case",
    }[kind]
    return stable_id(prefix, *natural_key)
