"""The synthetic county generator: formats, determinism, planted defects and structures."""

from __future__ import annotations

import csv
import io
import json
import random
import re
import zipfile
from collections import defaultdict
from collections.abc import Iterator
from datetime import date
from itertools import pairwise
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest

from graph.ids import (
    InvalidIdentifier,
    citizen_id_check_char,
    mask_id,
    org_code_check_char,
    parse_citizen_id,
    parse_masked_id,
    parse_uscc,
    uscc_check_char,
)
from loaders.synthetic import templates as generate_templates
from loaders.synthetic import vocab as generate_vocab
from loaders.synthetic.codes import People, make_uscc
from loaders.synthetic.county import GROUND_TRUTH, generate_county
from loaders.synthetic.spec import FILES, XLSX_NAME, FileSpec

ROOT = Path(__file__).resolve().parents[2]
SAMPLE_DIRS = [ROOT.parent / "shared" / "domain" / "samples", Path("/work/shared/domain/samples")]
SIZE = 2000
BY_NAME = {spec.name: spec for spec in FILES}
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
AMOUNT = re.compile(r"\d+(\.\d+)?")


@pytest.fixture(scope="module", params=[20261126, 4])
def county(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small county (two seeds), with the XLSX."""
    out = tmp_path_factory.mktemp("county")
    generate_county(out, entities=SIZE, seed=request.param, xlsx=True)
    return out


@pytest.fixture(scope="module")
def truth(county: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((county / GROUND_TRUTH).read_text("utf-8"))
    return data


@pytest.fixture(scope="module")
def tables(county: Path) -> dict[str, list[list[str]]]:
    """Every file's rows, header first, decoded with its declared encoding."""
    out = {}
    for spec in FILES:
        text = (county / spec.name).read_bytes().decode(spec.encoding)
        out[spec.name] = list(csv.reader(io.StringIO(text, newline="")))
    return out


def data_rows(
    tables: dict[str, list[list[str]]], name: str
) -> Iterator[tuple[int, dict[str, str]]]:
    """(row number as a loader counts it, row as a dict) for every data row."""
    header, *rows = tables[name]
    for number, row in enumerate(rows, start=2):
        yield number, dict(zip(header, row, strict=True))


def bad_rows(truth: dict[str, Any], name: str) -> set[int]:
    return {b["row"] for b in truth["bad_rows"] if b["file"] == name}


def good_rows(
    tables: dict[str, list[list[str]]], truth: dict[str, Any], name: str
) -> Iterator[tuple[int, dict[str, str]]]:
    bad = bad_rows(truth, name)
    return ((n, row) for n, row in data_rows(tables, name) if n not in bad)


def test_same_seed_gives_the_same_bytes_and_another_seed_does_not(tmp_path: Path) -> None:
    one, two, three = tmp_path / "one", tmp_path / "two", tmp_path / "three"
    generate_county(one, entities=1000, seed=5, xlsx=True)
    generate_county(two, entities=1000, seed=5, xlsx=True)
    generate_county(three, entities=1000, seed=6)
    names = sorted(p.name for p in one.iterdir())
    assert names == sorted(p.name for p in two.iterdir())
    assert len(names) == len(FILES) + 2  # the CSVs, the XLSX and ground_truth.json
    for name in names:
        assert (one / name).read_bytes() == (two / name).read_bytes(), name
    for spec in FILES:
        assert (one / spec.name).read_bytes() != (three / spec.name).read_bytes(), spec.name


def test_too_small_a_county_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="at least"):
        generate_county(tmp_path, entities=10, seed=1)


