"""The load pipeline: files -> recognised format -> parsed rows -> batched idempotent upserts.

Every row read ends as loaded (it created or changed a fact), merged (its fact was already
there, or repeats an earlier row) or rejected (written to the rejects file with its reason).
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import sys
import time
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field, ValidationError
from tqdm import tqdm

from graph.errors import InvalidInput
from graph.store.protocol import GraphStore
from loaders.base import Column, Context, Parsed, Row, RowError, SourceFormat, normalize_header
from loaders.batch import Batch, Pending
from loaders.formats import ORDER, formats
from loaders.formats.lists import unrecognised
from loaders.items import iso_moment
from loaders.report import Department, DepartmentTally, FileReport, RejectWriter
from loaders.source import SUFFIXES, SourceError, Table, open_table

#: Canonical column names that hold the authority behind a row (for the department report).
AUTHORITY_COLUMNS = (
    "authority",
    "court",
    "listing_authority",
    "accepting_authority",
    "source_unit",
    "record_source",
)


#: Loads smaller than this are parsed in the loading process (no worker to start).
SMALL_LOAD_BYTES = 4 << 20


@dataclass
class ParseJob:
    """What a parse worker needs to know about the file a chunk of rows comes from."""

    source: str  # the format's name
    mapping: dict[int, str]  # cell position -> canonical column name
    headers: dict[str, str]  # canonical column name -> the file's header text
    width: int  # cells in the header
    missing: tuple[str, ...]  # headers of required columns the file lacks
    key: bytes
    source_file: str
    loaded_at: str

    @classmethod
    def of(cls, table: Table, source: SourceFormat, key: bytes, loaded_at: str) -> ParseJob:
        """The job of parsing ``table`` as ``source``: its header matched once."""
        mapping, _ = source.match_headers(table.header)
        return cls(
            source=source.name,
            mapping=mapping,
            headers={name: table.header[i] for i, name in mapping.items()},
            width=len(table.header),
            missing=tuple(source.missing_required(mapping.values())),
            key=key,
            source_file=table.path.name,
            loaded_at=loaded_at,
        )


@dataclass
class ParsedChunk:
    """A chunk of rows parsed: per row its items, or (field, reason) when it is rejected."""

    rows: list[Parsed | tuple[str, str]]
    seconds: float  # parse time on the worker's core


def parse_chunk(job: ParseJob, chunk: Sequence[tuple[int, list[str] | str]]) -> ParsedChunk:
    """Turn a chunk of rows of one file into graph items (pure: runs in a worker process).

    Every rule a row can break is checked here and gives the row's reject reason, with the
    column as the file names it; the validators are plain functions, cached over the values
    a load repeats (codes, dates, ID numbers).
    """
    started = time.process_time()
    source = formats()[job.source]
    columns = source.column_map()
    out: list[Parsed | tuple[str, str]] = []
    missing = "、".join(job.missing)
    positions = list(job.mapping.items())
    gc_was = gc.isenabled()
    gc.disable()  # parsing makes no cycles
    try:
        for number, cells in chunk:
            if missing:
                out.append((missing, "missing required column"))
                continue
            if isinstance(cells, str):
                out.append(("(row)", cells))
                continue
            if len(cells) > job.width and any(c.strip() for c in cells[job.width :]):
                out.append(("(row)", f"{len(cells)} cells but the header has {job.width}"))
                continue
            values = {name: cells[i] for i, name in positions if i < len(cells)}
            ctx = Context(job.key, job.source_file, number, job.loaded_at)
            out.append(_parse_row(source, Row(values, columns, job.headers), ctx))
    finally:
        if gc_was:
            gc.enable()
    return ParsedChunk(out, time.process_time() - started)


def _parse_row(source: SourceFormat, row: Row, ctx: Context) -> Parsed | tuple[str, str]:
    try:
        return source.parse(row, ctx)
    except RowError as exc:
        return exc.field, exc.reason
    except ValidationError as exc:
        error = exc.errors()[0]
        return ".".join(str(x) for x in error["loc"]) or "(row)", error["msg"]
    except InvalidInput as exc:
        return exc.field or "(row)", str(exc)


def row_median(costs: Sequence[tuple[float, int]]) -> float:
    """The median over rows of the parse time per row, from (seconds, rows) per batch: each
    row costs its batch's average, so a batch weighs as many rows as it has.

    >>> row_median([(1.0, 10), (9.0, 10), (3.0, 100)])
    0.03
    """
    per_row = sorted((seconds / rows, rows) for seconds, rows in costs if rows)
    half, seen = sum(rows for _, rows in per_row) / 2, 0
    for cost, rows in per_row:
        seen += rows
        if seen >= half:
            return cost
    return 0.0


def _chunks(
    rows: Iterable[tuple[int, list[str] | str]], size: int
) -> Iterator[list[tuple[int, list[str] | str]]]:
    chunk: list[tuple[int, list[str] | str]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _die_with_parent(parent: int) -> None:
    """A parse worker ends when the load that forked it dies (even by SIGKILL), instead of
    waiting forever on a queue nobody writes to (Linux; elsewhere the pool's own checks)."""
    if sys.platform.startswith("linux"):
        import ctypes
        import signal

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    if os.getppid() != parent:  # the parent died before the line above
        os._exit(1)


@contextmanager
def _parse_pool(workers: int) -> Iterator[Executor | None]:
    """``workers`` parse processes, or None to parse in this process.

    The processes are forked, all at once, before the load starts its writer thread or a
    progress bar (a fork copies only the thread that forks); a fork needs no ``__main__``
    guard in the caller's script and no second import of the code.
    """
    if workers <= 0:
        yield None
        return
    pool = ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("fork"),
        initializer=_die_with_parent,
        initargs=(os.getpid(),),
    )
    try:
        started = [pool.submit(os.getpid) for _ in range(workers)]  # every worker forks now
        for future in started:
            future.result()
        yield pool
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


