"""HTTP speed of approval checks: ``GET /v1/check`` against a real ``credgraph serve`` on
Neo4j (1 and 2 workers) and on the embedded store, beside the same checks called in process
(the machine's ceiling for the work) and ``/healthz`` over the same HTTP stack (its own
ceiling), with the CPU each party used while the load ran. Opt-in, never part of CI.

    .venv/bin/python bench/http.py                                   # 100k entities, ~10 min
    .venv/bin/python bench/http.py --entities 10000 --seconds 3      # a quick look
    .venv/bin/python bench/http.py --entities 1000000 --keep         # the 1M county, loaded

One run: a generated county (cached in .cache/bench/) in the Neo4j instance ``bench``
(127.0.0.1:7689, emptied first unless ``--keep`` finds it loaded) and in a fresh embedded
store; the subjects of bench/check.py (seeded; half next to a listed entity; matters cycle);
then for each store, checks from 16 and 64 threads in this process, and for each service
configuration, ``/healthz`` and checks at 16 and 64 keep-alive clients, each for a fixed
number of seconds. The load generator is ``wrk`` when installed (Debian: ``apt-get install
wrk``), else an asyncio client in its own process (``--client asyncio`` forces it). Levers:
the same service under ``uvicorn`` without the access log, and with httptools and uvloop when
they import (``--lever-path DIR`` adds a folder holding them, for those runs only).
``--py-spy PATH`` adds a profile of a 1-worker service under checks (py-spy, GIL holders),
summed by part of the request's way. ``--embedded-only`` leaves Neo4j out. Everything binds
127.0.0.1 and stops by itself. Prints one JSON line of figures.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]

import argparse  # noqa: E402
import asyncio  # noqa: E402
import ctypes  # noqa: E402
import gc  # noqa: E402
import http.client  # noqa: E402  (the standard library's: see bench/http.py)
import itertools  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import random  # noqa: E402
import resource  # noqa: E402
import shutil  # noqa: E402
import signal  # noqa: E402
import socket  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
from collections.abc import Iterator  # noqa: E402
from contextlib import contextmanager, suppress  # noqa: E402
from typing import Any  # noqa: E402
from urllib.parse import quote  # noqa: E402

from common import BENCH_HOME, ROOT, load_into, neo4j_county, subjects  # noqa: E402
from load import KEY, generate, neo4j  # noqa: E402

from api.keys import KeyRing  # noqa: E402
from graph.measures import Matter, load_catalogue  # noqa: E402
from graph.store.embedded.store import EmbeddedStore  # noqa: E402
from graph.store.protocol import GraphStore  # noqa: E402
from graph.vocabulary import Label  # noqa: E402
from queries.check import check  # noqa: E402
from queries.subject import subject_id  # noqa: E402

HOST = "127.0.0.1"
TICK = os.sysconf("SC_CLK_TCK")
PURPOSE = "bench"
TARGET = {"checks_per_second": 1000, "clients": 16, "p99_ms": 50, "store": "neo4j"}

WRK_SCRIPT = r"""
local reqs, n, i = {}, 0, 0
function init(args)
  for line in io.lines(args[1]) do
    n = n + 1
    reqs[n] = wrk.format(nil, line)
  end
end
function request()
  i = i % n + 1
  return reqs[i]
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '\n{"requests":%d,"duration_us":%d,"connect":%d,"read":%d,"write":%d,"status":%d,' ..
    '"timeout":%d,"p50_us":%d,"p99_us":%d,"max_us":%d}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(99), latency.max))
end
"""


# -- CPU accounting from /proc --------------------------------------------------------------
def cpu_seconds(pid: int) -> float | None:
    """utime + stime of one process, or None when it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return None
    return (int(fields[11]) + int(fields[12])) / TICK


def process_tree(root: int) -> list[int]:
    """``root`` and every process below it."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (FileNotFoundError, ProcessLookupError, IndexError):
            continue
        children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found


def machine_busy() -> float:
    """CPU seconds all cores spent not idle since boot (/proc/stat)."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return (sum(values[:8]) - values[3] - values[4]) / TICK


