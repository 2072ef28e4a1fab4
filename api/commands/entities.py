"""Commands about one subject: equity penetration, controllers, the person view, evasion."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, TypeVar

import typer

from api.clikit import AsOfOpt, JsonOpt, cli_store, emit, parse_date, run
from graph.model import Relation
from graph.settings import Settings
from graph.store.protocol import GraphStore, NodeSummary
from queries.equity import Controllers, Equity, penetrate, ultimate_controllers
from queries.evasion import EvasionAnswer, EvasionScan, evasion, evasion_scan
from queries.person import PersonView, person_view
from queries.subject import subject_id, subject_ids

T = TypeVar("T")
SubjectArg = Annotated[
    str, typer.Argument(help="USCC, citizen ID number, legacy code or entity id")
]
ThresholdOpt = Annotated[float, typer.Option(min=0.0, max=1.0, help="stake as a fraction")]

_ChainKey = tuple[tuple[str, ...], tuple[float | None, ...]]


def register(app: typer.Typer) -> None:
    """Add the commands to ``app``."""
    app.command("equity")(equity)
    app.command("controllers")(controllers)
    app.command("person")(person)
    app.command("evasion")(evasion_command)


def _ask(text: str, question: Callable[[GraphStore, str], T]) -> T:
    """Open the store, resolve the subject and answer; errors print one line and exit 2."""
    key = Settings().hash_key()
    with cli_store(read_only=True) as store:
        return run(lambda: question(store, subject_id(store, text, key)))


def equity(
    subject: SubjectArg,
    down: Annotated[bool, typer.Option("--down", help="holdings instead of holders")] = False,
    max_depth: Annotated[int, typer.Option(min=1, max=50)] = 10,
    threshold: ThresholdOpt = 0.0,
    as_of: AsOfOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Equity penetration (股权穿透): ownership chains with effective stakes."""
    day = parse_date(as_of)
    answer = _ask(
        subject,
        lambda store, node_id: penetrate(
            store,
            node_id,
            direction="down" if down else "up",
            max_depth=max_depth,
            as_of=day,
            threshold=threshold,
        ),
    )
    emit(answer, as_json, equity_text)


