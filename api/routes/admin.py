"""Administration: API keys and the audit trail (role ``admin``)."""

from __future__ import annotations

import json
from collections import deque
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from pydantic import BaseModel, Field

from api.auth import GuardedRoute
from api.deps import SettingsDep
from api.keys import KeyInfo, KeyRing, Role

router = APIRouter(prefix="/v1", tags=["admin"], route_class=GuardedRoute)


class KeyRequest(BaseModel):
    """A key to create: a name for the caller (shown in the audit trail) and its role."""

    name: str = Field(
        min_length=1,
        max_length=64,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$",
        examples=["county-approvals"],
    )
    role: Role = Field(examples=["approver"])


class NewKey(KeyInfo):
    """The key just created: ``key`` is shown this once and never again."""

    key: str = Field(examples=["cg_Zb1m0X1a7v9mJ2Q9t3fTqgXx1zD6gP0W8t3YVQm0Aho"])


def _ring(request: Request) -> KeyRing:
    ring: KeyRing = request.app.state.keyring
    return ring


@router.get("/keys", summary="Every API key (names, roles, revocation; never the keys)")
def list_keys(request: Request) -> list[KeyInfo]:
    """The keys, oldest first."""
    return _ring(request).list()


@router.post("/keys", summary="Create an API key", status_code=201)
def create_key(request: Request, body: KeyRequest) -> NewKey:
    """Create a key for ``name`` with ``role``; the answer carries the key, shown only once."""
    ring = _ring(request)
    secret = ring.create(body.name, body.role)
    info = next(k for k in ring.list() if k.name == body.name)
    return NewKey(**info.model_dump(), key=secret)


@router.delete("/keys/{name}", summary="Revoke an API key (at once, in every worker)")
def revoke_key(
    request: Request, name: Annotated[str, Path(examples=["county-approvals"])]
) -> KeyInfo:
    """Mark the key revoked: it stops working with the next request."""
    return _ring(request).revoke(name)


class AuditLine(BaseModel):
    """One line of the audit trail."""

    model_config = {"extra": "allow"}

    at: datetime
    channel: str
    caller: str
    purpose: str | None = None
    question: str
    params: dict[str, Any] = Field(default_factory=dict)
    status: int | str
    ms: float | None = None
    answer: Any = None


@router.get("/audit", summary="Who asked what and why (the audit trail)")
def list_audit(
    settings: SettingsDep,
    caller: Annotated[str | None, Query(max_length=200, examples=["county-approvals"])] = None,
    since: Annotated[datetime | None, Query(examples=["2026-12-01T00:00:00Z"])] = None,
    question: Annotated[
        str | None,
        Query(max_length=200, description="part of the route or command", examples=["/v1/check"]),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=10_000, examples=[50])] = 100,
) -> list[AuditLine]:
    """The newest ``limit`` lines matching the filters, oldest first."""
    if since is not None and since.tzinfo is None:
        since = since.replace(tzinfo=UTC)
    path = settings.audit_path
    found: deque[AuditLine] = deque(maxlen=limit)
    if not path.exists():
        return []
    with path.open(encoding="utf-8") as handle:
        for text in handle:
            try:
                line = AuditLine.model_validate(json.loads(text))
            except ValueError:
                continue  # a torn last line
            if caller is not None and line.caller != caller:
                continue
            if question is not None and question not in line.question:
                continue
            if since is not None and line.at < since:
                continue
            found.append(line)
    return list(found)
