"""红黑名单 with 信用承诺 (a repaired entry comes with its commitment), and 失信被执行人名单."""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any

from loaders.synthetic import templates as T
from loaders.synthetic import vocab as V
from loaders.synthetic.codes import court_mask, day
from loaders.synthetic.context import RECORDS_FROM, Context
from loaders.synthetic.plan import REF_DAY
from loaders.synthetic.sink import Sink
from loaders.synthetic.spec import COMMITMENTS, COURT, LISTS

_ORG, _PERSON, _TRADER = V.SUBJECT_KINDS
_LIST = {spec[0]: spec for spec in T.LISTS}
_SUBJECTS = {"abnormal": "9192", "serious": "91", "tax_black": "91", "tax_a": "9193", "model": "91"}
_ACCEPTORS = {"审批替代型": ("smr", "health", "build"), "容缺受理型": ("smr", "transport")}


def mixed(rng: random.Random, counts: list[int]) -> Iterator[int]:
    """Category indices in random order, each as often as ``counts`` says (constant memory)."""
    left = list(counts)
    total = sum(left)
    while total:
        r = int(rng.random() * total)
        k = 0
        while r >= left[k]:
            r -= left[k]
            k += 1
        left[k] -= 1
        total -= 1
        yield k


class Lists:
    """红黑名单 and 信用承诺, written side by side."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.promises: Sink | None = None

    def entry(self, key: str, i: int = -1, listed: int = -1, removed: int = -2) -> list[str]:
        """A list row about enterprise ``i`` (or a random subject); -2: removal by the rules."""
        ctx, ent, people = self.ctx, self.ctx.ent, self.ctx.people
        _, list_type, list_name, auth_key, basis, reasons = _LIST[key]
        if key == "tourism":
            p = ctx.known_person()
            name, kind, code, id_number, since = people.name(p), _PERSON, "", people.id(p), 0
        else:
            i = ctx.company(_SUBJECTS[key]) if i < 0 else i
            kind = _TRADER if ent.kind(i) == "92" else _ORG
            name, code, id_number, since = ent.name(i), ent.uscc(i), "", ent.founded[i] + 30
        if listed < 0:
            listed = ctx.record_day(since)
        reason = ctx.pick(reasons)
        if key == "tax_a":
            year = int(ctx.iso[listed][:4])
            listed = min(day(year, 4, 10) + int(ctx.rng.random() * 20), REF_DAY - 1)
            reason = f"{year - 1}{reason}"
        repaired = False
        if removed == -2:
            removed, repaired = self.removal(key, listed)
        auth = ctx.auth[auth_key]
        row = [
            list_type,
            list_name,
            name,
            kind,
            code,
            id_number,
            ctx.iso[listed],
            ctx.iso[removed] if removed >= 0 else "",
            reason,
            basis,
            auth.name,
            auth.uscc,
        ]
        if repaired and self.promises is not None:
            matter = "经营异常名录移出信用修复承诺" if key == "abnormal" else "行政处罚信用修复承诺"
            when = removed - ctx.between(5, 25)
            self.promises.write(
                [
                    name,
                    code,
                    id_number,
                    "信用修复型",
                    matter,
                    ctx.iso[when],
                    auth.name,
                    auth.uscc,
                    "履约",
                ]
            )
        return row

    def removal(self, key: str, listed: int) -> tuple[int, bool]:
        """(removal day or -1, whether it was a repair) by the list's rules."""
        ctx, r = self.ctx, self.ctx.rng.random()
        if key == "abnormal":
            removed = listed + ctx.between(30, 400)
            return (removed, True) if r < 0.55 and removed < REF_DAY else (-1, False)
        if key in ("serious", "tax_black"):
            if listed + 1095 < REF_DAY and r < 0.8:
                return listed + 1095, False
            removed = listed + ctx.between(365, 1000)
            return (removed, True) if r < 0.3 and removed < REF_DAY else (-1, False)
        length = {"tourism": ctx.pick((365, 730, 1095, 1825)), "tax_a": 365, "model": 1095}[key]
        return (listed + length, False) if listed + length < REF_DAY else (-1, False)

    def promise(self) -> list[str]:
        """A 信用承诺 row: mostly enterprises, some natural persons."""
        ctx, people = self.ctx, self.ctx.people
        kind = ctx.pick(T.COMMITMENT_TYPES)
        if ctx.rng.random() < 0.1:
            p = ctx.known_person()
            name, code, id_number, since = people.name(p), "", people.id(p), 0
        else:
            i = ctx.company()
            name, code, id_number = ctx.ent.name(i), ctx.ent.uscc(i), ""
            since = ctx.ent.founded[i]
        auth = ctx.auth[ctx.pick(_ACCEPTORS.get(kind, ("smr", "tax", "drc")))]
        return [
            name,
            code,
            id_number,
            kind,
            ctx.pick(T.COMMITMENT_MATTERS[kind]),
            ctx.iso[ctx.record_day(since)],
            auth.name,
            auth.uscc,
            ctx.pick(T.FULFILMENT),
        ]

    def run(self, counts: dict[str, int], promises: int) -> None:
        ctx, plan = self.ctx, self.ctx.plan
        planned: list[tuple[str, int, int]] = [
            ("serious", ev.listed, ev.listing_day) for ev in plan.evasions if ev.where == "serious"
        ]
        for members in plan.hubs:  # some firms at an agency address are listed
            firms = [i for i in sorted(members) if ctx.ent.founded[i] < REF_DAY - 400]
            picked = firms[:: max(1, len(firms) // max(3, len(members) // 10))]
            planned += [("serious", i, ctx.record_day(ctx.ent.founded[i] + 30)) for i in picked]
        for members in plan.shells[::2]:
            first = ctx.ent.founded[members[0]] + ctx.between(300, 700)
            planned += [("abnormal", i, first) for i in members if first < REF_DAY]
        keys = list(counts)
        with (
            ctx.sink(COMMITMENTS, self.promise) as self.promises,
            ctx.sink(LISTS, lambda: self.entry("abnormal", removed=-1)) as sink,
        ):
            sizes = [counts[k] for k in keys] + [promises, len(planned)]
            for k in mixed(ctx.rng, sizes):
                if k < len(keys):
                    sink.write(self.entry(keys[k]))
                elif k == len(keys):
                    self.promises.write(self.promise())
                else:
                    key, i, listed = planned.pop()
                    removed = -1 if key == "serious" else -2
                    sink.write(self.entry(key, i, listed, removed))
        self.promises = None


class Court:
    """失信被执行人名单: companies with their legal representative, people with masked IDs."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.gists: dict[int, int] = {}
        self.cases: dict[int, int] = {}
        self.outsiders = self.done = 0
        self.found: list[dict[str, Any]] = ctx.found.setdefault("masked_persons", [])

    def row(
        self, name: str, code: str, rep: str, registered: int = -1, shown: int = -1
    ) -> list[str]:
        ctx, div = self.ctx, self.ctx.division[2:]
        court, city_court = ctx.auth["court"].name, ctx.auth["court_city"].name
        if registered < 0:
            registered = ctx.between(RECORDS_FROM, REF_DAY - 60)
        year = int(ctx.iso[registered][:4])
        gist_year = max(year - ctx.pick((0, 1, 1, 2)), 2017)
        g = self.gists[gist_year] = self.gists.get(gist_year, 0) + 1
        own = ctx.rng.random() < 0.7
        court_code, kind = (div, "民初") if own else ("01", "民终")
        gist = f"（{gist_year}）{V.PROVINCE_ABBR}{court_code}{kind}{g}号"
        c = self.cases[year] = self.cases.get(year, 0) + 1
        exit_day = -1
        if shown < 0:
            shown = min(registered + ctx.between(20, 180), REF_DAY - 1)
            if ctx.rng.random() < 0.35:
                exit_day = shown + ctx.between(60, 700)
        duty = ctx.pick(T.COURT_DUTIES).format(n=ctx.between(1, 500))
        return [
            name,
            code,
            rep,
            court,
            V.PROVINCE,
            gist,
            ctx.iso[registered],
            f"（{year}）{V.PROVINCE_ABBR}{div}执{c}号",
            court if own else city_court,
            duty,
            ctx.pick(T.COURT_PERFORMANCE),
            ctx.pick(T.COURT_SITUATIONS),
            ctx.iso[shown],
            ctx.iso[exit_day] if 0 <= exit_day < REF_DAY else "",
        ]

    def company_row(self, i: int = -1, shown: int = -1) -> list[str]:
        ctx = self.ctx
        i = ctx.company("9193") if i < 0 else i
        registered = shown - ctx.between(20, 120) if shown >= 0 else -1
        lr = ctx.ent.lr[i]
        return self.row(ctx.ent.name(i), ctx.ent.uscc(i), ctx.people.name(lr), registered, shown)

    def person(self, sink: Sink, twin: int = -1) -> None:
        """A natural person: someone known (one candidate), an outsider (none) or a twin."""
        ctx, people, ent = self.ctx, self.ctx.people, self.ctx.ent
        cands: list[int] = []
        if twin >= 0:
            a = ctx.plan.twin_people[twin][0]
            name, id_number, cands = people.name(a), people.id(a), list(ctx.plan.twins[twin])
        else:  # someone known, or an outsider; the first two are one of each
            known = self.done == 0 or (self.done > 1 and ctx.rng.random() < 0.55)
            self.done += 1
            for _ in range(30 if known else 0):
                i = ctx.company()
                p = ent.lr[i]
                name, id_number = people.name(p), people.id(p)
                if people.matches(id_number, name) == [p]:
                    cands = [i]
                    break
        if not cands:
            while True:
                name, id_number = people.outsider(self.outsiders)
                self.outsiders += 1
                if not people.matches(id_number, name):
                    break
        at = sink.write(self.row(name, court_mask(id_number), ""))
        resolution = "ambiguous" if len(cands) > 1 else "unique" if cands else "none"
        self.found.append(
            {
                "row": at,
                "masked_id": court_mask(id_number),
                "name": name,
                "resolution": resolution,
                "candidates": [
                    {"uscc": ent.uscc(i), "role": "legal_representative"} for i in cands
                ],
                "actual": ent.uscc(cands[0]) if cands else None,
            }
        )

    def run(self, companies: int, persons: int) -> None:
        ctx, plan = self.ctx, self.ctx.plan
        evasions = [ev for ev in plan.evasions if ev.where == "court"]
        twins = list(range(len(plan.twins)))
        with ctx.sink(COURT, self.company_row) as sink:
            for k in mixed(ctx.rng, [companies, persons, len(evasions), len(twins)]):
                if k == 0:
                    sink.write(self.company_row())
                elif k == 1:
                    self.person(sink)
                elif k == 2:
                    ev = evasions.pop()
                    sink.write(self.company_row(ev.listed, ev.listing_day))
                else:
                    self.person(sink, twins.pop())
