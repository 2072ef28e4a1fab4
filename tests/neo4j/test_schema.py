"""The Neo4j schema is applied idempotently and checked when the service starts."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from neo4j import GraphDatabase

from api.app import create_app
from graph.schema import SCHEMA
from graph.settings import Settings
from graph.store.protocol import GraphStore

pytestmark = pytest.mark.neo4j


def test_every_label_has_a_uniqueness_constraint(
    neo4j_store: GraphStore, neo4j_server: dict[str, str]
) -> None:
    auth = (neo4j_server["user"], neo4j_server["password"])
    with GraphDatabase.driver(neo4j_server["uri"], auth=auth) as driver:
        rows = driver.execute_query(
            "SHOW CONSTRAINTS YIELD name, type, labelsOrTypes, properties"
        ).records
    found = {(r["labelsOrTypes"][0], tuple(r["properties"]), r["type"]) for r in rows}
    wanted = {(str(i.label), i.properties, "UNIQUENESS") for i in SCHEMA if i.kind == "unique"}
    assert wanted <= found


def test_a_missing_index_is_reported_and_stops_the_service(
    neo4j_store: GraphStore, neo4j_server: dict[str, str], tmp_path: Path
) -> None:
    auth = (neo4j_server["user"], neo4j_server["password"])
    try:
        with GraphDatabase.driver(neo4j_server["uri"], auth=auth) as driver:
            driver.execute_query("DROP INDEX record_status")
        assert neo4j_store.check_schema() == ["record_status"]
        app = create_app(Settings(data_dir=tmp_path), neo4j_store)
        with pytest.raises(RuntimeError, match="credgraph db init"), TestClient(app):
            pass
    finally:
        neo4j_store.init_schema()
    assert neo4j_store.check_schema() == []
