"""Helpers shared by the command modules: the store, errors, dates and output."""

from __future__ import annotations

import functools
import getpass
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date
from pathlib import Path
from typing import Annotated, Any, TypeVar
from urllib.parse import urlsplit

import typer
from pydantic import BaseModel

from graph import audit
from graph.errors import CredgraphError, StoreInUse, StoreUnavailable
from graph.settings import Settings
from graph.store import open_store
from graph.store.protocol import GraphStore

T = TypeVar("T")

JsonOpt = Annotated[bool, typer.Option("--json", help="print the API's JSON document")]
AsOfOpt = Annotated[str | None, typer.Option("--as-of", help="answer as of this date (YYYY-MM-DD)")]


@contextmanager
def cli_store(*, read_only: bool = False) -> Iterator[GraphStore]:
    """The configured store, closed after the command. A store that cannot be opened (the
    data directory held by another process, Neo4j down or misconfigured) prints one line
    saying what to do and exits 2: no traceback, no password, no driver internals.

    Commands that only ask questions pass ``read_only``: they then work while another
    process (the service, a load) owns the embedded data directory."""
    settings = Settings()
    try:
        store = open_store(settings, read_only=read_only)
    except Exception as exc:
        if not (settings.neo4j_uri or isinstance(exc, CredgraphError | OSError)):
            raise
        entry = _CURRENT.get()
        if entry is not None:
            entry["status"] = f"error: {type(exc).__name__}"
        typer.secho(f"error: {store_problem(exc, settings)}", err=True, fg="red")
        raise typer.Exit(2) from None
    try:
        yield store
    finally:
        store.close()


def store_problem(exc: BaseException, settings: Settings) -> str:
    """One line on why the store cannot be used and what to do about it."""
    if settings.neo4j_uri:
        where = f"Neo4j at {_safe_uri(settings.neo4j_uri)}"
        cause = type(exc.__cause__ or exc).__name__
        if cause == "AuthError":
            return (
                f"{where} refused the user name or password: check CREDGRAPH_NEO4J_USER "
                "and CREDGRAPH_NEO4J_PASSWORD"
            )
        if _has_userinfo(settings.neo4j_uri):
            return (
                f"{where}: put the user name and password in CREDGRAPH_NEO4J_USER and "
                "CREDGRAPH_NEO4J_PASSWORD, not in CREDGRAPH_NEO4J_URI"
            )
        if isinstance(exc, StoreUnavailable):
            return (
                f"{where} cannot be reached: start it (scripts/neo4j start), or check "
                "CREDGRAPH_NEO4J_URI"
            )
        return (
            f"{where} cannot be used ({cause}): CREDGRAPH_NEO4J_URI should look like "
            "bolt://127.0.0.1:7687 or neo4j://host:7687"
        )
    folder = settings.data_dir
    if isinstance(exc, StoreInUse):
        pid = _lock_holder(folder / "graph" / "LOCK")
        holder = f"pid {pid}, the service?" if pid else "the service?"
        return (
            f"{folder} is in use by another credgraph process ({holder}): stop it, or ask "
            "the service over HTTP (one process writes an embedded store; questions such "
            "as check, entity and search work beside it)"
        )
    if isinstance(exc, OSError):
        reason = exc.strerror or type(exc).__name__
        return f"the embedded store in {folder} cannot be opened: {reason} ({exc.filename})"
    return f"the embedded store in {folder} cannot be opened: {_one_line(str(exc))}"


def _safe_uri(uri: str) -> str:
    """scheme://host:port of a URI: no user name, password or query.

    >>> _safe_uri("neo4j://neo4j:secret@db.example:7687?policy=x")
    'neo4j://db.example:7687'
    """
    try:
        parts = urlsplit(uri)
        host = parts.hostname or ""
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return "CREDGRAPH_NEO4J_URI"
    return f"{parts.scheme}://{host}{port}" if parts.scheme and host else "CREDGRAPH_NEO4J_URI"


def _has_userinfo(uri: str) -> bool:
    try:
        parts = urlsplit(uri)
    except ValueError:
        return False
    return "@" in parts.netloc


def _lock_holder(lock: Path) -> int | None:
    """The pid holding the lock on ``lock``, from /proc/locks (Linux); None when unknown."""
    try:
        info = lock.stat()
        lines = Path("/proc/locks").read_text().splitlines()
    except OSError:
        return None
    where = f"{os.major(info.st_dev):02x}:{os.minor(info.st_dev):02x}:{info.st_ino}"
    for line in lines:
        fields = line.split()
        if len(fields) > 5 and fields[1] in ("POSIX", "FLOCK") and fields[5] == where:
            pid = int(fields[4]) if fields[4].lstrip("-").isdigit() else -1
            return pid if pid > 0 else None
    return None


def _one_line(text: str, limit: int = 300) -> str:
    """The first line of a message, shortened."""
    first = text.strip().splitlines()[0] if text.strip() else ""
    return first if len(first) <= limit else first[:limit] + "…"


def run(action: Callable[[], T]) -> T:
    """Do what a command asked; a CredgraphError is printed (one line) and exits 2. What it
    answered (the checks' verdicts and receipts) or that it failed goes to the command's
    audit line."""
    entry = _CURRENT.get()
    try:
        result = action()
    except CredgraphError as exc:
        if entry is not None:
            entry["status"] = f"error: {type(exc).__name__}"
        settings = Settings()
        if isinstance(exc, StoreUnavailable) and settings.neo4j_uri:
            message = store_problem(exc, settings)
        else:
            message = _one_line(str(exc))
        typer.secho(f"error: {message}", err=True, fg="red")
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
