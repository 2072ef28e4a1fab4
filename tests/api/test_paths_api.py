"""Paths, connections and conflicts over HTTP (both stores) and on the command line."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import typer
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api.app import create_app
from api.commands.paths import register
from graph.model import Person, Relation, ServiceRole
from graph.settings import Settings
from graph.store.embedded.store import EmbeddedStore
from graph.store.protocol import GraphStore
from graph.vocabulary import RelType
from tests import factories as f

PURPOSE = {"X-Purpose": "tests"}  # questions about persons must say why

OFFICIAL = Person(id="person:official", name="孙科员")
PHONE_ID = "phone:02780000010"
A, B = f.COMPANY_A, f.COMPANY_B


def county() -> dict[str, list[Any]]:
    """The factories' county, and an official of its authority who uses company A's phone."""
    graph = f.county()
    graph["entities"].append(OFFICIAL)
    graph["relations"] += [
        Relation(
            type=RelType.SERVES_IN,
            source_id=OFFICIAL.id,
            target_id=f.AUTHORITY_ID,
            role=ServiceRole.CIVIL_SERVANT,
            post="科员",
            valid_from=date(2019, 1, 1),
        ),
        Relation(type=RelType.HAS_PHONE, source_id=OFFICIAL.id, target_id=PHONE_ID),
    ]
    return graph


def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path, id_hash_key="test-key")  # the factories' key


@pytest.fixture
def client(store: GraphStore, tmp_path: Path) -> Iterator[TestClient]:
    store.init_schema()
    f.load(store, county())
    app = create_app(settings(tmp_path), store)
    with TestClient(app, headers=PURPOSE) as client:
        yield client


def chains(body: dict[str, Any]) -> list[list[str]]:
    return [[n["id"] for n in p["nodes"]] for p in body["paths"]]


def test_paths_shortest_and_all(client: TestClient) -> None:
    body = client.get("/v1/paths", params={"source": A, "target": B}).json()
    assert chains(body) == [[A, B]] and body["mode"] == "shortest"
    assert body["paths"][0]["steps"][0]["direction"] == "forward"
    every = client.get(
        "/v1/paths", params={"source": A, "target": B, "mode": "all", "max_hops": 2}
    ).json()
    assert chains(every) == [[A, B], [A, f.ZHOU.id, B], [A, PHONE_ID, B]]
    later = client.get(
        "/v1/paths",
        params={"source": A, "target": B, "mode": "all", "max_hops": 2, "as_of": "2025-06-01"},
    ).json()
    assert chains(later) == [[A, B], [A, PHONE_ID, B]] and later["as_of"] == "2025-06-01"
    typed = client.get(
        "/v1/paths", params={"source": f.ZHOU_ID, "target": B, "rel_type": ["HAS_PHONE"]}
    ).json()  # a citizen ID number finds the person
    assert typed["source"]["id"] == f.ZHOU.id and typed["paths"] == []


def test_paths_errors(client: TestClient) -> None:
    missing = client.get("/v1/paths", params={"source": A, "target": "nobody"})
    assert missing.status_code == 404
    same = client.get("/v1/paths", params={"source": A, "target": A})
    assert same.status_code == 422 and same.json()["error"]["field"] == "target"
    assert (
        client.get("/v1/paths", params={"source": A, "target": B, "max_hops": 9}).status_code == 422
    )


def test_connect(client: TestClient) -> None:
    body = client.get("/v1/connect", params={"id": [A, B, f.WU.id]}).json()
    hops = {(p["source_id"], p["target_id"]): p["hops"] for p in body["pairs"]}
    assert hops == {(A, B): 1, (A, f.WU.id): 1, (B, f.WU.id): 2}
    assert {n["id"] for n in body["nodes"]} == {A, B, f.WU.id}
    assert client.get("/v1/connect", params={"id": [A]}).status_code == 422


def test_conflicts_of_a_staff_member_and_of_an_authority(client: TestClient) -> None:
    body = client.get("/v1/conflicts", params={"staff": OFFICIAL.id, "party": [A, f.WU.id]}).json()
    assert body["conflict"] and body["services"][0]["post"] == "科员"
    near, wu = body["parties"]
    assert chains(near)[0] == [OFFICIAL.id, PHONE_ID, A] and wu["linked"]
    not_staff = client.get("/v1/conflicts", params={"staff": f.ZHOU_ID, "party": [A]})
    assert not_staff.status_code == 422 and not_staff.json()["error"]["field"] == "staff"
    found = client.get(f"/v1/authorities/{f.AUTHORITY_ID}/conflicts").json()
    [finding] = found["findings"]
    assert finding["record"]["document_number"] == "某市监处罚〔2025〕101号"
    assert (finding["staff"]["id"], finding["subject"]["id"], finding["hops"]) == (
        OFFICIAL.id,
        A,
        2,
    )
    assert client.get(f"/v1/authorities/{A}/conflicts").status_code == 404


# --- the command line, on the embedded store ------------------------------------------------


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    monkeypatch.delenv("CREDGRAPH_NEO4J_URI", raising=False)
    monkeypatch.setenv("CREDGRAPH_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("CREDGRAPH_ID_HASH_KEY", "test-key")
    store = EmbeddedStore(tmp_path / "graph")
    try:
        store.init_schema()
        f.load(store, county())
    finally:
        store.close()  # one process owns a data dir: the command opens it again
    yield CliRunner()


def invoke(runner: CliRunner, *args: str) -> Any:
    app = typer.Typer()
    register(app)
    return runner.invoke(app, list(args))


def test_paths_as_text(cli: CliRunner) -> None:
    out = invoke(cli, "paths", f.ZHOU_ID, B, "--as-of", "2025-06-01").output
    assert (
        "2 hop(s): 周明 -[LEGAL_REPRESENTATIVE_OF +SHAREHOLDER_OF]-> 武汉某某建设工程有限公司 "
        in out
    )
    assert "-[SHAREHOLDER_OF]-> 武汉某某商贸有限公司" in out
    phone = invoke(cli, "paths", A, B, "--all", "--max-hops", "2", "--type", "HAS_PHONE").output
    assert (
        "武汉某某建设工程有限公司 -[HAS_PHONE]-> 02780000010 <-[HAS_PHONE]- 武汉某某商贸有限公司"
        in phone
    )
    none = invoke(cli, "paths", A, B, "--type", "SERVES_IN").output
    assert "no path within 6 hops" in none
    missing = invoke(cli, "paths", A, "nobody")
    assert missing.exit_code == 2 and "no entity" in missing.output


def test_paths_json_is_the_api_document(cli: CliRunner, tmp_path: Path) -> None:
    args = ["paths", A, B, "--all", "--max-hops", "3", "--as-of", "2025-06-01", "--json"]
    as_json = json.loads(invoke(cli, *args).output)
    store = EmbeddedStore(tmp_path / "graph")
    try:
        app = create_app(settings(tmp_path), store)
        with TestClient(app, headers=PURPOSE) as client:
            params: dict[str, Any] = {
                "source": A,
                "target": B,
                "mode": "all",
                "max_hops": 3,
                "as_of": "2025-06-01",
            }
            api = client.get("/v1/paths", params=params).json()
    finally:
        store.close()
    assert as_json == api and len(api["paths"]) == 2


def test_connect_and_conflicts_as_text(cli: CliRunner) -> None:
    out = invoke(cli, "connect", A, B, f.WU.id).output
    assert "武汉某某商贸有限公司 — 吴芳: 2 hop(s)" in out
    assert "吴芳 -[SHAREHOLDER_OF]-> 武汉某某建设工程有限公司" in out
    staff = invoke(cli, "conflicts", OFFICIAL.id, "--party", A).output
    assert "孙科员 serves in 某区市场监督管理局 as civil_servant (科员)" in staff
    assert "孙科员 -[HAS_PHONE]-> 02780000010 <-[HAS_PHONE]- 武汉某某建设工程有限公司" in staff
    assert "conflict: yes" in staff
    auth = invoke(cli, "conflicts", "--authority", f.AUTHORITY_ID).output
    assert (
        "某市监处罚〔2025〕101号 2025-07-08 AdministrativePenalty → 武汉某某建设工程有限公司"
        in auth
    )
    assert "1 finding(s)" in auth
    as_json = json.loads(invoke(cli, "conflicts", "--authority", f.AUTHORITY_ID, "--json").output)
    assert as_json["findings"][0]["staff"]["id"] == OFFICIAL.id
    assert invoke(cli, "conflicts", OFFICIAL.id).exit_code == 2  # no --party
