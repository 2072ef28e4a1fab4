"""The enterprise registry: 企业登记信息, 股东及出资信息 and 主要人员信息, streamed together."""

from __future__ import annotations

from collections.abc import Callable
from itertools import pairwise

from loaders.synthetic import vocab as V
from loaders.synthetic.codes import day
from loaders.synthetic.context import Context, amount
from loaders.synthetic.plan import REF_DAY
from loaders.synthetic.spec import ENTERPRISES, PERSONNEL, SHAREHOLDERS
from loaders.synthetic.world import NEW_ERA

_STATUS_PICK = [  # 100 slots
    s for s, w in zip(V.COMPANY_STATUSES, V.COMPANY_STATUS_WEIGHTS, strict=True) for _ in range(w)
]
_OLD_FROM = day(1996, 1, 1)
_ID_CARD, _CODE = "居民身份证", "统一社会信用代码"
Writer = Callable[[list[str]], int]
_PERCENT = [f"{k}%" for k in range(101)]
_NEW_DAYS, _OLD_DAYS = REF_DAY - 25 - NEW_ERA, NEW_ERA - _OLD_FROM  # founding days per era
_HOLDER_RATIOS = (10, 20, 30, 51, 60, 100, 100)
_EXTRA_OWNERS = (0, 0, 1, 1, 2)


