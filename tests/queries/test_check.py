"""Scenarios of the approval check, derived from the rules' wording, on both stores."""

from __future__ import annotations

from datetime import date

import pytest

from graph.errors import InvalidInput, NotFound
from graph.measures import Catalogue, Reach, load_catalogue
from graph.records import RecordStatus
from graph.store.protocol import GraphStore
from graph.vocabulary import RelType
from queries.check import Verdict, check, check_many
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


def test_a_listed_company_is_restricted_citing_measure_basis_and_record(
    graph: GraphStore, catalogue: Catalogue
) -> None:
    result = check(graph, catalogue, s.DEBTOR.id, "procurement", as_of=TODAY)
    assert result.verdict is Verdict.RESTRICT
    [reason] = result.reasons
    assert reason.tier is Tier.LISTED and reason.path == []
    assert reason.measure.id == "djd-procurement"
    assert reason.measure.legal_basis and reason.measure.authority_name
    assert reason.measure.document_number == "发改财金〔2016〕141号"
    assert reason.record.list_name == "失信被执行人名单"
    assert reason.record.issuing_authority == s.COURT.name
    assert reason.record.decision_date == s.LISTED_ON
    assert reason.record.status is RecordStatus.ACTIVE


def test_the_legal_representative_is_bound_where_the_measure_names_legal_representatives(
    graph: GraphStore, catalogue: Catalogue
) -> None:
    result = check(graph, catalogue, s.LEGAL_REP.id, "consumption", as_of=TODAY)
    assert result.verdict is Verdict.RESTRICT
    [reason] = result.reasons
    assert (reason.tier, reason.reach) == (Tier.BINDING, Reach.LEGAL_REPRESENTATIVE)
    assert reason.measure.id == "djd-consumption"
    [step] = reason.path
    assert (step.type, step.source_id, step.target_id) == (
        RelType.LEGAL_REPRESENTATIVE_OF,
        s.LEGAL_REP.id,
        s.DEBTOR.id,
    )


def test_a_measure_that_names_only_the_subject_is_advisory_for_the_legal_rep(
    graph: GraphStore, catalogue: Catalogue
) -> None:
    result = check(graph, catalogue, s.LEGAL_REP.id, "procurement", as_of=TODAY)
    assert result.verdict is Verdict.REVIEW
    assert {r.tier for r in result.reasons} == {Tier.ADVISORY}


def test_a_second_company_of_the_same_person_is_only_advisory(
    graph: GraphStore, catalogue: Catalogue
) -> None:
    result = check(graph, catalogue, s.SECOND.id, "consumption", as_of=TODAY)
    assert result.verdict is Verdict.REVIEW
    [reason] = result.reasons
    assert reason.tier is Tier.ADVISORY and reason.effect == "review"
    assert [st.type for st in reason.path] == [RelType.LEGAL_REPRESENTATIVE_OF] * 2
    assert reason.path[-1].target_id == s.DEBTOR.id


def test_a_plain_shareholder_is_not_reached(graph: GraphStore, catalogue: Catalogue) -> None:
    result = check(graph, catalogue, s.SHAREHOLDER.id, "consumption", as_of=TODAY)
    assert result.verdict is not Verdict.RESTRICT
    assert all(r.tier is Tier.ADVISORY for r in result.reasons)


def test_the_actual_controller_is_bound_and_a_supervisor_only_advisory(
    graph: GraphStore, catalogue: Catalogue
) -> None:
    controller = check(graph, catalogue, s.CONTROLLER.id, "travel", as_of=TODAY)
    assert controller.verdict is Verdict.RESTRICT
    assert {r.reach for r in controller.reasons if r.tier is Tier.BINDING} == {
        Reach.ACTUAL_CONTROLLER
    }
    travel = check(graph, catalogue, s.SUPERVISOR.id, "travel", as_of=TODAY)
    assert travel.verdict is Verdict.REVIEW  # the travel bans name no supervisors
    # the 2016 opinion reviews an applicant whose own 董监高 are debtors; it does not
    # restrict the 董监高 of a listed company: for them the listing is advisory only
    subsidy = check(graph, catalogue, s.SUPERVISOR.id, "subsidy", as_of=TODAY)
    assert subsidy.verdict is Verdict.REVIEW
    assert {r.tier for r in subsidy.reasons} == {Tier.ADVISORY}


def test_a_shared_phone_is_advisory(graph: GraphStore, catalogue: Catalogue) -> None:
    result = check(graph, catalogue, s.NEIGHBOUR.id, "bidding", as_of=TODAY)
    assert result.verdict is Verdict.REVIEW
    assert [st.type for st in result.reasons[0].path] == [RelType.HAS_PHONE] * 2


