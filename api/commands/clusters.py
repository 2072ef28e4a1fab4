"""The risk-cluster commands: ``clusters run`` (for cron), ``list``, ``show``, ``diff``."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

import typer
from tqdm import tqdm

from api.alerts import Alerts
from api.clikit import AsOfOpt, JsonOpt, cli_store, emit, parse_date, run
from api.jobs import JobRunning, Progress, run_job
from graph.settings import Settings
from queries.clusters.history import ClusterHistory, RunHistory
from queries.clusters.model import ClusterRun, RunDiff

BUSY = 3  # exit status when another run holds the lock (errors: 2)

clusters = typer.Typer(
    help="Risk clusters: run the job, its runs, one cluster's history, what changed",
    no_args_is_help=True,
)


def register(app: typer.Typer) -> None:
    """Add the ``clusters`` group to the ``credgraph`` app."""
    app.add_typer(clusters, name="clusters")


def _history(settings: Settings) -> RunHistory:
    return RunHistory(settings.clusters_path, threshold=settings.cluster_match_threshold)


@contextmanager
def progress_bar(shown: bool) -> Iterator[Progress | None]:
    """A progress callback drawing one bar per stage on stderr (None when not shown)."""
    if not shown:
        yield None
        return
    bars: dict[str, tqdm[Any]] = {}

    def progress(stage: str, done: int, total: int) -> None:
        bar = bars.get(stage)
        if bar is None:
            for other in bars.values():
                other.close()
            bar = bars[stage] = tqdm(desc=stage, total=total or None, leave=False, file=sys.stderr)
        if total and bar.total != total:
            bar.total = total
        bar.update(done - bar.n)

    try:
        yield progress
    finally:
        for bar in bars.values():
            bar.close()


def diff_text(diff: RunDiff) -> str:
    """What changed, one line per cluster."""
    head = f"run {diff.run_id} as of {diff.as_of}"
    head += f" (from {diff.previous_run_id})" if diff.previous_run_id else " (first run)"
    lines = [head]
    for c in diff.changes:
        line = f"  {c.kind.upper():9} {c.cluster_id}"
        if c.previous_ids:
            line += f" from {', '.join(c.previous_ids)}"
        if c.added:
            line += f"  +{len(c.added)}: {', '.join(c.added[:5])}{' …' if len(c.added) > 5 else ''}"
        if c.removed:
            gone = ", ".join(c.removed[:5]) + (" …" if len(c.removed) > 5 else "")
            line += f"  -{len(c.removed)}: {gone}"
        if c.score is not None:
            line += f"  score {c.score:.2f}"
        lines.append(line)
    if not diff.changes:
        lines.append("  no change")
    return "\n".join(lines)


def run_text(result: Any) -> str:
    saved: ClusterRun = result["run"]
    lines = [
        f"run {saved.run_id} as of {saved.params.as_of}: {len(saved.clusters)} cluster(s), "
        f"data {saved.data_version}, {(saved.finished_at - saved.started_at).total_seconds():.1f} s"
    ]
    return "\n".join([*lines, diff_text(result["diff"])])


def cluster_text(found: ClusterHistory) -> str:
    c = found.cluster
    state = "current" if found.current else f"last seen in run {found.run_id}"
    lines = [
        f"{c.id}  score {c.score:.2f}  {len(c.members)} member(s)  as of {found.as_of} ({state})"
    ]
    lines += [f"  [{m.status}] {m.label} {m.id}  {m.name}" for m in c.members]
    lines.append(f"  {c.explanation}")
    for e in found.history:
        ch = e.change
        extra = f" from {', '.join(ch.previous_ids)}" if ch.previous_ids else ""
        lines.append(
            f"  {e.as_of} {e.run_id}: {ch.kind}{extra} +{len(ch.added)} -{len(ch.removed)}"
        )
    return "\n".join(lines)


@clusters.command("run")
def run_command(as_of: AsOfOpt = None, as_json: JsonOpt = False) -> None:
    """Run the job once (for cron or a systemd timer): find, keep, compare, alert. Exit 0 when
    done, 2 on an error, 3 when another run holds the lock."""
    day = parse_date(as_of)
    settings = Settings()
    alerts = Alerts(settings)
    busy: list[JobRunning] = []
    with (
        cli_store(read_only=True) as store,
        progress_bar(not as_json and sys.stderr.isatty()) as bar,
    ):

        def job() -> tuple[ClusterRun, RunDiff] | None:
            try:
                return run_job(store, settings, day, progress=bar, alerts=alerts)
            except JobRunning as exc:
                busy.append(exc)
                return None

        try:
            result = run(job)
        except (typer.Exit, KeyboardInterrupt):
            raise
        except Exception as exc:  # cron reads one line, not a traceback
            typer.secho(f"error: {type(exc).__name__}: {exc}".splitlines()[0], err=True, fg="red")
            raise typer.Exit(2) from None
    if result is None:
        typer.secho(f"error: {busy[0]}", err=True, fg="red")
        raise typer.Exit(BUSY)
    saved, diff = result
    if as_json:
        typer.echo(
            json.dumps(
                {"run": saved.model_dump(mode="json"), "diff": diff.model_dump(mode="json")},
                ensure_ascii=False,
                indent=2,
            )
        )
    else:
        typer.echo(run_text({"run": saved, "diff": diff}))
    if not alerts.flush(settings.cluster_webhook_deadline + 5):  # deliver before exiting
        typer.secho("warning: the webhook has not answered; see the log", err=True)


@clusters.command("list")
def list_command(as_json: JsonOpt = False) -> None:
    """The runs kept, newest first."""
    runs = _history(Settings()).list_runs()
    if as_json:
        typer.echo(json.dumps([r.model_dump(mode="json") for r in runs], indent=2))
        return
    for r in runs:
        changes = ", ".join(f"{k}: {n}" for k, n in r.changes.items()) or "no change"
        typer.echo(
            f"{r.run_id:32} as of {r.as_of}  finished {r.finished_at:%Y-%m-%d %H:%M}  "
            f"{r.clusters:>5} cluster(s)  {changes}"
        )
    typer.echo(f"{len(runs)} run(s)")


@clusters.command("show")
def show_command(
    cluster_id: Annotated[str, typer.Argument(help="a stable cluster id, e.g. cl-000001")],
    as_json: JsonOpt = False,
) -> None:
    """One cluster by stable id: its members, score, explanation and history of changes."""
    found = run(lambda: _history(Settings()).get_cluster(cluster_id))
    emit(found, as_json, cluster_text)


@clusters.command("diff")
def diff_command(
    run_id: Annotated[str | None, typer.Argument(help="a run id (default: the latest)")] = None,
    as_json: JsonOpt = False,
) -> None:
    """What a run (default: the latest) changed from the run before it."""
    history = _history(Settings())

    def diff() -> RunDiff:
        chosen = run_id or history.index().latest
        if chosen is None:
            from graph.errors import NotFound

            raise NotFound("no cluster run yet: run `credgraph clusters run`")
        return history.get_diff(chosen)

    emit(run(diff), as_json, diff_text)
