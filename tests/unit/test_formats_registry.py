"""Registry and integrity-file formats: headers, sample rows, variants, defects, signatures."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from types import ModuleType

import pytest

from graph.ids import person_key, uscc_check_char
from graph.model import (
    Authority,
    ContactKind,
    Enterprise,
    EnterpriseKind,
    OrganizationType,
    Person,
    ServiceRole,
    SocialOrganization,
    contact_point,
    stable_id,
)
from graph.records import IntegrityRecord, record_id
from graph.vocabulary import Label, RelType
from loaders.base import Context, Parsed, Row, RowError, SourceFormat
from loaders.formats import civil_servant, enterprise, judicial, personnel, shareholder, social_org
from tests.factories import as_models

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "tests" / "data" / "samples"
KEY = b"test-key"
CTX = Context(KEY, "sample.csv", 2, datetime(2026, 11, 26, tzinfo=UTC))
COMPANY_A, COMPANY_B = "91420102MA4K00010N", "91420102MA4K00029K"
ZHOU = "person:" + person_key("42010219800101001X", KEY)
WU = "person:" + person_key("420102198512120026", KEY)
ZHENG = "person:" + person_key("420102197006060038", KEY)
LI = "person:" + person_key("420102199203030048", KEY)
ADDRESS_10 = contact_point(ContactKind.ADDRESS, "武汉市某区某路10号").id

FORMATS = {
    "企业登记信息.csv": enterprise.FORMAT,
    "股东及出资信息.csv": shareholder.FORMAT,
    "主要人员信息.csv": personnel.FORMAT,
    "社会组织登记信息.csv": social_org.FORMAT,
    "公务员诚信档案.csv": civil_servant.FORMAT,
    "司法执法人员信用档案.csv": judicial.FORMAT,
}
ALL_SAMPLES = (
    *FORMATS,
    *("行政处罚信息.csv", "行政许可信息.csv", "失信被执行人名单.csv"),
    *("红黑名单.csv", "信用承诺.csv"),
)


def read_sample(file: str) -> list[list[str]]:
    """The sample's lines as cells; skips the test when the shared samples are not there."""
    path = SAMPLES / file
    if not path.exists():
        pytest.skip(f"sample {path} not found (set CREDGRAPH_SAMPLES)")
    encoding = "gb18030" if file == "失信被执行人名单.csv" else "utf-8-sig"
    return list(csv.reader(io.StringIO(path.read_text(encoding))))


def make_row(fmt: SourceFormat, header: Sequence[str], values: Sequence[str]) -> Row:
    mapping, _ = fmt.match_headers(header)
    return Row({mapping[i]: v for i, v in enumerate(values) if i in mapping}, fmt.column_map())


def parse_sample(file: str) -> list[Parsed]:
    header, *rows = read_sample(file)
    fmt = FORMATS[file]
    return [as_models(fmt.parse(make_row(fmt, header, values), CTX)) for values in rows]


def parse_one(fmt: SourceFormat, **cells: str) -> Parsed:
    """One row from ``header=value`` cells (standard or variant headers)."""
    parsed: Parsed = as_models(fmt.parse(make_row(fmt, list(cells), list(cells.values())), CTX))
    return parsed


def integrity(out: Parsed) -> IntegrityRecord:
    (record,) = out.records
    assert isinstance(record, IntegrityRecord)
    return record


def links(out: Parsed) -> list[tuple[str, str, str]]:
    return [(str(r.type), r.source_id, r.target_id) for r in out.relations]


@pytest.mark.parametrize("file", FORMATS)
def test_sample_header_maps_completely(file: str) -> None:
    fmt = FORMATS[file]
    mapping, unknown = fmt.match_headers(read_sample(file)[0])
    assert unknown == []
    assert fmt.missing_required(mapping.values()) == []
    assert len(mapping) == len(read_sample(file)[0])


@pytest.mark.parametrize("file", FORMATS)
def test_signature_recognises_only_its_own_sample(file: str) -> None:
    fmt = FORMATS[file]
    for other in ALL_SAMPLES:
        mapping, _ = fmt.match_headers(read_sample(other)[0])
        recognised = set(fmt.signature) <= set(mapping.values())
        assert recognised == (other == file), other


