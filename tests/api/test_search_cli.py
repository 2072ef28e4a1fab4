"""``credgraph search``: one line per hit, the page as JSON with --json, errors exit 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

import tests.factories as f
from api.cli import app
from graph.model import Enterprise
from graph.store.embedded.store import EmbeddedStore


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    """The CLI on an embedded store holding the factories' county and a renamed company."""
    monkeypatch.delenv("CREDGRAPH_NEO4J_URI", raising=False)
    monkeypatch.setenv("CREDGRAPH_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("CREDGRAPH_ID_HASH_KEY", f.KEY.decode())
    store = EmbeddedStore(tmp_path / "graph")
    try:
        f.load(store, f.county())
        renamed = Enterprise(id=f.COMPANY_B, uscc=f.COMPANY_B, name="武汉新城商贸有限公司")
        assert store.upsert_entities([renamed]).outcomes == ["updated"]
    finally:
        store.close()
    return CliRunner()


def test_one_line_per_hit(runner: CliRunner) -> None:
    result = runner.invoke(app, ["search", "某某"])
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 2
    assert lines[0].split() == ["Enterprise", f.COMPANY_A, "武汉某某建设工程有限公司", "[name]"]
    assert lines[1].split() == ["Enterprise", f.COMPANY_B, "武汉新城商贸有限公司", "[former_name]"]


def test_json_pages_with_a_cursor_and_kind(runner: CliRunner) -> None:
    first = json.loads(runner.invoke(app, ["search", "武汉", "--limit", "1", "--json"]).output)
    assert [h["id"] for h in first["items"]] == [f.COMPANY_B]
    assert first["query"] == "武汉" and first["next_cursor"]
    rest = runner.invoke(app, ["search", "武汉", "--cursor", first["next_cursor"], "--json"])
    assert [h["id"] for h in json.loads(rest.output)["items"]] == [f.COMPANY_A]
    people = runner.invoke(app, ["search", "明", "--kind", "person"]).output
    assert f.ZHOU.id in people and "周明" in people


def test_a_citizen_id_number_finds_the_person_and_is_not_echoed(
    runner: CliRunner, tmp_path: Path
) -> None:
    result = runner.invoke(app, ["search", f.ZHOU_ID, "--json"])
    page = json.loads(result.output)
    assert [(h["id"], h["matched"]) for h in page["items"]] == [(f.ZHOU.id, "id_number")]
    assert page["query"] == "420102********001X" and f.ZHOU_ID not in result.output
    nobody = runner.invoke(app, ["search", "110105195001010039"])
    assert nobody.exit_code == 0 and "110105195001010039" not in nobody.output
    trail = tmp_path / "audit.jsonl"  # the audit trail keeps the keyed person id instead
    assert trail.exists() and f.ZHOU_ID not in trail.read_text()
    assert "110105195001010039" not in trail.read_text()


def test_bad_input_exits_2(runner: CliRunner) -> None:
    bad = runner.invoke(app, ["search", "某某", "--cursor", "nonsense"])
    assert bad.exit_code == 2 and "cursor" in bad.output
    assert runner.invoke(app, ["search", "某某", "--kind", "martian"]).exit_code == 2
