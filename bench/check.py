"""Approval-check latency: one caller (p50/p95/p99) and 16 concurrent callers (checks/s), and
path search up to 6 hops (p50/p95), on Neo4j and on the embedded store with the same data, at
several county sizes.

    .venv/bin/python bench/check.py --entities 10000,100000          # about 15 minutes
    .venv/bin/python bench/check.py --entities 2000 --checks 100      # a quick look

Each size: a generated county (cached in .cache/bench/) is loaded into the Neo4j instance
``bench`` (127.0.0.1:7689, emptied first) and into a fresh embedded store; subjects are
drawn uniformly from the loaded enterprises and persons (seeded), half of them next to a
listed entity so that the engine has work to do; the matter cycles through all ten.
Paths: pairs of sampled subjects (most are not linked within 6 hops, the costly case) and
pairs joined by a random walk of 2-6 links (linked). Prints one JSON line of figures.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from common import load_into, neo4j_county, subjects  # noqa: E402
from load import generate, neo4j  # noqa: E402

from graph.measures import Matter, load_catalogue  # noqa: E402
from graph.store.embedded.store import EmbeddedStore  # noqa: E402
from graph.store.protocol import GraphStore  # noqa: E402
from queries.check import check  # noqa: E402
from queries.paths import find_paths  # noqa: E402


def walk_pairs(store: EmbeddedStore, ids: list[str], seed: int) -> list[tuple[str, str]]:
    """Pairs joined by a random walk of 2 to 6 entity links (the far end may be nearer)."""
    rng = random.Random(seed)
    entities: set[str] = set()
    ends: list[tuple[str, str]] = []
    for kind, props in store.iter_items():
        if kind == "node":
            if "label" in props:  # an entity, not a record
                entities.add(props["id"])
        else:
            ends.append((props["source_id"], props["target_id"]))
    linked: dict[str, set[str]] = {}  # the entity neighbours of each entity, either direction
    for source, target in ends:
        if source in entities and target in entities:
            linked.setdefault(source, set()).add(target)
            linked.setdefault(target, set()).add(source)
    del ends
    neighbours = {n: sorted(ms) for n, ms in linked.items()}
    pairs = []
    for start in ids:
        here = start
        for _ in range(rng.randint(2, 6)):
            nexts = neighbours.get(here, [])
            if not nexts:
                break
            here = rng.choice(nexts)
        if here != start:
            pairs.append((start, here))
    return pairs


def measure_paths(store: GraphStore, pairs: list[tuple[str, str]]) -> dict[str, Any]:
    """Latency of shortest-path search up to 6 hops over the pairs."""
    timings = []
    found = 0
    for source, target in pairs[:5]:  # warm-up
        find_paths(store, source, target, max_hops=6)
    for source, target in pairs:
        started = time.perf_counter()
        answer = find_paths(store, source, target, max_hops=6)
        timings.append((time.perf_counter() - started) * 1000)
        found += bool(answer.paths)
    timings.sort()
    return {
        "pairs": len(pairs),
        "linked": found,
        "p50_ms": round(statistics.median(timings), 2),
        "p95_ms": round(timings[int(0.95 * (len(timings) - 1))], 2),
        "max_ms": round(timings[-1], 2),
    }


def measure(store: GraphStore, ids: list[str], warm: list[str], concurrency: int) -> dict[str, Any]:
    """Latency of one caller, then throughput of ``concurrency`` callers; ``warm`` subjects
    (not measured) are checked first, as a running service would have been."""
    catalogue = load_catalogue()
    matters = list(Matter)
    day = None
    for i, subject in enumerate(warm):  # warm-up (query plans, JIT, caches)
        check(store, catalogue, subject, matters[i % len(matters)], as_of=day)
    timings = []
    verdicts: dict[str, int] = {}
    for i, subject in enumerate(ids):
        started = time.perf_counter()
        result = check(store, catalogue, subject, matters[i % len(matters)], as_of=day)
        timings.append((time.perf_counter() - started) * 1000)
        verdicts[result.verdict] = verdicts.get(result.verdict, 0) + 1
    timings.sort()

    def one(i: int) -> None:
        check(store, catalogue, ids[i % len(ids)], matters[i % len(matters)], as_of=day)

    started = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(one, range(len(ids))))
    seconds = time.perf_counter() - started
    return {
        "checks": len(ids),
        "p50_ms": round(statistics.median(timings), 2),
        "p95_ms": round(timings[int(0.95 * (len(timings) - 1))], 2),
        "p99_ms": round(timings[int(0.99 * (len(timings) - 1))], 2),
        "max_ms": round(timings[-1], 2),
        "verdicts": verdicts,
        f"checks_per_second_{concurrency}_callers": round(len(ids) / seconds, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--entities", default="10000,100000")
    parser.add_argument("--checks", type=int, default=1000)
    parser.add_argument("--warmup", type=int, default=200, help="checks before measuring")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--pairs", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--cache", type=Path, default=ROOT / ".cache" / "bench")
    parser.add_argument("--embedded-only", action="store_true", help="skip Neo4j")
    parser.add_argument("--keep", action="store_true", help="reuse the county Neo4j holds")
    parser.add_argument("--pagecache", default="4g", help="the bench instance's page cache")
    args = parser.parse_args()
    creds = (
        None
        if args.embedded_only
        else neo4j("start", "--heap", "2g", "--pagecache", args.pagecache)
    )
    sizes = []
    for entities in (int(x) for x in args.entities.split(",")):
        folder, _ = generate(entities, args.seed, args.cache)
        with tempfile.TemporaryDirectory() as tmp:
            embedded = EmbeddedStore(Path(tmp) / "graph", fsync=False)
            embedded_load = load_into(embedded, folder)
            drawn = subjects(embedded, args.checks + args.warmup, args.seed)
            warm, ids = drawn[: args.warmup], drawn[args.warmup :]
            rng = random.Random(args.seed)
            unlinked = [(a, b) for a, b in zip(ids, rng.sample(ids, len(ids)), strict=True)]
            unlinked = [(a, b) for a, b in unlinked if a != b][: args.pairs]
            linked = walk_pairs(embedded, ids[: args.pairs], args.seed)
            emb = measure(embedded, ids, warm, args.concurrency)
            emb["paths_random_pairs"] = measure_paths(embedded, unlinked)
            emb["paths_walked_pairs"] = measure_paths(embedded, linked)
            embedded.close()
        figures: dict[str, Any] = {"entities": entities, "embedded": emb}
        figures["load_rows_per_second"] = {"embedded": embedded_load}
        if creds is not None:
            store, rate = neo4j_county(creds, folder, args.keep)
            figures["load_rows_per_second"]["neo4j"] = rate
            figures["neo4j"] = measure(store, ids, warm, args.concurrency)
            figures["neo4j"]["paths_random_pairs"] = measure_paths(store, unlinked)
            figures["neo4j"]["paths_walked_pairs"] = measure_paths(store, linked)
            store.close()
        sizes.append(figures)
    result = {
        "bench": "check",
        "sizes": sizes,
        "targets": {"neo4j_p50_ms": 5, "neo4j_p99_ms": 25, "neo4j_paths_p95_ms": 150},
    }
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
