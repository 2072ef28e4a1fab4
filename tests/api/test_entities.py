"""The HTTP API answers the store's questions and maps errors to status codes (both stores)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from graph.settings import Settings
from graph.store.protocol import GraphStore
from tests import factories as f

PURPOSE = {"X-Purpose": "tests"}  # questions about persons must say why


@pytest.fixture
def client(store: GraphStore, tmp_path: Path) -> Iterator[TestClient]:
    store.init_schema()
    f.load(store, f.county())
    with TestClient(create_app(Settings(data_dir=tmp_path), store)) as client:
        yield client


def test_health_reports_the_backend(client: TestClient, store: GraphStore) -> None:
    body = client.get("/readyz").json()
    assert body == {"status": "ready", "backend": store.backend, "missing_schema": []}


def test_entity_with_records_as_of(client: TestClient) -> None:
    body = client.get(f"/v1/entities/{f.COMPANY_A}", params={"as_of": "2026-07-09"}).json()
    assert body["entity"]["name"] == "武汉某某建设工程有限公司"
    assert body["entity"]["label"] == "Enterprise"
    [view] = body["records"]
    assert view["record"]["document_number"] == "某市监处罚〔2025〕101号"
    assert view["in_force"] is False


def test_neighbours_page_and_cursor(client: TestClient) -> None:
    first = client.get(f"/v1/entities/{f.COMPANY_A}/neighbours", params={"limit": 4}).json()
    assert first["total"] == 6 and len(first["items"]) == 4
    rest = client.get(
        f"/v1/entities/{f.COMPANY_A}/neighbours",
        params={"limit": 4, "cursor": first["next_cursor"]},
    ).json()
    assert len(rest["items"]) == 2 and rest["next_cursor"] is None
    typed = client.get(
        f"/v1/entities/{f.COMPANY_A}/neighbours", params={"rel_type": "HAS_PHONE"}
    ).json()
    assert [n["node"]["id"] for n in typed["items"]] == ["phone:02780000010"]


def test_errors_map_to_status_codes(client: TestClient) -> None:
    missing = client.get("/v1/entities/nobody")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
    bad = client.get(f"/v1/entities/{f.COMPANY_A}/neighbours", params={"cursor": "xx"})
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "cursor"
    assert client.get("/v1/records/penalty:none").status_code == 404


def test_record_by_id(client: TestClient) -> None:
    record_id = client.get(f"/v1/entities/{f.COMPANY_B}").json()["records"][0]["record"]["id"]
    body = client.get(f"/v1/records/{record_id}").json()
    assert body["list_kind"] == "major_tax_violation" and body["kind"] == "ListEntry"


def test_stats(client: TestClient) -> None:
    assert client.get("/v1/stats").json()["nodes"]["Enterprise"] == 2
