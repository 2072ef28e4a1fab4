"""The county's organisations: enterprises as pure functions of their index, and the rest."""

from __future__ import annotations

import random
from array import array
from dataclasses import dataclass

from loaders.synthetic import templates as T
from loaders.synthetic import vocab as V
from loaders.synthetic.codes import Perm, base31, make_uscc, mix64

NEW_ERA = 24014  # day number of 2015-10-01: codes from here on are MA…-style
_ROADS = [w + k for w in V.ROAD_WORDS for k in V.ROAD_KINDS]
_SOCIAL_ADDRESS = 12_000_000
_KINDS = ("", "91", "92", "93")
_KIND_BITS = {"91": 1, "92": 2, "93": 3}  # address indices of social organisations start here


@dataclass(frozen=True)
class Org:
    """A small organisation (authority, public institution, law firm ...): name and USCC."""

    key: str
    name: str
    uscc: str
    prefix: str = ""  # penalty document prefix, for authorities


class Enterprises:
    """Enterprises 0..count-1 (and spare ones beyond): code, name and contacts derive from the
    index (seeded bijections, so nothing repeats); legal representative and founding day are
    kept in arrays. ``kind``/``era``/``phone_src``/``addr_src`` hold planted exceptions."""

    def __init__(self, rng: random.Random, count: int, division: str, district: str) -> None:
        self.count, self.division, self.district = count, division, district
        self.salt = rng.getrandbits(64)
        z = len(V.ZIHAO)
        self.perm_new, self.perm_old = Perm(31**6, rng), Perm(10**8, rng)
        self.perm_name = Perm(4 * z * z * 32 * 2, rng)
        self.perm_land, self.perm_mobile = Perm(10**7, rng), Perm(32 * 10**8, rng)
        self.perm_addr = Perm(120 * 999 * 200, rng)
        self.kinds: dict[int, str] = {}
        self.eras: dict[int, bool] = {}
        self.phone_src: dict[int, int] = {}
        self.addr_src: dict[int, int] = {}
        self.lr = array("i", [-1]) * count
        self.founded = array("H", [0]) * count
        self._uscc = bytearray(18 * count)
        self._traits = bytearray(count)
        short = district[:-1] if len(district) > 2 else district
        city, place = V.CITY[:-1], V.CITY + district
        self._names = (  # by kind bits: prefixes (4), lines of business (32), endings (2)
            ((), (), ()),
            ((city, V.CITY, V.PROVINCE, city + short), V.INDUSTRIES, ("有限公司", "有限责任公司")),
            ((district, place, V.CITY, ""), V.SHOPS, ("店", "经营部")),
            ((place, district, V.CITY, short), V.COOPS, ("专业合作社", "农民专业合作社")),
        )
        self._trades = [a + b for a in V.ZIHAO for b in V.ZIHAO]
        self._streets = [place + road for road in _ROADS]
        self._numbers = [f"{n}号" for n in range(1, 1000)]
        self._rooms = [""] + [f"{u // 40 + 1}栋{u % 40 // 4 + 1}0{u % 4 + 1}室" for u in range(199)]

    def traits(self, i: int) -> int:
        """Packed facts fixed by the index: bits 0-1 kind (1: 91, 2: 92, 3: 93), 2 new era,
        3 joint stock, 4 landline, 5 registered by the city; bit 7 marks a cached value."""
        if i < self.count and (t := self._traits[i]):
            return t
        h = mix64(i ^ self.salt)
        kind = self.kinds.get(i)
        if kind is None:
            k = h % 100
            kind = "91" if k < 75 else "92" if k < 95 else "93"
        era = self.eras.get(i)
        t = 0x80 | _KIND_BITS[kind]
        t |= 4 if ((h >> 8) % 100 < 65 if era is None else era) else 0
        t |= 8 if kind == "91" and (h >> 16) % 100 < 4 else 0
        t |= 16 if (h >> 32) % 100 < 65 else 0
        t |= 32 if (h >> 24) % 100 < 6 else 0
        if i < self.count:
            self._traits[i] = t
        return t

    def kind(self, i: int) -> str:
        """'91' company, '92' sole trader or '93' co-operative."""
        return _KINDS[self.traits(i) & 3]

    def new_era(self, i: int) -> bool:
        """Founded since October 2015 (an MA… code)?"""
        return bool(self.traits(i) & 4)

    def joint_stock(self, i: int) -> bool:
        """A 股份有限公司 (a few companies)?"""
        return bool(self.traits(i) & 8)

    def uscc(self, i: int) -> str:
        """The enterprise's unified social credit code."""
        if i < self.count and self._uscc[18 * i]:
            return self._uscc[18 * i : 18 * i + 18].decode("ascii")
        t = self.traits(i)
        org = "MA" + base31(self.perm_new(i)) if t & 4 else f"{self.perm_old(i):08d}"
        code = make_uscc(_KINDS[t & 3], V.CITY_CODE if t & 32 else self.division, org)
        if i < self.count:
            self._uscc[18 * i : 18 * i + 18] = code.encode("ascii")
        return code

    def name(self, i: int) -> str:
        """The enterprise's registered name (unique for up to ~3.8 million enterprises)."""
        t = self._traits[i] if i < self.count else 0
        t = t or self.traits(i)
        prefixes, middles, forms = self._names[t & 3]
        v, prefix = divmod(self.perm_name(i), 4)
        v, trade = divmod(v, len(self._trades))
        form, middle = divmod(v, 32)
        end = "股份有限公司" if t & 8 else forms[form]
        return prefixes[prefix] + self._trades[trade] + middles[middle] + end

    def phone(self, i: int) -> str:
        """Registered phone: a landline 027-8xxxxxxx or a mobile number."""
        src = self.phone_src.get(i, i)
        if self.traits(src) & 16:
            return f"{V.AREA_CODE}-8{self.perm_land(src):07d}"
        prefix, rest = divmod(self.perm_mobile(src), 10**8)
        return f"{V.MOBILE_PREFIXES[prefix]}{rest:08d}"

    def address(self, i: int) -> str:
        """Registered address (住所)."""
        return self.place(self.addr_src.get(i, i))

    def place(self, index: int) -> str:
        """The address with this address index: road, number, then building and room."""
        v, road = divmod(self.perm_addr(index), 120)
        unit, number = divmod(v, 999)
        return self._streets[road] + self._numbers[number] + self._rooms[unit]

    def social_address(self, j: int) -> str:
        """Address of social organisation j (never an enterprise's)."""
        return self.place(_SOCIAL_ADDRESS + j)


