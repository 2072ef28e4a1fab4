"""Load speed: the batched loader into Neo4j and the embedded store, against a naive
one-row-per-transaction MERGE loader run in the same process; peak memory at two sizes.

    .venv/bin/python bench/load.py --entities 200000      # about a million source rows
    .venv/bin/python bench/load.py --entities 5000 --naive-rows 500   # a quick look

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
    subprocess.run(
        [sys.executable, script, *args, *INSTANCE], check=True, stdout=subprocess.DEVNULL
    )
    creds = ROOT / ".neo4j" / "instances" / "bench" / "credentials.json"
    data: dict[str, Any] = json.loads(creds.read_text())
    return data


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


def run_child(backend: str, folder: Path, env: dict[str, str]) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as data_dir:
        out = subprocess.run(
            [sys.executable, __file__, "--child", backend, str(folder), data_dir],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--entities", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--naive-rows", type=int, default=2000)
    parser.add_argument("--cache", type=Path, default=ROOT / ".cache" / "bench")
    parser.add_argument("--child", nargs=3, metavar=("BACKEND", "FOLDER", "DATA_DIR"))
    args = parser.parse_args()
    if args.child:
        child(args.child[0], Path(args.child[1]), args.child[2])
        return
    big, gen_seconds = generate(args.entities, args.seed, args.cache)
    small, _ = generate(max(args.entities // 4, 1000), args.seed, args.cache)
    rows = count_rows(big)
    creds = neo4j("start", "--heap", "2g", "--pagecache", "1g")
    env = {**os.environ, "BENCH_NEO4J": json.dumps(creds), "PYTHONPATH": str(ROOT)}
    empty(creds).close()
    neo_small = run_child("neo4j", small, env)
    empty(creds).close()
    neo_big = run_child("neo4j", big, env)
    store = Neo4jStore(creds["uri"], (creds["user"], creds["password"]))
    items = graph_items(store)
    store.close()
    store = empty(creds)
    base = naive(store, big, args.naive_rows)
    ceiling = server_ceiling(store)
    store.close()
    items_per_row = items / neo_big["rows"]
    emb_small = run_child("embedded", small, env)
    emb_big = run_child("embedded", big, env)
    figures = {
        "bench": "load",
        "entities": args.entities,
        "source_rows": rows,
        "generate_rows_per_second": round(rows / gen_seconds, 1) if gen_seconds else None,
        "neo4j": neo_big,
        "neo4j_small": neo_small,
        "naive_neo4j": base,
        "batched_vs_naive": round(neo_big["rows_per_second"] / base["rows_per_second"], 1),
        "graph_items": items,
        "graph_items_per_row": round(items_per_row, 2),
        "server_ceiling": ceiling,
        "server_ceiling_rows_per_second": round(ceiling["items_per_second"] / items_per_row),
        "embedded": emb_big,
        "embedded_small": emb_small,
        "peak_mb_growth_neo4j": round(neo_big["peak_mb"] - neo_small["peak_mb"], 1),
        "targets": {
            "neo4j_rows_per_second": 20_000,
            "vs_naive": 20,
            "peak_mb": 500,
            "embedded_rows_per_second": 50_000,
        },
    }
    print(json.dumps(figures, ensure_ascii=False))


if __name__ == "__main__":
    main()
