"""The risk-cluster job on a generated county, on both stores: seconds and peak memory per
stage (read, cluster, score), in one run.

    .venv/bin/python bench/clusters.py --entities 100000
    .venv/bin/python bench/clusters.py --entities 1000000 --stores embedded,neo4j

The county (seed 1) is generated and cached in .cache/bench as bench/load.py does. The
embedded store is loaded once into .cache/bench/clusters-embedded-N-SEED (kept while the
county's ground truth is the same); the job then runs in a child process that opens it, as
a cron job would, so its peak RSS is its own. For Neo4j the bench instance ``bench``
(127.0.0.1:7689, 1 GB heap, 2 GB page cache) is reused when it holds this county
(``.neo4j/instances/bench/county.json``), else emptied and loaded by
``credgraph load --initial``; the job runs in a child process with the Bolt client. Peak
RSS is the child's (``ru_maxrss``) at the end of each stage (so it only grows); the Neo4j
server's own memory is bounded by its heap and page cache. Prints one JSON line.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from load import KEY, child_figures, generate, neo4j  # noqa: E402

BENCH_HOME = ROOT / ".neo4j" / "instances" / "bench"
MEMORY = ("--heap", "1g", "--pagecache", "2g")


def fingerprint(folder: Path) -> str:
    """The county's identity: a hash of its ground truth (changes when the generator does)."""
    return hashlib.sha256((folder / "ground_truth.json").read_bytes()).hexdigest()[:16]


def peak_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def child(backend: str, target: str, as_of: str) -> None:
    """Open the store, run the job once, print its figures (the measured process)."""
    from queries.clusters.find import find_clusters
    from queries.clusters.params import load_params

    opened = time.perf_counter()
    if backend == "neo4j":
        from graph.store.neo4j.store import Neo4jStore

        creds = json.loads(target)
        store: Any = Neo4jStore(creds["uri"], (creds["user"], creds["password"]))
    else:
        from graph.store.embedded.store import EmbeddedStore

        store = EmbeddedStore(Path(target), read_only=True)
    open_seconds = time.perf_counter() - opened
    memory = {"open": peak_mb()}

    def progress(stage: str, done: int, total: int) -> None:
        if done == total:
            memory[stage] = peak_mb()

    started = time.perf_counter()
    run = find_clusters(store, load_params(date.fromisoformat(as_of)), progress=progress)
    wall = time.perf_counter() - started
    store.close()
    sizes = sorted((len(c.members) for c in run.clusters), reverse=True)
    figures = {
        "open_seconds": round(open_seconds, 2),
        "job_seconds": round(wall, 2),
        "stages_seconds": run.stages,
        "peak_mb_after": memory,
        "counts": run.counts,
        "largest_clusters": sizes[:5],
        "evasion_clusters": sum(1 for c in run.clusters if c.evasion),
        "data_version": run.data_version,
        "top": run.clusters[0].explanation if run.clusters else None,
    }
    print(json.dumps(figures, ensure_ascii=False))


def run_child(backend: str, target: str, as_of: str) -> dict[str, Any]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return child_figures(__file__, [backend, target, as_of], env)


def embedded_dir(folder: Path, cache: Path) -> tuple[Path, float | None]:
    """The embedded store holding the county (loaded when missing); load seconds or None."""
    data = cache / f"clusters-embedded-{folder.name.removeprefix('county-')}"
    marker = data / "county.json"
    if marker.exists() and json.loads(marker.read_text()).get("truth") == fingerprint(folder):
        return data, None
    from graph.store.embedded.store import EmbeddedStore
    from loaders.pipeline import Loader
    from loaders.report import RejectWriter

    shutil.rmtree(data, ignore_errors=True)
    started = time.perf_counter()
    store = EmbeddedStore(data / "graph", fsync=False)
    with tempfile.TemporaryDirectory() as tmp, RejectWriter(Path(tmp) / "rejects.csv") as rej:
        Loader(store, KEY, rej, progress=False).load([folder])
    store.close()
    seconds = time.perf_counter() - started
    marker.write_text(json.dumps({"county": folder.name, "truth": fingerprint(folder)}))
    return data, seconds


def neo4j_county(folder: Path) -> tuple[dict[str, Any], float | None]:
    """The bench instance holding the county: reused when its marker says so, else emptied
    (store files removed, as bench/load.py does) and loaded by ``load --initial``."""
    creds = neo4j("start", *MEMORY)
    marker = BENCH_HOME / "county.json"
    want = {"county": folder.name, "truth": fingerprint(folder), "id_hash_key": "bench"}
    if marker.exists() and json.loads(marker.read_text()) == want:
        return creds, None
    marker.unlink(missing_ok=True)
    neo4j("stop")
    data = BENCH_HOME / "data"
    for sub in (data / "databases" / "neo4j", data / "transactions" / "neo4j"):
        shutil.rmtree(sub, ignore_errors=True)
    neo4j("start", *MEMORY)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        command = [
            str(ROOT / ".venv" / "bin" / "credgraph"),
            "load",
            "--initial",
            "--neo4j-instance",
            "bench",
            str(folder),
            "--rejects",
            str(Path(tmp) / "rejects.csv"),
            "--summary",
            str(Path(tmp) / "summary.json"),
        ]
        env = {**os.environ, "CREDGRAPH_ID_HASH_KEY": KEY.decode()}  # the embedded load's
        subprocess.run(command, check=True, capture_output=True, text=True, env=env)
    seconds = time.perf_counter() - started
    marker.write_text(json.dumps(want))
    return neo4j("start", *MEMORY), seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--entities", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--stores", default="embedded,neo4j")
    parser.add_argument("--cache", type=Path, default=ROOT / ".cache" / "bench")
    parser.add_argument("--child", nargs=3, metavar=("BACKEND", "TARGET", "AS_OF"))
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    folder, generated = generate(args.entities, args.seed, args.cache)
    truth = json.loads((folder / "ground_truth.json").read_text("utf-8"))
    as_of = truth["reference_date"]
    figures: dict[str, Any] = {
        "bench": "clusters",
        "entities": args.entities,
        "county": folder.name,
        "as_of": as_of,
        "generate_seconds": round(generated, 1),
        "load_average_before": os.getloadavg(),
    }
    for backend in args.stores.split(","):
        if backend == "embedded":
            data, seconds = embedded_dir(folder, args.cache)
            result = run_child("embedded", str(data / "graph"), as_of)
        else:
            creds, seconds = neo4j_county(folder)
            result = run_child("neo4j", json.dumps(creds), as_of)
        result["load_seconds"] = None if seconds is None else round(seconds, 1)
        figures[backend] = result
    versions = {figures[b]["data_version"] for b in args.stores.split(",")}
    figures["same_data_version"] = len(versions) == 1
    figures["load_average_after"] = os.getloadavg()
    figures["targets"] = {"job_seconds": 120, "peak_mb": 4096}
    print(json.dumps(figures, ensure_ascii=False))


if __name__ == "__main__":
    main()