def test_a_repaired_record_stops_restricting(graph: GraphStore, catalogue: Catalogue) -> None:
    before = check(graph, catalogue, s.REPAIRED.id, "procurement", as_of=date(2025, 5, 31))
    assert before.verdict is Verdict.RESTRICT
    after = check(graph, catalogue, s.REPAIRED.id, "procurement", as_of=s.REPAIRED_ON)
    assert after.verdict is Verdict.PASS and after.reasons == []
    [ignored] = after.ignored
    assert ignored.why == f"status repaired since {s.REPAIRED_ON}"


def test_a_record_restricts_inside_its_validity_and_not_after(
    graph: GraphStore, catalogue: Catalogue
) -> None:
    inside = check(graph, catalogue, s.EXPIRED.id, "bidding", as_of=date(2024, 12, 31))
    assert inside.verdict is Verdict.RESTRICT
    after = check(graph, catalogue, s.EXPIRED.id, "bidding", as_of=date(2025, 1, 1))
    assert after.verdict is Verdict.PASS
    assert after.ignored[0].why.startswith("no longer valid")
    before = check(graph, catalogue, s.EXPIRED.id, "bidding", as_of=date(2023, 12, 31))
    assert before.verdict is Verdict.PASS


def test_a_former_legal_rep_stays_bound_and_a_role_taken_later_binds_only_while_held(
    graph: GraphStore, catalogue: Catalogue
) -> None:
    # 法发〔2019〕35号 第十七条: a legal representative when the entry took effect stays
    # restricted after leaving the post, until the entry ends or a lifting is recorded
    during = check(graph, catalogue, s.FORMER_REP.id, "consumption", as_of=date(2023, 6, 1))
    assert during.verdict is Verdict.RESTRICT
    after = check(graph, catalogue, s.FORMER_REP.id, "consumption", as_of=TODAY)
    assert after.verdict is Verdict.RESTRICT
    [reason] = [r for r in after.reasons if r.tier is Tier.BINDING]
    assert reason.path[0].valid_to == date(2023, 12, 31)
    assert reason.since == s.LISTED_ON and reason.rule and "35号" in reason.rule
    # the new legal representative (from 2024) was not one before taking the post
    early = check(graph, catalogue, s.LEGAL_REP.id, "consumption", as_of=date(2023, 6, 1))
    assert early.verdict is Verdict.PASS
    now = check(graph, catalogue, s.LEGAL_REP.id, "consumption", as_of=TODAY)
    [bound] = [r for r in now.reasons if r.tier is Tier.BINDING]
    assert bound.since == s.REP_FROM and bound.rule == f"holds the role on {TODAY}"


def test_a_red_listed_company_gets_the_green_channel(
    graph: GraphStore, catalogue: Catalogue
) -> None:
    result = check(graph, catalogue, s.MODEL.id, "licensing", as_of=TODAY)
    assert result.verdict is Verdict.INCENTIVE
    assert {r.measure.id for r in result.reasons} >= {"red-licensing-green-channel"}
    assert check(graph, catalogue, s.CLEAN.id, "licensing", as_of=TODAY).verdict is Verdict.PASS


def test_receipts_repeat_for_the_same_inputs_and_change_with_data_or_date(
    graph: GraphStore, catalogue: Catalogue
) -> None:
    first = check(graph, catalogue, s.REPAIRED.id, "procurement", as_of=date(2025, 5, 1))
    again = check(graph, catalogue, s.REPAIRED.id, "procurement", as_of=date(2025, 5, 1))
    assert first.receipt == again.receipt and first.receipt.startswith("chk-")
    other_day = check(graph, catalogue, s.REPAIRED.id, "procurement", as_of=date(2025, 5, 2))
    assert other_day.receipt != first.receipt
    [entry] = [r for r in s.graph()["records"] if r.subject_id == s.REPAIRED.id]
    graph.upsert_records([entry.model_copy(update={"status_since": date(2025, 4, 1)})])
    changed = check(graph, catalogue, s.REPAIRED.id, "procurement", as_of=date(2025, 5, 1))
    assert changed.verdict is Verdict.PASS and changed.receipt != first.receipt


def test_a_batch_of_bidders_keeps_order_and_counts(graph: GraphStore, catalogue: Catalogue) -> None:
    bidders = [s.CLEAN.id, s.DEBTOR.id, s.NEIGHBOUR.id]
    batch = check_many(graph, catalogue, bidders, "bidding", as_of=TODAY)
    assert [r.subject.id for r in batch.results] == bidders
    assert [r.verdict for r in batch.results] == [Verdict.PASS, Verdict.RESTRICT, Verdict.REVIEW]
    assert batch.counts[Verdict.RESTRICT] == 1


def test_bad_questions_are_refused(graph: GraphStore, catalogue: Catalogue) -> None:
    with pytest.raises(InvalidInput) as bad:
        check(graph, catalogue, s.DEBTOR.id, "parking", as_of=TODAY)
    assert bad.value.field == "matter"
    with pytest.raises(NotFound):
        check(graph, catalogue, "91420102MA4K0099XX", "procurement", as_of=TODAY)
