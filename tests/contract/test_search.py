"""Entity search by name, former name, code and citizen ID number: the same answers on both
stores."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

import tests.factories as f
from graph.errors import InvalidInput
from graph.model import Authority, Enterprise, OrganizationType, SocialOrganization
from graph.store.protocol import GraphStore
from graph.vocabulary import Label
from loaders.base import Context, Row
from loaders.formats import enterprise, social_org
from queries.search import SearchPage, search

KEY = f.KEY
OTHER_ID = "110105195001010039"  # valid, and nobody in these graphs has it
REGISTRATION = "420100001323456"  # a 工商注册号 (not an ID number: month 13)


def find(store: GraphStore, q: str, **options: object) -> SearchPage:
    return search(store, q, KEY, **options)  # type: ignore[arg-type]


def ids(page: SearchPage) -> list[str]:
    return [hit.id for hit in page.items]


@pytest.fixture
def county(store: GraphStore) -> GraphStore:
    f.load(store, f.county())
    extra: list[Enterprise | SocialOrganization] = [
        Enterprise(id="org:reg", name="武汉老字号酒厂", registration_number=REGISTRATION),
        SocialOrganization(
            id="51420102MJ0A00033N",
            uscc="51420102MJ0A00033N",
            name="某区建筑业协会",
            org_type=OrganizationType.SOCIAL_GROUP,
        ),
    ]
    assert store.upsert_entities(extra).rejected == []
    return store


def test_a_substring_of_a_name_finds_the_entity(county: GraphStore) -> None:
    page = find(county, "某某建设")
    assert ids(page) == [f.COMPANY_A]
    hit = page.items[0]
    assert (hit.label, hit.name, hit.uscc, hit.matched) == (
        Label.ENTERPRISE,
        "武汉某某建设工程有限公司",
        f.COMPANY_A,
        "name",
    )
    assert ids(find(county, "某某")) == [f.COMPANY_B, f.COMPANY_A]  # the shorter name first
    assert ids(find(county, "明")) == [f.ZHOU.id]  # one character: a person's given name


@pytest.mark.parametrize("q", ["武汉某某建设工程", "武汉某某建设工程有限责任公司"])
def test_a_name_with_or_without_its_company_form(county: GraphStore, q: str) -> None:
    page = find(county, q)
    assert ids(page)[:1] == [f.COMPANY_A]
    assert page.items[0].score == 85.0  # equal without the company form


def test_a_renamed_organisation_is_found_by_its_former_name(county: GraphStore) -> None:
    renamed = Enterprise(id=f.COMPANY_A, uscc=f.COMPANY_A, name="武汉新城建设有限公司")
    assert county.upsert_entities([renamed]).outcomes == ["updated"]
    assert county.upsert_entities([renamed]).outcomes == ["unchanged"]  # idempotent
    entity = county.get_entity(f.COMPANY_A).entity
    assert isinstance(entity, Enterprise)
    assert entity.former_names == ["武汉某某建设工程有限公司"]
    old = find(county, "某某建设工程")
    assert [(h.id, h.name, h.matched) for h in old.items] == [
        (f.COMPANY_A, "武汉新城建设有限公司", "former_name")
    ]
    assert [(h.id, h.matched) for h in find(county, "新城建设").items] == [(f.COMPANY_A, "name")]
    assert find(county, "武汉某某建设工程有限公司").items[0].score == 80.0  # former, equal
    back = renamed.model_copy(update={"name": "武汉某某建设工程有限公司"})
    assert county.upsert_entities([back]).outcomes == ["updated"]
    entity = county.get_entity(f.COMPANY_A).entity
    assert entity.former_names == ["武汉新城建设有限公司"]  # type: ignore[union-attr]


def test_former_names_from_the_registry_column(store: GraphStore) -> None:
    ctx = Context(KEY, "企业登记信息.csv", 2, datetime(2026, 1, 1, tzinfo=UTC))
    fmt = enterprise.FORMAT
    row = Row(
        {
            "uscc": f.COMPANY_A,
            "name": "武汉新城建设有限公司",
            "former_names": "甲乙建材厂；丙丁商行",
        },
        fmt.column_map(),
    )
    [company] = f.as_models(fmt.parse(row, ctx)).entities
    org_row = Row(
        {"uscc": "51420102MJ0A00033N", "name": "某区建筑业协会", "former_names": "某区建筑协会"},
        social_org.FORMAT.column_map(),
    )
    association = f.as_models(social_org.FORMAT.parse(org_row, ctx)).entities[0]
    assert store.upsert_entities([company, association]).rejected == []
    assert [(h.id, h.matched) for h in find(store, "丙丁").items] == [(f.COMPANY_A, "former_name")]
    assert ids(find(store, "某区建筑协会")) == ["51420102MJ0A00033N"]
    assert store.upsert_entities([company, association]).outcomes == ["unchanged", "unchanged"]


@pytest.mark.parametrize("q", ["abc", "C", "abc科技(武汉)", "（武汉）有限", "Ｃ科"])
def test_latin_letters_and_brackets_in_any_case_or_width(store: GraphStore, q: str) -> None:
    latin = Enterprise(id="e:abc", name="ABC科技（武汉）有限公司")
    assert store.upsert_entities([latin, Enterprise(id="e:x", name="武汉某某")]).rejected == []
    assert ids(find(store, q)) == ["e:abc"]


@pytest.mark.parametrize(
    "q", ["91420102ma4k00010n", "９１４２０１０２ＭＡ４Ｋ０００１０Ｎ", " 9142 0102 MA4K 0001 0N "]
)
def test_a_uscc_in_any_case_width_or_spacing(county: GraphStore, q: str) -> None:
    page = find(county, q)
    assert [(h.id, h.matched, h.uscc, h.score) for h in page.items] == [
        (f.COMPANY_A, "uscc", f.COMPANY_A, 100.0)
    ]


def test_legacy_codes(county: GraphStore) -> None:
    by_org_code = find(county, "MA4K0001-0")  # COMPANY_A's 组织机构代码 (from its USCC)
    assert [(h.id, h.matched, h.uscc) for h in by_org_code.items] == [
        (f.COMPANY_A, "org_code", f.COMPANY_A)
    ]
    by_number = find(county, REGISTRATION)
    assert [(h.id, h.matched, h.name) for h in by_number.items] == [
        ("org:reg", "registration_number", "武汉老字号酒厂")
    ]


def test_a_citizen_id_number_exactly_and_never_echoed(county: GraphStore) -> None:
    page = find(county, f.ZHOU_ID.lower())
    assert [(h.id, h.matched, h.name) for h in page.items] == [(f.ZHOU.id, "id_number", "周明")]
    assert f.ZHOU_ID not in page.model_dump_json() and page.query == "420102********001x"
    other = find(county, OTHER_ID)
    assert other.items == [] and other.query == "110105********0039"
    assert find(county, f.ZHOU_ID[:10]).items == []  # part of a number finds nothing


def test_kind_filters_by_label(county: GraphStore) -> None:
    assert ids(find(county, "某", kind="authority")) == [f.AUTHORITY_ID]
    assert set(ids(find(county, "某", kind="enterprise"))) == {f.COMPANY_A, f.COMPANY_B}
    assert ids(find(county, "某", kind="social_organization")) == ["51420102MJ0A00033N"]
    assert find(county, f.COMPANY_A, kind="person").items == []
    assert find(county, "某", kind="person").kind == "person"


def ranked_graph() -> list[Enterprise | Authority]:
    return [
        Enterprise(id="e:6", name="星光"),
        Enterprise(id="e:5", name="星光有限公司"),
        Enterprise(id="e:4", name="星光灿烂科技有限公司"),
        Enterprise(id="e:3", name="武汉星光"),
        Enterprise(id="e:2", name="大星光"),
        Enterprise(id="e:1", name="东方明珠", former_names=["星光"]),
        Authority(id="a:1", name="星光街道办事处"),
        Enterprise(id="e:0", name="武汉大星光"),
    ]


def test_ranking_codes_then_equal_then_prefix_then_contains(store: GraphStore) -> None:
    assert store.upsert_entities(ranked_graph()).rejected == []
    page = find(store, "星光")
    assert [(h.id, h.matched, h.score) for h in page.items] == [
        ("e:6", "name", 90.0),
        ("e:5", "name", 85.0),
        ("e:1", "former_name", 80.0),
        ("a:1", "name", 60.0),
        ("e:4", "name", 60.0),
        ("e:2", "name", 40.0),
        ("e:3", "name", 40.0),
        ("e:0", "name", 40.0),
    ]
    assert [h.id for h in find(store, "e:3").items][:1] == ["e:3"]  # an entity id first


def test_pages_together_are_the_whole_ranked_list(store: GraphStore) -> None:
    assert store.upsert_entities(ranked_graph()).rejected == []
    whole = ids(find(store, "星", limit=100))
    assert len(whole) == 8
    seen: list[str] = []
    cursor = None
    for _ in range(10):
        page = find(store, "星", limit=3, cursor=cursor)
        seen += ids(page)
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == whole


def test_the_store_finds_name_candidates(store: GraphStore) -> None:
    assert store.upsert_entities(ranked_graph()).rejected == []
    found = store.search_names("星光", [Label.ENTERPRISE], 4)
    assert [(m.id, m.field, m.rank, m.text) for m in found] == [
        ("e:1", "former_name", 0, "星光"),
        ("e:6", "name", 0, "星光"),
        ("e:5", "name", 1, "星光有限公司"),
        ("e:4", "name", 1, "星光灿烂科技有限公司"),
    ]
    assert [m.id for m in store.search_names("光", [Label.AUTHORITY], 10)] == ["a:1"]
    with pytest.raises(InvalidInput) as bad:
        store.search_names("星", [Label.RECORD], 10)
    assert bad.value.field == "labels"


@pytest.mark.parametrize(
    ("q", "options", "field"),
    [
        ("", {}, "q"),
        ("   ", {}, "q"),
        ("某" * 101, {}, "q"),
        ("某某", {"limit": 0}, "limit"),
        ("某某", {"limit": 101}, "limit"),
        ("某某", {"cursor": "not-a-cursor"}, "cursor"),
        ("某某", {"cursor": "eyJhZnRlciI6ICJ4In0="}, "cursor"),  # {"after": "x"}
        ("某某", {"kind": "contact"}, "kind"),
    ],
)
def test_bad_input_names_the_field(
    county: GraphStore, q: str, options: dict[str, object], field: str
) -> None:
    with pytest.raises(InvalidInput) as bad:
        find(county, q, **options)
    assert bad.value.field == field