def test_enterprise_sample() -> None:
    first, second = parse_sample("企业登记信息.csv")
    company, rep, phone, address = first.entities
    assert isinstance(company, Enterprise) and isinstance(rep, Person)
    assert (company.id, company.uscc, company.kind) == (
        COMPANY_A,
        COMPANY_A,
        EnterpriseKind.COMPANY,
    )
    assert company.enterprise_type == "有限责任公司(自然人投资或控股)"
    assert (company.established, company.registration_status) == (date(2016, 5, 20), "存续")
    assert (company.registration_authority, company.address) == (
        "某区市场监督管理局",
        "武汉市某区某路10号",
    )
    assert (rep.id, rep.name, rep.id_masked) == (ZHOU, "周明", "420102********001X")
    assert (phone.id, address.id) == ("phone:02780000010", ADDRESS_10)
    assert links(first) == [
        ("LEGAL_REPRESENTATIVE_OF", ZHOU, COMPANY_A),
        ("HAS_PHONE", COMPANY_A, "phone:02780000010"),
        ("HAS_ADDRESS", COMPANY_A, ADDRESS_10),
    ]
    assert first.relations[0].valid_from is None
    assert first.relations[0].authority == "某区市场监督管理局"
    assert company.source_file == "sample.csv" and first.relations[0].source_row == 2
    assert first.primary == ("entity", COMPANY_A)
    assert [e.id for e in second.entities] == [COMPANY_B, ZHOU, "phone:02780000010", ADDRESS_10]


def test_enterprise_kind_from_code_or_type() -> None:
    sole = "92420102MA4K0001" + "0"
    sole += uscc_check_char(sole)
    out = parse_one(enterprise.FORMAT, 统一社会信用代码=sole, 企业名称="某某小吃店", 联系电话="")
    assert isinstance(out.entities[0], Enterprise)
    assert out.entities[0].kind is EnterpriseKind.SOLE_TRADER
    assert out.relations == [] and len(out.entities) == 1
    assert enterprise.kind_of("Y1110000MA0000015C", "农民专业合作社") is EnterpriseKind.COOPERATIVE


@pytest.mark.parametrize(
    ("text", "ratio"),
    [("60%", 0.6), ("60", 0.6), ("0.6", 0.6), ("１００．００％", 1.0), ("0", 0.0), ("0.5%", 0.005)],
)
def test_ratio_is_a_fraction(text: str, ratio: float) -> None:
    assert shareholder.parse_ratio(text) == pytest.approx(ratio)


def test_several_phones_in_one_cell() -> None:
    out = parse_one(enterprise.FORMAT, **ENTERPRISE, 电话="027-80000010；139 0000 0000")
    assert [e.id for e in out.entities[1:]] == ["phone:02780000010", "phone:13900000000"]
    assert [r.type for r in out.relations] == [RelType.HAS_PHONE, RelType.HAS_PHONE]


def test_shareholder_sample() -> None:
    zhou, wu, firm = parse_sample("股东及出资信息.csv")
    assert [e.id for e in zhou.entities] == [ZHOU]
    assert isinstance(zhou.entities[0], Person) and zhou.entities[0].id_type == "居民身份证"
    (share,) = zhou.relations
    assert (share.type, share.source_id, share.target_id) == (
        RelType.SHAREHOLDER_OF,
        ZHOU,
        COMPANY_A,
    )
    assert (share.subscribed_amount, share.ratio) == (600, 0.6)
    assert zhou.primary == ("relation", ("SHAREHOLDER_OF", ZHOU, COMPANY_A, ""))
    assert (wu.relations[0].source_id, wu.relations[0].ratio) == (WU, 0.4)
    (holder,) = firm.entities
    assert isinstance(holder, Enterprise) and holder.id == COMPANY_A
    assert links(firm) == [("SHAREHOLDER_OF", COMPANY_A, COMPANY_B)]
    assert (firm.relations[0].subscribed_amount, firm.relations[0].ratio) == (1000, 1.0)


def test_shareholder_decided_by_number_when_type_is_other() -> None:
    out = parse_one(
        shareholder.FORMAT,
        统一社会信用代码=COMPANY_B,
        股东名称="华为技术有限公司",
        股东类型="其他",
        证件号码="914403001922038216",
        持股比例="0.25",
    )
    assert isinstance(out.entities[0], Enterprise) and out.entities[0].id == "914403001922038216"
    assert out.relations[0].ratio == 0.25
    person = parse_one(
        shareholder.FORMAT, 统一社会信用代码=COMPANY_B, 股东="吴芳", 证照号码="420102198512120026"
    )
    assert [e.id for e in person.entities] == [WU]


