"""A Neo4j server killed with SIGKILL and restarted has every committed write."""

from __future__ import annotations

import subprocess
import sys

import pytest

from graph.store.neo4j.store import Neo4jStore
from graph.store.protocol import GraphStore
from tests import factories as f
from tests.conftest import ROOT

pytestmark = pytest.mark.neo4j


def neo4j_script(*args: str) -> None:
    subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "neo4j"), *args, "--name", "test"],
        check=True,
        timeout=300,
    )


def test_a_killed_server_restarts_with_every_committed_write(
    neo4j_store: GraphStore, neo4j_server: dict[str, str]
) -> None:
    f.load(neo4j_store, f.county())
    stats = neo4j_store.stats()
    detail = neo4j_store.get_entity(f.COMPANY_A)

    neo4j_script("stop", "--kill")
    neo4j_script("start")

    fresh = Neo4jStore(neo4j_server["uri"], (neo4j_server["user"], neo4j_server["password"]))
    try:
        assert fresh.stats() == stats
        assert fresh.get_entity(f.COMPANY_A) == detail
        assert fresh.check_schema() == []
    finally:
        fresh.close()
    assert neo4j_store.stats() == stats, "the long-lived driver reconnects after the restart"
