"""``credgraph keys`` and the secure default of ``credgraph serve``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.cli import app
from api.keys import KeyRing


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.delenv("CREDGRAPH_NEO4J_URI", raising=False)
    monkeypatch.setenv("CREDGRAPH_DATA_DIR", str(tmp_path))
    return CliRunner()


def test_create_list_revoke(runner: CliRunner, tmp_path: Path) -> None:
    made = runner.invoke(app, ["keys", "create", "--name", "window-3", "--role", "approver"])
    assert made.exit_code == 0, made.output
    key = made.stdout.strip()
    assert key.startswith("cg_") and len(key) > 40
    stored = (tmp_path / "keys.json").read_text()
    assert key not in stored and (tmp_path / "keys.json").stat().st_mode & 0o777 == 0o600
    assert KeyRing(tmp_path / "keys.json").authenticate(key) is not None
    listed = json.loads(runner.invoke(app, ["keys", "list", "--json"]).stdout)
    assert [(k["name"], k["role"], k["revoked_at"]) for k in listed] == [
        ("window-3", "approver", None)
    ]
    again = runner.invoke(app, ["keys", "create", "--name", "window-3", "--role", "public"])
    assert again.exit_code == 2 and "exists already" in again.output
    bad_role = runner.invoke(app, ["keys", "create", "--name", "x", "--role", "root"])
    assert bad_role.exit_code == 2
    assert runner.invoke(app, ["keys", "revoke", "window-3"]).exit_code == 0
    assert KeyRing(tmp_path / "keys.json").authenticate(key) is None
    text = runner.invoke(app, ["keys", "list"]).stdout
    assert "window-3" in text and "revoked" in text
    assert runner.invoke(app, ["keys", "revoke", "nobody"]).exit_code == 2


def test_serve_refuses_a_network_address_without_keys(runner: CliRunner) -> None:
    refused = runner.invoke(app, ["serve", "--host", "0.0.0.0", "--port", "1"])
    assert refused.exit_code == 2
    assert "no API keys" in refused.output and "refusing" in refused.output


def test_serve_workers_need_neo4j(runner: CliRunner) -> None:
    runner.invoke(app, ["keys", "create", "--name", "a", "--role", "admin"])
    refused = runner.invoke(app, ["serve", "--workers", "2", "--port", "1"])
    assert refused.exit_code == 2 and "needs Neo4j" in refused.output
