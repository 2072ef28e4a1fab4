"""红黑名单: list kinds from list_names.yaml, the facts conditions test, directly responsible."""

from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from api.cli import _load_text
from graph.model import Person
from graph.records import ListEntry, ListKind
from graph.store.protocol import GraphStore
from graph.vocabulary import RelType
from loaders.base import Context, Row, RowError
from loaders.formats.list_names import (
    LIST_NAMES_FILE,
    UNMAPPED_KINDS,
    ListNamesError,
    load_list_names,
)
from loaders.formats.lists import FORMAT
from loaders.items import stable_id
from tests.factories import as_models
from tests.loaders.conftest import KEY, LoadFn

HEADER = [c.header for c in FORMAT.columns]
COMPANY = "91420102MA4K00029K"  # 武汉某某商贸有限公司 in the sample
ZHOU_ID = "42010219800101001X"
MASKED = "4201021985****0026"
BASE = {
    "名单类型": "黑名单",
    "名单名称": "重大税收违法失信主体",
    "主体名称": "武汉某某商贸有限公司",
    "主体类别": "法人及非法人组织",
    "统一社会信用代码": COMPANY,
    "列入日期": "2025-09-10",
    "认定部门": "国家税务总局某区税务局",
}


def entry(**cells: str) -> dict[str, str]:
    """A row of the standard header: BASE with ``cells`` (keyed by header) over it."""
    return {h: "" for h in HEADER} | BASE | cells


def write(path: Path, *rows: dict[str, str]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=HEADER)
        writer.writeheader()
        writer.writerows(rows)
    return path


def parse(**cells: str) -> dict[str, Any]:
    """The row parsed by the lists format: its items by kind (list entry, persons, links)."""
    by_name = {c.header: c.name for c in FORMAT.columns}
    values = {by_name[h]: v for h, v in entry(**cells).items()}
    ctx = Context(KEY, "红黑名单.csv", 2, "2026-12-03T00:00:00Z")
    parsed = FORMAT.parse(Row(values, FORMAT.column_map()), ctx)
    as_models(parsed)  # every item is exactly its model's stored form
    (record,) = parsed.records
    persons = [e for e in parsed.entities if e.get("label") == "Person"]
    return {"record": record, "persons": persons, "links": parsed.relations}


def rejected_field(**cells: str) -> str:
    with pytest.raises(RowError) as caught:
        parse(**cells)
    return caught.value.field


# the mapping file


def test_the_shipped_mapping_loads_and_every_list_kind_has_names() -> None:
    mapping = load_list_names()
    named = set(mapping.names.values())
    assert named == set(ListKind) - UNMAPPED_KINDS
    assert not named & UNMAPPED_KINDS


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("安全生产严重失信主体名单", ListKind.SAFETY_PRODUCTION),
        ("环境保护领域失信生产经营单位", ListKind.ENVIRONMENTAL),
        ("食品药品生产经营严重失信者", ListKind.FOOD_DRUG),
        ("海关失信企业", ListKind.CUSTOMS_DISHONEST),
        ("统计上严重失信企业", ListKind.STATISTICAL),
        ("违法失信上市公司相关责任主体", ListKind.LISTED_COMPANY),
        ("涉金融严重失信人名单", ListKind.FINANCIAL),
        ("拖欠农民工工资失信联合惩戒对象名单", ListKind.WAGE_ARREARS),
        ("拖欠农民工工资“黑名单”", ListKind.WAGE_ARREARS),  # quote marks dropped
        ("严重违法失信名单", ListKind.SERIOUS_VIOLATION),
        (" 失信被执行人 ", ListKind.DISHONEST_JUDGMENT_DEBTOR),  # spaces dropped
    ],
)
def test_a_published_name_gives_its_kind(name: str, kind: ListKind) -> None:
    assert parse(名单名称=name)["record"]["list_kind"] == kind


