"""The load pipeline: files -> recognised format -> parsed rows -> batched idempotent upserts.

Every row read ends as loaded (it created or changed a fact), merged (its fact was already
there, or repeats an earlier row) or rejected (written to the rejects file with its reason).
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import partial
from pathlib import Path
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, Field, ValidationError
from tqdm import tqdm

from graph.errors import InvalidInput
from graph.model import AnyEntity, Relation
from graph.records import AnyRecord
from graph.store.protocol import GraphStore, UpsertResult
from loaders.base import Column, Context, Parsed, Row, RowError, SourceFormat
from loaders.formats import ORDER, formats
from loaders.report import Department, DepartmentTally, FileReport, RejectWriter
from loaders.resolve import Resolution
from loaders.source import SUFFIXES, SourceError, Table, open_table

T = TypeVar("T")
_PROVENANCE = {"source_file", "source_row", "loaded_at"}
#: Canonical column names that hold the authority behind a row (for the department report).
AUTHORITY_COLUMNS = (
    "authority",
    "court",
    "listing_authority",
    "accepting_authority",
    "source_unit",
    "record_source",
)


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


@dataclass
class _Pending:
    number: int
    values: dict[str, str]
    parsed: Parsed


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
    ) -> None:
        self.store = store
        self.key = key
        self.rejects = rejects
        self.batch_size = batch_size
        self.loaded_at = datetime.now(UTC)
        self.departments = DepartmentTally(today or self.loaded_at.date())
        if progress is None:
            progress = sys.stderr.isatty() and not os.environ.get("CI")
        self.progress = progress
        self._column_cache: tuple[Any, tuple[dict[str, Column], dict[str, str]]] = (None, ({}, {}))

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
        for _, table, source in sorted(plan, key=lambda item: item[0]):
            summary.files.append(self.load_table(table, source))
        elapsed = time.perf_counter() - start
        for report in summary.files:
            for name in ("read", "loaded", "merged", "rejected"):
                setattr(summary.totals, name, getattr(summary.totals, name) + getattr(report, name))
        summary.totals.seconds = round(elapsed, 3)
        summary.rows_per_second = round(summary.totals.read / elapsed, 1) if elapsed else 0.0
        summary.departments = self.departments.report()
        summary.finished_at = datetime.now(UTC)
        return summary

    def load_table(self, table: Table, source: SourceFormat) -> FileReport:
        """Stream one file through parsing and batched writes."""
        mapping, unknown = source.match_headers(table.header)
        report = FileReport(
            file=str(table.path),
            format=source.name,
            encoding=table.encoding,
            unknown_columns=unknown,
        )
        missing = source.missing_required(mapping.values())
        started = time.perf_counter()
        batch: list[_Pending] = []
        bar = tqdm(desc=table.path.name, unit=" rows", disable=not self.progress, leave=False)
        for number, cells in table.rows():
            report.read += 1
            bar.update()
            raw = dict(zip(table.header, cells, strict=False)) if isinstance(cells, list) else {}
            if missing:
                self._reject(
                    report, number, source, "、".join(missing), "missing required column", raw, {}
                )
                continue
            pending = self._parse(report, source, mapping, table, number, cells, raw)
            if pending is not None:
                batch.append(pending)
            if len(batch) >= self.batch_size:
                self._flush(report, source, table, batch)
                batch = []
        if batch:
            self._flush(report, source, table, batch)
        bar.close()
        report.seconds = round(time.perf_counter() - started, 3)
        return report

    def _parse(
        self,
        report: FileReport,
        source: SourceFormat,
        mapping: dict[int, str],
        table: Table,
        number: int,
        cells: list[str] | str,
        raw: dict[str, str],
    ) -> _Pending | None:
        if isinstance(cells, str):
            self._reject(report, number, source, "(row)", cells, raw, {})
            return None
        if len(cells) > len(table.header) and any(c.strip() for c in cells[len(table.header) :]):
            reason = f"{len(cells)} cells but the header has {len(table.header)}"
            self._reject(report, number, source, "(row)", reason, raw, {})
            return None
        values = {name: cells[i] for i, name in mapping.items() if i < len(cells)}
        ctx = Context(self.key, table.path.name, number, self.loaded_at)
        try:
            parsed = source.parse(Row(values, *self._columns(source, table, mapping)), ctx)
        except RowError as exc:
            self._reject(report, number, source, exc.field, exc.reason, raw, values)
            return None
        except ValidationError as exc:
            error = exc.errors()[0]
            field = ".".join(str(x) for x in error["loc"]) or "(row)"
            self._reject(report, number, source, field, error["msg"], raw, values)
            return None
        except InvalidInput as exc:
            self._reject(report, number, source, exc.field or "(row)", str(exc), raw, values)
            return None
        return _Pending(number, values, parsed)

    def _columns(
        self, source: SourceFormat, table: Table, mapping: dict[int, str]
    ) -> tuple[dict[str, Column], dict[str, str]]:
        """The format's columns and this file's header for each (computed once per file)."""
        key = (source.name, str(table.path))
        if self._column_cache[0] != key:
            headers = {name: table.header[i] for i, name in mapping.items()}
            self._column_cache = (key, (source.column_map(), headers))
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
        self.rejects.write(report.file, number, source.name, field, reason, raw)
        authority = next((values[c] for c in AUTHORITY_COLUMNS if values.get(c)), None)
        self.departments.reject(authority, _reason_kind(reason))

    def _flush(
        self, report: FileReport, source: SourceFormat, table: Table, batch: list[_Pending]
    ) -> None:
        if self.store is None:  # dry run: valid rows would load
            for pending in batch:
                report.loaded += 1
                self._tally(pending, "loaded")
            return
        write = _Batch(self.store, batch)
        for pos, pending in enumerate(batch):
            problem = write.problems.get(pos)
            if problem is not None:
                raw = {k: v for k, v in pending.values.items()}
                self._reject(
                    report, pending.number, source, problem[0], problem[1], raw, pending.values
                )
                continue
            outcome = write.outcome(pos)
            setattr(report, outcome, getattr(report, outcome) + 1)
            self._tally(pending, outcome)

    def _tally(self, pending: _Pending, outcome: str) -> None:
        records = pending.parsed.records
        if records:
            self.departments.count(records[0].issuing_authority, outcome, records[0].decision_date)


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


class _Batch:
    """One batch written to the store: unique items, and for each row its problem or outcome."""

    def __init__(self, store: GraphStore, batch: list[_Pending]) -> None:
        self.resolution = res = Resolution(store, [e for p in batch for e in p.parsed.entities])
        self.problems: dict[int, tuple[str, str]] = {}
        entities = _Unique[AnyEntity]()  # the facts rows are about
        relations = _Unique[Relation]()
        records = _Unique[AnyRecord]()
        mentioned = _Unique[AnyEntity](merge=False)  # rows merely mention: created if missing
        linked = _Unique[Relation](merge=False)
        for pos, pending in enumerate(batch):
            kind, key = pending.parsed.primary
            for entity in pending.parsed.entities:
                if entity.id in res.same:
                    continue
                target = entities if (kind, key) == ("entity", entity.id) else mentioned
                target.add((entity.id, entity.label), entity, pos)
            for rel in pending.parsed.relations:
                fact = (kind, key) == ("relation", rel.identity)
                rel = _remap_relation(rel, res)
                (relations if fact else linked).add(rel.identity, rel, pos)
            for record in pending.parsed.records:
                record = record.model_copy(update={"subject_id": res.node(record.subject_id)})
                records.add(record.id, record, pos)
        mentioned.drop(entities.keys)
        linked.drop(relations.keys)
        self.results = {
            "entity": self._write(entities, store.upsert_entities, "entity"),
            "mentioned": self._write(
                mentioned, partial(store.upsert_entities, create_only=True), "entity"
            ),
            "linked": self._write(
                linked, partial(store.upsert_relations, create_only=True), "relation"
            ),
            "relation": self._write(relations, store.upsert_relations, "relation"),
            "record": self._write(records, store.upsert_records, "record"),
        }
        if res.possible:
            store.upsert_relations(res.possible, create_only=True)
        self.index: dict[str, _Unique[Any]] = {
            "entity": entities,
            "relation": relations,
            "record": records,
        }
        self.batch = batch

    def _write(self, unique: _Unique[Any], upsert: Any, kind: str) -> UpsertResult:
        result: UpsertResult = upsert(unique.items)
        for rejection in result.rejected:
            for pos in unique.rows[rejection.index]:
                field = f"{kind}.{rejection.field}" if rejection.field else kind
                self.problems.setdefault(pos, (field, rejection.reason))
        return result

    def outcome(self, pos: int) -> str:
        """``loaded`` when the row's main fact was created or changed by this row, else merged."""
        kind, key = self.batch[pos].parsed.primary
        res = self.resolution
        if kind == "entity":
            key = next((k for k in self.index["entity"].keys if k[0] == res.node(key)), key)
        elif kind == "relation":
            key = (key[0], res.node(key[1]), res.node(key[2]), key[3])
        unique = self.index[kind]
        item = unique.keys.get(key)
        if item is None:
            return "merged"
        first = unique.rows[item][0] == pos
        changed = self.results[kind].outcomes[item] in ("created", "updated")
        return "loaded" if first and changed else "merged"