class LoadSummary(BaseModel):
    """The result of one ``credgraph load``: files, totals and the department report."""

    started_at: datetime
    finished_at: datetime | None = None
    dry_run: bool = False
    backend: str | None = None
    rejects_file: str | None = None
    files: list[FileReport] = Field(default_factory=list)
    totals: FileReport = Field(default_factory=lambda: FileReport(file="(all)"))
    departments: list[Department] = Field(default_factory=list)
    rows_per_second: float = 0.0
    workers: int = 0  # parse processes (0: parsed in the loading process)
    parse_seconds: float = 0.0  # CPU time spent parsing, summed over the workers
    parse_us_per_row: float = 0.0  # parse time of the median row (one core; see row_median)


@contextmanager
def _young_gc_only() -> Iterator[None]:
    """Keep Python's cyclic GC off the objects that outlive a batch during a load.

    A load makes millions of small objects, and the embedded store keeps them; the default
    collector would scan them again and again (measured: parsing ran 2-3x slower). Instead,
    after each batch the young generations are collected and the survivors frozen.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.collect(1)
        gc.unfreeze()
        if enabled:
            gc.enable()


def _settle_gc() -> None:
    gc.collect(1)
    gc.freeze()


def list_files(paths: Iterable[Path]) -> list[Path]:
    """The files to load: given files as they are, folders expanded to their source files."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found += sorted(p for p in path.rglob("*") if p.suffix.lower() in SUFFIXES)
        else:
            found.append(path)
    return found


def recognise(table: Table, forced: str | None = None) -> SourceFormat:
    """The format a header belongs to (all signature columns present, most columns mapped)."""
    known = formats()
    if forced is not None:
        if forced not in known:
            raise SourceError(f"unknown format {forced!r}; known: {', '.join(known)}")
        return known[forced]
    best: tuple[int, SourceFormat] | None = None
    for fmt in known.values():
        mapping, _ = fmt.match_headers(table.header)
        if set(fmt.signature) <= set(mapping.values()) and (best is None or len(mapping) > best[0]):
            best = (len(mapping), fmt)
    if best is None:
        raise SourceError(f"{table.path.name}: header not recognised as any format; use --format")
    return best[1]


