"""Run history: stable cluster ids across runs, the changes between runs, crash-safe saves."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from graph.errors import NotFound
from graph.vocabulary import Label
from queries.clusters import history as history_module
from queries.clusters.history import RunHistory
from queries.clusters.model import (
    Change,
    ChangeKind,
    Cluster,
    ClusterRun,
    Evidence,
    Member,
    Params,
    RiskStatus,
)

DAY = date(2026, 7, 1)
START = datetime(2026, 7, 1, 2, 30, tzinfo=UTC)


def cluster(*ids: str, score: float = 1.0) -> Cluster:
    """A hand-made cluster of enterprises ``ids`` (the first listed, the others linked)."""
    members = [
        Member(
            id=i,
            label=Label.ENTERPRISE,
            name=f"企业{i}",
            status=RiskStatus.LISTED if n == 0 else RiskStatus.LINKED,
        )
        for n, i in enumerate(ids)
    ]
    return Cluster(
        key="k-" + "-".join(sorted(ids)),
        members=members,
        score=score,
        statuses={RiskStatus.LISTED: 1, RiskStatus.LINKED: len(ids) - 1},
        evidence={Evidence.LEGAL_ROLE: len(ids) - 1},
        strongest=[],
        listed=[ids[0]],
        explanation="hand-made",
    )


def make_run(number: int, *clusters: Cluster, version: str = "v1") -> ClusterRun:
    """Run ``number`` of the job (a day apart), finding ``clusters``."""
    started = START + timedelta(days=number)
    params = Params(
        as_of=DAY + timedelta(days=number),
        weights={Evidence.LEGAL_ROLE: 1.0},
        hub_cap=50,
        min_weight=1.0,
        community_size=200,
        penalty_days=365,
        min_risky=1,
    )
    return ClusterRun(
        run_id=f"run-{number}",
        started_at=started,
        finished_at=started + timedelta(minutes=3),
        params=params,
        data_version=version,
        clusters=list(clusters),
    )


@pytest.fixture
def history(tmp_path: Path) -> RunHistory:
    return RunHistory(tmp_path / "clusters")


def ids_by_first_member(run: ClusterRun) -> dict[str, str]:
    return {c.members[0].id: c.id or "" for c in run.clusters}


def by_kind(changes: list[Change]) -> dict[ChangeKind, list[Change]]:
    found: dict[ChangeKind, list[Change]] = {}
    for change in changes:
        found.setdefault(change.kind, []).append(change)
    return found


def test_a_first_run_is_all_new_and_a_second_on_the_same_data_changes_nothing(
    history: RunHistory,
) -> None:
    first, diff = history.save(make_run(1, cluster("a", "b", "c"), cluster("x", "y")))
    assert diff.previous_run_id is None and diff.run_id == "run-1"
    assert [c.kind for c in diff.changes] == [ChangeKind.NEW, ChangeKind.NEW]
    assert diff.changes[0].added == ["a", "b", "c"]
    ids = ids_by_first_member(first)
    assert len(set(ids.values())) == 2 and all(i.startswith("cl-") for i in ids.values())
    again, same = history.save(make_run(2, cluster("x", "y", score=3.0), cluster("a", "b", "c")))
    assert same.changes == [] and same.previous_run_id == "run-1"
    assert ids_by_first_member(again) == ids  # the same clusters keep their ids
    assert history.latest() == again
    assert [r.run_id for r in history.list_runs()] == ["run-2", "run-1"]


def test_grown_and_shrunk_list_who_came_and_went(history: RunHistory) -> None:
    first, _ = history.save(make_run(1, cluster("a", "b", "c"), cluster("x", "y", "z")))
    ids = ids_by_first_member(first)
    second, diff = history.save(make_run(2, cluster("a", "b", "c", "d"), cluster("x", "y")))
    assert ids_by_first_member(second) == ids
    changes = by_kind(diff.changes)
    [grown] = changes[ChangeKind.GROWN]
    assert (grown.cluster_id, grown.added, grown.removed) == (ids["a"], ["d"], [])
    [shrunk] = changes[ChangeKind.SHRUNK]
    assert (shrunk.cluster_id, shrunk.added, shrunk.removed) == (ids["x"], [], ["z"])
    assert set(changes) == {ChangeKind.GROWN, ChangeKind.SHRUNK}


def test_a_listing_joining_two_clusters_is_a_merge_keeping_the_larger_id(
    history: RunHistory,
) -> None:
    first, _ = history.save(make_run(1, cluster("a", "b", "c"), cluster("x", "y")))
    ids = ids_by_first_member(first)
    # a new listing "n" shares people with both: one cluster now
    second, diff = history.save(make_run(2, cluster("n", "a", "b", "c", "x", "y")))
    [merged] = diff.changes
    assert merged.kind is ChangeKind.MERGED
    assert merged.cluster_id == ids["a"] and merged.previous_ids == [ids["x"]]
    assert merged.added == ["n"] and merged.removed == []
    assert second.clusters[0].id == ids["a"]
    later = history.get_cluster(ids["x"])  # the absorbed id: its last run and the merge
    assert later.run_id == "run-1" and not later.current
    assert [e.change.kind for e in later.history] == [ChangeKind.NEW, ChangeKind.MERGED]


def test_a_repair_dissolving_a_cluster(history: RunHistory) -> None:
    first, _ = history.save(make_run(1, cluster("a", "b"), cluster("x", "y", "z")))
    ids = ids_by_first_member(first)
    _, diff = history.save(make_run(2, cluster("x", "y", "z")))  # a's entry repaired (信用修复)
    [dissolved] = diff.changes
    assert dissolved.kind is ChangeKind.DISSOLVED and dissolved.cluster_id == ids["a"]
    assert dissolved.removed == ["a", "b"] and dissolved.score is None
    # a cluster that comes back later is a new one, with a new id: ids are never reused
    third, diff3 = history.save(make_run(3, cluster("a", "b"), cluster("x", "y", "z")))
    [new] = diff3.changes
    assert new.kind is ChangeKind.NEW and new.cluster_id not in ids.values()
    assert ids_by_first_member(third)["x"] == ids["x"]


def test_a_split_keeps_the_id_on_the_largest_part(history: RunHistory) -> None:
    first, _ = history.save(make_run(1, cluster("a", "b", "c", "d", "e", "f")))
    [old] = ids_by_first_member(first).values()
    second, diff = history.save(make_run(2, cluster("a", "b", "c", "d"), cluster("e", "f")))
    ids = ids_by_first_member(second)
    assert ids["a"] == old and ids["e"] != old
    changes = {c.cluster_id: c for c in diff.changes}
    assert {c.kind for c in diff.changes} == {ChangeKind.SPLIT}
    assert changes[old].previous_ids == [] and changes[old].removed == ["e", "f"]
    assert changes[ids["e"]].previous_ids == [old] and changes[ids["e"]].added == []


def test_a_small_overlap_is_not_a_continuation(tmp_path: Path) -> None:
    history = RunHistory(tmp_path, threshold=0.5)
    history.save(make_run(1, cluster("a", "b")))
    _, diff = history.save(make_run(2, cluster("b", "c")))  # overlap 0.5: not above
    assert sorted(c.kind for c in diff.changes) == [ChangeKind.DISSOLVED, ChangeKind.NEW]
    lenient = RunHistory(tmp_path / "other", threshold=0.4)
    lenient.save(make_run(1, cluster("a", "b")))
    _, diff = lenient.save(make_run(2, cluster("b", "c")))
    [grown] = diff.changes  # the same size with one member swapped counts as grown
    assert (grown.kind, grown.added, grown.removed) == (ChangeKind.GROWN, ["c"], ["a"])


def test_changes_since_a_date_or_a_moment(history: RunHistory) -> None:
    history.save(make_run(1, cluster("a", "b")))
    history.save(make_run(2, cluster("a", "b", "c")))
    history.save(make_run(3, cluster("a", "b", "c")))
    log = history.changes_since(DAY + timedelta(days=2))
    assert [d.run_id for d in log.runs] == ["run-2", "run-3"]
    assert [c.kind for c in log.runs[0].changes] == [ChangeKind.GROWN] and log.runs[1].changes == []
    late = history.changes_since(START + timedelta(days=2, minutes=4))  # after run 2 finished
    assert [d.run_id for d in late.runs] == ["run-3"]
    naive = history.changes_since(datetime(2026, 7, 3, 2, 0))  # naive: read as UTC
    assert [d.run_id for d in naive.runs] == ["run-2", "run-3"]
    capped = history.changes_since(DAY, limit=1)
    assert [d.run_id for d in capped.runs] == ["run-1"] and capped.truncated


def test_get_run_diff_and_cluster_and_not_found(history: RunHistory) -> None:
    first, diff = history.save(make_run(1, cluster("a", "b")))
    assert history.get_run("run-1") == first and history.get_diff("run-1") == diff
    cid = first.clusters[0].id or ""
    found = history.get_cluster(cid)
    assert (
        found.current and found.cluster == first.clusters[0] and found.as_of == first.params.as_of
    )
    for missing in (lambda: history.get_run("run-9"), lambda: history.get_cluster("cl-none")):
        with pytest.raises(NotFound):
            missing()
    with pytest.raises(NotFound):
        history.get_run("../index")
    with pytest.raises(ValueError, match="already kept"):
        history.save(make_run(1, cluster("a", "b")))


def crash_on(target: str) -> Callable[[str | os.PathLike[str], str | os.PathLike[str]], None]:
    """An ``os.replace`` that dies (as a killed process would) when it renames onto ``target``."""
    real = os.replace

    def replace(src: str | os.PathLike[str], dst: str | os.PathLike[str]) -> None:
        if Path(dst).name == target:
            raise KeyboardInterrupt("killed between the temporary file and the rename")
        real(src, dst)

    return replace


@pytest.mark.parametrize("target", ["run-2.json", "index.json"])
def test_a_crash_while_saving_leaves_the_previous_run_as_latest(
    history: RunHistory, monkeypatch: pytest.MonkeyPatch, target: str
) -> None:
    first, _ = history.save(make_run(1, cluster("a", "b"), cluster("x", "y")))
    monkeypatch.setattr(history_module.os, "replace", crash_on(target))
    with pytest.raises(KeyboardInterrupt):
        history.save(make_run(2, cluster("a", "b", "c", "x", "y")))
    monkeypatch.undo()
    reopened = RunHistory(history.folder)
    assert reopened.latest() == first
    assert [r.run_id for r in reopened.list_runs()] == ["run-1"]
    assert json.loads((history.folder / "index.json").read_text())["latest"] == "run-1"
    leftovers = [p.name for p in history.folder.rglob("*.tmp")]
    assert leftovers == []  # the temporary file is removed, not left half-written
    # the next run compares with the last run kept, not the one that crashed
    _, diff = reopened.save(make_run(3, cluster("a", "b"), cluster("x", "y")))
    assert diff.previous_run_id == "run-1" and diff.changes == []
