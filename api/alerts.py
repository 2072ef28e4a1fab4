"""Alerts on what changed between cluster runs: a JSON Lines file and a signed webhook.

Every run with changes makes one alert, appended to ``CREDGRAPH_CLUSTER_ALERTS``; with
``CREDGRAPH_CLUSTER_WEBHOOK_URL`` (and its secret) it is also POSTed there by a background
thread, so the job never waits for the receiver nor fails because of it. The body is signed:
``X-Credgraph-Signature: sha256=HEX`` where HEX is HMAC-SHA256(secret, TIMESTAMP + "." +
body) and TIMESTAMP the ``X-Credgraph-Timestamp`` header (Unix seconds, fresh on every
attempt). Connection errors, 429 and 5xx are retried with exponential back-off within a
bounded number of attempts and total time; an alert never accepted goes to the dead-letter
file (``alerts.failed.jsonl`` beside the alerts) with the last error. Alerts carry ids,
never names.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import queue
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel

from graph.settings import Settings
from queries.clusters.model import Change, ChangeKind, RunDiff

LOG = logging.getLogger("credgraph.clusters")
USER_AGENT = "credgraph-cluster-alerts/1"


class Alert(BaseModel):
    """What one run changed; the body POSTed to the webhook and one line of the alerts file."""

    id: str  # also the X-Credgraph-Delivery header: the same on every retry
    event: Literal["clusters.changed"] = "clusters.changed"
    at: datetime
    run_id: str
    previous_run_id: str | None
    as_of: date
    counts: dict[ChangeKind, int]
    changes: list[Change]


def alert_of(diff: RunDiff, at: datetime | None = None) -> Alert:
    """The alert for a run's changes."""
    counts: dict[ChangeKind, int] = {}
    for change in diff.changes:
        counts[change.kind] = counts.get(change.kind, 0) + 1
    return Alert(
        id=uuid.uuid4().hex,
        at=at or datetime.now(UTC),
        run_id=diff.run_id,
        previous_run_id=diff.previous_run_id,
        as_of=diff.as_of,
        counts=counts,
        changes=diff.changes,
    )


