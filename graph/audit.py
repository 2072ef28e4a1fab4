"""The audit trail: who asked what, why, and what they were told (one JSON object per line).

Every question over HTTP and from the CLI is written to the logger ``credgraph.audit``; the
service and the CLI attach a file to it (``CREDGRAPH_AUDIT_LOG``, default
``<data_dir>/audit.jsonl``). A citizen ID number is never written: it is logged as the keyed
person id it resolves to, the same id the graph uses, so an auditor can still follow it.
"""

from __future__ import annotations

import json
import logging
import logging.handlers
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from graph.ids import (
    InvalidIdentifier,
    clean_text,
    echo_safe,
    mask_digits,
    parse_citizen_id,
    person_key,
)

AUDIT = logging.getLogger("credgraph.audit")


def configure(path: Path) -> None:
    """Append the audit lines to ``path`` (created with its folder) from now on; a process
    has one audit file, so a file configured before is let go."""
    target = str(path.resolve())
    AUDIT.setLevel(logging.INFO)
    for old in [h for h in AUDIT.handlers if hasattr(h, "audit_path")]:
        if old.audit_path == target:
            return
        AUDIT.removeHandler(old)
        old.close()
    path.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.handlers.WatchedFileHandler(target, encoding="utf-8")  # logrotate-safe
    handler.setFormatter(logging.Formatter("%(message)s"))
    handler.audit_path = target  # type: ignore[attr-defined]
    AUDIT.addHandler(handler)


def safe(value: Any, key: bytes) -> Any:
    """What a parameter may be logged as: citizen ID numbers become keyed person ids.

    >>> safe("42010219800101001X", b"k").startswith("person:")
    True
    >>> safe(["91420102MA4K00010N", 3], b"k")
    ['91420102MA4K00010N', '3']
    """
    if isinstance(value, list | tuple):
        return [safe(v, key) for v in value]
    text = value if isinstance(value, str) else str(value)
    stripped = clean_text(text).upper()
    if len(stripped) in (15, 18) and stripped[:15].isdigit():
        try:
            number = parse_citizen_id(stripped, "subject", allow_legacy=True)
        except InvalidIdentifier:
            if len(stripped) == 15:
                return stripped  # a 15-digit 工商注册号, not a person
            return mask_digits(stripped)  # looks like an ID number: masked
        return f"person:{person_key(number, key)}"
    return echo_safe(text)  # near misses (a digit short, invisible characters) masked too


def _short(value: Any, limit: int = 200) -> Any:
    """A logged value cut to ``limit`` characters (lists: the first 1,000 items)."""
    if isinstance(value, list):
        return [_short(v, limit) for v in value[:1000]]
    return value[:limit] + "…" if isinstance(value, str) and len(value) > limit else value


def answer_of(result: Any) -> Any:
    """The part of an answer the trail keeps: verdicts and receipts of checks."""
    if hasattr(result, "receipt") and hasattr(result, "verdict"):
        return {
            "subject": result.subject.id,
            "verdict": str(result.verdict),
            "receipt": result.receipt,
        }
    if hasattr(result, "results"):
        return [answer_of(r) for r in result.results]
    return None


def record(
    channel: str,
    question: str,
    params: Mapping[str, Any],
    key: bytes,
    *,
    caller: str | None,
    purpose: str | None,
    status: int | str,
    ms: float | None = None,
    answer: Any = None,
    extra: Mapping[str, Any] | None = None,
) -> None:
    """Write one audit line; ``extra`` fields (e.g. the caller's role) are added when set."""
    line = {
        "at": datetime.now(UTC).isoformat(timespec="milliseconds"),
        "channel": channel,
        "caller": caller or "-",
        "purpose": purpose,
        "question": question,
        "params": {k: _short(safe(v, key)) for k, v in sorted(params.items()) if v is not None},
        "status": status,
        "ms": None if ms is None else round(ms, 1),
        "answer": answer,
    }
    line.update({k: v for k, v in (extra or {}).items() if v is not None})
    AUDIT.info(json.dumps(line, ensure_ascii=False, default=str))
