"""A load killed halfway and run again ends in the same graph as one clean run."""

from __future__ import annotations

import csv
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from graph.store.embedded.store import EmbeddedStore
from graph.store.protocol import GraphStore
from tests.conftest import ROOT, clear_neo4j
from tests.loaders.conftest import SAMPLES

ROWS = 20_000


def many_penalties(folder: Path) -> Path:
    """The sample folder's enterprises plus ROWS penalties against them."""
    folder.mkdir()
    shutil.copy(SAMPLES / "企业登记信息.csv", folder)
    source = SAMPLES / "行政处罚信息.csv"
    header, row = list(csv.reader(source.open(encoding="utf-8")))[:2]
    number = header.index("行政处罚决定书文号")
    with open(folder / "行政处罚信息.csv", "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for i in range(ROWS):
            row[number] = f"某市监处罚〔2025〕{i}号"
            writer.writerow(row)
    return folder


def run_load(
    folder: Path, env: dict[str, str], *, kill_when: Callable[[], bool] | None = None
) -> int:
    command = [
        sys.executable,
        "-m",
        "api.cli",
        "load",
        str(folder),
        "--batch-size",
        "250",
        "--rejects",
        str(folder.parent / "rejects.csv"),
        "--summary",
        str(folder.parent / "summary.json"),
    ]
    proc = subprocess.Popen(
        command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    if kill_when is None:
        _, err = proc.communicate(timeout=600)
        assert proc.returncode == 0, err.decode()
        return 0
    deadline = time.monotonic() + 300
    while proc.poll() is None and not kill_when() and time.monotonic() < deadline:
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    return proc.returncode


def graph_of(store: GraphStore) -> tuple[object, int]:
    detail = store.get_entity("91420102MA4K00010N", record_limit=0)
    return store.stats(), detail.record_total


@pytest.mark.parametrize("backend", ["embedded", pytest.param("neo4j", marks=pytest.mark.neo4j)])
def test_killed_load_run_again_equals_a_clean_load(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    folder = many_penalties(tmp_path / "in")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "CREDGRAPH_ID_HASH_KEY": "k" * 40}
    env.pop("CREDGRAPH_NEO4J_URI", None)
    if backend == "neo4j":
        server = request.getfixturevalue("neo4j_server")
        env.update(CREDGRAPH_NEO4J_URI=server["uri"], CREDGRAPH_NEO4J_PASSWORD=server["password"])

    def open_graph(data: Path) -> tuple[object, int]:
        if backend == "neo4j":
            store: GraphStore = request.getfixturevalue("neo4j_session_store")
            return graph_of(store)
        embedded = EmbeddedStore(data / "graph")
        try:
            return graph_of(embedded)
        finally:
            embedded.close()

    def fresh(data: Path) -> None:
        env["CREDGRAPH_DATA_DIR"] = str(data)
        if backend == "neo4j":
            clear_neo4j(request.getfixturevalue("neo4j_server"))

    fresh(tmp_path / "clean")
    run_load(folder, env)
    clean = open_graph(tmp_path / "clean")
    assert clean[1] == ROWS

    fresh(tmp_path / "killed")
    journal = tmp_path / "killed" / "graph" / "journal.jsonl"

    def some_batches_written() -> bool:
        if backend == "neo4j":
            store: GraphStore = request.getfixturevalue("neo4j_session_store")
            return store.stats().nodes.get("AdministrativePenalty", 0) >= 1000
        return journal.exists() and journal.stat().st_size > 1_000_000

    code = run_load(folder, env, kill_when=some_batches_written)
    assert code == -signal.SIGKILL, "the load finished before it could be killed"
    partial = open_graph(tmp_path / "killed")
    assert partial[1] < ROWS
    run_load(folder, env)
    assert open_graph(tmp_path / "killed") == clean
