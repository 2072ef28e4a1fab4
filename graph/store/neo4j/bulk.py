"""A first load into an empty Neo4j by ``neo4j-admin database import full``.

The graph comes in as items in the stored form (``("node", props)`` and ``("edge", props with
source_id and target_id)``, as the embedded store's ``iter_items`` yields them) and leaves as
neo4j-admin CSV files: one nodes file per concrete label, imported with the labels the online
upserts set (``Node:Entity:Enterprise``, ``Node:Record:AdministrativePenalty`` ...), and one
relationships file per type. The headers are typed from the models so Neo4j holds exactly what
the online path writes: the id (``id:ID``, kept as the ``id`` property), dates as ``date``,
``loaded_at`` as ``datetime``, amounts as ``double`` (64-bit, as the driver sends a float),
row numbers as ``long``, ``former_names`` as ``string[]``. Record links (CONCERNS, ISSUED_BY)
carry only ``key: ''``, as ``upsert_records.cypher`` MERGEs them.

Empty strings and absent properties differ: every string is quoted (``""`` is an empty string
property), an absent one is an empty unquoted field (no property).
"""

from __future__ import annotations

import csv
import os
import subprocess
import time
import types
import typing
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import Enum
from pathlib import Path
from typing import IO, Any, Literal

from graph.errors import CredgraphError
from graph.model import RELATION_ATTRIBUTES, AnyEntity, Relation
from graph.records import AnyRecord
from graph.store.neo4j.cypher import statement
from graph.vocabulary import RECORD_REL_TYPES, Label, RelType, umbrella_labels

#: Separates the items of a ``string[]`` field (the ASCII unit separator: never in a name).
ARRAY_DELIMITER = "\x1f"
#: How neo4j-admin is told the array delimiter on its command line.
ARRAY_DELIMITER_OPTION = "U+001F"
_STRUCTURAL = ("source_id", "target_id")


class BulkImportError(CredgraphError):
    """The files could not be written or neo4j-admin failed; the message says why."""


class DatabaseNotEmpty(BulkImportError):
    """A first load was asked into a database that already holds nodes."""

    status_code = 409


class _Null:
    """An absent property: a csv writer with QUOTE_NONNUMERIC takes it for a number (so it is
    not quoted) and writes its empty text, which neo4j-admin reads as no value. ``None`` would
    be written as ``""``, an empty string property."""

    __slots__ = ()

    def __index__(self) -> int:
        return 0

    def __str__(self) -> str:
        return ""


_NULL = _Null()


def _neo4j_type(annotation: Any) -> str:
    """The neo4j-admin header type of a model field's annotation.

    >>> _neo4j_type(float | None), _neo4j_type(list[str]), _neo4j_type(date | None)
    ('double', 'string[]', 'date')
    """
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType) and len(args) == 1:
        return _neo4j_type(args[0])
    if origin is typing.Annotated:
        return _neo4j_type(args[0])
    if origin is list:
        return _neo4j_type(args[0]) + "[]"
    if origin is Literal or annotation is str:
        return "string"
    if isinstance(annotation, type):
        for kind, name in (
            (bool, "boolean"),  # before int: a bool is an int
            (int, "long"),  # the driver sends a Python int as a 64-bit integer
            (float, "double"),  # and a float as a 64-bit float (neo4j-admin's float is 32)
            (datetime, "datetime"),  # before date: a datetime is a date
            (date, "date"),
            (str, "string"),  # str enums
            (Enum, "string"),
        ):
            if issubclass(annotation, kind):
                return name
    raise TypeError(f"no neo4j-admin type for a model field of type {annotation!r}")


def _model_columns(model: type[Any], drop: Sequence[str] = ()) -> dict[str, str]:
    """Property name -> neo4j-admin type, for every field of a model."""
    return {
        name: _neo4j_type(info.annotation)
        for name, info in model.model_fields.items()
        if name not in drop
    }


def _union_members(annotated: Any) -> list[type[Any]]:
    """The models of an ``Annotated[A | B | ..., discriminator]`` union."""
    return list(typing.get_args(typing.get_args(annotated)[0]))


def node_columns() -> dict[str, dict[str, str]]:
    """Concrete label -> {property: neo4j-admin type} of the nodes it labels."""
    columns: dict[str, dict[str, str]] = {}
    for model in [*_union_members(AnyEntity), *_union_members(AnyRecord)]:
        fields = model.model_fields
        label = (fields.get("label") or fields["kind"]).default
        columns[str(label)] = _model_columns(model)
    return columns


def relationship_columns() -> dict[str, dict[str, str]]:
    """Relationship type -> {property: neo4j-admin type}: the Relation fields a type may
    hold (an attribute such as ``ratio`` only where the model allows it); a record link
    (CONCERNS, ISSUED_BY) has only its key."""
    relation = _model_columns(Relation, drop=_STRUCTURAL)
    columns: dict[str, dict[str, str]] = {}
    for rel_type in RelType:
        if rel_type in RECORD_REL_TYPES:
            columns[str(rel_type)] = {"key": "string"}
            continue
        columns[str(rel_type)] = {
            name: kind
            for name, kind in relation.items()
            if rel_type in RELATION_ATTRIBUTES.get(name, (rel_type,))
        }
    return columns


