"""``credgraph clusters``: run (exit status for cron, JSON), list, show and diff."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from api.cli import app
from api.jobs import job_lock
from graph.settings import Settings
from graph.store.embedded.store import EmbeddedStore
from queries.clusters.history import RunHistory
from tests import factories
from tests.api.test_clusters_api import PARAMS
from tests.queries import scenarios as s

DAY = "2025-09-01"


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    """The scenario graph in an embedded store; runs keep clusters of one listed member."""
    store = EmbeddedStore(tmp_path / "graph")
    factories.load(store, s.graph())
    store.close()
    weights = tmp_path / "weights.yaml"
    weights.write_text(PARAMS)
    monkeypatch.delenv("CREDGRAPH_NEO4J_URI", raising=False)
    monkeypatch.setenv("CREDGRAPH_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("CREDGRAPH_CLUSTER_WEIGHTS", str(weights))
    return CliRunner()


def run_json(runner: CliRunner) -> dict[str, Any]:
    result = runner.invoke(app, ["clusters", "run", "--as-of", DAY, "--json"])
    assert result.exit_code == 0, result.output
    document: dict[str, Any] = json.loads(result.stdout)  # JSON only: no progress bar
    return document


def test_run_twice_keeps_ids_and_reports_no_change(runner: CliRunner) -> None:
    first = run_json(runner)
    assert set(first) == {"run", "diff"} and first["run"]["clusters"]
    assert {c["kind"] for c in first["diff"]["changes"]} == {"new"}
    ids = [c["id"] for c in first["run"]["clusters"]]
    assert all(i.startswith("cl-") for i in ids)
    second = run_json(runner)
    assert second["diff"]["changes"] == [] and [c["id"] for c in second["run"]["clusters"]] == ids
    assert second["diff"]["previous_run_id"] == first["run"]["run_id"]
    text = runner.invoke(app, ["clusters", "run", "--as-of", DAY])
    assert text.exit_code == 0 and "no change" in text.stdout and "cluster(s)" in text.stdout


def test_list_show_and_diff(runner: CliRunner, tmp_path: Path) -> None:
    first, second = run_json(runner), run_json(runner)
    listed = runner.invoke(app, ["clusters", "list"])
    assert listed.exit_code == 0 and "2 run(s)" in listed.stdout
    assert listed.stdout.index(second["run"]["run_id"]) < listed.stdout.index(
        first["run"]["run_id"]
    )
    as_json = json.loads(runner.invoke(app, ["clusters", "list", "--json"]).stdout)
    assert [r["run_id"] for r in as_json] == [second["run"]["run_id"], first["run"]["run_id"]]
    cluster = first["run"]["clusters"][0]
    shown = runner.invoke(app, ["clusters", "show", cluster["id"]])
    assert shown.exit_code == 0 and cluster["id"] in shown.stdout
    assert cluster["members"][0]["name"] in shown.stdout and "new" in shown.stdout
    shown_json = json.loads(
        runner.invoke(app, ["clusters", "show", cluster["id"], "--json"]).stdout
    )
    kept = RunHistory(Settings(data_dir=tmp_path).clusters_path).get_cluster(cluster["id"])
    assert shown_json == kept.model_dump(mode="json")
    latest = runner.invoke(app, ["clusters", "diff"])
    assert latest.exit_code == 0 and "no change" in latest.stdout
    earlier = runner.invoke(app, ["clusters", "diff", first["run"]["run_id"], "--json"])
    assert json.loads(earlier.stdout) == first["diff"]
    assert (
        f"NEW       {cluster['id']}"
        in runner.invoke(app, ["clusters", "diff", first["run"]["run_id"]]).stdout
    )


def test_errors_are_one_line_with_an_exit_status(runner: CliRunner, tmp_path: Path) -> None:
    nothing = runner.invoke(app, ["clusters", "diff"])
    assert nothing.exit_code == 2 and "no cluster run yet" in nothing.output
    unknown = runner.invoke(app, ["clusters", "show", "cl-nope"])
    assert unknown.exit_code == 2 and unknown.output.strip() == "error: no cluster 'cl-nope'"
    with job_lock(Settings(data_dir=tmp_path).clusters_path):  # a run in progress
        busy = runner.invoke(app, ["clusters", "run", "--json"])
    assert busy.exit_code == 3 and busy.stdout == ""
    assert busy.output.strip().startswith("error: another cluster run is in progress")
    assert len(busy.output.strip().splitlines()) == 1
    (tmp_path / "weights.yaml").write_text("weights: [not, a, mapping]\n")
    broken = runner.invoke(app, ["clusters", "run"])
    assert broken.exit_code == 2 and len(broken.output.strip().splitlines()) == 1
    assert "weights" in broken.output
    assert RunHistory(Settings(data_dir=tmp_path).clusters_path).list_runs() == []
