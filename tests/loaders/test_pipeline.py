"""Loading source files end to end, on both stores: counts, idempotence, rejects, resolution."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from graph.model import Person
from graph.records import ListKind
from graph.store.protocol import GraphStore
from graph.vocabulary import RelType
from tests.loaders.conftest import LoadFn

ZHOU_COMPANY = "91420102MA4K00010N"
TRADING = "91420102MA4K00029K"


def by_file(summary: object) -> dict[str, tuple[int, int, int, int]]:
    return {Path(f.file).name: (f.read, f.loaded, f.merged, f.rejected) for f in summary.files}  # type: ignore[attr-defined]


def test_the_sample_folder_loads_every_row(load: LoadFn, samples: Path, store: GraphStore) -> None:
    summary = load(samples)
    counts = by_file(summary)
    assert len(counts) == 13
    assert all(read == loaded and rejected == 0 for read, loaded, _, rejected in counts.values())
    assert summary.totals.read == 23 == summary.totals.loaded
    assert [Path(f.file).name for f in summary.files][:3] == [
        "企业登记信息.csv",
        "社会组织登记信息.csv",
        "企业变更信息.csv",
    ]
    assert {f.format for f in summary.files} >= {"penalty", "court", "enterprise", "judicial"}
    detail = store.get_entity(ZHOU_COMPANY)
    assert {v.record.kind for v in detail.records} == {"AdministrativePenalty", "ListEntry"}


def test_loading_twice_changes_nothing(load: LoadFn, samples: Path, store: GraphStore) -> None:
    load(samples)
    stats = store.stats()
    detail = store.get_entity(ZHOU_COMPANY)
    again = load(samples)
    assert (again.totals.loaded, again.totals.merged, again.totals.rejected) == (0, 23, 0)
    assert store.stats() == stats
    assert store.get_entity(ZHOU_COMPANY) == detail


def test_registry_facts_are_not_overwritten_by_mentions(
    load: LoadFn, samples: Path, store: GraphStore
) -> None:
    load(samples)
    company = store.get_entity(ZHOU_COMPANY).entity
    assert company.source_file == "企业登记信息.csv"
    assert company.registration_status == "存续"  # type: ignore[union-attr]


def test_a_masked_court_list_person_is_linked_to_the_one_known_person(
    load: LoadFn, samples: Path, store: GraphStore
) -> None:
    load(samples)
    [wu] = store.find_persons(["吴芳"])["吴芳"]
    assert wu.id_hash is not None
    kinds = {
        v.record.list_kind
        for v in store.get_entity(wu.id).records  # type: ignore[union-attr]
        if v.record.kind == "ListEntry"
    }
    assert kinds == {ListKind.DISHONEST_JUDGMENT_DEBTOR}


def test_an_ambiguous_masked_person_stays_apart_with_possibly_same_as(
    load: LoadFn, samples: Path, store: GraphStore
) -> None:
    personnel = samples / "主要人员信息.csv"
    with open(personnel, "a", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerow([TRADING, "吴芳", "420102198501050026", "监事"])
    summary = load(samples)
    assert summary.totals.rejected == 0
    people = store.find_persons(["吴芳"])["吴芳"]
    assert len(people) == 3
    unverified = next(p for p in people if p.id_hash is None)
    links = store.neighbourhood(unverified.id, rel_types=[RelType.POSSIBLY_SAME_AS])
    assert {n.node.id for n in links.items} == {p.id for p in people if p.id_hash}
    assert "2 candidates" in (links.items[0].relation.reason or "")


def test_bad_rows_are_rejected_with_file_row_field_and_reason(
    load: LoadFn, samples: Path, store: GraphStore, tmp_path: Path
) -> None:
    path = samples / "行政处罚信息.csv"
    rows = list(csv.reader(path.open(encoding="utf-8")))
    good = rows[1]
    bad_date = [*good]
    bad_date[rows[0].index("处罚决定日期")] = "2025-13-45"
    bad_date[rows[0].index("行政处罚决定书文号")] = "某市监处罚〔2025〕102号"
    bad_code = [*good]
    bad_code[rows[0].index("行政相对人代码_1(统一社会信用代码)")] = "91420102MA4K00010X"
    bad_code[rows[0].index("行政处罚决定书文号")] = "某市监处罚〔2025〕103号"
    with open(path, "a", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([bad_date, bad_code, good])
    summary = load(samples)
    report = next(f for f in summary.files if f.format == "penalty")
    assert (report.read, report.loaded, report.merged, report.rejected) == (4, 1, 1, 2)
    assert summary.totals.read == summary.totals.loaded + summary.totals.merged + 2
    with open(tmp_path / "rejects-1.csv", encoding="utf-8-sig") as handle:
        rejects = list(csv.DictReader(handle))
    assert [(r["row"], r["field"]) for r in rejects] == [
        ("3", "处罚决定日期"),
        ("4", "行政相对人代码_1(统一社会信用代码)"),
    ]
    assert "unparseable date" in rejects[0]["reason"] and "check digit" in rejects[1]["reason"]
    assert json.loads(rejects[0]["values"])["处罚决定日期"] == "2025-13-45"
    assert rejects[0]["file"].endswith("行政处罚信息.csv")


def test_rows_of_a_file_loaded_before_its_registry_are_rejected_not_lost(
    load: LoadFn, samples: Path, tmp_path: Path
) -> None:
    summary = load(samples / "股东及出资信息.csv")
    [report] = summary.files
    # the corporate shareholder (row 4) mentions company A, so rows 2-3 find it; company B,
    # which row 4 invests in, is not known yet: that row is rejected, not dropped
    assert (report.read, report.loaded, report.rejected) == (3, 2, 1)
    with open(tmp_path / "rejects-1.csv", encoding="utf-8-sig") as handle:
        [reject] = list(csv.DictReader(handle))
    assert (reject["row"], reject["field"]) == ("4", "relation.target_id")
    assert TRADING in reject["reason"]
    assert json.loads(reject["values"])["股东名称"] == "武汉某某建设工程有限公司"


def test_header_variants_and_encodings_load_the_same(
    load: LoadFn, samples: Path, store: GraphStore, tmp_path: Path
) -> None:
    load(samples / "企业登记信息.csv")
    source = samples / "行政处罚信息.csv"
    text = source.read_text(encoding="utf-8")
    header, rest = text.split("\n", 1)
    variant = header.replace("(", "（").replace(")", "）").replace("处罚机关", " 处罚机关 ")
    other = tmp_path / "penalty-gbk.csv"
    other.write_bytes((variant + ",额外列\n" + rest).encode("gb18030"))
    summary = load(other)
    [report] = summary.files
    assert (report.format, report.encoding, report.loaded) == ("penalty", "gb18030", 1)
    assert report.unknown_columns == ["额外列"]


def test_xlsx_and_jsonl_sources(
    load: LoadFn, samples: Path, store: GraphStore, tmp_path: Path
) -> None:
    from openpyxl import Workbook

    load(samples / "企业登记信息.csv")
    rows = list(csv.reader((samples / "行政许可信息.csv").open(encoding="utf-8")))
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    book.save(tmp_path / "licences.xlsx")
    penalty = list(csv.reader((samples / "行政处罚信息.csv").open(encoding="utf-8")))
    with open(tmp_path / "penalties.jsonl", "w", encoding="utf-8") as handle:
        for row in penalty[1:]:
            handle.write(json.dumps(dict(zip(penalty[0], row, strict=True)), ensure_ascii=False))
            handle.write("\n")
    summary = load(tmp_path / "licences.xlsx", tmp_path / "penalties.jsonl")
    assert sorted((f.format, f.loaded) for f in summary.files) == [("licence", 1), ("penalty", 1)]


def test_unrecognised_files_are_reported_and_the_rest_loads(
    load: LoadFn, samples: Path, tmp_path: Path
) -> None:
    odd = samples / "notes.csv"
    odd.write_text("甲,乙\n1,2\n", encoding="utf-8")
    summary = load(samples)
    errors = [f for f in summary.files if f.error]
    assert len(errors) == 1 and "not recognised" in (errors[0].error or "")
    assert summary.totals.loaded == 23


def test_a_forced_format_without_its_required_columns_rejects_every_row(
    load: LoadFn, samples: Path
) -> None:
    summary = load(samples / "信用承诺.csv", fmt="penalty")
    [report] = summary.files
    assert report.rejected == report.read == 1


def test_dry_run_writes_nothing(load: LoadFn, samples: Path, store: GraphStore) -> None:
    summary = load(samples, dry_run=True)
    assert summary.dry_run and summary.totals.loaded == 23
    assert store.stats().nodes == {}


def test_small_batches_give_the_same_graph(load: LoadFn, samples: Path, store: GraphStore) -> None:
    summary = load(samples, batch_size=1)
    assert summary.totals.loaded == 23
    assert store.stats().nodes["Person"] == 5
    assert isinstance(store.find_persons(["周明"])["周明"][0], Person)


def test_department_report_counts_and_delays(load: LoadFn, samples: Path) -> None:
    summary = load(samples)
    court = next(d for d in summary.departments if d.authority == "某区人民法院")
    assert (court.pushed, court.loaded, court.rejected) == (2, 2, 0)
    assert court.max_delay_days is not None and court.max_delay_days > 500
    assert court.late == 2 and court.on_time_share == 0.0


def test_an_old_generation_row_with_only_an_org_code_finds_the_company(
    load: LoadFn, samples: Path, store: GraphStore, tmp_path: Path
) -> None:
    load(samples / "企业登记信息.csv")
    old = tmp_path / "penalty-2016.csv"
    old.write_text(
        "行政处罚决定书文号,处罚名称,处罚类别1,处罚事由,处罚依据,行政相对人名称,"
        "行政相对人代码_3,法定代表人姓名,处罚结果,处罚决定日期,处罚机关\n"
        "某市监罚〔2016〕9号,罚款,罚款,无照经营,《条例》,武汉某某建设工程有限公司,"
        "MA4K00010,周明,罚款1万元,2016/8/1,某区市场监督管理局\n",
        encoding="utf-8",
    )
    summary = load(old)
    [report] = summary.files
    assert (report.format, report.loaded, report.rejected) == ("penalty", 1, 0)
    assert "处罚名称" in report.unknown_columns
    kinds = [v.record.document_number for v in store.get_entity(ZHOU_COMPANY).records]
    assert kinds == ["某市监罚〔2016〕9号"]
    assert store.stats().nodes["Enterprise"] == 2
