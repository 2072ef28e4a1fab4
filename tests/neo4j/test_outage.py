"""The real Neo4j goes down under a running service: it fails fast, stays alive, recovers.

A throwaway Neo4j instance of its own (``outage``, bolt port 7692; never the shared ``test``
one) is loaded with the scenarios graph and served by ``credgraph serve`` in a subprocess.
While Neo4j is up, questions answer 200. Killed, every question answers 503 within a few
seconds, with ``Retry-After``, the error shape and no internals, ``/healthz`` answers at once
even while questions are in flight, ``/readyz`` says 503. Started again (same data
directory), the same service answers 200 again without a restart. The time bounds are the
fail-fast property itself (a question must not hang on a dead server), not a benchmark.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx2
import pytest

from api.errors import RETRY_AFTER
from graph.store.neo4j.store import Neo4jStore
from tests import factories
from tests.conftest import ROOT, own_neo4j, scripts_neo4j
from tests.queries import scenarios as s

pytestmark = pytest.mark.neo4j

NAME, PORT = "outage", 7692
FAIL_FAST = 10.0  # seconds: a question to a dead store must be answered within this
HEALTH_FAST = 1.0  # seconds: /healthz never waits behind questions
RECOVERY = 30.0  # seconds after Neo4j is back until questions answer 200 again
INTERNALS = (  # what the service log may say of an outage, but never an answer (lower case)
    "bolt://",
    "127.0.0.1",
    str(PORT),
    "neo4j.exceptions",
    "traceback",
    "neo4j is not available",  # the store's own message, with the driver's detail
    "connect",
)
QUESTIONS = [  # each reads the store a different way
    f"/v1/entities/{s.DEBTOR.id}",  # one auto-commit read
    f"/v1/entities/{s.DEBTOR.id}/neighbours",  # an explicit read transaction
    f"/v1/check?subject={s.DEBTOR.id}&matter=bidding",  # many reads (subject, links, records)
    "/v1/stats",  # a read per label and relation type
]


SMALL = ("--heap", "512m", "--pagecache", "64m")  # a few nodes need no more


def neo4j_command(*args: str) -> list[str]:
    """``scripts/neo4j ARGS --name outage``."""
    return [sys.executable, str(ROOT / "scripts" / "neo4j"), *args, "--name", NAME]


def neo4j(*args: str, timeout: float = 240) -> subprocess.CompletedProcess[str]:
    return scripts_neo4j(NAME, *args, timeout=timeout)


@pytest.fixture
def instance() -> Iterator[dict[str, str]]:
    """The throwaway Neo4j, started and emptied; killed afterwards whatever happens."""
    with own_neo4j(NAME, PORT, SMALL, kill=True) as creds:
        yield creds


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture
def service(instance: dict[str, str], tmp_path: Path) -> Iterator[httpx2.Client]:
    """``credgraph serve`` on the instance (after ``credgraph db init``), and a client."""
    credgraph = str(Path(sys.executable).with_name("credgraph"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("CREDGRAPH_")}
    env.update(
        CREDGRAPH_NEO4J_URI=instance["uri"],
        CREDGRAPH_NEO4J_USER=instance["user"],
        CREDGRAPH_NEO4J_PASSWORD=instance["password"],
        CREDGRAPH_DATA_DIR=str(tmp_path),
        CREDGRAPH_ID_HASH_KEY=factories.KEY.decode(),
    )
    subprocess.run([credgraph, "db", "init"], env=env, check=True, timeout=120)
    store = Neo4jStore(instance["uri"], (instance["user"], instance["password"]))
    try:
        factories.load(store, s.graph())
    finally:
        store.close()
    port = free_port()
    log = (tmp_path / "serve.log").open("wb")
    proc = subprocess.Popen(
        [credgraph, "serve", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    client = httpx2.Client(base_url=f"http://127.0.0.1:{port}", timeout=60)
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, (tmp_path / "serve.log").read_text()
            try:
                if client.get("/healthz").status_code == 200:
                    break
            except httpx2.TransportError:
                pass
            assert time.monotonic() < deadline, "the service did not start"
            time.sleep(0.2)
        yield client
    finally:
        client.close()
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=15)
        log.close()


def timed(client: httpx2.Client, path: str) -> tuple[float, httpx2.Response]:
    started = time.monotonic()
    response = client.get(path)
    return time.monotonic() - started, response


def assert_unavailable(elapsed: float, response: httpx2.Response, path: str) -> None:
    """A fast 503 with Retry-After, the one error shape, and nothing of the internals."""
    assert response.status_code == 503, (path, response.status_code, response.text)
    assert elapsed < FAIL_FAST, (path, elapsed)
    assert int(response.headers["retry-after"]) > 0
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "field"}
    assert body["error"]["code"] == "store_unavailable"
    for secret in INTERNALS:
        assert secret not in response.text.lower(), (path, secret, response.text)


def test_neo4j_down_fails_fast_and_recovers_without_a_restart(
    service: httpx2.Client, tmp_path: Path
) -> None:
    client = service
    # (a) up (the other questions are asked cold after the restart: each takes seconds)
    for path in QUESTIONS[:2]:
        assert client.get(path).status_code == 200, path
    assert client.get("/readyz").json()["status"] == "ready"

    # (b) down: questions in flight at once, /healthz asked meanwhile
    assert neo4j("stop", "--kill", timeout=60).returncode == 0
    with ThreadPoolExecutor(len(QUESTIONS)) as pool:
        asked = [(path, pool.submit(timed, client, path)) for path in QUESTIONS * 3]
        health = [timed(client, "/healthz") for _ in range(5)]
        answers = [(path, future.result()) for path, future in asked]
    for path, (elapsed, response) in answers:
        assert_unavailable(elapsed, response, path)
    for elapsed, response in health:
        assert response.status_code == 200 and elapsed < HEALTH_FAST, elapsed
    elapsed, response = timed(client, "/readyz")
    assert_unavailable(elapsed, response, "/readyz")
    # past the fast-fail period the store is asked again: still a fast 503
    time.sleep(RETRY_AFTER + 0.5)
    for path in QUESTIONS:
        assert_unavailable(*timed(client, path), path)

    # (c) up again, same data directory, same service process
    log = tmp_path / "restart.log"
    with log.open("wb") as out:
        restart = subprocess.Popen(neo4j_command("start", *SMALL), stdout=out, stderr=out)
    statuses: list[int] = []
    try:
        while restart.poll() is None:  # while Neo4j boots: 503 (or 200 once up), never 500
            elapsed, response = timed(client, QUESTIONS[0])
            statuses.append(response.status_code)
            if response.status_code != 200:
                assert_unavailable(elapsed, response, QUESTIONS[0])
            time.sleep(0.5)
        assert restart.wait() == 0, log.read_text()
    finally:
        if restart.poll() is None:
            restart.kill()
    back = time.monotonic()
    recovered: dict[str, Any] = {}
    while len(recovered) < len(QUESTIONS) and time.monotonic() - back < RECOVERY:
        for path in QUESTIONS:
            if path not in recovered:
                response = client.get(path)
                if response.status_code == 200:
                    recovered[path] = response.json()
                else:
                    assert_unavailable(0.0, response, path)
        time.sleep(0.5)
    assert set(recovered) == set(QUESTIONS), f"not back within {RECOVERY} s: {statuses}"
    assert recovered[QUESTIONS[0]]["entity"]["name"] == s.DEBTOR.name  # the data survived
    assert client.get("/readyz").status_code == 200