class CpuWindow:
    """CPU seconds used by the service's processes, the Neo4j JVM, the load generator (reaped
    children of this process), this process, and everything else, between start and stop."""

    def __init__(self, service: list[int], jvm: int | None) -> None:
        self.service = service
        self.jvm = jvm

    def __enter__(self) -> CpuWindow:
        self._before = self._sample()
        return self

    def __exit__(self, *exc: object) -> None:
        self.figures = self._figures(self._before, self._sample())

    def _sample(self) -> dict[str, Any]:
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        return {
            "wall": time.perf_counter(),
            "service": {pid: cpu_seconds(pid) for pid in self.service},
            "jvm": cpu_seconds(self.jvm) if self.jvm else None,
            "loadgen": children.ru_utime + children.ru_stime,
            "self": time.process_time(),
            "machine": machine_busy(),
        }

    @staticmethod
    def _figures(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
        wall = b["wall"] - a["wall"]
        per = [
            round(b["service"][p] - a["service"][p], 2)
            for p in a["service"]
            if a["service"][p] is not None and b["service"].get(p) is not None
        ]
        jvm = b["jvm"] - a["jvm"] if a["jvm"] is not None and b["jvm"] is not None else 0.0
        parts = {
            "service_s": sum(per),
            "neo4j_s": jvm,
            "loadgen_s": b["loadgen"] - a["loadgen"],
            "bench_process_s": b["self"] - a["self"],
        }
        busy = b["machine"] - a["machine"]
        figures = {k: round(v, 2) for k, v in parts.items()}
        figures["other_s"] = round(max(busy - sum(parts.values()), 0.0), 2)
        figures["machine_busy_s"] = round(busy, 2)
        figures["wall_s"] = round(wall, 2)
        figures["service_per_process_s"] = [x for x in per if x > 0.05]
        return figures


# -- the service ------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


class Service:
    """A ``credgraph serve`` (or ``uvicorn``) subprocess in its own process group."""

    def __init__(self, argv: list[str], env: dict[str, str], log: Path) -> None:
        self.argv = argv
        self.log = log
        with log.open("ab") as out:
            self.proc = subprocess.Popen(
                argv,
                env=env,
                cwd=ROOT,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.port = int(argv[argv.index("--port") + 1])
        self.started_s = 0.0

    def get(self, path: str, key: str | None = None) -> tuple[int, bytes]:
        conn = http.client.HTTPConnection(HOST, self.port, timeout=30)
        try:
            conn.request("GET", path, headers={"Authorization": f"Bearer {key}"} if key else {})
            response = conn.getresponse()
            return response.status, response.read()
        finally:
            conn.close()

    def wait_ready(self, timeout: float) -> float:
        """Seconds until /readyz answers 200 (the store opened, schema checked)."""
        started = time.perf_counter()
        while time.perf_counter() - started < timeout:
            if self.proc.poll() is not None:
                tail = self.log.read_text(errors="replace")[-2000:]
                raise RuntimeError(f"service exited ({self.proc.returncode}):\n{tail}")
            try:
                if self.get("/readyz")[0] == 200:
                    return time.perf_counter() - started
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"service not ready after {timeout} s: {self.argv}")

    def pids(self) -> list[int]:
        return process_tree(self.proc.pid)

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)


@contextmanager
def running(argv: list[str], env: dict[str, str], log: Path, ready_s: float) -> Iterator[Service]:
    service = Service(argv, env, log)
    try:
        service.started_s = service.wait_ready(ready_s)
        yield service
    finally:
        service.stop()


# -- load generators --------------------------------------------------------------------------
def run_wrk(port: int, paths: Path, key: str, clients: int, seconds: float) -> dict[str, Any]:
    script = paths.parent / "bench.lua"
    if not script.exists():
        script.write_text(WRK_SCRIPT)
    argv = [
        "wrk", "-t1", f"-c{clients}", f"-d{max(round(seconds), 1)}s", "--timeout", "10s",
        "-H", f"Authorization: Bearer {key}", "-s", str(script), f"http://{HOST}:{port}/",
        "--", str(paths),
    ]  # fmt: skip
    out = subprocess.run(
        argv, capture_output=True, text=True, timeout=seconds + 60, check=True
    ).stdout
    raw = json.loads([line for line in out.splitlines() if line.startswith("{")][-1])
    errors = sum(raw[k] for k in ("connect", "read", "write", "status", "timeout"))
    return {
        "requests": raw["requests"],
        "per_second": round(raw["requests"] / (raw["duration_us"] / 1e6), 1),
        "p50_ms": round(raw["p50_us"] / 1000, 2),
        "p99_ms": round(raw["p99_us"] / 1000, 2),
        "max_ms": round(raw["max_us"] / 1000, 2),
        "errors": errors,
    }


