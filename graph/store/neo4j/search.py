"""Name search of the Neo4j store: fulltext indexes (cjk analyzer) find, Cypher ranks.

Each searchable label has a fulltext index of its names and former names (graph.schema
NAME_INDEXES) with Lucene's ``cjk`` analyzer, which indexes every pair of adjacent CJK
characters (a lone one by itself) and Latin or digit words whole. A text is looked up by
what every name containing it must hold: a phrase per run of two or more CJK characters, the
pairs that start or end with a lone CJK character (``c* OR *c``), the words that contain a
run of letters or digits (``*run*``). The index so finds a superset, at most ``CAP`` per
label (by Lucene's score, which favours short names; wildcards score alike, so for a common
single character the first found), and the statement keeps and ranks the names that really
contain the text, as the embedded store does: the answers are the same whenever no label
has more than ``CAP`` candidates. A text with nothing to look up (one Latin letter or digit,
punctuation, an English stop word the analyzer drops) is compared with the nodes one by one
until ``SCAN_CAP`` contain it: a rare one costs a full scan (~0.1-0.3 s per 100k entities).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import neo4j

from graph.model import former_names_after
from graph.schema import NAME_INDEXES
from graph.store import names
from graph.store.neo4j.cypher import statement
from graph.store.protocol import NameMatch
from graph.vocabulary import Label

#: Hits per label index before the exact comparison (Lucene's score favours short names).
CAP = 500
#: Names a scan (no two CJK characters in a row) compares before it stops.
SCAN_CAP = 2000
_RUNS = re.compile(r"([\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]+)|([a-z0-9]+)")
_LUCENE_SPECIAL = re.compile(r'([+\-&|!(){}\[\]^"~*?:\\/])')
#: Lucene's English stop words, which the cjk analyzer drops: a run of letters inside one
#: of them may be a word the index does not hold.
_STOP_WORDS = frozenset(
    {"a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "if", "in", "into", "is"}
    | {"it", "no", "not", "of", "on", "or", "such", "that", "the", "their", "then", "there"}
    | {"these", "they", "this", "to", "was", "will", "with"}
)
_RENAMABLE = (Label.ENTERPRISE, Label.SOCIAL_ORGANIZATION)


def lucene_query(text: str) -> str | None:
    """The Lucene query for a folded text: what every name containing it holds, all of it
    (special characters escaped); None when there is nothing to look up.

    >>> lucene_query("abc科技(武汉)有限公司")
    '"科技" AND "武汉" AND "有限公司"'
    >>> lucene_query("某"), lucene_query("2号楼a")
    ('(某* OR *某)', '"号楼"')
    >>> lucene_query("abc"), lucene_query("x"), lucene_query("he"), lucene_query("()")
    ('*abc*', None, None, None)
    """
    clauses = []
    for cjk, word in _RUNS.findall(text):
        if len(cjk) > 1:
            clauses.append(f'"{_escape(cjk)}"')
        elif cjk:
            clauses.append(f"({_escape(cjk)}* OR *{_escape(cjk)})")
        elif len(word) > 1 and not any(word in stop for stop in _STOP_WORDS):
            clauses.append(f"*{_escape(word)}*")
    words = [c for c in clauses if c.startswith("*")]
    if len(words) < len(clauses):  # CJK characters: enough, and more selective
        clauses = [c for c in clauses if not c.startswith("*")]
    return " AND ".join(clauses) or None


def _escape(text: str) -> str:
    """Lucene's special characters escaped with a backslash.

    >>> print(_escape('a"b(c)'))
    a\\"b\\(c\\)
    """
    return _LUCENE_SPECIAL.sub(r"\\\1", text)


class Neo4jSearch:
    """Mixed into Neo4jStore: ``search_names`` and the former names an upsert keeps."""

    def _read(self, query: str, **params: Any) -> list[neo4j.Record]:
        raise NotImplementedError  # provided by Neo4jStore

    def search_names(self, text: str, labels: Sequence[Label], limit: int) -> list[NameMatch]:
        """Names and former names containing ``text``, best first (see GraphStore)."""
        folded, wanted = names.check_search(text, labels, limit)
        lucene = lucene_query(folded)
        if lucene is None:
            rows = self._read(
                statement("search_names_scan"),
                labels=wanted,
                text=folded,
                plain=folded.upper() == folded and not any(c in folded for c in "() "),
                cap=SCAN_CAP,
                limit=limit,
            )
        else:
            indexes = [NAME_INDEXES[Label(x)] for x in wanted]
            rows = self._read(
                statement("search_names"),
                indexes=indexes,
                lucene=lucene,
                cap=CAP,
                text=folded,
                limit=limit,
            )
        return [
            NameMatch(
                id=row["id"],
                label=Label(next(x for x in row["labels"] if x in wanted)),
                name=row["name"],
                uscc=row["uscc"],
                field=row["field"],
                text=row["text"],
                rank=row["rank"],
            )
            for row in rows
        ]

    @staticmethod
    def _search_former_names(
        current: Mapping[str, Mapping[str, Any]], ok: Sequence[tuple[int, Any]]
    ) -> dict[int, list[str]]:
        """The former names each organisation of a batch is to have (by batch index; only
        non-empty lists): what it has, what the item brings, and its old name when the item
        renames it; repeats within the batch as if written one after another. ``current``
        holds the stored properties of the batch's existing nodes, by id (read by the caller
        in the same transaction)."""
        known: dict[str, tuple[str | None, list[str] | None]] = {}
        found: dict[int, list[str]] = {}
        for index, item in ok:
            if item["label"] not in _RENAMABLE:
                continue
            node_id = item["id"]
            if node_id not in known:
                props = current.get(node_id, {})
                known[node_id] = (props.get("name"), props.get("former_names"))
            old_name, old_former = known[node_id]
            new_former = item.get("former_names", [])
            former = former_names_after(old_name, old_former, item["name"], new_former)
            known[node_id] = (item["name"], former)
            if former:
                found[index] = former
        return found
