"""A synthetic county (合成县域数据) in the source formats, with its ground truth, from a seed."""

from __future__ import annotations

import gc
import json
import random
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graph.ids import mask_id
from loaders.synthetic import vocab as V
from loaders.synthetic.codes import People
from loaders.synthetic.context import Context
from loaders.synthetic.lists import Court, Lists
from loaders.synthetic.people import write_judicial, write_officials, write_social
from loaders.synthetic.plan import HUB_ADDRESS, REF_DAY, make_plan
from loaders.synthetic.records import Licences, Penalties
from loaders.synthetic.registry import Registry
from loaders.synthetic.sink import DEFECT_RATE, DUPLICATE_RATE, Truth
from loaders.synthetic.spec import FILES, JUDICIAL, LICENCES, OFFICIALS, XLSX_NAME
from loaders.synthetic.world import (
    Enterprises,
    OrgCodes,
    authorities,
    legal_services,
    public_institutions,
)

GROUND_TRUTH = "ground_truth.json"
MIN_ENTITIES = 1000
ROW_NUMBERING = (
    "row = the line a loader counts with the header as row 1, so the first data row is row 2 "
    "(no field contains a line break; the .xlsx has the same rows)"
)


@dataclass(frozen=True)
class GenerationSummary:
    """What generate_county wrote: files and row counts, timing, and the full ground truth."""

    out_dir: Path
    seed: int
    entities: int
    rows: dict[str, int]
    seconds: float
    ground_truth: dict[str, Any] = field(repr=False)

    @property
    def total_rows(self) -> int:
        """Data rows over every CSV file."""
        return sum(self.rows.values())

    @property
    def rows_per_second(self) -> float:
        """Generation speed."""
        return self.total_rows / self.seconds if self.seconds else 0.0


def generate_county(
    out_dir: Path, *, entities: int, seed: int, xlsx: bool = False
) -> GenerationSummary:
    """Write a county of about ``entities`` organisations and people to ``out_dir``.

    One file per source format (the shared samples' names, headers, column order and
    encodings; ``xlsx`` adds 行政许可信息.xlsx), plus ``ground_truth.json``: row counts, the
    planted malformed and duplicate rows, and the planted structures. The same seed and size
    give byte-identical files. Rows are streamed; memory holds some 30 bytes per entity
    (codes and name indices) and the ground truth.
    """
    if entities < MIN_ENTITIES:
        raise ValueError(f"entities must be at least {MIN_ENTITIES}, got {entities}")
    collecting = gc.isenabled()
    gc.disable()  # millions of short-lived rows and no cycles: reference counting frees them
    try:
        return _generate(Path(out_dir), entities, seed, xlsx)
    finally:
        if collecting:
            gc.enable()


