"""社会组织登记信息, 公务员诚信档案 and 司法执法人员信用档案."""

from __future__ import annotations

from loaders.synthetic import templates as T
from loaders.synthetic import vocab as V
from loaders.synthetic.codes import day, make_uscc
from loaders.synthetic.context import Context
from loaders.synthetic.plan import REF_DAY
from loaders.synthetic.spec import JUDICIAL, OFFICIALS, SOCIAL
from loaders.synthetic.world import Org, OrgCodes

_SOCIAL_PICK = (0,) * 11 + (1,) * 8 + (2,)
_JUDICIAL_PICK = [k for k, (_, share, _, _) in enumerate(T.JUDICIAL_KINDS) for _ in range(share)]
_SUPERVISORS = ("civil", "edu", "hr", "health", "tour", "smr", "build", "agri")


def write_social(ctx: Context, codes: OrgCodes, count: int) -> None:
    """社会组织登记信息: associations, private non-enterprise units and foundations."""
    social, people, z = ctx.social, ctx.people, len(V.ZIHAO)
    civil = ctx.auth["civil"].name
    supervisors = [ctx.auth[k].name for k in _SUPERVISORS]
    spare_index = [count]

    def row(j: int, kind: int, lr: int) -> list[str]:
        prefix, type_name = V.SOCIAL_TYPES[kind]
        v, topic = divmod(j, len(V.SOCIAL_TOPICS))
        v, form = divmod(v, 3)
        v, pair = divmod(v, z * z)
        pair = pair * 7919 % (z * z)  # 7919 is prime to z*z: a shuffle of the trade names
        trade = V.ZIHAO[pair // z] + V.ZIHAO[pair % z] if v or pair else ""
        name = f"{ctx.district}{trade}{V.SOCIAL_TOPICS[topic]}{V.SOCIAL_FORMS[type_name][form]}"
        name += str(v + 1) if v else ""
        code = make_uscc(prefix, ctx.division, codes.letters("MJ"))
        founded = ctx.between(day(1995, 1, 1), REF_DAY - 30)
        supervisor = ctx.pick(supervisors) if ctx.rng.random() < 0.6 else ""
        return [
            code,
            name,
            type_name,
            people.name(lr),
            people.id(lr),
            civil,
            supervisor,
            ctx.iso[founded],
            ctx.ent.social_address(j),
            ctx.pick(V.SOCIAL_STATUSES),
        ]

    def spare() -> list[str]:
        spare_index[0] += 1
        return row(spare_index[0], ctx.pick(_SOCIAL_PICK), ctx.known_person())

    with ctx.sink(SOCIAL, spare) as sink:
        for j in range(count):
            kind = ctx.pick(_SOCIAL_PICK)
            lr = people.new() if ctx.rng.random() < 0.5 else ctx.known_person()
            values = row(j, kind, lr)
            social.usccs += values[0].encode("ascii")
            social.kinds.append(kind)
            social.lr.append(lr)
            social.names.append(values[1])
            sink.write(values)


def _link_text(ctx: Context, k: int) -> str:
    link, ent = ctx.plan.links[k], ctx.ent
    if link.kind == "shareholder":
        return f"本人持有{ent.name(link.company)}股份"
    if link.kind == "legal_representative":
        return f"本人担任{ent.name(link.company)}法定代表人"
    if link.kind == "executive":
        return f"本人担任{ent.name(link.company)}监事"
    return f"本人经营{ent.name(link.via)}"


def write_officials(ctx: Context, count: int) -> None:
    """公务员诚信档案: civil servants with appraisals, reports, awards and sanctions."""
    people, units = ctx.people, [ctx.auth[k] for k in T.OFFICIAL_UNITS]
    units += ctx.pis[: max(1, len(ctx.pis) // 4)]
    source = ctx.auth["org"].name
    staff: list[tuple[int, Org, str]] = []

    def record(p: int, unit: Org, post: str, kind: int, text: str = "") -> list[str]:
        record_type, results = T.OFFICIAL_RECORDS[kind]
        when = ctx.record_day()
        year = int(ctx.iso[when][:4])
        if kind == 0:
            when = ctx.between(day(year, 1, 5), day(year, 2, 28))
            text = f"{year - 1}年度考核"
        elif not text:
            text = ("个人有关事项报告", "获评优秀公务员", "违反工作纪律")[kind - 1]
        when = min(when, REF_DAY - 1)
        result = ctx.pick(results)
        return [
            people.name(p),
            people.id(p),
            unit.name,
            unit.uscc,
            post,
            record_type,
            text,
            ctx.iso[when],
            result,
            source,
        ]

    def spare() -> list[str]:
        p, unit, post = ctx.pick(staff) if staff else (ctx.known_person(), units[0], "科员")
        return record(p, unit, post, 0)

    linked = [k for k, link in enumerate(ctx.plan.links) if not link.judicial]
    with ctx.sink(OFFICIALS, spare) as sink:
        for n in range(max(count, len(linked))):
            p = ctx.plan.links[linked[n]].person if n < len(linked) else people.new()
            unit, post = ctx.pick(units), ctx.pick(T.OFFICIAL_POSTS)
            staff.append((p, unit, post))
            ctx.officials.append(p)
            for _ in range(1 + int(ctx.rng.random() * 3)):
                sink.write(record(p, unit, post, ctx.pick((0, 0, 0, 1, 1, 2, 3))))
            if n < len(linked):
                sink.write(record(p, unit, post, 1, _link_text(ctx, linked[n])))


def write_judicial(ctx: Context, count: int) -> None:
    """司法执法人员信用档案: judges, prosecutors, police, lawyers, notaries, forensic examiners."""
    people = ctx.people
    firms = {
        key: [o for o in ctx.legal if o.key == key] for key in ("law_firm", "notary", "forensic")
    }
    serial = [0]

    def licence(category: str, year: int) -> str:
        serial[0] += 1
        if category == "律师":
            return f"1{ctx.division[:4]}{year}1{serial[0]:07d}"
        if category == "公证员":
            return f"{ctx.division}{year}{serial[0]:05d}"
        if category == "司法鉴定人员":
            return f"{ctx.division[:2]}{year}{serial[0]:06d}"
        return ""

    def record(p: int, k: int, unit: Org, number: str) -> list[str]:
        category, _, _, source = T.JUDICIAL_KINDS[k]
        kinds = (0, 1, 3, 4) if k < 3 else (0, 1, 2, 2, 3)
        record_type, text = T.JUDICIAL_RECORDS[ctx.pick(kinds)]
        when = ctx.record_day()
        text = text.format(year=int(ctx.iso[when][:4]) - 1)
        return [
            people.name(p),
            people.id(p),
            category,
            unit.name,
            unit.uscc,
            number,
            record_type,
            text,
            ctx.iso[when],
            ctx.auth[source].name,
        ]

    staff: list[tuple[int, int, Org, str]] = []

    def spare() -> list[str]:
        p, k, unit, number = (
            ctx.pick(staff) if staff else (ctx.known_person(), 0, ctx.auth["court"], "")
        )
        return record(p, k, unit, number)

    linked = [link.person for link in ctx.plan.links if link.judicial]
    with ctx.sink(JUDICIAL, spare) as sink:
        for n in range(max(count, len(linked))):
            p = linked[n] if n < len(linked) else people.new()
            k = ctx.pick(_JUDICIAL_PICK)
            category, _, unit_key, _ = T.JUDICIAL_KINDS[k]
            unit = ctx.auth[unit_key] if unit_key in ctx.auth else ctx.pick(firms[unit_key])
            number = licence(category, ctx.between(1995, 2024))
            staff.append((p, k, unit, number))
            ctx.judicial.append(p)
            for _ in range(1 + int(ctx.rng.random() * 2)):
                sink.write(record(p, k, unit, number))
