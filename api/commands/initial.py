"""``credgraph load --initial``: a first load into an empty Neo4j through neo4j-admin import.

The files are parsed exactly as by the online load: the normal ``Loader`` writes into an
embedded store used as a staging area, so rejects, merges, person keys, resolution of
masked persons, create-only mentions and former names are the same. The staged graph is then
exported to neo4j-admin CSV files (graph.store.neo4j.bulk) and either

- imported into a local server of scripts/neo4j (``--neo4j-instance NAME``): the database is
  checked empty over Bolt, the server stopped, ``neo4j-admin database import full`` run on the
  installed jars, the server started again (same heap and page cache) and the schema applied;
- or only written (``--write-files DIR``), with the commands that import them printed (the
  official Docker image's ``neo4j-admin``, for docker-compose users).

The summary reports seconds per stage, and neo4j-admin's own time beside the end-to-end time.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from graph.errors import StoreUnavailable
from graph.settings import Settings
from graph.store.embedded.store import EmbeddedStore
from graph.store.neo4j.bulk import (
    BulkImportError,
    DatabaseNotEmpty,
    ImportFiles,
    admin_command,
    count_nodes,
    export_items,
    run_import,
)
from graph.store.neo4j.store import Neo4jStore
from loaders.pipeline import Loader, LoadSummary
from loaders.report import RejectWriter

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "neo4j"
#: Where the Docker image's neo4j-admin finds the files (mounted with -v DIR:/import).
CONTAINER_DIR = "/import"


class StageSeconds(BaseModel):
    """Seconds per stage of a first load; ``end_to_end`` is parse + export + import + schema
    (the server's stop and start are apart, in ``restart``)."""

    parse_stage: float = 0.0
    export: float = 0.0
    stop: float = 0.0
    neo4j_admin_import: float = 0.0
    start: float = 0.0
    init_schema: float = 0.0
    end_to_end: float = 0.0
    restart: float = 0.0
    total: float = 0.0


class InitialImport(BaseModel):
    """What ``--initial`` did beside parsing: the files, neo4j-admin, the stage times."""

    mode: str  # "instance" (imported into a scripts/neo4j server) or "files" (written only)
    instance: str | None = None
    database: str = "neo4j"
    files_dir: str  # removed after a successful import into an instance
    nodes: int
    relationships: int
    bytes: int
    multiline_files: list[str]  # read in neo4j-admin's slow multi-line mode
    seconds: StageSeconds = Field(default_factory=StageSeconds)
    #: neo4j-admin's seconds / end_to_end: the speed of the whole as a share of the import alone
    share_of_import_alone: float | None = None
    rows_per_second_end_to_end: float | None = None
    commands: list[str] = Field(default_factory=list)  # files mode: how to import them


class InitialLoadSummary(LoadSummary):
    """The load summary of ``load --initial``: the online load's, plus the import."""

    initial: InitialImport


@dataclass
class LocalInstance:
    """A server of scripts/neo4j: .neo4j/instances/NAME (CREDGRAPH_NEO4J_HOME_ROOT moves it)."""

    name: str

    @property
    def root(self) -> Path:
        return Path(os.environ.get("CREDGRAPH_NEO4J_HOME_ROOT") or ROOT / ".neo4j").resolve()

    @property
    def home(self) -> Path:
        return self.root / "instances" / self.name

    def credentials(self) -> dict[str, str]:
        """uri, user, password and database, as scripts/neo4j wrote them."""
        path = self.home / "credentials.json"
        if not path.exists():
            raise BulkImportError(
                f"Neo4j instance {self.name!r} is unknown ({path} missing): "
                f"run scripts/neo4j start --name {self.name}"
            )
        data: dict[str, str] = json.loads(path.read_text())
        return data

    def lib(self) -> Path:
        """The jars scripts/neo4j installed (the version pinned in its pom)."""
        pom = ET.parse(ROOT / "scripts" / "neo4j-runtime" / "pom.xml")
        version = pom.findtext("{*}properties/{*}neo4j.version")
        lib = self.root / "dist" / str(version) / "lib"
        if not (lib.parent / "installed.json").exists():
            raise BulkImportError(
                f"Neo4j {version} is not installed in {lib}: scripts/neo4j install"
            )
        return lib

    def pid(self) -> int | None:
        """The running server's pid, or None."""
        try:
            pid = int((self.home / "run" / "credgraph.pid").read_text().strip())
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        except (OSError, ValueError):
            return None
        return pid if f"--home-dir={self.home}".encode() in cmdline else None

    def memory(self) -> list[str]:
        """``--heap`` and ``--pagecache`` the running server was started with, to start it
        again the same way."""
        args: list[str] = []
        pid = self.pid()
        if pid is not None:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().decode().split("\0")
            heap = [a[4:] for a in cmdline if a.startswith("-Xmx")]
            args += ["--heap", heap[-1]] if heap else []
        conf = (self.home / "conf" / "neo4j.conf").read_text()
        cache = re.search(r"^server\.memory\.pagecache\.size=(\S+)$", conf, re.MULTILINE)
        return args + (["--pagecache", cache.group(1)] if cache else [])

    def script(self, *args: str) -> float:
        """Run ``scripts/neo4j ARGS --name NAME``; the seconds it took."""
        started = time.perf_counter()
        done = subprocess.run(
            [sys.executable, str(SCRIPT), *args, "--name", self.name],
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise BulkImportError(
                f"scripts/neo4j {args[0]} --name {self.name} failed: "
                f"{(done.stderr or done.stdout).strip()[-500:]}"
            )
        return time.perf_counter() - started


def java_bin() -> str:
    """The java executable: JAVA_HOME's, else the one on PATH."""
    home = os.environ.get("JAVA_HOME")
    java = str(Path(home) / "bin" / "java") if home else shutil.which("java")
    if not java:
        raise BulkImportError("java not found: install a JDK 17+ or set JAVA_HOME")
    return java


def check_empty(uri: str, auth: tuple[str, str] | None, database: str, where: str) -> None:
    """Refuse a database that holds any node."""
    try:
        nodes = count_nodes(uri, auth, database)
    except Exception as exc:  # the driver's errors: down, refused password, no database
        raise StoreUnavailable(
            f"{where} cannot be asked whether it is empty: {type(exc).__name__}: {exc}"
        ) from exc
    if nodes:
        raise DatabaseNotEmpty(
            f"refusing the first load: database {database!r} of {where} holds {nodes:,} "
            "node(s), and `load --initial` replaces a database; load into it with "
            "`credgraph load` (without --initial), or empty it first"
        )


def stage(
    paths: Sequence[Path],
    fmt: str | None,
    key: bytes,
    writer: RejectWriter,
    batch_size: int,
    directory: Path,
) -> tuple[LoadSummary, ImportFiles, float, float]:
    """Parse and load into a staging embedded store, then export it as neo4j-admin files.
    Returns the load summary, the files and the seconds of both steps."""
    with tempfile.TemporaryDirectory(prefix="credgraph-staging-") as tmp:
        started = time.perf_counter()
        staging = _staging_store(Path(tmp))
        result = Loader(staging, key, writer, batch_size=batch_size).load(paths, fmt)
        parsed = time.perf_counter()
        files = export_items(staging.iter_items(), directory)
        if getattr(EmbeddedStore, "in_memory", None) is not None:
            staging.close()
        # else not closed: close() would snapshot the whole graph (seconds) into a folder
        # about to be deleted; the lock and journal handles go with the object
        del staging
        exported = time.perf_counter()
    return result, files, parsed - started, exported - parsed


def _staging_store(tmp: Path) -> EmbeddedStore:
    """The staging store: in memory where the embedded store offers it, else in ``tmp``
    without fsync or compaction (the staging graph is thrown away)."""
    in_memory = getattr(EmbeddedStore, "in_memory", None)
    if in_memory is not None:
        store: EmbeddedStore = in_memory()
        return store
    return EmbeddedStore(tmp, fsync=False, compact_bytes=1 << 62)


def load_initial(
    paths: Sequence[Path],
    fmt: str | None,
    writer: RejectWriter,
    *,
    settings: Settings,
    batch_size: int,
    instance: str | None,
    write_files: Path | None,
    files_dir: Path,
) -> InitialLoadSummary:
    """``load --initial`` into a scripts/neo4j instance, or only write the files."""
    if (instance is None) == (write_files is None):
        raise BulkImportError(
            "--initial needs either --neo4j-instance NAME (a scripts/neo4j server) or "
            "--write-files DIR (write the neo4j-admin files and print how to import them)"
        )
    if instance is not None:
        return _into_instance(paths, fmt, writer, settings, batch_size, instance, files_dir)
    assert write_files is not None
    return _files_only(paths, fmt, writer, settings, batch_size, write_files)


def _into_instance(
    paths: Sequence[Path],
    fmt: str | None,
    writer: RejectWriter,
    settings: Settings,
    batch_size: int,
    name: str,
    files_dir: Path,
) -> InitialLoadSummary:
    files_dir = files_dir.resolve()  # neo4j-admin runs in the server's home, not here
    inst = LocalInstance(name)
    creds = inst.credentials()
    lib, java = inst.lib(), java_bin()
    auth = (creds["user"], creds["password"])
    database = creds.get("database", "neo4j")
    where = f"Neo4j instance {name!r} ({creds['uri']})"
    if inst.pid() is None:
        raise StoreUnavailable(
            f"{where} is not running: start it (scripts/neo4j start --name {name}) so that "
            "it can be checked empty"
        )
    check_empty(creds["uri"], auth, database, where)
    memory = inst.memory()
    result, files, parse_s, export_s = stage(
        paths, fmt, settings.hash_key(), writer, batch_size, files_dir
    )
    seconds = StageSeconds(parse_stage=parse_s, export=export_s)
    check_empty(creds["uri"], auth, database, where)  # nobody wrote while we parsed
    seconds.stop = inst.script("stop")
    command = admin_command(java, lib, files, database)
    try:
        seconds.neo4j_admin_import = run_import(
            command, inst.home, inst.home / "conf", files.directory / "import.log"
        )
    except BulkImportError as exc:
        raise BulkImportError(
            f"{exc}; the database was empty and neo4j-admin left it unusable: to start "
            f"afresh, scripts/neo4j stop --name {name}, delete {inst.home}/data/databases/"
            f"{database} and {inst.home}/data/transactions/{database}, start it again"
        ) from exc
    finally:
        seconds.start = inst.script("start", *memory)
    store = Neo4jStore(creds["uri"], auth, database=database)
    try:
        started = time.perf_counter()
        store.init_schema()
        seconds.init_schema = time.perf_counter() - started
    finally:
        store.close()
    shutil.rmtree(files.directory, ignore_errors=True)
    return _summary(result, files, seconds, mode="instance", instance=name, database=database)


def _files_only(
    paths: Sequence[Path],
    fmt: str | None,
    writer: RejectWriter,
    settings: Settings,
    batch_size: int,
    directory: Path,
) -> InitialLoadSummary:
    if settings.neo4j_uri:  # a configured server is checked; the import will replace it
        password = settings.neo4j_password.get_secret_value() if settings.neo4j_password else None
        auth = (settings.neo4j_user, password) if password is not None else None
        check_empty(settings.neo4j_uri, auth, settings.neo4j_database, "the configured Neo4j")
    if directory.exists() and any(directory.iterdir()):
        raise BulkImportError(f"--write-files {directory}: the folder is not empty")
    result, files, parse_s, export_s = stage(
        paths, fmt, settings.hash_key(), writer, batch_size, directory
    )
    seconds = StageSeconds(parse_stage=parse_s, export=export_s)
    summary = _summary(result, files, seconds, mode="files", database=settings.neo4j_database)
    summary.initial.commands = docker_commands(files, settings.neo4j_database)
    return summary


def docker_commands(files: ImportFiles, database: str) -> list[str]:
    """How a docker-compose user imports the files (the official image's neo4j-admin)."""
    admin = " ".join(
        shlex.quote(a) for a in files.admin_arguments(database, directory=CONTAINER_DIR)
    )
    folder = shlex.quote(str(files.directory.resolve()))
    return [
        "docker compose stop neo4j credgraph",
        f"docker compose run --rm --no-deps -v {folder}:{CONTAINER_DIR}:ro neo4j "
        f"neo4j-admin database import full {admin}",
        "docker compose up -d  # the credgraph service runs `credgraph db init` on start",
    ]


def _summary(
    result: LoadSummary,
    files: ImportFiles,
    seconds: StageSeconds,
    *,
    mode: str,
    database: str,
    instance: str | None = None,
) -> InitialLoadSummary:
    seconds.end_to_end = (
        seconds.parse_stage + seconds.export + seconds.neo4j_admin_import + seconds.init_schema
    )
    seconds.restart = seconds.stop + seconds.start
    seconds.total = seconds.end_to_end + seconds.restart
    for name, value in seconds.model_dump().items():
        setattr(seconds, name, round(value, 3))
    share = None
    if seconds.neo4j_admin_import and seconds.end_to_end:
        share = round(seconds.neo4j_admin_import / seconds.end_to_end, 3)
    data: dict[str, Any] = result.model_dump()
    data["backend"] = "neo4j"
    initial = InitialImport(
        mode=mode,
        instance=instance,
        database=database,
        files_dir=str(files.directory),
        nodes=files.node_count,
        relationships=files.relationship_count,
        bytes=files.bytes,
        multiline_files=[p.name for p in files.multiline],
        seconds=seconds,
        share_of_import_alone=share,
        rows_per_second_end_to_end=(
            round(result.totals.read / seconds.end_to_end, 1)
            if mode == "instance" and seconds.end_to_end
            else None
        ),
    )
    return InitialLoadSummary(**data, initial=initial)


def initial_text(summary: InitialLoadSummary) -> list[str]:
    """Lines for the text output of ``load --initial``."""
    info, s = summary.initial, summary.initial.seconds
    lines = [
        f"staged {info.nodes:,} nodes and {info.relationships:,} relationships "
        f"({info.bytes / 1e6:,.1f} MB of neo4j-admin files)",
        f"seconds: parse+stage {s.parse_stage:.1f}, export {s.export:.1f}"
        + (
            f", neo4j-admin import {s.neo4j_admin_import:.1f}, schema {s.init_schema:.1f} "
            f"(end to end {s.end_to_end:.1f}; stop+start {s.restart:.1f})"
            if info.mode == "instance"
            else ""
        ),
    ]
    if info.share_of_import_alone is not None:
        lines.append(
            f"end to end at {info.share_of_import_alone:.0%} of neo4j-admin import's speed "
            "on the same files"
        )
    if info.mode == "instance":
        lines.append(f"imported into Neo4j instance {info.instance!r}; schema applied")
    else:
        lines.append(f"files written to {info.files_dir}; to import them (docker compose):")
        lines += [f"  {c}" for c in info.commands]
    return lines
