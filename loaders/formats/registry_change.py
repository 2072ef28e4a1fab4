"""企业变更信息 (registry changes): 法定代表人 / 负责人 changes and name changes, dated."""

from __future__ import annotations

from datetime import timedelta

from graph.ids import uscc_category
from graph.model import Relation
from graph.store.common import identity
from graph.vocabulary import Label, RelType
from loaders.base import Column, Context, Parsed, Row, RowError, SourceFormat, organization
from loaders.formats.social_org import CATEGORY_TYPES
from loaders.items import Item, build, nfkc
from loaders.resolve import named_person

COLUMNS = (
    Column("uscc", "统一社会信用代码", ("社会信用代码", "企业统一社会信用代码"), required=True),
    Column("name", "企业名称", ("名称", "市场主体名称", "企业(机构)名称"), required=True),
    Column("item", "变更事项", ("变更项目", "变更事项名称", "变更类型"), required=True),
    Column("before", "变更前内容", ("变更前", "变更前信息")),
    Column("after", "变更后内容", ("变更后", "变更后信息")),
    Column("date", "变更日期", ("变更时间", "核准日期", "核准变更日期"), required=True),
)

#: What a change item is about, by the words of 变更事项 (the first that matches).
REPRESENTATIVE, NAME = "representative", "name"
_KINDS = ((("法定代表人", "负责人"), REPRESENTATIVE), (("名称",), NAME))
_ORGANISATION_LABELS = (str(Label.ENTERPRISE), str(Label.SOCIAL_ORGANIZATION))
_PROVENANCE = ("source_file", "source_row", "loaded_at")


def change_kind(item: str) -> str | None:
    """``representative`` (法定代表人 or 负责人), ``name`` (名称), or None for the other
    items (经营范围, 注册资本, 住所, 股东 …), which are counted but not loaded.

    >>> change_kind("法定代表人变更"), change_kind("负责人变更"), change_kind("企业名称变更")
    ('representative', 'representative', 'name')
    >>> change_kind("经营范围变更") is None
    True
    """
    text = nfkc(item)
    for words, kind in _KINDS:
        if any(word in text for word in words):
            return kind
    return None


def parse(row: Row, ctx: Context) -> Parsed:
    """One change. A change of 法定代表人 (or 负责人, which the enterprise registry loads as
    the legal representative too) ends the old holder's LEGAL_REPRESENTATIVE_OF the day
    before 变更日期 (valid_to is the last day it holds) and starts the new holder's on
    变更日期; both are persons known by name in the organisation, matched by
    ``loaders.resolve.Resolution``. A name change adds 变更前内容 to the organisation's
    former names; 企业名称 is taken as its current name (a file whose 企业名称 disagrees with
    the registry's renames it back and forth). Other items (经营范围, 注册资本, 住所 …) load
    nothing: the row counts as merged."""
    kind = change_kind(row.required("item"))
    if kind is None:
        return Parsed(primary=("entity", ""))
    code = row.uscc("uscc", required=True)
    assert code is not None  # required
    day = row.date("date", required=True)
    assert day is not None  # required
    org = organization(code, row.required("name"), ctx)
    if kind == NAME:
        return _renamed(row, org)
    before, after = row.text("before"), row.text("after")
    if before is None and after is None:
        raise RowError(row.header("after"), "missing required field")
    if before == after:
        return Parsed(primary=("entity", ""))
    out = Parsed(entities=[org])
    prov = ctx.provenance()
    terms = ((before, {"valid_to": day - timedelta(days=1)}), (after, {"valid_from": day}))
    for name, dates in terms:
        if name is None:
            continue
        holder = named_person(name, org["id"], ctx.key, **prov)
        relation = build(
            Relation,
            type=RelType.LEGAL_REPRESENTATIVE_OF,
            source_id=holder["id"],
            target_id=org["id"],
            **dates,
            **prov,
        )
        out.entities.append(holder)
        out.relations.append(relation)
    # the end of the old holder's term is the row's main fact when there is one (it must
    # update a relation already loaded); the new holder's term is written as a fact too
    out.primary = ("relation", identity(out.relations[0]))
    return out


def _renamed(row: Row, org: Item) -> Parsed:
    before = row.required("before")
    if org["label"] not in _ORGANISATION_LABELS:  # an Authority keeps no former names
        return Parsed(primary=("entity", ""))
    if before == org["name"]:
        return Parsed(primary=("entity", ""))
    fields: dict[str, object] = {"former_names": [before]}
    if org["label"] == str(Label.SOCIAL_ORGANIZATION):
        category = CATEGORY_TYPES.get(uscc_category(org["uscc"])[1])
        if category is not None:
            fields["org_type"] = category.value
    # no provenance: the registry row's stays (a name change is not the organisation's row,
    # and writing its own would flip the provenance back and forth on every re-load)
    kept = {k: v for k, v in org.items() if k not in _PROVENANCE}
    renamed = Item(kept, **fields)
    return Parsed(entities=[renamed], primary=("entity", renamed["id"]))


FORMAT = SourceFormat(
    name="registry_change",
    title="企业变更信息",
    columns=COLUMNS,
    signature=("item", "date", "uscc"),
    parse=parse,
)
