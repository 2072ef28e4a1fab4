"""Fixtures for loader tests: a copy of the sample files and a loader on the test's store."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from graph.store.protocol import GraphStore
from loaders.pipeline import Loader, LoadSummary
from loaders.report import RejectWriter

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "samples"
KEY = b"loader-test-key"

LoadFn = Callable[..., LoadSummary]


@pytest.fixture
def samples(tmp_path: Path) -> Path:
    """A writable copy of the sample folder."""
    target = tmp_path / "samples"
    shutil.copytree(SAMPLES, target)
    return target


@pytest.fixture
def load(store: GraphStore, tmp_path: Path) -> Iterator[LoadFn]:
    """Load paths into the test's store; the rejects file is tmp_path/rejects-N.csv."""
    count = 0

    def run(
        *paths: Path, fmt: str | None = None, batch_size: int = 5000, dry_run: bool = False
    ) -> LoadSummary:
        nonlocal count
        count += 1
        with RejectWriter(tmp_path / f"rejects-{count}.csv") as writer:
            loader = Loader(
                None if dry_run else store, KEY, writer, batch_size=batch_size, progress=False
            )
            return loader.load(list(paths), fmt)

    yield run
