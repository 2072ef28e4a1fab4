"""Equity penetration and ultimate controllers on hand-built ownership graphs (both stores)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from graph.errors import InvalidInput, NotFound
from graph.model import Enterprise, Person, Relation
from graph.store.protocol import GraphStore
from graph.vocabulary import RelType
from queries.equity import Equity, penetrate, ultimate_controllers
from tests import factories as f

ZHOU, WU = f.ZHOU.id, f.WU.id
DAY = date(2025, 1, 1)


def company(node_id: str) -> Enterprise:
    return Enterprise(id=node_id, name=f"{node_id}有限公司")


def held(source: str, target: str, ratio: float | None, **extra: Any) -> Relation:
    return Relation(
        type=RelType.SHAREHOLDER_OF, source_id=source, target_id=target, ratio=ratio, **extra
    )


def build(store: GraphStore, companies: list[str], relations: list[Relation]) -> None:
    entities: list[Any] = [f.ZHOU, f.WU, *(company(c) for c in companies)]
    f.load(store, {"entities": entities, "relations": relations, "records": []})


@pytest.fixture
def chain(store: GraphStore) -> GraphStore:
    """ZHOU 60% -> HOLD 50% -> TARGET; WU 40% -> HOLD and WU 20% -> TARGET directly."""
    build(
        store,
        ["HOLD", "TARGET"],
        [
            held(ZHOU, "HOLD", 0.6),
            held("HOLD", "TARGET", 0.5),
            held(WU, "HOLD", 0.4),
            held(WU, "TARGET", 0.2),
        ],
    )
    return store


def stakes(answer: Equity) -> dict[str, float | None]:
    return {s.node.id: s.stake for s in answer.stakes}


def test_three_levels_multiply_and_two_routes_add_up(chain: GraphStore) -> None:
    answer = penetrate(chain, "TARGET", as_of=DAY)
    assert stakes(answer) == {
        "HOLD": pytest.approx(0.5),
        WU: pytest.approx(0.4),
        ZHOU: pytest.approx(0.3),
    }
    assert [s.node.id for s in answer.stakes] == ["HOLD", WU, ZHOU]  # largest first
    by_id = {s.node.id: s for s in answer.stakes}
    assert by_id[WU].chains == 2 and by_id[WU].depth == 1
    assert by_id[ZHOU].ultimate and by_id[WU].ultimate and not by_id["HOLD"].ultimate
    top = answer.chains[0]
    assert top.nodes == ["TARGET", "HOLD", ZHOU] and top.ratios == [0.5, 0.6]
    assert top.stake == pytest.approx(0.3) and top.end == "top"
    assert sorted(c.nodes[-1] for c in answer.chains) == sorted([ZHOU, WU, WU])
    assert answer.nodes[ZHOU].name == "周明"
    assert (answer.cycles, answer.hubs, answer.truncated) == ([], [], False)


def test_down_gives_direct_and_indirect_holdings(chain: GraphStore) -> None:
    answer = penetrate(chain, WU, direction="down", as_of=DAY)
    assert stakes(answer) == {"HOLD": pytest.approx(0.4), "TARGET": pytest.approx(0.4)}
    target = next(s for s in answer.stakes if s.node.id == "TARGET")
    assert target.chains == 2 and target.ultimate
    zhou = penetrate(chain, ZHOU, direction="down", as_of=DAY)
    assert [(c.nodes, c.stake) for c in zhou.chains] == [([ZHOU, "HOLD", "TARGET"], 0.3)]


def test_threshold_and_max_depth_stop_chains(chain: GraphStore) -> None:
    pruned = penetrate(chain, "TARGET", as_of=DAY, threshold=0.35)
    assert stakes(pruned) == {"HOLD": pytest.approx(0.5)}
    assert [(c.nodes, c.end) for c in pruned.chains] == [(["TARGET", "HOLD"], "threshold")]
    shallow = penetrate(chain, "TARGET", as_of=DAY, max_depth=1)
    assert {tuple(c.nodes): c.end for c in shallow.chains} == {
        ("TARGET", "HOLD"): "max_depth",
        ("TARGET", WU): "top",
    }
    assert shallow.truncated


def test_a_cycle_terminates_and_is_reported(store: GraphStore) -> None:
    build(
        store,
        ["A", "B"],
        [held("A", "B", 0.5), held("B", "A", 0.3), held(ZHOU, "A", 0.7)],
    )
    answer = penetrate(store, "B", as_of=DAY)
    assert answer.cycles == [["A", "B"]]
    assert stakes(answer) == {"A": pytest.approx(0.5), ZHOU: pytest.approx(0.35)}
    closed = penetrate(store, "A", direction="down", as_of=DAY)
    assert closed.cycles == [["A", "B"]]
    assert [(c.nodes, c.end) for c in closed.chains] == [(["A", "B"], "cycle")]


def test_a_missing_ratio_gives_an_unknown_stake(store: GraphStore) -> None:
    build(store, ["HOLD", "TARGET"], [held(ZHOU, "HOLD", None), held("HOLD", "TARGET", 0.5)])
    answer = penetrate(store, "TARGET", as_of=DAY)
    [chain] = answer.chains
    assert chain.ratios == [0.5, None] and chain.stake is None
    zhou = next(s for s in answer.stakes if s.node.id == ZHOU)
    assert zhou.stake is None and zhou.unknown_chains == 1


def test_a_shareholding_ended_before_as_of_is_not_followed(store: GraphStore) -> None:
    build(
        store,
        ["TARGET"],
        [
            held(ZHOU, "TARGET", 0.6, valid_to=date(2023, 12, 31)),
            held(WU, "TARGET", 0.6, valid_from=date(2024, 1, 1)),
        ],
    )
    assert stakes(penetrate(store, "TARGET", as_of=date(2024, 6, 1))) == {WU: 0.6}
    assert stakes(penetrate(store, "TARGET", as_of=date(2023, 6, 1))) == {ZHOU: 0.6}


def test_controllers_above_threshold_and_declared(chain: GraphStore) -> None:
    answer = ultimate_controllers(chain, "TARGET", as_of=DAY)
    assert [(c.node.id, c.stake, c.declared) for c in answer.controllers] == [
        (WU, 0.4, False),  # 0.4 * 0.5 + 0.2, rounded to 9 places
        (ZHOU, 0.3, False),
    ]
    assert [
        c.node.id for c in ultimate_controllers(chain, "TARGET", threshold=0.35).controllers
    ] == [WU]
    boss = Person(id="person:boss", name="赵强")
    chain.upsert_entities([boss])
    chain.upsert_relations(
        [
            Relation(type=RelType.ACTUAL_CONTROLLER_OF, source_id=boss.id, target_id="TARGET"),
            Relation(
                type=RelType.ACTUAL_CONTROLLER_OF, source_id=ZHOU, target_id="TARGET", ratio=0.3
            ),
        ]
    )
    declared = ultimate_controllers(chain, "TARGET", threshold=0.35, as_of=DAY)
    assert [(c.node.id, c.declared, c.declared_ratio) for c in declared.controllers] == [
        (WU, False, None),
        (ZHOU, True, 0.3),
        (boss.id, True, None),
    ]
    assert declared.controllers[1].stake == pytest.approx(0.3)  # below threshold, but declared


def test_controllers_with_unknown_stakes_are_undetermined(store: GraphStore) -> None:
    build(
        store,
        ["HOLD", "TARGET"],
        [held(ZHOU, "HOLD", None), held("HOLD", "TARGET", 0.5), held(WU, "TARGET", 0.5)],
    )
    answer = ultimate_controllers(store, "TARGET", as_of=DAY)
    assert [c.node.id for c in answer.controllers] == [WU]
    assert [(c.node.id, c.stake, c.unknown_chains) for c in answer.undetermined] == [
        (ZHOU, None, 1)
    ]


def test_bad_input_and_unknown_entities(chain: GraphStore) -> None:
    with pytest.raises(InvalidInput) as bad:
        penetrate(chain, "TARGET", direction="sideways")  # type: ignore[arg-type]
    assert bad.value.field == "direction"
    with pytest.raises(InvalidInput):
        penetrate(chain, "TARGET", threshold=1.5)
    with pytest.raises(InvalidInput):
        penetrate(chain, "TARGET", max_depth=0)
    with pytest.raises(NotFound):
        penetrate(chain, "nobody")
