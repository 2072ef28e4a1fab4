"""Commands for relationship paths (找关系), connecting sets, and conflicts of interest (回避)."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from api.clikit import AsOfOpt, JsonOpt, cli_store, emit, parse_date, run
from graph.settings import Settings
from graph.store.protocol import GraphStore, NodeSummary
from graph.vocabulary import RelType
from queries.conflict import authority_conflicts, conflicts
from queries.paths import Mode, Path, Search, connect, find_paths
from queries.subject import subject_id

TypeOpt = Annotated[
    list[RelType] | None, typer.Option("--type", help="relation type to follow (repeatable)")
]
HubCapOpt = Annotated[
    int, typer.Option(min=1, max=10_000, help="do not pass through nodes with more links")
]


def register(app: typer.Typer) -> None:
    """Add ``paths``, ``connect`` and ``conflicts`` to the credgraph command."""
    app.command("paths")(paths_command)
    app.command("connect")(connect_command)
    app.command("conflicts")(conflicts_command)


def path_line(path: Path) -> str:
    """One path as text: ``周明 -[LEGAL_REPRESENTATIVE_OF]-> 某公司 <-[HAS_PHONE]- ...``."""
    parts = [path.nodes[0].name]
    for step, node in zip(path.steps, path.nodes[1:], strict=True):
        label = " +".join([step.type, *(r.type for r in step.parallel)])
        parts += [f"-[{label}]->" if step.direction == "forward" else f"<-[{label}]-", node.name]
    return " ".join(parts)


def _hubs(answer: Search) -> list[str]:
    if not answer.hubs_not_followed:
        return []
    names = ", ".join(_name(h) for h in answer.hubs_not_followed)
    return [f"hubs not followed (more than {answer.hub_cap} links): {names}"]


def _name(node: NodeSummary) -> str:
    return f"{node.name} ({node.label})"


def _resolve(store: GraphStore, *texts: str) -> list[str]:
    key = Settings().hash_key()
    return [subject_id(store, text, key) for text in texts]


def paths_command(
    source: Annotated[str, typer.Argument(help="USCC, citizen ID number or entity id")],
    target: Annotated[str, typer.Argument(help="USCC, citizen ID number or entity id")],
    max_hops: Annotated[int, typer.Option(min=1, max=8)] = 6,
    every: Annotated[bool, typer.Option("--all", help="every path, not only shortest")] = False,
    rel_type: TypeOpt = None,
    as_of: AsOfOpt = None,
    limit: Annotated[int, typer.Option(min=1, max=1000)] = 20,
    hub_cap: HubCapOpt = 200,
    as_json: JsonOpt = False,
) -> None:
    """How two entities are linked (找关系): shortest paths, or all paths with --all."""
    day = parse_date(as_of)
    with cli_store(read_only=True) as store:

        def ask() -> Any:
            a, b = _resolve(store, source, target)
            mode: Mode = "all" if every else "shortest"
            return find_paths(
                store,
                a,
                b,
                max_hops=max_hops,
                rel_types=rel_type,
                as_of=day,
                limit=limit,
                mode=mode,
                hub_cap=hub_cap,
            )

        answer = run(ask)

    def text(a: Any) -> str:
        lines = [f"{_name(a.source)} → {_name(a.target)}"]
        lines += [f"{p.hops} hop(s): {path_line(p)}" for p in a.paths]
        if not a.paths:
            lines.append(f"no path within {a.max_hops} hops")
        if a.truncated:
            lines.append(f"more paths than {len(a.paths)}: raise --limit")
        return "\n".join(lines + _hubs(a))

    emit(answer, as_json, text)


def connect_command(
    entities: Annotated[list[str], typer.Argument(help="2 to 20 entities")],
    max_hops: Annotated[int, typer.Option(min=1, max=8)] = 4,
    rel_type: TypeOpt = None,
    as_of: AsOfOpt = None,
    hub_cap: HubCapOpt = 200,
    as_json: JsonOpt = False,
) -> None:
    """How a set of entities hangs together: the shortest paths between every pair."""
    day = parse_date(as_of)
    with cli_store(read_only=True) as store:

        def ask() -> Any:
            ids = _resolve(store, *entities)
            return connect(
                store, ids, max_hops=max_hops, rel_types=rel_type, as_of=day, hub_cap=hub_cap
            )

        found = run(ask)

    def text(c: Any) -> str:
        names = {n.id: n.name for n in c.nodes}
        lines = [
            f"{names[p.source_id]} — {names[p.target_id]}: "
            + (f"{p.hops} hop(s)" if p.hops else f"not linked within {c.max_hops} hops")
            for p in c.pairs
        ]
        lines += [f"  {names[r.source_id]} -[{r.type}]-> {names[r.target_id]}" for r in c.relations]
        return "\n".join(lines + _hubs(c))

    emit(found, as_json, text)


def conflicts_command(
    staff: Annotated[str | None, typer.Argument(help="the civil servant or judicial staff")] = None,
    party: Annotated[list[str] | None, typer.Option(help="a party (repeatable)")] = None,
    authority: Annotated[str | None, typer.Option(help="check the records it issued")] = None,
    max_hops: Annotated[
        int | None, typer.Option(min=1, max=8, help="3 (staff), 2 (authority)")
    ] = None,
    as_of: AsOfOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Conflicts of interest (回避): STAFF --party P ..., or --authority AUTH."""
    if (authority is None) == (staff is None) or (staff is not None and not party):
        raise typer.BadParameter("give STAFF with --party, or --authority alone")
    day = parse_date(as_of)
    with cli_store(read_only=True) as store:

        def ask() -> Any:
            if authority is not None:
                [auth] = _resolve(store, authority)
                return authority_conflicts(store, auth, max_hops=max_hops or 2, as_of=day)
            person, *parties = _resolve(store, staff or "", *(party or []))
            return conflicts(store, person, parties, max_hops=max_hops or 3, as_of=day)

        answer = run(ask)
    emit(answer, as_json, _authority_text if authority is not None else _staff_text)


def _staff_text(a: Any) -> str:
    lines = [
        f"{a.staff.name} serves in {s.organisation.name} as {s.role}"
        + (f" ({s.post})" if s.post else "")
        for s in a.services
    ]
    for p in a.parties:
        state = "LINKED" if p.linked else ("for review" if p.paths else "no link")
        lines.append(f"{_name(p.party)}: {state} within {a.max_hops} hops")
        for path in p.paths:
            note = "  (via own organisation)" if path.via_own_organisation else ""
            lines.append(f"  {path.hops} hop(s): {path_line(path)}{note}")
    lines.append("conflict: yes, recuse (回避)" if a.conflict else "conflict: none found")
    return "\n".join(lines)


def _authority_text(a: Any) -> str:
    lines = [
        f"{a.authority.name}: {a.records_checked} record(s), {a.staff_checked} staff member(s)"
        + (" (more records not checked)" if a.records_truncated else "")
    ]
    for f in a.findings:
        r = f.record
        lines.append(
            f"{r.document_number or r.id} {r.decision_date or ''} {r.kind} → {f.subject.name}: "
            f"{f.staff.name} ({f.service.role}), {f.hops} hop(s)"
        )
        lines += [f"  {path_line(p)}" for p in f.paths]
    lines.append(f"{len(a.findings)} finding(s)")
    return "\n".join(lines)
