"""The embedded store's own costs: write µs per item, peak memory, snapshot, reopen, read-only.

    .venv/bin/python bench/embedded.py --county .cache/bench/county-100000-1
    .venv/bin/python bench/embedded.py --replicate 10 --skip-in-memory   # ~1M entities

The county's items are made once (the current loader into a throwaway store, then
``iter_items``) and cached beside the county as ``items.pickle``: entities, relations and
records in their stored form, as the load path hands them to ``write_*``. Each measurement
runs in a child process, so its peak RSS is its own. Prints one JSON line of figures.
"""

from __future__ import annotations

import argparse
import gc
import json
import pickle
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from graph.store.embedded.store import EmbeddedStore  # noqa: E402

BATCH = 5000
LINKS = {"CONCERNS", "ISSUED_BY"}  # made by write_records from subject_id / issuer_id


def prepare(county: Path) -> Path:
    """The county's items (cached): loaded once through the current loader."""
    cache = county / "items.pickle"
    if cache.exists():
        return cache
    from loaders.pipeline import Loader
    from loaders.report import RejectWriter

    entities: list[dict[str, Any]] = []
    relations: list[dict[str, Any]] = []
    records: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        store = EmbeddedStore(Path(tmp) / "graph", fsync=False)
        with RejectWriter(Path(tmp) / "rejects.csv") as rejects:
            Loader(store, b"bench-key-bench-key-bench-key-00", rejects, progress=False).load(
                [county]
            )
        for kind, props in store.iter_items():
            props.pop("loaded_at", None)
            if kind == "edge":
                if props["type"] not in LINKS:
                    relations.append(props)
            elif "label" in props:
                entities.append(props)
            else:
                records.append(props)
        store.close()
    with open(cache, "wb") as handle:
        pickle.dump((entities, relations, records), handle, protocol=pickle.HIGHEST_PROTOCOL)
    return cache


def rows_of(county: Path) -> int:
    """Data rows in the county's CSV files (one header line each)."""
    return sum(sum(1 for _ in p.open("rb")) - 1 for p in county.glob("*.csv"))


def peak_mb() -> float:
    """Peak RSS of this process in MiB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


_ID_FIELDS = ("id", "source_id", "target_id", "subject_id", "issuer_id", "uscc")


def copies(items: list[dict[str, Any]], copy: int) -> list[dict[str, Any]]:
    """The items of copy ``copy`` of the county: every id with a suffix (copy 0 as it is)."""
    if not copy:
        return items
    tag = f"~{copy}"
    return [
        {k: v + tag if k in _ID_FIELDS and isinstance(v, str) else v for k, v in p.items()}
        for p in items
    ]


def load(cache: Path, directory: Path | None, fsync: bool, replicate: int) -> dict[str, Any]:
    """Child: replay the items (``replicate`` copies) into a fresh store in batches of 5000,
    entities, then relations, then records; time the writes (CPU and wall); snapshot it."""
    with open(cache, "rb") as handle:
        entities, relations, records = pickle.load(handle)
    nodes = entities + records  # caches made before entities were told from records by label
    entities = [p for p in nodes if "label" in p]
    records = [p for p in nodes if "label" not in p]
    del nodes
    gc.collect()
    base = peak_mb()
    store = EmbeddedStore(directory, fsync=fsync) if directory else EmbeddedStore.in_memory()
    gc.freeze()  # the cached items are not the store's: keep the collector off them
    cpu: dict[str, float] = {}
    wall: dict[str, float] = {}
    count = 0
    for name, items, write in (
        ("entities", entities, store.write_entities),
        ("relations", relations, store.write_relations),
        ("records", records, store.write_records),
    ):
        cpu[name] = wall[name] = 0.0
        for copy in range(replicate):
            for at in range(0, len(items), BATCH):
                batch = copies(items[at : at + BATCH], copy)
                start, started = time.process_time(), time.perf_counter()
                write(batch)
                cpu[name] += time.process_time() - start
                wall[name] += time.perf_counter() - started
                count += len(batch)
                del batch
    total = sum(cpu.values())
    result: dict[str, Any] = {
        "items": count,
        "cpu_seconds": {k: round(v, 2) for k, v in cpu.items()},
        "wall_seconds": round(sum(wall.values()), 2),
        "us_per_item_cpu": round(total / count * 1e6, 2),
        "items_per_s_cpu": round(count / total),
        "input_mb": round(base, 1),
        "store_peak_mb": round(peak_mb(), 1),
    }
    start = time.perf_counter()
    store.close()
    result["close_snapshot_s"] = round(time.perf_counter() - start, 2)
    result["peak_mb_after_close"] = round(peak_mb(), 1)
    return result


def reopen(directory: Path, read_only: bool) -> dict[str, Any]:
    """Child: open the directory (snapshot + journal) and count what is there."""
    start = time.perf_counter()
    store = EmbeddedStore(directory, read_only=read_only)
    opened = time.perf_counter() - start
    stats = store.stats()
    store.close()
    return {
        "open_s": round(opened, 2),
        "nodes": sum(stats.nodes.values()),
        "relations": sum(stats.relations.values()),
        "peak_mb": round(peak_mb(), 1),
    }


def child(args: list[str]) -> dict[str, Any]:
    """Run this script as a child with ``args``; return its JSON line."""
    out = subprocess.run(
        [sys.executable, __file__, "--child", *args], check=True, capture_output=True, text=True
    )
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    """Parse the arguments; run the measurements in children; print one JSON line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--county", type=Path, default=ROOT / ".cache/bench/county-100000-1")
    parser.add_argument("--child", nargs="+")
    parser.add_argument("--skip-readonly", action="store_true")
    parser.add_argument("--replicate", type=int, default=1, help="copies of the county, ids apart")
    parser.add_argument("--skip-in-memory", action="store_true")
    args = parser.parse_args()
    if args.child:
        what, cache, *rest = args.child
        if what == "load":
            directory = Path(rest[0]) if rest[0] != "-" else None
            print(json.dumps(load(Path(cache), directory, rest[1] == "fsync", int(rest[2]))))
        else:
            print(json.dumps(reopen(Path(cache), what == "readonly")))
        return
    cache = prepare(args.county)
    rows = rows_of(args.county) * args.replicate
    out: dict[str, Any] = {"county": args.county.name, "replicate": args.replicate, "rows": rows}
    if not args.skip_in_memory:
        out["in_memory"] = child(["load", str(cache), "-", "nofsync", str(args.replicate)])
    with tempfile.TemporaryDirectory() as tmp:
        out["durable"] = child(["load", str(cache), tmp, "fsync", str(args.replicate)])
        out["reopen"] = child(["open", tmp])
        if not args.skip_readonly:
            out["read_only_open"] = child(["readonly", tmp])
    durable = out["durable"]
    out["store_us_per_row_cpu"] = round(sum(durable["cpu_seconds"].values()) / rows * 1e6, 2)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