def test_headers_are_the_samples_headers(tables: dict[str, list[list[str]]]) -> None:
    samples = next((d for d in SAMPLE_DIRS if d.is_dir()), None)
    if samples is None:
        pytest.skip("shared/domain/samples not found beside the repository")
    assert sorted(p.name for p in samples.glob("*.csv")) == sorted(BY_NAME)
    for spec in FILES:
        raw = (samples / spec.name).read_bytes()
        encoding = "gb18030" if spec.encoding == "gb18030" else "utf-8-sig"
        sample_header = next(csv.reader(io.StringIO(raw.decode(encoding))))
        assert tables[spec.name][0] == sample_header == list(spec.header), spec.name


def test_encodings_and_line_ends(county: Path) -> None:
    for spec in FILES:
        raw = (county / spec.name).read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf") == (spec.encoding == "utf-8-sig"), spec.name
        assert raw.endswith(b"\r\n") and raw.count(b"\n") == raw.count(b"\r\n")
        if spec.encoding == "gb18030":
            with pytest.raises(UnicodeDecodeError):
                raw.decode("utf-8")
            assert "被执行人" in raw.decode("gb18030")
        else:
            raw.decode("utf-8")


def test_row_counts_match_the_ground_truth(
    tables: dict[str, list[list[str]]], truth: dict[str, Any]
) -> None:
    assert "header" in truth["row_numbering"] and "row 2" in truth["row_numbering"]
    for spec in FILES:
        rows = tables[spec.name]
        assert truth["files"][spec.name]["rows"] == len(rows) - 1 > 0
        assert all(len(row) == len(spec.header) for row in rows), spec.name
    assert truth["files"][XLSX_NAME]["rows"] == len(tables["行政许可信息.csv"]) - 1


def test_the_xlsx_holds_the_licence_rows(county: Path, tables: dict[str, list[list[str]]]) -> None:
    ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
    with zipfile.ZipFile(county / XLSX_NAME) as archive:
        sheet = ElementTree.fromstring(archive.read("xl/worksheets/sheet1.xml"))
    width = len(tables["行政许可信息.csv"][0])
    rows = []
    for row in sheet.iterfind(".//m:row", ns):
        values = [""] * width
        for cell in row.iterfind("m:c", ns):
            column = ord(cell.attrib["r"][0]) - 65
            if cell.attrib["r"][1].isalpha():
                column = (column + 1) * 26 + ord(cell.attrib["r"][1]) - 65
            values[column] = "".join(t.text or "" for t in cell.iterfind(".//m:t", ns))
        rows.append(values)
    assert rows == tables["行政许可信息.csv"]


def test_the_xlsx_opens_in_openpyxl(county: Path, tables: dict[str, list[list[str]]]) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    sheet = openpyxl.load_workbook(county / XLSX_NAME, read_only=True).active
    width = len(tables["行政许可信息.csv"][0])
    rows = [[v or "" for v in row] for row in sheet.iter_rows(values_only=True)]
    assert [row + [""] * (width - len(row)) for row in rows] == tables["行政许可信息.csv"]


def _code_problem(kind: str, value: str) -> str | None:
    """None if the code is valid, 'check' for a bad check digit, else the reason."""
    try:
        if kind == "citizen_id":
            parse_citizen_id(value)
        elif "*" in value:
            parse_masked_id(value)
        else:
            parse_uscc(value, strict=True)
    except InvalidIdentifier as exc:
        return "check" if "check digit is" in exc.reason else exc.reason
    return None


def _defects(spec: FileSpec, row: dict[str, str]) -> set[tuple[str, str]]:
    """Every (defect, field) the row shows, judged from the format's rules alone."""
    found = set()
    for name, kind in spec.codes.items():
        if kind == "by_type_column":
            kind = "citizen_id" if row[spec.type_column] == "居民身份证" else "uscc"
        if row[name] and (problem := _code_problem(kind, row[name])):
            assert problem == "check", (spec.name, name, problem)
            found.add(("bad_check_digit", name))
    found |= {("missing_required", name) for name in spec.required if not row[name]}
    for name in spec.dates:
        if row[name]:
            try:
                assert ISO_DATE.fullmatch(row[name])
                date.fromisoformat(row[name])
            except (AssertionError, ValueError):
                found.add(("bad_date", name))
    found |= {("bad_amount", n) for n in spec.amounts if row[n] and not AMOUNT.fullmatch(row[n])}
    for name, values in spec.categories.items():
        if row[name] and row[name] not in values:
            found.add(("unknown_category", name))
    return found


