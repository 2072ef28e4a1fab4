"""The rejects file: owner-only, ID numbers masked except in the column that was wrong."""

from __future__ import annotations

import csv
import json
import os
import stat
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from loaders.base import normalize_header
from loaders.formats import formats
from loaders.pipeline import ID_COLUMNS, Loader
from loaders.report import DepartmentTally, RejectWriter
from tests.loaders.conftest import KEY, SAMPLES

ZHOU_ID = "42010219800101001X"  # 周明, the legal representative in the sample penalty
OTHER_ID = "110105195001010039"
BAD_ID = ZHOU_ID[:17] + "9"  # wrong check digit


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def penalty_file(tmp_path: Path, *changes: dict[str, str]) -> Path:
    """The sample penalty file with one row per ``changes`` (the first sample row, edited)."""
    source = SAMPLES / "行政处罚信息.csv"
    header, good = list(csv.reader(source.open(encoding="utf-8")))[:2]
    path = tmp_path / "行政处罚信息.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for n, change in enumerate(changes):
            row = dict(zip(header, good, strict=True))
            row["行政处罚决定书文号"] = f"某市监处罚〔2025〕{200 + n}号"
            row.update(change)
            writer.writerow([row[h] for h in header])
    return path


def rejects_of(path: Path, rejects: Path) -> list[dict[str, Any]]:
    """Load ``path`` without a store; the rows of the rejects file, values decoded."""
    with RejectWriter(rejects) as writer:
        Loader(None, KEY, writer, progress=False).load([path])
    with rejects.open(encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        row["values"] = json.loads(row["values"])
    return rows


def test_the_rejects_file_is_readable_by_its_owner_only(tmp_path: Path) -> None:
    fresh = tmp_path / "loads" / "rejects.csv"
    with RejectWriter(fresh):
        assert mode(fresh) == 0o600
    old = tmp_path / "old-rejects.csv"
    old.write_text("left from before\n")
    old.chmod(0o644)
    with RejectWriter(old) as writer:
        writer.write("f.csv", 2, "penalty", "x", "bad", {"x": "1"})
    assert mode(old) == 0o600
    assert "left from before" not in old.read_text(encoding="utf-8-sig")


def test_rejects_created_by_a_load_are_owner_only(tmp_path: Path) -> None:
    path = penalty_file(tmp_path, {"处罚决定日期": "2025-13-45"})
    rejects = tmp_path / "rejects.csv"
    assert len(rejects_of(path, rejects)) == 1
    assert mode(rejects) == 0o600


def test_id_numbers_in_other_columns_are_masked_and_the_wrong_field_kept(
    tmp_path: Path,
) -> None:
    path = penalty_file(
        tmp_path,
        {
            "处罚决定日期": "2025-13-45",  # the wrong field
            "证件号码": BAD_ID,  # an ID column: masked even though not valid
            "违法事实": f"经查，当事人（身份证号{OTHER_ID}）未取得施工许可证擅自施工",
            "备注": OTHER_ID,
        },
    )
    [reject] = rejects_of(path, tmp_path / "rejects.csv")
    assert reject["field"] == "处罚决定日期"
    values = reject["values"]
    assert values["处罚决定日期"] == "2025-13-45"
    assert values["法定代表人证件号码"] == "420102********001X"
    assert values["证件号码"] == "420102********0019"
    facts = "经查，当事人（身份证号110105********0039）未取得施工许可证擅自施工"
    assert values["违法事实"] == facts
    assert values["备注"] == "110105********0039"
    assert values["行政相对人代码_1(统一社会信用代码)"] == "91420102MA4K00010N"  # not personal
    text = (tmp_path / "rejects.csv").read_text(encoding="utf-8-sig")
    assert ZHOU_ID not in text and OTHER_ID not in text and BAD_ID not in text


def test_a_wrong_id_number_is_kept_as_given_for_the_department_to_correct(
    tmp_path: Path,
) -> None:
    path = penalty_file(tmp_path, {"法定代表人证件号码": BAD_ID, "证件号码": OTHER_ID})
    [reject] = rejects_of(path, tmp_path / "rejects.csv")
    assert reject["field"] == "法定代表人证件号码"
    assert "check digit" in reject["reason"]
    assert reject["values"]["法定代表人证件号码"] == BAD_ID
    assert reject["values"]["证件号码"] == "110105********0039"


def test_header_variants_of_id_columns_are_masked(tmp_path: Path) -> None:
    path = tmp_path / "企业登记信息.csv"
    path.write_text(
        "统一社会信用代码,企业名称,登记状态,法定代表人,法定代表人身份证号码,成立日期\n"
        f"91420102MA4K00010N,武汉某某建设工程有限公司,存续,周明,{ZHOU_ID[:17]}x,2016-02-30\n"
        "91420102MA4K00029K,武汉某某商贸有限公司,存续,周明,420102800101001,2020-13-01\n",
        encoding="utf-8",
    )
    rejects = rejects_of(path, tmp_path / "rejects.csv")
    assert [r["field"] for r in rejects] == ["成立日期", "成立日期"]
    shown = [r["values"]["法定代表人身份证号码"] for r in rejects]
    assert shown == ["420102********001X", "420102*****1001"]  # full, and a 15-digit one


def test_masking_a_whole_sample_folder_load_keeps_every_count(tmp_path: Path) -> None:
    with RejectWriter(tmp_path / "rejects.csv") as writer:
        summary = Loader(None, KEY, writer, progress=False).load([SAMPLES])
    assert summary.totals.read == 23 and summary.totals.rejected == 0


def test_every_column_named_as_an_id_number_is_an_id_column() -> None:
    """A new format (or alias) with a 证件号码 column must be listed in ID_COLUMNS."""
    words = ("证件号", "身份证号", "身份号码")
    for fmt in formats().values():
        for column in fmt.columns:
            headers = [normalize_header(h) for h in (column.header, *column.aliases)]
            if any(w in h for h in headers for w in words):
                assert column.name in ID_COLUMNS, (fmt.name, column.name)


@pytest.mark.parametrize("outcome", ["loaded", "rejected"])
def test_the_department_report_never_names_an_id_number(outcome: str) -> None:
    tally = DepartmentTally(date(2025, 8, 1))
    if outcome == "rejected":
        tally.reject(ZHOU_ID, "bad_date")
    else:
        tally.count(ZHOU_ID, outcome, date(2025, 7, 8))
    [department] = tally.report()
    assert department.authority == "420102********001X"


def test_no_group_or_other_permission_even_with_a_permissive_umask(tmp_path: Path) -> None:
    old = os.umask(0)
    try:
        with RejectWriter(tmp_path / "rejects.csv"):
            pass
    finally:
        os.umask(old)
    assert mode(tmp_path / "rejects.csv") == 0o600
