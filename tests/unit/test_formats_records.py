"""Record formats (licence, court list, red/black lists, commitments): headers, rows, defects."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from pathlib import Path
from types import ModuleType

import pytest

from graph.model import Authority, Enterprise, Person, make_person, stable_id
from graph.records import (
    AdministrativeLicence,
    CreditCommitment,
    ListEntry,
    ListKind,
    ListType,
    RecordStatus,
    record_id,
)
from graph.vocabulary import Label, RelType
from loaders.base import Context, Parsed, Row, RowError
from loaders.formats import commitment, court, licence, lists, penalty
from loaders.resolve import named_person_id
from tests.factories import as_models

KEY = b"test-key"
LOADED = datetime(2026, 11, 26, tzinfo=UTC)
ROOT = Path(__file__).resolve().parents[2]
_CANDIDATES = (ROOT / "tests" / "data" / "samples",)
SAMPLES = next((Path(p) for p in _CANDIDATES if p and Path(p).is_dir()), None)
ENCODINGS = {"失信被执行人名单.csv": "gb18030"}
SAMPLE_OF = {
    penalty: "行政处罚信息.csv",
    licence: "行政许可信息.csv",
    court: "失信被执行人名单.csv",
    lists: "红黑名单.csv",
    commitment: "信用承诺.csv",
}
OURS = (licence, court, lists, commitment)
MARKET = "1142010201100017X0"  # 某区市场监督管理局
COMPANY_A = "91420102MA4K00010N"
COMPANY_B = "91420102MA4K00029K"


def read_sample(name: str) -> list[list[str]]:
    """Header and rows of a sample file (the court list is GB18030)."""
    if SAMPLES is None:
        pytest.skip("sample files not found: set CREDGRAPH_SAMPLES_DIR")
    data = (SAMPLES / name).read_bytes().decode(ENCODINGS.get(name, "utf-8-sig"))
    return list(csv.reader(io.StringIO(data)))


def all_sample_names() -> list[str]:
    """Every sample file, so signatures can be checked against formats not written yet."""
    if SAMPLES is None:
        pytest.skip("sample files not found: set CREDGRAPH_SAMPLES_DIR")
    return sorted(p.name for p in SAMPLES.glob("*.csv"))


def make_row(fmt: ModuleType, header: list[str], values: list[str]) -> Row:
    """A Row as the loader builds it: header positions mapped to canonical names."""
    mapping, _ = fmt.FORMAT.match_headers(header)
    return Row(
        {mapping[i]: v for i, v in enumerate(values) if i in mapping}, fmt.FORMAT.column_map()
    )


def parse_sample(fmt: ModuleType, index: int = 0, /, **changes: str) -> Parsed:
    """Parse data row ``index`` of the format's sample, with cells replaced by header."""
    header, *rows = read_sample(SAMPLE_OF[fmt])
    values = list(rows[index])
    for name, value in changes.items():
        values[header.index(name)] = value
    ctx = Context(KEY, SAMPLE_OF[fmt], index + 2, LOADED)
    parsed: Parsed = as_models(fmt.FORMAT.parse(make_row(fmt, header, values), ctx))
    return parsed


def check_provenance(parsed: Parsed, fmt: ModuleType, row: int) -> None:
    """Every object of a row carries the row's provenance; the primary fact is the record."""
    expected = (SAMPLE_OF[fmt], row, LOADED)
    for item in (*parsed.entities, *parsed.relations, *parsed.records):
        assert (item.source_file, item.source_row, item.loaded_at) == expected
    assert parsed.primary == ("record", parsed.records[0].id)


# --- sample files ---------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", OURS, ids=lambda m: m.FORMAT.name)
def test_sample_header_maps_completely(fmt: ModuleType) -> None:
    header = read_sample(SAMPLE_OF[fmt])[0]
    mapping, unknown = fmt.FORMAT.match_headers(header)
    assert unknown == []
    assert len(mapping) == len(header)
    assert fmt.FORMAT.missing_required(mapping.values()) == []


