"""Commands that run the service: ``serve`` and ``demo`` (the demo graph, keys, then serve)."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer

from api.clikit import cli_store, run
from api.commands.keys import demo_keys
from api.keys import KeyRing
from graph.settings import Settings


def register(app: typer.Typer) -> None:
    """Add ``demo`` and ``serve`` to ``app``."""
    app.command("demo")(demo)
    app.command("serve")(serve)


def demo(
    host: str = "127.0.0.1",
    port: int = 8000,
    serve_: Annotated[bool, typer.Option("--serve/--no-serve", help="start the service")] = True,
    entities: Annotated[int, typer.Option(help="size of the synthetic county (0: none)")] = 3000,
) -> None:
    """Load the hand-written demo graph and a synthetic county, then serve the API."""
    from loaders.demo import load_demo
    from loaders.pipeline import Loader
    from loaders.report import RejectWriter
    from loaders.synthetic.county import generate_county

    settings = Settings()
    county = settings.data_dir / f"county-{entities}"
    if entities and not (county / "ground_truth.json").exists():
        generate_county(county, entities=entities, seed=1)
    with cli_store() as store:
        run(store.init_schema)
        result = run(lambda: load_demo(store, settings.hash_key()))
        report: dict[str, Any] = {
            "backend": store.backend,
            "demo": {
                "created": result.created,
                "updated": result.updated,
                "unchanged": result.unchanged,
                "rejected": len(result.rejected),
            },
        }
        if entities:
            with RejectWriter(settings.data_dir / "loads" / "demo-rejects.csv") as writer:
                loader = Loader(store, settings.hash_key(), writer)
                loaded = run(lambda: loader.load([county]))
            report["county"] = {
                "folder": str(county),
                "read": loaded.totals.read,
                "loaded": loaded.totals.loaded,
                "merged": loaded.totals.merged,
                "rejected": loaded.totals.rejected,
                "rejects_file": str(writer.path),
            }
        keys = demo_keys(settings)
        report["keys"] = {str(role): path for role, path in keys.items()}
        typer.echo(json.dumps(report, ensure_ascii=False))
    if serve_:
        from pathlib import Path

        from api.keys import Role

        path = keys.get(Role.INVESTIGATOR)
        key = Path(path).read_text().strip() if path else "KEY"
        shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
        typer.secho(  # like a notebook server's token link: the key rides in the fragment
            f"explorer: http://{shown}:{port}/explore#key={key}  (the demo investigator key; "
            f"other roles' keys are in {settings.data_dir / 'demo-keys'})",
            err=True,
            fg="green",
        )
        serve(host=host, port=port)


def serve(
    host: str = "127.0.0.1",
    port: int = 8000,
    workers: Annotated[int, typer.Option(min=1, max=64, help="worker processes")] = 1,
) -> None:
    """Run the HTTP API (OpenAPI page at /docs). Without API keys it serves only on a loopback
    address; `credgraph keys create` first to serve a network."""
    import os
    import shutil
    import tempfile

    import uvicorn

    settings = Settings()
    if not KeyRing(settings.keys_path).configured():
        if not _loopback(host):
            typer.secho(
                f"error: no API keys in {settings.keys_path}: refusing to serve on {host}; "
                "create keys with `credgraph keys create --name NAME --role ROLE`, or serve on "
                "127.0.0.1",
                err=True,
                fg="red",
            )
            raise typer.Exit(2)
        typer.secho(
            f"no API keys configured: serving on {host} only, every caller is the local "
            "investigator (create keys with `credgraph keys create`)",
            err=True,
        )
    if workers > 1 and not settings.neo4j_uri:
        typer.secho(
            "error: --workers > 1 needs Neo4j (CREDGRAPH_NEO4J_URI): one process owns an "
            "embedded store",
            err=True,
            fg="red",
        )
        raise typer.Exit(2)
    metrics_dir = None
    if workers > 1 and not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        metrics_dir = tempfile.mkdtemp(prefix="credgraph-metrics-")  # shared by the workers
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = metrics_dir
    options: dict[str, Any] = {"host": host, "port": port, "access_log": False}  # audit instead
    try:
        if workers > 1:
            uvicorn.run("api.app:create_app", factory=True, workers=workers, **options)
        else:
            from api.app import create_app

            with cli_store() as store:  # a store in use or down: one line, not a traceback
                uvicorn.run(create_app(settings, store), **options)
    finally:
        if metrics_dir is not None:
            shutil.rmtree(metrics_dir, ignore_errors=True)


def _loopback(host: str) -> bool:
    """Whether ``host`` is a loopback address (or localhost)."""
    import ipaddress

    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False
