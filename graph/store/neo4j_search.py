"""Name search of the Neo4j store: fulltext indexes (cjk analyzer) find, Cypher ranks.

Each searchable label has a fulltext index of its names and former names (graph.schema
NAME_INDEXES) with Lucene's ``cjk`` analyzer, which indexes every pair of adjacent CJK
characters. A text is looked up as one phrase per run of two or more CJK characters: every
name containing the text contains those phrases, so the index finds a superset (at most
``CAP`` per label, Lucene's best: short names first), and the statement keeps and ranks the
names that really contain the text, as the embedded store does. A text without two CJK
characters in a row (one character, Latin letters, digits) has no pair to look up and is
compared against every node of the labels asked for: a scan, slower at a million entities.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import neo4j
from neo4j import ManagedTransaction

from graph.model import former_names_after
from graph.schema import NAME_INDEXES
from graph.store import names
from graph.store.cypher import statement
from graph.store.protocol import NameMatch
from graph.vocabulary import Label

#: Hits per label index before the exact comparison (Lucene's score favours short names).
CAP = 2000
_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]{2,}")
_LUCENE_SPECIAL = re.compile(r'([+\-&|!(){}\[\]^"~*?:\\/])')
_RENAMABLE = (Label.ENTERPRISE, Label.SOCIAL_ORGANIZATION)


def lucene_query(text: str) -> str | None:
    """The Lucene query for a folded text: its runs of two or more CJK characters as phrases
    that must all occur (special characters escaped); None when there is no such run.

    >>> lucene_query("abc科技(武汉)有限公司")
    '"科技" AND "武汉" AND "有限公司"'
    >>> lucene_query("某") is None, lucene_query("abc") is None
    (True, True)
    """
    runs = _CJK_RUN.findall(text)
    if not runs:
        return None
    return " AND ".join(f'"{_escape(run)}"' for run in runs)


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
                statement("search_names_scan"), labels=wanted, text=folded, limit=limit
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
        tx: ManagedTransaction, ok: Sequence[tuple[int, Any]]
    ) -> dict[int, list[str]]:
        """The former names each organisation of a batch is to have (by batch index; only
        non-empty lists): what it has, what the item brings, and its old name when the item
        renames it; repeats within the batch as if written one after another."""
        orgs = [(index, item) for index, item in ok if item.label in _RENAMABLE]
        if not orgs:
            return {}
        ids = sorted({item.id for _, item in orgs})
        current = {
            row["id"]: (row["name"], row["former_names"])
            for row in tx.run(statement("search_former_names"), ids=ids)
        }
        found: dict[int, list[str]] = {}
        for index, item in orgs:
            old_name, old_former = current.get(item.id, (None, None))
            former = former_names_after(old_name, old_former, item.name, item.former_names)
            current[item.id] = (item.name, former)
            if former:
                found[index] = former
        return found