def run_asyncio(port: int, paths: Path, key: str, clients: int, seconds: float) -> dict[str, Any]:
    argv = [
        sys.executable,
        __file__,
        "--loadgen",
        str(port),
        str(paths),
        str(clients),
        str(seconds),
    ]
    out = subprocess.run(
        argv, capture_output=True, text=True, timeout=seconds + 60, check=True,
        env={**os.environ, "BENCH_KEY": key},
    ).stdout  # fmt: skip
    result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    return result


def loadgen_child(port: int, paths: Path, clients: int, seconds: float) -> None:
    """The asyncio client: ``clients`` keep-alive HTTP/1.1 connections, each sending the next
    request as soon as the last answer is read, until ``seconds`` have passed."""
    key = os.environ["BENCH_KEY"]
    head = f"Host: {HOST}:{port}\r\nAuthorization: Bearer {key}\r\n\r\n"
    requests = [
        f"GET {line} HTTP/1.1\r\n{head}".encode() for line in paths.read_text().splitlines()
    ]
    counter = itertools.count()
    timings: list[float] = []
    errors = 0

    async def connection(deadline: float) -> None:
        nonlocal errors
        reader, writer = await asyncio.open_connection(HOST, port)
        clock = time.perf_counter
        while clock() < deadline:
            request = requests[next(counter) % len(requests)]
            started = clock()
            writer.write(request)
            header = await reader.readuntil(b"\r\n\r\n")
            at = header.lower().find(b"content-length:")
            length = int(header[at + 15 : header.index(b"\r\n", at)]) if at >= 0 else 0
            await reader.readexactly(length)
            timings.append(clock() - started)
            errors += int(header[9:12]) >= 400
        writer.close()

    async def main() -> float:
        started = time.perf_counter()
        await asyncio.gather(*(connection(started + seconds) for _ in range(clients)))
        return time.perf_counter() - started

    elapsed = asyncio.run(main())
    timings.sort()
    print(json.dumps(latency_figures(timings, elapsed) | {"errors": errors}))


def per_request(result: dict[str, Any], cpu: dict[str, Any]) -> dict[str, Any]:
    """CPU milliseconds per request of each party (less sensitive to a busy machine)."""
    n = max(result["requests"], 1)
    parts = ("service", "neo4j", "loadgen", "bench_process")
    return {p: round(1000 * cpu[f"{p}_s"] / n, 3) for p in parts if cpu.get(f"{p}_s")}


def latency_figures(timings: list[float], elapsed: float) -> dict[str, Any]:
    """Count, rate, p50/p99/max in ms of sorted ``timings`` (seconds) over ``elapsed``."""
    return {
        "requests": len(timings),
        "per_second": round(len(timings) / elapsed, 1),
        "p50_ms": round(statistics.median(timings) * 1000, 2),
        "p99_ms": round(timings[int(0.99 * (len(timings) - 1))] * 1000, 2),
        "max_ms": round(timings[-1] * 1000, 2),
    }


# -- direct, in process ----------------------------------------------------------------------
def direct(
    store: GraphStore,
    ids: list[str],
    clients: int,
    seconds: float,
    jvm: int | None,
    route_key: bytes | None = None,
) -> dict[str, Any]:
    """Checks from ``clients`` threads for ``seconds``, as bench/check.py calls them; with
    ``route_key`` each subject is first resolved by ``subject_id`` as the HTTP route does."""
    catalogue = load_catalogue()
    matters = list(Matter)
    counter = itertools.count()
    timings: list[list[float]] = [[] for _ in range(clients)]
    deadline = time.perf_counter() + seconds

    def work(out: list[float]) -> None:
        clock = time.perf_counter
        while (started := clock()) < deadline:
            i = next(counter)
            node = ids[i % len(ids)]
            if route_key is not None:
                node = subject_id(store, node, route_key)
            check(store, catalogue, node, matters[i % len(matters)], as_of=None)
            out.append(clock() - started)

    threads = [threading.Thread(target=work, args=(t,)) for t in timings]
    with CpuWindow([], jvm) as cpu:
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
    flat = sorted(itertools.chain.from_iterable(timings))
    figures = latency_figures(flat, elapsed) | {"clients": clients}
    cpu.figures.pop("service_per_process_s")
    return figures | {"cpu": cpu.figures, "cpu_ms_per_request": per_request(figures, cpu.figures)}