@pytest.mark.parametrize(
    ("authority", "kind"),
    [
        ("某区应急管理局", ListKind.SAFETY_PRODUCTION),
        ("某市生态环境局某区分局", ListKind.ENVIRONMENTAL),
        ("某市药品监督管理局", ListKind.FOOD_DRUG),
        ("某区统计局", ListKind.STATISTICAL),
        ("某区人力资源和社会保障局", ListKind.WAGE_ARREARS),
        ("某区市场监督管理局", ListKind.SERIOUS_VIOLATION),
        ("某区档案馆", ListKind.OTHER_BLACK),  # no department word: not told
    ],
)
def test_a_shared_name_is_told_apart_by_its_authority(authority: str, kind: ListKind) -> None:
    assert parse(名单名称="严重失信主体名单", 认定部门=authority)["record"]["list_kind"] == kind


def test_a_red_list_name_on_a_black_row_is_rejected() -> None:
    assert rejected_field(名单名称="纳税信用A级纳税人") == "名单名称"


GOOD_KINDS = {str(k): {"names": [f"名单{k}"]} for k in ListKind if k not in UNMAPPED_KINDS}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"kinds": GOOD_KINDS | {"no_such_kind": {"names": ["x"]}}}, "kinds.no_such_kind"),
        ({"kinds": GOOD_KINDS | {"other_black": {"names": ["x"]}}}, "kinds.other_black"),
        (
            {"kinds": {k: v for k, v in GOOD_KINDS.items() if k != "food_drug"}},
            "no names for food_drug",
        ),
        (
            {"kinds": GOOD_KINDS | {"financial": {"names": ["名单statistical"]}}},
            "is also statistical",
        ),
        ({"kinds": GOOD_KINDS | {"financial": {"names": [" "]}}}, "kinds.financial.names"),
        ({"kinds": GOOD_KINDS | {"financial": {"names": []}}}, "kinds.financial.names"),
        ({"kinds": GOOD_KINDS | {"financial": {"nmaes": ["x"]}}}, "kinds.financial"),
        ({"shared_names": ["名单food_drug"]}, "shared_names"),
        (
            {
                "kinds": GOOD_KINDS
                | {
                    "financial": {"names": ["金融"], "authorities": ["某局"]},
                    "statistical": {"names": ["统计"], "authorities": ["某局"]},
                }
            },
            "authority '某局' is also",
        ),
    ],
)
def test_a_bad_mapping_entry_stops_loading_with_the_entry_named(
    tmp_path: Path, change: dict[str, Any], message: str
) -> None:
    path = tmp_path / "list_names.yaml"
    path.write_text(json.dumps({"kinds": GOOD_KINDS, "shared_names": []} | change), "utf-8")
    with pytest.raises(ListNamesError, match=message):
        load_list_names(path)


def test_the_good_mapping_of_the_bad_entry_test_loads(tmp_path: Path) -> None:
    path = tmp_path / "list_names.yaml"
    path.write_text(json.dumps({"kinds": GOOD_KINDS}), "utf-8")
    assert load_list_names(path).names["名单food_drug"] == ListKind.FOOD_DRUG
    assert LIST_NAMES_FILE.name == "list_names.yaml"


# facts


@pytest.mark.parametrize(
    ("header", "cell", "fact", "value"),
    [
        ("列入条款", "第五条第一款第（一）项", "listing_clause", "5.1.1"),
        ("列入条款", "第5条第1款第1项", "listing_clause", "5.1.1"),
        ("列入条款", "5.1.1", "listing_clause", "5.1.1"),
        ("列入条款", "第十三条第二款", "listing_clause", "13.2"),
        ("欠缴税款是否缴清", "是", "tax_unpaid", False),  # paid: not unpaid
        ("欠缴税款是否缴清", "N", "tax_unpaid", True),
        ("是否欠缴税款", "是", "tax_unpaid", True),
        ("是否欠缴税款", "false", "tax_unpaid", False),
        ("是否提供担保", "1", "guarantee_given", True),
        ("是否提供担保", "否", "guarantee_given", False),
        ("是否被判处刑罚", "Y", "criminal_sentence", True),
        ("是否被判处刑罚", "0", "criminal_sentence", False),
    ],
)
def test_a_fact_column_fills_its_field(header: str, cell: str, fact: str, value: object) -> None:
    record = parse(**{header: cell})["record"]
    assert record[fact] == value


