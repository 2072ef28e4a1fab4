"""Settings: the embedded default, and a person-key secret that is made once and kept."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from graph.settings import Settings


def test_embedded_is_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CREDGRAPH_NEO4J_URI", raising=False)
    assert Settings().backend == "embedded"
    monkeypatch.setenv("CREDGRAPH_NEO4J_URI", "neo4j://db:7687")
    assert Settings().backend == "neo4j"


def test_the_hash_key_is_created_once_private_and_stable(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    key = settings.hash_key()
    assert len(key) == 64
    assert Settings(data_dir=tmp_path).hash_key() == key
    mode = stat.S_IMODE((tmp_path / "id_hash.key").stat().st_mode)
    assert mode == 0o600
    assert Settings(data_dir=tmp_path / "other").hash_key() != key


def test_a_configured_hash_key_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CREDGRAPH_ID_HASH_KEY", "x" * 40)
    assert Settings(data_dir=tmp_path).hash_key() == b"x" * 40
    assert not (tmp_path / "id_hash.key").exists()
