"""The ``credgraph`` command line: schema, demo data, the service, and basic questions."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from typing import Annotated, Any, TypeVar

import typer
from pydantic import BaseModel

from graph.errors import CredgraphError
from graph.settings import Settings
from graph.store import open_store
from graph.store.protocol import GraphStore
from graph.vocabulary import RelType

app = typer.Typer(
    help="credgraph: knowledge graph of social-credit relationships", no_args_is_help=True
)
db = typer.Typer(help="Graph schema: constraints and indexes", no_args_is_help=True)
app.add_typer(db, name="db")
T = TypeVar("T")

JsonOpt = Annotated[bool, typer.Option("--json", help="print the API's JSON document")]
AsOfOpt = Annotated[str | None, typer.Option("--as-of", help="answer as of this date (YYYY-MM-DD)")]


@contextmanager
def _store() -> Iterator[GraphStore]:
    store = open_store(Settings())
    try:
        yield store
    finally:
        store.close()


def _run(action: Callable[[], T]) -> T:
    try:
        return action()
    except CredgraphError as exc:
        typer.secho(f"error: {exc}", err=True, fg="red")
        raise typer.Exit(2) from exc


def _date(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise typer.BadParameter(f"as_of: {text!r} is not a date (YYYY-MM-DD)") from exc


def _emit(model: BaseModel, as_json: bool, text: Callable[[Any], str]) -> None:
    if as_json:
        typer.echo(model.model_dump_json(indent=2))
    else:
        typer.echo(text(model))


@db.command("init")
def db_init() -> None:
    """Create the constraints and indexes (idempotent)."""
    with _store() as store:
        names = _run(store.init_schema)
        typer.echo(f"{store.backend}: schema ready ({len(names)} constraints and indexes)")


@db.command("check")
def db_check() -> None:
    """Exit 1 when constraints or indexes are missing."""
    with _store() as store:
        missing = _run(store.check_schema)
    if missing:
        typer.echo(f"missing: {', '.join(missing)}")
        raise typer.Exit(1)
    typer.echo("schema ok")


@app.command()
def stats(as_json: JsonOpt = False) -> None:
    """Counts of nodes by label and relations by type."""
    with _store() as store:
        result = _run(store.stats)
    _emit(
        result,
        as_json,
        lambda s: "\n".join(
            [f"{k:24} {v:>10,}" for k, v in {**s.nodes, **s.relations}.items()] or ["(empty graph)"]
        ),
    )


@app.command()
def entity(entity_id: str, as_of: AsOfOpt = None, as_json: JsonOpt = False) -> None:
    """An entity with its credit records (in force on --as-of, default today)."""
    day = _date(as_of)
    with _store() as store:
        detail = _run(lambda: store.get_entity(entity_id, as_of=day))

    def text(d: Any) -> str:
        lines = [f"{d.entity.label} {d.entity.id}  {d.entity.name}"]
        for view in d.records:
            r = view.record
            flag = "in force" if view.in_force else "no effect"
            lines.append(
                f"  [{flag}] {r.kind} {r.decision_date or ''} {r.issuing_authority} "
                f"{r.document_number or getattr(r, 'list_name', '')} ({r.status})"
            )
        lines.append(f"  {d.record_total} record(s)")
        return "\n".join(lines)

    _emit(detail, as_json, text)


@app.command()
def neighbours(
    entity_id: str,
    rel_type: Annotated[list[RelType] | None, typer.Option("--type", help="relation type")] = None,
    direction: Annotated[str, typer.Option(help="out, in or both")] = "both",
    as_of: AsOfOpt = None,
    limit: int = 50,
    cursor: str | None = None,
    as_json: JsonOpt = False,
) -> None:
    """One page of an entity's links."""
    day = _date(as_of)
    with _store() as store:
        page = _run(
            lambda: store.neighbourhood(
                entity_id,
                rel_types=rel_type,
                direction=direction,  # type: ignore[arg-type]
                as_of=day,
                limit=limit,
                cursor=cursor,
            )
        )

    def text(p: Any) -> str:
        lines = [
            f"{n.relation.type:24} {'->' if n.direction == 'out' else '<-'} "
            f"{n.node.label:18} {n.node.id}  {n.node.name}"
            for n in p.items
        ]
        lines.append(
            f"{len(p.items)} of {p.total} link(s)"
            + (f"; next page: --cursor {p.next_cursor}" if p.next_cursor else "")
        )
        return "\n".join(lines)

    _emit(page, as_json, text)


@app.command()
def demo(
    host: str = "127.0.0.1",
    port: int = 8000,
    serve_: Annotated[bool, typer.Option("--serve/--no-serve", help="start the service")] = True,
) -> None:
    """Load the small demo county into the configured store, then serve the API."""
    from loaders.demo import load_demo

    settings = Settings()
    with _store() as store:
        _run(store.init_schema)
        result = _run(lambda: load_demo(store, settings.hash_key()))
        typer.echo(
            json.dumps(
                {
                    "backend": store.backend,
                    "created": result.created,
                    "updated": result.updated,
                    "unchanged": result.unchanged,
                    "rejected": len(result.rejected),
                },
                ensure_ascii=False,
            )
        )
    if serve_:
        serve(host=host, port=port)


@app.command()
def serve(host: str = "127.0.0.1", port: int = 8000) -> None:
    """Run the HTTP API (OpenAPI page at /docs)."""
    import uvicorn

    from api.app import create_app

    uvicorn.run(create_app(Settings()), host=host, port=port)


def main() -> None:
    """Console-script entry point."""
    app()
