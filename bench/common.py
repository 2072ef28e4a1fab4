"""What the check benchmarks share: the county loaded into a store, the bench Neo4j instance
holding a county (reused with ``--keep``), and the seeded draw of subjects to check.

Imported by bench/check.py and bench/http.py (bench/ on ``sys.path``).
"""

from __future__ import annotations

import json
import random
import tempfile
from pathlib import Path
from typing import Any

from load import KEY, empty

from graph.store.embedded.store import EmbeddedStore
from graph.store.neo4j.store import Neo4jStore
from graph.store.protocol import GraphStore
from graph.vocabulary import Label
from loaders.pipeline import Loader
from loaders.report import RejectWriter

ROOT = Path(__file__).resolve().parent.parent
BENCH_HOME = ROOT / ".neo4j" / "instances" / "bench"


def load_into(store: GraphStore, folder: Path) -> float:
    """Load the county; return rows per second."""
    with tempfile.TemporaryDirectory() as tmp, RejectWriter(Path(tmp) / "rejects.csv") as rej:
        summary = Loader(store, KEY, rej, progress=False).load([folder])
    return summary.rows_per_second


def neo4j_county(
    creds: dict[str, Any], folder: Path, keep: bool
) -> tuple[Neo4jStore, float | None]:
    """The bench instance holding ``folder``'s county, and its load rate (None when kept)."""
    marker = BENCH_HOME / "county.json"
    if keep and marker.exists() and json.loads(marker.read_text()).get("county") == folder.name:
        return Neo4jStore(creds["uri"], (creds["user"], creds["password"])), None
    marker.unlink(missing_ok=True)
    store = empty(creds)
    rate = load_into(store, folder)
    marker.write_text(json.dumps({"county": folder.name}))
    return store, rate


def subjects(store: EmbeddedStore, count: int, seed: int) -> list[str]:
    """Half uniformly drawn enterprises and persons, half neighbours of listed entities."""
    rng = random.Random(seed)
    people = {str(Label.ENTERPRISE), str(Label.PERSON)}
    pool: list[str] = []
    black: set[str] = set()
    concerns: list[tuple[str, str]] = []  # (record, subject)
    sources: dict[str, list[str]] = {}  # the predecessors of each node, over all edges
    for kind, props in store.iter_items():
        if kind == "node":
            if props.get("label") in people:
                pool.append(props["id"])
            if props.get("list_type") == "black":
                black.add(props["id"])
        else:
            source, target = props["source_id"], props["target_id"]
            sources.setdefault(target, []).append(source)
            if props["type"] == "CONCERNS":
                concerns.append((source, target))
    pool.sort()
    listed = sorted(t for s, t in concerns if s in black)
    members = set(pool)  # not the list: a membership test per neighbour
    near = sorted({m for n in listed for m in sources.get(n, ()) if m in members} | set(listed))
    half = count // 2
    picked = rng.sample(pool, min(half, len(pool)))
    picked += rng.sample(near, min(count - len(picked), len(near))) if near else []
    rng.shuffle(picked)
    return picked
