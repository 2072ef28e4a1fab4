"""Parse cost against this machine's limits for that work, in one run on one county.

    .venv/bin/python bench/parse.py --entities 1000000

Prints one JSON line with, for the same rows:

- ``parse``: the real batch parse on one core (``parse_chunk`` in this process, as a worker
  runs it), µs per row as the loader reports it (median row, batches weighted by rows) and
  the mean;
- ``floor``: the least Python can do for the same rows: the cells of each row made into a
  dict by column name, then one dict copy of it for every graph item the real parse made of
  that row (no checks, no ids, no conversions). ``parse_of_floor`` is the ratio;
- ``parse_ceiling``: a dry-run load (``Loader(None)``) with a parse worker on every core:
  the rows per second this machine can parse, the limit of any load that parses;
- ``embedded``: the embedded store loading the same county (default workers, fsync on), and
  its share of the parse ceiling.

The county is generated into .cache/bench (reused) as bench/load.py does.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from load import KEY, generate  # noqa: E402

from graph.store.embedded.store import EmbeddedStore  # noqa: E402
from loaders.base import Parsed  # noqa: E402
from loaders.pipeline import (  # noqa: E402
    Loader,
    ParseJob,
    _chunks,
    list_files,
    parse_chunk,
    recognise,
    row_median,
)
from loaders.report import RejectWriter  # noqa: E402
from loaders.source import open_table  # noqa: E402

BATCH = 5000


def one_core(folder: Path) -> dict[str, Any]:
    """The real parse and the floor, batch by batch, on this process's core."""
    parse_costs: list[tuple[float, int]] = []
    floor_costs: list[tuple[float, int]] = []
    items_total = 0
    for path in list_files([folder]):
        table = open_table(path)
        source = recognise(table)
        job = ParseJob.of(table, source, KEY, "2026-12-03T00:00:00Z")
        positions = list(job.mapping.items())
        for chunk in _chunks(table.rows(), BATCH):
            parsed = parse_chunk(job, chunk)
            parse_costs.append((parsed.seconds, len(chunk)))
            counts = [
                len(p.entities) + len(p.relations) + len(p.records) if isinstance(p, Parsed) else 1
                for p in parsed.rows
            ]
            items_total += sum(counts)
            started = time.process_time()
            for (_, cells), count in zip(chunk, counts, strict=True):
                if isinstance(cells, str):
                    continue
                values = {name: cells[i] for i, name in positions if i < len(cells)}
                made = [dict(values) for _ in range(count)]
                del made
            floor_costs.append((time.process_time() - started, len(chunk)))
    rows = sum(n for _, n in parse_costs)
    parse_median = row_median(parse_costs) * 1e6
    floor_median = row_median(floor_costs) * 1e6
    return {
        "rows": rows,
        "items_per_row": round(items_total / rows, 2),
        "parse": {
            "us_per_row_median": round(parse_median, 2),
            "us_per_row_mean": round(sum(c for c, _ in parse_costs) / rows * 1e6, 2),
        },
        "floor": {
            "us_per_row_median": round(floor_median, 2),
            "us_per_row_mean": round(sum(c for c, _ in floor_costs) / rows * 1e6, 2),
        },
        "parse_of_floor": round(parse_median / floor_median, 2),
    }


def load(folder: Path, store: Any, workers: int | None) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp, RejectWriter(Path(tmp) / "rejects.csv") as rej:
        summary = Loader(store, KEY, rej, progress=False, workers=workers).load([folder])
    return {
        "rows_per_second": summary.rows_per_second,
        "seconds": summary.totals.seconds,
        "workers": summary.workers,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entities", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    folder, _ = generate(args.entities, args.seed, ROOT / ".cache" / "bench")
    result: dict[str, Any] = {"bench": "parse", "entities": args.entities}
    result.update(one_core(folder))
    cores = os.cpu_count() or 1
    ceiling = load(folder, None, cores)
    result["parse_ceiling"] = ceiling
    with tempfile.TemporaryDirectory() as data:
        store = EmbeddedStore(Path(data), fsync=True)
        embedded = load(folder, store, None)
        store.close()
    embedded["of_parse_ceiling"] = round(
        embedded["rows_per_second"] / ceiling["rows_per_second"], 3
    )
    result["embedded"] = embedded
    print(json.dumps(result))


if __name__ == "__main__":
    main()
