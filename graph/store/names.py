"""Name matching both stores share: how names are folded, ranked and ordered in a search."""

from __future__ import annotations

from collections.abc import Sequence

from graph.errors import InvalidInput
from graph.vocabulary import Label

#: The labels a name search covers.
SEARCH_LABELS: tuple[Label, ...] = (
    Label.ENTERPRISE,
    Label.SOCIAL_ORGANIZATION,
    Label.AUTHORITY,
    Label.PERSON,
)
MAX_TEXT = 100
MAX_MATCHES = 1000
# Neo4j folds the same way in graph/store/neo4j/cypher/_search_rank.cypher: keep the two in step.
_BRACKETS = {ord("（"): "(", ord("）"): ")"}
_FOLD = {**_BRACKETS, ord("\n"): " "}


def fold(text: str) -> str:
    """A name or query as names are compared: lower case, full-width brackets half-width
    (sources write both), no line breaks. Keeps the length.

    >>> fold("ABC科技（武汉）有限公司")
    'abc科技(武汉)有限公司'
    """
    return text.lower().translate(_FOLD)


def fold_lines(text: str) -> str:
    """``fold`` for many names one a line: the line breaks are kept.

    >>> fold_lines("A（1）\\nB")
    'a(1)\\nb'
    """
    return text.lower().translate(_BRACKETS)


def rank(text: str, name: str) -> int | None:
    """0 when the folded ``name`` equals ``text`` (folded), 1 when it starts with it, 2 when
    it contains it, else None.

    >>> rank("某某建设", "武汉某某建设工程有限公司"), rank("武汉", "武汉某某"), rank("x", "y")
    (2, 1, None)
    """
    folded = fold(name)
    if folded == text:
        return 0
    if folded.startswith(text):
        return 1
    return 2 if text in folded else None


def check_search(text: str, labels: Sequence[Label], limit: int) -> tuple[str, list[str]]:
    """Validate ``search_names`` arguments; return the folded text and the labels, sorted."""
    if not text.strip() or len(text) > MAX_TEXT:
        raise InvalidInput(f"text: must have 1 to {MAX_TEXT} characters", field="text")
    if not 1 <= limit <= MAX_MATCHES:
        raise InvalidInput(
            f"limit: must be between 1 and {MAX_MATCHES}, got {limit}", field="limit"
        )
    unknown = [str(x) for x in labels if x not in SEARCH_LABELS]
    if unknown or not labels:
        raise InvalidInput(f"labels: not searchable labels: {unknown}", field="labels")
    return fold(text), sorted({str(x) for x in labels})
