"""The ``credgraph`` command line: schema, demo data, the service, and basic questions."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from api.clikit import (
    PURPOSE,
    AsOfOpt,
    JsonOpt,
    audit_commands,
    cli_store,
    emit,
    parse_date,
    run,
)
from api.commands import checks, clusters, entities, keys, paths, search, service
from graph.settings import Settings
from graph.vocabulary import RelType

app = typer.Typer(
    help="credgraph: knowledge graph of social-credit relationships", no_args_is_help=True
)
db = typer.Typer(help="Graph schema: constraints and indexes", no_args_is_help=True)
app.add_typer(db, name="db")


@app.callback()
def options(
    purpose: Annotated[
        str | None, typer.Option(help="why you ask (written to the audit trail with the command)")
    ] = None,
) -> None:
    """credgraph: knowledge graph of social-credit relationships. Every command is written to
    the audit trail (CREDGRAPH_AUDIT_LOG) with the OS user and --purpose."""
    PURPOSE.set(purpose)


@db.command("init")
def db_init() -> None:
    """Create the constraints and indexes (idempotent)."""
    with cli_store() as store:
        names = run(store.init_schema)
        typer.echo(f"{store.backend}: schema ready ({len(names)} constraints and indexes)")


@db.command("check")
def db_check() -> None:
    """Exit 1 when constraints or indexes are missing."""
    with cli_store(read_only=True) as store:
        missing = run(store.check_schema)
    if missing:
        typer.echo(f"missing: {', '.join(missing)}")
        raise typer.Exit(1)
    typer.echo("schema ok")


@app.command()
def stats(as_json: JsonOpt = False) -> None:
    """Counts of nodes by label and relations by type."""
    with cli_store(read_only=True) as store:
        result = run(store.stats)
    emit(
        result,
        as_json,
        lambda s: "\n".join(
            [f"{k:24} {v:>10,}" for k, v in {**s.nodes, **s.relations}.items()] or ["(empty graph)"]
        ),
    )


@app.command()
def entity(entity_id: str, as_of: AsOfOpt = None, as_json: JsonOpt = False) -> None:
    """An entity with its credit records (in force on --as-of, default today)."""
    day = parse_date(as_of)
    with cli_store(read_only=True) as store:
        detail = run(lambda: store.get_entity(entity_id, as_of=day))

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

    emit(detail, as_json, text)


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
    day = parse_date(as_of)
    with cli_store(read_only=True) as store:
        page = run(
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

    emit(page, as_json, text)


@app.command()
def load(
    paths: Annotated[list[Path], typer.Argument(help="files or folders of source files")],
    fmt: Annotated[str | None, typer.Option("--format", help="force this format")] = None,
    rejects: Annotated[Path | None, typer.Option(help="rejected rows (CSV)")] = None,
    summary: Annotated[Path | None, typer.Option(help="the load summary (JSON)")] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="validate only, write nothing")
    ] = False,
    batch_size: Annotated[int, typer.Option(min=1, max=100_000)] = 5000,
    workers: Annotated[
        int | None,
        typer.Option(
            min=0,
            max=64,
            help="parse processes (default: one per spare core, for loads over 4 MB; "
            "0: parse in this process)",
        ),
    ] = None,
    initial: Annotated[
        bool,
        typer.Option(
            "--initial",
            help="first load into an EMPTY Neo4j by neo4j-admin import (same parsing); "
            "with --neo4j-instance or --write-files",
        ),
    ] = False,
    neo4j_instance: Annotated[
        str | None,
        typer.Option(
            help="--initial: import into this scripts/neo4j server (stopped and started again)"
        ),
    ] = None,
    write_files: Annotated[
        Path | None,
        typer.Option(
            help="--initial: only write the neo4j-admin files here and print how to "
            "import them (docker compose)"
        ),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Load source files (CSV in UTF-8/GB18030, XLSX, JSON Lines); every row is accounted for."""
    from loaders.pipeline import Loader, LoadSummary
    from loaders.report import RejectWriter

    settings = Settings()
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    out = settings.data_dir / "loads"
    rejects = rejects or out / f"{stamp}-rejects.csv"
    summary = summary or out / f"{stamp}-summary.json"
    if not initial and (neo4j_instance or write_files):
        raise typer.BadParameter("--neo4j-instance and --write-files go with --initial")
    if initial and dry_run:
        raise typer.BadParameter("--initial and --dry-run do not go together")
    if initial and (neo4j_instance is None) == (write_files is None):
        raise typer.BadParameter(
            "--initial needs either --neo4j-instance NAME (a scripts/neo4j server) or "
            "--write-files DIR (only write the neo4j-admin files)"
        )
    result: LoadSummary
    with RejectWriter(rejects) as writer:
        if initial:
            from api.commands.initial import load_initial

            result = run(
                lambda: load_initial(
                    paths,
                    fmt,
                    writer,
                    settings=settings,
                    batch_size=batch_size,
                    instance=neo4j_instance,
                    write_files=write_files,
                    files_dir=(out / f"{stamp}-import").resolve(),
                )
            )
        elif dry_run:
            result = Loader(
                None, settings.hash_key(), writer, batch_size=batch_size, workers=workers
            ).load(paths, fmt)
        else:
            with cli_store() as store:
                run(store.init_schema)
                loader = Loader(
                    store, settings.hash_key(), writer, batch_size=batch_size, workers=workers
                )
                result = run(lambda: loader.load(paths, fmt))
    summary.parent.mkdir(parents=True, exist_ok=True)
    summary.write_text(result.model_dump_json(indent=2), encoding="utf-8")
    emit(result, as_json, lambda r: _load_text(r, rejects, summary))
    if any(f.error for f in result.files):
        raise typer.Exit(1)