@dataclass
class _Out:
    """One CSV file being written: the item keys of its columns, in order (the special
    ones first), which of them hold lists, and the keys an item may have."""

    path: Path
    keys: list[str]
    arrays: list[int]
    allowed: frozenset[str]
    handle: IO[str]
    writer: Any
    nulls: tuple[_Null, ...]
    rows: int = 0


@dataclass
class ImportFiles:
    """The files written for neo4j-admin, with what each holds."""

    directory: Path
    nodes: dict[str, Path] = field(default_factory=dict)  # neo4j-admin labels "A:B:C" -> file
    relationships: dict[str, Path] = field(default_factory=dict)  # type -> file
    node_count: int = 0
    relationship_count: int = 0
    multiline: list[Path] = field(default_factory=list)  # files where a field spans lines
    bytes: int = 0

    def admin_arguments(self, database: str, directory: str | None = None) -> list[str]:
        """``neo4j-admin database import full`` arguments after the command words; file
        paths under ``directory`` (e.g. ``/import`` inside a container) if given. Only the
        files with a field over several lines are read in multi-line mode (v2), which is
        slow."""

        def where(path: Path) -> str:
            return f"{directory.rstrip('/')}/{path.name}" if directory else str(path)

        args = [
            database,
            "--overwrite-destination=true",
            "--id-type=string",
            "--delimiter=,",
            f"--array-delimiter={ARRAY_DELIMITER_OPTION}",
            '--quote="',
            "--bad-tolerance=0",
            "--skip-bad-relationships=false",
            "--skip-duplicate-nodes=false",
        ]
        if self.multiline:
            args += [
                "--multiline-fields-format=v2",
                "--multiline-fields=" + ",".join(where(p) for p in self.multiline),
            ]
        else:
            args.append("--multiline-fields=false")
        args += [f"--nodes={labels}={where(p)}" for labels, p in self.nodes.items()]
        args += [f"--relationships={t}={where(p)}" for t, p in self.relationships.items()]
        return args