def direct_suite(
    store: GraphStore, ids: list[str], warm: list[str], args: argparse.Namespace, jvm: int | None
) -> dict[str, Any]:
    """Warm-up, then checks at each concurrency, then the route's work at the first one."""
    catalogue = load_catalogue()
    matters = list(Matter)
    for i, node in enumerate(warm):
        check(store, catalogue, node, matters[i % len(matters)], as_of=None)
    figures: dict[str, Any] = {}
    for clients in args.clients:
        figures[f"checks_{clients}"] = direct(store, ids, clients, args.seconds, jvm)
    first = args.clients[0]
    figures[f"route_work_{first}"] = direct(store, ids, first, args.seconds, jvm, KEY)
    return figures


def release_memory() -> None:
    """Give freed heap back to the system (glibc), so two copies of a 1M graph do not meet."""
    with suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def verdicts(store: GraphStore, ids: list[str]) -> list[str]:
    catalogue = load_catalogue()
    matters = list(Matter)
    return [
        str(check(store, catalogue, node, matters[i % len(matters)], as_of=None).verdict)
        for i, node in enumerate(ids)
    ]


def check_path(node: str, i: int) -> str:
    matter = list(Matter)[i % len(Matter)]
    return f"/v1/check?subject={quote(node, safe='')}&matter={matter}&purpose={PURPOSE}"


def search_queries(store: EmbeddedStore, count: int, seed: int) -> list[str]:
    """Name fragments, whole names and codes of organisations, drawn from the embedded graph."""
    rng = random.Random(seed)
    orgs = sorted(
        (props["id"], props["name"])
        for kind, props in store.iter_items()
        if kind == "node" and props.get("label") == str(Label.ENTERPRISE) and props.get("name")
    )
    picked = rng.sample(orgs, min(count, len(orgs)))
    queries = []
    for i, (node, name) in enumerate(picked):
        if i % 3 == 0 and len(name) > 4:
            start = rng.randrange(0, len(name) - 3)
            queries.append(name[start : start + 4])
        else:
            queries.append(name if i % 3 == 1 else node)
    return queries


# -- one service configuration ----------------------------------------------------------------
def measure_service(
    name: str,
    argv: list[str],
    env: dict[str, str],
    work: Path,
    keys: dict[str, str],
    args: argparse.Namespace,
    jvm: int | None,
    clients: list[int],
    extra: dict[str, Any],
) -> dict[str, Any]:
    loadgen = run_wrk if args.client == "wrk" else run_asyncio
    figures: dict[str, Any] = {"command": shown(argv)} | extra
    ready = 900.0 if "CREDGRAPH_NEO4J_URI" not in env else 120.0
    with running(argv, env, work / f"{name}.log", ready) as service:
        figures["ready_s"] = round(service.started_s, 1)
        pids = service.pids()
        figures["processes"] = len(pids)
        loadgen(service.port, work / "warm.txt", keys["approver"], 16, args.warm_seconds)
        loadgen(service.port, work / "healthz.txt", keys["approver"], 16, 1)
        for kind, paths in (("healthz", "healthz.txt"), ("checks", "checks.txt")):
            for n in clients:
                with CpuWindow(pids, jvm) as cpu:
                    result = loadgen(service.port, work / paths, keys["approver"], n, args.seconds)
                figures[f"{kind}_{n}"] = result | {"clients": n, "cpu": cpu.figures}
                figures[f"{kind}_{n}"]["cpu_ms_per_request"] = per_request(result, cpu.figures)
        if args.client == "wrk" and name == "neo4j-w1":  # what the fallback client would cost
            n = clients[0]
            with CpuWindow(pids, jvm) as cpu:
                result = run_asyncio(service.port, work / "healthz.txt", keys["approver"], n, 5)
            figures[f"healthz_{n}_asyncio_client"] = result | {
                "clients": n,
                "cpu": cpu.figures,
                "cpu_ms_per_request": per_request(result, cpu.figures),
            }
        if args.verify:
            figures["verdicts_match"] = compare_verdicts(service, keys["approver"], args)
        if args.search_queries and (ROOT / "queries" / "search.py").exists():
            figures["search"] = search_latency(service, keys["investigator"], args)
    return figures


