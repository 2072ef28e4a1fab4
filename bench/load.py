"""Load speed at two sizes, each figure beside the limit it is judged against, in one run.

    .venv/bin/python bench/load.py --entities 100000,1000000   # the issue's two sizes
    .venv/bin/python bench/load.py --entities 10000 --naive-rows 500   # a quick look

For each size (two generated counties of that size, seeds 1 and 2, cached in .cache/bench):

* parse: CPU µs per source row in the parse worker (median over the batches);
* initial import: `credgraph load --initial --neo4j-instance bench` of county 1 into the
  emptied server, end to end (parse, files, neo4j-admin, schema) against neo4j-admin alone;
* Neo4j online: county 2 loaded by the batched loader into the server that now holds
  county 1, against the server ceiling measured right after on the same server (plain
  UNWIND CREATE of small one-label nodes: the issue's ceiling) and against the schema
  ceiling (the same plain CREATE, of enterprise-like nodes under the real labels, indexes and
  constraint: what the server can do for this work);
* naive: one transaction per source row (slice of county 2), and batched / naive;
* embedded: county 1 into a fresh embedded store (fsync on), its peak RSS, then the time
  and RSS of reopening it in a new process.

It starts its own Neo4j instance ``bench`` (127.0.0.1:7689, scripts/neo4j) and empties it;
nothing else is touched. Prints one JSON line of figures.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from graph.store.neo4j.cypher import with_labels, with_type  # noqa: E402
from graph.store.neo4j.store import Neo4jStore, _stored  # noqa: E402
from graph.vocabulary import Label, RelType, umbrella_labels  # noqa: E402
from loaders.base import Context, Row  # noqa: E402
from loaders.formats import ORDER  # noqa: E402
from loaders.pipeline import Loader, list_files, recognise  # noqa: E402
from loaders.report import RejectWriter  # noqa: E402
from loaders.source import open_table  # noqa: E402

KEY = b"bench-key-bench-key-bench-key-00"
INSTANCE = ["--name", "bench", "--bolt-port", "7689"]


def neo4j(*args: str) -> dict[str, Any]:
    """Run scripts/neo4j for the bench instance; return its credentials."""
    script = str(ROOT / "scripts" / "neo4j")
    where = INSTANCE if args[0] == "start" else INSTANCE[:2]  # only start takes a port
    subprocess.run([sys.executable, script, *args, *where], check=True, stdout=subprocess.DEVNULL)
    creds = ROOT / ".neo4j" / "instances" / "bench" / "credentials.json"
    data: dict[str, Any] = json.loads(creds.read_text())
    return data


def wipe() -> dict[str, Any]:
    """An empty bench database at once: the server stopped, its store files removed (the
    system database, and so the password, kept), started again. Deleting millions of nodes
    by Cypher takes longer than the loads measured after it."""
    import shutil

    neo4j("stop")
    data = ROOT / ".neo4j" / "instances" / "bench" / "data"
    for folder in (data / "databases" / "neo4j", data / "transactions" / "neo4j"):
        shutil.rmtree(folder, ignore_errors=True)
    return neo4j("start", "--heap", "2g", "--pagecache", "2g")


def empty(creds: dict[str, Any]) -> Neo4jStore:
    """A store on the emptied bench database, schema applied."""
    from neo4j import GraphDatabase

    auth = (creds["user"], creds["password"])
    with GraphDatabase.driver(creds["uri"], auth=auth) as driver, driver.session() as session:
        # relationships first: a dense node's DETACH DELETE in one go overflows the memory pool
        session.run(
            "MATCH ()-[r]->() CALL (r) { DELETE r } IN TRANSACTIONS OF 50000 ROWS"
        ).consume()
        session.run("MATCH (n) CALL (n) { DELETE n } IN TRANSACTIONS OF 50000 ROWS").consume()
    store = Neo4jStore(creds["uri"], auth)
    store.init_schema()
    return store


def count_rows(folder: Path) -> int:
    """Data rows in every source file of the folder."""
    return sum(sum(1 for _ in open_table(p).rows()) for p in list_files([folder]))


def child(backend: str, folder: Path, data_dir: str) -> None:
    """Load ``folder`` in this process and print rows/s and peak memory (the measured part)."""
    if backend == "reopen":
        reopen(Path(data_dir))
        return
    if backend == "neo4j":
        creds = json.loads(os.environ["BENCH_NEO4J"])
        store: Any = Neo4jStore(creds["uri"], (creds["user"], creds["password"]))
    else:
        from graph.store.embedded.store import EmbeddedStore

        store = EmbeddedStore(Path(data_dir), fsync=True)
    with RejectWriter(Path(data_dir) / "rejects.csv") as writer:
        summary = Loader(store, KEY, writer, progress=False).load([folder])
    store.close()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        json.dumps(
            {
                "rows": summary.totals.read,
                "loaded": summary.totals.loaded,
                "rejected": summary.totals.rejected,
                "seconds": summary.totals.seconds,
                "rows_per_second": summary.rows_per_second,
                "peak_mb": round(peak, 1),
                "parse_workers": summary.workers,
                "parse_us_per_row": summary.parse_us_per_row,
                "parse_seconds": summary.parse_seconds,
            }
        )
    )


def reopen(data_dir: Path) -> None:
    """Open a closed embedded store (snapshot + journal) and print the time and memory."""
    from graph.store.embedded.store import EmbeddedStore

    started = time.perf_counter()
    store = EmbeddedStore(data_dir)
    seconds = time.perf_counter() - started
    nodes = sum(store.stats().nodes.values())
    started = time.perf_counter()
    reader = EmbeddedStore(data_dir, read_only=True)
    read_only = time.perf_counter() - started
    reader.close()
    store.close()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    figures = {"seconds": round(seconds, 2), "read_only_seconds": round(read_only, 2)}
    print(json.dumps({**figures, "nodes": nodes, "peak_mb": round(peak, 1)}))


def child_figures(script: str, args: list[str], env: dict[str, str]) -> dict[str, Any]:
    """Run ``script --child ARGS`` in a fresh process (its own peak RSS) and read the JSON
    line it prints last."""
    out = subprocess.run(
        [sys.executable, script, "--child", *args],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def run_child(
    backend: str, folder: Path, env: dict[str, str], data_dir: str | None = None
) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as scratch:
        return child_figures(__file__, [backend, str(folder), data_dir or scratch], env)


def initial_import(folder: Path, env: dict[str, str], out: Path) -> dict[str, Any]:
    """`credgraph load --initial` into the bench instance, as a user runs it; its summary's
    stage seconds, and the peak RSS of the command (the staging store is in memory)."""
    summary, rejects = out / "initial-summary.json", out / "initial-rejects.csv"
    command = [
        str(ROOT / ".venv" / "bin" / "credgraph"),
        "load",
        "--initial",
        "--neo4j-instance",
        "bench",
        str(folder),
        "--summary",
        str(summary),
        "--rejects",
        str(rejects),
        "--json",
    ]
    subprocess.run(command, env=env, check=True, capture_output=True, text=True)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    data = json.loads(summary.read_text())
    info = data["initial"]
    seconds = info["seconds"]
    rows = data["totals"]["read"]
    return {
        "rows": rows,
        "seconds": seconds,
        "rows_per_second": round(rows / seconds["end_to_end"], 1),
        "neo4j_admin_rows_per_second": round(rows / seconds["neo4j_admin_import"], 1),
        "share_of_import_alone": info.get("share_of_import_alone"),
        "parse_us_per_row": data.get("parse_us_per_row"),
        "peak_mb_children": round(peak, 1),
    }


def naive(store: Neo4jStore, folder: Path, limit: int) -> dict[str, Any]:
    """One transaction per source row, one MERGE statement per node and link, no UNWIND.

    Takes an equal share of ``limit`` rows from every file, in load order.
    """
    driver = store._driver  # the baseline talks to the same server through the same driver
    files = [(recognise(open_table(p)), p) for p in list_files([folder])]
    plan = sorted(files, key=lambda item: ORDER.index(item[0].name))
    share = max(limit // max(len(plan), 1), 1)
    rows = 0
    started = time.perf_counter()
    for source, path in plan:
        table = open_table(path)
        mapping, _ = source.match_headers(table.header)
        columns = source.column_map()
        taken = 0
        for number, cells in table.rows():
            if taken >= share:
                break
            values = {name: cells[i] for i, name in mapping.items() if i < len(cells)}
            ctx = Context(KEY, path.name, number, _now())
            try:
                parsed = source.parse(Row(values, columns), ctx)
            except Exception:  # the baseline skips bad rows
                continue
            taken += 1
            with driver.session() as session:
                session.execute_write(_naive_row, parsed)
        rows += taken
    seconds = time.perf_counter() - started
    return {"rows": rows, "seconds": round(seconds, 3), "rows_per_second": round(rows / seconds, 1)}


def _naive_row(tx: Any, parsed: Any) -> None:
    for node in [*parsed.entities, *parsed.records]:
        label = Label(node.get("label") or node["kind"])
        props = _stored(node)
        tx.run(with_labels("naive_merge_node", umbrella_labels(label)), id=node["id"], props=props)
    links = [
        (RelType(r["type"]), r["source_id"], r["target_id"], r["key"], _stored(r))
        for r in parsed.relations
    ]
    for record in parsed.records:
        links.append((RelType.CONCERNS, record["id"], record["subject_id"], "", {}))
        if record.get("issuer_id"):
            links.append((RelType.ISSUED_BY, record["id"], record["issuer_id"], "", {}))
    for rel_type, source_id, target_id, key, props in links:
        tx.run(
            with_type("naive_merge_relation", rel_type),
            source_id=source_id,
            target_id=target_id,
            key=key,
            props=props,
        )


def server_ceiling(store: Neo4jStore, batches: int = 6, size: int = 10_000) -> dict[str, Any]:
    """What the server alone can write from this client: plain CREATEs of small nodes with
    one uniqueness constraint, UNWIND batches of ``size``, one transaction each (best case,
    no lookups, no outcomes). Graph items per second; the scratch label is removed after."""
    driver = store._driver
    driver.execute_query(
        "CREATE CONSTRAINT bench_ceiling IF NOT EXISTS FOR (n:BenchCeiling) REQUIRE n.id IS UNIQUE"
    )
    rates = []
    for b in range(batches):
        rows = [
            {"id": f"c{b}-{i}", "props": {"name": "某县某某商贸有限公司", "n": i}}
            for i in range(size)
        ]
        started = time.perf_counter()
        driver.execute_query(
            "UNWIND $rows AS r CREATE (n:BenchCeiling {id: r.id}) SET n += r.props", rows=rows
        )
        rates.append(size / (time.perf_counter() - started))
    with driver.session() as session:
        session.run(
            "MATCH (n:BenchCeiling) CALL (n) { DELETE n } IN TRANSACTIONS OF 20000 ROWS"
        ).consume()
    driver.execute_query("DROP CONSTRAINT bench_ceiling IF EXISTS")
    best = max(rates[1:])  # the first batch pays for planning
    return {"items_per_second": round(best), "batches": batches, "batch_size": size}


def schema_ceiling(store: Neo4jStore, batches: int = 5, size: int = 10_000) -> dict[str, Any]:
    """The ceiling for this work: the same plain UNWIND CREATE, of enterprise-like nodes with
    the real labels (Node:Entity:Enterprise), so the real constraint and indexes (id, name,
    uscc, org code, the fulltext name index) are maintained; removed after."""
    driver = store._driver
    rates = []
    for b in range(batches):
        rows = [
            {
                "id": f"ceiling:{b}:{i}",
                "props": {
                    "name": f"某县某某商贸有限公司{b}{i}",
                    "label": "Enterprise",
                    "kind": "company",
                    "uscc": f"91420102MA{b:02d}{i:06d}",
                    "org_code": f"MA{b:02d}{i:06d}",
                    "registration_status": "存续",
                    "source_file": "企业登记信息.csv",
                    "source_row": i + 2,
                },
            }
            for i in range(size)
        ]
        started = time.perf_counter()
        driver.execute_query(
            "UNWIND $rows AS r CREATE (n:Node:Entity:Enterprise {id: r.id}) SET n += r.props, "
            "n.loaded_at = datetime()",
            rows=rows,
        )
        rates.append(size / (time.perf_counter() - started))
    with driver.session() as session:
        session.run(
            "MATCH (n:Enterprise) WHERE n.id STARTS WITH 'ceiling:' "
            "CALL (n) { DELETE n } IN TRANSACTIONS OF 20000 ROWS"
        ).consume()
    return {"items_per_second": round(max(rates[1:])), "batches": batches, "batch_size": size}


def graph_items(store: Neo4jStore) -> int:
    """Nodes plus relationships in the bench database."""
    driver = store._driver
    nodes = driver.execute_query("MATCH (n) RETURN count(n) AS c").records[0]["c"]
    rels = driver.execute_query("MATCH ()-[r]->() RETURN count(r) AS c").records[0]["c"]
    return int(nodes) + int(rels)


def _now() -> Any:
    from datetime import UTC, datetime

    return datetime.now(UTC)


def generate(entities: int, seed: int, root: Path) -> tuple[Path, float]:
    """The synthetic county of this size (cached under root); seconds spent generating."""
    from loaders.synthetic.county import generate_county

    folder = root / f"county-{entities}-{seed}"
    if (folder / "ground_truth.json").exists():
        return folder, 0.0
    started = time.perf_counter()
    generate_county(folder, entities=entities, seed=seed)
    return folder, time.perf_counter() - started


def one_size(entities: int, args: argparse.Namespace, env: dict[str, str]) -> dict[str, Any]:
    """Every figure for counties of one size (see the module)."""
    first, _ = generate(entities, 1, args.cache)
    second, _ = generate(entities, 2, args.cache)
    creds = wipe()
    env["BENCH_NEO4J"] = json.dumps(creds)
    empty(creds).close()
    with tempfile.TemporaryDirectory() as scratch:
        initial = initial_import(first, env, Path(scratch))
    store = Neo4jStore(creds["uri"], (creds["user"], creds["password"]))
    before = graph_items(store)
    store.close()
    online = run_child("neo4j", second, env)
    store = Neo4jStore(creds["uri"], (creds["user"], creds["password"]))
    items_per_row = (graph_items(store) - before) / online["rows"]
    ceiling = server_ceiling(store)
    for_this_work = schema_ceiling(store)
    base = naive(store, second, args.naive_rows) if args.naive_rows else None
    store.close()
    ceiling_rows = ceiling["items_per_second"] / items_per_row
    work_rows = for_this_work["items_per_second"] / items_per_row
    with tempfile.TemporaryDirectory() as data_dir:
        embedded = run_child("embedded", first, env, data_dir)
        embedded["reopen"] = run_child("reopen", first, env, data_dir)
    return {
        "entities": entities,
        "source_rows": {"county_1": initial["rows"], "county_2": online["rows"]},
        "parse_us_per_row": embedded["parse_us_per_row"],
        "initial_import": initial,
        "neo4j": online,
        "graph_items_per_row": round(items_per_row, 2),
        "server_ceiling": ceiling,
        "server_ceiling_rows_per_second": round(ceiling_rows),
        "neo4j_of_ceiling": round(online["rows_per_second"] / ceiling_rows, 3),
        "schema_ceiling": for_this_work,
        "schema_ceiling_rows_per_second": round(work_rows),
        "neo4j_of_schema_ceiling": round(online["rows_per_second"] / work_rows, 3),
        "naive_neo4j": base,
        "batched_vs_naive": (
            round(online["rows_per_second"] / base["rows_per_second"], 1) if base else None
        ),
        "embedded": embedded,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--entities", default="100000,1000000", help="sizes, comma-separated")
    parser.add_argument("--naive-rows", type=int, default=2000)
    parser.add_argument("--cache", type=Path, default=ROOT / ".cache" / "bench")
    parser.add_argument("--child", nargs=3, metavar=("BACKEND", "FOLDER", "DATA_DIR"))
    args = parser.parse_args()
    if args.child:
        child(args.child[0], Path(args.child[1]), args.child[2])
        return
    creds = neo4j("start", "--heap", "2g", "--pagecache", "2g")
    env = {**os.environ, "BENCH_NEO4J": json.dumps(creds), "PYTHONPATH": str(ROOT)}
    sizes = [one_size(int(n), args, env) for n in args.entities.split(",")]
    largest = sizes[-1]
    figures = {
        "bench": "load",
        "sizes": sizes,
        # the names of earlier runs, for the largest size
        "neo4j": largest["neo4j"],
        "server_ceiling_rows_per_second": largest["server_ceiling_rows_per_second"],
        "embedded": largest["embedded"],
        "initial_import": largest["initial_import"],
        "targets": {
            "parse_us_per_row": 15,
            "neo4j_of_ceiling": 0.5,
            "initial_share_of_import_alone": 0.5,
            "embedded_rows_per_second": 50_000,
            "embedded_peak_mb_1m": 2500,
            "embedded_reopen_seconds": 30,
        },
    }
    print(json.dumps(figures, ensure_ascii=False))


if __name__ == "__main__":
    main()
