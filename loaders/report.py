"""What a load reports: per-file counts, the rejects file, and the department report."""

from __future__ import annotations

import csv
import json
import os
import stat
import statistics
from collections import Counter
from collections.abc import Collection, Mapping
from datetime import date, timedelta
from pathlib import Path
from types import TracebackType
from typing import Any

from pydantic import BaseModel, Field

from graph.ids import mask_citizen_ids, mask_id_like

#: The disclosure rule: publish within 7 working days of the decision.
DISCLOSURE_WORKING_DAYS = 7


def working_days_between(start: date, end: date) -> int:
    """Monday-to-Friday days after ``start`` up to and including ``end`` (holidays not known).

    >>> working_days_between(date(2025, 7, 4), date(2025, 7, 14))  # Fri -> Mon next week
    6
    """
    if end <= start:
        return 0
    days = (end - start).days
    weeks, rest = divmod(days, 7)
    count = weeks * 5
    for offset in range(1, rest + 1):
        if (start + timedelta(days=offset)).weekday() < 5:
            count += 1
    return count


class FileReport(BaseModel):
    """Counts for one file: read = loaded + merged + rejected."""

    file: str
    format: str | None = None
    encoding: str | None = None
    read: int = 0
    loaded: int = 0
    merged: int = 0
    rejected: int = 0
    unknown_columns: list[str] = Field(default_factory=list)
    # 红黑名单 whose 名单名称 (with the 认定部门, for a name several departments use) the list
    # mapping (loaders/formats/list_names.yaml) does not know: loaded as other_black /
    # other_red, not rejected. Name -> rows loaded or merged, most rows first.
    unrecognised_lists: dict[str, int] = Field(default_factory=dict)
    error: str | None = None
    seconds: float = 0.0

    @property
    def balanced(self) -> bool:
        """True when every row read is accounted for."""
        return self.read == self.loaded + self.merged + self.rejected

    def count_unrecognised(self, name: str, rows: int = 1) -> None:
        """``rows`` more rows of a list the mapping did not recognise."""
        self.unrecognised_lists[name] = self.unrecognised_lists.get(name, 0) + rows

    def sort_unrecognised(self) -> None:
        """Most rows first, then by name (the order the summary shows)."""
        ordered = sorted(self.unrecognised_lists.items(), key=lambda kv: (-kv[1], kv[0]))
        self.unrecognised_lists = dict(ordered)


class Department(BaseModel):
    """One issuing authority's records in this load (the plan's department assessment)."""

    authority: str
    pushed: int = 0
    loaded: int = 0
    merged: int = 0
    rejected: int = 0
    reasons: dict[str, int] = Field(default_factory=dict)
    median_delay_days: float | None = None
    max_delay_days: int | None = None
    late: int = 0  # records loaded more than 7 working days after the decision
    on_time_share: float | None = None


