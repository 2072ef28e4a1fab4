"""The explorer's pages: ``/explore`` and its files, served by the service itself.

The page and its scripts live in ``api/explorer/``; the graph library (Cytoscape.js with the
fcose layout) is installed from the npm registry into ``api/explorer/vendor/`` by
``scripts/explorer-assets`` at set-up. Nothing is fetched from outside at run time: credit
platforms run on networks without internet. The pages ask nothing about anyone, so they need
no key; every question the page asks goes through ``/v1`` with the caller's key and role.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles

EXPLORER = Path(__file__).resolve().parent / "explorer"
VENDOR = EXPLORER / "vendor"
#: The library files the page loads, in order (each a UMD build defining a global).
LIBRARIES = ("layout-base.js", "cose-base.js", "cytoscape.min.js", "cytoscape-fcose.js")

MISSING = """<!doctype html><meta charset="utf-8"><title>credgraph explorer</title>
<h1>图谱浏览器未安装 / The explorer is not installed</h1>
<p>The graph library was not found in <code>api/explorer/vendor/</code>. Run
<code>scripts/dev setup</code> (or <code>scripts/explorer-assets</code>) once, then reload.</p>
"""


def installed() -> bool:
    """Whether every library file the page needs is in place."""
    return all((VENDOR / name).is_file() for name in LIBRARIES)


def mount_explorer(app: FastAPI) -> None:
    """Serve ``/explore`` (the page), ``/explore/app/…`` (its scripts) and the libraries."""

    @app.get("/explore", include_in_schema=False, response_model=None)
    def explore() -> FileResponse | HTMLResponse:
        if not installed():
            return HTMLResponse(MISSING, status_code=503)
        return FileResponse(EXPLORER / "index.html", headers={"Cache-Control": "no-cache"})

    @app.get("/explore/", include_in_schema=False)
    def explore_slash() -> RedirectResponse:
        return RedirectResponse("/explore")

    app.mount("/explore/app", StaticFiles(directory=EXPLORER / "app"), name="explorer-app")
    app.mount(
        "/explore/vendor", StaticFiles(directory=VENDOR, check_dir=False), name="explorer-vendor"
    )
