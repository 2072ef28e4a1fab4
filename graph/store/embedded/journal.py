"""Durability for the embedded store: an fsynced append-only journal plus atomic snapshots."""

from __future__ import annotations

import os
import pickle
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson

from graph.errors import StoreUnavailable

SNAPSHOT = "snapshot.pickle"
JOURNAL = "journal.jsonl"


class Journal:
    """Append-only log of committed batches; a batch is on disk before the caller is answered.

    Each line is one batch ``{"seq": n, "ops": [...]}``. A torn last line (a crash in the middle
    of a write) was never acknowledged, so reopening drops it; a bad line before the end is
    corruption and refuses to open.
    """

    def __init__(self, directory: Path, *, fsync: bool = True) -> None:
        self.directory = directory
        self.fsync = fsync
        self.path = directory / JOURNAL
        self._handle = open(self.path, "ab")  # noqa: SIM115 - kept open for the store's life

    def load_snapshot(self) -> tuple[int, Any]:
        """The last snapshot as (seq, state), or (0, None) when there is none."""
        path = self.directory / SNAPSHOT
        if not path.exists():
            return 0, None
        with open(path, "rb") as handle:
            seq, state = pickle.load(handle)
        return int(seq), state

    def replay(self, after_seq: int) -> Iterator[dict[str, Any]]:
        """Yield the batches written after ``after_seq``; cut off a torn last line."""
        good_end = 0
        with open(self.path, "rb") as handle:
            data = handle.read()
        lines = data.split(b"\n")
        for number, line in enumerate(lines):
            last = number == len(lines) - 1
            if not line:
                good_end += 1 if not last else 0
                continue
            try:
                entry = orjson.loads(line)
            except orjson.JSONDecodeError as exc:
                if last:
                    break
                raise StoreUnavailable(f"{self.path}: line {number + 1} is corrupt") from exc
            if last:  # parsed, but the newline never reached the disk: not acknowledged
                break
            good_end += len(line) + 1
            if entry["seq"] > after_seq:
                yield entry
        if good_end < len(data):
            self._handle.truncate(good_end)

    def append(self, entry: dict[str, Any]) -> None:
        """Write one batch and make it durable."""
        self._handle.write(orjson.dumps(entry) + b"\n")
        self._handle.flush()
        if self.fsync:
            os.fsync(self._handle.fileno())

    def size(self) -> int:
        """Bytes in the journal."""
        return self._handle.tell()

    def compact(self, seq: int, state: Any) -> None:
        """Write ``state`` as the new snapshot atomically, then empty the journal."""
        tmp = self.directory / (SNAPSHOT + ".tmp")
        with open(tmp, "wb") as handle:
            pickle.dump((seq, state), handle, protocol=pickle.HIGHEST_PROTOCOL)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, self.directory / SNAPSHOT)
        _fsync_dir(self.directory)
        self._handle.truncate(0)
        self._handle.seek(0)
        if self.fsync:
            os.fsync(self._handle.fileno())

    def close(self) -> None:
        """Close the journal file."""
        self._handle.close()


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
