"""Run history: every cluster run kept, stable cluster ids across runs, and what changed.

Layout of the folder (default ``DATA_DIR/clusters/``): ``runs/RUN_ID.json`` (the whole
ClusterRun), ``diffs/RUN_ID.json`` (its RunDiff from the run before), and ``index.json``
(the runs in order, the latest, the next cluster number, where each id was last seen).
Every file is written to a temporary file, fsynced and renamed, the index last: a save that
crashes leaves the previous run as the latest, readable. One writer at a time (the job's
lock); readers need no lock.

Identity: a new cluster is linked to a previous one when their overlap coefficient
(shared members / members of the smaller) is above ``threshold``. Linked pairs are given
ids largest shared part first, one id per cluster: a continuing cluster keeps its id, a
merge keeps the id of its largest contributor, a split keeps it on the largest part; the
others get new ids (``cl-`` and a sequence number, never reused).
"""

from __future__ import annotations

import os
import tempfile
from datetime import UTC, date, datetime, time
from pathlib import Path

from pydantic import BaseModel, Field

from graph.errors import NotFound
from queries.clusters.model import Change, ChangeKind, Cluster, ClusterRun, RunDiff

THRESHOLD = 0.5  # overlap coefficient a new cluster must pass to continue a previous one


class RunSummary(BaseModel):
    """One run as the index lists it."""

    run_id: str
    started_at: datetime
    finished_at: datetime
    as_of: date
    data_version: str
    clusters: int
    changes: dict[ChangeKind, int] = Field(default_factory=dict)


class Index(BaseModel):
    """The history's index: runs oldest first, the latest, the next cluster number."""

    runs: list[RunSummary] = Field(default_factory=list)
    latest: str | None = None
    next_number: int = 1
    last_seen: dict[str, str] = Field(default_factory=dict)  # cluster id -> last run holding it


class DatedDiff(RunDiff):
    """A run's changes with the moment it finished."""

    finished_at: datetime


class ClusterEvent(BaseModel):
    """One change of a cluster's history, in the run that saw it."""

    run_id: str
    as_of: date
    finished_at: datetime
    change: Change


class ClusterHistory(BaseModel):
    """A cluster by stable id: as the latest run holding it saw it, and its changes."""

    cluster: Cluster
    run_id: str  # the latest run holding it
    as_of: date
    current: bool  # whether the latest run holds it (False: dissolved since)
    history: list[ClusterEvent]  # oldest first


class ChangeLog(BaseModel):
    """Runs finished at or after ``since``, oldest first, with their changes."""

    since: datetime
    runs: list[DatedDiff]
    truncated: bool = False  # more runs than the limit asked for


def aware(moment: datetime) -> datetime:
    """``moment`` with a time zone (UTC when it has none)."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def as_moment(value: date | datetime) -> datetime:
    """A date as its first moment (UTC), a datetime as it is (UTC when naive)."""
    if isinstance(value, datetime):
        return aware(value)
    return datetime.combine(value, time.min, tzinfo=UTC)


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` so a reader sees the old file or the new one, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)  # the rename itself survives a power cut
    finally:
        os.close(directory)


def overlap(a: set[str], b: set[str]) -> float:
    """Shared members over the members of the smaller set.

    >>> overlap({"a", "b"}, {"a", "b", "c", "d"}), overlap({"a", "b"}, {"b", "c"})
    (1.0, 0.5)
    """
    return len(a & b) / min(len(a), len(b)) if a and b else 0.0


def members(cluster: Cluster) -> set[str]:
    return {m.id for m in cluster.members}


def assign(
    previous: list[Cluster], current: list[Cluster], next_number: int, threshold: float
) -> tuple[list[Cluster], RunDiff, int]:
    """``current`` with stable ids taken from ``previous``, the changes, the next number.

    The RunDiff's run ids are left empty for the caller to fill in."""
    old = {c.id or "": members(c) for c in previous}
    new = [members(c) for c in current]
    links = [
        (len(old[pid] & new[i]), len(old[pid]), pid, i)
        for pid in old
        for i in range(len(new))
        if overlap(old[pid], new[i]) > threshold
    ]
    links.sort(key=lambda t: (-t[0], -t[1], t[2], t[3]))
    ids: dict[int, str] = {}
    taken: set[str] = set()
    for _, _, pid, i in links:
        if i not in ids and pid not in taken:
            ids[i] = pid
            taken.add(pid)
    preds: dict[int, list[str]] = {i: [] for i in range(len(new))}
    heirs: dict[str, list[int]] = {pid: [] for pid in old}
    for _, _, pid, i in links:
        preds[i].append(pid)
        heirs[pid].append(i)
    named: list[Cluster] = []
    changes: list[Change] = []
    for i, cluster in enumerate(current):
        if i not in ids:
            ids[i] = f"cl-{next_number:06d}"
            next_number += 1
        cid = ids[i]
        named.append(cluster.model_copy(update={"id": cid}))
        came_from = sorted(preds[i], key=lambda p: (-len(old[p] & new[i]), p))
        before = set().union(*(old[p] for p in came_from)) if came_from else set()
        added, removed = sorted(new[i] - before), sorted(before - new[i])
        others = [p for p in came_from if p != cid]
        if not came_from:
            kind: ChangeKind | None = ChangeKind.NEW
        elif len(came_from) > 1:
            kind = ChangeKind.MERGED
        elif len(heirs[came_from[0]]) > 1:
            kind = ChangeKind.SPLIT
        elif not added and not removed:
            kind = None  # the same members: no change
        elif len(new[i]) < len(before):
            kind = ChangeKind.SHRUNK
        else:
            kind = ChangeKind.GROWN if added else ChangeKind.SHRUNK
        if kind is not None:
            changes.append(
                Change(
                    kind=kind,
                    cluster_id=cid,
                    previous_ids=others,
                    added=added,
                    removed=removed,
                    score=cluster.score,
                )
            )
    for cluster in previous:
        pid = cluster.id or ""
        if not heirs[pid]:
            changes.append(
                Change(kind=ChangeKind.DISSOLVED, cluster_id=pid, removed=sorted(old[pid]))
            )
    diff = RunDiff(run_id="", previous_run_id=None, as_of=date.min, changes=changes)
    return named, diff, next_number