class OrgCodes:
    """Organisation codes for non-enterprise bodies: a letter or digit stem, then a bijection."""

    def __init__(self, rng: random.Random) -> None:
        self._digits, self._letters = Perm(10**7, rng), Perm(31**6, rng)
        self._next = 0

    def digits(self, stem: str) -> str:
        """8 characters: the stem digit and 7 digits."""
        self._next += 1
        return f"{stem}{self._digits(self._next):07d}"

    def letters(self, stem: str) -> str:
        """8 characters: a two-letter stem (MJ social organisation, MD law firm ...) and 6."""
        self._next += 1
        return stem + base31(self._letters(self._next))


def authorities(codes: OrgCodes, division: str, district: str) -> list[Org]:
    """The county's authorities (government organs, 11…), in AUTHORITIES order."""
    out = []
    for key, template, prefix, level in T.AUTHORITIES:
        name = template.format(city=V.CITY, d=district)
        div = division if level == "county" else V.CITY_CODE
        uscc = make_uscc("11", div, codes.digits("0"))
        out.append(Org(key, name, uscc, prefix.format(s=district[0])))
    return out


def public_institutions(codes: OrgCodes, division: str, district: str, n: int) -> list[Org]:
    """Public institutions (事业单位, 12…)."""
    out = []
    for k in range(n):
        base = V.PUBLIC_INSTITUTIONS[k % len(V.PUBLIC_INSTITUTIONS)]
        branch = "" if k < len(V.PUBLIC_INSTITUTIONS) else f"{V.ROAD_WORDS[k // 20 % 30]}分部"
        extra = "" if k < 600 else str(k // 600)
        name = f"{V.CITY}{district}{base}{branch}{extra}"
        out.append(Org("pi", name, make_uscc("12", division, codes.digits("4"))))
    return out


def legal_services(rng: random.Random, codes: OrgCodes, division: str, n: int) -> list[Org]:
    """Law firms (31…), notary offices (12…) and forensic institutes (34…)."""
    z = len(V.ZIHAO)
    picks = Perm(z * z, rng)
    out = []
    for k in range(n + 4):
        zihao = picks(k)
        trade = V.ZIHAO[zihao // z] + V.ZIHAO[zihao % z]
        if k < n:
            org = Org("law_firm", f"{V.PROVINCE}{trade}律师事务所", "")
            prefix, code = "31", codes.letters("MD")
        elif k < n + 2:
            org = Org("notary", f"{V.CITY}{trade}公证处", "")
            prefix, code = "12", codes.digits("4")
        else:
            org = Org("forensic", f"{V.PROVINCE}{trade}司法鉴定所", "")
            prefix, code = "34", codes.letters("MD")
        out.append(Org(org.key, org.name, make_uscc(prefix, division, code)))
    return out
