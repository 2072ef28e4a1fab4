"""The joint-punishment commands: ``check``, ``exposure``, ``propagation``, ``measures``."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from api.clikit import AsOfOpt, JsonOpt, cli_store, emit, parse_date, run
from graph.measures import Catalogue, Matter, load_catalogue
from graph.settings import Settings
from queries.check import CheckResult, check, check_many
from queries.exposure import exposure, propagation
from queries.reach import Reason, Step
from queries.subject import subject_id

MatterOpt = Annotated[Matter, typer.Option("--matter", "-m", help="what is applied for")]


def _catalogue(settings: Settings) -> Catalogue:
    return run(lambda: load_catalogue(settings.catalogue_dir))


def path_text(steps: list[Step], start: str) -> str:
    """A chain of relations walked from ``start``, e.g. 周明 -[LEGAL_REPRESENTATIVE_OF]-> 武汉甲."""
    if not steps:
        return "(itself)"
    here = start
    parts: list[str] = []
    for st in steps:
        forward = st.source_id == here
        start, end = (
            (st.source_name, st.target_name) if forward else (st.target_name, st.source_name)
        )
        if not parts:
            parts.append(start)
        parts.append(f" -[{st.type}]-> " if forward else f" <-[{st.type}]- ")
        parts.append(end)
        here = st.target_id if forward else st.source_id
    return "".join(parts)


def reason_text(reason: Reason, start: str) -> str:
    """Lines for one reason: tier, effect, measure and basis (or why there is none), the rule
    that binds and the facts missing, the record and the path."""
    m, r = reason.measure, reason.record
    if m is None:
        head = f"  [{reason.tier} · {reason.reach}] {reason.effect}: {reason.note}\n"
    else:
        head = (
            f"  [{reason.tier} · {reason.reach}] {reason.effect}: {m.title} ({m.id})\n"
            f"      依据 {m.legal_basis}; 实施 {m.authority_name}; {m.document_number}\n"
        )
    extra = ""
    if reason.rule:
        extra += f"      bound since {reason.since}: {reason.rule}\n"
    if reason.missing_facts:
        extra += f"      review, facts not given: {'; '.join(reason.missing_facts)}\n"
    record = (
        f"      record: {r.list_name} {r.issuing_authority} {r.document_number or ''} "
        f"{r.decision_date or ''} ({r.status}) on {r.subject.name}\n"
    )
    return head + extra + record + f"      path: {path_text(reason.path, start)}"


def check_text(result: CheckResult) -> str:
    """A readable verdict."""
    lines = [
        f"{result.verdict.upper()}  {result.subject.name} ({result.subject.id}) "
        f"for {result.matter} as of {result.as_of}"
    ]
    lines += [reason_text(reason, result.subject.id) for reason in result.reasons]
    lines += [
        f"  not counted: {i.record.list_name} on {i.record.subject.name}: {i.why}"
        for i in result.ignored
    ]
    lines.append(f"  receipt {result.receipt} (catalogue {result.catalogue_version})")
    return "\n".join(lines)


def register(app: typer.Typer) -> None:
    """Add the commands to the ``credgraph`` app."""

    @app.command("check")
    def check_command(
        subjects: Annotated[list[str], typer.Argument(help="USCC, citizen ID or entity id")],
        matter: MatterOpt,
        as_of: AsOfOpt = None,
        purpose: Annotated[str | None, typer.Option(help="why you ask (logged)")] = None,
        as_json: JsonOpt = False,
    ) -> None:
        """May the subject get this matter? One subject: a verdict; several: a batch."""
        day = parse_date(as_of)
        settings = Settings()
        catalogue = _catalogue(settings)
        with cli_store(read_only=True) as store:
            key = settings.hash_key()
            nodes = run(lambda: [subject_id(store, s, key) for s in subjects])
            if len(nodes) == 1:
                result = run(lambda: check(store, catalogue, nodes[0], matter, as_of=day))
                emit(result, as_json, check_text)
                return
            batch = run(lambda: check_many(store, catalogue, nodes, matter, as_of=day))

        def text(b: Any) -> str:
            counts = ", ".join(f"{v}: {n}" for v, n in b.counts.items() if n)
            return "\n".join([check_text(r) for r in b.results] + [counts])

        emit(batch, as_json, text)

    @app.command("propagation")
    def propagation_command(subject: str, as_of: AsOfOpt = None, as_json: JsonOpt = False) -> None:
        """Everyone a listed entity's in-force entries reach, by measure and path."""
        day = parse_date(as_of)
        settings = Settings()
        catalogue = _catalogue(settings)
        with cli_store(read_only=True) as store:
            node = run(lambda: subject_id(store, subject, settings.hash_key()))
            result = run(lambda: propagation(store, catalogue, node, as_of=day))

        def text(p: Any) -> str:
            lines = [f"{p.listed.name} ({p.listed.id}) as of {p.as_of}"]
            for rec in p.records:
                lines.append(f"  {rec.record.list_name} {rec.record.decision_date} reaches:")
                for r in rec.reached:
                    lines.append(
                        f"    {r.entity.name} [{r.tier} · {r.reach}] "
                        f"{', '.join(r.matters)} ({len(r.measures)} measures)"
                    )
            lines += [f"  not counted: {i.record.list_name}: {i.why}" for i in p.ignored]
            return "\n".join(lines)

        emit(result, as_json, text)

    @app.command("exposure")
    def exposure_command(subject: str, as_of: AsOfOpt = None, as_json: JsonOpt = False) -> None:
        """Every list entry that reaches an entity: its own, by a named role, and linked ones."""
        day = parse_date(as_of)
        settings = Settings()
        catalogue = _catalogue(settings)
        with cli_store(read_only=True) as store:
            node = run(lambda: subject_id(store, subject, settings.hash_key()))
            result = run(lambda: exposure(store, catalogue, node, as_of=day))

        def text(e: Any) -> str:
            lines = [f"{e.entity.name} ({e.entity.id}) as of {e.as_of}"]
            for rec in e.reaching:
                r = rec.reached[0]
                lines.append(
                    f"  [{r.tier} · {r.reach}] {rec.record.list_name} on "
                    f"{rec.record.subject.name}: {', '.join(r.matters)}"
                )
            for link in e.linked:
                lines.append(
                    f"  [linked] {link.record.list_name} on {link.record.subject.name}: "
                    f"{path_text(link.path, e.entity.id)}"
                )
            if not e.reaching and not e.linked:
                lines.append("  nothing reaches it")
            return "\n".join(lines)

        emit(result, as_json, text)

    @app.command("measures")
    def measures_command(
        matter: Annotated[Matter | None, typer.Option("--matter", "-m")] = None,
        as_json: JsonOpt = False,
    ) -> None:
        """The measure catalogue (optionally for one matter)."""
        catalogue = _catalogue(Settings())
        chosen = [m for m in catalogue.measures if matter is None or matter in m.matters]
        if as_json:
            import json

            typer.echo(json.dumps([m.model_dump(mode="json") for m in chosen], indent=2))
            return
        for m in chosen:
            typer.echo(f"{m.id:40} {m.effect:9} {','.join(m.matters):28} {m.title}")
            if m.conditions:
                typer.echo(f"{'':40} only if: {'; '.join(c.title for c in m.conditions)}")
            if m.basis == "unverified":
                typer.echo(f"{'':40} basis unverified: {m.note}")
        typer.echo(f"{len(chosen)} measure(s), catalogue {catalogue.version}")
