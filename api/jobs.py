"""The risk-cluster job: one run at a time (a file lock), kept, compared, alerted; scheduled.

``run_job`` takes the lock in the clusters folder without waiting (a second run at the same
time, from any process, is refused with ``JobRunning``), finds the clusters, keeps the run
in the history (stable ids, the diff) and publishes an alert of what changed.

``CREDGRAPH_CLUSTER_SCHEDULE`` runs it inside the service: daily times in the server's
local time (``"02:30"``, ``"02:30,14:00"``) or an interval in minutes (``"360"``, slots
aligned on the hour grid). Every worker wakes at each slot; the first takes the lock and
records the slot as done, so the others skip it; a failure is logged, never raised.
"""

from __future__ import annotations

import asyncio
import fcntl
import json
import logging
import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from api.alerts import Alerts
from graph.errors import CredgraphError, InvalidInput
from graph.settings import Settings
from graph.store.protocol import GraphStore
from queries.clusters.history import RunHistory, write_atomic
from queries.clusters.model import ClusterRun, RunDiff

LOG = logging.getLogger("credgraph.clusters")
LOCK = "run.lock"
SLOT = "schedule.json"

Progress = Callable[[str, int, int], None]
#: What finds the clusters of one date: (store, as_of, progress) -> the run.
Finder = Callable[[GraphStore, date, Progress | None], ClusterRun]


class JobRunning(CredgraphError):
    """Another cluster run holds the lock."""

    status_code = 409


@contextmanager
def job_lock(folder: Path) -> Iterator[None]:
    """Hold the clusters folder's run lock, or raise JobRunning at once."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / LOCK
    handle = path.open("a+", encoding="utf-8")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.seek(0)
        holder = handle.read().strip() or "unknown"
        handle.close()
        raise JobRunning(
            f"another cluster run is in progress (pid {holder}, lock {path})"
        ) from None
    try:
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        yield
    finally:
        handle.truncate(0)
        fcntl.flock(handle, fcntl.LOCK_UN)
        handle.close()


def find(
    store: GraphStore, as_of: date, progress: Progress | None, weights: Path | None
) -> ClusterRun:
    """The finder's run for ``as_of`` with the configured parameters."""
    from queries.clusters.find import find_clusters
    from queries.clusters.params import load_params

    return find_clusters(store, load_params(as_of, weights), progress=progress)


def run_job(
    store: GraphStore,
    settings: Settings,
    as_of: date | None = None,
    *,
    progress: Progress | None = None,
    alerts: Alerts | None = None,
    finder: Finder | None = None,
) -> tuple[ClusterRun, RunDiff]:
    """Run the job once (see the module docstring): the run as kept, and what it changed."""
    with job_lock(settings.clusters_path):
        return _run(store, settings, as_of, progress, alerts, finder)


def _run(
    store: GraphStore,
    settings: Settings,
    as_of: date | None,
    progress: Progress | None,
    alerts: Alerts | None,
    finder: Finder | None,
) -> tuple[ClusterRun, RunDiff]:
    day = as_of or date.today()
    if finder is None:
        run = find(store, day, progress, settings.cluster_weights)
    else:
        run = finder(store, day, progress)
    history = RunHistory(settings.clusters_path, threshold=settings.cluster_match_threshold)
    saved, diff = history.save(run)
    LOG.info(
        "cluster run %s as of %s: %d cluster(s), %d change(s)",
        saved.run_id,
        day,
        len(saved.clusters),
        len(diff.changes),
    )
    (alerts or Alerts(settings)).publish(diff)
    return saved, diff


def run_slot(
    store: GraphStore,
    settings: Settings,
    slot: datetime,
    *,
    alerts: Alerts | None = None,
    finder: Finder | None = None,
) -> tuple[ClusterRun, RunDiff] | None:
    """The scheduled run of ``slot``, unless a worker already did it (then None)."""
    folder = settings.clusters_path
    with job_lock(folder):
        done = _last_slot(folder)
        if done is not None and done >= slot:
            return None
        result = _run(store, settings, None, None, alerts, finder)
        write_atomic(folder / SLOT, json.dumps({"last_slot": slot.isoformat()}))
        return result