def test_planted_defects_are_exactly_the_bad_rows(
    tables: dict[str, list[list[str]]], truth: dict[str, Any]
) -> None:
    planted = {(b["file"], b["row"]): (b["defect"], b["field"]) for b in truth["bad_rows"]}
    assert len(planted) == len(truth["bad_rows"])
    for spec in FILES:
        kinds = set()
        for number, row in data_rows(tables, spec.name):
            found = _defects(spec, row)
            expected = planted.get((spec.name, number))
            assert found == ({expected} if expected else set()), (spec.name, number, row)
            if expected:
                kinds.add(expected[0])
        assert kinds == {defect for defect, _ in spec.defects}, spec.name
        rows = truth["files"][spec.name]["rows"]
        assert 0 < truth["files"][spec.name]["bad_rows"] <= max(len(spec.defects), rows // 20)


def test_duplicates_repeat_an_earlier_row_exactly(
    tables: dict[str, list[list[str]]], truth: dict[str, Any]
) -> None:
    assert {d["file"] for d in truth["duplicates"]} == set(BY_NAME)
    for dup in truth["duplicates"]:
        rows = tables[dup["file"]]
        assert dup["duplicate_of"] < dup["row"]
        assert rows[dup["row"] - 1] == rows[dup["duplicate_of"] - 1]
        assert dup["duplicate_of"] not in bad_rows(truth, dup["file"])


def _registry(
    tables: dict[str, list[list[str]]], truth: dict[str, Any]
) -> dict[str, dict[str, str]]:
    return {row["统一社会信用代码"]: row for _, row in good_rows(tables, truth, "企业登记信息.csv")}


def test_every_company_is_registered_once_with_a_unique_name(
    tables: dict[str, list[list[str]]], truth: dict[str, Any]
) -> None:
    dups = {d["row"] for d in truth["duplicates"] if d["file"] == "企业登记信息.csv"}
    rows = [r for n, r in good_rows(tables, truth, "企业登记信息.csv") if n not in dups]
    assert (
        len({r["统一社会信用代码"] for r in rows})
        == len(rows)
        == truth["population"]["enterprises"]
    )
    assert len({r["企业名称"] for r in rows}) == len(rows)
    kinds = {r["统一社会信用代码"][:2] for r in rows}
    assert kinds == {"91", "92", "93"}


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("股东及出资信息.csv", ("统一社会信用代码", "证照/证件号码")),
        ("主要人员信息.csv", ("统一社会信用代码", "证件号码")),
        ("行政处罚信息.csv", ("行政处罚决定书文号", "处罚机关")),
        ("行政许可信息.csv", ("行政许可决定文书号", "许可机关")),
        ("行政许可信息.csv", ("许可编号",)),
        ("失信被执行人名单.csv", ("案号",)),
    ],
)
def test_natural_keys_repeat_only_in_planted_duplicates(
    tables: dict[str, list[list[str]]], truth: dict[str, Any], name: str, key: tuple[str, ...]
) -> None:
    dups = {d["row"] for d in truth["duplicates"] if d["file"] == name}
    keys = [
        tuple(row[k] for k in key) for n, row in good_rows(tables, truth, name) if n not in dups
    ]
    assert len(keys) == len(set(keys))


def test_shareholdings_add_up_to_100_per_cent(
    tables: dict[str, list[list[str]]], truth: dict[str, Any]
) -> None:
    dups = {d["row"] for d in truth["duplicates"] if d["file"] == "股东及出资信息.csv"}
    totals: dict[str, int] = defaultdict(int)
    for number, row in good_rows(tables, truth, "股东及出资信息.csv"):
        if number not in dups:
            totals[row["统一社会信用代码"]] += int(row["出资比例"].rstrip("%"))
    assert totals and set(totals.values()) == {100}