#: Parts of a request's way: a sample goes to the first part a frame of its stack names ...
PROFILE_PARTS = [
    ("audit line and metrics (Observer._observe)", ("_observe (api/audit.py",)),
    ("role masking (auth._present: orjson + policy.present)", ("_present (api/auth.py",)),
    ("subject_id: its store read and Python", ("subject_id (queries/subject.py",)),
    ("check: Neo4j driver", ("neo4j/",)),
    ("check: Python (queries, graph, models)", ("get_check (api/routes/checks.py",)),
    ("response validation and JSON", ("serialize_response", "jsonable_encoder", "_compat/")),
    ("dependencies and parameters", ("solve_dependencies",)),
    ("key check and policy", ("authenticate (api/auth.py", "_subjects_and_purpose", "policy.py")),
    ("access log (logging)", ("logging/",)),
]
#: ... or else to the part its innermost frame belongs to.
PROFILE_LEAVES = [
    ("HTTP protocol (uvicorn, h11, httptools)", ("uvicorn/", "h11/", "httptools/")),
    ("routing and middleware (starlette, fastapi, api)", ("starlette/", "fastapi/", "api/")),
    ("thread handoff (anyio, threading)", ("anyio/", "threading.py", "concurrent/")),
    ("event loop (asyncio, uvloop)", ("asyncio/", "selectors.py", "uvloop/")),
]


HANDOFF = ("run_in_threadpool", "run_sync_in_worker_thread", "_report_result")
#: Shares that cut across the parts above (a sample may count in several).
ACROSS: dict[str, Any] = {
    "event-loop thread": lambda st: not st.startswith("Thread._bootstrap"),
    "endpoint in a worker thread (get_check)": lambda st: "get_check (" in st,
    "handing work to a thread and back": lambda st: any(h in st for h in HANDOFF),
    "of which for dependencies": lambda st: (
        "solve_dependencies" in st and any(h in st for h in HANDOFF)
    ),
}


