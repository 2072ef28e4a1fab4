"""Fixtures: the embedded store, the real Neo4j test server, and one ``store`` over both."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from graph.store.embedded.store import EmbeddedStore
from graph.store.protocol import GraphStore

ROOT = Path(__file__).resolve().parent.parent
CREDENTIALS = ROOT / ".neo4j" / "instances" / "test" / "credentials.json"


def neo4j_required() -> bool:
    """CI (and CREDGRAPH_REQUIRE_NEO4J=1) turns a missing Neo4j into a failure."""
    return os.environ.get("CREDGRAPH_REQUIRE_NEO4J") == "1" or os.environ.get("CI") == "true"


def neo4j_credentials() -> dict[str, str] | None:
    """The test server's URI and password, as written by ``scripts/neo4j start --name test``."""
    path = Path(os.environ.get("CREDGRAPH_TEST_NEO4J_CREDENTIALS", CREDENTIALS))
    if not path.exists():
        return None
    data: dict[str, str] = json.loads(path.read_text())
    return data


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[Any]) -> Iterator[None]:
    """With Neo4j required (CI), a Neo4j or browser test that skips is reported as a failure."""
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    real = item.get_closest_marker("neo4j") or item.get_closest_marker("browser")
    if report.skipped and neo4j_required() and real:
        report.outcome = "failed"
        report.longrepr = f"test of a real component skipped in CI: {report.longrepr}"


@pytest.fixture(scope="session")
def neo4j_server() -> dict[str, str]:
    """Connection details of the running test server, or skip (fail in CI)."""
    creds = neo4j_credentials()
    message = f"no Neo4j test server ({CREDENTIALS} missing): run scripts/neo4j start --name test"
    if creds is not None:
        from neo4j import GraphDatabase
        from neo4j.exceptions import DriverError, Neo4jError

        try:
            with GraphDatabase.driver(creds["uri"], auth=(creds["user"], creds["password"])) as d:
                d.verify_connectivity()
            return creds
        except (DriverError, Neo4jError, OSError) as exc:
            message = f"Neo4j test server at {creds['uri']} does not answer: {exc}"
    if neo4j_required():
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def neo4j_session_store(neo4j_server: dict[str, str]) -> Iterator[GraphStore]:
    """One Neo4jStore on the test server for the whole session, schema applied once."""
    from graph.store.neo4j.store import Neo4jStore

    store = Neo4jStore(
        neo4j_server["uri"],
        (neo4j_server["user"], neo4j_server["password"]),
        database=neo4j_server.get("database", "neo4j"),
        batch_size=2000,
    )
    store.init_schema()
    yield store
    store.close()


def clear_neo4j(server: dict[str, str]) -> None:
    """Delete everything in the test server's database (a database the tests own)."""
    from neo4j import GraphDatabase

    auth = (server["user"], server["password"])
    with (
        GraphDatabase.driver(server["uri"], auth=auth) as driver,
        driver.session(database=server.get("database", "neo4j")) as session,
    ):
        session.run(
            "MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS"
        ).consume()


@pytest.fixture
def neo4j_store(neo4j_server: dict[str, str], neo4j_session_store: GraphStore) -> GraphStore:
    """The session Neo4jStore on an empty database."""
    clear_neo4j(neo4j_server)
    return neo4j_session_store


@pytest.fixture
def embedded_store(tmp_path: Path) -> Iterator[EmbeddedStore]:
    """A fresh embedded store in a temporary data directory."""
    store = EmbeddedStore(tmp_path / "graph")
    yield store
    store.close()


@pytest.fixture(params=["embedded", pytest.param("neo4j", marks=pytest.mark.neo4j)])
def store(request: pytest.FixtureRequest) -> GraphStore:
    """Every contract test runs once per store, with the same assertions."""
    name = "embedded_store" if request.param == "embedded" else "neo4j_store"
    result: GraphStore = request.getfixturevalue(name)
    return result


#: Where scripts/neo4j keeps its servers.
NEO4J_HOMES = Path(os.environ.get("CREDGRAPH_NEO4J_HOME_ROOT") or ROOT / ".neo4j")


def scripts_neo4j(name: str, *args: str, timeout: float = 240) -> subprocess.CompletedProcess[str]:
    """``scripts/neo4j ARGS --name NAME``."""
    command = [sys.executable, str(ROOT / "scripts" / "neo4j"), *args, "--name", name]
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout)


@contextmanager
def own_neo4j(
    name: str, port: int, memory: tuple[str, ...], *, kill: bool = False
) -> Iterator[dict[str, str]]:
    """A Neo4j server of a test's own (it may stop, kill or import into it), started and
    emptied; stopped afterwards whatever happens. A server that cannot start is a failure
    where Neo4j is required (CI), else a skip."""
    started = scripts_neo4j(name, "start", "--bolt-port", str(port), *memory)
    try:
        if started.returncode != 0:
            message = f"cannot start Neo4j instance {name!r}: {started.stderr[-2000:]}"
            if neo4j_required():
                pytest.fail(message)
            pytest.skip(message)
        credentials = NEO4J_HOMES / "instances" / name / "credentials.json"
        creds: dict[str, str] = json.loads(credentials.read_text())
        clear_neo4j(creds)  # the instance is this test's own: nothing of anyone else's
        yield creds
    finally:
        scripts_neo4j(name, "stop", *(["--kill"] if kill else []), timeout=60 if kill else 120)
