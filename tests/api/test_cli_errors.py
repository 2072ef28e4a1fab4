"""A store the CLI cannot open gives one line saying what to do, and exit code 2."""

from __future__ import annotations

import json
import os
import socket
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from api.cli import app
from graph.model import Enterprise
from graph.store.embedded.store import EmbeddedStore

SECRET = "hunter2-not-a-real-password"
#: Commands that write: they need the data directory to themselves.
COMMANDS = [
    ["db", "init"],
    ["demo", "--no-serve", "--entities", "0"],
    ["load", "tests/data/samples"],
]
#: Commands that only ask: they open the directory read-only, beside its owner.
READERS = [
    ["stats"],
    ["entity", "91420102MA4K00010N", "--json"],
    ["check", "91420102MA4K00010N", "--matter", "procurement"],
    ["evasion", "91420102MA4K00010N", "91420102MA4K00029K"],
]


def one_error_line(result: Result) -> str:
    """The single line a failed command printed (stderr), after checking there is no more."""
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    return lines[0]


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in ("CREDGRAPH_NEO4J_URI", "CREDGRAPH_NEO4J_USER", "CREDGRAPH_NEO4J_PASSWORD"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CREDGRAPH_DATA_DIR", str(tmp_path))
    return tmp_path


@pytest.fixture
def held(data_dir: Path) -> Iterator[EmbeddedStore]:
    """The embedded store of ``data_dir`` held open, as `credgraph serve` would hold it."""
    store = EmbeddedStore(data_dir / "graph")
    yield store
    store.close()


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
def test_a_held_data_directory_is_one_line_and_exit_2(
    held: EmbeddedStore, data_dir: Path, command: list[str]
) -> None:
    line = one_error_line(CliRunner().invoke(app, command))
    assert f"{data_dir} is in use by another credgraph process" in line
    assert "stop it, or ask the service over HTTP" in line
    if sys.platform == "linux":  # the holder's pid is read from /proc/locks
        assert f"pid {os.getpid()}" in line


def test_the_store_opens_again_once_released(data_dir: Path) -> None:
    store = EmbeddedStore(data_dir / "graph")
    try:
        assert CliRunner().invoke(app, ["db", "init"]).exit_code == 2
    finally:
        store.close()
    result = CliRunner().invoke(app, ["db", "init"])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("command", READERS, ids=lambda c: c[0])
def test_questions_work_beside_the_owner_and_see_what_it_committed(
    held: EmbeddedStore, command: list[str]
) -> None:
    """`credgraph check` and the other questions while `credgraph serve` owns the data."""
    before = CliRunner().invoke(app, command)  # an empty graph: answers or "not found"
    assert "in use" not in before.output
    held.upsert_entities([Enterprise(id="91420102MA4K00010N", name="武汉某某建设工程有限公司")])
    stats = CliRunner().invoke(app, ["stats", "--json"])
    assert json.loads(stats.output)["nodes"] == {"Enterprise": 1}
    entity = CliRunner().invoke(app, ["entity", "91420102MA4K00010N", "--json"])
    assert entity.exit_code == 0, entity.output
    assert json.loads(entity.output)["entity"]["name"] == "武汉某某建设工程有限公司"


def test_a_store_folder_that_cannot_be_made_is_one_line(data_dir: Path) -> None:
    (data_dir / "graph").write_text("a file where the store's folder should be")
    line = one_error_line(CliRunner().invoke(app, ["stats"]))
    assert line.startswith(f"error: the embedded store in {data_dir} cannot be opened: ")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


@pytest.mark.parametrize("command", COMMANDS[:3], ids=lambda c: c[0])
def test_an_unreachable_neo4j_is_one_line_without_secrets(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch, command: list[str]
) -> None:
    port = free_port()
    monkeypatch.setenv("CREDGRAPH_NEO4J_URI", f"bolt://127.0.0.1:{port}")
    monkeypatch.setenv("CREDGRAPH_NEO4J_PASSWORD", SECRET)
    line = one_error_line(CliRunner().invoke(app, command))
    assert line == (
        f"error: Neo4j at bolt://127.0.0.1:{port} cannot be reached: start it "
        "(scripts/neo4j start), or check CREDGRAPH_NEO4J_URI"
    )


@pytest.mark.parametrize(
    "uri",
    [f"bolt://neo4j:{SECRET}@127.0.0.1:7699", "127.0.0.1:7699", "ftp://127.0.0.1:7699"],
)
def test_a_bad_neo4j_uri_is_one_line_without_secrets(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch, uri: str
) -> None:
    monkeypatch.setenv("CREDGRAPH_NEO4J_URI", uri)
    line = one_error_line(CliRunner().invoke(app, ["stats"]))
    assert SECRET not in line and "Neo4j at" in line and "CREDGRAPH_NEO4J_" in line


@pytest.mark.neo4j
def test_a_wrong_neo4j_password_is_one_line_without_it(
    neo4j_server: dict[str, str], data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CREDGRAPH_NEO4J_URI", neo4j_server["uri"])
    monkeypatch.setenv("CREDGRAPH_NEO4J_USER", neo4j_server["user"])
    monkeypatch.setenv("CREDGRAPH_NEO4J_PASSWORD", SECRET)
    line = one_error_line(CliRunner().invoke(app, ["stats"]))
    assert "refused the user name or password" in line and SECRET not in line
