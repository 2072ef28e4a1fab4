"""The people the joint-punishment rules name, loaded on both stores: 法定代表人 and 负责人 from
the court list and the registries, 实际控制人 from beneficial owners, and dated changes."""

from __future__ import annotations

import csv
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from graph.model import Person, Relation
from graph.store.protocol import GraphStore
from graph.vocabulary import RelType
from tests.loaders.conftest import LoadFn

COMPANY = "91420102MA4K00010N"  # 武汉某某建设工程有限公司, 法定代表人 周明
PARTNERSHIP = "91420102MA4K000459"  # a 合伙企业, 执行事务合伙人 孙伟
SHOP = "91420102MA4K000534"  # a 合伙企业 the registry does not have
SOCIETY = "51420102MJ0A000764"
ZHOU_ID, SUN_ID, LI_ID = "42010219800101001X", "420102197503030016", "420102198808080027"
WU_ID, ZHENG_ID = "420102198512120026", "420102197006060038"
LR, PRINCIPAL = RelType.LEGAL_REPRESENTATIVE_OF, RelType.PRINCIPAL_OF
CONTROLLER = RelType.ACTUAL_CONTROLLER_OF
NAME = "武汉某某建设工程有限公司"

REGISTRY = (
    "统一社会信用代码,企业名称,企业类型,法定代表人,法定代表人证件号码,成立日期,登记状态,登记机关"
)
COURT = "被执行人姓名/名称,身份证号码/组织机构代码,法定代表人或者负责人姓名,执行法院,案号,发布时间"
CHANGES = "统一社会信用代码,企业名称,变更事项,变更前内容,变更后内容,变更日期"
SOCIAL = (
    "统一社会信用代码,社会组织名称,社会组织类型,法定代表人,法定代表人证件号码,负责人,负责人证件号码"
)
OWNERS = (
    "统一社会信用代码,企业名称,受益所有人姓名,证件号码,受益所有权类型,持股比例,成为受益所有人日期"
)


