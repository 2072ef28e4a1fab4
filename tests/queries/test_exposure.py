"""Propagation from a listed entity and exposure of any entity, on both stores."""

from __future__ import annotations

from datetime import date

import pytest

from graph.errors import NotFound
from graph.measures import Catalogue, Matter, Reach, load_catalogue
from graph.store.protocol import GraphStore
from queries.exposure import exposure, propagation
from queries.reach import Tier
from tests import factories
from tests.queries import scenarios as s

TODAY = date(2025, 9, 1)


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return load_catalogue()


@pytest.fixture
def graph(store: GraphStore) -> GraphStore:
    factories.load(store, s.graph())
    return store


def test_propagation_reaches_the_named_roles_only(graph: GraphStore, catalogue: Catalogue) -> None:
    result = propagation(graph, catalogue, s.DEBTOR.id, as_of=TODAY)
    [record] = result.records
    reached = {(r.entity.id, r.reach) for r in record.reached}
    assert reached == {
        (s.DEBTOR.id, Reach.SUBJECT),
        (s.LEGAL_REP.id, Reach.LEGAL_REPRESENTATIVE),
        (s.CONTROLLER.id, Reach.ACTUAL_CONTROLLER),
        # the legal representative when the entry took effect, since gone: still bound
        # (法发〔2019〕35号 第十七条); not the shareholder
        (s.FORMER_REP.id, Reach.LEGAL_REPRESENTATIVE),
    }
    rep = next(r for r in record.reached if r.entity.id == s.LEGAL_REP.id)
    assert rep.tier is Tier.BINDING
    assert {Matter.CONSUMPTION, Matter.TRAVEL} <= set(rep.matters)
    assert Matter.PROCUREMENT not in rep.matters
    # no measure of the debtor list names 董监高 of the listed company (the subsidy review
    # looks at an applicant's own people instead)
    assert s.SUPERVISOR.id not in {r.entity.id for r in record.reached}
    listed = next(r for r in record.reached if r.entity.id == s.DEBTOR.id)
    assert Matter.PROCUREMENT in listed.matters and listed.tier is Tier.LISTED


def test_propagation_as_of_an_earlier_date_reaches_the_former_rep(
    graph: GraphStore, catalogue: Catalogue
) -> None:
    result = propagation(graph, catalogue, s.DEBTOR.id, as_of=date(2023, 6, 1))
    people = {r.entity.id for r in result.records[0].reached}
    assert s.FORMER_REP.id in people and s.LEGAL_REP.id not in people


def test_propagation_of_a_repaired_listing_reaches_nobody(
    graph: GraphStore, catalogue: Catalogue
) -> None:
    result = propagation(graph, catalogue, s.REPAIRED.id, as_of=TODAY)
    assert result.records == []
    assert result.ignored[0].why.startswith("status repaired")


def test_exposure_of_a_person_lists_binding_records_and_linked_ones(
    graph: GraphStore, catalogue: Catalogue
) -> None:
    result = exposure(graph, catalogue, s.LEGAL_REP.id, as_of=TODAY)
    [reaching] = result.reaching
    assert reaching.record.subject.id == s.DEBTOR.id
    assert reaching.reached[0].reach is Reach.LEGAL_REPRESENTATIVE
    assert result.linked == []
    shareholder = exposure(graph, catalogue, s.SHAREHOLDER.id, as_of=TODAY)
    assert shareholder.reaching == []
    [linked] = shareholder.linked
    assert linked.record.subject.id == s.DEBTOR.id and len(linked.path) == 1


def test_exposure_of_a_clean_entity_is_empty_and_unknown_is_not_found(
    graph: GraphStore, catalogue: Catalogue
) -> None:
    clean = exposure(graph, catalogue, s.CLEAN.id, as_of=TODAY)
    assert clean.reaching == [] and clean.linked == []
    with pytest.raises(NotFound):
        exposure(graph, catalogue, "nobody", as_of=TODAY)
