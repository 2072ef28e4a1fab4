"""Seeded bijections and the compact populations (people, enterprises) they give codes to."""

from __future__ import annotations

import random
from array import array
from datetime import date
from functools import cache
from math import gcd
from operator import mul

from graph.ids import USCC_CHARSET, citizen_id_check_char
from loaders.synthetic import vocab as V

DAY0 = date(1950, 1, 1).toordinal()  # day numbers count from here
_LAST_DAY = date(2035, 12, 31).toordinal()
_BIRTH_DAYS = date(2001, 1, 1).toordinal() - DAY0  # people are born 1950-2000
_M64 = (1 << 64) - 1


@cache
def iso_dates() -> tuple[str, ...]:
    """ISO strings of day numbers 0.. (1950-01-01 onwards)."""
    return tuple(date.fromordinal(o).isoformat() for o in range(DAY0, _LAST_DAY + 1))


def day(year: int, month: int = 1, dom: int = 1) -> int:
    """The day number of a date."""
    return date(year, month, dom).toordinal() - DAY0


def mix64(x: int) -> int:
    """SplitMix64 finaliser: a fast, well-spread 64-bit hash of an integer."""
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _M64
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _M64
    return x ^ (x >> 31)


class Perm:
    """A seeded affine bijection of range(size): i -> (a*i + b) mod size, with its inverse."""

    __slots__ = ("a", "ainv", "b", "size")

    def __init__(self, size: int, rng: random.Random) -> None:
        a = rng.randrange(size // 3, size * 2 // 3) | 1
        while gcd(a, size) != 1:
            a += 2
        self.size, self.a, self.b = size, a, rng.randrange(size)
        self.ainv = pow(a, -1, size)

    def __call__(self, i: int) -> int:
        return (self.a * i + self.b) % self.size

    def inverse(self, value: int) -> int:
        """The i that maps to ``value``."""
        return (self.ainv * (value - self.b)) % self.size


# GB 32100 / GB 11714 / GB 11643 weights as in graph.ids, for the table-driven builders below
# (graph.ids checks one code in microseconds; the generator makes one per entity, so it adds
# up: the tests hold these builders to graph.ids on random codes and on every code written).
_USCC_VALUE = {c: i for i, c in enumerate(USCC_CHARSET)}
_USCC_TAIL_WEIGHTS = [pow(3, i, 31) for i in range(8, 17)]
_ORG_VALUE = {c: i for i, c in enumerate("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")}
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_ID_WEIGHTS = [pow(2, 17 - i, 11) for i in range(17)]
_ID_CHECK = "10X98765432"


@cache
def _base31_chunks() -> tuple[str, ...]:
    alphabet = USCC_CHARSET
    return tuple(a + b + c for a in alphabet for b in alphabet for c in alphabet)


def base31(value: int) -> str:
    """``value`` (below 31**6) as 6 characters of the USCC alphabet, left-padded with '0'."""
    chunks = _base31_chunks()
    high, low = divmod(value, 29791)
    return chunks[high] + chunks[low]


@cache
def _head_sum(head: str) -> int:
    return sum(_USCC_VALUE[c] * pow(3, k, 31) for k, c in enumerate(head))


def make_uscc(prefix: str, division: str, org8: str) -> str:
    """A valid USCC: category prefix, division, 8-char org code, then both check characters."""
    check = 11 - sum(map(mul, map(_ORG_VALUE.__getitem__, org8), _ORG_WEIGHTS)) % 11
    org9 = org8 + ("X" if check == 10 else "0" if check == 11 else str(check))
    tail = sum(map(mul, map(_USCC_VALUE.__getitem__, org9), _USCC_TAIL_WEIGHTS))
    total = _head_sum(prefix + division) + tail
    return prefix + division + org9 + USCC_CHARSET[-total % 31]


def _digit_sum(digits: str, offset: int) -> int:
    return sum(int(c) * w for c, w in zip(digits, _ID_WEIGHTS[offset:], strict=False))


def _region_table(county: str) -> list[str]:
    """100 slots of household-registration codes: half local, the rest from further away."""
    wuhan = [c for c in V.OTHER_WUHAN if c != county]
    table = [county] * 50
    for codes, share in ((wuhan, 25), (V.OTHER_HUBEI, 15), (V.ELSEWHERE, 10)):
        table += [codes[i % len(codes)] for i in range(share)]
    return table


class People:
    """Persons as compact arrays: ID numbers (18 bytes each), name codes, a court-mask index.

    ID numbers come from a bijection of (birth day, sequence 000-899), so they never repeat;
    sequence numbers 900-999 are kept for planted same-name, same-mask twins.
    """

    SEQ = 900

    def __init__(self, rng: random.Random, county: str) -> None:
        self.rng = rng
        self.perm = Perm(_BIRTH_DAYS * self.SEQ, rng)
        self.regions = _region_table(county)
        self.county = county
        self.ids = bytearray()
        self.names: array[int] = array("I")
        self.n = 0
        self.twins: list[int] = []
        self._twin_keys: set[tuple[int, int]] = set()
        self._ymd = [s.replace("-", "") for s in iso_dates()[:_BIRTH_DAYS]]
        self._day_sums = [_digit_sum(ymd, 6) for ymd in self._ymd]
        self._seq_sums = [_digit_sum(f"{q:03d}", 14) for q in range(1000)]
        self._region_sums = {r: _digit_sum(r, 0) for r in self.regions}
        surnames = [item.split(":") for item in V.SURNAMES]
        self._surnames: list[str] = [s for s, _ in surnames]
        self._surname_pick = [i for i, (_, w) in enumerate(surnames) for _ in range(int(w))]
        self._given = V.GIVEN
        self._given_names: list[str] = [*V.GIVEN, *(a + b for a in V.GIVEN for b in V.GIVEN)]

    def _id(self, index: int, region: str) -> str:
        birth, seq = divmod(self.perm(index), self.SEQ)
        total = self._region_sums[region] + self._day_sums[birth] + self._seq_sums[seq]
        return f"{region}{self._ymd[birth]}{seq:03d}{_ID_CHECK[total % 11]}"

    def _name_code(self) -> int:
        r, g = self.rng.random, len(self._given)
        surname = self._surname_pick[int(r() * len(self._surname_pick))]
        given = int(r() * g) if r() < 0.25 else g + int(r() * g * g)
        return surname << 20 | given

    def _add(self, id_number: str, name_code: int) -> int:
        self.ids += id_number.encode("ascii")
        self.names.append(name_code)
        self.n += 1
        return self.n - 1

    def new(self) -> int:
        """Allocate a new person; return its index."""
        region = self.regions[int(self.rng.random() * 100)]
        return self._add(self._id(self.n, region), self._name_code())

    def id(self, i: int) -> str:
        """The person's full ID number."""
        return self.ids[18 * i : 18 * i + 18].decode("ascii")

    def card(self, i: int) -> tuple[str, str]:
        """(name, ID number) of person i: the two columns that name a person in every file."""
        code = self.names[i]
        name = self._surnames[code >> 20] + self._given_names[code & 0xFFFFF]
        return name, self.ids[18 * i : 18 * i + 18].decode("ascii")

    def name(self, i: int) -> str:
        """The person's name."""
        code = self.names[i]
        return self._surnames[code >> 20] + self._given_names[code & 0xFFFFF]

    def decode_name(self, code: int) -> str:
        """A name from its code: surname index << 20 | given-name index."""
        return self._surnames[code >> 20] + self._given_names[code & 0xFFFFF]

    def outsider(self, k: int) -> tuple[str, str]:
        """(name, ID) of the k-th person known only to the court list (never allocated)."""
        region = self.regions[int(self.rng.random() * 100)]
        return self.decode_name(self._name_code()), self._id(self.perm.size - 1 - k, region)

    def twin_pair(self) -> tuple[int, int]:
        """Allocate two people with one name whose IDs differ only in birth month and day."""
        rng = self.rng
        while True:
            year, seq = 1960 + int(rng.random() * 36), self.SEQ + int(rng.random() * 100)
            if (year, seq) not in self._twin_keys:
                break
        self._twin_keys.add((year, seq))
        first, span = day(year), day(year + 1) - day(year)
        offset = int(rng.random() * span)
        a = f"{self.county}{self._ymd[first + offset]}{seq:03d}"
        a += citizen_id_check_char(a)
        for step in range(1, span):
            b = f"{self.county}{self._ymd[first + (offset + step) % span]}{seq:03d}"
            if citizen_id_check_char(b) == a[17]:
                b += a[17]
                break
        code = self._name_code()
        pair = (self._add(a, code), self._add(b, code))
        self.twins += pair
        return pair

    def matches(self, id_number: str, name: str) -> list[int]:
        """Indices of allocated people with this name whose ID differs at most in month/day."""
        year, seq = int(id_number[6:10]), int(id_number[14:17])
        head, tail = id_number[:10].encode(), id_number[14:].encode()
        if seq >= self.SEQ:
            pool = self.twins
        else:
            lo, hi = max(day(year), 0), min(day(year + 1), _BIRTH_DAYS)
            perm, n, s = self.perm, self.n, self.SEQ
            a, b, size = perm.ainv, perm.b - seq, perm.size  # inverse of day * SEQ + seq
            pool = [i for d in range(lo, hi) if (i := a * (d * s - b) % size) < n]
        ids = self.ids
        return sorted(
            i
            for i in pool
            if ids[18 * i : 18 * i + 10] == head
            and ids[18 * i + 14 : 18 * i + 18] == tail
            and self.name(i) == name
        )


def court_mask(id_number: str) -> str:
    """The court list's mask: birth month and day hidden (4201021985****0026)."""
    return id_number[:10] + "****" + id_number[14:]