def test_shell_clusters_share_phone_and_address(
    tables: dict[str, list[list[str]]], truth: dict[str, Any]
) -> None:
    registry = _registry(tables, truth)
    clusters = truth["structures"]["shell_clusters"]
    assert len(clusters) >= 2
    for cluster in clusters:
        assert len(cluster["usccs"]) >= 3
        for code in cluster["usccs"]:
            assert registry[code]["联系电话"] == cluster["phone"]
            assert registry[code]["住所"] == cluster["address"]
    phones = defaultdict(set)
    for code, row in registry.items():
        phones[row["联系电话"]].add(code)
    shared = {frozenset(codes) for codes in phones.values() if len(codes) > 1}
    planted = {frozenset(c["usccs"]) for c in clusters}
    assert planted <= shared


def test_equity_chains_and_cycles_are_in_the_shareholder_file(
    tables: dict[str, list[list[str]]], truth: dict[str, Any]
) -> None:
    holdings = {
        (row["证照/证件号码"], row["统一社会信用代码"]): row["出资比例"]
        for _, row in good_rows(tables, truth, "股东及出资信息.csv")
        if row["股东类型"] == "企业法人"
    }
    chains, cycles = truth["structures"]["equity_chains"], truth["structures"]["equity_cycles"]
    assert chains and cycles and max(len(c["usccs"]) for c in chains) >= 4
    for chain in chains:
        codes = chain["usccs"]
        assert len(codes) >= 4
        assert [(e["holder"], e["company"]) for e in chain["edges"]] == list(pairwise(codes))
    for cycle in cycles:
        codes = cycle["usccs"]
        assert {(e["holder"], e["company"]) for e in cycle["edges"]} == {
            (codes[k - 1], codes[k]) for k in range(len(codes))
        }
    for edge in [e for c in chains + cycles for e in c["edges"]]:
        assert holdings[edge["holder"], edge["company"]] == edge["ratio"]


def _people(tables: dict[str, list[list[str]]], truth: dict[str, Any]) -> dict[str, set[str]]:
    """name -> every full ID number written with that name in a valid row of any file."""
    pairs = (
        ("企业登记信息.csv", "法定代表人", "法定代表人证件号码"),
        ("股东及出资信息.csv", "股东名称", "证照/证件号码"),
        ("主要人员信息.csv", "姓名", "证件号码"),
        ("社会组织登记信息.csv", "法定代表人", "法定代表人证件号码"),
        ("公务员诚信档案.csv", "姓名", "证件号码"),
        ("司法执法人员信用档案.csv", "姓名", "证件号码"),
        ("行政处罚信息.csv", "法定代表人", "法定代表人证件号码"),
        ("行政处罚信息.csv", "行政相对人名称", "证件号码"),
        ("行政许可信息.csv", "法定代表人", "法定代表人证件号码"),
        ("红黑名单.csv", "主体名称", "证件号码"),
        ("信用承诺.csv", "承诺主体名称", "证件号码"),
    )
    people: dict[str, set[str]] = defaultdict(set)
    for name, name_field, id_field in pairs:
        for _, row in good_rows(tables, truth, name):
            if row[id_field] and row.get("证照/证件类型", "居民身份证") == "居民身份证":
                people[row[name_field]].add(row[id_field])
    return people


