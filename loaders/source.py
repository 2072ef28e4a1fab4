"""Source files as streams of rows: CSV (UTF-8, UTF-8 with BOM, GB18030/GBK), XLSX, JSONL."""

from __future__ import annotations

import codecs
import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

SAMPLE_BYTES = 1 << 20
SUFFIXES = {".csv": "csv", ".txt": "csv", ".xlsx": "xlsx", ".jsonl": "jsonl", ".ndjson": "jsonl"}


class SourceError(Exception):
    """A whole file cannot be read (unknown kind, no header, undecodable)."""


def detect_encoding(path: Path) -> str:
    """``utf-8-sig`` for a BOM, ``utf-8`` when the first MiB decodes as UTF-8, else ``gb18030``.

    GB18030 is a superset of GBK and GB2312, so it reads files in either.
    """
    with open(path, "rb") as handle:
        head = handle.read(SAMPLE_BYTES)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=len(head) < SAMPLE_BYTES)
    except UnicodeDecodeError:
        return "gb18030"
    return "utf-8"


@dataclass
class Table:
    """A source file opened for streaming: its kind, encoding and header row.

    Rows are numbered as a spreadsheet shows them: the header is row 1, the first data row 2
    (for CSV, a record spanning several lines counts once). Blank rows are skipped.
    """

    path: Path
    kind: str
    encoding: str | None
    header: list[str]

    def rows(self) -> Iterator[tuple[int, list[str] | str]]:
        """(row number, cells) for each data row, or (row number, error text) for a row
        that cannot be split into cells."""
        if self.kind == "csv":
            yield from _csv_rows(self.path, self.encoding or "utf-8")
        elif self.kind == "xlsx":
            yield from _xlsx_rows(self.path)
        else:
            yield from _jsonl_rows(self.path, self.header)


def open_table(path: Path, kind: str | None = None) -> Table:
    """Open ``path`` and read its header; SourceError when that is impossible."""
    kind = kind or SUFFIXES.get(path.suffix.lower())
    if kind is None:
        raise SourceError(f"{path.name}: unknown file kind {path.suffix!r} (csv, xlsx, jsonl)")
    try:
        if kind == "csv":
            encoding = detect_encoding(path)
            with open(path, encoding=encoding, newline="") as handle:
                header = next(
                    (row for row in csv.reader(handle) if any(c.strip() for c in row)), None
                )
            return _table(path, kind, encoding, header)
        if kind == "xlsx":
            first = next(_xlsx_cells(path), None)
            return _table(path, kind, None, first)
        with open(path, encoding="utf-8-sig") as handle:
            line = next((line for line in handle if line.strip()), None)
        keys = list(json.loads(line)) if line else None
        return _table(path, kind, "utf-8", keys)
    except UnicodeDecodeError as exc:
        raise SourceError(f"{path.name}: cannot decode as {exc.encoding}: {exc.reason}") from exc
    except (json.JSONDecodeError, TypeError) as exc:
        raise SourceError(f"{path.name}: first line is not a JSON object: {exc}") from exc


def _table(path: Path, kind: str, encoding: str | None, header: list[str] | None) -> Table:
    if not header:
        raise SourceError(f"{path.name}: no header row")
    return Table(path, kind, encoding, [str(h).strip() for h in header])


def _csv_rows(path: Path, encoding: str) -> Iterator[tuple[int, list[str] | str]]:
    with open(path, encoding=encoding, newline="") as handle:
        reader = csv.reader(handle)
        number = 0
        started = False
        try:
            for cells in reader:
                if not any(c.strip() for c in cells):
                    if started:
                        number += 1
                    continue
                number += 1
                if not started:  # the header row
                    started = True
                    continue
                yield number, cells
        except csv.Error as exc:
            yield number + 1, f"unreadable CSV: {exc}"


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return (
            value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
        )
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _xlsx_cells(path: Path) -> Iterator[list[str]]:
    from openpyxl import load_workbook

    workbook = load_workbook(path, read_only=True, data_only=True)
    try:
        sheet = workbook.worksheets[0]
        for values in sheet.iter_rows(values_only=True):
            yield [_cell(v) for v in values]
    finally:
        workbook.close()


def _xlsx_rows(path: Path) -> Iterator[tuple[int, list[str] | str]]:
    started = False
    for number, cells in enumerate(_xlsx_cells(path), start=1):
        if not any(c.strip() for c in cells):
            continue
        if not started:
            started = True
            continue
        yield number, cells


def _jsonl_rows(path: Path, header: list[str]) -> Iterator[tuple[int, list[str] | str]]:
    with open(path, encoding="utf-8-sig") as handle:
        started = False
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                data = json.loads(line)
            except json.JSONDecodeError as exc:
                yield number, f"not JSON: {exc.msg}"
                continue
            if not isinstance(data, dict):
                yield number, "not a JSON object"
                continue
            started = True
            yield number, [_cell(data.get(key)) for key in header]
        if not started:
            return