def test_licence_sample() -> None:
    parsed = parse_sample(licence)
    check_provenance(parsed, licence, 2)
    issuer, company, zhou = parsed.entities
    assert isinstance(issuer, Authority) and (issuer.id, issuer.name) == (
        MARKET,
        "某区市场监督管理局",
    )
    assert isinstance(company, Enterprise) and company.id == COMPANY_B
    assert isinstance(zhou, Person)
    assert zhou.id == make_person("周明", "42010219800101001X", KEY).id
    assert (zhou.name, zhou.id_masked) == ("周明", "420102********001X")
    (rel,) = parsed.relations
    assert (rel.type, rel.source_id, rel.target_id) == (
        RelType.LEGAL_REPRESENTATIVE_OF,
        zhou.id,
        COMPANY_B,
    )
    (record,) = parsed.records
    assert isinstance(record, AdministrativeLicence)
    assert record.id == record_id(
        Label.ADMINISTRATIVE_LICENCE, "某区市场监督管理局", "JY14201020000001"
    )
    assert (record.subject_id, record.issuer_id) == (COMPANY_B, MARKET)
    assert (record.licence_category, record.licence_name) == ("普通", "食品经营许可证")
    assert (record.title, record.content) == ("食品经营许可决定书", "预包装食品销售")
    assert (record.decision_date, record.valid_from, record.valid_to) == (
        date(2024, 2, 1),
        date(2024, 2, 1),
        date(2029, 1, 31),
    )
    assert (record.status, record.status_since) == (RecordStatus.ACTIVE, None)


def test_court_sample_organisation_names_its_representative() -> None:
    parsed = parse_sample(court, 0)
    check_provenance(parsed, court, 2)
    issuer, company, rep = parsed.entities
    assert isinstance(issuer, Authority)
    assert (issuer.id, issuer.uscc) == (stable_id("authority", "某区人民法院"), None)
    assert isinstance(company, Enterprise) and company.id == COMPANY_A
    # known by name only, within the company (loaders.resolve matches it to the registry's)
    assert isinstance(rep, Person) and (rep.name, rep.id_hash) == ("周明", None)
    assert rep.id == named_person_id("周明", COMPANY_A)
    [relation] = parsed.relations
    assert (relation.type, relation.source_id, relation.target_id, relation.authority) == (
        RelType.LEGAL_REPRESENTATIVE_OF,
        rep.id,
        COMPANY_A,
        "某区人民法院",
    )
    (record,) = parsed.records
    assert isinstance(record, ListEntry)
    case = "（2025）鄂0102执123号"
    assert record.id == record_id(Label.LIST_ENTRY, "失信被执行人", case, COMPANY_A)
    assert (record.list_type, record.list_kind, record.list_name) == (
        ListType.BLACK,
        ListKind.DISHONEST_JUDGMENT_DEBTOR,
        "失信被执行人",
    )
    assert (record.document_number, record.legal_basis) == (case, "（2024）鄂0102民初888号")
    assert (record.decision_date, record.valid_from, record.valid_to) == (
        date(2025, 4, 1),
        date(2025, 4, 1),
        None,
    )
    assert record.reason == "有履行能力而拒不履行生效法律文书确定义务"
    assert record.content is not None
    for text in ("支付工程款人民币80万元", "全部未履行", "法定代表人或者负责人姓名：周明"):
        assert text in record.content
    assert record.status is RecordStatus.ACTIVE and record.in_force_on(date(2026, 1, 1))


def test_court_sample_masked_person_has_no_id_hash() -> None:
    parsed = parse_sample(court, 1)
    wu = parsed.entities[1]
    assert isinstance(wu, Person)
    assert (wu.name, wu.id_hash, wu.id_masked) == ("吴芳", None, "4201021985****0026")
    assert wu.id == stable_id("person:unverified", "吴芳", "4201021985****0026")
    assert parsed.records[0].subject_id == wu.id
    assert parsed.records[0].content is not None
    assert "法定代表人" not in parsed.records[0].content