def test_masked_court_persons_resolve_as_stated(
    tables: dict[str, list[list[str]]], truth: dict[str, Any]
) -> None:
    court = dict(data_rows(tables, "失信被执行人名单.csv"))
    registry, people = _registry(tables, truth), _people(tables, truth)
    found = truth["structures"]["masked_persons"]
    assert {p["resolution"] for p in found} == {"unique", "ambiguous", "none"}
    for person in found:
        row = court[person["row"]]
        assert row["被执行人姓名/名称"] == person["name"]
        assert row["身份证号码/组织机构代码"] == person["masked_id"]
        mask = parse_masked_id(person["masked_id"])
        assert person["masked_id"][10:14] == "****"  # birth month and day hidden
        ids = [i for i in people.get(person["name"], ()) if mask.matches(i)]
        expected = {"unique": 1, "none": 0}.get(person["resolution"], len(ids))
        assert len(ids) == expected and (person["resolution"] != "ambiguous" or len(ids) >= 2)
        assert len(person["candidates"]) == len(ids)
        for candidate in person["candidates"]:
            rep = registry[candidate["uscc"]]
            assert rep["法定代表人"] == person["name"]
            assert mask.matches(rep["法定代表人证件号码"])
        assert (person["actual"] is None) == (person["resolution"] == "none")


def test_ground_truth_holds_no_full_id_number(
    county: Path, tables: dict[str, list[list[str]]], truth: dict[str, Any]
) -> None:
    text = (county / GROUND_TRUTH).read_text("utf-8")
    tokens = set(re.findall(r"[0-9X*]{18}", text))
    full_ids = set().union(*_people(tables, truth).values())
    assert full_ids and not tokens & full_ids


def test_multi_company_people_represent_every_listed_company(
    tables: dict[str, list[list[str]]], truth: dict[str, Any]
) -> None:
    registry = _registry(tables, truth)
    multi = truth["structures"]["multi_company_people"]
    assert multi
    for person in multi:
        ids = {registry[code]["法定代表人证件号码"] for code in person["usccs"]}
        names = {registry[code]["法定代表人"] for code in person["usccs"]}
        assert len(person["usccs"]) >= 3 and names == {person["name"]} and len(ids) == 1
        assert mask_id(ids.pop()) == person["masked_id"]


def test_linked_officials_hold_the_stated_role(
    tables: dict[str, list[list[str]]], truth: dict[str, Any]
) -> None:
    registry = _registry(tables, truth)
    holders = {
        (r["统一社会信用代码"], r["证照/证件号码"])
        for _, r in good_rows(tables, truth, "股东及出资信息.csv")
    }
    staff = {
        (r["统一社会信用代码"], r["证件号码"])
        for _, r in good_rows(tables, truth, "主要人员信息.csv")
    }
    links = truth["structures"]["officials_linked"]
    assert {link["link"] for link in links} == {
        "legal_representative",
        "shareholder",
        "executive",
        "shared_contact",
    }
    assert {link["file"] for link in links} == {"公务员诚信档案.csv", "司法执法人员信用档案.csv"}
    for link in links:
        ids = {
            row["证件号码"]
            for _, row in good_rows(tables, truth, link["file"])
            if row["姓名"] == link["name"] and mask_id(row["证件号码"]) == link["masked_id"]
        }
        assert len(ids) == 1, link
        full = ids.pop()
        company = registry[link["uscc"]]
        if link["link"] == "legal_representative":
            assert company["法定代表人证件号码"] == full
        elif link["link"] == "shareholder":
            assert (link["uscc"], full) in holders
        elif link["link"] == "executive":
            assert (link["uscc"], full) in staff
        else:
            shop = registry[link["via_uscc"]]
            assert shop["法定代表人证件号码"] == full and link["via_uscc"].startswith("92")
            fields = {"phone": ["联系电话"], "address": ["住所"], "both": ["联系电话", "住所"]}
            assert all(shop[f] == company[f] for f in fields[link["shared"]])


