"""双公示 records: 行政处罚信息 and 行政许可信息 (optionally also as XLSX)."""

from __future__ import annotations

from collections.abc import Callable

from loaders.synthetic import templates as T
from loaders.synthetic import vocab as V
from loaders.synthetic.context import Context, amount, fine_cents
from loaders.synthetic.spec import LICENCES, PENALTIES

_ORG, _PERSON, _TRADER = V.SUBJECT_KINDS
_PENALISERS = (  # authority key, weight
    ("smr", 30),
    ("tax", 12),
    ("env", 6),
    ("ema", 6),
    ("police", 6),
    ("tour", 4),
    ("build", 6),
    ("hr", 4),
    ("health", 5),
    ("urban", 8),
    ("transport", 4),
    ("fire", 4),
    ("agri", 1),
    ("tobacco", 2),
    ("smr_city", 1),
    ("justice", 1),
    ("civil", 1),
)
_PENALISER_PICK = [k for k, w in _PENALISERS for _ in range(w)]
_LICENCE_PICK = (0,) * 8 + (1, 2, 2, 3, 4, 4, 5, 6, 7, 8, 9, 9, 10)
_LICENCE_SHORT = {
    "smr": "市监",
    "health": "卫",
    "env": "环",
    "build": "建",
    "transport": "交",
    "tour": "文旅",
    "ema": "应急",
    "tobacco": "烟",
}
_P = V.PROVINCE_ABBR
_NUMBERS: dict[str, Callable[[str, int, str, int, str], str]] = {  # licence number styles:
    # (division, serial, holder's USCC, year, district's first character) -> number
    "JY": lambda div, n, code, year, d: f"JY1{div}{n:07d}",
    "PW": lambda div, n, code, year, d: f"{code}{n % 1000:03d}V",
    "梯": lambda div, n, code, year, d: f"梯11{div}{year % 100:02d}{n:05d}",
    "卫公": lambda div, n, code, year, d: f"{d}卫公字〔{year}〕第{n:04d}号",
    "SG": lambda div, n, code, year, d: f"{div}{year}{n:06d}",
    "D": lambda div, n, code, year, d: f"D3{div}{n:05d}",
    "交运": lambda div, n, code, year, d: f"{_P}交运管许可武字{div}{n:06d}号",
    "演": lambda div, n, code, year, d: f"{div}{year}{n:05d}",
    "安经": lambda div, n, code, year, d: f"{_P}武{d}安经字〔{year}〕{n:06d}",
    "烟": lambda div, n, code, year, d: f"{div}{n:06d}",
    "医": lambda div, n, code, year, d: f"PDY{n:05d}{div}",
}
_STATUS_PICK = ("有效",) * 88 + ("注销",) * 7 + ("撤销",) * 5


def subject(ctx: Context, persons: float, others: float) -> tuple[list[str], int]:
    """A record's party block (13 fields) and the earliest day a record about it can have.

    Fields: name, category, USCC, five legacy codes, legal rep, its ID type and number,
    ID type and number (natural persons).
    """
    r, people = ctx.rng.random(), ctx.people
    if r < persons:
        name, id_number = people.card(ctx.known_person())
        return [name, _PERSON, "", "", "", "", "", "", "", "", "", "身份证", id_number], 0
    if r < persons + others:
        if ctx.rng.random() < 0.6 and ctx.social.n:
            j = int(ctx.rng.random() * ctx.social.n)
            name, code, lr = ctx.social.names[j], ctx.social.uscc(j), ctx.social.lr[j]
        else:
            k = int(ctx.rng.random() * len(ctx.pis))
            name, code, lr = ctx.pis[k].name, ctx.pis[k].uscc, ctx.pi_lr[k]
        rep, rep_id = people.card(lr)
        return [name, _ORG, code, "", "", "", "", "", rep, "身份证", rep_id, "", ""], 0
    ent = ctx.ent
    i = ctx.company()
    rep, rep_id = people.card(ent.lr[i])
    kind = _TRADER if ent.traits(i) & 3 == 2 else _ORG
    party = [ent.name(i), kind, ent.uscc(i), "", "", "", "", "", rep, "身份证", rep_id, "", ""]
    return party, ent.founded[i] + 30


