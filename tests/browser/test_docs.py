"""The API documentation renders in a real browser (Debian's Chromium) with no internet."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser.live import CHROMIUM, serving

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed"),
]


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real ``credgraph serve`` on an empty embedded store, on a free loopback port."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CREDGRAPH_")}
    env["CREDGRAPH_DATA_DIR"] = str(tmp_path_factory.mktemp("docs"))
    with serving(env) as url:
        yield url


def test_docs_render_offline(service: str, tmp_path: Path) -> None:
    from playwright.sync_api import Route, sync_playwright

    outside: list[str] = []

    def only_loopback(route: Route) -> None:
        if route.request.url.startswith(service):
            route.continue_()
        else:  # a government network without internet: nothing else answers
            outside.append(route.request.url)
            route.abort()

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        try:
            page = browser.new_page()
            page.route("**/*", only_loopback)
            page.goto(f"{service}/docs")
            page.wait_for_selector(".opblock", timeout=20_000)
            operations = page.locator(".opblock-summary-path").all_inner_texts()
            title = page.locator(".info .title").first.inner_text()
            page.screenshot(path=os.environ.get("CREDGRAPH_DOCS_SHOT", str(tmp_path / "docs.png")))
        finally:
            browser.close()
    assert outside == []  # every asset came from the service
    assert "credgraph" in title
    assert any("/v1/check" in op for op in operations) and len(operations) >= 20
