"""Scenarios taken from the texts, end to end: source files loaded by the loaders, then the
approval check against the real catalogue, on both stores. Each test names the memorandum or
article its expectation comes from."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest

from graph.ids import citizen_id_check_char, uscc_check_char
from graph.measures import Catalogue, Reach, load_catalogue
from graph.model import make_person
from graph.store.protocol import GraphStore
from graph.vocabulary import RelType
from loaders.pipeline import Loader
from loaders.report import RejectWriter
from queries.check import UNCATALOGUED, Verdict, check
from queries.reach import Tier

KEY = b"law-scenario-key"
TODAY = date(2025, 9, 1)
LISTED = "2024-03-01"

LIST_HEADER = [
    "名单类型",
    "名单名称",
    "主体名称",
    "主体类别",
    "统一社会信用代码",
    "证件号码",
    "列入日期",
    "移出日期",
    "列入事由",
    "认定依据",
    "认定部门",
    "欠缴税款是否缴清",
    "是否提供担保",
]


def uscc(n: int) -> str:
    first = f"9142010{n:02d}MA4K{n:05d}"[:17]
    return first + uscc_check_char(first)


def citizen(n: int) -> str:
    first = f"4201021980{n:02d}0100{n % 10}"[:17]
    return first + citizen_id_check_char(first)


def person_id(name: str, number: str) -> str:
    return make_person(name, number, KEY).id


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return load_catalogue()


def write(path: Path, header: list[str], rows: list[dict[str, str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        out = csv.DictWriter(handle, fieldnames=header)
        out.writeheader()
        out.writerows(rows)
    return path


def load(store: GraphStore, tmp_path: Path, *files: Path) -> None:
    with RejectWriter(tmp_path / "rejects.csv") as rejects:
        summary = Loader(store, KEY, rejects, progress=False, workers=0).load(list(files))
    assert summary.totals.rejected == 0, (tmp_path / "rejects.csv").read_text("utf-8")


def black(name: str, list_name: str, code: str, authority: str, **cells: str) -> dict[str, str]:
    return {
        "名单类型": "黑名单",
        "名单名称": list_name,
        "主体名称": name,
        "主体类别": "法人及非法人组织",
        "统一社会信用代码": code,
        "列入日期": LISTED,
        "列入事由": "测试",
        "认定部门": authority,
        **cells,
    }


@pytest.fixture
def lists(store: GraphStore, tmp_path: Path) -> GraphStore:
    rows = [
        black("武汉安甲化工有限公司", "安全生产严重失信主体名单", uscc(1), "某区应急管理局"),
        black("武汉环乙材料有限公司", "环境保护领域失信生产经营单位", uscc(2), "某区生态环境局"),
        black("武汉未丙贸易有限公司", "某区重点关注失信主体名单", uscc(3), "某区某某局"),
        black(
            "武汉税丁商贸有限公司",
            "重大税收违法失信主体",
            uscc(4),
            "国家税务总局某区税务局",
            **{"欠缴税款是否缴清": "否", "是否提供担保": "否"},
        ),
        black("武汉税戊商贸有限公司", "重大税收违法失信主体", uscc(5), "国家税务总局某区税务局"),
        black(
            "武汉税己商贸有限公司",
            "重大税收违法失信主体",
            uscc(6),
            "国家税务总局某区税务局",
            **{"欠缴税款是否缴清": "是", "是否提供担保": "否"},
        ),
    ]
    load(store, tmp_path, write(tmp_path / "红黑名单.csv", LIST_HEADER, rows))
    return store


def test_a_safety_blacklisted_firm_is_refused_procurement(
    lists: GraphStore, catalogue: Catalogue
) -> None:
    # 发改财金〔2016〕1001号, implementing 国办发〔2015〕20号: 政府采购 limited or barred
    result = check(lists, catalogue, uscc(1), "procurement", as_of=TODAY)
    assert result.verdict is Verdict.RESTRICT
    assert {r.measure.document_number for r in result.reasons if r.measure} == {
        "发改财金〔2016〕1001号"
    }


def test_an_environment_blacklisted_firm_is_refused_subsidies(
    lists: GraphStore, catalogue: Catalogue
) -> None:
    # 发改财金〔2016〕1580号: 限制享受相关优惠政策 (financial support)
    result = check(lists, catalogue, uscc(2), "subsidy", as_of=TODAY)
    assert result.verdict is Verdict.RESTRICT
    assert {r.measure.document_number for r in result.reasons if r.measure} == {
        "发改财金〔2016〕1580号"
    }


def test_an_unrecognised_black_list_gives_review_never_pass(
    lists: GraphStore, catalogue: Catalogue
) -> None:
    # 一处失信，处处受限: an entry with no catalogued measure is reviewed, never waved through
    for matter in ("procurement", "subsidy", "financing"):
        result = check(lists, catalogue, uscc(3), matter, as_of=TODAY)
        assert result.verdict is Verdict.REVIEW
        assert [(r.measure, r.note) for r in result.reasons] == [(None, UNCATALOGUED)]


def test_the_tax_exit_ban_needs_unpaid_tax_and_no_guarantee(
    lists: GraphStore, catalogue: Catalogue
) -> None:
    # 发改财金〔2016〕2798号: 阻止出境 only while tax is unpaid and no guarantee is given
    unpaid = check(lists, catalogue, uscc(4), "travel", as_of=TODAY)
    exit_ban = [r for r in unpaid.reasons if r.measure and r.measure.id == "mtv-exit-ban"]
    assert [r.effect for r in exit_ban] == ["restrict"] and exit_ban[0].missing_facts == []
    unknown = check(lists, catalogue, uscc(5), "travel", as_of=TODAY)
    exit_ban = [r for r in unknown.reasons if r.measure and r.measure.id == "mtv-exit-ban"]
    assert [r.effect for r in exit_ban] == ["review"]
    assert len(exit_ban[0].missing_facts) == 2  # neither fact is in the source
    paid = check(lists, catalogue, uscc(6), "travel", as_of=TODAY)
    assert not [r for r in paid.reasons if r.measure and r.measure.id == "mtv-exit-ban"]
    assert any(i.why.startswith("mtv-exit-ban: condition not met") for i in paid.ignored)


COMPANY, ASSOCIATION = uscc(11), "51420102MJ0A00033N"
FORMER, OWNER, HOLDER = ("李强", citizen(1)), ("王控", citizen(2)), ("吴股", citizen(3))
REP, PRINCIPAL = ("郑法", citizen(4)), ("陈负", citizen(5))
COURT_HEADER = [
    "被执行人姓名/名称",
    "身份证号码/组织机构代码",
    "法定代表人或者负责人姓名",
    "执行法院",
    "省份",
    "执行依据文号",
    "立案时间",
    "案号",
    "做出执行依据单位",
    "生效法律文书确定的义务",
    "被执行人的履行情况",
    "失信被执行人行为具体情形",
    "发布时间",
    "退出日期",
]


def court_row(name: str, code: str, representative: str, case: str) -> dict[str, str]:
    return {
        "被执行人姓名/名称": name,
        "身份证号码/组织机构代码": code,
        "法定代表人或者负责人姓名": representative,
        "执行法院": "某区人民法院",
        "省份": "湖北",
        "执行依据文号": "（2023）鄂0102民初1号",
        "立案时间": "2024-01-05",
        "案号": case,
        "做出执行依据单位": "某区人民法院",
        "生效法律文书确定的义务": "支付货款",
        "被执行人的履行情况": "全部未履行",
        "失信被执行人行为具体情形": "有履行能力而拒不履行生效法律文书确定义务",
        "发布时间": LISTED,
    }


@pytest.fixture
def roles(store: GraphStore, tmp_path: Path) -> GraphStore:
    """A company on the debtor list since 2024-03-01 whose legal representative changed on
    2024-06-01, with a beneficial owner and a 60% shareholder; a listed association with a
    legal representative and a principal."""
    registry = write(
        tmp_path / "企业登记信息.csv",
        [
            "统一社会信用代码",
            "企业名称",
            "企业类型",
            "法定代表人",
            "法定代表人证件号码",
            "成立日期",
            "登记状态",
        ],
        [
            dict(
                zip(
                    [
                        "统一社会信用代码",
                        "企业名称",
                        "企业类型",
                        "法定代表人",
                        "法定代表人证件号码",
                        "成立日期",
                        "登记状态",
                    ],
                    [
                        COMPANY,
                        "武汉债甲建设有限公司",
                        "有限责任公司",
                        *FORMER,
                        "2015-01-01",
                        "存续",
                    ],
                    strict=True,
                )
            )
        ],
    )
    society = [
        "统一社会信用代码",
        "社会组织名称",
        "社会组织类型",
        "法定代表人",
        "法定代表人证件号码",
        "负责人",
        "负责人证件号码",
        "成立登记日期",
        "登记状态",
    ]
    associations = write(
        tmp_path / "社会组织登记信息.csv",
        society,
        [
            dict(
                zip(
                    society,
                    [
                        ASSOCIATION,
                        "某区建筑业协会",
                        "社会团体",
                        *REP,
                        *PRINCIPAL,
                        "2011-03-15",
                        "正常",
                    ],
                    strict=True,
                )
            )
        ],
    )
    owners_header = [
        "统一社会信用代码",
        "企业名称",
        "受益所有人姓名",
        "证件号码",
        "受益所有权类型",
        "持股比例",
        "成为受益所有人日期",
    ]
    owners = write(
        tmp_path / "受益所有人信息.csv",
        owners_header,
        [
            dict(
                zip(
                    owners_header,
                    [COMPANY, "武汉债甲建设有限公司", *OWNER, "控制", "30%", "2018-01-01"],
                    strict=True,
                )
            )
        ],
    )
    holders_header = [
        "统一社会信用代码",
        "股东名称",
        "股东类型",
        "证照/证件类型",
        "证照/证件号码",
        "认缴出资额（万元）",
        "出资比例",
    ]
    holders = write(
        tmp_path / "股东及出资信息.csv",
        holders_header,
        [
            dict(
                zip(
                    holders_header,
                    [COMPANY, HOLDER[0], "自然人股东", "居民身份证", HOLDER[1], "600", "60%"],
                    strict=True,
                )
            )
        ],
    )
    court = write(
        tmp_path / "失信被执行人名单.csv",
        COURT_HEADER,
        [
            court_row("武汉债甲建设有限公司", COMPANY, FORMER[0], "（2024）鄂0102执1号"),
            court_row("某区建筑业协会", ASSOCIATION, PRINCIPAL[0], "（2024）鄂0102执2号"),
        ],
    )
    changes_header = [
        "统一社会信用代码",
        "企业名称",
        "变更事项",
        "变更前内容",
        "变更后内容",
        "变更日期",
    ]
    changes = write(
        tmp_path / "企业变更信息.csv",
        changes_header,
        [
            dict(
                zip(
                    changes_header,
                    [
                        COMPANY,
                        "武汉债甲建设有限公司",
                        "法定代表人变更",
                        FORMER[0],
                        "周新",
                        "2024-06-01",
                    ],
                    strict=True,
                )
            )
        ],
    )
    load(store, tmp_path, registry, associations, owners, holders, court)
    load(store, tmp_path, changes)  # the change is filed after the listing
    return store


def new_rep(store: GraphStore) -> str:
    links = store.links([COMPANY], rel_types=[RelType.LEGAL_REPRESENTATIVE_OF], as_of=TODAY)
    [rel] = links.relations
    assert links.nodes[rel.source_id].name == "周新"
    return rel.source_id


def test_a_former_legal_rep_stays_bound_after_a_change_dated_after_the_listing(
    roles: GraphStore, catalogue: Catalogue
) -> None:
    # 最高人民法院关于限制被执行人高消费及有关消费的若干规定 第三条第二款, and 法发〔2019〕35号
    # 第十七条: the legal representative when the company was listed stays restricted
    result = check(roles, catalogue, person_id(*FORMER), "consumption", as_of=TODAY)
    assert result.verdict is Verdict.RESTRICT
    [reason] = [r for r in result.reasons if r.tier is Tier.BINDING]
    assert reason.reach is Reach.LEGAL_REPRESENTATIVE
    assert reason.since == date.fromisoformat(LISTED) and "35号" in (reason.rule or "")
    assert reason.path[0].valid_to == date(2024, 5, 31)


def test_the_new_legal_rep_is_reached_from_the_change(
    roles: GraphStore, catalogue: Catalogue
) -> None:
    # the same 第三条第二款 binds whoever is the legal representative while the entry stands
    rep = new_rep(roles)
    result = check(roles, catalogue, rep, "consumption", as_of=TODAY)
    assert result.verdict is Verdict.RESTRICT
    [reason] = [r for r in result.reasons if r.tier is Tier.BINDING]
    assert (reason.reach, reason.since) == (Reach.LEGAL_REPRESENTATIVE, date(2024, 6, 1))
    before = check(roles, catalogue, rep, "consumption", as_of=date(2024, 5, 31))
    assert before.verdict is not Verdict.RESTRICT


def test_a_social_organisations_principal_is_bound(roles: GraphStore, catalogue: Catalogue) -> None:
    # 第三条第二款 names the 主要负责人 of a debtor organisation
    result = check(roles, catalogue, person_id(*PRINCIPAL), "consumption", as_of=TODAY)
    assert result.verdict is Verdict.RESTRICT
    assert {r.reach for r in result.reasons if r.tier is Tier.BINDING} == {Reach.PRINCIPAL}


def test_a_beneficial_owner_is_bound_as_actual_controller(
    roles: GraphStore, catalogue: Catalogue
) -> None:
    # 第三条第二款 names the 实际控制人; 受益所有人信息 (控制) is loaded as actual control
    result = check(roles, catalogue, person_id(*OWNER), "consumption", as_of=TODAY)
    assert result.verdict is Verdict.RESTRICT
    assert {r.reach for r in result.reasons if r.tier is Tier.BINDING} == {Reach.ACTUAL_CONTROLLER}


def test_control_inferred_from_a_majority_stake_stays_advisory(
    roles: GraphStore, catalogue: Catalogue
) -> None:
    # only a declared 实际控制人 is named by the rules; a 60% stake alone binds nobody
    result = check(roles, catalogue, person_id(*HOLDER), "consumption", as_of=TODAY)
    assert result.verdict is Verdict.REVIEW
    assert {r.tier for r in result.reasons} == {Tier.ADVISORY}
    assert {r.note for r in result.reasons} == {
        "control inferred from a 60% stake: advisory, binds nobody"
    }
