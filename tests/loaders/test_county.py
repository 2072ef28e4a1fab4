"""A generated county loads to exactly the answers its ground truth plants, on both stores."""

from __future__ import annotations

import csv
import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from graph.model import ContactKind, contact_point
from graph.records import ListKind
from graph.store.protocol import GraphStore
from graph.vocabulary import Label, RelType
from loaders.pipeline import LoadSummary
from loaders.synthetic.county import generate_county
from tests.loaders.conftest import LoadFn


@pytest.fixture(scope="session")
def county(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    folder = tmp_path_factory.mktemp("county")
    generate_county(folder, entities=1000, seed=7)
    truth: dict[str, Any] = json.loads((folder / "ground_truth.json").read_text("utf-8"))
    return folder, truth


@pytest.fixture
def loaded(county: tuple[Path, dict[str, Any]], load: LoadFn) -> tuple[LoadSummary, dict[str, Any]]:
    return load(county[0]), county[1]


def rejects(tmp_path: Path) -> set[tuple[str, int, str]]:
    with open(tmp_path / "rejects-1.csv", encoding="utf-8-sig") as handle:
        return {(Path(r["file"]).name, int(r["row"]), r["field"]) for r in csv.DictReader(handle)}


def test_exactly_the_planted_bad_rows_are_rejected(
    loaded: tuple[LoadSummary, dict[str, Any]], tmp_path: Path
) -> None:
    _, truth = loaded
    planted = {(b["file"], b["row"], b["field"]) for b in truth["bad_rows"]}
    assert rejects(tmp_path) == planted


def test_every_row_is_accounted_for_and_duplicates_merge(
    loaded: tuple[LoadSummary, dict[str, Any]],
) -> None:
    summary, truth = loaded
    duplicates = Counter(d["file"] for d in truth["duplicates"])
    for report in summary.files:
        name = Path(report.file).name
        expected = truth["files"][name]
        assert report.read == expected["rows"], name
        assert report.rejected == expected["bad_rows"], name
        assert report.merged == duplicates[name], name
        assert report.read == report.loaded + report.merged + report.rejected


def test_shell_clusters_share_their_phone(
    loaded: tuple[LoadSummary, dict[str, Any]], store: GraphStore
) -> None:
    for cluster in loaded[1]["structures"]["shell_clusters"]:
        phone = contact_point(ContactKind.PHONE, cluster["phone"])
        page = store.neighbourhood(phone.id, rel_types=[RelType.HAS_PHONE], limit=1000)
        assert set(cluster["usccs"]) <= {n.node.id for n in page.items}


def test_equity_chains_are_shareholdings_with_their_ratios(
    loaded: tuple[LoadSummary, dict[str, Any]], store: GraphStore
) -> None:
    structures = loaded[1]["structures"]
    for chain in [*structures["equity_chains"], *structures["equity_cycles"]]:
        for edge in chain["edges"]:
            page = store.neighbourhood(
                edge["holder"], rel_types=[RelType.SHAREHOLDER_OF], direction="out", limit=1000
            )
            ratios = {n.node.id: n.relation.ratio for n in page.items}
            assert ratios[edge["company"]] == pytest.approx(float(edge["ratio"].rstrip("%")) / 100)


def test_masked_court_persons_resolve_as_planted(
    loaded: tuple[LoadSummary, dict[str, Any]], store: GraphStore
) -> None:
    for planted in loaded[1]["structures"]["masked_persons"]:
        people = store.find_persons([planted["name"]]).get(planted["name"], [])
        listed = [
            p
            for p in people
            if any(
                v.record.kind == Label.LIST_ENTRY
                and getattr(v.record, "list_kind", None) is ListKind.DISHONEST_JUDGMENT_DEBTOR
                for v in store.get_entity(p.id).records
            )
        ]
        assert len(listed) == 1, planted
        [debtor] = listed
        links = store.neighbourhood(debtor.id, rel_types=[RelType.POSSIBLY_SAME_AS]).total
        if planted["resolution"] == "unique":
            assert debtor.id_hash is not None
            reps = store.neighbourhood(
                debtor.id, rel_types=[RelType.LEGAL_REPRESENTATIVE_OF], direction="out"
            )
            assert planted["actual"] in {n.node.id for n in reps.items}
        elif planted["resolution"] == "ambiguous":
            assert debtor.id_hash is None and links == len(planted["candidates"])
        else:
            assert debtor.id_hash is None and links == 0


def test_evasion_pairs_share_a_contact_point(
    loaded: tuple[LoadSummary, dict[str, Any]], store: GraphStore
) -> None:
    for pair in loaded[1]["structures"]["evasion_pairs"]:
        kind = RelType.HAS_ADDRESS if pair["shared"] == "address" else RelType.HAS_PHONE
        listed = store.neighbourhood(pair["listed_uscc"], rel_types=[kind], direction="out")
        new = store.neighbourhood(pair["new_uscc"], rel_types=[kind], direction="out")
        assert {n.node.id for n in listed.items} & {n.node.id for n in new.items}


def test_loading_the_county_again_changes_nothing(
    loaded: tuple[LoadSummary, dict[str, Any]],
    load: LoadFn,
    store: GraphStore,
    county: tuple[Path, dict[str, Any]],
) -> None:
    stats = store.stats()
    again = load(county[0])
    assert again.totals.loaded == 0
    assert again.totals.rejected == loaded[0].totals.rejected
    assert store.stats() == stats