class Penalties:
    """行政处罚信息 rows."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.numbers: dict[tuple[str, int], int] = {}

    def row(self) -> list[str]:
        ctx = self.ctx
        party, since = subject(ctx, 0.09, 0.05)
        person = party[1] == _PERSON
        key = ctx.pick(T.PERSON_PENALISERS) if person else ctx.pick(_PENALISER_PICK)
        auth = ctx.auth[key]
        violation, facts, basis, categories = ctx.pick(T.PENALTIES[key])
        category = ctx.pick(categories)
        if category == "行政拘留" and not person:
            category = "罚款"
        decided = ctx.record_day(since)
        year = int(ctx.iso[decided][:4])
        serial = self.numbers[auth.key, year] = self.numbers.get((auth.key, year), 0) + 1
        fine = confiscated = licence = ""
        days = T.PENALTY_CATEGORIES[category]
        if category == "罚款":
            cents = fine_cents(ctx.rng)
            fine = amount(cents)
            content = f"罚款人民币{fine}万元"
            days = 1095 if cents >= 1000 else days
        elif category.startswith("没收"):
            confiscated = amount(fine_cents(ctx.rng))
            content = f"{category}人民币{confiscated}万元"
        elif category in ("暂扣许可证件", "吊销许可证件"):
            licence = f"营业执照（{party[2] or party[12]}）"
            content = f"{category[:2]}{licence}"
        else:
            content = {"警告": "给予警告", "通报批评": "予以通报批评"}.get(category, category)
        ends = min(decided + days, len(ctx.iso) - 1)
        shown = ctx.iso[ends] if ctx.rng.random() < 0.9 else ""
        number = f"{auth.prefix}〔{year}〕{serial}号"
        return [
            *party,
            number,
            violation,
            facts,
            basis,
            category,
            content,
            fine,
            confiscated,
            licence,
            ctx.iso[decided],
            ctx.iso[ends],
            shown,
            auth.name,
            auth.uscc,
            auth.name,
            auth.uscc,
            "",
        ]

    def run(self, count: int) -> None:
        with self.ctx.sink(PENALTIES, self.row) as sink:
            for _ in range(count):
                sink.write(self.row())


class Licences:
    """行政许可信息 rows."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.serials: dict[str, int] = {}
        self.documents: dict[tuple[str, int], int] = {}

    def number(self, style: str, code: str, year: int, short: str) -> tuple[str, str]:
        """(licence number, decision document number)."""
        n = self.serials[style] = self.serials.get(style, 0) + 1
        licence = _NUMBERS[style](self.ctx.division, n, code, year, self.ctx.district[0])
        if style in ("JY", "PW"):
            return licence, licence
        k = self.documents[short, year] = self.documents.get((short, year), 0) + 1
        return licence, f"{self.ctx.district[0]}{short}许〔{year}〕{k}号"

    def row(self) -> list[str]:
        ctx = self.ctx
        key, title, category, certificate, style, contents, years = T.LICENCES[
            ctx.pick(_LICENCE_PICK)
        ]
        auth = ctx.auth[key]
        party, since = subject(ctx, 0.0, 0.06)
        decided = ctx.record_day(since)
        year = int(ctx.iso[decided][:4])
        licence, document = self.number(style, party[2], year, _LICENCE_SHORT[key])
        until = min(decided + years * 365 - 1, len(ctx.iso) - 1)
        del party[3:8]  # the licence layout has only the USCC of the six party codes
        return [
            *party,
            title,
            document,
            category,
            certificate,
            licence,
            ctx.pick(contents),
            ctx.iso[decided],
            ctx.iso[decided],
            ctx.iso[until],
            auth.name,
            auth.uscc,
            ctx.pick(_STATUS_PICK),
            auth.name,
            auth.uscc,
            "",
        ]

    def run(self, count: int) -> None:
        with self.ctx.sink(LICENCES, self.row, xlsx=True) as sink:
            for _ in range(count):
                sink.write(self.row())
