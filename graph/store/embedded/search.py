"""Name search of the embedded store: each label's names in one string, scanned by str.find.

Per label, the names (and separately the former names) are joined with line breaks into one
string, shortest first and then by id, with an array of where each starts. A search is two
scans in C: ``"\\n" + text`` finds the names that equal or start with the text, ``text`` the
others; hits come in (length, id) order, so a scan stops after ``limit`` of them. No set per
name or character pair: about 2 bytes per character, plus 12 bytes per name, over all names.

The index is built on the first search; a write that changes a name marks the node, a search
checks marked nodes directly, and too many marks drop the index for a rebuild.
"""

from __future__ import annotations

import heapq
import threading
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from itertools import accumulate
from typing import Any

from graph.model import former_names_after
from graph.store import names
from graph.store.embedded.compact import CompactGraph
from graph.store.protocol import NameMatch
from graph.vocabulary import Label

Hit = tuple[int, int, str, str]  # rank, length of the folded text, id, field
_LABELS = frozenset(str(x) for x in names.SEARCH_LABELS)
_LABEL_OF = {str(x): x for x in names.SEARCH_LABELS}
_RENAMABLE = {str(Label.ENTERPRISE), str(Label.SOCIAL_ORGANIZATION)}
_FIELDS = (("name", "name"), ("former_name", "former_names"))


class NameText:
    """Entries (an id and a text) in one string, ordered by (length of the folded text, id)."""

    __slots__ = ("by_text", "ids", "starts", "text")

    def __init__(self, ids: list[str], texts: list[str]) -> None:
        """From parallel lists in any order (an id may come more than once); folded in one
        piece (a million names: one string of ~10M characters, no copy per name kept)."""
        texts = [_line(t) for t in texts]
        order = sorted(range(len(ids)), key=ids.__getitem__)
        order.sort(key=list(map(len, texts)).__getitem__)  # stable: by id within a length
        raw = "\n".join([texts[k] for k in order])
        folded = names.fold_lines(raw)
        if len(folded) != len(raw):  # a letter whose lower case is longer: fold one by one
            self.__init__(ids, [names.fold(t) for t in texts])  # type: ignore[misc]
            return
        self.ids = [ids[k] for k in order]
        self.text = "\n" + folded + "\n"
        del order, raw, texts  # before the next big lists
        lines = folded.split("\n") if ids else []
        self.starts = array("I", accumulate((len(t) + 1 for t in lines), initial=1))
        #: the entries in the order of their texts, for finding those that start with a text
        self.by_text = array("I", sorted(range(len(lines)), key=lines.__getitem__))

    def __len__(self) -> int:
        return len(self.ids)

    def _length(self, entry: int) -> int:
        return self.starts[entry + 1] - self.starts[entry] - 1

    def _first(self, size: int) -> int:
        """The first entry at least ``size`` long (the shorter ones cannot contain a text
        of that size)."""
        low, high = 0, len(self.ids)
        while low < high:
            mid = (low + high) // 2
            if self._length(mid) < size:
                low = mid + 1
            else:
                high = mid
        return low

    def _starting(self, text: str) -> tuple[int, int]:
        """The range of ``by_text`` whose entries start with ``text``."""
        body, starts = self.text, self.starts

        def entry_text(entry: int) -> str:
            return body[starts[entry] : starts[entry + 1] - 1]

        low = bisect_left(self.by_text, text, key=entry_text)
        high = bisect_left(self.by_text, text + "\U0010ffff", lo=low, key=entry_text)
        return low, high

    def find(self, text: str, limit: int, skip: set[str], field: str) -> list[Hit]:
        """The best ``limit`` entries that contain folded ``text`` (by rank, length, id),
        except ids in ``skip``. One scan for ``text`` from the first entry long enough; a
        second, for line break + ``text``, only when the first stopped at ``limit`` hits
        before the end (entries equal to or starting with the text may come later)."""
        body, starts, ids = self.text, self.starts, self.ids
        size = len(text)
        first = self._first(size)
        if first == len(ids):
            return []
        hits: list[Hit] = []
        heads: set[int] = set()  # entries found starting with the text
        pos = body.find(text, starts[first])
        while pos >= 0:
            entry = bisect_right(starts, pos) - 1
            end = starts[entry + 1] - 1
            if ids[entry] not in skip:
                rank = 2
                if pos == starts[entry]:
                    rank = 0 if end - pos == size else 1
                    heads.add(entry)
                hits.append((rank, end - starts[entry], ids[entry], field))
                if len(hits) == limit:
                    break
            pos = body.find(text, end + 1)
        else:  # every entry was seen
            return sorted(hits)
        low, high = self._starting(text)
        if high - low <= 4 * limit:  # few start with the text: take them all
            for entry in self.by_text[low:high]:
                if ids[entry] not in skip and entry not in heads:
                    length = self._length(entry)
                    hits.append((0 if length == size else 1, length, ids[entry], field))
            return sorted(hits)[:limit]
        needle = "\n" + text  # many: they come soon in a scan
        pos = body.find(needle, starts[first] - 1)
        while pos >= 0 and len(heads) < limit:
            entry = bisect_right(starts, pos + 1) - 1
            end = starts[entry + 1] - 1
            if ids[entry] not in skip and entry not in heads:
                heads.add(entry)
                hits.append((0 if end - pos - 1 == size else 1, end - pos - 1, ids[entry], field))
            pos = body.find(needle, end)
        return sorted(hits)[:limit]