def _last_slot(folder: Path) -> datetime | None:
    try:
        return datetime.fromisoformat(json.loads((folder / SLOT).read_text())["last_slot"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


@dataclass(frozen=True)
class Schedule:
    """Daily times (local) or an interval; ``next_slot`` is the first slot after a moment."""

    times: tuple[time, ...] = ()
    every: timedelta | None = None

    def next_slot(self, now: datetime) -> datetime:
        """The first slot strictly after ``now`` (an aware datetime).

        >>> Schedule(every=timedelta(minutes=90)).next_slot(datetime(2026, 7, 1, 2, 0, tzinfo=UTC))
        datetime.datetime(2026, 7, 1, 3, 0, tzinfo=datetime.timezone.utc)
        >>> Schedule(times=(time(2, 30),)).next_slot(datetime(2026, 7, 1, 3, 0, tzinfo=UTC))
        datetime.datetime(2026, 7, 2, 2, 30, tzinfo=datetime.timezone.utc)
        """
        if self.every is not None:
            step = self.every.total_seconds()
            at = (int(now.timestamp() // step) + 1) * step
            return datetime.fromtimestamp(at, tz=now.tzinfo or UTC)
        for days in (0, 1):
            day = now.date() + timedelta(days=days)
            for moment in sorted(self.times):
                slot = datetime.combine(day, moment, tzinfo=now.tzinfo)
                if slot > now:
                    return slot
        raise ValueError("a schedule without times")


SCHEDULE = re.compile(r"^(\d{1,2}:\d{2})(\s*,\s*\d{1,2}:\d{2})*$")


def parse_schedule(text: str) -> Schedule:
    """``"02:30"``, ``"02:30,14:00"`` (daily, local time) or ``"360"`` (minutes).

    >>> parse_schedule("02:30, 14:00").times
    (datetime.time(2, 30), datetime.time(14, 0))
    >>> parse_schedule("360").every
    datetime.timedelta(seconds=21600)
    """
    value = text.strip()
    problem = "cluster_schedule: daily times HH:MM[,HH:MM] or a number of minutes"
    if value.isdigit():
        if not 1 <= int(value) <= 7 * 24 * 60:
            raise InvalidInput(f"{problem} (1 to 10080)", field="cluster_schedule")
        return Schedule(every=timedelta(minutes=int(value)))
    if not SCHEDULE.match(value):
        raise InvalidInput(f"{problem}, not {value!r}", field="cluster_schedule")
    try:
        return Schedule(
            times=tuple(time.fromisoformat(t.strip().zfill(5)) for t in value.split(","))
        )
    except ValueError as exc:
        raise InvalidInput(f"{problem}: {exc}", field="cluster_schedule") from None


async def scheduler(
    store: GraphStore,
    settings: Settings,
    schedule: Schedule,
    alerts: Alerts,
    *,
    now: Callable[[], datetime] = lambda: datetime.now().astimezone(),
    finder: Finder | None = None,
) -> None:
    """Run the job at every slot of ``schedule``, for ever; log, never raise."""
    LOG.info("cluster schedule: next run at %s", schedule.next_slot(now()).isoformat())
    while True:
        slot = schedule.next_slot(now())
        while (left := (slot - now()).total_seconds()) > 0:
            await asyncio.sleep(min(left, 3600))
        try:
            result = await asyncio.to_thread(
                run_slot, store, settings, slot, alerts=alerts, finder=finder
            )
        except JobRunning as exc:
            LOG.info("scheduled cluster run of %s skipped: %s", slot.isoformat(), exc)
        except Exception:
            LOG.exception("scheduled cluster run of %s failed", slot.isoformat())
        else:
            if result is None:
                LOG.info("scheduled cluster run of %s done by another worker", slot.isoformat())
