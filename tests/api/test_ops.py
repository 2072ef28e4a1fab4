"""Operations: liveness, readiness, Prometheus metrics, and the docs served without a CDN."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from graph.errors import StoreUnavailable
from graph.settings import Settings
from graph.store.embedded.store import EmbeddedStore
from tests import factories
from tests.queries import scenarios as s


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    store = EmbeddedStore(tmp_path / "graph")
    factories.load(store, s.graph())
    settings = Settings(data_dir=tmp_path, id_hash_key=factories.KEY.decode())
    with TestClient(create_app(settings, store)) as client:
        yield client
    store.close()


def sample(text: str, name: str, **labels: str) -> float:
    """The value of one metric sample in the Prometheus text format."""
    for line in text.splitlines():
        if line.startswith(name + "{") or line.startswith(name + " "):
            head, value = line.rsplit(" ", 1)
            if all(f'{k}="{v}"' in head for k, v in labels.items()):
                return float(value)
    return 0.0


def test_metrics_count_routes_verdicts_and_audit_lines(client: TestClient) -> None:
    for subject in (s.DEBTOR.id, s.CLEAN.id, s.DEBTOR.id):
        client.get("/v1/check", params={"subject": subject, "matter": "bidding"})
    client.get("/v1/entities/nobody")
    text = client.get("/metrics").text
    route = {"route": "/v1/check", "method": "GET", "status": "200"}
    assert sample(text, "credgraph_http_request_duration_seconds_count", **route) == 3
    assert sample(text, "credgraph_check_verdicts_total", verdict="restrict") == 2
    assert sample(text, "credgraph_check_verdicts_total", verdict="pass") == 1
    missing = {"route": "/v1/entities/{entity_id}", "status": "404"}
    assert sample(text, "credgraph_http_request_duration_seconds_count", **missing) == 1
    assert sample(text, "credgraph_audit_lines_total") == 4  # the metrics page is not audited


def test_a_store_error_is_503_fast_then_recovers(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = client.app.state.store  # type: ignore[attr-defined]
    real = store.get_entity
    calls = []

    def down(*args: object, **kwargs: object) -> object:
        calls.append(1)
        raise StoreUnavailable("bolt://10.0.0.9:7687 refused: neo4j.exceptions.ServiceUnavailable")

    monkeypatch.setattr(store, "get_entity", down)
    first = client.get(f"/v1/entities/{s.DEBTOR.id}")
    again = client.get(f"/v1/entities/{s.DEBTOR.id}")
    assert first.status_code == again.status_code == 503
    assert first.headers["Retry-After"] == again.headers["Retry-After"] == "5"
    assert "bolt" not in first.text and "neo4j" not in first.text  # no internals
    assert len(calls) == 1  # the second was answered at once, without asking the store
    text = client.get("/metrics").text
    assert sample(text, "credgraph_store_errors_total", kind="unavailable") == 1
    assert client.get("/healthz").json() == {"status": "ok"}
    monkeypatch.setattr(store, "get_entity", real)
    assert client.get("/readyz").status_code == 200  # a ready store ends the fast-fail period
    assert client.get(f"/v1/entities/{s.DEBTOR.id}").status_code == 200


def test_docs_assets_come_from_the_service(client: TestClient) -> None:
    page = client.get("/docs").text
    assert "cdn" not in page.lower() and "https://" not in page
    for asset in ("swagger-ui-bundle.js", "swagger-ui.css"):
        assert f"/static-offline-docs/{asset}" in page
        assert client.get(f"/static-offline-docs/{asset}").status_code == 200