class Registry:
    """Writes one enterprise at a time, with its shareholders and key personnel."""

    def __init__(self, ctx: Context, person_target: int) -> None:
        self.ctx, self.target = ctx, person_target
        self.people, self.count, self.random = ctx.people, ctx.ent.count, ctx.rng.random
        self.i = 0
        self.spare_index = ctx.ent.count
        smr, smr_city = ctx.auth["smr"].name, ctx.auth["smr_city"].name
        self.registrar = {0: smr, 32: smr_city}  # by the "registered by the city" trait

    def person(self, taken: list[int]) -> int:
        """A new person while the registry is behind its target, else someone known."""
        people = self.people
        n = people.n
        if n * self.count < self.target * (self.i + 1):
            return people.new()
        p = int(self.random() * n)
        return p if p not in taken else people.new()

    def legal_rep(self, i: int) -> int:
        plan, people = self.ctx.plan, self.ctx.people
        if (g := plan.lr_group.get(i)) is not None:
            if plan.group_person[g] < 0:
                plan.group_person[g] = people.new()
            return plan.group_person[g]
        if (k := plan.lr_link.get(i)) is not None:
            return self.link_person(k)
        if (twin := plan.lr_twin.get(i)) is not None:
            pair, side = twin
            while len(plan.twin_people) <= pair:
                plan.twin_people.append((-1, -1))
            if plan.twin_people[pair][0] < 0:
                plan.twin_people[pair] = people.twin_pair()
            return plan.twin_people[pair][side]
        return self.person([])

    def link_person(self, k: int) -> int:
        link = self.ctx.plan.links[k]
        if link.person < 0:
            link.person = self.ctx.people.new()
        return link.person

    def founded(self, i: int) -> int:
        ctx, ent = self.ctx, self.ctx.ent
        span = ctx.plan.founded.get(i)
        if span is None:
            span = (NEW_ERA, REF_DAY - 25) if ent.new_era(i) else (_OLD_FROM, NEW_ERA - 1)
        return ctx.between(*span)

    def row(self, i: int, lr: int, etype: str, founded: int) -> list[str]:
        ent = self.ctx.ent
        name, id_number = self.people.card(lr)
        status = _STATUS_PICK[int(self.random() * 100)]
        code, traits = ent.uscc(i), ent.traits(i)
        where, phone, registrar = ent.address(i), ent.phone(i), self.registrar[traits & 32]
        day = self.ctx.iso[founded]
        return [code, ent.name(i), etype, name, id_number, day, status, where, phone, registrar]

    def spare_row(self) -> list[str]:
        """A registry row for an enterprise outside the county's population."""
        i = self.spare_index
        self.spare_index += 1
        etype = {"91": "有限责任公司(自然人投资或控股)", "92": "个体工商户", "93": "农民专业合作社"}
        return self.row(i, self.ctx.known_person(), etype[self.ctx.ent.kind(i)], self.founded(i))

    def spare_holder(self) -> list[str]:
        ctx = self.ctx
        p, company = ctx.known_person(), ctx.ent.uscc(int(ctx.rng.random() * max(self.i, 1)))
        return [company, ctx.people.name(p), "自然人股东", _ID_CARD, ctx.people.id(p), "5", "5%"]

    def spare_person(self) -> list[str]:
        ctx = self.ctx
        p, company = ctx.known_person(), ctx.ent.uscc(int(ctx.rng.random() * max(self.i, 1)))
        return [company, ctx.people.name(p), ctx.people.id(p), "监事"]

    def run(self) -> None:
        """Write every enterprise of the county."""
        ctx = self.ctx
        with (
            ctx.sink(ENTERPRISES, self.spare_row) as reg,
            ctx.sink(SHAREHOLDERS, self.spare_holder) as holders,
            ctx.sink(PERSONNEL, self.spare_person) as staff,
        ):
            for i in range(ctx.ent.count):
                self.i = i
                self.one(i, reg.write, holders.write, staff.write)

    def one(self, i: int, reg: Writer, holders: Writer, staff: Writer) -> None:
        ctx, ent, people, plan = self.ctx, self.ctx.ent, self.ctx.people, self.ctx.plan
        r = ctx.rng.random
        traits = ent.traits(i)
        planned = i in plan.touched
        if planned:
            founded, lr = self.founded(i), self.legal_rep(i)
        else:
            founded = (
                NEW_ERA + int(r() * _NEW_DAYS) if traits & 4 else _OLD_FROM + int(r() * _OLD_DAYS)
            )
            lr = self.person([])
        ent.founded[i] = founded
        ent.lr[i] = lr
        kind = traits & 3
        if kind == 2:  # 92 sole trader
            reg(self.row(i, lr, "个体工商户", founded))
            return
        row = self.row(i, lr, "农民专业合作社", founded)
        code, lr_name, lr_id = row[0], row[3], row[4]
        if kind == 3:  # 93 co-operative
            reg(row)
            staff([code, lr_name, lr_id, "理事长"])
            p = self.person([lr])
            staff([code, *people.card(p), "执行监事"])
            return
        link = plan.role_link.get(i, -1) if planned else -1
        link_kind = plan.links[link].kind if link >= 0 else ""
        corporate = plan.holders.get(i, []) if planned else []
        if not corporate and link < 0 and i and r() < 0.12:
            j = int(r() * i)
            if ent.traits(j) & 3 == 1:
                corporate = [(j, _HOLDER_RATIOS[int(r() * 7)])]
        rest = 100 - sum(ratio for _, ratio in corporate) if corporate else 100
        owners: list[int] = []
        if rest > 0:
            owners.append(lr)
            extra = min(_EXTRA_OWNERS[int(r() * 5)], rest - 1)
            if link_kind == "shareholder":
                owners.append(self.link_person(link))
                extra = min(extra, rest - 2)
            for _ in range(extra):
                owners.append(self.person(owners))
        joint = traits & 8
        if joint:
            etype = "股份有限公司(非上市、自然人投资或控股)"
        elif not owners:
            etype = "有限责任公司(法人独资)" if len(corporate) == 1 else "其他有限责任公司"
        elif corporate:
            etype = "其他有限责任公司"
        elif len(owners) == 1:
            etype = "有限责任公司(自然人独资)"
        else:
            etype = "有限责任公司(自然人投资或控股)"
        row[2] = etype
        reg(row)
        capital = V.CAPITALS[int(r() * len(V.CAPITALS))]
        for j, ratio in corporate:
            holding = [code, ent.name(j), "企业法人", _CODE, ent.uscc(j)]
            holders([*holding, amount(capital * ratio), _PERCENT[ratio]])
        for k, ratio in enumerate(_split(r, rest, len(owners))):
            name, pid = (lr_name, lr_id) if k == 0 else people.card(owners[k])
            holders(
                [code, name, "自然人股东", _ID_CARD, pid, amount(capital * ratio), _PERCENT[ratio]]
            )
        big = joint or len(owners) >= 3
        staff([code, lr_name, lr_id, "董事长" if big else "执行董事兼总经理"])
        taken = [lr]
        if big:
            for p in owners[1:3]:
                staff([code, *people.card(p), "董事"])
                taken.append(p)
            p = self.person(taken)
            taken.append(p)
            staff([code, *people.card(p), "总经理"])
        p = self.link_person(link) if link_kind == "executive" else self.person(taken)
        staff([code, *people.card(p), "监事会主席" if joint else "监事"])


def _split(r: Callable[[], float], total: int, parts: int) -> list[int]:
    """``total`` per cent cut into ``parts`` positive whole shares."""
    if parts <= 1:
        return [total] * parts
    cuts: set[int] = set()
    while len(cuts) < parts - 1:
        cuts.add(1 + int(r() * (total - 1)))
    edges = [0, *sorted(cuts), total]
    return [b - a for a, b in pairwise(edges)]
