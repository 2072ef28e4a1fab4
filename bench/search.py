"""Entity search latency (queries.search.search, 20 hits a page) on Neo4j and on the embedded
store with the same generated county: p50/p95/p99 for a mix of queries, and per kind.

    .venv/bin/python bench/search.py                                   # 100k entities
    .venv/bin/python bench/search.py --entities 1000000 --embedded-only  # the big county

The mix (seeded): name fragments of 2-4 characters cut from loaded names, full names,
USCCs and citizen ID numbers (read from the generated registry file: the graph holds only
their keyed hashes); one-character queries are measured apart (Neo4j scans for them). The
county is cached in .cache/bench/ and loaded into the Neo4j instance ``bench``
(127.0.0.1:7689, emptied first; ``--keep`` reuses the county it holds; ``--instance`` and
``--bolt-port`` name another, e.g. while another bench holds ``bench``) and into a fresh
embedded store, whose name index is built by the first search (timed) and measured in
bytes. Prints one JSON line of figures.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
# bench/http.py shares its name with the standard library's ``http`` (which the driver
# needs): import the real one before bench/ goes on the path.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
import http.client  # noqa: E402, F401

sys.path[:0] = [str(HERE.parent), str(HERE)]

import argparse  # noqa: E402
import json  # noqa: E402
import random  # noqa: E402
import resource  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from typing import Any  # noqa: E402

from common import load_into  # noqa: E402
from load import KEY, empty, generate  # noqa: E402

from graph.errors import InvalidInput  # noqa: E402
from graph.ids import parse_citizen_id  # noqa: E402
from graph.store.embedded.store import EmbeddedStore  # noqa: E402
from graph.store.neo4j.store import Neo4jStore  # noqa: E402
from graph.store.protocol import GraphStore  # noqa: E402
from graph.vocabulary import Label  # noqa: E402
from loaders.source import open_table  # noqa: E402
from queries.search import search  # noqa: E402

_NAMED = {str(x) for x in (Label.ENTERPRISE, Label.SOCIAL_ORGANIZATION, Label.AUTHORITY)}
_ALL = _NAMED | {str(Label.PERSON)}


def instance(name: str, port: int, pagecache: str) -> dict[str, Any]:
    """Start the Neo4j instance ``name`` (scripts/neo4j; a no-op when it is up); its
    credentials."""
    script = HERE.parent / "scripts" / "neo4j"
    command = ["start", "--name", name, "--bolt-port", str(port)]
    subprocess.run(
        [sys.executable, str(script), *command, "--heap", "2g", "--pagecache", pagecache],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    home = HERE.parent / ".neo4j" / "instances" / name
    data: dict[str, Any] = json.loads((home / "credentials.json").read_text())
    return {**data, "home": str(home)}


def neo4j_county(creds: dict[str, Any], folder: Path, keep: bool) -> tuple[Neo4jStore, Any]:
    """The instance holding ``folder``'s county (emptied and loaded unless ``--keep`` finds
    it there), schema applied; and its load rate (None when kept)."""
    marker = Path(creds["home"]) / "county.json"
    if keep and marker.exists() and json.loads(marker.read_text()).get("county") == folder.name:
        store = Neo4jStore(creds["uri"], (creds["user"], creds["password"]))
        store.init_schema()  # the name indexes, if the county was loaded before they existed
        return store, None
    marker.unlink(missing_ok=True)
    store = empty(creds)
    rate = load_into(store, folder)
    marker.write_text(json.dumps({"county": folder.name}))
    return store, rate


def draw_queries(store: EmbeddedStore, folder: Path, count: int, seed: int) -> dict[str, list[str]]:
    """``count`` queries of each kind, drawn from what the county holds."""
    rng = random.Random(seed)
    found = {
        props["id"]: props
        for kind, props in store.iter_items()
        if kind == "node" and props.get("label") in _ALL
    }
    names = sorted((n, d["name"]) for n, d in found.items())
    orgs = [(n, name) for n, name in names if found[n]["label"] in _NAMED]
    fragments = []
    for _, name in rng.sample(orgs, count):
        size = rng.randint(2, min(4, len(name)))
        start = rng.randrange(0, len(name) - size + 1)
        fragments.append(name[start : start + size])
    usccs = [n for n, _ in orgs if found[n].get("uscc") == n]
    del found
    return {
        "fragment": fragments,
        "full_name": [name for _, name in rng.sample(names, count)],
        "uscc": rng.sample(usccs, count),
        "id_number": rng.sample(id_numbers(folder), count),
        "one_character": [rng.choice(name) for _, name in rng.sample(orgs, max(count // 10, 5))],
    }


def id_numbers(folder: Path) -> list[str]:
    """Valid citizen ID numbers of legal representatives in the registry file."""
    path = next(p for p in sorted(folder.iterdir()) if p.stem == "企业登记信息")
    table = open_table(path)
    column = table.header.index("法定代表人证件号码")
    found = set()
    for _, row in table.rows():
        if isinstance(row, list) and len(row) > column:
            try:
                found.add(parse_citizen_id(row[column]))
            except InvalidInput:
                continue
    return sorted(found)


def measure(store: GraphStore, queries: dict[str, list[str]]) -> dict[str, Any]:
    """Latency per kind of query and over the mix (one-character queries apart)."""
    for q in queries["fragment"][:20]:  # warm-up (query plans, caches)
        search(store, q, KEY)
    figures: dict[str, Any] = {}
    mix: list[float] = []
    for kind, items in queries.items():
        timings, hits = [], 0
        for q in items:
            started = time.perf_counter()
            page = search(store, q, KEY)
            timings.append((time.perf_counter() - started) * 1000)
            hits += bool(page.items)
        figures[kind] = {**percentiles(timings), "found": hits, "queries": len(items)}
        if kind != "one_character":
            mix += timings
    figures["mix"] = percentiles(mix)
    return figures


def percentiles(timings: list[float]) -> dict[str, float]:
    ordered = sorted(timings)
    return {
        "p50_ms": round(statistics.median(ordered), 2),
        "p95_ms": round(ordered[int(0.95 * (len(ordered) - 1))], 2),
        "p99_ms": round(ordered[int(0.99 * (len(ordered) - 1))], 2),
        "max_ms": round(ordered[-1], 2),
    }


def rss_mb() -> float:
    """This process's resident memory now (Linux)."""
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * resource.getpagesize() / 2**20