def controllers(
    subject: SubjectArg,
    threshold: ThresholdOpt = 0.25,
    as_of: AsOfOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Ultimate beneficial holders over the threshold, and declared actual controllers."""
    day = parse_date(as_of)
    answer = _ask(
        subject,
        lambda store, node_id: ultimate_controllers(store, node_id, threshold=threshold, as_of=day),
    )
    emit(answer, as_json, controllers_text)


def person(subject: SubjectArg, as_of: AsOfOpt = None, as_json: JsonOpt = False) -> None:
    """A person's roles across organisations over time, and the records around them."""
    day = parse_date(as_of)
    answer = _ask(subject, lambda store, node_id: person_view(store, node_id, as_of=day))
    emit(answer, as_json, person_text)


def evasion_command(
    subjects: Annotated[
        list[str], typer.Argument(help="USCC, citizen ID number, legacy code or entity id")
    ],
    as_of: AsOfOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Organisations set up or re-staffed by a black-listed subject's people after listing;
    several subjects: a scan (those not listed or not found are named, not errors)."""
    day = parse_date(as_of)
    if len(subjects) == 1:
        answer = _ask(subjects[0], lambda store, node_id: evasion(store, node_id, as_of=day))
        emit(answer, as_json, evasion_text)
        return
    key = Settings().hash_key()
    with cli_store(read_only=True) as store:
        ids, missing = run(lambda: subject_ids(store, subjects, key))
        scan = run(lambda: evasion_scan(store, ids, as_of=day))
    scan.not_found = missing + scan.not_found
    emit(scan, as_json, scan_text)


def scan_text(scan: EvasionScan) -> str:
    """Each listed subject's findings, then who was not listed or not found."""
    parts = [evasion_text(answer) for answer in scan.answers]
    if scan.not_listed:
        parts.append(f"no black listing in force on {scan.as_of}: {', '.join(scan.not_listed)}")
    if scan.not_found:
        parts.append(f"not found: {', '.join(scan.not_found)}")
    return "\n".join(parts)


def _pct(value: float | None) -> str:
    """A stake as a fixed-width percentage.

    >>> _pct(0.3), _pct(None)
    (' 30.00%', '      ?')
    """
    return "      ?" if value is None else f"{value:7.2%}"


def _node(node: NodeSummary) -> str:
    return f"{node.name} ({node.id})"


def equity_text(answer: Equity) -> str:
    """The chains as a tree with each hop's ratio, then the totals per node."""
    way = "holders" if answer.direction == "up" else "holdings"
    lines = [f"{_node(answer.subject)}: {way} as of {answer.as_of}"]
    children: dict[_ChainKey, list[_ChainKey]] = {}
    ends: dict[_ChainKey, str] = {}
    for chain in answer.chains:
        for i in range(1, len(chain.nodes)):
            parent = (tuple(chain.nodes[:i]), tuple(chain.ratios[: i - 1]))
            child = (tuple(chain.nodes[: i + 1]), tuple(chain.ratios[:i]))
            kids = children.setdefault(parent, [])
            if child not in kids:
                kids.append(child)
        ends[(tuple(chain.nodes), tuple(chain.ratios))] = chain.end

    def walk(at: _ChainKey, indent: str) -> None:
        kids = children.get(at, [])
        for n, kid in enumerate(kids):
            last = n == len(kids) - 1
            end = ends.get(kid, "top")
            note = "" if end == "top" else f"  [{end}]"
            name = _node(answer.nodes[kid[0][-1]])
            lines.append(f"{indent}{'└─' if last else '├─'}{_pct(kid[1][-1])}  {name}{note}")
            walk(kid, indent + ("   " if last else "│  "))

    walk(((answer.subject.id,), ()), "")
    if not answer.chains:
        lines.append(f"  (no {way})")
    lines.append("effective stakes (sum over chains):")
    for s in answer.stakes:
        unknown = f", {s.unknown_chains} of unknown stake" if s.unknown_chains else ""
        mark = " ultimate" if s.ultimate else ""
        lines.append(f"  {_pct(s.stake)}  {_node(s.node)}  {s.chains} chain(s){unknown}{mark}")
    lines += [f"cycle: {' -> '.join([*c, c[0]])}" for c in answer.cycles]
    if answer.hubs:
        lines.append(f"not followed (too many links): {', '.join(answer.hubs)}")
    return "\n".join(lines)


def controllers_text(answer: Controllers) -> str:
    """One line per controller: stake, name, declared or not."""
    lines = [
        f"{_node(answer.subject)}: ultimate controllers as of {answer.as_of} "
        f"(threshold {answer.threshold:.0%})"
    ]
    for c in answer.controllers:
        declared = "  declared actual controller" if c.declared else ""
        lines.append(f"  {_pct(c.stake)}  {_node(c.node)}{declared}")
    if not answer.controllers:
        lines.append("  (none)")
    for c in answer.undetermined:
        lines.append(f"  undetermined: {_node(c.node)} ({_pct(c.stake).strip()} known)")
    lines += [f"cycle: {' -> '.join([*c, c[0]])}" for c in answer.cycles]
    return "\n".join(lines)


def person_text(view: PersonView) -> str:
    """Roles grouped by organisation, then records, then possible duplicates."""
    lines = [f"{_node(view.person)} as of {view.as_of}"]
    shown = ""
    for r in view.roles:
        if r.organisation.id != shown:
            shown = r.organisation.id
            lines.append(f"  {_node(r.organisation)}")
        detail = " ".join(
            x
            for x in (
                r.post,
                r.role,
                None if r.ratio is None else f"{r.ratio:.2%}",
                None if r.subscribed_amount is None else f"{r.subscribed_amount:g}万元",
            )
            if x
        )
        span = f"{r.valid_from or '…'} – {r.valid_to or ''}"
        flag = "current" if r.current else "past   "
        lines.append(f"    [{flag}] {r.type:24} {span:25} {detail}".rstrip())
    for v in view.records:
        lines.append(f"  record [{'in force' if v.in_force else 'no effect'}] {_record(v.record)}")
    for t in view.tenure_records:
        roles = ", ".join(t.roles)
        lines.append(f"  during {roles} at {t.organisation.name}: {_record(t.record)}")
    for s in view.possibly_same_as:
        lines.append(f"  possibly the same person: {_node(s.person)} {s.reason or ''}".rstrip())
    return "\n".join(lines)


def _record(record: object) -> str:
    fields = ("kind", "decision_date", "issuing_authority", "document_number", "list_name")
    return " ".join(str(getattr(record, f)) for f in fields if getattr(record, f, None))


def evasion_text(answer: EvasionAnswer) -> str:
    """The listings, then one line per finding with what is shared."""
    lines = [f"{_node(answer.subject)}: black-listed as of {answer.as_of}"]
    for x in answer.listings:
        lines.append(
            f"  {x.list_name} {x.since or ''} {x.issuing_authority} {x.document_number or ''}"
        )
        lines[-1] = lines[-1].rstrip()
    lines.append(f"{len(answer.findings)} organisation(s) after the listing:")
    for f in answer.findings:
        shared = "; ".join(
            f"{s.kind} {s.via.name} ({_types(s.listed_links, ' -> ')}{_types(s.new_links)})"
            for s in f.shared
        )
        lines.append(f"  {f.suspicious_date} {f.because:14} {_node(f.organisation)}")
        lines.append(f"      shares {shared}; follows {f.listing.list_name} of {f.listing.since}")
    if answer.hubs:
        lines.append(f"not followed (too many links): {', '.join(answer.hubs)}")
    return "\n".join(lines)


def _types(links: list[Relation], then: str = "") -> str:
    """The relation types of ``links`` followed by ``then``; nothing without links."""
    return ", ".join(dict.fromkeys(r.type for r in links)) + then if links else ""