class Loader:
    """Loads files into a store in batches (or only validates them, with ``store=None``)."""

    def __init__(
        self,
        store: GraphStore | None,
        key: bytes,
        rejects: RejectWriter,
        *,
        batch_size: int = 5000,
        today: date | None = None,
        progress: bool | None = None,
        workers: int | None = None,
    ) -> None:
        self.store = store
        self.workers = workers
        self.key = key
        self.rejects = rejects
        self.batch_size = batch_size
        self.loaded_at = datetime.now(UTC)
        self.departments = DepartmentTally(today or self.loaded_at.date())
        if progress is None:
            progress = sys.stderr.isatty() and not os.environ.get("CI")
        self.progress = progress
        self._column_cache: tuple[Any, tuple[dict[str, Column], dict[str, str]]] = (None, ({}, {}))
        self._positions: dict[str, int] = {}
        self._stamp = iso_moment(self.loaded_at)
        self._pool: Executor | None = None
        self._parse_costs: list[tuple[float, int]] = []

    def load(self, paths: Sequence[Path], fmt: str | None = None) -> LoadSummary:
        """Load every file (folders expanded), registries first; return the summary."""
        summary = LoadSummary(
            started_at=self.loaded_at,
            dry_run=self.store is None,
            backend=self.store.backend if self.store else None,
            rejects_file=str(self.rejects.path) if self.rejects.path else None,
        )
        plan: list[tuple[int, Table, SourceFormat]] = []
        for path in list_files(paths):
            try:
                table = open_table(path)
                source = recognise(table, fmt)
            except (SourceError, OSError) as exc:
                summary.files.append(FileReport(file=str(path), error=str(exc)))
                continue
            plan.append((ORDER.index(source.name), table, source))
        start = time.perf_counter()
        workers = self._worker_count([table.path for _, table, _ in plan])
        summary.workers = workers
        with _young_gc_only(), _parse_pool(workers) as self._pool:
            for _, table, source in sorted(plan, key=lambda item: item[0]):
                summary.files.append(self.load_table(table, source))
        self._pool = None
        elapsed = time.perf_counter() - start
        costs = self._parse_costs
        summary.parse_seconds = round(sum(c for c, _ in costs), 3)
        if costs:
            summary.parse_us_per_row = round(row_median(costs) * 1e6, 2)
        for report in summary.files:
            for name in ("read", "loaded", "merged", "rejected"):
                setattr(summary.totals, name, getattr(summary.totals, name) + getattr(report, name))
            report.sort_unrecognised()
            for list_name, rows in report.unrecognised_lists.items():
                summary.totals.count_unrecognised(list_name, rows)
        summary.totals.sort_unrecognised()
        summary.totals.seconds = round(elapsed, 3)
        summary.rows_per_second = round(summary.totals.read / elapsed, 1) if elapsed else 0.0
        summary.departments = self.departments.report()
        summary.finished_at = datetime.now(UTC)
        return summary

    def _worker_count(self, paths: Sequence[Path]) -> int:
        """Parse processes: as asked, else one per spare core (at most 4) for loads of more
        than a few MB, else none (starting a process costs more than a small file)."""
        if self.workers is not None:
            return self.workers
        size = sum(path.stat().st_size for path in paths if path.exists())
        if size < SMALL_LOAD_BYTES:
            return 0
        return max(1, min(4, (os.cpu_count() or 2) - 1))

    def load_table(self, table: Table, source: SourceFormat) -> FileReport:
        """Stream one file: batches of rows are parsed (in worker processes when there are
        any, in order) while the previous batch is written."""
        mapping, unknown = source.match_headers(table.header)
        report = FileReport(
            file=str(table.path),
            format=source.name,
            encoding=table.encoding,
            unknown_columns=unknown,
        )
        job = ParseJob.of(table, source, self.key, self._stamp)
        self._columns(source, table, mapping)
        started = time.perf_counter()
        bar = tqdm(desc=table.path.name, unit=" rows", disable=not self.progress, leave=False)
        inflight: deque[tuple[list[tuple[int, list[str] | str]], Future[ParsedChunk]]] = deque()
        depth = max(2, 2 * (self.workers or 1))
        with _Writer(self.store) as writer:
            for chunk in _chunks(table.rows(), self.batch_size):
                report.read += len(chunk)
                inflight.append((chunk, self._submit(job, chunk)))
                while len(inflight) > depth or (inflight and inflight[0][1].done()):
                    self._take(report, source, table, writer, *inflight.popleft())
                    bar.update(report.read - bar.n)
            while inflight:
                self._take(report, source, table, writer, *inflight.popleft())
            self._settle(report, source, writer.wait())
        bar.close()
        report.seconds = round(time.perf_counter() - started, 3)
        return report

    def _submit(
        self, job: ParseJob, chunk: list[tuple[int, list[str] | str]]
    ) -> Future[ParsedChunk]:
        if self._pool is not None:
            return self._pool.submit(parse_chunk, job, chunk)
        done: Future[ParsedChunk] = Future()
        done.set_result(parse_chunk(job, chunk))
        return done

    def _take(
        self,
        report: FileReport,
        source: SourceFormat,
        table: Table,
        writer: _Writer,
        chunk: list[tuple[int, list[str] | str]],
        future: Future[ParsedChunk],
    ) -> None:
        """Account for one parsed chunk: its rejects, then its rows as one write batch."""
        parsed = future.result()
        self._parse_costs.append((parsed.seconds, len(chunk)))
        batch: list[Pending] = []
        for (number, cells), outcome in zip(chunk, parsed.rows, strict=True):
            if isinstance(outcome, Parsed) and isinstance(cells, list):
                batch.append(Pending(number, cells, outcome))
                continue
            field, reason = outcome if isinstance(outcome, tuple) else ("(row)", "")
            raw = dict(zip(table.header, cells, strict=False)) if isinstance(cells, list) else {}
            values = self._values(cells)
            self._reject(report, number, source, field, reason, raw, values)
        if batch:
            self._flush(report, source, writer, batch)
        _settle_gc()

    def _values(self, cells: list[str] | str) -> dict[str, str]:
        """A row's cells by canonical column name (for rejects and the department report)."""
        if isinstance(cells, str):
            return {}
        return {name: cells[i] for name, i in self._positions.items() if i < len(cells)}

    def _columns(
        self, source: SourceFormat, table: Table, mapping: dict[int, str]
    ) -> tuple[dict[str, Column], dict[str, str]]:
        """The format's columns and this file's header for each (computed once per file)."""
        key = (source.name, str(table.path))
        if self._column_cache[0] != key:
            headers = {name: table.header[i] for i, name in mapping.items()}
            self._column_cache = (key, (source.column_map(), headers))
            self._positions = {name: i for i, name in mapping.items()}
        return self._column_cache[1]

    def _reject(
        self,
        report: FileReport,
        number: int,
        source: SourceFormat,
        field: str,
        reason: str,
        raw: dict[str, str],
        values: dict[str, str],
    ) -> None:
        report.rejected += 1
        keep, ids = _reject_columns(source, field, raw)
        self.rejects.write(
            report.file, number, source.name, field, reason, raw, keep=keep, id_columns=ids
        )
        authority = next((values[c] for c in AUTHORITY_COLUMNS if values.get(c)), None)
        self.departments.reject(authority, _reason_kind(reason))

    def _flush(
        self, report: FileReport, source: SourceFormat, writer: _Writer, batch: list[Pending]
    ) -> None:
        if self.store is None:  # dry run: valid rows would load
            for pending in batch:
                report.loaded += 1
                self._tally(report, pending, "loaded")
            return
        self._settle(report, source, writer.submit(batch))

    def _settle(self, report: FileReport, source: SourceFormat, write: Batch | None) -> None:
        """Count a written batch's rows: rejected by the store, loaded or merged."""
        if write is None:
            return
        for pos, pending in enumerate(write.batch):
            problem = write.problems.get(pos)
            if problem is not None:
                headers = self._column_cache[1][1]
                values = self._values(pending.cells)
                raw = {headers.get(k, k): v for k, v in values.items()}
                self._reject(report, pending.number, source, problem[0], problem[1], raw, values)
                continue
            outcome = write.outcome(pos)
            setattr(report, outcome, getattr(report, outcome) + 1)
            self._tally(report, pending, outcome)

    def _tally(self, report: FileReport, pending: Pending, outcome: str) -> None:
        records = pending.parsed.records
        if records:
            record = records[0]
            list_name = unrecognised(record)
            if list_name is not None:
                report.count_unrecognised(list_name)
            decided = record.get("decision_date")
            day = date.fromisoformat(decided) if decided else None
            self.departments.count(record["issuing_authority"], outcome, day)


