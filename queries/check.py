"""The approval check (联合惩戒 / 守信激励): may this subject get this matter on this date?"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import date
from enum import StrEnum

from pydantic import BaseModel, Field

from graph.errors import InvalidInput, NotFound
from graph.ids import echo_safe
from graph.measures import Catalogue, Effect, Matter, Measure, Reach
from graph.model import Relation
from graph.store.protocol import GraphStore, NodeSummary
from queries.reach import (
    Ignored,
    MeasureRef,
    Neighbourhood,
    Reason,
    Tier,
    TriggerRecord,
    applies,
    step,
    surroundings,
    triggers,
)

MAX_BATCH = 500


class Verdict(StrEnum):
    """The answer: restrict beats review beats incentive beats pass."""

    RESTRICT = "restrict"
    REVIEW = "review"
    INCENTIVE = "incentive"
    PASS = "pass"


class CheckResult(BaseModel):
    """A verdict with every reason, the entries that no longer count, and a receipt."""

    verdict: Verdict
    subject: NodeSummary
    matter: Matter
    as_of: date
    reasons: list[Reason]
    ignored: list[Ignored] = Field(default_factory=list)
    hubs_not_followed: list[str] = Field(default_factory=list)
    catalogue_version: str
    receipt: str  # the same for the same subject, matter, date, data consulted and catalogue


class BatchResult(BaseModel):
    """Checks of several subjects (e.g. the bidders of one tender) on one matter and date."""

    matter: Matter
    as_of: date
    results: list[CheckResult]
    counts: dict[Verdict, int]
    not_found: list[str] = Field(
        default_factory=list, description="subjects not known or not valid (ID numbers masked)"
    )


def check(
    store: GraphStore,
    catalogue: Catalogue,
    subject_id: str,
    matter: Matter | str,
    *,
    as_of: date | None = None,
    advisory_hops: int = 2,
    hub_cap: int = 200,
) -> CheckResult:
    """Check one subject (a node id) for one matter on ``as_of`` (default today).

    Three tiers: the subject's own in-force list entries (listed); entries of organisations
    the subject holds a role in that the measure names, e.g. its legal representative
    (binding); and entries of entities only linked within ``advisory_hops`` (advisory: review
    at most). Disputed, repaired, expired or revoked entries and relations not valid on the
    date do not count; entries found but without effect are listed under ``ignored``.
    """
    matter = _matter(matter)
    if not 1 <= advisory_hops <= 3:
        raise InvalidInput("advisory_hops: must be 1, 2 or 3", field="advisory_hops")
    day = as_of or date.today()
    hood = surroundings(store, subject_id, day, advisory_hops, hub_cap)
    subject = hood.graph.nodes.get(subject_id)
    if subject is None:
        raise NotFound(f"no entity for subject {echo_safe(subject_id)!r}")
    found, ignored = triggers(hood, subject_id, catalogue, day)
    best: dict[tuple[str, str], Reason] = {}
    for t in found:
        for measure in catalogue.measures_for(t.entry.list_kind, matter):
            if not applies(measure, matter, t.kind):
                continue
            reason = _reason(measure, catalogue, t.record, subject_id, t.node_id, t.roles, hood)
            if reason is None:
                continue
            key = (measure.id, t.entry.id)
            if key not in best or _rank(reason) < _rank(best[key]):
                best[key] = reason
    reasons = sorted(best.values(), key=_order)
    result = CheckResult(
        verdict=_verdict(reasons),
        subject=subject,
        matter=matter,
        as_of=day,
        reasons=reasons,
        ignored=sorted(ignored, key=lambda i: i.record.id),
        hubs_not_followed=sorted(set(hood.hubs)),
        catalogue_version=catalogue.version,
        receipt="",
    )
    result.receipt = receipt(result)
    return result


def check_many(
    store: GraphStore,
    catalogue: Catalogue,
    subject_ids: Sequence[str],
    matter: Matter | str,
    *,
    as_of: date | None = None,
) -> BatchResult:
    """Check a list of subjects (e.g. every bidder) on one matter and date, in the given order."""
    if not subject_ids:
        raise InvalidInput("subjects: at least one subject is needed", field="subjects")
    if len(subject_ids) > MAX_BATCH:
        raise InvalidInput(f"subjects: at most {MAX_BATCH} per batch", field="subjects")
    matter = _matter(matter)
    day = as_of or date.today()
    results = [check(store, catalogue, s, matter, as_of=day) for s in subject_ids]
    counts = {v: sum(r.verdict is v for r in results) for v in Verdict}
    return BatchResult(matter=matter, as_of=day, results=results, counts=counts)


def receipt(result: CheckResult) -> str:
    """A stable id of a check: its inputs, the facts it cited and the catalogue version."""
    payload = result.model_dump(mode="json", exclude={"receipt"})
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return "chk-" + hashlib.sha256(text.encode()).hexdigest()[:24]


def _reason(
    measure: Measure,
    catalogue: Catalogue,
    record: TriggerRecord,
    subject_id: str,
    node_id: str,
    roles: list[tuple[Reach, Relation]],
    hood: Neighbourhood,
) -> Reason | None:
    ref = MeasureRef.of(measure, catalogue)
    if node_id == subject_id:
        return Reason(
            tier=Tier.LISTED,
            effect=measure.effect,
            measure=ref,
            record=record,
            reach=Reach.SUBJECT,
            path=[],
        )
    named = [(r, rel) for r, rel in roles if r in measure.reaches]
    if named:
        reach, rel = min(named, key=lambda item: (list(Reach).index(item[0]), item[1].identity))
        return Reason(
            tier=Tier.BINDING,
            effect=measure.effect,
            measure=ref,
            record=record,
            reach=reach,
            path=[step(rel, hood.graph.nodes)],
        )
    if measure.effect is Effect.INCENTIVE:
        return None  # an incentive is the listed subject's own; a link earns nothing
    return Reason(
        tier=Tier.ADVISORY,
        effect=Effect.REVIEW,
        measure=ref,
        record=record,
        reach=Reach.SUBJECT,
        path=hood.path(node_id),
    )


def _matter(matter: Matter | str) -> Matter:
    try:
        return Matter(matter)
    except ValueError:
        known = ", ".join(m.value for m in Matter)
        raise InvalidInput(f"matter: unknown {matter!r}; known: {known}", field="matter") from None


def _rank(reason: Reason) -> int:
    return list(Tier).index(reason.tier)


def _order(reason: Reason) -> tuple[int, int, str, str]:
    effects = [Effect.RESTRICT, Effect.REVIEW, Effect.INCENTIVE]
    return (_rank(reason), effects.index(reason.effect), reason.measure.id, reason.record.id)


def _verdict(reasons: list[Reason]) -> Verdict:
    effects = {r.effect for r in reasons}
    if Effect.RESTRICT in effects:
        return Verdict.RESTRICT
    if Effect.REVIEW in effects:
        return Verdict.REVIEW
    if Effect.INCENTIVE in effects:
        return Verdict.INCENTIVE
    return Verdict.PASS