def test_personnel_sample() -> None:
    rows = parse_sample("主要人员信息.csv")
    assert [[e.id for e in out.entities] for out in rows] == [[ZHOU], [WU], [ZHENG]]
    assert [links(out)[0] for out in rows] == [
        ("EXECUTIVE_OF", ZHOU, COMPANY_A),
        ("EXECUTIVE_OF", WU, COMPANY_A),
        ("EXECUTIVE_OF", ZHENG, COMPANY_B),
    ]
    assert [out.relations[0].post for out in rows] == ["执行董事兼总经理", "监事", "经理"]
    assert rows[0].primary == ("relation", ("EXECUTIVE_OF", ZHOU, COMPANY_A, ""))


def test_social_org_sample() -> None:
    (out,) = parse_sample("社会组织登记信息.csv")
    org, rep, address = out.entities
    assert isinstance(org, SocialOrganization) and org.id == "51420102MJ0A00033N"
    assert (org.org_type, org.registration_status) == (OrganizationType.SOCIAL_GROUP, "正常")
    assert (org.registration_authority, org.supervising_unit) == (
        "某区民政局",
        "某区住房和城乡建设局",
    )
    assert (org.established, org.address) == (date(2011, 3, 15), "武汉市某区某路1号")
    assert rep.id == ZHENG
    assert address.id == contact_point(ContactKind.ADDRESS, "武汉市某区某路1号").id
    assert links(out) == [
        ("LEGAL_REPRESENTATIVE_OF", ZHENG, org.id),
        ("HAS_ADDRESS", org.id, address.id),
    ]
    assert out.primary == ("entity", org.id)
    untyped = parse_one(social_org.FORMAT, 统一社会信用代码=org.id, 名称="某区建筑业协会")
    assert isinstance(untyped.entities[0], SocialOrganization)
    assert untyped.entities[0].org_type is OrganizationType.SOCIAL_GROUP  # from the 51 code


def test_civil_servant_sample() -> None:
    first, second = parse_sample("公务员诚信档案.csv")
    unit, official = first.entities
    assert isinstance(unit, Authority) and unit.id == "114201020110005912"
    assert official.id == LI
    (serves,) = first.relations
    assert (serves.type, serves.source_id, serves.target_id) == (RelType.SERVES_IN, LI, unit.id)
    assert (serves.role, serves.post) == (ServiceRole.CIVIL_SERVANT, "科员")
    record = integrity(first)
    assert record.id == record_id(
        Label.INTEGRITY_RECORD,
        "中共某区委组织部",
        LI,
        "年度考核",
        date(2025, 1, 15),
        "2024年度考核",
    )
    assert (record.subject_id, record.issuer_id, record.issuing_authority) == (
        LI,
        None,
        "中共某区委组织部",
    )
    assert (record.record_type, record.content, record.result) == (
        "年度考核",
        "2024年度考核",
        "优秀",
    )
    assert record.decision_date == record.valid_from == date(2025, 1, 15)
    assert first.primary == ("record", record.id)
    assert second.records[0].id != record.id
    assert integrity(second).record_type == "个人有关事项报告"


def test_civil_servant_unit_without_code_is_an_authority_by_name() -> None:
    out = parse_one(
        civil_servant.FORMAT,
        姓名="李华",
        证件号码="420102199203030048",
        所在单位="某区财政局",
        记录类型="表彰",
        记录日期="2025年3月1日",
        来源单位="某区人民政府",
    )
    assert isinstance(out.entities[0], Authority)
    assert out.entities[0].id == stable_id("authority", "某区财政局")
    assert integrity(out).record_type == "表彰奖励"


def test_judicial_sample() -> None:
    (out,) = parse_sample("司法执法人员信用档案.csv")
    firm, lawyer = out.entities
    assert isinstance(firm, SocialOrganization) and firm.id == "31420102MD0A00066T"
    assert firm.org_type is OrganizationType.LEGAL_SERVICE
    assert lawyer.id == ZHENG
    assert links(out) == [("SERVES_IN", ZHENG, firm.id)]
    assert (out.relations[0].role, out.relations[0].post, out.relations[0].key) == (
        ServiceRole.LAWYER,
        None,
        "",
    )
    record = integrity(out)
    assert (record.record_type, record.issuing_authority) == ("执业惩戒", "某区司法局")
    assert record.content == "违规收案收费，给予警告" and record.valid_from == date(2023, 11, 11)
    assert "14201201010000001" not in repr(out)  # 执业证号 is not kept
    assert out.primary == ("record", record.id)


