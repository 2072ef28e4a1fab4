"""How the approval check applies a measure's rules, on both stores, with a small catalogue:
conditions on the entry's facts, the four named roles on the right date, the applicant's own
people, and no silent pass for a list without measures."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from graph.measures import Catalogue, Matter, Reach, load_catalogue
from graph.model import Enterprise, Relation, SocialOrganization
from graph.records import RED_KINDS, ListEntry, ListKind, ListType, record_id
from graph.store.embedded.store import EmbeddedStore
from graph.store.protocol import GraphStore
from graph.vocabulary import Label, RelType
from queries.check import UNCATALOGUED, Verdict, check
from queries.exposure import propagation
from queries.reach import Tier
from tests import factories
from tests.factories import person

TODAY = date(2025, 9, 1)
LISTED_ON = date(2022, 5, 10)

BASE = {"basis": "verified", "sources": ["test"], "basic_list_item": "test item"}
MEASURES: list[dict[str, Any]] = [
    {
        "id": "tst-exit-ban",
        "title": "阻止出境",
        "legal_basis": "测试依据",
        "authority": "mps",
        "effect": "restrict",
        "matters": ["travel"],
        "list_kinds": ["major_tax_violation"],
        "applies_to": ["organization", "person"],
        "reaches": ["subject", "legal_representative"],
        "conditions": [
            {"fact": "tax_unpaid", "equals": True, "title": "欠缴税款未缴清"},
            {"fact": "guarantee_given", "equals": False, "title": "未提供担保"},
        ],
    },
    {
        "id": "tst-procurement",
        "title": "限制参加政府采购",
        "legal_basis": "测试依据",
        "authority": "mof",
        "effect": "restrict",
        "matters": ["procurement"],
        "list_kinds": ["dishonest_judgment_debtor"],
        "applies_to": ["organization", "person"],
        "reaches": [
            "subject",
            "legal_representative",
            "principal",
            "actual_controller",
            "directly_responsible",
        ],
    },
    {
        "id": "tst-office-ban",
        "title": "不得担任法定代表人",
        "legal_basis": "测试依据",
        "authority": "samr",
        "effect": "restrict",
        "matters": ["market_entry"],
        "list_kinds": ["serious_violation"],
        "applies_to": ["organization"],
        "reaches": ["subject", "legal_representative", "directly_responsible"],
        "conditions": [
            {"fact": "listing_clause", "equals": "5.1.1", "title": "第五条第一款第（一）项"}
        ],
    },
    {
        "id": "tst-subsidy-review",
        "title": "申请单位的法定代表人、实际控制人、董监高为失信被执行人的，审慎审核",
        "legal_basis": "测试依据",
        "authority": "mof",
        "effect": "review",
        "matters": ["subsidy"],
        "list_kinds": ["dishonest_judgment_debtor"],
        "applies_to": ["person"],
        "reaches": ["subject"],
        "applicant_roles": ["legal_representative", "actual_controller", "executive"],
    },
    {
        "id": "tst-green",
        "title": "绿色通道",
        "legal_basis": "测试依据",
        "authority": "ndrc",
        "effect": "incentive",
        "matters": ["licensing"],
        "list_kinds": ["model_trustworthy"],
        "applies_to": ["organization"],
        "reaches": ["subject"],
    },
]


@pytest.fixture(scope="module")
def catalogue(tmp_path_factory: pytest.TempPathFactory) -> Catalogue:
    folder: Path = tmp_path_factory.mktemp("catalogue")
    authorities = [{"id": a, "name": a} for a in ("mps", "mof", "samr", "ndrc")]
    (folder / "authorities.yaml").write_text(
        yaml.safe_dump({"authorities": authorities}, allow_unicode=True), "utf-8"
    )
    memo = {
        "id": "tst",
        "title": "测试备忘录",
        "document_number": "测〔2025〕1号",
        "issued": "2025-01-01",
        "basic_list": "each measure names its item",
    }
    measures = [{**BASE, **m} for m in MEASURES]
    (folder / "tst.yaml").write_text(
        yaml.safe_dump({"memorandum": memo, "measures": measures}, allow_unicode=True), "utf-8"
    )
    return load_catalogue(folder)


def firm(n: int, name: str) -> Enterprise:
    code = f"91420102MA4K{n:05d}X"
    return Enterprise(id=code, name=name)


TAX_MET, TAX_UNKNOWN, TAX_PAID = firm(1, "甲欠税公司"), firm(2, "乙欠税公司"), firm(3, "丙欠税公司")
DEBTOR = firm(4, "丁失信公司")
APPLICANT = firm(5, "戊申请公司")
OTHER = firm(6, "己其他黑名单公司")
SERIOUS = firm(7, "庚严重违法公司")
ASSOCIATION = SocialOrganization(id="51420102MJ0A00033N", name="某区建筑业协会")
FORMER = person("李强", "420102197001010015")
LIFTED = person("赵解", "420102197505050010")
NEW_REP = person("周明", "420102198512120026")
BETWEEN = person("钱多", "420102199202020016")
CONTROLLER = person("王刚", "42010219800101001X")
HOLDER = person("吴芳", "420102199001010022")
PRINCIPAL = person("郑强", "420102198202020011")
RESPONSIBLE = person("孙责", "420102197006060038")
DEBTOR_PERSON = person("冯欠", "420102197506060026")
TOURIST = person("陈游", "420102198808080019")


def entry(subject: Any, kind: ListKind, on: date = LISTED_ON, **facts: Any) -> ListEntry:
    name = f"{kind}名单"
    return ListEntry(
        id=record_id(Label.LIST_ENTRY, name, subject.id, on.isoformat()),
        subject_id=subject.id,
        issuing_authority="某认定部门",
        list_type=ListType.RED if kind is ListKind.MODEL_TRUSTWORTHY else ListType.BLACK,
        list_kind=kind,
        list_name=name,
        decision_date=on,
        valid_from=on,
        **facts,
    )


DJD = entry(DEBTOR, ListKind.DISHONEST_JUDGMENT_DEBTOR)
SERIOUS_5_1_1 = entry(SERIOUS, ListKind.SERIOUS_VIOLATION, listing_clause="5.1.1")
SERIOUS_LATER = entry(SERIOUS, ListKind.SERIOUS_VIOLATION, date(2023, 3, 1), listing_clause="5.1.1")


def rel(kind: RelType, source: Any, target: Any, **extra: Any) -> Relation:
    return Relation(type=kind, source_id=source.id, target_id=target.id, **extra)


def scenario() -> dict[str, list[Any]]:
    rep = RelType.LEGAL_REPRESENTATIVE_OF
    relations = [
        rel(rep, FORMER, DEBTOR, valid_from=date(2015, 1, 1), valid_to=date(2023, 12, 31)),
        rel(rep, NEW_REP, DEBTOR, valid_from=date(2024, 1, 1)),
        rel(rep, LIFTED, DEBTOR, valid_from=date(2010, 1, 1), valid_to=date(2014, 12, 31)),
        rel(rep, LIFTED, DEBTOR, valid_from=date(2022, 1, 1), valid_to=date(2022, 12, 31)),
        rel(RelType.RELEASED_FROM, LIFTED, DEBTOR, key=DJD.id, valid_from=date(2025, 3, 1)),
        # held the post only between the listing and today: neither when it took effect nor now
        rel(rep, BETWEEN, DEBTOR, valid_from=date(2023, 1, 1), valid_to=date(2023, 6, 30)),
        rel(RelType.ACTUAL_CONTROLLER_OF, CONTROLLER, DEBTOR, ratio=0.3),
        rel(RelType.SHAREHOLDER_OF, HOLDER, DEBTOR, ratio=0.6),  # control only inferred
        rel(RelType.PRINCIPAL_OF, PRINCIPAL, ASSOCIATION),
        rel(RelType.DIRECTLY_RESPONSIBLE_FOR, RESPONSIBLE, SERIOUS, key=SERIOUS_5_1_1.id),
        rel(rep, DEBTOR_PERSON, APPLICANT, valid_from=date(2020, 1, 1)),
        rel(rep, NEW_REP, TAX_UNKNOWN, valid_from=date(2020, 1, 1)),
    ]
    records = [
        entry(TAX_MET, ListKind.MAJOR_TAX_VIOLATION, tax_unpaid=True, guarantee_given=False),
        entry(TAX_UNKNOWN, ListKind.MAJOR_TAX_VIOLATION, tax_unpaid=True),
        entry(TAX_PAID, ListKind.MAJOR_TAX_VIOLATION, tax_unpaid=False, guarantee_given=False),
        DJD,
        entry(ASSOCIATION, ListKind.DISHONEST_JUDGMENT_DEBTOR),
        entry(DEBTOR_PERSON, ListKind.DISHONEST_JUDGMENT_DEBTOR),
        entry(OTHER, ListKind.OTHER_BLACK),
        entry(TOURIST, ListKind.TOURISM_UNCIVILISED),
        SERIOUS_5_1_1,
        SERIOUS_LATER,
    ]
    entities: list[Any] = [TAX_MET, TAX_UNKNOWN, TAX_PAID, DEBTOR, APPLICANT, OTHER, SERIOUS]
    entities += [ASSOCIATION, FORMER, LIFTED, NEW_REP, BETWEEN, CONTROLLER, HOLDER, PRINCIPAL]
    entities += [RESPONSIBLE, DEBTOR_PERSON, TOURIST]
    return {"entities": entities, "relations": relations, "records": records}


@pytest.fixture
def graph(store: GraphStore) -> GraphStore:
    factories.load(store, scenario())
    return store


def test_a_condition_met_restricts(graph: GraphStore, catalogue: Catalogue) -> None:
    result = check(graph, catalogue, TAX_MET.id, "travel", as_of=TODAY)
    assert result.verdict is Verdict.RESTRICT
    [reason] = result.reasons
    assert reason.conditions == ["欠缴税款未缴清", "未提供担保"] and reason.missing_facts == []


def test_a_fact_the_source_does_not_give_means_review_naming_it(
    graph: GraphStore, catalogue: Catalogue
) -> None:
    result = check(graph, catalogue, TAX_UNKNOWN.id, "travel", as_of=TODAY)
    assert result.verdict is Verdict.REVIEW  # never restrict on facts not in the data
    [reason] = result.reasons
    assert reason.measure is not None and reason.measure.id == "tst-exit-ban"
    assert [f.split(" ")[0] for f in reason.missing_facts] == ["已提供纳税担保"]
    # the legal representative the measure names is reviewed too, not restricted
    rep = check(graph, catalogue, NEW_REP.id, "travel", as_of=TODAY)
    assert rep.verdict is Verdict.REVIEW
    assert {r.tier for r in rep.reasons} == {Tier.BINDING}


def test_a_condition_not_met_gives_no_measure_and_says_why(
    graph: GraphStore, catalogue: Catalogue
) -> None:
    result = check(graph, catalogue, TAX_PAID.id, "travel", as_of=TODAY)
    assert result.verdict is Verdict.PASS and result.reasons == []
    [ignored] = result.ignored
    assert ignored.why == "tst-exit-ban: condition not met: 欠缴税款未缴清"


def test_a_clause_condition(graph: GraphStore, catalogue: Catalogue) -> None:
    result = check(graph, catalogue, SERIOUS.id, "market_entry", as_of=TODAY)
    assert result.verdict is Verdict.RESTRICT
    assert {r.conditions[0] for r in result.reasons} == {"第五条第一款第（一）项"}


def test_a_former_legal_rep_stays_bound_with_the_rule_and_date(
    graph: GraphStore, catalogue: Catalogue
) -> None:
    result = check(graph, catalogue, FORMER.id, "procurement", as_of=TODAY)
    assert result.verdict is Verdict.RESTRICT
    [reason] = result.reasons
    assert (reason.tier, reason.reach, reason.since) == (
        Tier.BINDING,
        Reach.LEGAL_REPRESENTATIVE,
        LISTED_ON,
    )
    assert reason.rule is not None and "法发〔2019〕35号" in reason.rule
    assert reason.path[0].valid_to == date(2023, 12, 31)


def test_a_recorded_lifting_ends_a_former_legal_reps_binding(
    graph: GraphStore, catalogue: Catalogue
) -> None:
    before = check(graph, catalogue, LIFTED.id, "procurement", as_of=date(2025, 2, 28))
    assert before.verdict is Verdict.RESTRICT
    after = check(graph, catalogue, LIFTED.id, "procurement", as_of=TODAY)
    assert after.verdict is Verdict.PASS and after.reasons == []
    assert [i.why for i in after.ignored] == ["restriction lifted for the subject on 2025-03-01"]
    people = propagation(graph, catalogue, DEBTOR.id, as_of=TODAY).records[0].reached
    assert LIFTED.id not in {r.entity.id for r in people}
    assert FORMER.id in {r.entity.id for r in people}


def test_the_new_legal_rep_is_reached_from_taking_the_post(
    graph: GraphStore, catalogue: Catalogue
) -> None:
    now = check(graph, catalogue, NEW_REP.id, "procurement", as_of=TODAY)
    assert now.verdict is Verdict.RESTRICT
    [reason] = now.reasons
    assert reason.since == date(2024, 1, 1) and reason.rule == f"holds the role on {TODAY}"
    before = check(graph, catalogue, NEW_REP.id, "procurement", as_of=date(2023, 12, 31))
    assert before.verdict is Verdict.PASS


def test_a_rep_only_between_the_listing_and_today_is_not_bound(
    graph: GraphStore, catalogue: Catalogue
) -> None:
    assert check(graph, catalogue, BETWEEN.id, "procurement", as_of=TODAY).verdict is (Verdict.PASS)
    during = check(graph, catalogue, BETWEEN.id, "procurement", as_of=date(2023, 3, 1))
    assert during.verdict is Verdict.RESTRICT  # while in the post, as a current holder


def test_a_principal_and_an_actual_controller_are_bound(
    graph: GraphStore, catalogue: Catalogue
) -> None:
    principal = check(graph, catalogue, PRINCIPAL.id, "procurement", as_of=TODAY)
    assert principal.verdict is Verdict.RESTRICT
    assert principal.reasons[0].reach is Reach.PRINCIPAL
    controller = check(graph, catalogue, CONTROLLER.id, "procurement", as_of=TODAY)
    assert controller.verdict is Verdict.RESTRICT
    assert controller.reasons[0].reach is Reach.ACTUAL_CONTROLLER


def test_control_inferred_from_equity_stays_advisory(
    graph: GraphStore, catalogue: Catalogue
) -> None:
    result = check(graph, catalogue, HOLDER.id, "procurement", as_of=TODAY)
    assert result.verdict is Verdict.REVIEW
    assert {r.tier for r in result.reasons} == {Tier.ADVISORY}


def test_a_directly_responsible_person_is_bound_for_the_entry_that_names_them(
    graph: GraphStore, catalogue: Catalogue
) -> None:
    result = check(graph, catalogue, RESPONSIBLE.id, "market_entry", as_of=TODAY)
    assert result.verdict is Verdict.RESTRICT
    binding = [r for r in result.reasons if r.tier is Tier.BINDING]
    assert [(r.reach, r.record.id) for r in binding] == [
        (Reach.DIRECTLY_RESPONSIBLE, SERIOUS_5_1_1.id)
    ]  # the later entry of the same company does not name them
    reached = propagation(graph, catalogue, SERIOUS.id, as_of=TODAY)
    by_record = {r.record.id: {x.entity.id for x in r.reached} for r in reached.records}
    assert RESPONSIBLE.id in by_record[SERIOUS_5_1_1.id]
    assert RESPONSIBLE.id not in by_record[SERIOUS_LATER.id]


def test_an_applicant_whose_legal_rep_is_listed_is_reviewed(
    graph: GraphStore, catalogue: Catalogue
) -> None:
    result = check(graph, catalogue, APPLICANT.id, "subsidy", as_of=TODAY)
    assert result.verdict is Verdict.REVIEW
    [reason] = result.reasons
    assert reason.measure is not None and reason.measure.id == "tst-subsidy-review"
    assert (reason.tier, reason.reach) == (Tier.BINDING, Reach.LEGAL_REPRESENTATIVE)
    assert reason.record.subject.id == DEBTOR_PERSON.id
    # the listed person applying for themselves is not what the measure is about
    own = check(graph, catalogue, DEBTOR_PERSON.id, "subsidy", as_of=TODAY)
    assert all(r.measure is None or r.measure.id != "tst-subsidy-review" for r in own.reasons)


@pytest.mark.parametrize("subject", [OTHER, TOURIST], ids=["other_black", "no_measures"])
@pytest.mark.parametrize("matter", ["procurement", "travel", "honours"])
def test_a_black_list_without_measures_gives_review_never_pass(
    graph: GraphStore, catalogue: Catalogue, subject: Any, matter: str
) -> None:
    result = check(graph, catalogue, subject.id, matter, as_of=TODAY)
    assert result.verdict is Verdict.REVIEW
    [reason] = result.reasons
    assert (reason.measure, reason.note, reason.tier) == (None, UNCATALOGUED, Tier.LISTED)


def test_measures_exist_but_none_on_the_matter_is_shown_as_ignored(
    graph: GraphStore, catalogue: Catalogue
) -> None:
    result = check(graph, catalogue, DEBTOR.id, "honours", as_of=TODAY)
    assert result.verdict is Verdict.PASS
    [ignored] = result.ignored
    assert ignored.record.id == DJD.id
    assert ignored.why == "dishonest_judgment_debtor has measures in the catalogue, none on honours"


@pytest.mark.parametrize("kind", [k for k in ListKind if k not in RED_KINDS])
def test_no_black_list_kind_passes_silently_with_the_real_catalogue(kind: ListKind) -> None:
    """Every black-list kind the loaders produce either has measures or gives review; on a
    matter its measures do not cover, the entry is shown as ignored with why."""
    real = load_catalogue()
    store = EmbeddedStore.in_memory()
    listed = firm(9, "辛公司")
    factories.load(store, {"entities": [listed], "relations": [], "records": [entry(listed, kind)]})
    for matter in Matter:
        result = check(store, real, listed.id, matter, as_of=TODAY)
        said = result.reasons or [i for i in result.ignored if i.record.subject.id == listed.id]
        assert said, (kind, matter)
        if kind not in real.trigger_kinds():
            assert result.verdict is Verdict.REVIEW
            assert {r.note for r in result.reasons} == {UNCATALOGUED}
