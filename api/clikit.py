"""Helpers shared by the command modules: the store, errors, dates and output."""

from __future__ import annotations

import functools
import getpass
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date
from typing import Annotated, Any, TypeVar

import typer
from pydantic import BaseModel

from graph import audit
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
    """Do what a command asked; a CredgraphError is printed and exits 2. What it answered
    (the checks' verdicts and receipts) or that it failed goes to the command's audit line."""
    entry = _CURRENT.get()
    try:
        result = action()
    except CredgraphError as exc:
        if entry is not None:
            entry["status"] = f"error: {type(exc).__name__}"
        typer.secho(f"error: {exc}", err=True, fg="red")
        raise typer.Exit(2) from exc
    answer = audit.answer_of(result)
    if entry is not None and answer is not None:
        entry["answer"] = answer
    return result


_CURRENT: ContextVar[dict[str, Any] | None] = ContextVar("credgraph_cli_audit", default=None)
PURPOSE: ContextVar[str | None] = ContextVar("credgraph_cli_purpose", default=None)
UNAUDITED = frozenset({"serve"})  # runs the service, whose requests are audited themselves


def audit_commands(app: typer.Typer, prefix: str = "credgraph") -> None:
    """Write one audit line per command run (its parameters with ID numbers keyed, the OS
    user, ``--purpose``, ok or the error, and the checks' answers); sub-apps included."""
    for info in app.registered_commands:
        name = info.name or (info.callback.__name__ if info.callback else "")
        if info.callback is not None and name not in UNAUDITED:
            info.callback = _audited(f"{prefix} {name}", info.callback)
    for group in app.registered_groups:
        if group.typer_instance is not None:
            audit_commands(group.typer_instance, f"{prefix} {group.name}")


def _audited(question: str, command: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        entry: dict[str, Any] = {"status": "ok", "answer": None}
        started = time.perf_counter()
        token = _CURRENT.set(entry)
        try:
            return command(*args, **kwargs)
        except typer.Exit as exc:
            if exc.exit_code and entry["status"] == "ok":
                entry["status"] = f"exit {exc.exit_code}"
            raise
        except Exception as exc:
            entry["status"] = f"error: {type(exc).__name__}"
            raise
        finally:
            _CURRENT.reset(token)
            entry["ms"] = (time.perf_counter() - started) * 1000
            _write(question, kwargs, entry)

    wrapped: Callable[..., Any] = wrapper
    return wrapped


def _write(question: str, kwargs: dict[str, Any], entry: dict[str, Any]) -> None:
    params = {k: v for k, v in kwargs.items() if k != "as_json"}
    purpose = params.pop("purpose", None) or PURPOSE.get()
    settings = Settings()
    audit.configure(settings.audit_path)
    audit.record(
        "cli",
        question,
        params,
        settings.hash_key(),
        caller=getpass.getuser(),
        purpose=purpose,
        status=entry["status"],
        ms=entry["ms"],
        answer=entry["answer"],
    )


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