@pytest.mark.parametrize(
    ("category", "unit", "label"),
    [
        ("法官", "某区人民法院", Label.AUTHORITY),
        ("律师", "湖北某某律师事务所", Label.SOCIAL_ORGANIZATION),
    ],
)
def test_judicial_unit_without_code(category: str, unit: str, label: Label) -> None:
    out = parse_one(
        judicial.FORMAT,
        姓名="郑强",
        身份证号码="420102197006060038",
        人员类别=category,
        工作单位=unit,
        记录类型="年度考核",
        记录日期="2025-01-02",
        记录来源单位="某区司法局",
    )
    assert out.entities[0].label is label and out.relations[0].target_id == out.entities[0].id


@pytest.mark.parametrize(
    ("fmt", "variant", "standard"),
    [
        (
            enterprise.FORMAT,
            " 统一社会信用代码 ,名称,类型,法定代表人姓名,法定代表人身份证号码,成立时间,经营状态,"
            "注册地址,电话,登记机关名称",
            "统一社会信用代码,企业名称,企业类型,法定代表人,法定代表人证件号码,成立日期,登记状态,"
            "住所,联系电话,登记机关",
        ),
        (
            shareholder.FORMAT,
            "统一社会信用代码,股东(发起人),股东（发起人）类型,证件类型,证件号码,"
            "认缴出资额 （万元）,持股比例",
            "统一社会信用代码,股东名称,股东类型,证照/证件类型,证照/证件号码,认缴出资额(万元),出资比例",
        ),
        (
            personnel.FORMAT,
            "统一社会信用代码,人员姓名,身份证号码,职位",
            "统一社会信用代码,姓名,证件号码,职务",
        ),
        (
            social_org.FORMAT,
            "统一社会信用代码,组织名称,组织类型,法定代表人姓名,法定代表人证件号码,登记机关,主管单位,"
            "成立日期,地址,登记状态",
            "统一社会信用代码,社会组织名称,社会组织类型,法定代表人,法定代表人证件号码,登记管理机关,"
            "业务主管单位,成立登记日期,住所,登记状态",
        ),
        (
            civil_servant.FORMAT,
            "姓名,身份证号码,所在单位,所在单位统一社会信用代码,职位,记录类型,内容,记录时间,结果,来源单位",
            "姓名,证件号码,工作单位,工作单位统一社会信用代码,职务,记录类型,记录内容,记录日期,"
            "记录结果,记录来源单位",
        ),
        (
            judicial.FORMAT,
            "姓名,证件号码,人员类型,执业机构,执业机构统一社会信用代码,执业证书编号,记录类型,记录内容,"
            "记录时间,来源单位",
            "姓名,证件号码,人员类别,所在单位,所在单位统一社会信用代码,执业证号,记录类型,记录内容,"
            "记录日期,记录来源单位",
        ),
    ],
    ids=["enterprise", "shareholder", "personnel", "social_org", "civil_servant", "judicial"],
)
def test_header_variants_map_to_the_same_columns(
    fmt: SourceFormat, variant: str, standard: str
) -> None:
    mapped, unknown = fmt.match_headers(variant.split(","))
    assert unknown == []
    assert mapped == fmt.match_headers(standard.split(","))[0]


