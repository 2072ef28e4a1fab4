"""Online write speed of the Neo4j store: the loader's write_* calls replayed into a database
that already holds data, old code (a git revision) against the working tree, alternating in
one run, next to the server ceiling measured the same way as bench/load.py.

    .venv/bin/python scripts/neo4j start --name bench --bolt-port 7689 --pagecache 2g --heap 1g
    .venv/bin/python bench/neo4j_write.py --county county-10000-1 --rounds 2

The calls are recorded once (cached under .cache/bench): the current Loader loads the county
into a recording store (its reads find nothing, so no id is resolved to another) and every
write_entities / write_relations / write_records call it makes is kept, in stored form.
Each pass replays them with every node id under a prefix of its own, so all passes do the
same work into the same database (mostly creates; a ``rerun`` pass of the same prefix is all
unchanged, the
idempotent path); what a pass created is deleted after it (only ids under its prefix).
The data already in the instance is never touched. Prints one JSON line.
"""

from __future__ import annotations

import argparse
import json
import pickle
import subprocess
import sys
import tempfile
import time
import types
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from graph.store.neo4j.store import Neo4jStore  # noqa: E402

sys.path.insert(0, str(ROOT / "bench"))
from load import server_ceiling  # noqa: E402  (the same ceiling as bench/load.py)

from graph.vocabulary import Label, RelType, check_label, check_rel_type  # noqa: E402

KEY = b"bench-key-bench-key-bench-key-00"
Call = tuple[str, list[dict[str, Any]], bool]
_NODE_IDS = ("id", "source_id", "target_id", "subject_id", "issuer_id")


def record_calls(folder: Path, cache: Path) -> tuple[int, list[Call]]:
    """Source rows and the write calls the Loader makes for ``folder`` (cached)."""
    path = cache / f"neo4j-write-{folder.name}.pickle"
    if path.exists():
        rows, kept = pickle.loads(path.read_bytes())
        return int(rows), list(kept)
    from graph.store.protocol import UpsertResult
    from loaders.pipeline import Loader
    from loaders.report import RejectWriter

    calls: list[Call] = []

    class Recording:
        """Keeps every write call; reads find nothing, so no ids are resolved to others."""

        backend = "embedded"  # the loader writes in its own thread, in order

        def _keep(self, method: str, items: Any, create_only: bool) -> UpsertResult:
            calls.append((method, [dict(x) for x in items], create_only))
            return UpsertResult.of(["created"] * len(items), [])

        def write_entities(self, items: Any, *, create_only: bool = False) -> UpsertResult:
            return self._keep("entities", items, create_only)

        def write_relations(self, items: Any, *, create_only: bool = False) -> UpsertResult:
            return self._keep("relations", items, create_only)

        def write_records(self, items: Any) -> UpsertResult:
            return self._keep("records", items, False)

        def find_by_code(self, field: str, values: Any) -> dict[str, list[str]]:
            return {}

        def find_persons(self, names: Any) -> dict[str, list[Any]]:
            return {}

        def close(self) -> None:
            pass

    with tempfile.TemporaryDirectory() as tmp:
        store: Any = Recording()
        with RejectWriter(Path(tmp) / "rejects.csv") as writer:
            summary = Loader(store, KEY, writer, progress=False).load([folder])
    rows = summary.totals.read
    path.write_bytes(pickle.dumps((rows, calls)))
    return rows, calls


def prefixed(calls: list[Call], prefix: str) -> list[Call]:
    """The calls with every node id under ``prefix`` (a pass of its own)."""
    out: list[Call] = []
    for method, items, create_only in calls:
        moved = []
        for item in items:
            copy = dict(item)
            for key in _NODE_IDS:
                if copy.get(key) is not None:
                    copy[key] = prefix + copy[key]
            moved.append(copy)
        out.append((method, moved, create_only))
    return out


def graph_items(calls: list[Call]) -> int:
    """Nodes and relations the calls write, counting each record's CONCERNS / ISSUED_BY."""
    total = 0
    for method, items, _ in calls:
        total += len(items)
        if method == "records":
            total += sum(1 + (item.get("issuer_id") is not None) for item in items)
    return total


