"""The search command: entities by part of a name, a former name, a code or an ID number."""

from __future__ import annotations

from typing import Annotated, cast

import typer

from api.clikit import JsonOpt, cli_store, emit, run
from graph.settings import Settings
from queries.search import KIND_LABELS, SearchKind, SearchPage, search

KindOpt = Annotated[
    str | None,
    typer.Option("--kind", help=f"only this kind: {', '.join(KIND_LABELS)}"),
]


def register(app: typer.Typer) -> None:
    """Add the command to ``app``."""
    app.command("search")(search_command)


def search_command(
    query: Annotated[
        str,
        typer.Argument(
            help="part of a name or former name (曾用名), a USCC, 组织机构代码, 工商注册号, "
            "or a citizen ID number (exact)"
        ),
    ],
    kind: KindOpt = None,
    limit: Annotated[int, typer.Option(min=1, max=100, help="hits per page")] = 20,
    cursor: Annotated[str | None, typer.Option(help="the next_cursor of the page before")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Find enterprises, social organisations, authorities and people, best match first."""
    if kind is not None and kind not in KIND_LABELS:
        raise typer.BadParameter(f"one of {', '.join(KIND_LABELS)}", param_hint="--kind")
    key = Settings().hash_key()
    with cli_store(read_only=True) as store:
        page = run(
            lambda: search(
                store, query, key, kind=cast(SearchKind | None, kind), limit=limit, cursor=cursor
            )
        )
    emit(page, as_json, search_text)


def search_text(page: SearchPage) -> str:
    """One line per hit: label, id, name, how it matched; then how to get the next page."""
    lines = [f"{h.label:18} {h.id:40} {h.name}  [{h.matched}]" for h in page.items]
    if not lines:
        lines.append(f"no match for {page.query!r}")
    if page.next_cursor:
        lines.append(f"more: --cursor {page.next_cursor}")
    return "\n".join(lines)