class NameIndex:
    """The NameTexts of every searchable label, and the nodes changed since they were built."""

    def __init__(self, graph: CompactGraph) -> None:
        ids: dict[str, list[str]] = {label: [] for label in _LABELS}
        texts: dict[str, list[str]] = {label: [] for label in _LABELS}
        formers: dict[str, list[tuple[str, str]]] = {label: [] for label in _LABELS}
        for node_id, props in graph.iter_nodes(_LABELS):
            label = props["label"]
            if label in _LABELS:
                ids[label].append(node_id)
                texts[label].append(str(props.get("name") or node_id))
                formers[label] += [(node_id, f) for f in props.get("former_names") or ()]
        self.texts: dict[tuple[str, str], NameText] = {}
        for label in _LABELS:
            self.texts[(label, "name")] = NameText(ids.pop(label), texts.pop(label))
            pairs = formers[label]
            self.texts[(label, "former_name")] = NameText(
                [i for i, _ in pairs], [t for _, t in pairs]
            )
        self.size = sum(len(t) for t in self.texts.values())
        self.changed: set[str] = set()

    def full(self) -> bool:
        """Too many changed nodes to check one by one at every search: rebuild instead."""
        return len(self.changed) > 2000 + self.size // 200

    def search(
        self, graph: CompactGraph, text: str, labels: Sequence[str], limit: int
    ) -> list[NameMatch]:
        """The best ``limit`` matches of folded ``text`` among ``labels``: by rank, length
        of the matched text, id and field, one per node and field."""
        streams: list[Iterable[Hit]] = [
            self.texts[(label, field)].find(text, limit, self.changed, field)
            for label in labels
            for field, _ in _FIELDS
        ]
        streams.append(sorted(self._changed_hits(graph, text, labels)))
        best: list[NameMatch] = []
        seen: set[tuple[str, str]] = set()
        for rank, length, node_id, field in heapq.merge(*streams):
            if (node_id, field) in seen:
                continue
            seen.add((node_id, field))
            best.append(_match(graph.node(node_id) or {}, node_id, field, text, (rank, length)))
            if len(best) == limit:
                break
        return best

    def _changed_hits(self, graph: CompactGraph, text: str, labels: Sequence[str]) -> Iterator[Hit]:
        for node_id in self.changed:
            props = graph.node(node_id)
            if props is None or props.get("label") not in labels:
                continue
            for field, key in _FIELDS:
                values = [props.get("name") or node_id] if key == "name" else props.get(key)
                for value in values or ():
                    found = names.rank(text, value)
                    if found is not None:
                        yield (found, len(names.fold(value)), node_id, field)


def _line(text: str) -> str:
    """A text without line breaks (they separate the entries)."""
    return text.replace("\n", " ") if "\n" in text else text


def _match(
    props: dict[str, Any], node_id: str, field: str, text: str, hit: tuple[int, int]
) -> NameMatch:
    name = str(props.get("name") or node_id)
    matched = name
    if field == "former_name":  # the stored spelling of the former name that matched
        matched = next(
            (
                f
                for f in props.get("former_names") or ()
                if (names.rank(text, f), len(names.fold(f))) == hit
            ),
            name,
        )
    return NameMatch(
        id=node_id,
        label=_LABEL_OF[props["label"]],
        name=name,
        uscc=props.get("uscc"),
        field="former_name" if field == "former_name" else "name",
        text=matched,
        rank=hit[0],
    )


class EmbeddedSearch:
    """Mixed into EmbeddedStore: ``search_names`` and the index it keeps."""

    _g: CompactGraph
    _mutex: threading.RLock
    _name_index: NameIndex | None = None

    def _reading(self) -> AbstractContextManager[CompactGraph]:
        raise NotImplementedError

    def search_names(self, text: str, labels: Sequence[Label], limit: int) -> list[NameMatch]:
        """Names and former names containing ``text``, best first (see GraphStore)."""
        folded, wanted = names.check_search(text, labels, limit)
        with self._reading() as g:
            index = self._name_index
            if index is None or index.full():
                index = self._name_index = NameIndex(g)
            return index.search(g, folded, wanted, limit)

    @staticmethod
    def _renamable(props: dict[str, Any]) -> bool:
        """Whether an entity keeps its former names when renamed."""
        return props.get("label") in _RENAMABLE

    def _keep_former_names(self, props: dict[str, Any]) -> None:
        """An organisation renamed keeps its old name among its former names (``props``: an
        entity about to be upserted)."""
        if props.get("label") not in _RENAMABLE:
            return
        current = self._g.node(props["id"]) or {}
        former = former_names_after(
            current.get("name"),
            current.get("former_names"),
            props["name"],
            props.get("former_names", []),
        )
        if former:
            props["former_names"] = former
        else:
            props.pop("former_names", None)

    def _names_changed(self, node_id: str, props: dict[str, Any]) -> None:
        """A write changed the name or former names of a node (or made it)."""
        index = self._name_index
        if index is None or props.get("label") not in _LABELS:
            return
        index.changed.add(node_id)
        if index.full():  # stop tracking: the next search rebuilds
            self._name_index = None

    def _forget_names(self) -> None:
        """The graph was replaced: build the index again on the next search."""
        self._name_index = None