def _load_text(result: Any, rejects: Path, summary: Path) -> str:
    lines = [f"{'file':40} {'format':13} {'read':>9} {'loaded':>9} {'merged':>9} {'rejected':>9}"]
    for f in [*result.files, result.totals]:
        name = Path(f.file).name if f.file != "(all)" else "(all files)"
        if f.error:
            lines.append(f"{name:40} error: {f.error}")
            continue
        lines.append(
            f"{name:40} {f.format or '':13} {f.read:>9,} {f.loaded:>9,} {f.merged:>9,} "
            f"{f.rejected:>9,}"
        )
        if f.unknown_columns:
            lines.append(f"{'':40} columns not understood: {', '.join(f.unknown_columns)}")
        if f.unrecognised_lists and f.file != "(all)":
            named = ", ".join(
                f"{name} ({rows:,} rows)" for name, rows in f.unrecognised_lists.items()
            )
            lines.append(f"{'':40} lists not recognised (loaded as other_*): {named}")
    lines.append(f"{result.rows_per_second:,.0f} rows/s; rejects: {rejects}; summary: {summary}")
    if getattr(result, "initial", None) is not None:
        from api.commands.initial import initial_text

        lines += initial_text(result)
    if result.dry_run:
        lines.append("dry run: nothing was written")
    return "\n".join(lines)


@app.command()
def generate(
    out: Annotated[Path, typer.Option(help="folder to write the source files into")],
    entities: Annotated[int, typer.Option(min=1000, help="organisations and people")] = 10_000,
    seed: Annotated[int, typer.Option(help="same seed, same files")] = 1,
    xlsx: Annotated[bool, typer.Option(help="also write the licences as XLSX")] = False,
) -> None:
    """Write a synthetic county in the source formats, with its ground truth."""
    from loaders.synthetic.county import generate_county

    result = generate_county(out, entities=entities, seed=seed, xlsx=xlsx)
    total = sum(result.rows.values())
    for name, count in result.rows.items():
        typer.echo(f"{name:32} {count:>10,}")
    typer.echo(
        f"{total:,} rows in {result.seconds:.1f} s "
        f"({total / max(result.seconds, 1e-9):,.0f} rows/s); ground truth: "
        f"{out / 'ground_truth.json'}"
    )


checks.register(app)
keys.register(app)
entities.register(app)
paths.register(app)
search.register(app)
service.register(app)
clusters.register(app)
audit_commands(app)


def main() -> None:
    """Console-script entry point."""
    app()


if __name__ == "__main__":
    main()
