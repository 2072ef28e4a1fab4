"""Helpers shared by the command modules: the store, errors, dates and output."""

from __future__ import annotations

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

T = TypeVar("T")

JsonOpt = Annotated[bool, typer.Option("--json", help="print the API's JSON document")]
AsOfOpt = Annotated[str | None, typer.Option("--as-of", help="answer as of this date (YYYY-MM-DD)")]


@contextmanager
def cli_store() -> Iterator[GraphStore]:
    store = open_store(Settings())
    try:
        yield store
    finally:
        store.close()


def run(action: Callable[[], T]) -> T:
    try:
        return action()
    except CredgraphError as exc:
        typer.secho(f"error: {exc}", err=True, fg="red")
        raise typer.Exit(2) from exc


def parse_date(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise typer.BadParameter(f"as_of: {text!r} is not a date (YYYY-MM-DD)") from exc


def emit(model: BaseModel, as_json: bool, text: Callable[[Any], str]) -> None:
    if as_json:
        typer.echo(model.model_dump_json(indent=2))
    else:
        typer.echo(text(model))