def test_lists_sample() -> None:
    tax = parse_sample(lists, 0)
    check_provenance(tax, lists, 2)
    issuer, company = tax.entities
    assert (issuer.id, company.id) == ("1142010201100025XK", COMPANY_B)
    (entry,) = tax.records
    assert isinstance(entry, ListEntry)
    assert entry.id == record_id(
        Label.LIST_ENTRY, "重大税收违法失信主体", COMPANY_B, date(2025, 9, 10)
    )
    assert (entry.list_type, entry.list_kind) == (ListType.BLACK, ListKind.MAJOR_TAX_VIOLATION)
    assert (entry.reason, entry.valid_from, entry.valid_to) == (
        "虚开增值税专用发票",
        date(2025, 9, 10),
        None,
    )
    assert entry.legal_basis == "《重大税收违法失信主体信息公布管理办法》"

    tourism = parse_sample(lists, 1)
    zheng = tourism.entities[1]
    assert isinstance(zheng, Person) and zheng.id_masked == "420102********0038"
    assert zheng.id == make_person("郑强", "420102197006060038", KEY).id
    (entry,) = tourism.records
    assert isinstance(entry, ListEntry) and entry.list_kind is ListKind.TOURISM_UNCIVILISED
    # Removed before the load date: still active; the validity end stops its effect.
    assert (entry.status, entry.valid_to) == (RecordStatus.ACTIVE, date(2025, 8, 1))
    assert entry.in_force_on(date(2025, 8, 1)) and not entry.in_force_on(date(2025, 8, 2))


def test_commitment_sample() -> None:
    parsed = parse_sample(commitment)
    check_provenance(parsed, commitment, 2)
    issuer, company = parsed.entities
    assert (issuer.id, company.id) == (MARKET, COMPANY_B)
    (record,) = parsed.records
    assert isinstance(record, CreditCommitment)
    matter = "食品经营许可告知承诺"
    day = date(2024, 1, 20)
    assert record.id == record_id(
        Label.CREDIT_COMMITMENT, "某区市场监督管理局", COMPANY_B, matter, day
    )
    assert (record.commitment_type, record.matter, record.fulfilment) == (
        "审批替代型",
        matter,
        "履约",
    )
    assert (record.decision_date, record.valid_from) == (day, day)


# --- header variants --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "header", "names"),
    [
        (
            licence,
            [
                "行政许可决定书文号",
                "项目名称",
                "审批类别",
                "许可截止期",
                "许可机关",
                "法定代表人姓名",
            ],
            ["document_number", "title", "category", "valid_to", "authority", "legal_rep"],
        ),
        (
            licence,
            [
                "行政相对人代码_1（统一社会信用代码）",
                " 许可 类别 ",
                "\ufeff行政相对人名称",
                "统一社会信用代码",
            ],
            ["uscc", "category", "party_name"],  # the second USCC header is not mapped twice
        ),
        (
            licence,
            ["行政相对人代码_2(组织机构代码)", "行政相对人代码_3(工商登记码)", "地方编码"],
            ["org_code", "registration_number", "region_code"],
        ),
        (
            court,
            ["被执行人姓名／名称", "身份证号码/统一社会信用代码", "作出执行依据单位", "发布日期"],
            ["name", "id_number", "basis_unit", "published"],
        ),
        (
            court,
            ["失信被执行人", "法定代表人或负责人姓名", "立案日期", "执行法院 ", "失信行为具体情形"],
            ["name", "legal_rep", "registered", "court", "situation"],
        ),
        (
            lists,
            [
                "列入时间",
                "认定单位",
                "认定单位统一社会信用代码",
                "移出时间",
                "列入原因",
                "主体类型",
            ],
            ["listed", "authority", "authority_uscc", "removed", "reason", "subject_kind"],
        ),
        (
            commitment,
            ["承诺时间", "受理单位", "承诺类别", "履约情况", "承诺人", "身份证号码"],
            ["committed", "authority", "commitment_type", "fulfilment", "name", "id_number"],
        ),
    ],
)
def test_header_variants_map_to_canonical_columns(
    fmt: ModuleType, header: list[str], names: list[str]
) -> None:
    mapping, _ = fmt.FORMAT.match_headers(header)
    assert list(mapping.values()) == names


