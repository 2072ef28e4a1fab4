"""Checks, propagation and exposure over HTTP (both stores) and from the CLI (same JSON)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api.app import create_app
from api.cli import app as cli
from graph.settings import Settings
from graph.store.embedded.store import EmbeddedStore
from graph.store.protocol import GraphStore
from tests import factories
from tests.queries import scenarios as s

PURPOSE = {"X-Purpose": "tests"}  # questions about persons must say why

REP_ID_NUMBER = "42010219800101001X"  # 周明, the debtor's legal representative


@pytest.fixture
def client(store: GraphStore, tmp_path: Path) -> Iterator[TestClient]:
    store.init_schema()
    factories.load(store, s.graph())
    settings = Settings(data_dir=tmp_path, id_hash_key=factories.KEY.decode())
    with TestClient(create_app(settings, store), headers=PURPOSE) as client:
        yield client


def test_check_by_citizen_id_restricts_the_legal_rep_and_logs_the_caller(
    client: TestClient, tmp_path: Path
) -> None:
    params = {"subject": REP_ID_NUMBER, "matter": "consumption", "as_of": "2025-09-01"}
    response = client.get(
        "/v1/check", params={**params, "purpose": "审批"}, headers={"X-Caller": "window-3"}
    )
    body = response.json()
    assert response.status_code == 200
    assert body["verdict"] == "restrict"
    assert body["subject"]["id"] == s.LEGAL_REP.id
    assert body["reasons"][0]["tier"] == "binding"
    assert body["reasons"][0]["measure"]["legal_basis"]
    text = (tmp_path / "audit.jsonl").read_text("utf-8")
    assert REP_ID_NUMBER not in text
    [line] = [json.loads(x) for x in text.splitlines()]
    assert (line["caller"], line["purpose"], line["question"]) == ("local", "审批", "GET /v1/check")
    assert line["declared_caller"] == "window-3"
    assert line["params"]["subject"] == s.LEGAL_REP.id  # the keyed person id, never the number
    assert line["answer"]["receipt"] == body["receipt"]
    assert line["answer"]["verdict"] == "restrict" and line["status"] == 200


def test_batch_of_bidders(client: TestClient) -> None:
    body = client.post(
        "/v1/checks",
        json={"subjects": [s.CLEAN.id, s.DEBTOR.id], "matter": "bidding", "as_of": "2025-09-01"},
    ).json()
    assert [r["verdict"] for r in body["results"]] == ["pass", "restrict"]
    assert body["counts"]["restrict"] == 1


def test_bad_matter_and_unknown_subject(client: TestClient) -> None:
    bad = client.get("/v1/check", params={"subject": s.DEBTOR.id, "matter": "parking"})
    assert bad.status_code == 422
    missing = client.get("/v1/check", params={"subject": "no-such-entity", "matter": "bidding"})
    assert missing.status_code == 404


def test_propagation_exposure_and_catalogue(client: TestClient) -> None:
    prop = client.get(f"/v1/entities/{s.DEBTOR.id}/propagation", params={"as_of": "2025-09-01"})
    reached = {r["entity"]["id"] for r in prop.json()["records"][0]["reached"]}
    assert s.LEGAL_REP.id in reached and s.SHAREHOLDER.id not in reached
    exp = client.get(f"/v1/entities/{s.SHAREHOLDER.id}/exposure", params={"as_of": "2025-09-01"})
    assert exp.json()["linked"][0]["record"]["subject"]["id"] == s.DEBTOR.id
    measures = client.get("/v1/catalogue/measures", params={"matter": "travel"}).json()
    assert measures and all("travel" in m["matters"] for m in measures)


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    store = EmbeddedStore(tmp_path / "graph")
    factories.load(store, s.graph())
    store.close()
    monkeypatch.delenv("CREDGRAPH_NEO4J_URI", raising=False)
    monkeypatch.setenv("CREDGRAPH_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("CREDGRAPH_ID_HASH_KEY", factories.KEY.decode())
    return CliRunner()


def test_cli_check_prints_the_verdict_and_the_api_document(
    runner: CliRunner, tmp_path: Path
) -> None:
    args = ["check", s.SECOND.id, "--matter", "consumption", "--as-of", "2025-09-01"]
    text = runner.invoke(cli, args)
    assert text.exit_code == 0, text.output
    assert text.output.startswith("REVIEW  武汉乙商贸有限公司")
    assert "周明 -[LEGAL_REPRESENTATIVE_OF]-> 武汉甲建设有限公司" in text.output
    assert "武汉乙商贸有限公司 <-[LEGAL_REPRESENTATIVE_OF]- 周明" in text.output
    document = json.loads(runner.invoke(cli, [*args, "--json"]).output)
    assert document["verdict"] == "review"
    store = EmbeddedStore(tmp_path / "graph")
    try:
        settings = Settings(data_dir=tmp_path, id_hash_key=factories.KEY.decode())
        with TestClient(create_app(settings, store), headers=PURPOSE) as client:
            api = client.get(
                "/v1/check",
                params={"subject": s.SECOND.id, "matter": "consumption", "as_of": "2025-09-01"},
            ).json()
    finally:
        store.close()
    assert api == document


def test_cli_batch_propagation_exposure_and_measures(runner: CliRunner) -> None:
    batch = runner.invoke(
        cli, ["check", s.DEBTOR.id, REP_ID_NUMBER, "-m", "travel", "--as-of", "2025-09-01"]
    )
    assert batch.exit_code == 0, batch.output
    assert batch.output.count("RESTRICT") == 2 and "restrict: 2" in batch.output
    prop = runner.invoke(cli, ["propagation", s.DEBTOR.id, "--as-of", "2025-09-01"])
    assert "周明 [binding · legal_representative]" in prop.output
    exp = runner.invoke(cli, ["exposure", s.CLEAN.id])
    assert "nothing reaches it" in exp.output
    measures = runner.invoke(cli, ["measures", "-m", "consumption"])
    assert "djd-consumption" in measures.output
    bad = runner.invoke(cli, ["check", "nobody", "-m", "travel"])
    assert bad.exit_code == 2 and "no entity" in bad.output
