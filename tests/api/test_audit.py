"""The audit trail: every question over HTTP and from the CLI, who asked and why, no ID numbers."""

from __future__ import annotations

import getpass
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api.app import create_app
from api.cli import app as cli
from graph.audit import safe
from graph.settings import Settings
from graph.store.embedded.store import EmbeddedStore
from tests import factories
from tests.queries import scenarios as s

REP_ID_NUMBER = "42010219800101001X"  # 周明, the debtor's legal representative


def lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(x) for x in path.read_text("utf-8").splitlines()]


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    store = EmbeddedStore(tmp_path / "graph")
    factories.load(store, s.graph())
    settings = Settings(
        data_dir=tmp_path, id_hash_key=factories.KEY.decode(), audit_log=tmp_path / "a/t.jsonl"
    )
    with TestClient(create_app(settings, store)) as client:
        yield client
    store.close()


def test_every_question_is_logged_with_caller_purpose_and_keyed_ids(
    client: TestClient, tmp_path: Path
) -> None:
    who = {"X-Caller": "investigator-7"}
    assert client.get("/readyz").status_code == 200  # asks nothing about anyone: not logged
    client.get(
        "/v1/paths",
        params={"source": REP_ID_NUMBER, "target": s.SECOND.id, "purpose": "案件 2025-17"},
        headers=who,
    )
    client.get(f"/v1/persons/{REP_ID_NUMBER}/roles", headers={**who, "X-Purpose": "case-review"})
    client.get("/v1/entities/no-such-entity/exposure", headers=who)
    client.post(
        "/v1/checks",
        json={"subjects": [s.DEBTOR.id, s.CLEAN.id], "matter": "bidding", "purpose": "招标 12"},
    )
    text = (tmp_path / "a/t.jsonl").read_text("utf-8")
    assert REP_ID_NUMBER not in text
    paths, roles, missing, batch = lines(tmp_path / "a/t.jsonl")
    assert paths["question"] == "GET /v1/paths" and paths["channel"] == "api"
    # without keys every caller is the local investigator; X-Caller is only a declaration
    assert paths["caller"] == "local" and paths["declared_caller"] == "investigator-7"
    assert paths["role"] == "investigator" and paths["purpose"] == "案件 2025-17"
    assert paths["params"]["source"] == s.LEGAL_REP.id
    assert paths["params"]["target"] == s.SECOND.id and paths["status"] == 200
    assert roles["question"] == "GET /v1/persons/{id}/roles" and roles["purpose"] == "case-review"
    assert roles["params"]["id"] == s.LEGAL_REP.id
    assert missing["status"] == 404  # a question that found nothing is still a question
    assert batch["caller"] == "local" and batch["purpose"] == "招标 12"
    assert "declared_caller" not in batch
    assert [a["verdict"] for a in batch["answer"]] == ["restrict", "pass"]
    assert all(a["receipt"].startswith("chk-") for a in batch["answer"])


def test_the_cli_logs_each_command_once_with_the_os_user(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = EmbeddedStore(tmp_path / "graph")
    factories.load(store, s.graph())
    store.close()
    monkeypatch.delenv("CREDGRAPH_NEO4J_URI", raising=False)
    monkeypatch.setenv("CREDGRAPH_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("CREDGRAPH_ID_HASH_KEY", factories.KEY.decode())
    runner = CliRunner()
    args = ["check", REP_ID_NUMBER, "-m", "travel", "--as-of", "2025-09-01"]
    assert runner.invoke(cli, [*args, "--purpose", "出行审核", "--json"]).exit_code == 0
    assert runner.invoke(cli, ["check", "nobody", "-m", "travel"]).exit_code == 2
    person = ["--purpose", "线索核查", "person", REP_ID_NUMBER, "--json"]
    assert runner.invoke(cli, person).exit_code == 0
    assert REP_ID_NUMBER not in (tmp_path / "audit.jsonl").read_text("utf-8")
    ok, failed, roles = lines(tmp_path / "audit.jsonl")
    assert ok["channel"] == "cli" and ok["question"].endswith("check")
    assert ok["caller"] == getpass.getuser() and ok["purpose"] == "出行审核"
    assert ok["params"]["subjects"] == [s.LEGAL_REP.id] and ok["params"]["matter"] == "travel"
    assert ok["answer"]["verdict"] == "restrict" and ok["status"] == "ok" and ok["ms"] > 0
    assert failed["status"] == "error: NotFound" and failed["params"]["subjects"] == ["nobody"]
    assert roles["question"] == "credgraph person" and roles["purpose"] == "线索核查"
    assert s.LEGAL_REP.id in roles["params"].values()


def test_id_numbers_are_keyed_or_masked_and_codes_kept() -> None:
    key = factories.KEY
    assert safe(REP_ID_NUMBER, key) == s.LEGAL_REP.id
    assert safe(REP_ID_NUMBER.lower(), key) == s.LEGAL_REP.id
    bad_check_digit = REP_ID_NUMBER[:-1] + "3"
    masked = safe(bad_check_digit, key)
    assert masked.startswith("420102") and "19800101" not in masked
    assert safe("420102000012345", key) == "420102000012345"  # a 15-digit 工商注册号
    assert safe(s.DEBTOR.id, key) == s.DEBTOR.id