def test_old_generation_licence_row_parses() -> None:
    header = ["行政相对人名称", "行政相对人代码_1", "行政许可决定书文号", "项目名称", "审批类别"]
    header += ["许可内容", "许可决定日期", "许可截止期", "许可机关", "当前状态", "数据更新时间戳"]
    values = ["武汉某某商贸有限公司", COMPANY_B, "鄂食许〔2016〕8号", "食品流通许可", "其他－备案"]
    values += ["预包装食品", "2016/5/3", "2019年5月2日", "某区食品药品监督管理局", "0", "20160504"]
    parsed = as_models(
        licence.FORMAT.parse(make_row(licence, header, values), Context(KEY, "old.csv", 2, LOADED))
    )
    (record,) = parsed.records
    assert isinstance(record, AdministrativeLicence)
    assert (record.licence_category, record.title, record.status) == (
        "其他-备案",
        "食品流通许可",
        RecordStatus.ACTIVE,
    )
    assert (record.valid_from, record.valid_to) == (date(2016, 5, 3), date(2019, 5, 2))
    assert parsed.entities[0].id == stable_id("authority", "某区食品药品监督管理局")


# --- row semantics ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "status"),
    [
        ("有效", RecordStatus.ACTIVE),
        ("正常", RecordStatus.ACTIVE),
        ("", RecordStatus.ACTIVE),
        ("0", RecordStatus.ACTIVE),
        ("1", RecordStatus.REVOKED),
        ("撤销", RecordStatus.REVOKED),
        ("2", RecordStatus.DISPUTED),
        ("异议", RecordStatus.DISPUTED),
        ("无效", RecordStatus.EXPIRED),
        ("注销", RecordStatus.EXPIRED),
        ("过期", RecordStatus.EXPIRED),
    ],
)
def test_licence_status(value: str, status: RecordStatus) -> None:
    record = parse_sample(licence, 当前状态=value).records[0]
    assert (record.status, record.status_since) == (status, None)


def test_licence_document_number_falls_back_to_licence_number() -> None:
    record = parse_sample(licence, 行政许可决定文书号="").records[0]
    assert record.document_number == "JY14201020000001"


def test_licence_representative_with_a_passport_is_not_a_node() -> None:
    parsed = parse_sample(licence, 法定代表人证件类型="护照", 法定代表人证件号码="E12345678")
    assert [e.id for e in parsed.entities] == [MARKET, COMPANY_B]
    assert parsed.relations == []


def test_licence_natural_person_party() -> None:
    parsed = parse_sample(
        licence,
        行政相对人名称="吴芳",
        行政相对人类别="自然人",
        **{"行政相对人代码_1(统一社会信用代码)": ""},
        证件类型="身份证",
        证件号码="420102198512120026",
    )
    subject = parsed.entities[1]
    assert isinstance(subject, Person) and subject.id_hash is not None
    assert len(parsed.entities) == 2 and parsed.relations == []


def test_court_removed_entry_is_expired_from_its_exit_date() -> None:
    record = parse_sample(court, 1, 退出日期="2025-12-01").records[0]
    assert (record.status, record.status_since, record.valid_to) == (
        RecordStatus.EXPIRED,
        date(2025, 12, 1),
        date(2025, 12, 1),
    )
    assert record.in_force_on(date(2025, 11, 30)) and not record.in_force_on(date(2025, 12, 1))