def _git(rev: str, path: str) -> str:
    return subprocess.run(
        ["git", "show", f"{rev}:{path}"], cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout


def store_at(rev: str) -> type[Neo4jStore]:
    """Neo4jStore as it was at git revision ``rev`` (its store.py, search.py and Cypher files),
    built beside the working tree's modules without touching the checkout."""
    texts: dict[str, str] = {}

    def statement(name: str) -> str:
        if name not in texts:
            texts[name] = _git(rev, f"graph/store/neo4j/cypher/{name}.cypher")
        return texts[name]

    def with_labels(name: str, labels: tuple[Label, ...]) -> str:
        return statement(name).replace("__LABELS__", ":".join(check_label(x) for x in labels))

    def with_type(name: str, rel_type: RelType) -> str:
        return statement(name).replace("__TYPE__", check_rel_type(rel_type))

    spliced = {"statement": statement, "with_labels": with_labels, "with_type": with_type}
    search = types.ModuleType(f"old_search_{rev}")
    exec(compile(_git(rev, "graph/store/neo4j/search.py"), "old_search", "exec"), search.__dict__)
    search.__dict__.update(spliced)
    store = types.ModuleType(f"old_store_{rev}")
    source = _git(rev, "graph/store/neo4j/store.py").replace(
        "from graph.store.neo4j.search import Neo4jSearch\n", ""
    )
    store.__dict__["Neo4jSearch"] = search.Neo4jSearch
    exec(compile(source, "old_store", "exec"), store.__dict__)
    store.__dict__.update(spliced)
    cls: type[Neo4jStore] = store.Neo4jStore
    return cls


def replay(store: Neo4jStore, calls: list[Call]) -> dict[str, Any]:
    """Run the calls in order; seconds and outcome counts."""
    outcomes: Counter[str] = Counter()
    started = time.perf_counter()
    for method, items, create_only in calls:
        if method == "entities":
            result = store.write_entities(items, create_only=create_only)
        elif method == "relations":
            result = store.write_relations(items, create_only=create_only)
        else:
            result = store.write_records(items)
        outcomes.update(result.outcomes)
    seconds = time.perf_counter() - started
    return {"seconds": round(seconds, 3), "outcomes": dict(sorted(outcomes.items()))}


def clean(store: Neo4jStore, prefix: str) -> None:
    """Delete the nodes (and their relations) under ``prefix``; nothing else."""
    with store._driver.session() as session:
        session.run(
            "MATCH (n:Node) WHERE n.id STARTS WITH $prefix "
            "CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 5000 ROWS",
            prefix=prefix,
        ).consume()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--county", default="county-10000-1")
    parser.add_argument("--cache", type=Path, default=ROOT / ".cache" / "bench")
    parser.add_argument("--credentials", type=Path, default=ROOT / ".neo4j/instances/bench")
    parser.add_argument("--baseline", default="cc8308a", help="git revision of the old store")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=5000, help="Neo4jStore batch_size")
    parser.add_argument("--no-rerun", action="store_true", help="skip the all-unchanged pass")
    args = parser.parse_args()
    rows, calls = record_calls(args.cache / args.county, args.cache)
    items = graph_items(calls)
    creds = json.loads((args.credentials / "credentials.json").read_text())
    auth = (creds["user"], creds["password"])
    variants = {"old": store_at(args.baseline), "new": Neo4jStore}
    stores = {
        name: cls(creds["uri"], auth, batch_size=args.batch_size) for name, cls in variants.items()
    }
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name in variants}
    ceilings = [server_ceiling(stores["new"])["items_per_second"]]
    for r in range(args.rounds):
        order = list(variants) if r % 2 == 0 else list(reversed(variants))
        for name in order:
            prefix = f"~bw{r}{name}~"
            run = {"create": replay(stores[name], prefixed(calls, prefix))}
            if not args.no_rerun:
                run["rerun"] = replay(stores[name], prefixed(calls, prefix))
            clean(stores[name], prefix)
            runs[name].append(run)
        ceilings.append(server_ceiling(stores["new"])["items_per_second"])
    ceiling = max(ceilings)
    per_row = items / rows

    def figures(passes: list[dict[str, Any]], kind: str) -> dict[str, Any]:
        best = min(p[kind]["seconds"] for p in passes)
        return {
            "seconds": [p[kind]["seconds"] for p in passes],
            "items_per_second": round(items / best),
            "rows_per_second": round(rows / best),
            "of_ceiling": round(items / best / ceiling, 3),
            "outcomes": passes[0][kind]["outcomes"],
        }

    report: dict[str, Any] = {
        "bench": "neo4j_write",
        "county": args.county,
        "source_rows": rows,
        "calls": len(calls),
        "graph_items": items,
        "graph_items_per_row": round(per_row, 2),
        "batch_size": args.batch_size,
        "server_ceiling": {
            "items_per_second": round(ceiling),
            "rows_per_second": round(ceiling / per_row),
            "all": [round(c) for c in ceilings],
        },
    }
    for name in variants:
        report[name] = {"create": figures(runs[name], "create")}
        if not args.no_rerun:
            report[name]["rerun"] = figures(runs[name], "rerun")
    for store in stores.values():
        store.close()
    print(json.dumps(report, ensure_ascii=False))


if __name__ == "__main__":
    main()
