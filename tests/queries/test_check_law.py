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


__all__ = ["Reach", "Tier", "citizen", "person_id"]
