"""The shipped measure catalogue keeps its invariants; the loader rejects bad catalogues."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from graph.errors import InvalidInput, NotFound
from graph.measures import (
    CATALOGUE_DIR,
    MATTER_TITLES,
    REACH_RELATIONS,
    Catalogue,
    CatalogueError,
    Effect,
    Matter,
    Reach,
    SubjectKind,
    Verification,
    load_catalogue,
)
from graph.records import RED_KINDS, ListKind
from graph.vocabulary import RelType

BLACK = (ListKind.DISHONEST_JUDGMENT_DEBTOR, ListKind.SERIOUS_VIOLATION)
#: Black-list kinds that must trigger measures: all but other_black, which answers review.
CATALOGUED_BLACK = sorted(set(ListKind) - RED_KINDS - {ListKind.OTHER_BLACK})
#: Text the mechanical migration left, which the catalogue must no longer contain.
PLACEHOLDERS = ("UNMAPPED", "to be written", "Basis UNVERIFIED against the text")
BASIC_LIST = "全国失信惩戒措施基础清单"
TAX_A_MEMORANDUM = "发改财金〔2016〕1467号"
#: 法定代表人, 主要负责人, 实际控制人, 直接责任人员: whom the consumption and travel bans reach.
FOUR_ROLES = {
    Reach.LEGAL_REPRESENTATIVE,
    Reach.PRINCIPAL,
    Reach.ACTUAL_CONTROLLER,
    Reach.DIRECTLY_RESPONSIBLE,
}


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return load_catalogue()


def test_shipped_catalogue_loads(catalogue: Catalogue) -> None:
    assert {"djd", "sv", "mtv", "red"} <= set(catalogue.memoranda)
    assert len(catalogue.measures) == len({m.id for m in catalogue.measures})
    assert [m.id for m in catalogue.measures] == sorted(m.id for m in catalogue.measures)
    assert catalogue.measure("djd-procurement").memorandum == "djd"
    assert set(MATTER_TITLES) == set(Matter)


def test_every_measure_has_legal_basis_known_authority_and_prefix(catalogue: Catalogue) -> None:
    for m in catalogue.measures:
        assert m.legal_basis.strip(), m.id
        assert m.authority in catalogue.authorities, m.id
        assert m.memorandum in catalogue.memoranda, m.id
        assert m.id.startswith(f"{m.memorandum}-"), m.id
        assert Reach.SUBJECT in m.reaches, m.id


@pytest.mark.parametrize("matter", list(Matter))
def test_every_matter_has_a_black_list_restriction(catalogue: Catalogue, matter: Matter) -> None:
    found = [
        m
        for kind in BLACK
        for m in catalogue.measures_for(kind, matter)
        if m.effect is Effect.RESTRICT
    ]
    assert found, f"no restrict measure on {matter}"


@pytest.mark.parametrize("matter", [Matter.CONSUMPTION, Matter.TRAVEL])
def test_debtor_consumption_and_travel_reach_the_roles(
    catalogue: Catalogue, matter: Matter
) -> None:
    found = [
        m
        for m in catalogue.measures_for(ListKind.DISHONEST_JUDGMENT_DEBTOR, matter)
        if SubjectKind.ORGANIZATION in m.applies_to
    ]
    assert found
    for m in found:
        assert set(m.reaches) >= FOUR_ROLES, m.id


def test_red_kinds_only_incentives(catalogue: Catalogue) -> None:
    for m in catalogue.measures:
        if set(m.list_kinds) & RED_KINDS:
            assert m.effect is Effect.INCENTIVE, m.id
        else:
            assert m.effect is not Effect.INCENTIVE, m.id
    assert catalogue.trigger_kinds() >= RED_KINDS | set(BLACK)


def test_reach_relations_point_to_graph_relations() -> None:
    assert set(REACH_RELATIONS) == set(Reach)
    assert REACH_RELATIONS[Reach.LEGAL_REPRESENTATIVE] == {RelType.LEGAL_REPRESENTATIVE_OF}
    assert REACH_RELATIONS[Reach.SUBJECT] == set()
    assert REACH_RELATIONS[Reach.DIRECTLY_RESPONSIBLE] == {RelType.DIRECTLY_RESPONSIBLE_FOR}


def test_unknown_measure_is_not_found(catalogue: Catalogue) -> None:
    with pytest.raises(NotFound, match="no-such-measure"):
        catalogue.measure("no-such-measure")


def test_every_basis_is_verified_with_sources_or_says_what_is_unverified(
    catalogue: Catalogue,
) -> None:
    for m in catalogue.measures:
        if m.basis is Verification.VERIFIED:
            assert m.sources and all(source.strip() for source in m.sources), m.id
        else:
            assert "UNVERIFIED" in (m.note or ""), m.id


def test_every_memorandum_and_measure_maps_to_the_basic_list(catalogue: Catalogue) -> None:
    for memo in catalogue.memoranda.values():
        assert BASIC_LIST in memo.basic_list, memo.id
    for m in catalogue.measures:
        item = m.basic_list_item
        assert item.strip() and not item.upper().startswith("UNMAPPED"), m.id
        if m.effect is Effect.INCENTIVE:
            assert item.startswith("not in the basic list: "), m.id


@pytest.mark.parametrize("path", sorted(CATALOGUE_DIR.glob("*.yaml")), ids=lambda p: p.name)
def test_no_placeholder_is_left_in_the_files(path: Path) -> None:
    text = path.read_text("utf-8")
    assert [p for p in PLACEHOLDERS if p in text] == []


@pytest.mark.parametrize("kind", CATALOGUED_BLACK)
def test_every_black_list_kind_but_other_black_triggers_a_measure(
    catalogue: Catalogue, kind: ListKind
) -> None:
    assert catalogue.measures_for(kind), f"{kind} triggers no measure"


def test_other_black_triggers_no_measure(catalogue: Catalogue) -> None:
    assert catalogue.measures_for(ListKind.OTHER_BLACK) == []


FIXED: list[tuple[str, str, str, object]] = [
    ("mtv-enterprise-bonds", "发改财金〔2016〕2798号", "effect", Effect.REVIEW),
    ("mtv-enterprise-bonds", "发改财金〔2016〕2798号", "authority", "ndrc"),
    ("mtv-corporate-bonds", "发改财金〔2016〕2798号", "effect", Effect.RESTRICT),
    ("mtv-corporate-bonds", "发改财金〔2016〕2798号", "authority", "csrc"),
    ("djd-construction-qualification", "发改财金〔2016〕141号", "effect", Effect.RESTRICT),
    ("djd-subsidy", "发改财金〔2016〕141号", "effect", Effect.REVIEW),
    ("djd-subsidy", "发改财金〔2016〕141号", "reaches", (Reach.SUBJECT,)),
    ("djd-subsidy", "发改财金〔2016〕141号", "applies_to", (SubjectKind.ORGANIZATION,)),
    (
        "djd-subsidy",
        "发改财金〔2016〕141号",
        "applicant_roles",
        (Reach.LEGAL_REPRESENTATIVE, Reach.ACTUAL_CONTROLLER, Reach.EXECUTIVE),
    ),
    ("mtv-subsidy", "发改财金〔2016〕2798号", "title", "限制政府性资金支持"),
    (
        "mtv-office-ban",
        "发改财金〔2016〕2798号",
        "conditions",
        (("criminal_sentence", True),),
    ),
    (
        "mtv-exit-ban",
        "发改财金〔2016〕2798号",
        "conditions",
        (("tax_unpaid", True), ("guarantee_given", False)),
    ),
    (
        "sv-office-ban",
        "国家市场监督管理总局令第44号",
        "conditions",
        (("listing_clause", "5.1.1"),),
    ),
    ("tax-a-green-channel", TAX_A_MEMORANDUM, "title", "建立行政审批绿色通道"),
]


@pytest.mark.parametrize(("measure_id", "document", "field", "expected"), FIXED)
def test_reviewed_measures_are_fixed(
    catalogue: Catalogue, measure_id: str, document: str, field: str, expected: object
) -> None:
    m = catalogue.measure(measure_id)
    value = getattr(m, field)
    if field == "conditions":
        value = tuple((c.fact, c.equals) for c in value)
    assert (catalogue.memoranda[m.memorandum].document_number, value) == (document, expected)


def test_mtv_subsidy_rests_on_the_2014_outline_not_the_2016_opinion(catalogue: Catalogue) -> None:
    basis = catalogue.measure("mtv-subsidy").legal_basis
    assert ("国发〔2014〕21号" in basis, "国发〔2016〕33号" in basis) == (True, False)


def test_mtv_bidding_names_the_nearest_items(catalogue: Catalogue) -> None:
    note = catalogue.measure("mtv-bidding").note or ""
    assert ("item 20" in note, "item 21" in note) == (True, True)


def test_abnormal_operation_measures_are_reviews_under_2045(catalogue: Catalogue) -> None:
    found = catalogue.measures_for(ListKind.ABNORMAL_OPERATION)
    documents = {catalogue.memoranda[m.memorandum].document_number for m in found}
    assert (documents, {m.effect for m in found}) == ({"发改财金〔2015〕2045号"}, {Effect.REVIEW})


def test_tax_a_grade_incentives_cite_1467(catalogue: Catalogue) -> None:
    found = catalogue.measures_for(ListKind.TAX_A_GRADE)
    assert found
    for m in found:
        memo = catalogue.memoranda[m.memorandum]
        assert (memo.document_number, TAX_A_MEMORANDUM in m.legal_basis) == (
            TAX_A_MEMORANDUM,
            True,
        ), m.id


@pytest.mark.parametrize(
    ("kind", "reach"),
    [
        (ListKind.CUSTOMS_DISHONEST, Reach.EXECUTIVE),  # 董事、监事、高级管理人员
        (ListKind.FINANCIAL, Reach.ACTUAL_CONTROLLER),
        (ListKind.SAFETY_PRODUCTION, Reach.PRINCIPAL),
    ],
)
def test_new_memoranda_reach_the_people_they_name(
    catalogue: Catalogue, kind: ListKind, reach: Reach
) -> None:
    assert any(reach in m.reaches for m in catalogue.measures_for(kind)), kind


# --- the validator, on small catalogues written to tmp_path ---------------------------------

AUTHORITIES = {
    "authorities": [{"id": "mof", "name": "财政部"}, {"id": "spc", "name": "最高人民法院"}]
}


def measure(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": "tst-procurement",
        "title": "限制参加政府采购",
        "legal_basis": "《中华人民共和国政府采购法》第二十二条",
        "authority": "mof",
        "effect": "restrict",
        "matters": ["procurement"],
        "list_kinds": ["dishonest_judgment_debtor"],
        "applies_to": ["organization"],
        "reaches": ["subject", "legal_representative"],
        "basis": "verified",
        "sources": ["《中华人民共和国政府采购法》"],
        "basic_list_item": "限制参加政府采购活动",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def write(folder: Path, name: str, *measures: dict[str, Any], memo_id: str = "tst") -> None:
    memo = {
        "id": memo_id,
        "title": "测试备忘录",
        "document_number": "测〔2025〕1号",
        "basic_list": "each measure names its item",
    }
    data = {"memorandum": {**memo, "issued": "2025-01-01"}, "measures": list(measures)}
    (folder / name).write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    text = yaml.safe_dump(AUTHORITIES, allow_unicode=True)
    (tmp_path / "authorities.yaml").write_text(text, "utf-8")
    write(tmp_path, "test.yaml", measure())
    return tmp_path


def test_small_catalogue_loads(folder: Path) -> None:
    cat = load_catalogue(folder)
    assert [m.id for m in cat.measures] == ["tst-procurement"]
    assert cat.memoranda["tst"].source_file == "test.yaml"


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"legal_basis": None}, "legal_basis", "no measure without a legal basis"),
        ({"legal_basis": "   "}, "legal_basis", "no measure without a legal basis"),
        ({"matters": ["procurement", "parking"]}, "matters[1]", "unknown value 'parking'"),
        ({"authority": "nobody"}, "authority", "unknown authority 'nobody'"),
        ({"colour": "red"}, "colour", "unknown key"),
        ({"reaches": ["legal_representative"]}, "reaches", "must include subject"),
        ({"reaches": ["subject", "boss"]}, "reaches[1]", "unknown value 'boss'"),
        ({"list_kinds": ["no_such_list"]}, "list_kinds[0]", "unknown value 'no_such_list'"),
        ({"list_kinds": ["tax_a_grade"]}, "list_kinds", "red-list kind tax_a_grade"),
        ({"effect": "incentive"}, "list_kinds", "black-list kind dishonest_judgment_debtor"),
        ({"matters": []}, "matters", "at least 1"),
        ({"matters": ["bidding", "bidding"]}, "matters", "duplicate value"),
        ({"applies_to": ["person"]}, "reaches", "applies_to organization"),
        ({"sources": []}, "sources", "a verified basis names where it was checked"),
        ({"basis": "unverified", "sources": None}, "note", "says what is UNVERIFIED"),
        ({"basis": "probably"}, "basis", "unknown value 'probably'"),
        ({"basic_list_item": None}, "basic_list_item", "missing"),
        (
            {"conditions": [{"fact": "colour", "equals": True, "title": "颜色"}]},
            "conditions[0]",
            "fact: unknown 'colour'",
        ),
        ({"applicant_roles": ["cousin"]}, "applicant_roles[0]", "unknown value 'cousin'"),
    ],
)
def test_bad_measure_names_file_measure_and_field(
    folder: Path, changes: dict[str, Any], field: str, words: str
) -> None:
    write(folder, "bad.yaml", measure(id="bad-one", **changes), memo_id="bad")
    with pytest.raises(CatalogueError) as info:
        load_catalogue(folder)
    assert str(info.value).startswith(f"bad.yaml: measure bad-one: {field}: ")
    assert words in str(info.value)
    error = info.value
    assert (error.file, error.measure_id, error.field) == ("bad.yaml", "bad-one", field)
    assert isinstance(info.value, InvalidInput)


def test_duplicate_measure_id_across_files(folder: Path) -> None:
    write(folder, "test.yaml", measure(id="tst-b-x"))
    write(folder, "z.yaml", measure(id="tst-b-x"), memo_id="tst-b")
    with pytest.raises(CatalogueError) as info:
        load_catalogue(folder)
    assert (
        str(info.value) == "z.yaml: measure tst-b-x: id: duplicate measure id (also in test.yaml)"
    )


def test_duplicate_memorandum_id(folder: Path) -> None:
    write(folder, "z.yaml", measure(id="tst-other"))
    with pytest.raises(CatalogueError, match=r"z\.yaml: memorandum\.id: duplicate memorandum id"):
        load_catalogue(folder)


def test_measure_id_must_carry_the_memorandum_prefix(folder: Path) -> None:
    write(folder, "z.yaml", measure(id="xyz-procurement"), memo_id="zzz")
    with pytest.raises(CatalogueError, match=r"z\.yaml: measure xyz-procurement: id: must start"):
        load_catalogue(folder)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"memorandum": {}, "measures": [measure()], "extra": 1}, "t.yaml: extra: unknown key"),
        ({"memorandum": {}}, "t.yaml: measures: missing"),
        ({"memorandum": {}, "measures": []}, "t.yaml: measures: must be a non-empty list"),
        ({"memorandum": {}, "measures": ["x"]}, "t.yaml: measures[0]: must be a mapping"),
        ({"memorandum": "x", "measures": [measure()]}, "t.yaml: memorandum: Input should be"),
        (
            {"memorandum": {"id": "tst"}, "measures": [measure()]},
            "t.yaml: memorandum.title: missing",
        ),
        (
            {
                "memorandum": {
                    "id": "tst",
                    "title": "t",
                    "document_number": "n",
                    "issued": "2025-01-01",
                },
                "measures": [measure()],
            },
            "t.yaml: memorandum.basic_list: missing",
        ),
        ([1, 2], "t.yaml: the top level must be a mapping"),
    ],
)
def test_bad_file_structure(folder: Path, data: object, message: str) -> None:
    (folder / "t.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    with pytest.raises(CatalogueError) as info:
        load_catalogue(folder)
    assert str(info.value).startswith(message)


def test_bad_memorandum_date_and_yaml_and_missing_authorities(folder: Path) -> None:
    data = yaml.safe_load((folder / "test.yaml").read_text("utf-8"))
    data["memorandum"]["issued"] = "someday"
    (folder / "test.yaml").write_text(yaml.safe_dump(data), "utf-8")
    with pytest.raises(CatalogueError, match=r"^test\.yaml: memorandum\.issued: "):
        load_catalogue(folder)
    (folder / "test.yaml").write_text("memorandum: [unclosed", "utf-8")
    with pytest.raises(CatalogueError, match=r"^test\.yaml: cannot read: "):
        load_catalogue(folder)
    (folder / "authorities.yaml").unlink()
    with pytest.raises(CatalogueError, match=r"^authorities\.yaml: cannot read: "):
        load_catalogue(folder)


def test_duplicate_authority_and_foreign_memorandum(folder: Path) -> None:
    write(folder, "test.yaml", measure(memorandum="other"))
    with pytest.raises(CatalogueError, match="measure tst-procurement: memorandum: must be"):
        load_catalogue(folder)
    doubled = {"authorities": AUTHORITIES["authorities"] * 2}
    (folder / "authorities.yaml").write_text(yaml.safe_dump(doubled, allow_unicode=True), "utf-8")
    with pytest.raises(CatalogueError, match=r"authorities\[2\]\.id: duplicate authority id mof"):
        load_catalogue(folder)


def test_version_is_stable_ignores_file_names_and_follows_content(tmp_path: Path) -> None:
    copy = tmp_path / "catalogue"
    shutil.copytree(CATALOGUE_DIR, copy)
    first = load_catalogue(copy).version
    assert load_catalogue(copy).version == first == load_catalogue().version
    (copy / "red_list_incentives.yaml").rename(copy / "00_renamed.yaml")
    assert load_catalogue(copy).version == first
    reordered = yaml.safe_load((copy / "00_renamed.yaml").read_text("utf-8"))
    reordered["measures"].reverse()
    (copy / "00_renamed.yaml").write_text(yaml.safe_dump(reordered, allow_unicode=True), "utf-8")
    assert load_catalogue(copy).version == first
    path = copy / "dishonest_judgment_debtors.yaml"
    text = path.read_text("utf-8")
    path.write_text(text.replace("限制乘坐飞机", "限制乘坐民航飞机", 1), "utf-8")
    assert load_catalogue(copy).version != first