class _Writer:
    """Writes batches in a background thread, one at a time and in order, so the next batch
    is parsed while the store works (Neo4j works in its own process; the driver waits on the
    socket without holding the GIL). ``submit`` hands over a batch and returns the previous
    one once written; ``wait`` returns the last."""

    def __init__(self, store: GraphStore | None) -> None:
        self.store = store
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="credgraph-writer")
        self._inflight: Future[Batch] | None = None
        # the embedded store works in this process: a thread would only fight for the GIL
        # (measured: 20% slower), so it writes in line
        self.background = store is not None and store.backend != "embedded"

    def submit(self, batch: list[Pending]) -> Batch | None:
        assert self.store is not None
        if not self.background:
            return Batch(self.store, batch)
        done = self.wait()
        self._inflight = self._pool.submit(Batch, self.store, batch)
        return done

    def wait(self) -> Batch | None:
        inflight, self._inflight = self._inflight, None
        return inflight.result() if inflight is not None else None

    def __enter__(self) -> _Writer:
        return self

    def __exit__(self, *exc: object) -> None:
        # on an error, let the batch in flight finish (never leave a write half-observed)
        if self._inflight is not None:
            self._inflight.exception()
        self._pool.shutdown(wait=True)


#: Canonical columns that hold a person's citizen ID number (证件号码, 法定代表人证件号码…)
#: in the formats that have them; the rejects file masks what they hold.
ID_COLUMNS = frozenset({"id_number", "legal_rep_id", "responsible_id"})


