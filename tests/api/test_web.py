"""The explorer's page and files are served by the service itself, with no key."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api import web
from api.app import create_app
from graph.settings import Settings
from graph.store.embedded.store import EmbeddedStore


@pytest.fixture
def client(tmp_path: Path) -> TestClient:
    settings = Settings(data_dir=tmp_path)
    return TestClient(create_app(settings, EmbeddedStore(tmp_path / "graph")))


def test_the_page_its_modules_and_the_library_are_served(client: TestClient) -> None:
    assert web.installed(), "run scripts/explorer-assets (scripts/dev does it at set-up)"
    page = client.get("/explore")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assert "/explore/vendor/cytoscape.min.js" in page.text
    for name in web.LIBRARIES:  # every script the page loads is here, none from outside
        assert f"/explore/vendor/{name}" in page.text
        assert client.get(f"/explore/vendor/{name}").status_code == 200
    assert "https://" not in page.text and "http://" not in page.text
    main = client.get("/explore/app/main.js")
    assert main.status_code == 200 and "javascript" in main.headers["content-type"]
    assert client.get("/explore/app/nothing.js").status_code == 404


def test_a_missing_library_says_how_to_install_it(
    client: TestClient, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(web, "VENDOR", tmp_path / "no-vendor")
    page = client.get("/explore")
    assert page.status_code == 503 and "scripts/explorer-assets" in page.text
