"""The credgraph command answers like the API: readable text, or the same JSON with --json."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api.app import create_app
from api.cli import app
from graph.settings import Settings
from graph.store.embedded.store import EmbeddedStore

PURPOSE = {"X-Purpose": "tests"}  # questions about persons must say why

COMPANY = "91420102MA4K00010N"


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.delenv("CREDGRAPH_NEO4J_URI", raising=False)
    monkeypatch.setenv("CREDGRAPH_DATA_DIR", str(tmp_path))
    runner = CliRunner()
    result = runner.invoke(app, ["demo", "--no-serve", "--entities", "0"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["demo"]["created"] == 32
    return runner


def test_demo_twice_changes_nothing(runner: CliRunner) -> None:
    again = json.loads(runner.invoke(app, ["demo", "--no-serve", "--entities", "0"]).output)
    demo = again["demo"]
    assert (demo["created"], demo["updated"], demo["unchanged"]) == (0, 0, 32)
    assert set(again["keys"]) == {"public", "approver", "investigator", "admin"}
    for path in again["keys"].values():  # the same keys again, readable by the owner only
        assert Path(path).stat().st_mode & 0o777 == 0o600
        assert Path(path).read_text().startswith("cg_")


def test_db_commands(runner: CliRunner) -> None:
    assert runner.invoke(app, ["db", "init"]).output.startswith("embedded: schema ready")
    assert runner.invoke(app, ["db", "check"]).output.strip() == "schema ok"


def test_entity_text_and_json_match_the_api(runner: CliRunner, tmp_path: Path) -> None:
    text = runner.invoke(app, ["entity", COMPANY, "--as-of", "2025-08-01"]).output
    assert "武汉某某建设工程有限公司" in text and "[in force] AdministrativePenalty" in text
    as_json = json.loads(
        runner.invoke(app, ["entity", COMPANY, "--as-of", "2025-08-01", "--json"]).output
    )
    store = EmbeddedStore(tmp_path / "graph")
    try:
        key = (tmp_path / "demo-keys" / "investigator").read_text().strip()
        auth = {"Authorization": f"Bearer {key}"}  # the demo made one key per role
        with TestClient(create_app(Settings(data_dir=tmp_path), store), headers=auth) as client:
            api = client.get(f"/v1/entities/{COMPANY}", params={"as_of": "2025-08-01"}).json()
    finally:
        store.close()
    assert as_json == api


def test_neighbours_pages_with_a_cursor(runner: CliRunner) -> None:
    first = json.loads(runner.invoke(app, ["neighbours", COMPANY, "--limit", "3", "--json"]).output)
    assert len(first["items"]) == 3 and first["total"] == 8
    rest = runner.invoke(app, ["neighbours", COMPANY, "--cursor", first["next_cursor"]]).output
    assert "5 of 8 link(s)" in rest


def test_errors_are_one_line_and_exit_2(runner: CliRunner) -> None:
    result = runner.invoke(app, ["entity", "nobody"])
    assert result.exit_code == 2
    assert "no entity with id 'nobody'" in result.output
    bad = runner.invoke(app, ["entity", COMPANY, "--as-of", "2025-13-01"])
    assert bad.exit_code == 2 and "not a date" in bad.output


def test_generate_then_load_accounts_for_every_row(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CREDGRAPH_NEO4J_URI", raising=False)
    monkeypatch.setenv("CREDGRAPH_DATA_DIR", str(tmp_path / "data"))
    runner = CliRunner()
    made = runner.invoke(app, ["generate", "--out", str(tmp_path / "county"), "--entities", "1000"])
    assert made.exit_code == 0, made.output
    assert "ground truth" in made.output
    dry = runner.invoke(
        app,
        [
            "load",
            str(tmp_path / "county"),
            "--dry-run",
            "--json",
            "--summary",
            str(tmp_path / "dry.json"),
        ],
    )
    assert dry.exit_code == 0, dry.output
    assert json.loads(dry.output)["dry_run"] is True
    assert not (tmp_path / "data" / "graph").exists()
    done = runner.invoke(
        app,
        [
            "load",
            str(tmp_path / "county"),
            "--summary",
            str(tmp_path / "summary.json"),
            "--rejects",
            str(tmp_path / "rejects.csv"),
        ],
    )
    assert done.exit_code == 0, done.output
    assert "(all files)" in done.output and "rows/s" in done.output
    summary = json.loads((tmp_path / "summary.json").read_text())
    totals = summary["totals"]
    assert totals["read"] == totals["loaded"] + totals["merged"] + totals["rejected"] > 1000
    assert totals["rejected"] == len((tmp_path / "rejects.csv").read_text().splitlines()) - 1
    assert summary["departments"][0]["pushed"] > 0


def test_measures_show_their_conditions_and_unverified_bases(runner: CliRunner) -> None:
    out = runner.invoke(app, ["measures", "-m", "travel"]).output
    lines = out.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("mtv-exit-ban "))
    assert "only if: 欠缴税款、滞纳金、罚款尚未缴清; 未提供纳税担保" in lines[at + 1]
    listed = json.loads(runner.invoke(app, ["measures", "--json"]).output)
    assert all(m["basis"] in {"verified", "unverified"} and m["basic_list_item"] for m in listed)
