"""Path speed: find_paths (shortest, max_hops 6; all, max_hops 4) between random pairs of
entities, and between pairs a random walk links, in a generated county loaded into a fresh
embedded store; p50 / p95 latency.

    .venv/bin/python bench/paths.py --entities 20000 --pairs 200

The county is cached in ``.cache/bench/`` (as bench/load.py does); the store lives in a
temporary directory. Prints one JSON line of figures.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from graph.store.nx_store import EmbeddedStore  # noqa: E402
from graph.vocabulary import ENTITY_LABELS  # noqa: E402
from loaders.pipeline import Loader  # noqa: E402
from loaders.report import RejectWriter  # noqa: E402
from queries.paths import find_paths  # noqa: E402

KEY = b"bench-key-bench-key-bench-key-00"


def generate(entities: int, seed: int, root: Path) -> Path:
    """The synthetic county of this size, cached under root."""
    from loaders.generate import generate_county

    folder = root / f"county-{entities}-{seed}"
    if not (folder / "ground_truth.json").exists():
        generate_county(folder, entities=entities, seed=seed)
    return folder


def percentile(values: list[float], share: float) -> float:
    """The value below which ``share`` of the sorted values lie (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def measure(store: EmbeddedStore, pairs: list[tuple[str, str]], **kwargs: Any) -> dict[str, Any]:
    """Latency of find_paths over the pairs, and what it found."""
    times, hops, hubs, found = [], [], 0, 0
    for source, target in pairs:
        started = time.perf_counter()
        answer = find_paths(store, source, target, **kwargs)
        times.append((time.perf_counter() - started) * 1000)
        hubs += len(answer.hubs_not_followed)
        if answer.paths:
            found += 1
            hops.append(answer.paths[0].hops)
    return {
        "p50_ms": round(percentile(times, 0.5), 2),
        "p95_ms": round(percentile(times, 0.95), 2),
        "max_ms": round(max(times), 2),
        "linked_pairs": found,
        "mean_hops": round(statistics.mean(hops), 2) if hops else None,
        "hubs_met": hubs,
    }


def walk_pairs(store: EmbeddedStore, ids: list[str], count: int, rng: random.Random) -> list[Any]:
    """Pairs that are linked: the start and end of a random walk of up to six links."""
    pairs: list[tuple[str, str]] = []
    while len(pairs) < count:
        start = node = rng.choice(ids)
        for _ in range(rng.randint(2, 6)):
            sub = store.links([node])
            if not sub.relations:
                break
            rel = rng.choice(sub.relations)
            node = rel.target_id if rel.source_id == node else rel.source_id
        if node != start:
            pairs.append((start, node))
    return pairs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--entities", type=int, default=20_000)
    parser.add_argument("--pairs", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--cache", type=Path, default=ROOT / ".cache" / "bench")
    args = parser.parse_args()
    folder = generate(args.entities, args.seed, args.cache)
    with tempfile.TemporaryDirectory() as data_dir:
        store = EmbeddedStore(Path(data_dir) / "graph", fsync=False)
        try:
            with RejectWriter(Path(data_dir) / "rejects.csv") as writer:
                Loader(store, KEY, writer, progress=False).load([folder])
            labels = {str(label) for label in ENTITY_LABELS}
            graph = store._graph  # the bench samples ids straight from the embedded graph
            ids = sorted(n for n, p in graph.nodes(data=True) if str(p.get("label")) in labels)
            rng = random.Random(args.seed)
            pairs = [(a, b) for a, b in (rng.sample(ids, 2) for _ in range(args.pairs))]
            linked = walk_pairs(store, ids, args.pairs, rng)
            figures = {
                "bench": "paths",
                "backend": "embedded",
                "entities": len(ids),
                "relations": sum(store.stats().relations.values()),
                "pairs": args.pairs,
                "shortest_6": measure(store, pairs, max_hops=6),
                "all_4_limit_20": measure(store, pairs, max_hops=4, mode="all"),
                "linked_shortest_6": measure(store, linked, max_hops=6),
                "linked_all_4_limit_20": measure(store, linked, max_hops=4, mode="all"),
            }
        finally:
            store.close()
    print(json.dumps(figures, ensure_ascii=False))


if __name__ == "__main__":
    main()
