"""The structures planted in the county, decided up front as enterprise indices."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from loaders.synthetic.codes import day
from loaders.synthetic.world import NEW_ERA, Enterprises

REF_DAY = day(2026, 11, 26)  # the county's "today": records run up to the day before
LINK_KINDS = ("legal_representative", "shareholder", "executive", "shared_contact")
SHARED = ("phone", "address", "both")
HUB_ADDRESS = 20_000_000  # address indices of agency addresses (代理记账 / 集中登记地址)


@dataclass
class Link:
    """An official (公务员) or judicial officer tied to a company; the person comes later."""

    company: int
    kind: str  # one of LINK_KINDS
    judicial: bool
    via: int = -1  # shared_contact: the sole trader run by the officer
    shared: str = ""
    person: int = -1


@dataclass
class Evasion:
    """A listed company's legal representative founds a new company sharing its contacts."""

    listed: int
    new: int
    listing_day: int
    where: str  # "court" (失信被执行人) or "serious" (严重违法失信名单)
    shared: str
    group: int


@dataclass
class Plan:
    """Planted structures, and per-company lookups the registry writer follows."""

    chains: list[tuple[list[int], list[int]]] = field(default_factory=list)  # members, ratios
    cycles: list[tuple[list[int], list[int]]] = field(default_factory=list)
    shells: list[list[int]] = field(default_factory=list)
    groups: list[list[int]] = field(default_factory=list)  # companies sharing one legal rep
    group_person: list[int] = field(default_factory=list)
    multi: list[int] = field(default_factory=list)  # group ids planted as multi-company people
    evasions: list[Evasion] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    twins: list[tuple[int, int]] = field(default_factory=list)  # company pairs
    twin_people: list[tuple[int, int]] = field(default_factory=list)
    holders: dict[int, list[tuple[int, int]]] = field(default_factory=dict)  # company -> (j, %)
    lr_group: dict[int, int] = field(default_factory=dict)
    lr_link: dict[int, int] = field(default_factory=dict)
    role_link: dict[int, int] = field(default_factory=dict)  # shareholder / executive links
    lr_twin: dict[int, tuple[int, int]] = field(default_factory=dict)
    founded: dict[int, tuple[int, int]] = field(default_factory=dict)  # company -> day range
    hubs: list[list[int]] = field(default_factory=list)  # firms registered at agency address k
    touched: set[int] = field(default_factory=set)  # every company above


