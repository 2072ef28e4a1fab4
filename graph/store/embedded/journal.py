"""Durability for the embedded store: an fsynced append-only journal plus atomic snapshots.

The journal holds one line per acknowledged batch, ``{"seq": n, "write": ..., "at": ...,
"items": [...]}``: the items of a write that changed something, in their stored form, with the
batch's time stamp. Replaying a line runs the same write again on the same state, so it gives
the same graph (a logical log: one ``orjson.dumps`` of the caller's dicts per batch, no copies).

The snapshot is a sequence of marshal chunks (``[8-byte length][marshal data]``...): marshal
loads flat lists of strings, bytes and tuples far faster than pickle loads objects, and keeps
interned strings interned (so shared ids stay shared). It is written to a temporary file and
renamed over the old one; then the journal is replaced by an empty one (a new file, so a
reader in another process sees by its inode that it must reload).
"""

from __future__ import annotations

import marshal
import os
import struct
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, BinaryIO, NamedTuple

import orjson

from graph.errors import StoreUnavailable

SNAPSHOT = "snapshot.marshal"
LEGACY_SNAPSHOT = "snapshot.pickle"
JOURNAL = "journal.jsonl"
_LENGTH = struct.Struct("<Q")


class FileId(NamedTuple):
    """What tells one version of a file from another: inode, size and change time."""

    inode: int
    size: int
    mtime_ns: int

    @classmethod
    def of(cls, path: Path) -> FileId | None:
        """The file's identity now, or None when it does not exist."""
        try:
            st = os.stat(path)
        except FileNotFoundError:
            return None
        return cls(st.st_ino, st.st_size, st.st_mtime_ns)


def read_snapshot(directory: Path) -> Iterator[Any]:
    """The chunks of the snapshot, in order (nothing when there is none); the first is its
    head (a dict with ``seq``)."""
    path = directory / SNAPSHOT
    try:
        handle = open(path, "rb")  # noqa: SIM115 - closed below, also on a generator's close
    except FileNotFoundError:
        return
    with handle:
        while head := handle.read(_LENGTH.size):
            if len(head) < _LENGTH.size:
                raise StoreUnavailable(f"{path}: truncated")
            (size,) = _LENGTH.unpack(head)
            data = handle.read(size)
            if len(data) < size:
                raise StoreUnavailable(f"{path}: truncated")
            yield marshal.loads(data)
            del data


def write_snapshot(directory: Path, chunks: Iterable[Any]) -> None:
    """Write ``chunks`` as the new snapshot atomically (temporary file, fsync, rename)."""
    tmp = directory / (SNAPSHOT + ".tmp")
    with open(tmp, "wb") as handle:
        for chunk in chunks:
            data = marshal.dumps(chunk)
            handle.write(_LENGTH.pack(len(data)))
            handle.write(data)
            del data
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, directory / SNAPSHOT)
    _fsync_dir(directory)


def parse_lines(data: bytes, start: int, path: Path) -> tuple[list[dict[str, Any]], int]:
    """The complete, well-formed lines of ``data`` from ``start``, and where they end.

    A line without its newline (a write in progress, or a crash in the middle of one) is
    not taken: it was never acknowledged. A bad line before the last is corruption.
    """
    entries = []
    end = data.rfind(b"\n", start) + 1  # 0: no complete line
    lines = data[start:end].split(b"\n") if end > start else []
    for number, line in enumerate(lines[:-1]):  # the last is empty: after the final newline
        if not line:
            continue
        try:
            entries.append(orjson.loads(line))
        except orjson.JSONDecodeError as exc:
            at = data.count(b"\n", 0, start) + number + 1
            raise StoreUnavailable(f"{path}: line {at} is corrupt") from exc
    return entries, max(end, start)


class Tail:
    """A reader's view of the journal: complete lines as they are appended.

    It keeps the file open, so after the owner replaced the journal (a compaction) it can
    still read the old one to its end before it moves on to the new one.
    """

    def __init__(self, directory: Path) -> None:
        self.path = directory / JOURNAL
        self.offset = 0
        try:
            self._handle: BinaryIO | None = open(self.path, "rb")  # noqa: SIM115
        except FileNotFoundError:
            self._handle = None

    def read(self) -> list[dict[str, Any]]:
        """The complete batches appended since the last read."""
        if self._handle is None:
            return []
        self._handle.seek(self.offset)
        data = self._handle.read()
        entries, end = parse_lines(data, 0, self.path)
        self.offset += end
        return entries

    def replaced(self) -> bool:
        """Whether the journal at the path is no longer the file this tail reads."""
        now = FileId.of(self.path)
        if self._handle is None:
            return now is not None
        return now is None or now.inode != os.fstat(self._handle.fileno()).st_ino

    def close(self) -> None:
        """Close the file."""
        if self._handle is not None:
            self._handle.close()


class Journal:
    """Append-only log of committed batches; a batch is on disk before the caller is answered.

    A torn last line (a crash in the middle of a write) was never acknowledged, so opening
    drops it; a bad line before the end is corruption and refuses to open. ``read_only``
    opens nothing for writing (a reader beside the owning process).
    """

    def __init__(self, directory: Path, *, fsync: bool = True, read_only: bool = False) -> None:
        self.directory = directory
        self.fsync = fsync
        self.path = directory / JOURNAL
        self.read_only = read_only
        self._handle = None if read_only else open(self.path, "ab")  # noqa: SIM115

    def read(self) -> tuple[list[dict[str, Any]], int]:
        """The complete batches in the journal, and the offset after them."""
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            return [], 0
        return parse_lines(data, 0, self.path)

    def cut(self, good_end: int) -> None:
        """Drop a torn tail after ``good_end`` (the owner, at open)."""
        if self._handle is not None and self._handle.tell() > good_end:
            self._handle.truncate(good_end)
            self._handle.seek(good_end)

    def append(self, entry: dict[str, Any]) -> None:
        """Write one batch and make it durable."""
        if self._handle is None:
            raise StoreUnavailable("the store is open read-only")
        self._handle.write(orjson.dumps(entry) + b"\n")
        self._handle.flush()
        if self.fsync:
            os.fsync(self._handle.fileno())

    def size(self) -> int:
        """Bytes in the journal (as this process wrote them)."""
        return self._handle.tell() if self._handle is not None else 0

    def compact(self, chunks: Iterable[Any]) -> None:
        """Write the new snapshot atomically, then start an empty journal (a new file)."""
        if self._handle is None:
            raise StoreUnavailable("the store is open read-only")
        write_snapshot(self.directory, chunks)
        tmp = self.directory / (JOURNAL + ".tmp")
        with open(tmp, "wb") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, self.path)
        _fsync_dir(self.directory)
        self._handle.close()
        self._handle = open(self.path, "ab")  # noqa: SIM115

    def close(self) -> None:
        """Close the journal file."""
        if self._handle is not None:
            self._handle.close()


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