class _Exporter:
    """Writes items to one CSV file per node label and relationship type, in one pass."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.files = ImportFiles(directory)
        self._nodes = node_columns()
        self._rels = relationship_columns()
        self._outs: dict[str, _Out] = {}  # by label, and by relationship type

    def _open(
        self, name: str, special: dict[str, str], props: Mapping[str, str], also: Iterable[str]
    ) -> _Out:
        """A new file and its header: the ``special`` columns (item key -> header), then
        ``props``; items may also hold the keys ``also`` (not written)."""
        columns = {k: t for k, t in props.items() if k not in special}
        header = [*special.values(), *(f"{c}:{t}" for c, t in columns.items())]
        keys = [*special, *columns]
        path = self.directory / name
        handle = open(path, "w", encoding="utf-8", newline="", buffering=1 << 20)  # noqa: SIM115
        handle.write(",".join(header) + "\n")  # unquoted: the names hold no comma
        return _Out(
            path=path,
            keys=keys,
            arrays=[i for i, k in enumerate(keys) if columns.get(k, "").endswith("[]")],
            allowed=frozenset(keys) | frozenset(also),
            handle=handle,
            writer=csv.writer(handle, quoting=csv.QUOTE_NONNUMERIC, lineterminator="\n"),
            nulls=(_NULL,) * len(keys),
        )

    def node(self, props: dict[str, Any]) -> None:
        label = props.get("label") or props.get("kind")
        out = self._outs.get(label) or self._new_node_file(label)  # type: ignore[arg-type]
        if not props.keys() <= out.allowed:
            unknown = sorted(props.keys() - out.allowed)
            raise BulkImportError(f"{label} {props.get('id')!r}: no column for {unknown}")
        values = map(props.get, out.keys, out.nulls)
        if out.arrays:
            row = list(values)
            for i in out.arrays:
                if row[i] is not _NULL:
                    row[i] = _join(row[i])
            out.writer.writerow(row)
        else:
            out.writer.writerow(values)
        out.rows += 1

    def _new_node_file(self, label: Any) -> _Out:
        if label not in self._nodes:
            raise BulkImportError(f"a node with the unknown label {label!r}")
        out = self._open(f"nodes-{label}.csv", {"id": "id:ID"}, self._nodes[label], ())
        self.files.nodes[":".join(umbrella_labels(Label(label)))] = out.path
        self._outs[label] = out
        return out

    def edge(self, props: dict[str, Any]) -> None:
        rel_type = props["type"]
        out = self._outs.get(rel_type) or self._new_rel_file(rel_type)
        if not props.keys() <= out.allowed:
            unknown = sorted(props.keys() - out.allowed)
            raise BulkImportError(f"{rel_type} relation: no column for {unknown}")
        out.writer.writerow(map(props.get, out.keys, out.nulls))
        out.rows += 1

    def _new_rel_file(self, rel_type: str) -> _Out:
        if rel_type not in self._rels:
            raise BulkImportError(f"a relation of the unknown type {rel_type!r}")
        special = {"source_id": ":START_ID", "target_id": ":END_ID"}
        props = self._rels[rel_type]
        # a record link stores no type property (upsert_records MERGEs it with its key only)
        also = ["type"] if "type" not in props else []
        out = self._open(f"relationships-{rel_type}.csv", special, props, also)
        self.files.relationships[rel_type] = out.path
        self._outs[rel_type] = out
        return out

    def close(self) -> ImportFiles:
        """Close every file; count rows, bytes and the files where a field spans lines."""
        for key, out in self._outs.items():
            out.handle.close()
            if key in self._nodes:
                self.files.node_count += out.rows
            else:
                self.files.relationship_count += out.rows
            data = out.path.read_bytes()
            self.files.bytes += len(data)
            # one line per row and the header, unless a quoted field holds a line break
            if data.count(b"\n") != out.rows + 1 or b"\r" in data:
                self.files.multiline.append(out.path)
        return self.files

    def abort(self) -> None:
        for out in self._outs.values():
            out.handle.close()


def _join(values: list[str]) -> str:
    text = ARRAY_DELIMITER.join(values)
    if text.count(ARRAY_DELIMITER) != len(values) - 1:
        raise BulkImportError(f"a list item holds the array delimiter U+001F: {values!r}")
    return text


def export_items(items: Iterable[tuple[str, dict[str, Any]]], directory: Path) -> ImportFiles:
    """Write the items as neo4j-admin CSV files into ``directory`` (created; files replaced)."""
    directory.mkdir(parents=True, exist_ok=True)
    exporter = _Exporter(directory)
    node, edge = exporter.node, exporter.edge
    try:
        for kind, props in items:
            if kind == "node":
                node(props)
            else:
                edge(props)
    except BaseException:
        exporter.abort()
        raise
    return exporter.close()


def admin_command(
    java: str,
    lib: Path,
    files: ImportFiles,
    database: str,
    *,
    heap: str = "1g",
    max_off_heap: str = "1G",
    threads: int | None = None,
) -> list[str]:
    """The ``neo4j-admin database import full`` command line run straight on the jars
    (``org.neo4j.cli.AdminTool``, as scripts/neo4j runs ``set-initial-password``)."""
    command = [
        java,
        f"-Xmx{heap}",
        "--add-opens=java.base/java.nio=ALL-UNNAMED",
        "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
        "--add-opens=java.base/java.io=ALL-UNNAMED",
        "--enable-native-access=ALL-UNNAMED",
        "-Dfile.encoding=UTF-8",
        "-cp",
        f"{lib}/*",
        "org.neo4j.cli.AdminTool",
        "database",
        "import",
        "full",
        *files.admin_arguments(database),
        f"--report-file={files.directory / 'import.report'}",
        f"--max-off-heap-memory={max_off_heap}",
    ]
    if threads:
        command.append(f"--threads={threads}")
    return command


def run_import(command: Sequence[str], home: Path, conf: Path, log: Path) -> float:
    """Run neo4j-admin with NEO4J_HOME and NEO4J_CONF of the server's home (the database
    must be stopped); its output goes to ``log``. Returns the seconds it took."""
    env = dict(os.environ, NEO4J_HOME=str(home), NEO4J_CONF=str(conf))
    started = time.perf_counter()
    with open(log, "wb") as out:
        done = subprocess.run(
            list(command),
            env=env,
            cwd=home,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            check=False,
        )
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise BulkImportError(
            f"neo4j-admin database import failed (exit {done.returncode}): "
            f"{_cause(log)} (whole output in {log})"
        )
    return seconds


def _cause(log: Path) -> str:
    """The most telling line of a failed neo4j-admin's output: the last exception or error
    message (not the advice to run with --verbose)."""
    lines = [x.strip() for x in log.read_text("utf-8", errors="replace").splitlines()]
    telling = [
        x
        for x in lines
        if x and not x.startswith(("at ", "Run with", "...")) and ("Exception" in x or "rror" in x)
    ]
    return (telling or [x for x in lines if x] or ["no output"])[-1][:400]


def count_nodes(uri: str, auth: tuple[str, str] | None, database: str) -> int:
    """How many nodes the database holds (the emptiness check before an import)."""
    import neo4j

    with neo4j.GraphDatabase.driver(
        uri, auth=auth, notifications_min_severity=neo4j.NotificationMinimumSeverity.OFF
    ) as driver:
        records, _, _ = driver.execute_query(statement("count_nodes"), database_=database)
    return int(records[0]["n"])