def write(path: Path, header: str, *lines: str) -> Path:
    """A CSV file from comma-separated lines (no cell here holds a comma)."""
    with open(path, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(line.split(",") for line in (header, *lines))
    return path


def registry(folder: Path, rep: str = f"周明,{ZHOU_ID}") -> Path:
    folder.mkdir(exist_ok=True)
    return write(
        folder / "企业登记信息.csv",
        REGISTRY,
        f"{COMPANY},{NAME},有限责任公司,{rep},2016-05-20,存续,某区市场监督管理局",
        f"{PARTNERSHIP},武汉某某投资合伙企业(有限合伙),有限合伙企业,孙伟,{SUN_ID},2019-03-01,存续,",
    )


def holders(store: GraphStore, org: str, rel: RelType, as_of: date | None = None) -> list[Relation]:
    page = store.neighbourhood(org, rel_types=[rel], direction="in", as_of=as_of)
    return [n.relation for n in page.items]


def person(store: GraphStore, node_id: str) -> Person:
    entity = store.get_entity(node_id, record_limit=0).entity
    assert isinstance(entity, Person)
    return entity


def by_name(store: GraphStore, org: str, rel: RelType) -> dict[str, Relation]:
    return {person(store, r.source_id).name: r for r in holders(store, org, rel)}


def rejects(tmp_path: Path, number: int) -> list[dict[str, str]]:
    with open(tmp_path / f"rejects-{number}.csv", encoding="utf-8-sig") as handle:
        return list(csv.DictReader(handle))


def test_the_court_list_links_representatives_matched_by_name_within_the_organisation(
    load: LoadFn, store: GraphStore, tmp_path: Path
) -> None:
    load(registry(tmp_path))
    [zhou] = holders(store, COMPANY, LR)
    court = write(
        tmp_path / "失信被执行人名单.csv",
        COURT,
        f"{NAME},{COMPANY},周明,某区人民法院,（2025）鄂0102执1号,2025-04-01",
        f"武汉某某投资合伙企业(有限合伙),{PARTNERSHIP},孙伟,某区人民法院,（2025）鄂0102执2号,2025-04-02",
        f"武汉某某餐饮合伙企业,{SHOP},周明,某区人民法院,（2025）鄂0102执3号,2025-04-03",
        f"武汉某某餐饮合伙企业,{SHOP},周明,某区人民法院,（2025）鄂0102执4号,2025-04-04",
    )
    summary = load(court)
    assert (summary.totals.loaded, summary.totals.rejected) == (4, 0)
    # the company's 法定代表人 is the registry's 周明 (verified), not a second 周明
    assert holders(store, COMPANY, LR) == [zhou]
    assert person(store, zhou.source_id).id_hash is not None
    # the partnership's 负责人 is the registry's 孙伟 (its 执行事务合伙人, loaded as legal rep)
    [sun] = holders(store, PARTNERSHIP, PRINCIPAL)
    assert person(store, sun.source_id).id_hash is not None
    assert sun.authority == "某区人民法院"
    assert holders(store, PARTNERSHIP, LR)[0].source_id == sun.source_id
    # a namesake in another organisation stays apart: one unverified 周明 for both its rows
    [other] = holders(store, SHOP, PRINCIPAL)
    assert other.source_id != zhou.source_id
    assert person(store, other.source_id).id_hash is None
    assert holders(store, SHOP, LR) == []
    assert {p.id for p in store.find_persons(["周明"])["周明"]} == {zhou.source_id, other.source_id}
    stats = store.stats()
    again = load(court)
    assert (again.totals.loaded, again.totals.merged) == (0, 4)
    assert store.stats() == stats


def test_a_known_unverified_representative_is_reused_and_a_verified_one_wins(
    load: LoadFn, store: GraphStore, tmp_path: Path
) -> None:
    shop = f"武汉某某餐饮合伙企业,{SHOP},钱多,某区人民法院"
    load(write(tmp_path / "court-1.csv", COURT, f"{shop},（2024）鄂0102执9号,2024-01-01"))
    [first] = holders(store, SHOP, PRINCIPAL)
    assert person(store, first.source_id).id_hash is None
    load(write(tmp_path / "court-2.csv", COURT, f"{shop},（2024）鄂0102执10号,2024-02-01"))
    assert holders(store, SHOP, PRINCIPAL) == [first]
    # the partnership: the court list first (an unverified 孙伟), then the registry (孙伟
    # verified, as legal rep); a later court row's 孙伟 is the verified one
    partnership = f"武汉某某投资合伙企业(有限合伙),{PARTNERSHIP},孙伟,某区人民法院"
    company = f"{NAME},{COMPANY},周明,某区人民法院,（2024）鄂0102执13号,2024-03-01"
    load(
        write(
            tmp_path / "court-3.csv",
            COURT,
            f"{partnership},（2024）鄂0102执11号,2024-03-01",
            company,
        )
    )
    [unverified] = holders(store, PARTNERSHIP, PRINCIPAL)
    load(registry(tmp_path))
    [sun] = holders(store, PARTNERSHIP, LR)
    assert person(store, sun.source_id).id_hash is not None
    # the registry's 周明 does not end the court list's 周明: a namesake, not a successor
    assert [(r.valid_from, r.valid_to) for r in holders(store, COMPANY, LR)] == [(None, None)] * 2
    load(write(tmp_path / "court-4.csv", COURT, f"{partnership},（2024）鄂0102执12号,2024-04-01"))
    principals = {r.source_id for r in holders(store, PARTNERSHIP, PRINCIPAL)}
    assert principals == {unverified.source_id, sun.source_id}


def test_a_social_organisations_principal(load: LoadFn, store: GraphStore, tmp_path: Path) -> None:
    society = f"{SOCIETY},某区建筑业协会,社会团体,郑强,{ZHENG_ID}"
    summary = load(write(tmp_path / "社会组织登记信息.csv", SOCIAL, f"{society},李四,{LI_ID}"))
    assert (summary.totals.loaded, summary.totals.rejected) == (1, 0)
    [principal] = holders(store, SOCIETY, PRINCIPAL)
    [rep] = holders(store, SOCIETY, LR)
    assert person(store, principal.source_id).name == "李四"
    assert person(store, principal.source_id).id_hash is not None
    assert person(store, rep.source_id).name == "郑强"
    # a 负责人 without an ID number who is the legal representative is that person
    load(write(tmp_path / "社会组织-2.csv", SOCIAL, f"{society},郑强,"))
    assert {r.source_id for r in holders(store, SOCIETY, PRINCIPAL)} == {
        principal.source_id,
        rep.source_id,
    }


def test_beneficial_owners_with_type_share_and_date(
    load: LoadFn, store: GraphStore, tmp_path: Path
) -> None:
    load(registry(tmp_path))
    path = write(
        tmp_path / "受益所有人信息.csv",
        OWNERS,
        f"{COMPANY},{NAME},吴芳,{WU_ID},持股,25%,2024-03-01",
        f"{PARTNERSHIP},合伙企业,吴芳,{WU_ID},控制,0.25,2024/4/1",
        f"{COMPANY},{NAME},李四,4201021988****0027,持股,10%,2024-03-01",
        f"{COMPANY},{NAME},李四,{LI_ID},持股,150%,2024-03-01",
    )
    summary = load(path)
    [report] = summary.files
    assert (report.format, report.loaded, report.rejected) == ("beneficial_owner", 2, 2)
    [owner] = holders(store, COMPANY, CONTROLLER)
    assert (owner.ratio, owner.post, owner.valid_from) == (0.25, "持股", date(2024, 3, 1))
    assert person(store, owner.source_id).id_hash is not None
    [control] = holders(store, PARTNERSHIP, CONTROLLER)
    assert (control.source_id, control.ratio, control.post) == (owner.source_id, 0.25, "控制")
    assert control.valid_from == date(2024, 4, 1)
    bad = rejects(tmp_path, 2)
    assert [(r["row"], r["field"]) for r in bad] == [("4", "证件号码"), ("5", "持股比例")]
    assert "full ID number" in bad[0]["reason"] and "over 100%" in bad[1]["reason"]
    again = load(path)
    assert (again.totals.loaded, again.totals.merged, again.totals.rejected) == (0, 2, 2)


def test_a_registry_change_ends_the_old_representative_and_starts_the_new(
    load: LoadFn, store: GraphStore, tmp_path: Path
) -> None:
    load(registry(tmp_path))
    [before] = holders(store, COMPANY, LR)
    changes = write(
        tmp_path / "企业变更信息.csv",
        CHANGES,
        f"{COMPANY},{NAME},法定代表人变更,周明,李四,2025-07-01",
        f"{COMPANY},{NAME},经营范围变更,建筑,建筑；装修,2025-07-01",
        f"{COMPANY},{NAME},名称变更,武汉某某建筑有限公司,{NAME},2020-01-01",
    )
    summary = load(changes)
    [report] = summary.files
    counts = (report.format, report.read, report.loaded, report.merged, report.rejected)
    assert counts == ("registry_change", 3, 2, 1, 0)
    on_eve = holders(store, COMPANY, LR, date(2025, 6, 30))
    assert [(r.source_id, r.valid_to) for r in on_eve] == [(before.source_id, date(2025, 6, 30))]
    [new] = holders(store, COMPANY, LR, date(2025, 7, 1))
    assert new.source_id != before.source_id and new.valid_from == date(2025, 7, 1)
    assert person(store, new.source_id).name == "李四"
    company = store.get_entity(COMPANY, record_limit=0).entity
    assert company.name == NAME
    assert company.former_names == ["武汉某某建筑有限公司"]  # type: ignore[union-attr]
    stats, relations = store.stats(), holders(store, COMPANY, LR)
    again = load(changes)
    assert (again.totals.loaded, again.totals.merged) == (0, 3)
    assert store.stats() == stats and holders(store, COMPANY, LR) == relations


def test_a_change_dates_a_new_representative_the_registry_loaded_first(
    load: LoadFn, store: GraphStore, tmp_path: Path
) -> None:
    load(registry(tmp_path, f"李四,{LI_ID}"))
    change = f"{COMPANY},{NAME},法定代表人变更,周明,李四,2025-07-01"
    load(write(tmp_path / "企业变更信息.csv", CHANGES, change))
    reps = by_name(store, COMPANY, LR)
    assert (reps["李四"].valid_from, reps["李四"].valid_to) == (date(2025, 7, 1), None)
    assert person(store, reps["李四"].source_id).id_hash is not None
    assert reps["周明"].valid_to == date(2025, 6, 30)


def test_a_registry_row_naming_another_representative_ends_the_old_one(
    load: LoadFn, store: GraphStore, tmp_path: Path
) -> None:
    first = registry(tmp_path / "v1")
    load(first)
    [zhou] = holders(store, COMPANY, LR)
    second = registry(tmp_path / "v2", f"李四,{LI_ID}")
    load(second)
    today = datetime.now(UTC).date()
    reps = by_name(store, COMPANY, LR)
    assert reps["周明"].source_id == zhou.source_id
    assert reps["周明"].valid_to == today - timedelta(days=1)
    assert reps["李四"].valid_from == today
    assert [r.source_id for r in holders(store, COMPANY, LR, today)] == [reps["李四"].source_id]
    # the partnership's row names the same 孙伟: nothing ends there
    assert [r.valid_to for r in holders(store, PARTNERSHIP, LR)] == [None]
    relations = holders(store, COMPANY, LR)
    load(second)  # a re-load changes nothing
    load(first)  # nor does the older snapshot, which names a holder the graph has ended
    assert holders(store, COMPANY, LR) == relations