ENTERPRISE = {"统一社会信用代码": COMPANY_A, "企业名称": "武汉某某建设工程有限公司"}
HOLDING = {"统一社会信用代码": COMPANY_A, "股东名称": "周明", "股东类型": "自然人股东"}
HOLDER = {**HOLDING, "证照/证件号码": "42010219800101001X"}
FIRM = {**HOLDING, "股东名称": "某公司", "股东类型": "企业法人"}
STAFF = {"统一社会信用代码": COMPANY_A, "姓名": "周明"}
ORG = {"统一社会信用代码": "51420102MJ0A00033N", "社会组织名称": "某区建筑业协会"}
OFFICIAL = {
    **{"姓名": "李华", "证件号码": "420102199203030048", "记录类型": "年度考核"},
    **{"记录日期": "2025-01-15", "记录来源单位": "中共某区委组织部"},
}
MEMBER = {**OFFICIAL, "人员类别": "律师"}
BAD_ID = "420102198001010010"  # check digit should be X
DEFECTS = [
    (enterprise, {"统一社会信用代码": COMPANY_A}, "企业名称", "missing required field"),
    (enterprise, {**ENTERPRISE, "统一社会信用代码": ""}, "统一社会信用代码", "missing required"),
    (enterprise, {**ENTERPRISE, "成立日期": "2016年5月"}, "成立日期", "unparseable date"),
    (
        enterprise,
        {**ENTERPRISE, "统一社会信用代码": "91420102MA4K00010X"},
        "统一社会信用代码",
        "check digit is X, expected N",
    ),
    (
        enterprise,
        {**ENTERPRISE, "法定代表人": "周明", "法定代表人证件号码": BAD_ID},
        "法定代表人证件号码",
        "check digit is 0, expected X",
    ),
    (enterprise, {**ENTERPRISE, "联系电话": "无"}, "联系电话", "no digits"),
    (shareholder, {**HOLDER, "统一社会信用代码": ""}, "统一社会信用代码", "missing required"),
    (
        shareholder,
        {**HOLDER, "认缴出资额（万元）": "六百"},
        "认缴出资额(万元)",
        "unparseable amount",
    ),
    (shareholder, {**HOLDER, "出资比例": "120%"}, "出资比例", "ratio over 100%"),
    (shareholder, {**HOLDER, "出资比例": "六成"}, "出资比例", "unparseable ratio"),
    (shareholder, {**HOLDER, "股东类型": "外星人"}, "股东类型", "unknown category"),
    (shareholder, {**HOLDING, "证照/证件号码": BAD_ID}, "证照/证件号码", "check digit"),
    (shareholder, FIRM, "证照/证件号码", "needs its unified social credit code"),
    (
        shareholder,
        {**FIRM, "证照/证件号码": "91420102MA4K00029X"},
        "证照/证件号码",
        "check digit is X, expected K",
    ),
    (shareholder, {**FIRM, "证照/证件号码": COMPANY_A}, "证照/证件号码", "own shareholder"),
    (personnel, {**STAFF, "证件号码": "42010219800101001"}, "证件号码", "wrong length"),
    (personnel, {**STAFF, "姓名": ""}, "姓名", "missing required"),
    (social_org, {**ORG, "社会组织类型": "协会"}, "社会组织类型", "unknown category"),
    (social_org, {**ORG, "成立登记日期": "2011-02-30"}, "成立登记日期", "day is out of range"),
    (civil_servant, {**OFFICIAL, "记录日期": ""}, "记录日期", "missing required"),
    (civil_servant, {**OFFICIAL, "记录日期": "去年"}, "记录日期", "unparseable date"),
    (civil_servant, {**OFFICIAL, "证件号码": ""}, "证件号码", "missing required"),
    (civil_servant, {**OFFICIAL, "证件号码": BAD_ID}, "证件号码", "check digit"),
    (civil_servant, {**OFFICIAL, "记录类型": "闲聊"}, "记录类型", "unknown category"),
    (civil_servant, {**OFFICIAL, "记录来源单位": ""}, "记录来源单位", "missing required"),
    (
        civil_servant,
        {**OFFICIAL, "工作单位": "某局", "工作单位统一社会信用代码": "114201020110005913"},
        "工作单位统一社会信用代码",
        "check digit is 3, expected 2",
    ),
    (judicial, {**MEMBER, "人员类别": "保安"}, "人员类别", "unknown category"),
    (judicial, {**MEMBER, "记录类型": "年度考核结果"}, "记录类型", "unknown category"),
    (
        judicial,
        {**MEMBER, "所在单位": "某所", "所在单位统一社会信用代码": "31420102MD0A00066X"},
        "所在单位统一社会信用代码",
        "check digit is X, expected T",
    ),
]


@pytest.mark.parametrize(
    ("module", "cells", "field", "reason"),
    DEFECTS,
    ids=[f"{m.FORMAT.name}-{field}-{reason}" for m, _, field, reason in DEFECTS],
)
def test_defects_name_the_header_and_the_reason(
    module: ModuleType, cells: dict[str, str], field: str, reason: str
) -> None:
    with pytest.raises(RowError) as caught:
        parse_one(module.FORMAT, **cells)
    assert caught.value.field == field
    assert reason in caught.value.reason