def test_blank_fact_columns_leave_the_facts_unknown() -> None:
    record = parse(列入条款=" ", 是否欠缴税款="", 是否提供担保="", 是否被判处刑罚="")["record"]
    assert ListEntry.model_validate(record).model_dump(include={"listing_clause"}) == {
        "listing_clause": None
    }
    assert not {"listing_clause", "tax_unpaid", "guarantee_given", "criminal_sentence"} & set(
        record
    )


@pytest.mark.parametrize(
    ("header", "cell"),
    [
        ("列入条款", "第五条第一款第（一）目"),
        ("列入条款", "第一二条"),
        ("列入条款", "5.0.1"),
        ("列入条款", "见附件"),
        ("是否欠缴税款", "不详"),
        ("欠缴税款是否缴清", "部分"),
        ("是否提供担保", "2"),
        ("是否被判处刑罚", "有"),
    ],
)
def test_a_bad_fact_is_rejected_naming_its_column(header: str, cell: str) -> None:
    assert rejected_field(**{header: cell}) == header


def test_contradicting_tax_columns_are_rejected() -> None:
    assert rejected_field(欠缴税款是否缴清="是", 是否欠缴税款="是") == "是否欠缴税款"
    assert parse(欠缴税款是否缴清="否", 是否欠缴税款="是")["record"]["tax_unpaid"] is True


# directly responsible persons


def test_directly_responsible_persons_are_keyed_by_the_entry() -> None:
    row = parse(
        直接责任人员="周明、吴芳", 直接责任人员证件号码=f"{ZHOU_ID};{MASKED}", 移出日期="2027-09-09"
    )
    record, persons, links = row["record"], row["persons"], row["links"]
    assert [p["name"] for p in persons] == ["周明", "吴芳"]
    assert persons[0]["id_hash"] and persons[0]["id_masked"] == "420102********001X"
    assert persons[1]["id_masked"] == MASKED and "id_hash" not in persons[1]
    assert ZHOU_ID not in json.dumps(row, ensure_ascii=False)  # never the raw number
    assert [(r["source_id"], r["target_id"], r["key"]) for r in links] == [
        (p["id"], COMPANY, record["id"]) for p in persons
    ]
    assert {(r["type"], r["valid_from"], r["valid_to"]) for r in links} == {
        (RelType.DIRECTLY_RESPONSIBLE_FOR, "2025-09-10", "2027-09-09")
    }


def test_directly_responsible_persons_without_id_numbers_are_known_by_name() -> None:
    persons = parse(直接责任人员="周明")["persons"]
    assert persons[0]["id"] == stable_id("person:unverified", "周明", None)


@pytest.mark.parametrize(
    ("cells", "field"),
    [
        ({"直接责任人员": "周明、吴芳", "直接责任人员证件号码": ZHOU_ID}, "直接责任人员证件号码"),
        ({"直接责任人员证件号码": ZHOU_ID}, "直接责任人员证件号码"),
        ({"直接责任人员": "周明、、吴芳"}, "直接责任人员"),
        (
            {"直接责任人员": "周明", "直接责任人员证件号码": ZHOU_ID[:17] + "9"},
            "直接责任人员证件号码",
        ),
        (
            {
                "主体名称": "郑强",
                "主体类别": "自然人",
                "统一社会信用代码": "",
                "证件号码": "420102197006060038",
                "直接责任人员": "周明",
            },
            "直接责任人员",
        ),
    ],
)
def test_bad_directly_responsible_columns_are_rejected(cells: dict[str, str], field: str) -> None:
    assert rejected_field(**cells) == field


# loading into a store