def _remap_relation(rel: Relation, res: Resolution) -> Relation:
    source, target = res.node(rel.source_id), res.node(rel.target_id)
    if (source, target) == (rel.source_id, rel.target_id):
        return rel
    return rel.model_copy(update={"source_id": source, "target_id": target})


class _Unique(Generic[T]):
    """Items of a batch made unique by key; later copies fill in fields the first lacked."""

    def __init__(self, *, merge: bool = True) -> None:
        self.merge = merge
        self.items: list[T] = []
        self.rows: list[list[int]] = []
        self.keys: dict[Any, int] = {}

    def add(self, key: Any, item: T, pos: int) -> None:
        index = self.keys.get(key)
        if index is None:
            self.keys[key] = len(self.items)
            self.items.append(item)
            self.rows.append([pos])
            return
        if self.rows[index][-1] != pos:
            self.rows[index].append(pos)
        first: Any = self.items[index]
        if not self.merge or first is item:
            return
        extra = {
            k: v
            for k, v in item.model_dump(exclude_none=True).items()  # type: ignore[attr-defined]
            if k not in _PROVENANCE and getattr(first, k, None) is None
        }
        if extra:
            self.items[index] = first.model_copy(update=extra)

    def drop(self, keys: Iterable[Any]) -> None:
        """Forget the items under ``keys`` (another set writes them)."""
        gone = {self.keys[k] for k in keys if k in self.keys}
        if not gone:
            return
        kept = [i for i in range(len(self.items)) if i not in gone]
        renumber = {old: new for new, old in enumerate(kept)}
        self.items = [self.items[i] for i in kept]
        self.rows = [self.rows[i] for i in kept]
        self.keys = {k: renumber[i] for k, i in self.keys.items() if i in renumber}


def iter_reports(summary: LoadSummary) -> Iterator[FileReport]:
    """Every file report, then the totals."""
    yield from summary.files
    yield summary.totals
