"""The facts of a list entry that a measure's condition tests (graph.records.FACTS)."""

from __future__ import annotations

import re
from typing import Any

from loaders.base import Row, RowError, normalize_header

_NUMERALS = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5}
_NUMERALS |= {"六": 6, "七": 7, "八": 8, "九": 9}
_N = r"[0-9〇零一二两三四五六七八九十百]+"
_CLAUSE = re.compile(
    rf"^(?:《[^》]*》)?第(?P<article>{_N})条(?:第(?P<paragraph>{_N})款)?"
    rf"(?:第?\((?P<item>{_N})\)项?|第(?P<item2>{_N})项)?$"
)
_DOTTED = re.compile(r"^(\d+)(?:\.(\d+))?(?:\.(\d+))?$")


def chinese_number(text: str) -> int:
    """A number written in digits or Chinese numerals (up to 999).

    >>> [chinese_number(n) for n in ("十二", "二十", "一百零五", "7")]
    [12, 20, 105, 7]
    """
    if text.isdigit():
        return int(text)
    total, digit, previous = 0, None, ""
    for char in text:
        if char in ("百", "十"):
            if previous in ("百", "十", "零", "〇"):
                raise ValueError(f"not a number: {text!r}")
            total += (1 if digit is None else digit) * (100 if char == "百" else 10)
            digit = None
        elif char in _NUMERALS and digit is None:
            digit = _NUMERALS[char] or None  # 零 only holds a place (一百零五)
        else:
            raise ValueError(f"not a number: {text!r}")
        previous = char
    return total + (digit or 0)


def parse_clause(text: str) -> str:
    """列入条款 as article.paragraph.item; ValueError when it cannot be read. An item cited
    without its paragraph (第五条第（一）项) is in the article's only paragraph, the first.

    >>> [parse_clause(c) for c in ("第五条第一款第（一）项", "第5条第1款第1项", "5.1.1")]
    ['5.1.1', '5.1.1', '5.1.1']
    >>> parse_clause("《市场监督管理严重违法失信名单管理办法》第十三条")
    '13'
    >>> parse_clause("第二条第（三）项")
    '2.1.3'
    """
    cleaned = normalize_header(text)
    dotted = _DOTTED.match(cleaned)
    if dotted:
        parts = [int(p) for p in dotted.groups() if p is not None]
    else:
        match = _CLAUSE.match(cleaned)
        if match is None:
            raise ValueError(f"unreadable clause {text!r} (e.g. 第五条第一款第（一）项 or 5.1.1)")
        article, paragraph, item = (
            match["article"],
            match["paragraph"],
            match["item"] or match["item2"],
        )
        if item is not None and paragraph is None:
            paragraph = "1"
        try:
            parts = [chinese_number(p) for p in (article, paragraph, item) if p is not None]
        except ValueError as exc:
            raise ValueError(f"unreadable clause {text!r}: {exc}") from None
    if 0 in parts:
        raise ValueError(f"unreadable clause {text!r}: no article, paragraph or item 0")
    return ".".join(str(p) for p in parts)


_YES = frozenset({"是", "y", "yes", "true", "1"})
_NO = frozenset({"否", "n", "no", "false", "0"})


def yes_no(row: Row, name: str) -> bool | None:
    """A yes/no cell: 是/否, Y/N, true/false, 1/0 (any case); None when empty."""
    value = row.text(name)
    if value is None:
        return None
    key = normalize_header(value).lower()
    if key in _YES or key in _NO:
        return key in _YES
    raise RowError(
        row.header(name), f"{value!r} is not a yes/no value (是/否, Y/N, true/false, 1/0)"
    )


def facts(row: Row) -> dict[str, Any]:
    """The entry's facts a measure's condition may test (graph.records.FACTS).

    欠缴税款是否缴清 says whether the tax was paid (是: not unpaid); 是否欠缴税款 whether it is
    unpaid (是: unpaid). A file with both must not contradict itself.
    """
    clause = row.text("listing_clause")
    if clause is not None:
        try:
            clause = parse_clause(clause)
        except ValueError as exc:
            raise RowError(row.header("listing_clause"), str(exc)) from None
    paid, unpaid = yes_no(row, "tax_paid"), yes_no(row, "tax_unpaid")
    if paid is not None and unpaid is not None and paid == unpaid:
        both = f"{row.header('tax_paid')} and {row.header('tax_unpaid')}"
        raise RowError(row.header("tax_unpaid"), f"contradicts {both}")
    return {
        "listing_clause": clause,
        "tax_unpaid": unpaid if unpaid is not None else (None if paid is None else not paid),
        "guarantee_given": yes_no(row, "guarantee_given"),
        "criminal_sentence": yes_no(row, "criminal_sentence"),
    }
