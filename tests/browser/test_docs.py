"""The API documentation renders in a real browser (Debian's Chromium) with no internet."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.request import urlopen

import pytest

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed"),
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real ``credgraph serve`` on an empty embedded store, on a free loopback port."""
    data = tmp_path_factory.mktemp("docs")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CREDGRAPH_")}
    env["CREDGRAPH_DATA_DIR"] = str(data)
    server = subprocess.Popen(
        [sys.executable, "-m", "api.cli", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                with urlopen(f"{url}/healthz", timeout=1):
                    break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("the service did not start")
        yield url
    finally:
        server.terminate()
        server.wait(10)


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