@lru_cache(maxsize=64)
def _canonical(source: SourceFormat) -> dict[str, str]:
    """Canonical column name by normalised header, and by the canonical name itself."""
    names = {c.name: c.name for c in source.columns}
    return names | {h: c.name for c in source.columns for h in c.headers()}


def _reject_columns(
    source: SourceFormat, field: str, raw: dict[str, str]
) -> tuple[set[str], set[str]]:
    """The columns of ``raw`` that were wrong (``field`` as the file, the standard header or
    the canonical name gives it) and the columns that hold citizen ID numbers."""
    names = _canonical(source)
    wrong = names.get(field) or names.get(normalize_header(field))
    keep, ids = set(), set()
    for column in raw:
        name = names.get(column) or names.get(normalize_header(column))
        if column == field or (wrong is not None and name == wrong):
            keep.add(column)
        elif name in ID_COLUMNS:
            ids.add(column)
    return keep, ids


def _reason_kind(reason: str) -> str:
    for words, kind in (
        ("check digit", "bad_check_digit"),
        ("missing required", "missing_required"),
        ("date", "bad_date"),
        ("amount", "bad_amount"),
        ("unknown category", "unknown_category"),
        ("no node", "unknown_reference"),
        ("no entity", "unknown_reference"),
    ):
        if words in reason:
            return kind
    return "other"


def iter_reports(summary: LoadSummary) -> Iterator[FileReport]:
    """Every file report, then the totals."""
    yield from summary.files
    yield summary.totals