def sign(secret: bytes, timestamp: str, body: bytes) -> str:
    """The signature header's value for ``body`` sent at ``timestamp``.

    >>> sign(b"s3cret", "1767225600", b'{"a":1}')[:15]
    'sha256=7d4120fc'
    """
    digest = hmac.new(secret, timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def append_line(path: Path, document: dict[str, Any]) -> None:
    """Append one JSON line (one write, flushed to disk)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    line = (json.dumps(document, ensure_ascii=False, default=str) + "\n").encode()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o640)
    try:
        os.write(fd, line)
        os.fsync(fd)
    finally:
        os.close(fd)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer, not a place to POST the alert again (maybe as a GET)."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


class Webhook:
    """Delivers alerts to one URL from a background thread (see the module docstring)."""

    def __init__(
        self,
        url: str,
        secret: bytes,
        dead_letter: Path,
        *,
        attempts: int = 6,
        backoff: float = 1.0,
        deadline: float = 120.0,
        timeout: float = 10.0,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.url, self.secret, self.dead_letter = url, secret, dead_letter
        self.attempts, self.backoff, self.deadline, self.timeout = (
            attempts,
            backoff,
            deadline,
            timeout,
        )
        self._sleep, self._clock = sleep, clock
        self._queue: queue.Queue[Alert | None] = queue.Queue()
        self._pending = 0
        self._idle = threading.Condition()
        self._thread: threading.Thread | None = None
        self._opener = urllib.request.build_opener(_NoRedirect)

    def send(self, alert: Alert) -> None:
        """Queue ``alert``; returns at once."""
        with self._idle:
            self._pending += 1
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._work, name="credgraph-webhook", daemon=True
                )
                self._thread.start()
        self._queue.put(alert)

    def flush(self, timeout: float) -> bool:
        """Wait until every queued alert is delivered or given up; False on time-out."""
        with self._idle:
            return self._idle.wait_for(lambda: self._pending == 0, timeout)

    def close(self, timeout: float = 5.0) -> None:
        """Deliver what is queued (waiting at most ``timeout``), then stop the thread."""
        self.flush(timeout)
        self._queue.put(None)

    def _work(self) -> None:
        while True:
            alert = self._queue.get()
            if alert is None:
                return
            try:
                self.deliver(alert)
            except Exception:  # never let one alert stop the thread
                LOG.exception("webhook: delivering alert %s failed unexpectedly", alert.id)
            finally:
                with self._idle:
                    self._pending -= 1
                    self._idle.notify_all()

    def deliver(self, alert: Alert) -> bool:
        """POST ``alert`` until accepted, or record it as failed; whether it was accepted."""
        body = alert.model_dump_json().encode()
        started = self._clock()
        error, attempt = "not sent", 0
        for attempt in range(1, self.attempts + 1):
            left = started + self.deadline - self._clock()
            status, error = self._post(alert.id, body, max(0.1, min(self.timeout, left)))
            if status is not None and 200 <= status < 300:
                LOG.info("webhook: alert %s accepted (attempt %d)", alert.id, attempt)
                return True
            if status is not None and status < 500 and status != 429:
                break  # the receiver refused it: sending it again changes nothing
            wait = self.backoff * 2 ** (attempt - 1)
            if attempt == self.attempts or self._clock() + wait > started + self.deadline:
                break
            LOG.warning("webhook: alert %s attempt %d: %s", alert.id, attempt, error)
            self._sleep(wait)
        LOG.error("webhook: alert %s given up after %d attempt(s): %s", alert.id, attempt, error)
        failed = {
            "failed_at": datetime.now(UTC).isoformat(),
            "url": self.url,
            "attempts": attempt,
            "error": error,
            "alert": alert.model_dump(mode="json"),
        }
        try:
            append_line(self.dead_letter, failed)
        except OSError:
            LOG.exception("webhook: could not record the failed alert %s", alert.id)
        return False

    def _post(self, delivery: str, body: bytes, timeout: float) -> tuple[int | None, str]:
        """One attempt: the HTTP status (None when nothing answered) and what went wrong."""
        stamp = str(int(time.time()))
        request = urllib.request.Request(
            self.url,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json",
                "User-Agent": USER_AGENT,
                "X-Credgraph-Event": "clusters.changed",
                "X-Credgraph-Delivery": delivery,
                "X-Credgraph-Timestamp": stamp,
                "X-Credgraph-Signature": sign(self.secret, stamp, body),
            },
        )
        try:
            with self._opener.open(request, timeout=timeout) as response:
                return int(response.status), f"HTTP {response.status}"
        except urllib.error.HTTPError as exc:
            return exc.code, f"HTTP {exc.code}"
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            return None, f"{type(exc).__name__}: {reason}"


class Alerts:
    """Where a run's alert goes: the alerts file, and the webhook when one is configured."""

    def __init__(self, settings: Settings) -> None:
        self.path = settings.alerts_path
        self.webhook: Webhook | None = None
        secret = settings.cluster_webhook_secret
        if settings.cluster_webhook_url and secret is not None:
            self.webhook = Webhook(
                settings.cluster_webhook_url,
                secret.get_secret_value().encode(),
                settings.dead_letter_path,
                attempts=settings.cluster_webhook_attempts,
                backoff=settings.cluster_webhook_backoff,
                deadline=settings.cluster_webhook_deadline,
                timeout=settings.cluster_webhook_timeout,
            )

    def publish(self, diff: RunDiff) -> Alert | None:
        """Record the run's changes (nothing when there are none) and queue the webhook."""
        if not diff.changes:
            return None
        alert = alert_of(diff)
        try:
            append_line(self.path, alert.model_dump(mode="json"))
        except OSError:  # the run is kept; its diff can be read again from the history
            LOG.exception("could not append the alert of run %s to %s", diff.run_id, self.path)
        if self.webhook is not None:
            self.webhook.send(alert)
        return alert

    def flush(self, timeout: float) -> bool:
        """Wait for the webhook's deliveries (at most ``timeout`` seconds)."""
        return self.webhook.flush(timeout) if self.webhook is not None else True

    def close(self, timeout: float = 5.0) -> None:
        if self.webhook is not None:
            self.webhook.close(timeout)
