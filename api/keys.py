"""API keys and the roles they carry, kept as hashes in one file (``DATA_DIR/keys.json``).

A key is shown once, when it is created; the file holds only its SHA-256 (a key is 256
random bits, so a plain hash cannot be reversed by guessing), compared in constant time.
Every process re-reads the file when it changes, so a revoked key stops working at once in
every worker, without a restart.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import secrets
import threading
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path

from pydantic import BaseModel

from graph.errors import InvalidInput, NotFound

PREFIX = "cg_"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$")


class Role(StrEnum):
    """What a caller may ask (see api/policy.py for the routes of each role)."""

    PUBLIC = "public"  # entity profiles and in-force public records; people masked
    APPROVER = "approver"  # approval checks and the catalogue; people masked
    INVESTIGATOR = "investigator"  # every question that reads the graph; names in full
    ADMIN = "admin"  # keys, the audit trail, write workflows


class ApiKey(BaseModel):
    """One key as stored: never the key itself."""

    name: str
    role: Role
    sha256: str
    created_at: datetime
    revoked_at: datetime | None = None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


class KeyInfo(BaseModel):
    """What ``keys list`` and ``GET /v1/keys`` show of a key."""

    name: str
    role: Role
    created_at: datetime
    revoked_at: datetime | None = None


def digest(key: str) -> str:
    """The stored form of a key."""
    return hashlib.sha256(key.encode()).hexdigest()


class KeyRing:
    """The keys of one data directory; safe to share between threads."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._stamp: tuple[int, int] | None = None
        self._keys: dict[str, ApiKey] = {}  # by name
        self._by_hash: dict[str, ApiKey] = {}

    # -- reading -----------------------------------------------------------------------
    def _fresh(self) -> dict[str, ApiKey]:
        """The keys as the file says now (re-read when its mtime or size changed)."""
        try:
            st = self.path.stat()
            stamp: tuple[int, int] | None = (st.st_mtime_ns, st.st_size)
        except FileNotFoundError:
            stamp = None
        if stamp != self._stamp:
            with self._lock:
                keys = self._read_locked()
                self._keys = keys
                self._by_hash = {k.sha256: k for k in keys.values()}
                self._stamp = stamp
        return self._keys

    def configured(self) -> bool:
        """Whether any key (revoked or not) exists: a service with keys requires them."""
        return bool(self._fresh())

    def authenticate(self, presented: str) -> ApiKey | None:
        """The active key ``presented`` is, or None; the comparison is constant-time."""
        self._fresh()
        wanted = digest(presented)
        found = self._by_hash.get(wanted)
        if found is None or not hmac.compare_digest(found.sha256, wanted) or not found.active:
            return None
        return found

    def list(self) -> list[KeyInfo]:
        """Every key, oldest first, without its hash."""
        keys = sorted(self._fresh().values(), key=lambda k: (k.created_at, k.name))
        return [KeyInfo.model_validate(k.model_dump()) for k in keys]

    # -- changing ----------------------------------------------------------------------
    def create(self, name: str, role: Role | str) -> str:
        """A new key for ``name`` with ``role``; returns the key, which is not kept."""
        if not _NAME.match(name):
            raise InvalidInput(
                "name: 1-64 letters, digits or _.@- starting with a letter or digit", field="name"
            )
        try:
            role = Role(role)
        except ValueError as exc:
            roles = ", ".join(r.value for r in Role)
            raise InvalidInput(f"role: {role!r} is not one of {roles}", field="role") from exc
        with self._lock:
            keys = dict(self._read_locked())
            if name in keys:
                raise InvalidInput(f"name: a key named {name!r} exists already", field="name")
            secret = PREFIX + secrets.token_urlsafe(32)
            keys[name] = ApiKey(
                name=name, role=role, sha256=digest(secret), created_at=datetime.now(UTC)
            )
            self._save_locked(keys)
        return secret

    def revoke(self, name: str) -> KeyInfo:
        """Revoke the key ``name`` (kept in the file, marked revoked)."""
        with self._lock:
            keys = dict(self._read_locked())
            key = keys.get(name)
            if key is None:
                raise NotFound(f"no key named {name!r}")
            if key.revoked_at is None:
                key = key.model_copy(update={"revoked_at": datetime.now(UTC)})
                keys[name] = key
                self._save_locked(keys)
        return KeyInfo.model_validate(key.model_dump())

    def _read_locked(self) -> dict[str, ApiKey]:
        if not self.path.exists():
            return {}
        items = json.loads(self.path.read_text("utf-8") or "[]")
        return {k.name: k for k in (ApiKey.model_validate(i) for i in items)}

    def _save_locked(self, keys: dict[str, ApiKey]) -> None:
        """Write atomically with mode 0600 (a temporary file renamed over the old one)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump([k.model_dump(mode="json") for k in keys.values()], handle, indent=1)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, self.path)
        self._stamp = None  # re-read on next use