def profile_checks(
    argv: list[str],
    env: dict[str, str],
    work: Path,
    keys: dict[str, str],
    args: argparse.Namespace,
    clients: int,
) -> dict[str, Any]:
    """py-spy (GIL holders only, 100 Hz) on the service while checks run: the share of
    samples per part of the request's way, and the functions most often on top."""
    loadgen = run_wrk if args.client == "wrk" else run_asyncio
    store = "neo4j" if "CREDGRAPH_NEO4J_URI" in env else "embedded"
    out = args.cache / f"http-profile-{store}-{args.entities}.txt"
    seconds = max(round(args.seconds), 5)
    with running(argv, env, work / "profile.log", 120.0) as service:
        loadgen(service.port, work / "warm.txt", keys["approver"], clients, args.warm_seconds)
        spy = subprocess.Popen(
            [args.py_spy, "record", "--pid", str(service.proc.pid), "--gil", "--rate", "100",
             "--format", "raw", "--duration", str(seconds + 2), "--output", str(out)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        time.sleep(1)  # py-spy attaches
        load = loadgen(service.port, work / "checks.txt", keys["approver"], clients, seconds)
        spy.wait(seconds + 60)
    return {
        "command": shown(argv),
        "store": store,
        "clients": clients,
        "checks_per_second_while_profiled": load["per_second"],
    } | summarise_profile(out)


def summarise_profile(out: Path) -> dict[str, Any]:
    """Shares of GIL samples per part of the way, and the functions most often on top."""
    parts: dict[str, int] = {}
    tops: dict[str, int] = {}
    across = dict.fromkeys(ACROSS, 0)
    total = 0
    for line in out.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        frames = stack.split(";")
        n = int(count)
        total += n
        for name, test in ACROSS.items():
            across[name] += n * test(stack)
        part = next(
            (name for name, pats in PROFILE_PARTS if any(p in f for f in frames for p in pats)),
            None,
        ) or next(
            (name for name, pats in PROFILE_LEAVES if any(p in frames[-1] for p in pats)), "other"
        )
        parts[part] = parts.get(part, 0) + n
        func, _, where = frames[-1].partition(" (")
        leaf = f"{func} ({where.rsplit('/', 1)[-1]}"
        tops[leaf] = tops.get(leaf, 0) + n
    if not total:
        return {"samples": 0, "stacks": str(out)}
    share = {k: round(100 * v / total, 1) for k, v in sorted(parts.items(), key=lambda kv: -kv[1])}
    top = sorted(tops.items(), key=lambda kv: -kv[1])[:12]
    return {
        "samples": total,
        "stacks": str(out),
        "percent_of_gil_samples": share,
        "top_functions_percent": {k: round(100 * v / total, 1) for k, v in top},
        "across_parts_percent": {k: round(100 * v / total, 1) for k, v in across.items()},
    }


def compare_verdicts(service: Service, key: str, args: argparse.Namespace) -> str:
    """How many of the first subjects get the same verdict over HTTP as in process."""
    same = 0
    for i, (node, expected) in enumerate(zip(args.ids, args.expected, strict=False)):
        status, body = service.get(check_path(node, i), key)
        same += status == 200 and json.loads(body).get("verdict") == expected
    return f"{same}/{len(args.expected)}"


def search_latency(service: Service, key: str, args: argparse.Namespace) -> dict[str, Any]:
    """GET /v1/search one query at a time (investigator key): p50/p95."""
    paths = [f"/v1/search?q={quote(q, safe='')}&purpose={PURPOSE}" for q in args.search_queries]
    status, _ = service.get(paths[0], key)
    if status != 200:
        return {"skipped": f"/v1/search answered {status}"}
    timings, found = [], 0
    conn = http.client.HTTPConnection(HOST, service.port, timeout=30)
    try:
        for i, path in enumerate(paths[:5] + paths):  # five warm-up queries
            started = time.perf_counter()
            conn.request("GET", path, headers={"Authorization": f"Bearer {key}"})
            response = conn.getresponse()
            body = response.read()
            timings.append(time.perf_counter() - started)
            document = json.loads(body) if response.status == 200 else {}
            found += i >= 5 and any(isinstance(v, list) and v for v in document.values())
    finally:
        conn.close()
    timings = sorted(timings[5:])
    return {
        "queries": len(timings),
        "with_results": found,
        "p50_ms": round(statistics.median(timings) * 1000, 2),
        "p95_ms": round(timings[int(0.95 * (len(timings) - 1))] * 1000, 2),
    }


def importable(env: dict[str, str], *modules: str) -> bool:
    code = "import " + ", ".join(modules)
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, check=False)
    return done.returncode == 0


def service_env(data_dir: Path, creds: dict[str, Any] | None) -> dict[str, str]:
    """This environment without CREDGRAPH_*, PYTHONPATH or a metrics dir, plus the store's."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("CREDGRAPH_") and k not in ("PYTHONPATH", "PROMETHEUS_MULTIPROC_DIR")
    }
    env["CREDGRAPH_DATA_DIR"] = str(data_dir)
    env["CREDGRAPH_ID_HASH_KEY"] = KEY.decode()  # the key the county was loaded with
    if creds is not None:
        env["CREDGRAPH_NEO4J_URI"] = creds["uri"]
        env["CREDGRAPH_NEO4J_USER"] = creds["user"]
        env["CREDGRAPH_NEO4J_PASSWORD"] = creds["password"]
    return env


def shown(argv: list[str]) -> str:
    """A service's command line as the figures show it (no path, no port)."""
    port = argv.index("--port")
    return " ".join([Path(argv[0]).name, *argv[1:port], *argv[port + 2 :]])


def serve_argv(workers: int) -> list[str]:
    credgraph = str(Path(sys.executable).parent / "credgraph")
    return [
        credgraph,
        "serve",
        "--host",
        HOST,
        "--port",
        str(free_port()),
        "--workers",
        str(workers),
    ]


def uvicorn_argv(workers: int, flags: list[str]) -> list[str]:
    """The app under uvicorn's own command line (what ``credgraph serve`` runs, plus flags)."""
    argv = [sys.executable, "-m", "uvicorn", "api.app:create_app", "--factory", "--host", HOST]
    return [*argv, "--port", str(free_port()), "--workers", str(workers), *flags]


def ratios(section: dict[str, Any], direct_figures: dict[str, Any], clients: list[int]) -> None:
    for n in clients:
        checks = section.get(f"checks_{n}")
        if not checks:
            continue
        checks["vs_direct"] = round(
            checks["per_second"] / direct_figures[f"checks_{n}"]["per_second"], 2
        )
        healthz = section.get(f"healthz_{n}")
        if healthz:
            checks["vs_healthz"] = round(checks["per_second"] / healthz["per_second"], 3)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--entities", type=int, default=100_000)
    parser.add_argument("--checks", type=int, default=1000, help="distinct subjects cycled")
    parser.add_argument("--warmup", type=int, default=200, help="other subjects checked first")
    parser.add_argument("--clients", default="16,64", help="concurrent clients (threads)")
    parser.add_argument("--seconds", type=float, default=10.0, help="per measurement")
    parser.add_argument("--warm-seconds", type=float, default=3.0, help="per service, first")
    parser.add_argument("--client", choices=("auto", "wrk", "asyncio"), default="auto")
    parser.add_argument("--no-levers", dest="levers", action="store_false")
    parser.add_argument("--lever-path", type=Path, help="PYTHONPATH for the lever runs only")
    parser.add_argument("--search", type=int, default=200, help="search queries (0: none)")
    parser.add_argument("--verify", type=int, default=50, help="verdicts compared over HTTP")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--cache", type=Path, default=ROOT / ".cache" / "bench")
    parser.add_argument("--keep", action="store_true", help="reuse the county Neo4j holds")
    parser.add_argument("--embedded-only", action="store_true", help="skip Neo4j")
    parser.add_argument("--pagecache", default="4g", help="the bench instance's page cache")
    parser.add_argument("--py-spy", help="py-spy executable: profile a 1-worker service")
    parser.add_argument("--loadgen", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.loadgen:
        port, paths, clients, seconds = args.loadgen
        loadgen_child(int(port), Path(paths), int(clients), float(seconds))
        return
    args.clients = [int(x) for x in args.clients.split(",")]
    if args.client == "auto":
        args.client = "wrk" if shutil.which("wrk") else "asyncio"
    args.load_average = [round(x, 2) for x in os.getloadavg()]
    creds, jvm = None, None
    if not args.embedded_only:
        creds = neo4j("start", "--heap", "2g", "--pagecache", args.pagecache)
        jvm = int((BENCH_HOME / "run" / "credgraph.pid").read_text())
    folder, _ = generate(args.entities, args.seed, args.cache)
    work = Path(tempfile.mkdtemp(prefix="credgraph-http-"))
    try:
        result = run(args, creds, jvm, folder, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(json.dumps(result, ensure_ascii=False))


def run(
    args: argparse.Namespace,
    creds: dict[str, Any] | None,
    jvm: int | None,
    folder: Path,
    work: Path,
) -> dict[str, Any]:
    data_dir = work / "data"
    embedded = EmbeddedStore(data_dir / "graph", fsync=False)
    embedded_load = load_into(embedded, folder)
    drawn = subjects(embedded, args.checks + args.warmup, args.seed)
    warm, ids = drawn[: args.warmup], drawn[args.warmup :]
    args.ids = ids[: args.verify]
    args.search_queries = search_queries(embedded, args.search, args.seed) if args.search else []
    direct = {"embedded": direct_suite(embedded, ids, warm, args, None)}
    args.expected = verdicts(embedded, args.ids)
    embedded.close()
    del embedded
    gc.collect()
    release_memory()  # the embedded service will hold its own copy of the graph
    neo4j_load, same = None, None
    if creds is not None:
        store, neo4j_load = neo4j_county(creds, folder, args.keep)
        direct["neo4j"] = direct_suite(store, ids, warm, args, jvm)
        same = verdicts(store, args.ids) == args.expected
        store.close()

    ring = KeyRing(data_dir / "keys.json")
    keys = {role: ring.create(f"bench-{role}", role) for role in ("approver", "investigator")}
    (work / "checks.txt").write_text("".join(check_path(n, i) + "\n" for i, n in enumerate(ids)))
    (work / "warm.txt").write_text("".join(check_path(n, i) + "\n" for i, n in enumerate(warm)))
    (work / "healthz.txt").write_text("/healthz\n")
    emb_env = service_env(data_dir, None)
    fast = importable(emb_env, "httptools") and importable(emb_env, "uvloop")
    plain = {"server": f"credgraph serve, as shipped ({'httptools' if fast else 'h11'} found)"}
    http_figures: dict[str, Any] = {}
    levers: dict[str, Any] = {}
    if creds is not None:
        neo_env = service_env(data_dir, creds)
        for workers in (1, 2):
            http_figures[f"neo4j_w{workers}"] = measure_service(
                f"neo4j-w{workers}", serve_argv(workers), neo_env, work, keys, args, jvm,
                args.clients, plain | {"workers": workers},
            )  # fmt: skip
            ratios(http_figures[f"neo4j_w{workers}"], direct["neo4j"], args.clients)
    http_figures["embedded_w1"] = measure_service(
        "embedded-w1", serve_argv(1), emb_env, work, keys, args, None, args.clients,
        plain | {"workers": 1},
    )  # fmt: skip
    ratios(http_figures["embedded_w1"], direct["embedded"], args.clients)
    if creds is not None and args.levers:
        levers = measure_levers(neo_env, work, keys, args, jvm, direct["neo4j"])

    profile = None
    if args.py_spy:
        env = emb_env if creds is None else neo_env
        profile = profile_checks(serve_argv(1), env, work, keys, args, args.clients[0])
    return {
        "bench": "http",
        "entities": args.entities,
        "code": code_version(),
        "client": args.client,
        "machine": {"cores": os.cpu_count(), "load_average_at_start": args.load_average},
        "seconds_per_measurement": args.seconds,
        "subjects": len(ids),
        "load_rows_per_second": {"embedded": embedded_load, "neo4j": neo4j_load},
        "same_verdicts_both_stores": same,
        "direct": direct,
        "http": http_figures,
        "levers": levers,
        "profile": profile,
        "target": TARGET | {"met": target_met(http_figures, levers)},
    }


#: Levers on the HTTP side, each against ``credgraph serve`` as shipped (h11, asyncio, no
#: access log): what the access log costs, and httptools with uvloop instead of h11 and asyncio.
LEVERS = {
    "access_log": ["--http", "h11", "--loop", "asyncio", "--access-log"],
    "httptools_uvloop": ["--http", "httptools", "--loop", "uvloop", "--no-access-log"],
}


def measure_levers(
    env: dict[str, str],
    work: Path,
    keys: dict[str, str],
    args: argparse.Namespace,
    jvm: int | None,
    direct_neo4j: dict[str, Any],
) -> dict[str, Any]:
    """The Neo4j service under ``uvicorn`` with each lever, at 1 and 2 workers, at the first
    concurrency. The event loop and HTTP parser are named explicitly: uvicorn's ``auto``
    would take httptools and uvloop whenever they import."""
    levers: dict[str, Any] = {}
    lever_env = dict(env)
    if args.lever_path:
        lever_env["PYTHONPATH"] = str(args.lever_path.resolve())
    fast_ok = importable(lever_env, "httptools", "uvloop")
    first = args.clients[:1]
    for workers in (1, 2):
        for name, flags in LEVERS.items():
            label = f"neo4j_w{workers}_{name}"
            if "httptools" in flags and not fast_ok:
                levers[label] = {"skipped": "httptools or uvloop not importable"}
                continue
            levers[label] = measure_service(
                label, uvicorn_argv(workers, flags), lever_env, work, keys, args, jvm, first,
                {"server": "uvicorn " + " ".join(flags), "workers": workers},
            )  # fmt: skip
            ratios(levers[label], direct_neo4j, first)
    return levers


def code_version() -> str:
    """The commit the service runs, with ``+changes`` when its code differs from it."""

    def git(*argv: str) -> str:
        done = subprocess.run(["git", *argv], cwd=ROOT, capture_output=True, text=True, check=False)
        return done.stdout.strip()

    head = git("rev-parse", "--short", "HEAD") or "unknown"
    changed = git("status", "--porcelain", "--", "api", "graph", "queries", "loaders")
    return head + ("+changes" if changed else "")


def target_met(http_figures: dict[str, Any], levers: dict[str, Any]) -> bool:
    """Whether any Neo4j configuration reached the target at 16 clients."""
    for name, section in [*http_figures.items(), *levers.items()]:
        checks = section.get("checks_16") or {}
        fast = checks.get("per_second", 0) >= TARGET["checks_per_second"]
        if name.startswith("neo4j") and fast and checks["p99_ms"] < TARGET["p99_ms"]:
            return True
    return False


if __name__ == "__main__":
    main()
