"""The embedded store keeps every acknowledged batch: reopen, kill -9, torn writes, snapshots."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from graph.errors import StoreUnavailable
from graph.model import Enterprise
from graph.store.embedded.store import EmbeddedStore
from tests import factories as f

ROOT = Path(__file__).resolve().parents[2]

WRITER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from graph.model import Enterprise
    from graph.store.embedded.store import EmbeddedStore

    store = EmbeddedStore(Path(sys.argv[1]), compact_bytes=int(sys.argv[2]))
    batch = 0
    while True:
        items = [Enterprise(id=f"org:{batch}:{i}", name=f"公司{batch}-{i}") for i in range(200)]
        store.upsert_entities(items)
        print(batch, flush=True)
        batch += 1
    """
)


def test_reopening_restores_the_same_graph(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path)
    f.load(store, f.county())
    stats, detail = store.stats(), store.get_entity(f.COMPANY_A)
    page = store.neighbourhood(f.ZHOU.id)
    store.close()
    again = EmbeddedStore(tmp_path)
    assert again.stats() == stats
    assert again.get_entity(f.COMPANY_A) == detail
    assert again.neighbourhood(f.ZHOU.id) == page
    again.close()


@pytest.mark.parametrize("compact_bytes", [256 << 20, 200_000], ids=["journal", "snapshots"])
def test_kill_9_loses_no_acknowledged_batch(tmp_path: Path, compact_bytes: int) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(tmp_path), str(compact_bytes)],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert proc.stdout is not None
    acked = -1
    for line in proc.stdout:
        acked = int(line)
        if acked >= 40:
            break
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    store = EmbeddedStore(tmp_path)
    count = store.stats().nodes["Enterprise"]
    assert count >= (acked + 1) * 200, "an acknowledged batch was lost"
    assert count % 200 == 0, "a batch was half applied"
    for batch in range(acked + 1):
        assert store.get_entity(f"org:{batch}:199").entity.name == f"公司{batch}-199"
    store.close()


def test_a_torn_last_line_is_dropped_and_the_rest_kept(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path)
    store.upsert_entities([Enterprise(id="org:1", name="甲")])
    store._abandon()  # simulate a crash: no snapshot on close
    with open(tmp_path / "journal.jsonl", "ab") as handle:
        handle.write(b'{"seq": 2, "ops": [["node", "org:2", {"na')
    again = EmbeddedStore(tmp_path)
    assert again.stats().nodes == {"Enterprise": 1}
    again.upsert_entities([Enterprise(id="org:3", name="丙")])
    again.close()
    third = EmbeddedStore(tmp_path)
    assert third.stats().nodes == {"Enterprise": 2}
    third.close()


def test_corruption_before_the_end_refuses_to_open(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path)
    store.upsert_entities([Enterprise(id="org:1", name="甲")])
    store.upsert_entities([Enterprise(id="org:2", name="乙")])
    store._abandon()
    data = (tmp_path / "journal.jsonl").read_bytes()
    (tmp_path / "journal.jsonl").write_bytes(b"garbage\n" + data)
    with pytest.raises(StoreUnavailable, match="line 1 is corrupt"):
        EmbeddedStore(tmp_path)


def test_one_process_owns_a_data_directory(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path)
    with pytest.raises(StoreUnavailable, match="in use"):
        EmbeddedStore(tmp_path)
    store.close()
    EmbeddedStore(tmp_path).close()
