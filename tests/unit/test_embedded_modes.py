"""The embedded store's other open modes: read-only beside an owner process, and in memory."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import orjson
import pytest

from graph.errors import StoreUnavailable
from graph.model import Enterprise
from graph.store.embedded.store import EmbeddedStore
from tests import factories as f

ROOT = Path(__file__).resolve().parents[2]

# Writes BATCHES batches of 200 enterprises (printing each acknowledged batch), prints
# "done", then holds the directory until its standard input closes, and closes the store.
OWNER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from graph.model import Enterprise
    from graph.store.embedded.store import EmbeddedStore

    store = EmbeddedStore(Path(sys.argv[1]), compact_bytes=int(sys.argv[2]))
    for batch in range(int(sys.argv[3])):
        items = [Enterprise(id=f"org:{batch}:{i}", name=f"公司{batch}-{i}") for i in range(200)]
        store.upsert_entities(items)
        print(batch, flush=True)
    print("done", flush=True)
    sys.stdin.read()
    store.close()
    print("closed", flush=True)
    """
)


def owner(directory: Path, batches: int, compact_bytes: int) -> subprocess.Popen[str]:
    """The owning process, started."""
    return subprocess.Popen(
        [sys.executable, "-c", OWNER, str(directory), str(compact_bytes), str(batches)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


def enterprises(store: EmbeddedStore) -> int:
    return store.stats().nodes.get("Enterprise", 0)


@pytest.mark.parametrize("compact_bytes", [256 << 20, 30_000], ids=["journal", "compactions"])
def test_a_reader_follows_the_owner_process(tmp_path: Path, compact_bytes: int) -> None:
    EmbeddedStore(tmp_path).close()  # the directory exists before the owner starts
    proc = owner(tmp_path, 40, compact_bytes)
    assert proc.stdout is not None and proc.stdin is not None
    reader = EmbeddedStore(tmp_path, read_only=True)
    seen = []
    for line in proc.stdout:
        if line.strip() == "done":
            break
        acked = int(line)
        count = enterprises(reader)  # the reader works while the owner holds the lock
        assert count >= (acked + 1) * 200, "an acknowledged batch is not seen"
        assert count % 200 == 0, "half a batch is seen"
        seen.append(count)
    assert enterprises(reader) == 40 * 200
    assert reader.get_entity("org:39:199").entity.name == "公司39-199"
    assert seen == sorted(seen)
    proc.stdin.close()  # the owner closes: a final snapshot, a new journal
    assert proc.stdout.readline().strip() == "closed"
    proc.wait()
    assert enterprises(reader) == 40 * 200
    again = EmbeddedStore(tmp_path)  # the reader holds no lock
    again.upsert_entities([Enterprise(id="org:new", name="新公司")])
    assert reader.get_entity("org:new").entity.name == "新公司"
    again.close()
    assert reader.get_entity("org:new").entity.name == "新公司"
    reader.close()


def test_a_reader_refuses_writes_and_writes_nothing(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path)
    f.load(store, f.county())
    stats = store.stats()
    reader = EmbeddedStore(tmp_path, read_only=True)
    before = {p.name: p.stat().st_mtime_ns for p in tmp_path.iterdir()}
    with pytest.raises(StoreUnavailable, match="read-only"):
        reader.upsert_entities([Enterprise(id="org:x", name="某公司")])
    assert reader.stats() == stats
    assert reader.get_entity(f.COMPANY_A) == store.get_entity(f.COMPANY_A)
    assert reader.neighbourhood(f.ZHOU.id) == store.neighbourhood(f.ZHOU.id)
    reader.close()
    assert {p.name: p.stat().st_mtime_ns for p in tmp_path.iterdir()} == before
    store.close()


def test_a_reader_takes_only_complete_lines(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path)
    store.upsert_entities([Enterprise(id="org:1", name="甲")])
    reader = EmbeddedStore(tmp_path, read_only=True)
    assert enterprises(reader) == 1
    item = Enterprise(id="org:2", name="乙").properties()
    line = orjson.dumps(
        {"seq": 2, "write": "entities", "at": "2024-01-01T00:00:00Z", "items": [item]}
    )
    journal = tmp_path / "journal.jsonl"
    with open(journal, "ab") as handle:
        handle.write(line[:20])
        handle.flush()
        assert enterprises(reader) == 1  # a write in progress is not seen
        handle.write(line[20:])
        handle.flush()
        assert enterprises(reader) == 1  # no newline yet: not acknowledged
        handle.write(b"\n")
    assert enterprises(reader) == 2
    assert reader.get_entity("org:2").entity.name == "乙"
    reader.close()
    store._abandon()  # type: ignore[union-attr]  # type: ignore[union-attr]


def exported(store: EmbeddedStore) -> list[bytes]:
    """What ``iter_items`` gives, but the load times, in a stable order."""
    items = [{k: v for k, v in p.items() if k != "loaded_at"} for _, p in store.iter_items()]
    return sorted(orjson.dumps(p, option=orjson.OPT_SORT_KEYS) for p in items)


def test_the_in_memory_store_touches_no_disk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    store = EmbeddedStore.in_memory()
    f.load(store, f.county())
    durable = EmbeddedStore(tmp_path / "graph")
    f.load(durable, f.county())
    assert store.stats() == durable.stats()
    assert exported(store) == exported(durable)
    kinds = {(kind, p.get("type")) for kind, p in store.iter_items()}
    assert ("edge", "CONCERNS") in kinds and ("edge", "ISSUED_BY") in kinds
    store.close()
    durable.close()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["graph"]


def test_reopening_after_updates_and_moved_links(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path)
    f.load(store, f.county())
    records = [v.record for v in store.get_entity(f.COMPANY_A).records]
    moved = records[0].model_copy(update={"subject_id": f.ZHOU.id})
    assert store.upsert_records([moved]).updated == 1
    renamed = Enterprise(id="org:r", name="旧名")
    store.upsert_entities([renamed])
    store.upsert_entities([renamed.model_copy(update={"name": "新名"})])
    expect = (store.stats(), store.get_entity(f.COMPANY_A), store.get_entity(f.ZHOU.id))
    store._abandon()  # type: ignore[union-attr]  # a crash: replay the journal  # type: ignore[union-attr]
    again = EmbeddedStore(tmp_path)
    assert (again.stats(), again.get_entity(f.COMPANY_A), again.get_entity(f.ZHOU.id)) == expect
    assert again.get_entity("org:r").entity.former_names == ["旧名"]  # type: ignore[union-attr]
    again.close()
    third = EmbeddedStore(tmp_path)  # from the snapshot
    assert (third.stats(), third.get_entity(f.COMPANY_A), third.get_entity(f.ZHOU.id)) == expect
    third.close()


def test_a_directory_of_the_earlier_format_opens(tmp_path: Path) -> None:
    """Data written by the networkx store (snapshot.pickle, a journal of operations) opens
    with its nodes, relations, record links and loaded_at stamps, and is then rewritten."""
    import pickle

    import networkx as nx
    import orjson

    at = "2026-11-01T00:00:00Z"
    graph = nx.MultiDiGraph()
    graph.add_node(
        "91420102MA4K00010N",
        id="91420102MA4K00010N",
        label="Enterprise",
        name="武汉某某建设工程有限公司",
        kind="company",
        loaded_at=at,
    )
    graph.add_node("person:abc", id="person:abc", label="Person", name="周某", loaded_at=at)
    graph.add_node("1142010201100017X0", id="1142010201100017X0", label="Authority", name="某局")
    graph.add_node(
        "penalty:1",
        id="penalty:1",
        kind="AdministrativePenalty",
        subject_id="91420102MA4K00010N",
        issuer_id="1142010201100017X0",
        issuing_authority="某局",
        status="active",
        loaded_at=at,
    )
    edges = [
        ("person:abc", "91420102MA4K00010N", "LEGAL_REPRESENTATIVE_OF", {"loaded_at": at}),
        ("penalty:1", "91420102MA4K00010N", "CONCERNS", {}),
        ("penalty:1", "1142010201100017X0", "ISSUED_BY", {}),
    ]
    for source, target, rel_type, extra in edges:  # the old layout: key "TYPE\x1fkey"
        graph.add_edge(source, target, key=f"{rel_type}\x1f")
        graph.edges[source, target, f"{rel_type}\x1f"].update(type=rel_type, key="", **extra)
    with open(tmp_path / "snapshot.pickle", "wb") as handle:
        pickle.dump((1, graph), handle)
    later = {"id": "org:2", "label": "Enterprise", "name": "乙", "kind": "company", "loaded_at": at}
    line = {"seq": 2, "ops": [["node", "org:2", later]]}
    (tmp_path / "journal.jsonl").write_bytes(orjson.dumps(line) + b"\n")
    store = EmbeddedStore(tmp_path)
    try:
        assert store.stats().nodes == {
            "AdministrativePenalty": 1,
            "Authority": 1,
            "Enterprise": 2,
            "Person": 1,
        }
        detail = store.get_entity("91420102MA4K00010N")
        assert [view.record.id for view in detail.records] == ["penalty:1"]
        page = store.neighbourhood("91420102MA4K00010N")
        [link] = page.items
        assert link.node.id == "person:abc" and link.relation.type == "LEGAL_REPRESENTATIVE_OF"
        assert link.relation.loaded_at is not None
        assert link.relation.loaded_at.isoformat().startswith("2026-11-01")
        assert store.records_issued_by("1142010201100017X0")[0].id == "penalty:1"
    finally:
        store.close()
    again = EmbeddedStore(tmp_path)
    try:
        assert sum(again.stats().nodes.values()) == 5
    finally:
        again.close()
