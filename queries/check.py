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
from graph.measures import Catalogue, Effect, Matter, Measure, Reach, SubjectKind
from graph.store.protocol import GraphStore, NodeSummary
from graph.vocabulary import Label, RelType
from queries.reach import (
    Ignored,
    MeasureRef,
    Neighbourhood,
    Reason,
    Tier,
    Trigger,
    applies,
    condition_state,
    role_history,
    step,
    subject_kind,
    surroundings,
    triggers,
)

#: What a check says of an in-force black-list entry the catalogue has no measures for.
UNCATALOGUED = "listed, no measure in the catalogue"

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
    # roles held before the day bind natural persons (法发〔2019〕35号 第十七条); an
    # organisation's roles count as they stand on the day, which spares its checks a read
    history = role_history(store, subject_id, hub_cap) if subject.label is Label.PERSON else None
    found, ignored = triggers(hood, subject_id, catalogue, day, history)
    best: dict[tuple[str, str], Reason] = {}
    for t in found:
        for reason in _reasons(t, catalogue, matter, subject, hood, ignored):
            key = (reason.measure.id if reason.measure else "", t.entry.id)
            if key not in best or _rank(reason) < _rank(best[key]):
                best[key] = reason
    reasons = sorted(best.values(), key=_order)
    unique = {(i.record.id, i.why): i for i in ignored}
    result = CheckResult(
        verdict=_verdict(reasons),
        subject=subject,
        matter=matter,
        as_of=day,
        reasons=reasons,
        ignored=sorted(unique.values(), key=lambda i: (i.record.id, i.why)),
        hubs_not_followed=sorted(set(hood.hubs)),
        catalogue_version=catalogue.version,
        receipt="",
    )
    result.receipt = receipt(result)
    return result


def _reasons(
    t: Trigger,
    catalogue: Catalogue,
    matter: Matter,
    subject: NodeSummary,
    hood: Neighbourhood,
    ignored: list[Ignored],
) -> list[Reason]:
    """The reasons one in-force entry gives the subject on ``matter``; adds to ``ignored``
    the entries of the subject or its role organisations that give none, and why."""
    own = t.node_id == subject.id or bool(t.bindings)
    if not t.catalogued:
        return [_uncatalogued(t, subject.id, hood)] if own or t.node_id in hood.graph.nodes else []
    measures = catalogue.measures_for(t.entry.list_kind, matter)
    if not measures and own:
        kind = t.entry.list_kind
        why = f"{kind} has measures in the catalogue, none on {matter}"
        ignored.append(Ignored(record=t.record, why=why))
    out: list[Reason] = []
    said = len(ignored)
    for measure in measures:
        if measure.applicant_roles:
            out += _applicant(measure, catalogue, t, subject, hood)
            continue
        if not applies(measure, matter, t.kind):
            continue
        state = condition_state(measure, t.entry)
        if state.failed:
            if own:
                why = f"{measure.id}: condition not met: {'; '.join(state.failed)}"
                ignored.append(Ignored(record=t.record, why=why))
            continue
        reason = _reason(measure, catalogue, t, subject.id, hood)
        if reason is None:
            continue
        reason.conditions = state.met
        if state.missing:
            if reason.effect is Effect.INCENTIVE:
                why = f"{measure.id}: facts not given: {'; '.join(state.missing)}"
                ignored.append(Ignored(record=t.record, why=why))
                continue
            reason.effect = Effect.REVIEW  # never restrict on facts the data does not hold
            reason.missing_facts = state.missing
        out.append(reason)
    if own and measures and not out and len(ignored) == said:
        ids = ", ".join(m.id for m in measures)
        if t.node_id == subject.id:
            why = f"the measures on {matter} ({ids}) do not apply to a {t.kind} subject"
        else:
            roles = ", ".join(sorted({b.reach for b in t.bindings}))
            why = f"the measures on {matter} ({ids}) do not name the subject's role ({roles})"
        ignored.append(Ignored(record=t.record, why=why))
    return out