def test_court_listing_date_falls_back_to_case_registration() -> None:
    record = parse_sample(court, 0, 发布时间="").records[0]
    assert (record.decision_date, record.valid_from) == (date(2025, 1, 6), None)


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("914403001922038216", "914403001922038216"),  # a USCC of digits only
        ("MA4K0001-0", stable_id("org", "MA4K00010")),  # 组织机构代码
        ("42010219800101001X", make_person("周明", "42010219800101001X", KEY).id),
    ],
)
def test_court_debtor_kind_follows_the_code(code: str, expected: str) -> None:
    parsed = parse_sample(court, 0, **{"身份证号码/组织机构代码": code})
    assert parsed.records[0].subject_id == expected


@pytest.mark.parametrize(
    ("name", "listed_as", "kind"),
    [
        ("纳税信用Ａ级纳税人", "红名单", ListKind.TAX_A_GRADE),
        ("诚信典型", "红名单", ListKind.MODEL_TRUSTWORTHY),
        ("严重违法失信企业名单", "黑名单", ListKind.SERIOUS_VIOLATION),
        ("经营异常名录", "黑名单", ListKind.ABNORMAL_OPERATION),
        ("失信被执行人", "黑名单", ListKind.DISHONEST_JUDGMENT_DEBTOR),
        ("某县诚信示范企业", "红名单", ListKind.OTHER_RED),
        ("某县欠薪黑名单", "黑名单", ListKind.OTHER_BLACK),
    ],
)
def test_list_kinds(name: str, listed_as: str, kind: ListKind) -> None:
    record = parse_sample(lists, 0, 名单名称=name, 名单类型=listed_as).records[0]
    assert isinstance(record, ListEntry)
    assert (record.list_kind, record.list_name) == (kind, name)


def test_commitment_by_a_person() -> None:
    parsed = parse_sample(
        commitment, 承诺主体名称="吴芳", 统一社会信用代码="", 证件号码="420102198512120026"
    )
    subject = parsed.entities[1]
    assert isinstance(subject, Person)
    assert subject.id == make_person("吴芳", "420102198512120026", KEY).id


# --- defects ------------------------------------------------------------------------------------

