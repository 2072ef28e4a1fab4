"""The Neo4j schema is applied idempotently and checked when the service starts."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from neo4j import GraphDatabase

from api.app import create_app
from graph.schema import RETIRED, SCHEMA
from graph.settings import Settings
from graph.store.protocol import GraphStore

pytestmark = pytest.mark.neo4j


def constraints(neo4j_server: dict[str, str]) -> set[tuple[str, str, tuple[str, ...], str]]:
    auth = (neo4j_server["user"], neo4j_server["password"])
    with GraphDatabase.driver(neo4j_server["uri"], auth=auth) as driver:
        rows = driver.execute_query(
            "SHOW CONSTRAINTS YIELD name, type, labelsOrTypes, properties"
        ).records
    return {(r["name"], r["labelsOrTypes"][0], tuple(r["properties"]), r["type"]) for r in rows}


def test_node_ids_are_unique_across_labels(
    neo4j_store: GraphStore, neo4j_server: dict[str, str]
) -> None:
    found = {(label, props, kind) for _, label, props, kind in constraints(neo4j_server)}
    assert ("Node", ("id",), "UNIQUENESS") in found
    wanted = {(str(i.label), i.properties, "UNIQUENESS") for i in SCHEMA if i.kind == "unique"}
    assert wanted <= found
    neo4j_store.write_entities([{"id": "x:1", "label": "Person", "name": "甲"}])
    result = neo4j_store.write_entities([{"id": "x:1", "label": "Enterprise", "name": "乙"}])
    assert [r.field for r in result.rejected] == ["id"]  # one id, one node, whatever the label


def test_db_init_drops_the_constraints_of_the_earlier_schema(
    neo4j_store: GraphStore, neo4j_server: dict[str, str]
) -> None:
    auth = (neo4j_server["user"], neo4j_server["password"])
    with GraphDatabase.driver(neo4j_server["uri"], auth=auth) as driver:
        driver.execute_query(
            "CREATE CONSTRAINT enterprise_id IF NOT EXISTS "
            "FOR (n:Enterprise) REQUIRE n.id IS UNIQUE"
        )
    assert "enterprise_id" in {name for name, *_ in constraints(neo4j_server)}
    neo4j_store.init_schema()
    names = {name for name, *_ in constraints(neo4j_server)}
    assert "enterprise_id" not in names and not names & set(RETIRED)


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
