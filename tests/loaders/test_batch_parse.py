"""The batch parse path: items without model objects, the same in worker processes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from graph.model import Relation
from graph.store.embedded.store import EmbeddedStore
from graph.vocabulary import RelType
from loaders.base import Parsed
from loaders.formats import formats
from loaders.items import build
from loaders.pipeline import Loader, ParseJob, list_files, parse_chunk, recognise
from loaders.report import RejectWriter
from loaders.source import open_table
from loaders.synthetic.county import generate_county
from tests.factories import as_models

KEY = b"batch-parse-key"


@pytest.fixture(scope="module")
def county(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("county")
    generate_county(folder, entities=1000, seed=11)
    return folder


def parse_file(path: Path) -> list[Parsed | tuple[str, str]]:
    table = open_table(path)
    source = recognise(table)
    job = ParseJob.of(table, source, KEY, "2026-12-03T00:00:00Z")
    return parse_chunk(job, list(table.rows())).rows


def test_every_item_of_the_county_is_its_models_stored_form(county: Path) -> None:
    """The formats build items without the models; each must validate and dump back to
    itself, so the models stay the schema of what is stored."""
    seen: dict[str, int] = {}
    for path in list_files([county]):
        for outcome in parse_file(path):
            if isinstance(outcome, Parsed):
                as_models(outcome)  # asserts item == model(item).properties()
                for item in (*outcome.entities, *outcome.relations, *outcome.records):
                    kind = item.get("label") or item.get("kind") or item["type"]
                    seen[kind] = seen.get(kind, 0) + 1
    assert {"Enterprise", "Person", "SHAREHOLDER_OF", "ListEntry"} <= set(seen)
    assert len(seen) >= 12


def test_a_bad_row_is_rejected_with_the_files_header_and_reason() -> None:
    fmt = formats()["shareholder"]
    header = [c.header for c in fmt.columns]
    cells = {c.name: "" for c in fmt.columns}
    cells.update(
        uscc="91420102MA4K00010N",
        holder_name="周某",
        holder_type="自然人",
        id_number="42010219800101001X",
        ratio="150%",
    )
    job = ParseJob(
        source="shareholder",
        mapping={i: c.name for i, c in enumerate(fmt.columns)},
        headers={c.name: c.header for c in fmt.columns},
        width=len(header),
        missing=(),
        key=KEY,
        source_file="x.csv",
        loaded_at="2026-12-03T00:00:00Z",
    )
    rows = [[cells[c.name] for c in fmt.columns], [cells[c.name] for c in fmt.columns]]
    rows[1][header.index("出资比例")] = "60%"
    bad, good = parse_chunk(job, [(2, rows[0]), (3, rows[1])]).rows
    assert bad == ("出资比例", "ratio over 100%")
    assert isinstance(good, Parsed) and good.relations[0]["ratio"] == 0.6


@pytest.mark.parametrize(
    "fields",
    [
        {"type": RelType.SERVES_IN, "source_id": "a", "target_id": "b"},  # no role
        {"type": RelType.EXECUTIVE_OF, "source_id": "a", "target_id": "b", "ratio": 0.5},
        {"type": RelType.SHAREHOLDER_OF, "source_id": "a", "target_id": "b", "ratio": 1.5},
        {"type": RelType.CONCERNS, "source_id": "a", "target_id": "b"},
    ],
)
def test_a_broken_rule_gives_the_models_own_error(fields: dict[str, Any]) -> None:
    """Where a plain check finds a broken rule, the error is the one validation gives."""
    with pytest.raises(ValidationError) as model_error:
        Relation(**fields)
    with pytest.raises(ValidationError) as item_error:
        build(Relation, **fields)

    def reasons(error: ValidationError) -> list[tuple[Any, str]]:
        return [(e["loc"], e["msg"]) for e in error.errors()]

    assert reasons(item_error.value) == reasons(model_error.value)


def load(folder: Path, data: Path, rejects: Path, workers: int) -> tuple[Any, Any, str]:
    store = EmbeddedStore(data, fsync=False)
    try:
        with RejectWriter(rejects) as writer:
            loader = Loader(store, KEY, writer, batch_size=700, progress=False, workers=workers)
            summary = loader.load([folder])
        stats = store.stats()
    finally:
        store.close()
    return summary, stats, rejects.read_text("utf-8-sig")


def test_worker_processes_load_what_one_process_loads(county: Path, tmp_path: Path) -> None:
    one, one_stats, one_rejects = load(county, tmp_path / "a", tmp_path / "a.csv", workers=0)
    two, two_stats, two_rejects = load(county, tmp_path / "b", tmp_path / "b.csv", workers=2)
    assert (one.workers, two.workers) == (0, 2)
    counts = ("read", "loaded", "merged", "rejected")
    assert [[getattr(f, c) for c in counts] for f in one.files] == [
        [getattr(f, c) for c in counts] for f in two.files
    ]
    assert one.totals.rejected > 0
    assert one_stats == two_stats
    assert one_rejects.splitlines()[1:] == two_rejects.splitlines()[1:]
    assert one.parse_us_per_row > 0 and two.parse_us_per_row > 0
    assert json.loads(two.model_dump_json())["parse_seconds"] > 0
