"""Risk clusters over HTTP (investigators only), the job's lock, alerts and their webhook,
and the in-service schedule."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api import policy
from api.alerts import Alert, Alerts, Webhook, alert_of
from api.app import create_app
from api.jobs import JobRunning, Schedule, parse_schedule, run_job, run_slot, scheduler
from api.keys import KeyRing, Role
from graph.errors import InvalidInput
from graph.settings import Settings
from graph.store.embedded.store import EmbeddedStore
from graph.store.protocol import GraphStore
from graph.vocabulary import Label
from queries.clusters.history import RunHistory
from queries.clusters.model import Change, ChangeKind, ClusterRun, Member, RiskStatus, RunDiff
from tests import factories
from tests.queries import scenarios as s
from tests.queries.test_cluster_history import cluster, make_run

SECRET = "webhook-secret-for-tests"
DAY = date(2026, 7, 2)
ROOT = Path(__file__).resolve().parents[2]
#: Parameters of the end-to-end runs, written out (not the shipped tuning, which may change):
#: one shared person links two subjects, one listed member makes a cluster.
PARAMS = """weights: {legal_role: 1.0, actual_controller: 1.0, equity: 1.0, shareholder: 1.0,
  phone: 1.0, address: 1.0}
hub_cap: 20
min_weight: 1.0
community_size: 50
penalty_days: 365
min_risky: 1
"""


def with_person(c: Any) -> Any:
    """``c`` with a person member (its name shows who sees names in full)."""
    person = Member(id=s.LEGAL_REP.id, label=Label.PERSON, name="周明", status=RiskStatus.LINKED)
    return c.model_copy(update={"members": [*c.members, person]})


@pytest.fixture
def world(tmp_path: Path) -> Iterator[tuple[TestClient, dict[str, str], RunHistory]]:
    store = EmbeddedStore(tmp_path / "graph")
    settings = Settings(data_dir=tmp_path, id_hash_key=factories.KEY.decode())
    ring = KeyRing(settings.keys_path)
    keys = {role.value: ring.create(f"k-{role.value}", role) for role in Role}
    history = RunHistory(settings.clusters_path)
    with TestClient(create_app(settings, store)) as client:
        yield client, keys, history
    store.close()


def auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def test_investigators_only_and_full_names_for_them(
    world: tuple[TestClient, dict[str, str], RunHistory],
) -> None:
    client, keys, history = world
    first, _ = history.save(make_run(1, with_person(cluster("a", "b")), cluster("x", "y")))
    cid = first.clusters[0].id
    urls = ["/v1/clusters", f"/v1/clusters/{cid}", "/v1/clusters/changes?since=2026-07-01"]
    for role, key in keys.items():
        for url in urls:
            status = client.get(url, headers=auth(key)).status_code
            assert status == (200 if role == "investigator" else 403), (role, url)
    page = client.get("/v1/clusters", headers=auth(keys["investigator"])).json()
    assert "周明" in json.dumps(page, ensure_ascii=False)
    # were the route opened to another role, the one policy would mask the person
    assert "周明" not in json.dumps(policy.present(Role.APPROVER, page), ensure_ascii=False)
    assert "周*" in json.dumps(policy.present(Role.APPROVER, page), ensure_ascii=False)


def test_pages_highest_score_first_and_stay_on_their_run(
    world: tuple[TestClient, dict[str, str], RunHistory],
) -> None:
    client, keys, history = world
    headers = auth(keys["investigator"])
    empty = client.get("/v1/clusters", headers=headers).json()
    assert empty["run_id"] is None and empty["items"] == [] and empty["total"] == 0
    scores = [2.0, 9.0, 4.0, 7.0, 1.0]
    history.save(make_run(1, *(cluster(f"m{i}", f"n{i}", score=v) for i, v in enumerate(scores))))
    first = client.get("/v1/clusters", params={"limit": 2}, headers=headers).json()
    assert [c["score"] for c in first["items"]] == [9.0, 7.0] and first["total"] == 5
    assert first["run_id"] == "run-1" and first["as_of"] == "2026-07-02"
    history.save(make_run(2, cluster("z1", "z2", score=99.0)))  # a newer run meanwhile
    params = {"limit": 2, "cursor": first["next_cursor"]}
    second = client.get("/v1/clusters", params=params, headers=headers).json()
    assert [c["score"] for c in second["items"]] == [4.0, 2.0] and second["run_id"] == "run-1"
    params["cursor"] = second["next_cursor"]
    last = client.get("/v1/clusters", params=params, headers=headers).json()
    assert [c["score"] for c in last["items"]] == [1.0] and last["next_cursor"] is None
    latest = client.get("/v1/clusters", headers=headers).json()
    assert latest["run_id"] == "run-2" and [c["score"] for c in latest["items"]] == [99.0]
    bad = client.get("/v1/clusters", params={"cursor": "not-a-cursor"}, headers=headers)
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "cursor"


def test_one_cluster_its_history_and_404(
    world: tuple[TestClient, dict[str, str], RunHistory],
) -> None:
    client, keys, history = world
    headers = auth(keys["investigator"])
    first, _ = history.save(make_run(1, cluster("a", "b", "c"), cluster("x", "y")))
    history.save(make_run(2, cluster("a", "b", "c", "d"), cluster("x", "y")))
    cid = next(c.id for c in first.clusters if c.members[0].id == "a")
    found = client.get(f"/v1/clusters/{cid}", headers=headers).json()
    assert found["current"] and found["run_id"] == "run-2"
    assert [m["id"] for m in found["cluster"]["members"]] == ["a", "b", "c", "d"]
    assert [(e["run_id"], e["change"]["kind"]) for e in found["history"]] == [
        ("run-1", "new"),
        ("run-2", "grown"),
    ]
    assert found["history"][1]["change"]["added"] == ["d"]
    missing = client.get("/v1/clusters/cl-999999", headers=headers)
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"


def test_changes_since_a_date_or_a_moment(
    world: tuple[TestClient, dict[str, str], RunHistory],
) -> None:
    client, keys, history = world
    headers = auth(keys["investigator"])
    history.save(make_run(1, cluster("a", "b"), cluster("x", "y")))
    history.save(make_run(2, cluster("a", "b", "x", "y", "n")))  # merged
    history.save(make_run(3, cluster("a", "b", "x", "y", "n")))  # no change
    url = "/v1/clusters/changes"
    log = client.get(url, params={"since": "2026-07-03"}, headers=headers).json()
    assert [r["run_id"] for r in log["runs"]] == ["run-2", "run-3"]
    assert [c["kind"] for c in log["runs"][0]["changes"]] == ["merged"]
    assert log["runs"][1]["changes"] == []
    after = client.get(url, params={"since": "2026-07-03T10:40:00+08:00"}, headers=headers)
    assert [r["run_id"] for r in after.json()["runs"]] == ["run-3"]  # run 2 ended 02:33 UTC
    bad = client.get(url, params={"since": "yesterday"}, headers=headers)
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "since"


class Receiver(BaseHTTPRequestHandler):
    """A webhook receiver answering the statuses queued in ``server.plan`` (then 200)."""

    server: Any

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.release.wait(10)  # held until the test lets the receiver answer
        status = self.server.plan.pop(0) if self.server.plan else 200
        self.server.seen.append((dict(self.headers), body, status, time.monotonic()))
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def receiver() -> Iterator[ThreadingHTTPServer]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    server.seen, server.plan, server.release = [], [], threading.Event()  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.release.set()  # type: ignore[attr-defined]
    server.shutdown()
    server.server_close()


def hooked(tmp_path: Path, server: ThreadingHTTPServer, **extra: Any) -> Settings:
    host, port = server.server_address[:2]
    return Settings(
        data_dir=tmp_path,
        cluster_webhook_url=f"http://{host!s}:{port}/hook",
        cluster_webhook_secret=SECRET,
        cluster_webhook_backoff=0.05,
        **extra,
    )


def finder_of(*runs: ClusterRun) -> Any:
    """A finder handing out ``runs`` in turn (the job's seam; the real one: see below)."""
    queue = list(runs)

    def find(store: GraphStore, as_of: date, progress: Any) -> ClusterRun:
        return queue.pop(0)

    return find


def test_the_webhook_is_signed_retried_and_never_holds_up_the_job(
    tmp_path: Path, receiver: Any
) -> None:
    settings = hooked(tmp_path, receiver)
    receiver.plan[:] = [500, 503]  # fails twice, then accepts
    alerts = Alerts(settings)
    find = finder_of(make_run(1, cluster("a", "b")))
    saved, diff = run_job(None, settings, DAY, alerts=alerts, finder=find)  # type: ignore[arg-type]
    returned = time.monotonic()
    assert [c.kind for c in diff.changes] == [ChangeKind.NEW]
    receiver.release.set()  # the receiver answers only now: the job did not wait for it
    assert alerts.flush(30)
    assert len(receiver.seen) == 3 and receiver.plan == []
    [(*_, accepted_at)] = [x for x in receiver.seen if x[2] == 200]
    assert accepted_at > returned  # the job had returned before the webhook succeeded
    assert [x[2] for x in receiver.seen] == [500, 503, 200]
    deliveries = set()
    for headers, body, *_ in receiver.seen:
        stamp = headers["X-Credgraph-Timestamp"]
        expected = hmac.new(SECRET.encode(), f"{stamp}.".encode() + body, hashlib.sha256)
        assert headers["X-Credgraph-Signature"] == f"sha256={expected.hexdigest()}"
        deliveries.add(headers["X-Credgraph-Delivery"])
        alert = Alert.model_validate_json(body)
        assert alert.run_id == saved.run_id and alert.changes == diff.changes
    assert len(deliveries) == 1  # the same delivery id on every attempt
    [line] = settings.alerts_path.read_text().splitlines()
    assert json.loads(line)["id"] in deliveries and json.loads(line)["counts"] == {"new": 1}
    assert not settings.dead_letter_path.exists()


def test_what_the_webhook_never_accepts_goes_to_the_dead_letter_file(
    tmp_path: Path, receiver: Any
) -> None:
    receiver.release.set()
    receiver.plan[:] = [500] * 10
    settings = hooked(tmp_path, receiver, cluster_webhook_attempts=3)
    alerts = Alerts(settings)
    run_job(None, settings, DAY, alerts=alerts, finder=finder_of(make_run(1, cluster("a", "b"))))  # type: ignore[arg-type]
    assert alerts.flush(30) and len(receiver.seen) == 3
    [failed] = [json.loads(x) for x in settings.dead_letter_path.read_text().splitlines()]
    assert (failed["attempts"], failed["error"]) == (3, "HTTP 500")
    assert failed["alert"]["changes"][0]["kind"] == "new"


def test_a_refusal_is_not_retried_and_a_silent_receiver_is(tmp_path: Path, receiver: Any) -> None:
    receiver.release.set()
    receiver.plan[:] = [400, 200]
    dead = tmp_path / "dead.jsonl"
    change = Change(kind=ChangeKind.NEW, cluster_id="cl-000001", added=["a"], score=1.0)
    alert = alert_of(RunDiff(run_id="r", previous_run_id=None, as_of=DAY, changes=[change]))
    url = hooked(tmp_path, receiver).cluster_webhook_url or ""
    assert not Webhook(url, b"k", dead, attempts=5, backoff=0.01).deliver(alert)
    assert len(receiver.seen) == 1  # 400: the receiver refused it, sending again changes nothing
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    assert not Webhook(f"http://127.0.0.1:{port}/", b"k", dead, attempts=2, backoff=0.01).deliver(
        alert
    )
    refused, silent = [json.loads(x) for x in dead.read_text().splitlines()]
    assert (refused["attempts"], refused["error"]) == (1, "HTTP 400")
    assert silent["attempts"] == 2 and "refused" in silent["error"].lower()
    assert silent["alert"]["id"] == alert.id


HOLD = """import sys
from pathlib import Path
from api.jobs import job_lock
with job_lock(Path(sys.argv[1])):
    print("held", flush=True)
    sys.stdin.read()
"""


def test_a_run_holding_the_lock_refuses_a_second(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    find = finder_of(make_run(1, cluster("a", "b")))
    holder = subprocess.Popen(  # another process (a cron run, another worker) is running
        [sys.executable, "-c", HOLD, str(settings.clusters_path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        with pytest.raises(JobRunning, match=f"in progress \\(pid {holder.pid},"):
            run_job(None, settings, DAY, finder=find)  # type: ignore[arg-type]
    finally:
        assert holder.stdin is not None
        holder.stdin.close()
        holder.wait(30)
    assert RunHistory(settings.clusters_path).latest() is None
    saved, _ = run_job(None, settings, DAY, finder=find)  # type: ignore[arg-type]
    assert RunHistory(settings.clusters_path).latest() == saved


def test_schedules_parse_and_one_slot_runs_once(tmp_path: Path) -> None:
    assert parse_schedule("02:30,14:00").times[1].hour == 14
    assert parse_schedule("90").every == timedelta(minutes=90)
    for bad in ("25:00", "2.30", "0", "daily"):
        with pytest.raises(InvalidInput):
            parse_schedule(bad)
    with pytest.raises(InvalidInput):
        create_app(Settings(data_dir=tmp_path, cluster_schedule="soon"))
    settings = Settings(data_dir=tmp_path)
    slot = datetime(2026, 7, 2, 2, 30, tzinfo=UTC)
    find = finder_of(make_run(1, cluster("a", "b")), make_run(2, cluster("a", "b")))
    assert run_slot(None, settings, slot, finder=find) is not None  # type: ignore[arg-type]
    assert run_slot(None, settings, slot, finder=find) is None  # type: ignore[arg-type]
    later = run_slot(None, settings, slot + timedelta(days=1), finder=find)  # type: ignore[arg-type]
    assert later is not None and later[0].run_id == "run-2"


def test_two_workers_schedulers_run_each_slot_once(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    start, base = time.monotonic(), datetime(2026, 7, 2, 2, 29, 59, 700_000, tzinfo=UTC)

    def now() -> datetime:
        return base + timedelta(seconds=time.monotonic() - start)

    calls: list[str] = []

    def find(store: GraphStore, as_of: date, progress: Any) -> ClusterRun:
        calls.append("run")
        time.sleep(0.2)
        return make_run(len(calls), cluster("a", "b"))

    async def workers() -> None:
        every = Schedule(every=timedelta(minutes=1))
        tasks = [
            asyncio.create_task(
                scheduler(None, settings, every, Alerts(settings), now=now, finder=find)
            )  # type: ignore[arg-type]
            for _ in range(2)
        ]
        for _ in range(100):
            await asyncio.sleep(0.05)
            if RunHistory(settings.clusters_path).list_runs():
                break
        await asyncio.sleep(0.5)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    asyncio.run(workers())
    assert calls == ["run"] and len(RunHistory(settings.clusters_path).list_runs()) == 1


def test_the_service_starts_the_schedule_only_when_configured(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path / "graph")
    try:
        with TestClient(create_app(Settings(data_dir=tmp_path), store)) as client:
            assert client.app.state.cluster_task is None  # type: ignore[attr-defined]
        app = create_app(Settings(data_dir=tmp_path, cluster_schedule="02:30"), store)
        with TestClient(app):
            task = app.state.cluster_task
            assert task is not None and not task.done()
        assert task.done()  # stopped with the service
    finally:
        store.close()


def test_the_job_end_to_end(store: GraphStore, tmp_path: Path) -> None:
    """The real finder on the scenario graph: a cluster, kept, the same id on the next run."""
    store.init_schema()
    factories.load(store, s.graph())
    weights = tmp_path / "weights.yaml"
    weights.write_text(PARAMS)
    settings = Settings(
        data_dir=tmp_path, id_hash_key=factories.KEY.decode(), cluster_weights=weights
    )
    first, diff = run_job(store, settings, date(2025, 9, 1))
    assert first.clusters and diff.previous_run_id is None
    assert {c.kind for c in diff.changes} == {ChangeKind.NEW}
    assert {c.cluster_id for c in diff.changes} == {c.id for c in first.clusters}
    [found] = [c for c in first.clusters if s.DEBTOR.id in {m.id for m in c.members}]
    second, again = run_job(store, settings, date(2025, 9, 1))
    assert again.changes == [] and again.previous_run_id == first.run_id
    assert [c.id for c in second.clusters] == [c.id for c in first.clusters]
    assert json.loads(settings.alerts_path.read_text())["run_id"] == first.run_id  # one alert
    with TestClient(create_app(settings, store)) as client:
        page = client.get("/v1/clusters").json()  # no keys: the local investigator
    assert page["run_id"] == second.run_id and found.id in {c["id"] for c in page["items"]}