DEFECTS = [
    (licence, 0, {"行政相对人名称": ""}, "行政相对人名称", "missing required field"),
    (
        licence,
        0,
        {"行政许可决定文书号": "", "许可编号": ""},
        "行政许可决定文书号",
        "missing required field",
    ),
    (licence, 0, {"许可决定日期": "二〇二四年二月一日"}, "许可决定日期", "unparseable date"),
    (licence, 0, {"有效期至": "2024-02-30"}, "有效期至", "day is out of range"),
    (licence, 0, {"有效期至": "2023-01-31"}, "有效期至", "ends before the validity start"),
    (licence, 0, {"许可类别": "未知类别"}, "许可类别", "unknown category '未知类别'"),
    (licence, 0, {"当前状态": "3"}, "当前状态", "unknown category '3'"),
    (licence, 0, {"行政相对人类别": "外国人"}, "行政相对人类别", "unknown category"),
    (
        licence,
        0,
        {"行政相对人代码_1(统一社会信用代码)": "91420102MA4K00029L"},
        "行政相对人代码_1(统一社会信用代码)",
        "check digit is L, expected K",
    ),
    (
        licence,
        0,
        {"许可机关统一社会信用代码": "1142010201100017X1"},
        "许可机关统一社会信用代码",
        "check digit",
    ),
    (
        licence,
        0,
        {"法定代表人证件号码": "420102198001010011"},
        "法定代表人证件号码",
        "check digit is 1, expected X",
    ),
    (court, 0, {"案号": ""}, "案号", "missing required field"),
    (court, 0, {"执行法院": ""}, "执行法院", "missing required field"),
    (court, 0, {"身份证号码/组织机构代码": ""}, "身份证号码/组织机构代码", "missing required"),
    (court, 0, {"发布时间": "", "立案时间": ""}, "发布时间", "missing required field"),
    (court, 0, {"发布时间": "2025-04-xx"}, "发布时间", "unparseable date"),
    (court, 0, {"退出日期": "2025-03-01"}, "退出日期", "before the listing date"),
    (
        court,
        0,
        {"身份证号码/组织机构代码": "91420102MA4K00010M"},
        "身份证号码/组织机构代码",
        "check digit is M, expected N",
    ),
    (court, 0, {"身份证号码/组织机构代码": "MA4K0001-9"}, "身份证号码/组织机构代码", "expected 0"),
    (
        court,
        1,
        {"身份证号码/组织机构代码": "420102198512120027"},
        "身份证号码/组织机构代码",
        "check digit is 7, expected 6",
    ),
    (lists, 0, {"名单类型": "灰名单"}, "名单类型", "unknown category '灰名单'"),
    (lists, 0, {"名单名称": ""}, "名单名称", "missing required field"),
    (lists, 0, {"名单类型": "红名单"}, "名单名称", "is a 黑名单"),
    (lists, 0, {"主体类别": "外星人"}, "主体类别", "unknown category"),
    (lists, 0, {"列入日期": ""}, "列入日期", "missing required field"),
    (lists, 0, {"列入日期": "2025/13/10"}, "列入日期", "month must be in 1..12"),
    (lists, 1, {"移出日期": "2024-07-31"}, "移出日期", "before the listing date"),
    (lists, 0, {"认定部门": ""}, "认定部门", "missing required field"),
    (lists, 0, {"统一社会信用代码": "91420102MA4K00029X"}, "统一社会信用代码", "check digit"),
    (lists, 1, {"证件号码": "420102197006060039"}, "证件号码", "check digit is 9, expected 8"),
    (commitment, 0, {"承诺事项": ""}, "承诺事项", "missing required field"),
    (commitment, 0, {"承诺日期": "去年"}, "承诺日期", "unparseable date"),
    (commitment, 0, {"履约状态": "部分履约"}, "履约状态", "unknown category '部分履约'"),
    (commitment, 0, {"受理部门": ""}, "受理部门", "missing required field"),
    (commitment, 0, {"统一社会信用代码": "91420102MA4K0002"}, "统一社会信用代码", "wrong length"),
    (
        commitment,
        0,
        {"统一社会信用代码": "", "证件号码": "42010219851212002X"},
        "证件号码",
        "check digit is X, expected 6",
    ),
]


@pytest.mark.parametrize(
    ("fmt", "index", "changes", "field", "reason"),
    DEFECTS,
    ids=[f"{d[0].FORMAT.name}-{'+'.join(d[2])}={'+'.join(d[2].values())}" for d in DEFECTS],
)
def test_defects_raise_row_error_naming_the_header(
    fmt: ModuleType, index: int, changes: dict[str, str], field: str, reason: str
) -> None:
    with pytest.raises(RowError) as caught:
        parse_sample(fmt, index, **changes)
    assert caught.value.field == field
    assert reason in caught.value.reason


# --- recognition --------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", list(SAMPLE_OF), ids=lambda m: m.FORMAT.name)
def test_signature_recognises_only_its_own_sample(fmt: ModuleType) -> None:
    signature = set(fmt.FORMAT.signature)
    assert signature <= set(fmt.FORMAT.column_map())
    for name in all_sample_names():
        mapping, _ = fmt.FORMAT.match_headers(read_sample(name)[0])
        recognised = signature <= set(mapping.values())
        assert recognised == (name == SAMPLE_OF[fmt]), name


def test_format_names_are_unique() -> None:
    names = [m.FORMAT.name for m in SAMPLE_OF]
    assert len(set(names)) == len(names)