class DepartmentTally:
    """Collects per-authority counts and decision-to-load delays while rows stream past."""

    def __init__(self, today: date) -> None:
        self.today = today
        self._names: dict[str, str] = {}  # a cell as it may be named in the summary
        self._rows: dict[str, Counter[str]] = {}
        self._reasons: dict[str, Counter[str]] = {}
        self._delays: dict[str, list[int]] = {}
        self._working: dict[str, list[int]] = {}

    def count(self, authority: str | None, outcome: str, decided: date | None = None) -> None:
        """One row of ``authority`` ended as loaded, merged or rejected."""
        name = self._name(authority)
        self._rows.setdefault(name, Counter())[outcome] += 1
        if decided is not None and outcome != "rejected":
            self._delays.setdefault(name, []).append((self.today - decided).days)
            self._working.setdefault(name, []).append(working_days_between(decided, self.today))

    def reject(self, authority: str | None, reason: str) -> None:
        """A rejected row of ``authority`` and its reason (kind of defect)."""
        self.count(authority, "rejected")
        self._reasons.setdefault(self._name(authority), Counter())[reason] += 1

    def _name(self, authority: str | None) -> str:
        """The authority as the summary names it: an ID number in a shifted cell masked."""
        if not authority:
            return "(unknown)"
        name = self._names.get(authority)
        if name is None:
            name = self._names[authority] = mask_citizen_ids(authority)
        return name

    def report(self) -> list[Department]:
        """One entry per authority, most rows first."""
        out = []
        for name, rows in self._rows.items():
            delays = self._delays.get(name, [])
            working = self._working.get(name, [])
            late = sum(1 for w in working if w > DISCLOSURE_WORKING_DAYS)
            out.append(
                Department(
                    authority=name,
                    pushed=sum(rows.values()),
                    loaded=rows["loaded"],
                    merged=rows["merged"],
                    rejected=rows["rejected"],
                    reasons=dict(self._reasons.get(name, Counter()).most_common()),
                    median_delay_days=statistics.median(delays) if delays else None,
                    max_delay_days=max(delays) if delays else None,
                    late=late,
                    on_time_share=round(1 - late / len(working), 4) if working else None,
                )
            )
        return sorted(out, key=lambda d: (-d.pushed, d.authority))


def mask_row(
    values: Mapping[str, Any], keep: Collection[str], id_columns: Collection[str] = ()
) -> dict[str, Any]:
    """A rejected row's values as the rejects file shows them: the ``keep`` columns (the
    ones that were wrong, for the department to correct) as given; in ``id_columns`` anything
    shaped like a citizen ID number masked, valid or not; elsewhere valid ID numbers masked.

    >>> mask_row({"证件号码": "11010519491231002X", "备注": "110105195001010039 已核"},
    ...          keep=(), id_columns=("证件号码",))
    {'证件号码': '110105********002X', '备注': '110105********0039 已核'}
    >>> mask_row({"证件号码": "110105194912310022"}, keep=("证件号码",), id_columns=("证件号码",))
    {'证件号码': '110105194912310022'}
    """
    shown: dict[str, Any] = {}
    for column, value in values.items():
        if column in keep or not isinstance(value, str):
            shown[column] = value
        elif column in id_columns:
            shown[column] = mask_id_like(value)
        else:
            shown[column] = mask_citizen_ids(value)
    return shown


class RejectWriter:
    """Writes rejected rows as CSV (UTF-8 with BOM, so spreadsheets open it): one line each.

    The file is readable by its owner only (mode 0600), and citizen ID numbers in it are
    masked except in the column that was wrong (see ``mask_row``).
    """

    HEADER = ("file", "row", "format", "field", "reason", "values")

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.count = 0
        self._handle = None
        self._writer: Any = None
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            if stat.S_ISREG(os.fstat(fd).st_mode):
                os.fchmod(fd, 0o600)  # a file that was there keeps its mode otherwise
            self._handle = open(fd, "w", encoding="utf-8-sig", newline="")  # noqa: SIM115
            self._writer = csv.writer(self._handle)
            self._writer.writerow(self.HEADER)

    def write(
        self,
        file: str,
        row: int,
        fmt: str | None,
        field: str,
        reason: str,
        values: Any,
        *,
        keep: Collection[str] | None = None,
        id_columns: Collection[str] = (),
    ) -> None:
        """Record one rejected row; ``keep`` (default: the column named ``field``) is written
        as given, ID numbers elsewhere masked (``id_columns`` hold ID numbers)."""
        self.count += 1
        if self._writer is not None:
            if isinstance(values, Mapping):
                values = mask_row(values, {field} if keep is None else keep, id_columns)
            raw = json.dumps(values, ensure_ascii=False)
            self._writer.writerow((file, row, fmt or "", field, mask_citizen_ids(reason), raw))

    def close(self) -> None:
        """Flush and close the file."""
        if self._handle is not None:
            self._handle.close()

    def __enter__(self) -> RejectWriter:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