def _uncatalogued(t: Trigger, subject_id: str, hood: Neighbourhood) -> Reason:
    """Review for an in-force black-list entry the catalogue has no measures for."""
    listed = t.node_id == subject_id
    return Reason(
        tier=Tier.LISTED if listed else Tier.ADVISORY,
        effect=Effect.REVIEW,
        measure=None,
        record=t.record,
        reach=Reach.SUBJECT,
        path=[] if listed else hood.path(t.node_id),
        note=UNCATALOGUED,
    )


def _applicant(
    measure: Measure,
    catalogue: Catalogue,
    t: Trigger,
    subject: NodeSummary,
    hood: Neighbourhood,
) -> list[Reason]:
    """A measure on the applicant's own people: the subject (an organisation) gets the
    measure's effect when a listed person holds one of its named roles in it on the date."""
    if subject_kind(subject.label) is not SubjectKind.ORGANIZATION:
        return []
    named = [(r, rel) for r, rel in t.applicant_roles if r in measure.applicant_roles]
    if not named:
        return []
    reach, rel = min(named, key=lambda item: (list(Reach).index(item[0]), item[1].identity))
    return [
        Reason(
            tier=Tier.BINDING,
            effect=measure.effect,
            measure=MeasureRef.of(measure, catalogue),
            record=t.record,
            reach=reach,
            path=[step(rel, hood.graph.nodes)],
            since=rel.valid_from,
            rule=f"the applicant's {reach} is listed",
        )
    ]


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
    t: Trigger,
    subject_id: str,
    hood: Neighbourhood,
) -> Reason | None:
    ref = MeasureRef.of(measure, catalogue)
    if t.node_id == subject_id:
        return Reason(
            tier=Tier.LISTED,
            effect=measure.effect,
            measure=ref,
            record=t.record,
            reach=Reach.SUBJECT,
            path=[],
            since=t.entry.valid_from or t.entry.decision_date,
        )
    named = [b for b in t.bindings if b.reach in measure.reaches]
    if named:
        bound = min(named, key=lambda b: (list(Reach).index(b.reach), b.relation.identity))
        nodes = {**hood.graph.nodes, t.node_id: t.record.subject}
        return Reason(
            tier=Tier.BINDING,
            effect=measure.effect,
            measure=ref,
            record=t.record,
            reach=bound.reach,
            path=[step(bound.relation, nodes)],
            since=bound.since,
            rule=bound.rule,
        )
    if measure.effect is Effect.INCENTIVE or t.node_id not in hood.graph.nodes:
        return None  # an incentive is the listed subject's own; a link earns nothing
    return Reason(
        tier=Tier.ADVISORY,
        effect=Effect.REVIEW,
        measure=ref,
        record=t.record,
        reach=Reach.SUBJECT,
        path=hood.path(t.node_id),
        note=_inferred_control(hood, subject_id, t.node_id),
    )


def _inferred_control(hood: Neighbourhood, holder: str, company: str) -> str | None:
    """Says so when the subject holds a majority stake in the listed company: control
    inferred from equity is shown, but binds nobody (only a declared 实际控制人 does)."""
    stakes = [
        r.ratio
        for r in hood.graph.relations
        if r.type is RelType.SHAREHOLDER_OF
        and (r.source_id, r.target_id) == (holder, company)
        and r.ratio is not None
    ]
    if not stakes or max(stakes) <= 0.5:
        return None
    return f"control inferred from a {max(stakes):.0%} stake: advisory, binds nobody"


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
    measure = reason.measure.id if reason.measure else ""
    return (_rank(reason), effects.index(reason.effect), measure, reason.record.id)


def _verdict(reasons: list[Reason]) -> Verdict:
    effects = {r.effect for r in reasons}
    if Effect.RESTRICT in effects:
        return Verdict.RESTRICT
    if Effect.REVIEW in effects:
        return Verdict.REVIEW
    if Effect.INCENTIVE in effects:
        return Verdict.INCENTIVE
    return Verdict.PASS