def make_plan(rng: random.Random, ent: Enterprises, entities: int) -> Plan:
    """Choose disjoint companies for every planted structure and fix their exceptions."""
    e = ent.count
    counts = {
        "chains": max(2, e // 1500),
        "cycles": max(1, e // 6000),
        "shells": max(2, e // 600),
        "groups": max(3, e // 400),
        "evasions": max(2, e // 1500),
        "links": max(6, entities // 400),
        "twins": max(2, e // 3000),
    }
    need = 6 * counts["chains"] + 4 * counts["cycles"] + 8 * counts["shells"]
    need += 6 * counts["groups"] + 2 * counts["evasions"] + 2 * counts["links"]
    need += 2 * counts["twins"]
    if need > e:
        raise ValueError(f"entities={entities} is too small for the planted structures")
    pool = rng.sample(range(e), need)
    plan = Plan()

    def take(n: int, kind: str = "91") -> list[int]:
        members = [pool.pop() for _ in range(n)]
        for i in members:
            ent.kinds[i] = kind
        plan.touched.update(members)
        return members

    r = rng.random
    for _ in range(counts["chains"]):
        members = take(4 + int(r() * 3))
        ratios = [rng.choice((51, 60, 70, 80, 100, 100)) for _ in members[1:]]
        plan.chains.append((members, ratios))
        for holder, company, ratio in zip(members, members[1:], ratios, strict=False):
            plan.holders.setdefault(company, []).append((holder, ratio))
    for _ in range(counts["cycles"]):
        members = take(2 + int(r() * 3))
        ratios = [20 + int(r() * 26) for _ in members]
        plan.cycles.append((members, ratios))
        for k, company in enumerate(members):
            plan.holders.setdefault(company, []).append((members[k - 1], ratios[k]))
    for _ in range(counts["shells"]):
        members = take(3 + int(r() * 6))
        start = NEW_ERA + 400 + int(r() * (REF_DAY - NEW_ERA - 800))
        plan.shells.append(members)
        for i in members:
            plan.founded[i] = (start, start + 60)
            if i != members[0]:
                ent.phone_src[i] = ent.addr_src[i] = members[0]
    for _ in range(counts["groups"]):
        plan.multi.append(_group(plan, take(3 + int(r() * 4))))
    for _ in range(counts["evasions"]):
        listed, new = take(2)
        listing = day(2019, 6, 1) + int(r() * (day(2025, 10, 31) - day(2019, 6, 1)))
        plan.founded[listed] = (day(2008, 1, 1), listing - 365)
        plan.founded[new] = (listing + 15, min(listing + 540, REF_DAY - 1))
        shared = SHARED[int(r() * 3)]
        if shared != "address":
            ent.phone_src[new] = listed
        if shared != "phone":
            ent.addr_src[new] = listed
        where = "court" if r() < 0.5 else "serious"
        plan.evasions.append(
            Evasion(listed, new, listing, where, shared, _group(plan, [listed, new]))
        )
    for k in range(counts["links"]):
        kind = LINK_KINDS[k % len(LINK_KINDS)]
        link = Link(take(1)[0], kind, judicial=k % 3 == 2)
        if kind == "shared_contact":
            link.via, link.shared = take(1, "92")[0], SHARED[int(r() * 3)]
            if link.shared != "address":
                ent.phone_src[link.via] = link.company
            if link.shared != "phone":
                ent.addr_src[link.via] = link.company
            plan.lr_link[link.via] = len(plan.links)
        elif kind == "legal_representative":
            plan.lr_link[link.company] = len(plan.links)
        else:
            plan.role_link[link.company] = len(plan.links)
        plan.links.append(link)
    for k in range(counts["twins"]):
        pair = take(2)
        plan.twins.append((pair[0], pair[1]))
        plan.lr_twin[pair[0]], plan.lr_twin[pair[1]] = (k, 0), (k, 1)
    _hubs(plan, ent)
    for i, (lo, hi) in plan.founded.items():
        if lo < NEW_ERA <= hi:  # keep the code style (MA… or digits) true to the founding day
            lo, hi = (lo, NEW_ERA - 1) if r() < 0.5 else (NEW_ERA, hi)
            plan.founded[i] = (lo, hi)
        ent.eras[i] = lo >= NEW_ERA
    return plan


def _hubs(plan: Plan, ent: Enterprises) -> None:
    """Agency addresses (代理记账 / 集中登记地址): ~2% of the firms (at least 30), otherwise
    unrelated and untouched by the other structures, registered at one of a few addresses
    (one per 50,000 firms). Drawn from a stream of their own, so the other structures and
    everything the main stream draws stay as they were."""
    e = ent.count
    rng = random.Random(ent.salt ^ 0x0A6E9C)
    addresses = max(1, e // 50_000)
    free = [i for i in range(e) if i not in plan.touched]
    chosen = rng.sample(free, min(len(free), max(30, e // 50)))
    plan.hubs = [[] for _ in range(addresses)]
    for k, i in enumerate(chosen):
        ent.addr_src[i] = HUB_ADDRESS + k % addresses
        plan.hubs[k % addresses].append(i)


def _group(plan: Plan, members: list[int]) -> int:
    gid = len(plan.groups)
    plan.groups.append(members)
    plan.group_person.append(-1)
    for i in members:
        plan.lr_group[i] = gid
    return gid