def test_an_unknown_name_loads_as_other_black_and_is_reported(
    load: LoadFn, store: GraphStore, tmp_path: Path
) -> None:
    path = write(
        tmp_path / "红黑名单.csv",
        entry(名单名称="灰名单"),
        entry(名单名称="灰名单", 列入日期="2025-10-01"),
        entry(名单类型="红名单", 名单名称="优秀民营企业"),
        entry(名单名称="严重失信主体名单", 认定部门="某区档案馆"),
        entry(),  # a known name: not reported
    )
    summary = load(path)
    (report,) = summary.files
    assert (report.loaded, report.rejected) == (5, 0)
    expected = {"灰名单": 2, "严重失信主体名单（认定部门 某区档案馆）": 1, "优秀民营企业": 1}
    assert report.unrecognised_lists == expected
    assert next(iter(report.unrecognised_lists)) == "灰名单"  # most rows first
    assert summary.totals.unrecognised_lists == expected
    assert json.loads(summary.model_dump_json())["files"][0]["unrecognised_lists"] == expected
    text = _load_text(summary, tmp_path / "rejects.csv", tmp_path / "summary.json")
    assert "lists not recognised (loaded as other_*): 灰名单 (2 rows)" in text
    kinds = {v.record.list_name: v.record.list_kind for v in store.get_entity(COMPANY).records}  # type: ignore[union-attr]
    assert kinds["灰名单"] == ListKind.OTHER_BLACK
    assert kinds["优秀民营企业"] == ListKind.OTHER_RED
    assert kinds["重大税收违法失信主体"] == ListKind.MAJOR_TAX_VIOLATION


def test_facts_and_responsible_persons_are_stored_and_reloading_changes_nothing(
    load: LoadFn, store: GraphStore, tmp_path: Path
) -> None:
    path = write(
        tmp_path / "红黑名单.csv",
        entry(
            列入条款="第五条第一款第（一）项",
            是否欠缴税款="是",
            是否提供担保="否",
            直接责任人员="周明、吴芳",
            直接责任人员证件号码=f"{ZHOU_ID}、{MASKED}",
            移出日期="2027-09-09",
        ),
        entry(名单名称="安全生产严重失信主体名单", 认定部门="某区应急管理局", 是否被判处刑罚="1"),
    )
    first = load(path)
    assert (first.totals.loaded, first.totals.rejected) == (2, 0)
    stats = store.stats()
    views = {v.record.list_name: v.record for v in store.get_entity(COMPANY).records}
    tax = views["重大税收违法失信主体"]
    assert isinstance(tax, ListEntry)
    assert (tax.listing_clause, tax.tax_unpaid, tax.guarantee_given, tax.criminal_sentence) == (
        "5.1.1",
        True,
        False,
        None,
    )
    safety = views["安全生产严重失信主体名单"]
    assert isinstance(safety, ListEntry) and safety.criminal_sentence is True
    assert safety.list_kind == ListKind.SAFETY_PRODUCTION
    links = store.neighbourhood(COMPANY, rel_types=[RelType.DIRECTLY_RESPONSIBLE_FOR]).items
    assert sorted(n.node.name for n in links) == ["吴芳", "周明"]
    for link in links:
        assert link.relation.key == tax.id
        assert (link.relation.valid_from, link.relation.valid_to) == (
            date(2025, 9, 10),
            date(2027, 9, 9),
        )
    zhou = store.get_entity(next(n.node.id for n in links if n.node.name == "周明")).entity
    assert isinstance(zhou, Person) and zhou.id_hash and ZHOU_ID not in zhou.model_dump_json()
    in_force = store.neighbourhood(
        COMPANY, rel_types=[RelType.DIRECTLY_RESPONSIBLE_FOR], as_of=date(2028, 1, 1)
    )
    assert in_force.items == []  # the binding ends with the entry
    again = load(path)
    assert (again.totals.loaded, again.totals.merged, again.totals.rejected) == (0, 2, 0)
    assert store.stats() == stats


def test_a_rejected_row_is_reported_with_its_column_and_the_id_numbers_masked(
    load: LoadFn, tmp_path: Path
) -> None:
    path = write(
        tmp_path / "红黑名单.csv",
        entry(列入条款="见附件", 直接责任人员="周明", 直接责任人员证件号码=ZHOU_ID),
    )
    summary = load(path, dry_run=True)
    assert (summary.totals.rejected, summary.totals.unrecognised_lists) == (1, {})
    assert summary.rejects_file is not None
    with Path(summary.rejects_file).open(encoding="utf-8-sig") as handle:
        (reject,) = csv.DictReader(handle)
    assert (reject["row"], reject["field"]) == ("2", "列入条款")
    assert "unreadable clause" in reject["reason"]
    values = json.loads(reject["values"])
    assert values["列入条款"] == "见附件"
    assert values["直接责任人员证件号码"] == "420102********001X"