def _generate(out_dir: Path, entities: int, seed: int, xlsx: bool) -> GenerationSummary:
    started = time.perf_counter()
    out_dir.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    division, district = V.COUNTIES[rng.randrange(len(V.COUNTIES))]
    n = entities
    ent = Enterprises(rng, round(0.45 * n), division, district)
    plan = make_plan(rng, ent, n)
    codes = OrgCodes(rng)
    auth = {org.key: org for org in authorities(codes, division, district)}
    pis = public_institutions(codes, division, district, min(600, max(5, n // 200)))
    legal = legal_services(rng, codes, division, max(3, n // 2500))
    people = People(rng, division)
    ctx = Context(
        rng=rng, out_dir=out_dir, truth=Truth(), xlsx=xlsx, entities=n, division=division,
        district=district, people=people, ent=ent, plan=plan, auth=auth, pis=pis,
        pi_lr=[people.new() for _ in pis], legal=legal,
    )  # fmt: skip
    Registry(ctx, round(0.41 * n)).run()
    write_social(ctx, codes, max(10, round(0.04 * n)))
    write_officials(ctx, max(8, round(0.015 * n)))
    write_judicial(ctx, max(8, round(0.006 * n)))
    Penalties(ctx).run(round(0.14 * n))
    Licences(ctx).run(round(0.22 * n))
    e = ent.count
    lists = {
        "abnormal": 0.04 * e,
        "serious": 0.004 * e,
        "tax_black": 0.004 * e,
        "tourism": 0.002 * people.n,
        "tax_a": 0.04 * e,
        "model": 0.008 * e,
    }
    Lists(ctx).run({k: max(2, round(v)) for k, v in lists.items()}, round(0.04 * n))
    Court(ctx).run(max(3, round(0.012 * n)), max(4, round(0.005 * n)))
    truth_data = ground_truth(ctx, seed)
    text = json.dumps(truth_data, ensure_ascii=False, indent=1)
    (out_dir / GROUND_TRUTH).write_text(text + "\n", encoding="utf-8")
    rows = {spec.name: ctx.truth.counts[spec.name] for spec in FILES}
    seconds = time.perf_counter() - started
    return GenerationSummary(out_dir, seed, entities, rows, seconds, truth_data)


def ground_truth(ctx: Context, seed: int) -> dict[str, Any]:
    """Everything the generator planted, as JSON-ready data (full ID numbers never appear)."""
    truth, people = ctx.truth, ctx.people
    files: dict[str, Any] = {}
    for spec in FILES:
        bad = sum(1 for b in truth.bad_rows if b["file"] == spec.name)
        dups = sum(1 for d in truth.duplicates if d["file"] == spec.name)
        files[spec.name] = {"rows": truth.counts[spec.name], "bad_rows": bad, "duplicates": dups}
        files[spec.name] |= spec.schema()
    if ctx.xlsx:
        files[XLSX_NAME] = {"rows": truth.counts[LICENCES.name], "same_rows_as": LICENCES.name}
    return {
        "generator": "credgraph synthetic county",
        "seed": seed,
        "entities": ctx.entities,
        "county": {"division_code": ctx.division, "name": V.CITY + ctx.district},
        "reference_date": ctx.iso[REF_DAY],
        "row_numbering": ROW_NUMBERING,
        "masking": {
            "court_list": "失信被执行人名单 hides birth month and day: 4201021985****0026",
            "elsewhere": "people here are given as graph.ids.mask_id: 420102********0026",
        },
        "rates": {"malformed": DEFECT_RATE, "duplicates": DUPLICATE_RATE},
        "population": {
            "enterprises": ctx.ent.count,
            "persons": people.n,
            "social_organizations": ctx.social.n,
            "authorities": len(ctx.auth),
            "public_institutions": len(ctx.pis),
            "legal_service_organizations": len(ctx.legal),
            "officials": len(ctx.officials),
            "judicial_staff": len(ctx.judicial),
        },
        "files": files,
        "bad_rows": truth.bad_rows,
        "duplicates": truth.duplicates,
        "structures": structures(ctx),
    }


def structures(ctx: Context) -> dict[str, Any]:
    """The planted structures, by USCC and masked person."""
    ent, people, plan = ctx.ent, ctx.people, ctx.plan

    def person(p: int) -> dict[str, str]:
        return {"masked_id": mask_id(people.id(p)), "name": people.name(p)}

    def equity(members: list[int], ratios: list[int], cycle: bool) -> dict[str, Any]:
        pairs = list(zip(members, members[1:], ratios, strict=False))
        if cycle:
            pairs = [(members[k - 1], members[k], ratios[k]) for k in range(len(members))]
        edges = [
            {"holder": ent.uscc(a), "company": ent.uscc(b), "ratio": f"{r}%"} for a, b, r in pairs
        ]
        return {"usccs": [ent.uscc(i) for i in members], "edges": edges}

    links = []
    for link in plan.links:
        item: dict[str, Any] = {"file": (JUDICIAL if link.judicial else OFFICIALS).name}
        item |= person(link.person) | {"link": link.kind, "uscc": ent.uscc(link.company)}
        if link.kind == "shared_contact":
            item |= {"via_uscc": ent.uscc(link.via), "shared": link.shared}
        links.append(item)
    evasions = []
    for ev in plan.evasions:
        item = {"listed_uscc": ent.uscc(ev.listed), "new_uscc": ent.uscc(ev.new)}
        item |= {"shared": ev.shared, "listing_date": ctx.iso[ev.listing_day]}
        item |= {"listed_in": "失信被执行人名单.csv" if ev.where == "court" else "红黑名单.csv"}
        item |= {"new_founded": ctx.iso[ent.founded[ev.new]]}
        if ev.shared != "address":
            item["phone"] = ent.phone(ev.new)
        if ev.shared != "phone":
            item["address"] = ent.address(ev.new)
        item["legal_representative"] = person(plan.group_person[ev.group])
        evasions.append(item)
    return {
        "shell_clusters": [
            {
                "usccs": [ent.uscc(i) for i in m],
                "phone": ent.phone(m[0]),
                "address": ent.address(m[0]),
            }
            for m in plan.shells
        ],
        "equity_chains": [equity(m, r, cycle=False) for m, r in plan.chains],
        "equity_cycles": [equity(m, r, cycle=True) for m, r in plan.cycles],
        "multi_company_people": [
            person(plan.group_person[g])
            | {"role": "legal_representative", "usccs": [ent.uscc(i) for i in plan.groups[g]]}
            for g in plan.multi
        ],
        "officials_linked": links,
        "evasion_pairs": evasions,
        "masked_persons": ctx.found.get("masked_persons", []),
        "hub_addresses": [
            {"address": ent.place(HUB_ADDRESS + k), "usccs": [ent.uscc(i) for i in firms]}
            for k, firms in enumerate(plan.hubs)
        ],
    }
