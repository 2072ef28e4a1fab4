"""What every generator phase shares: the seeded RNG, populations, plan and small helpers."""

from __future__ import annotations

import random
from array import array
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

from loaders.synthetic.codes import People, day, iso_dates
from loaders.synthetic.plan import REF_DAY, Plan
from loaders.synthetic.sink import Sink, Truth
from loaders.synthetic.spec import FileSpec
from loaders.synthetic.world import Enterprises, Org

T = TypeVar("T")
RECORDS_FROM = day(2019, 1, 1)  # credit records run from 2019 to the day before REF_DAY


@dataclass
class SocialOrgs:
    """Social organisations as arrays: USCC bytes, kind (0 社会团体 1 民办非企业 2 基金会), name."""

    usccs: bytearray = field(default_factory=bytearray)
    kinds: array[int] = field(default_factory=lambda: array("B"))
    lr: array[int] = field(default_factory=lambda: array("i"))
    names: list[str] = field(default_factory=list)

    @property
    def n(self) -> int:
        """How many there are."""
        return len(self.kinds)

    def uscc(self, j: int) -> str:
        """The organisation's USCC."""
        return self.usccs[18 * j : 18 * j + 18].decode("ascii")


@dataclass
class Context:
    """The county being generated."""

    rng: random.Random
    out_dir: Path
    truth: Truth
    xlsx: bool
    entities: int
    division: str
    district: str
    people: People
    ent: Enterprises
    plan: Plan
    auth: dict[str, Org]
    pis: list[Org]
    pi_lr: list[int]
    legal: list[Org]
    social: SocialOrgs = field(default_factory=SocialOrgs)
    found: dict[str, list[Any]] = field(default_factory=dict)  # structures met while writing
    officials: list[int] = field(default_factory=list)
    judicial: list[int] = field(default_factory=list)
    iso: tuple[str, ...] = field(default_factory=iso_dates)

    def sink(self, spec: FileSpec, spare: Callable[[], list[str]], xlsx: bool = False) -> Sink:
        """A Sink for ``spec`` in the output directory."""
        return Sink(self.out_dir, spec, self.rng, self.truth, spare, xlsx=xlsx and self.xlsx)

    def pick(self, items: Sequence[T]) -> T:
        """A uniform choice (faster than random.choice)."""
        return items[int(self.rng.random() * len(items))]

    def between(self, lo: int, hi: int) -> int:
        """A uniform integer in [lo, hi]."""
        return lo + int(self.rng.random() * (hi - lo + 1))

    def known_person(self) -> int:
        """Someone already in the registry."""
        return int(self.rng.random() * self.people.n)

    def record_day(self, since: int = RECORDS_FROM) -> int:
        """A day for a record, on or after ``since`` and before REF_DAY."""
        return self.between(max(since, RECORDS_FROM), REF_DAY - 1)

    def company(self, kinds: str = "919293") -> int:
        """A random enterprise founded at least 30 days before REF_DAY, of one of ``kinds``."""
        ent, r, n = self.ent, self.rng.random, self.ent.count
        while True:
            i = int(r() * n)
            if ent.founded[i] < REF_DAY - 30 and (kinds == "919293" or ent.kind(i) in kinds):
                return i


@cache
def amount(cents: int) -> str:
    """An amount in 万元 from hundredths: 1250 -> '12.5', 600 -> '6'."""
    whole, part = divmod(cents, 100)
    return str(whole) if not part else f"{whole}.{part:02d}".rstrip("0")


def fine_cents(rng: random.Random) -> int:
    """A fine in hundredths of 万元: mostly small, now and then large."""
    r = rng.random()
    if r < 0.4:
        return 5 + int(rng.random() * 45)
    if r < 0.8:
        return 50 + int(rng.random() * 450)
    if r < 0.97:
        return 500 + int(rng.random() * 4500)
    return 5000 + int(rng.random() * 45000)