class RunHistory:
    """The runs kept in ``folder``; see the module docstring."""

    def __init__(self, folder: Path, *, threshold: float = THRESHOLD) -> None:
        self.folder = folder
        self.threshold = threshold

    @property
    def index_path(self) -> Path:
        return self.folder / "index.json"

    def index(self) -> Index:
        """The index (empty when nothing was saved yet)."""
        try:
            text = self.index_path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return Index()
        return Index.model_validate_json(text)

    def latest(self) -> ClusterRun | None:
        """The latest run, or None before the first."""
        latest = self.index().latest
        return self.get_run(latest) if latest else None

    def list_runs(self) -> list[RunSummary]:
        """Every run, newest first."""
        return list(reversed(self.index().runs))

    def get_run(self, run_id: str) -> ClusterRun:
        """One run; NotFound when the index does not list it."""
        if run_id not in {r.run_id for r in self.index().runs}:
            raise NotFound(f"no cluster run {run_id!r}")
        return ClusterRun.model_validate_json(self._file("runs", run_id).read_text("utf-8"))

    def get_diff(self, run_id: str) -> RunDiff:
        """What changed in run ``run_id`` from the run before it."""
        if run_id not in {r.run_id for r in self.index().runs}:
            raise NotFound(f"no cluster run {run_id!r}")
        return RunDiff.model_validate_json(self._file("diffs", run_id).read_text("utf-8"))

    def save(self, run: ClusterRun) -> tuple[ClusterRun, RunDiff]:
        """Give ``run``'s clusters stable ids, keep it and its diff; the latest from now on."""
        index = self.index()
        if run.run_id in {r.run_id for r in index.runs}:
            raise ValueError(f"run {run.run_id} is already kept")
        before = self.get_run(index.latest) if index.latest else None
        clusters, diff, number = assign(
            before.clusters if before else [], run.clusters, index.next_number, self.threshold
        )
        run = run.model_copy(update={"clusters": clusters})
        diff = diff.model_copy(
            update={
                "run_id": run.run_id,
                "previous_run_id": before.run_id if before else None,
                "as_of": run.params.as_of,
            }
        )
        write_atomic(self._file("runs", run.run_id), run.model_dump_json())
        write_atomic(self._file("diffs", run.run_id), diff.model_dump_json())
        counts: dict[ChangeKind, int] = {}
        for change in diff.changes:
            counts[change.kind] = counts.get(change.kind, 0) + 1
        summary = RunSummary(
            run_id=run.run_id,
            started_at=run.started_at,
            finished_at=run.finished_at,
            as_of=run.params.as_of,
            data_version=run.data_version,
            clusters=len(clusters),
            changes=counts,
        )
        seen = {**index.last_seen, **{c.id or "": run.run_id for c in clusters}}
        updated = Index(
            runs=[*index.runs, summary], latest=run.run_id, next_number=number, last_seen=seen
        )
        write_atomic(self.index_path, updated.model_dump_json(indent=1))
        return run, diff

    def get_cluster(self, cluster_id: str) -> ClusterHistory:
        """A cluster by stable id, from the latest run holding it, with its changes."""
        index = self.index()
        run_id = index.last_seen.get(cluster_id)
        if run_id is None:
            raise NotFound(f"no cluster {cluster_id!r}")
        run = self.get_run(run_id)
        cluster = next(c for c in run.clusters if c.id == cluster_id)
        events = [
            ClusterEvent(
                run_id=diff.run_id, as_of=diff.as_of, finished_at=diff.finished_at, change=change
            )
            for diff in self._diffs(index.runs)
            for change in diff.changes
            if change.cluster_id == cluster_id or cluster_id in change.previous_ids
        ]
        return ClusterHistory(
            cluster=cluster,
            run_id=run.run_id,
            as_of=run.params.as_of,
            current=run_id == index.latest,
            history=events,
        )

    def changes_since(self, since: date | datetime, *, limit: int = 100) -> ChangeLog:
        """The runs finished at or after ``since`` (oldest first, at most ``limit``)."""
        moment = as_moment(since)
        runs = [r for r in self.index().runs if aware(r.finished_at) >= moment]
        diffs = list(self._diffs(runs[:limit]))
        return ChangeLog(since=moment, runs=diffs, truncated=len(runs) > limit)

    def _diffs(self, runs: list[RunSummary]) -> list[DatedDiff]:
        found = []
        for summary in runs:
            diff = RunDiff.model_validate_json(self._file("diffs", summary.run_id).read_text())
            found.append(DatedDiff(**diff.model_dump(), finished_at=summary.finished_at))
        return found

    def _file(self, kind: str, run_id: str) -> Path:
        if not run_id or "/" in run_id or run_id.startswith("."):
            raise NotFound(f"no cluster run {run_id!r}")
        return self.folder / kind / f"{run_id}.json"