def index_bytes(store: EmbeddedStore) -> int:
    """What the embedded name index holds: the strings, offsets and id lists."""
    index = store._name_index
    if index is None:
        return 0
    return sum(
        sys.getsizeof(t.text)
        + sys.getsizeof(t.ids)
        + t.starts.itemsize * len(t.starts)
        + t.by_text.itemsize * len(t.by_text)
        for t in index.texts.values()
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--entities", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200, help="of each kind")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--cache", type=Path, default=HERE.parent / ".cache" / "bench")
    parser.add_argument("--embedded-only", action="store_true", help="skip Neo4j")
    parser.add_argument("--keep", action="store_true", help="reuse the county Neo4j holds")
    parser.add_argument("--pagecache", default="2g", help="the Neo4j instance's page cache")
    parser.add_argument("--instance", default="bench", help="scripts/neo4j instance name")
    parser.add_argument("--bolt-port", type=int, default=7689)
    args = parser.parse_args()
    creds = None if args.embedded_only else instance(args.instance, args.bolt_port, args.pagecache)
    folder, _ = generate(args.entities, args.seed, args.cache)
    figures: dict[str, Any] = {"bench": "search", "entities": args.entities}
    with tempfile.TemporaryDirectory() as tmp:
        embedded = EmbeddedStore(Path(tmp) / "graph", fsync=False)
        figures["embedded_load_rows_per_second"] = load_into(embedded, folder)
        queries = draw_queries(embedded, folder, args.queries, args.seed)
        before = rss_mb()
        started = time.perf_counter()
        search(embedded, "某某", KEY)  # builds the name index
        figures["embedded_index"] = {
            "build_s": round(time.perf_counter() - started, 2),
            "bytes": index_bytes(embedded),
            "rss_growth_mb": round(rss_mb() - before, 1),
            "rss_mb": round(rss_mb(), 1),
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        }
        figures["embedded"] = measure(embedded, queries)
        embedded.close()
    if creds is not None:
        store, rate = neo4j_county(creds, folder, args.keep)
        figures["neo4j_load_rows_per_second"] = rate
        figures["neo4j"] = measure(store, queries)
        store.close()
    figures["targets"] = {"embedded_p95_ms_at_1m": 50}
    print(json.dumps(figures, ensure_ascii=False))


if __name__ == "__main__":
    main()