def test_evasion_pairs(tables: dict[str, list[list[str]]], truth: dict[str, Any]) -> None:
    registry = _registry(tables, truth)
    listed_on = defaultdict(set)
    for _, row in good_rows(tables, truth, "失信被执行人名单.csv"):
        listed_on["失信被执行人名单.csv"].add((row["身份证号码/组织机构代码"], row["发布时间"]))
    for _, row in good_rows(tables, truth, "红黑名单.csv"):
        listed_on["红黑名单.csv"].add((row["统一社会信用代码"], row["列入日期"]))
    pairs = truth["structures"]["evasion_pairs"]
    assert pairs
    for pair in pairs:
        old, new = registry[pair["listed_uscc"]], registry[pair["new_uscc"]]
        assert (pair["listed_uscc"], pair["listing_date"]) in listed_on[pair["listed_in"]]
        assert old["成立日期"] < pair["listing_date"] < new["成立日期"] == pair["new_founded"]
        assert old["法定代表人证件号码"] == new["法定代表人证件号码"]
        assert mask_id(new["法定代表人证件号码"]) == pair["legal_representative"]["masked_id"]
        if pair["shared"] in ("phone", "both"):
            assert old["联系电话"] == new["联系电话"] == pair["phone"]
        if pair["shared"] in ("address", "both"):
            assert old["住所"] == new["住所"] == pair["address"]


def test_records_span_years_with_repairs_expiries_and_revocations(
    tables: dict[str, list[list[str]]], truth: dict[str, Any]
) -> None:
    today = truth["reference_date"]
    penalties = [r for _, r in good_rows(tables, truth, "行政处罚信息.csv")]
    years = {r["处罚决定日期"][:4] for r in penalties}
    assert {"2019", "2025"} <= years and max(r["处罚决定日期"] for r in penalties) < today
    assert any(r["公示截止期"] and r["公示截止期"] < today for r in penalties)
    licences = [r["当前状态"] for _, r in good_rows(tables, truth, "行政许可信息.csv")]
    assert "撤销" in licences and "有效" in licences
    lists = [r for _, r in good_rows(tables, truth, "红黑名单.csv")]
    assert {r["名单类型"] for r in lists} == {"红名单", "黑名单"}
    assert any(r["移出日期"] for r in lists) and any(not r["移出日期"] for r in lists)
    court = [r for _, r in good_rows(tables, truth, "失信被执行人名单.csv")]
    assert any(r["退出日期"] for r in court) and any(r["法定代表人或者负责人姓名"] for r in court)
    promises = {r["履约状态"] for _, r in good_rows(tables, truth, "信用承诺.csv")}
    assert promises == {"履约", "未履约", "履约中"}


def test_population_shares(truth: dict[str, Any]) -> None:
    population = truth["population"]
    assert 0.4 * SIZE <= population["enterprises"] <= 0.5 * SIZE
    assert 0.38 * SIZE <= population["persons"] <= 0.52 * SIZE
    assert population["officials"] and population["judicial_staff"]


def test_no_generated_text_needs_csv_quoting() -> None:
    def texts(value: object) -> Iterator[str]:
        if isinstance(value, str):
            yield value
        elif isinstance(value, dict):
            for k, v in value.items():
                yield from texts(k)
                yield from texts(v)
        elif isinstance(value, list | tuple):
            for v in value:
                yield from texts(v)

    for module in (generate_vocab, generate_templates):
        for name, value in vars(module).items():
            if name.isupper():
                assert not [t for t in texts(value) if set(t) & set(',"\r\n')], name


def test_table_driven_codes_agree_with_graph_ids() -> None:
    rng = random.Random(7)
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    for _ in range(3000):
        org = "".join(rng.choice(alphabet) for _ in range(8))
        prefix, division = rng.choice(("91", "92", "93", "11", "12", "31", "51")), "420102"
        head = prefix + division + org + org_code_check_char(org)
        assert make_uscc(prefix, division, org) == head + uscc_check_char(head)
    people = People(rng, "420102")
    for _ in range(3000):
        number = people.id(people.new())
        assert number[17] == citizen_id_check_char(number[:17])
