"""``credgraph load --initial`` builds the very graph the online load builds, and refuses a
database that is not empty.

A generated county is loaded online (the normal Loader into a Neo4jStore), dumped, the
database emptied, then loaded with ``load --initial --neo4j-instance initial`` (parse into a
staging store, neo4j-admin import, schema) and dumped again. The dumps are canonical: every
node with its sorted labels and properties, every relationship with its type, end ids and
properties, each property with the type the driver returns (so a date stored as text or a
32-bit float would show), ``loaded_at`` by its type only; sorted. They must be equal, and so
must the two rejects files.

The test stops and starts the server, so it has a Neo4j instance of its own (``initial``,
bolt port 7693; never the shared ``test`` one).
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from neo4j import GraphDatabase

from graph.store.neo4j.store import Neo4jStore
from loaders.pipeline import Loader
from loaders.report import RejectWriter
from loaders.synthetic.county import generate_county
from tests.conftest import clear_neo4j, own_neo4j

pytestmark = pytest.mark.neo4j

NAME, PORT = "initial", 7693
SMALL = ("--heap", "512m", "--pagecache", "128m")
KEY = "initial-import-test-key-0123456789abcdef"
ENTITIES = 1000

NODES = "MATCH (n) RETURN labels(n) AS labels, properties(n) AS props"
RELATIONSHIPS = (
    "MATCH (a)-[r]->(b) RETURN type(r) AS type, a.id AS source, b.id AS target, "
    "properties(r) AS props"
)
COUNT = "MATCH (n) RETURN count(n) AS n"


@pytest.fixture(scope="module")
def instance() -> Iterator[dict[str, str]]:
    """The throwaway Neo4j, started and emptied; stopped afterwards whatever happens."""
    with own_neo4j(NAME, PORT, SMALL) as creds:
        yield creds


@pytest.fixture(scope="module")
def county(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated county, plus a file that renames its first enterprise (former names:
    a ``string[]``) and gives it an address over two lines (a multi-line CSV field)."""
    out = tmp_path_factory.mktemp("county")
    generate_county(out, entities=ENTITIES, seed=3)
    with (out / "企业登记信息.csv").open(encoding="utf-8-sig", newline="") as handle:
        header, first = list(csv.reader(handle))[:2]
    renamed = dict(zip(header, first, strict=True))
    renamed.update({"企业名称": '新"名"' + renamed["企业名称"], "住所": "第一行\n第二行"})
    with (out / "企业登记信息_更名.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerows([header, [renamed[h] for h in header]])
    return out


def _value(key: str, value: Any) -> tuple[str, Any]:
    """A property as (the driver's type, value); loaded_at by its type alone."""
    kind = type(value).__name__
    if key == "loaded_at":
        return kind, None
    if isinstance(value, list):
        return kind, [(type(v).__name__, v) for v in value]
    return kind, value if isinstance(value, str | int | float | bool) else str(value)


def _props(props: dict[str, Any]) -> list[tuple[str, tuple[str, Any]]]:
    return sorted((k, _value(k, v)) for k, v in props.items())


def dump(creds: dict[str, str]) -> tuple[list[str], list[str]]:
    """Every node and relationship, canonical and sorted (as JSON lines, for a readable diff)."""
    auth = (creds["user"], creds["password"])
    with GraphDatabase.driver(creds["uri"], auth=auth) as driver:
        nodes, _, _ = driver.execute_query(NODES)
        rels, _, _ = driver.execute_query(RELATIONSHIPS)
    node_lines = sorted(
        json.dumps([sorted(r["labels"]), _props(r["props"])], ensure_ascii=False) for r in nodes
    )
    rel_lines = sorted(
        json.dumps([r["type"], r["source"], r["target"], _props(r["props"])], ensure_ascii=False)
        for r in rels
    )
    return node_lines, rel_lines


def node_count(creds: dict[str, str]) -> int:
    auth = (creds["user"], creds["password"])
    with GraphDatabase.driver(creds["uri"], auth=auth) as driver:
        records, _, _ = driver.execute_query(COUNT)
    return int(records[0]["n"])


def credgraph(tmp: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The ``credgraph`` command with the test's key and data directory."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CREDGRAPH_")}
    if "CREDGRAPH_NEO4J_HOME_ROOT" in os.environ:
        env["CREDGRAPH_NEO4J_HOME_ROOT"] = os.environ["CREDGRAPH_NEO4J_HOME_ROOT"]
    env.update(CREDGRAPH_DATA_DIR=str(tmp), CREDGRAPH_ID_HASH_KEY=KEY)
    command = [str(Path(sys.executable).with_name("credgraph")), *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)


def test_initial_import_builds_the_online_graph_and_refuses_a_full_database(
    instance: dict[str, str], county: Path, tmp_path: Path
) -> None:
    # the online load
    store = Neo4jStore(instance["uri"], (instance["user"], instance["password"]))
    try:
        store.init_schema()
        with RejectWriter(tmp_path / "online-rejects.csv") as writer:
            online = Loader(store, KEY.encode(), writer, batch_size=1000).load([county])
    finally:
        store.close()
    online_nodes, online_rels = dump(instance)
    assert any("former_names" in line for line in online_nodes)
    assert any("第一行\\n第二行" in line for line in online_nodes)
    assert len(online_nodes) > ENTITIES and len(online_rels) > ENTITIES
    clear_neo4j(instance)

    # the first load by neo4j-admin import
    summary_path = tmp_path / "initial-summary.json"
    done = credgraph(
        tmp_path,
        "load",
        "--initial",
        "--neo4j-instance",
        NAME,
        "--rejects",
        str(tmp_path / "initial-rejects.csv"),
        "--summary",
        str(summary_path),
        "--batch-size",
        "1000",
        str(county),
    )
    assert done.returncode == 0, done.stderr[-3000:]
    summary = json.loads(summary_path.read_text())
    initial_nodes, initial_rels = dump(instance)
    assert initial_nodes == online_nodes
    assert initial_rels == online_rels
    assert (tmp_path / "initial-rejects.csv").read_bytes() == (
        tmp_path / "online-rejects.csv"
    ).read_bytes()
    for name in ("read", "loaded", "merged", "rejected"):
        assert summary["totals"][name] == getattr(online.totals, name), name
    info = summary["initial"]
    assert (info["nodes"], info["relationships"]) == (len(online_nodes), len(online_rels))
    seconds = info["seconds"]
    for stage in ("parse_stage", "export", "neo4j_admin_import", "init_schema"):
        assert seconds[stage] > 0, stage
    assert 0 < info["share_of_import_alone"] <= 1
    after = Neo4jStore(instance["uri"], (instance["user"], instance["password"]))
    try:
        assert after.check_schema() == []
    finally:
        after.close()

    # a database that is not empty is refused, and left as it was (and running)
    before = node_count(instance)
    refused = credgraph(tmp_path, "load", "--initial", "--neo4j-instance", NAME, str(county))
    assert refused.returncode == 2
    assert "refusing" in refused.stderr and f"{before:,} node(s)" in refused.stderr
    assert node_count(instance) == before
