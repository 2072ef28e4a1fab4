"""Ownership routes (both stores) and commands (embedded store): text, and the API's JSON."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import typer
from fastapi import FastAPI
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api.app import create_app
from api.commands.entities import register
from graph.model import Enterprise, Relation
from graph.settings import Settings
from graph.store.embedded.store import EmbeddedStore
from graph.store.protocol import GraphStore
from graph.vocabulary import RelType
from tests import factories as f

PURPOSE = {"X-Purpose": "tests"}  # questions about persons must say why

PHONE = "phone:02780000010"
NEW = "NEW-SHELL"


def graph() -> dict[str, list[Any]]:
    """The factory county (B black-listed 2025-09-10), and a shell sharing the phone after."""
    county = f.county()
    county["entities"].append(
        Enterprise(id=NEW, name="武汉某某新贸易有限公司", established=date(2025, 10, 1))
    )
    county["relations"].append(Relation(type=RelType.HAS_PHONE, source_id=NEW, target_id=PHONE))
    return county


def application(settings: Settings, store: GraphStore) -> FastAPI:
    return create_app(settings, store)


@pytest.fixture
def client(store: GraphStore, tmp_path: Path) -> Iterator[TestClient]:
    store.init_schema()
    f.load(store, graph())
    settings = Settings(data_dir=tmp_path, id_hash_key="test-key")
    with TestClient(application(settings, store), headers=PURPOSE) as client:
        yield client


def test_equity_up_and_down_by_uscc_and_citizen_id(client: TestClient) -> None:
    up = client.get(f"/v1/entities/{f.COMPANY_B}/equity", params={"as_of": "2025-01-01"}).json()
    assert {s["node"]["id"]: s["stake"] for s in up["stakes"]} == {
        f.COMPANY_A: 1.0,
        f.ZHOU.id: 0.6,
        f.WU.id: 0.4,
    }
    assert up["chains"][0]["nodes"] == [f.COMPANY_B, f.COMPANY_A, f.ZHOU.id]
    down = client.get(f"/v1/entities/{f.ZHOU_ID}/equity", params={"direction": "down"}).json()
    assert down["subject"]["name"] == "周明"
    assert {s["node"]["id"]: s["stake"] for s in down["stakes"]} == {
        f.COMPANY_A: 0.6,
        f.COMPANY_B: 0.6,
    }
    pruned = client.get(f"/v1/entities/{f.COMPANY_B}/equity", params={"threshold": 0.5}).json()
    assert [s["node"]["id"] for s in pruned["stakes"]] == [f.COMPANY_A, f.ZHOU.id]


def test_controllers(client: TestClient) -> None:
    body = client.get(f"/v1/entities/{f.COMPANY_B}/controllers", params={"threshold": 0.5}).json()
    assert [(c["node"]["name"], c["stake"], c["declared"]) for c in body["controllers"]] == [
        ("周明", 0.6, False)
    ]


def test_person_roles(client: TestClient) -> None:
    body = client.get(f"/v1/persons/{f.ZHOU_ID}/roles", params={"as_of": "2025-01-01"}).json()
    roles = {(r["organisation"]["id"], r["type"]): r["current"] for r in body["roles"]}
    assert roles == {
        (f.COMPANY_A, "LEGAL_REPRESENTATIVE_OF"): True,
        (f.COMPANY_A, "SHAREHOLDER_OF"): True,
        (f.COMPANY_B, "LEGAL_REPRESENTATIVE_OF"): False,  # until 2024-12-31
    }
    assert [t["record"]["document_number"] for t in body["tenure_records"]] == [
        "某市监处罚〔2025〕101号"
    ]


def test_evasion(client: TestClient) -> None:
    body = client.get(f"/v1/entities/{f.COMPANY_B}/evasion", params={"as_of": "2025-12-01"}).json()
    [finding] = body["findings"]
    assert finding["organisation"]["id"] == NEW and finding["because"] == "established"
    assert [(s["kind"], s["via"]["id"]) for s in finding["shared"]] == [("phone", PHONE)]
    assert finding["listing"]["list_name"] == "重大税收违法失信主体"


def test_errors_map_to_status_codes(client: TestClient) -> None:
    not_listed = client.get(f"/v1/entities/{f.COMPANY_A}/evasion")
    assert not_listed.status_code == 422 and not_listed.json()["error"]["field"] == "listed_id"
    not_person = client.get(f"/v1/persons/{f.COMPANY_A}/roles")
    assert not_person.status_code == 422 and not_person.json()["error"]["field"] == "person_id"
    assert client.get("/v1/entities/nobody/equity").status_code == 404
    sideways = client.get(f"/v1/entities/{f.COMPANY_A}/equity", params={"direction": "sideways"})
    assert sideways.status_code == 422


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[CliRunner, typer.Typer]:
    store = EmbeddedStore(tmp_path / "graph")
    try:
        f.load(store, graph())
    finally:
        store.close()
    monkeypatch.delenv("CREDGRAPH_NEO4J_URI", raising=False)
    monkeypatch.setenv("CREDGRAPH_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("CREDGRAPH_ID_HASH_KEY", "test-key")
    app = typer.Typer()
    register(app)
    return CliRunner(), app


def api_json(tmp_path: Path, path: str, **params: str) -> Any:
    store = EmbeddedStore(tmp_path / "graph")
    try:
        settings = Settings(data_dir=tmp_path, id_hash_key="test-key")
        with TestClient(application(settings, store), headers=PURPOSE) as client:
            return client.get(path, params=params).json()
    finally:
        store.close()


def test_cli_equity_tree_and_json(cli: tuple[CliRunner, typer.Typer], tmp_path: Path) -> None:
    runner, app = cli
    text = runner.invoke(app, ["equity", f.COMPANY_B, "--as-of", "2025-01-01"])
    assert text.exit_code == 0, text.output
    assert "└─100.00%  武汉某某建设工程有限公司" in text.output
    assert " 60.00%  周明" in text.output and "ultimate" in text.output
    as_json = runner.invoke(app, ["equity", f.COMPANY_B, "--as-of", "2025-01-01", "--json"])
    expected = api_json(tmp_path, f"/v1/entities/{f.COMPANY_B}/equity", as_of="2025-01-01")
    assert json.loads(as_json.output) == expected
    down = runner.invoke(app, ["equity", f.ZHOU_ID, "--down", "--threshold", "0.7"]).output
    assert "(no holdings)" in down


def test_cli_controllers_person_and_evasion(
    cli: tuple[CliRunner, typer.Typer], tmp_path: Path
) -> None:
    runner, app = cli
    controllers = runner.invoke(app, ["controllers", f.COMPANY_B, "--threshold", "0.5"]).output
    assert " 60.00%  周明" in controllers and "吴芳" not in controllers
    person = runner.invoke(app, ["person", f.ZHOU_ID, "--as-of", "2025-01-01"]).output
    assert "[current] LEGAL_REPRESENTATIVE_OF" in person
    assert "[past   ] LEGAL_REPRESENTATIVE_OF" in person
    as_json = runner.invoke(app, ["person", f.ZHOU_ID, "--as-of", "2025-01-01", "--json"]).output
    expected = api_json(tmp_path, f"/v1/persons/{f.ZHOU_ID}/roles", as_of="2025-01-01")
    assert json.loads(as_json) == expected
    found = runner.invoke(app, ["evasion", f.COMPANY_B, "--as-of", "2025-12-01"]).output
    assert "1 organisation(s) after the listing" in found
    assert "2025-10-01 established" in found and "shares phone 02780000010" in found
    found_json = runner.invoke(app, ["evasion", f.COMPANY_B, "--as-of", "2025-12-01", "--json"])
    assert json.loads(found_json.output)["findings"][0]["organisation"]["id"] == NEW


def test_cli_errors_exit_2(cli: tuple[CliRunner, typer.Typer]) -> None:
    runner, app = cli
    not_listed = runner.invoke(app, ["evasion", f.COMPANY_A])
    assert not_listed.exit_code == 2 and "no black-list entry in force" in not_listed.output
    missing = runner.invoke(app, ["person", "nobody"])
    assert missing.exit_code == 2 and "no entity" in missing.output


def test_evasion_scan_of_many_subjects(client: TestClient) -> None:
    subjects = [f.COMPANY_B, f.COMPANY_A, "nobody", "110105194912310021"]
    body = client.post("/v1/evasion", json={"subjects": subjects, "as_of": "2025-12-01"}).json()
    [answer] = body["answers"]
    assert answer["subject"]["id"] == f.COMPANY_B
    assert [x["organisation"]["id"] for x in answer["findings"]] == [NEW]
    assert body["not_listed"] == [f.COMPANY_A]
    assert body["not_found"] == ["nobody", "110105********0021"]  # an ID number never echoed
    assert client.post("/v1/evasion", json={"subjects": []}).status_code == 422


def test_cli_evasion_scan(cli: tuple[CliRunner, typer.Typer]) -> None:
    runner, app = cli
    text = runner.invoke(
        app, ["evasion", f.COMPANY_B, f.COMPANY_A, "nobody", "--as-of", "2025-12-01"]
    )
    assert text.exit_code == 0, text.output
    assert "1 organisation(s) after the listing" in text.output
    assert f"no black listing in force on 2025-12-01: {f.COMPANY_A}" in text.output
    assert "not found: nobody" in text.output
    as_json = runner.invoke(
        app, ["evasion", f.COMPANY_B, f.COMPANY_A, "nobody", "--as-of", "2025-12-01", "--json"]
    )
    assert json.loads(as_json.output)["not_found"] == ["nobody"]
