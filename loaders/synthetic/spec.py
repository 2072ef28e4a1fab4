"""The source file layouts the generator writes: headers, encodings, field rules, defects."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

#: Defect kinds planted in malformed rows.
DEFECTS = ("bad_check_digit", "missing_required", "bad_date", "bad_amount", "unknown_category")
#: How a code field is read: a USCC, a full citizen ID, a court-list code (USCC, or a masked ID
#: for a person), or a code whose kind the named type column tells (居民身份证 / 统一社会信用代码).
CODE_KINDS = ("uscc", "citizen_id", "uscc_or_masked_id", "by_type_column")


@dataclass(frozen=True)
class FileSpec:
    """One source format: file name, header, encoding and the rules its rows follow."""

    name: str
    header: tuple[str, ...]
    encoding: str  # Python codec: utf-8, utf-8-sig (with BOM), gb18030
    required: tuple[str, ...] = ()
    dates: tuple[str, ...] = ()  # ISO dates (YYYY-MM-DD) where not empty
    amounts: tuple[str, ...] = ()  # decimal numbers where not empty
    codes: dict[str, str] = field(default_factory=dict)  # field -> one of CODE_KINDS
    type_column: str = ""  # for by_type_column codes
    categories: dict[str, tuple[str, ...]] = field(default_factory=dict)  # closed vocabularies
    defects: tuple[tuple[str, str], ...] = ()  # (defect, field) planted in turn

    def schema(self) -> dict[str, Any]:
        """The rules as JSON-ready data (for ground_truth.json)."""
        out: dict[str, Any] = {"encoding": self.encoding, "header": list(self.header)}
        out |= {"required": list(self.required), "dates": list(self.dates)}
        out |= {"amounts": list(self.amounts), "codes": dict(self.codes)}
        if self.type_column:
            out["type_column"] = self.type_column
        out["categories"] = {k: list(v) for k, v in self.categories.items()}
        return out


def _h(text: str) -> tuple[str, ...]:
    return tuple(text.split(","))


def _defects(text: str) -> tuple[tuple[str, str], ...]:
    """'defect:field,defect:field,...' as (defect, field) pairs."""
    return tuple((item.split(":")[0], item.split(":", 1)[1]) for item in text.split(","))


_UNIT = "统一社会信用代码"
_PARTY = ("法人及非法人组织", "自然人", "个体工商户")
_PARTY_CODE = "行政相对人代码_1(统一社会信用代码)"
_PENALTY_CATEGORIES = [
    "警告",
    "通报批评",
    "罚款",
    "没收违法所得",
    "没收非法财物",
    "暂扣许可证件",
    "降低资质等级",
    "吊销许可证件",
    "限制开展生产经营活动",
    "责令停产停业",
    "责令关闭",
    "限制从业",
    "行政拘留",
]

ENTERPRISES = FileSpec(
    "企业登记信息.csv",
    _h(
        "统一社会信用代码,企业名称,企业类型,法定代表人,法定代表人证件号码,成立日期,登记状态,住所,联系电话,登记机关"
    ),
    "utf-8-sig",
    required=_h("统一社会信用代码,企业名称,企业类型,法定代表人,成立日期,登记状态,登记机关"),
    dates=("成立日期",),
    codes={_UNIT: "uscc", "法定代表人证件号码": "citizen_id"},
    categories={"登记状态": ("存续", "在业", "吊销", "注销", "迁出")},
    defects=_defects(
        "bad_check_digit:统一社会信用代码,missing_required:企业名称,bad_date:成立日期,bad_check_digit:法定代表人证件号码,missing_required:统一社会信用代码"
    ),
)
SHAREHOLDERS = FileSpec(
    "股东及出资信息.csv",
    _h(
        "统一社会信用代码,股东名称,股东类型,证照/证件类型,证照/证件号码,认缴出资额（万元）,出资比例"
    ),
    "utf-8",
    required=_h("统一社会信用代码,股东名称,股东类型,证照/证件类型,证照/证件号码,出资比例"),
    amounts=("认缴出资额（万元）",),
    codes={_UNIT: "uscc", "证照/证件号码": "by_type_column"},
    type_column="证照/证件类型",
    categories={"股东类型": ("自然人股东", "企业法人"), "证照/证件类型": ("居民身份证", _UNIT)},
    defects=_defects(
        "bad_amount:认缴出资额（万元）,bad_check_digit:证照/证件号码,missing_required:股东名称,unknown_category:股东类型,bad_check_digit:统一社会信用代码"
    ),
)
PERSONNEL = FileSpec(
    "主要人员信息.csv",
    _h("统一社会信用代码,姓名,证件号码,职务"),
    "utf-8",
    required=_h("统一社会信用代码,姓名,证件号码,职务"),
    codes={_UNIT: "uscc", "证件号码": "citizen_id"},
    defects=_defects("bad_check_digit:证件号码,missing_required:姓名"),
)
SOCIAL = FileSpec(
    "社会组织登记信息.csv",
    _h(
        "统一社会信用代码,社会组织名称,社会组织类型,法定代表人,法定代表人证件号码,登记管理机关,业务主管单位,成立登记日期,住所,登记状态"
    ),
    "utf-8",
    required=_h(
        "统一社会信用代码,社会组织名称,社会组织类型,法定代表人,登记管理机关,成立登记日期,登记状态"
    ),
    dates=("成立登记日期",),
    codes={_UNIT: "uscc", "法定代表人证件号码": "citizen_id"},
    categories={
        "社会组织类型": ("社会团体", "民办非企业单位", "基金会"),
        "登记状态": ("正常", "注销", "撤销"),
    },
    defects=_defects(
        "bad_check_digit:统一社会信用代码,missing_required:社会组织名称,bad_date:成立登记日期,unknown_category:社会组织类型"
    ),
)
OFFICIALS = FileSpec(
    "公务员诚信档案.csv",
    _h(
        "姓名,证件号码,工作单位,工作单位统一社会信用代码,职务,记录类型,记录内容,记录日期,记录结果,记录来源单位"
    ),
    "utf-8",
    required=_h("姓名,证件号码,工作单位,工作单位统一社会信用代码,记录类型,记录日期"),
    dates=("记录日期",),
    codes={"证件号码": "citizen_id", "工作单位统一社会信用代码": "uscc"},
    defects=_defects("bad_check_digit:证件号码,missing_required:姓名,bad_date:记录日期"),
)
JUDICIAL = FileSpec(
    "司法执法人员信用档案.csv",
    _h(
        "姓名,证件号码,人员类别,所在单位,所在单位统一社会信用代码,执业证号,记录类型,记录内容,记录日期,记录来源单位"
    ),
    "utf-8",
    required=_h("姓名,证件号码,人员类别,所在单位,所在单位统一社会信用代码,记录类型,记录日期"),
    dates=("记录日期",),
    codes={"证件号码": "citizen_id", "所在单位统一社会信用代码": "uscc"},
    categories={"人员类别": ("法官", "检察官", "警察", "律师", "公证员", "司法鉴定人员")},
    defects=_defects(
        "bad_check_digit:证件号码,missing_required:姓名,bad_date:记录日期,unknown_category:人员类别"
    ),
)
PENALTIES = FileSpec(
    "行政处罚信息.csv",
    _h(
        "行政相对人名称,行政相对人类别,行政相对人代码_1(统一社会信用代码),行政相对人代码_2(工商注册号),"
        "行政相对人代码_3(组织机构代码),行政相对人代码_4(税务登记号),行政相对人代码_5(事业单位证书号),"
        "行政相对人代码_6(社会组织登记证号),法定代表人,法定代表人证件类型,法定代表人证件号码,证件类型,"
        "证件号码,行政处罚决定书文号,违法行为类型,违法事实,处罚依据,处罚类别,处罚内容,罚款金额（万元）,"
        "没收违法所得、没收非法财物的金额（万元）,暂扣或吊销证照名称及编号,处罚决定日期,处罚有效期,"
        "公示截止期,处罚机关,处罚机关统一社会信用代码,数据来源单位,数据来源单位统一社会信用代码,备注"
    ),
    "utf-8",
    required=_h(
        "行政相对人名称,行政相对人类别,行政处罚决定书文号,违法行为类型,违法事实,处罚依据,处罚类别,"
        "处罚内容,处罚决定日期,处罚有效期,处罚机关,处罚机关统一社会信用代码,数据来源单位,"
        "数据来源单位统一社会信用代码"
    ),
    dates=("处罚决定日期", "处罚有效期", "公示截止期"),
    amounts=("罚款金额（万元）", "没收违法所得、没收非法财物的金额（万元）"),
    codes={
        _PARTY_CODE: "uscc",
        "法定代表人证件号码": "citizen_id",
        "证件号码": "citizen_id",
        "处罚机关统一社会信用代码": "uscc",
        "数据来源单位统一社会信用代码": "uscc",
    },
    categories={"行政相对人类别": _PARTY, "处罚类别": tuple(_PENALTY_CATEGORIES)},
    defects=_defects(
        "bad_check_digit:行政相对人代码_1(统一社会信用代码),missing_required:行政处罚决定书文号,bad_date:处罚决定日期,bad_amount:罚款金额（万元）,unknown_category:处罚类别,missing_required:行政相对人名称"
    ),
)
LICENCES = FileSpec(
    "行政许可信息.csv",
    _h(
        "行政相对人名称,行政相对人类别,行政相对人代码_1(统一社会信用代码),法定代表人,法定代表人证件类型,"
        "法定代表人证件号码,证件类型,证件号码,行政许可决定文书名称,行政许可决定文书号,许可类别,"
        "许可证书名称,许可编号,许可内容,许可决定日期,有效期自,有效期至,许可机关,许可机关统一社会信用代码,"
        "当前状态,数据来源单位,数据来源单位统一社会信用代码,备注"
    ),
    "utf-8",
    required=_h(
        "行政相对人名称,行政相对人类别,行政许可决定文书名称,行政许可决定文书号,许可类别,许可内容,"
        "许可决定日期,有效期自,有效期至,许可机关,许可机关统一社会信用代码,当前状态,数据来源单位,"
        "数据来源单位统一社会信用代码"
    ),
    dates=("许可决定日期", "有效期自", "有效期至"),
    codes={
        _PARTY_CODE: "uscc",
        "法定代表人证件号码": "citizen_id",
        "证件号码": "citizen_id",
        "许可机关统一社会信用代码": "uscc",
        "数据来源单位统一社会信用代码": "uscc",
    },
    categories={
        "行政相对人类别": _PARTY,
        "许可类别": ("普通", "特许", "认可", "核准", "登记"),
        "当前状态": ("有效", "撤销", "注销"),
    },
    defects=_defects(
        "bad_check_digit:行政相对人代码_1(统一社会信用代码),missing_required:行政相对人名称,bad_date:许可决定日期,unknown_category:许可类别"
    ),
)
COURT = FileSpec(
    "失信被执行人名单.csv",
    _h(
        "被执行人姓名/名称,身份证号码/组织机构代码,法定代表人或者负责人姓名,执行法院,省份,执行依据文号,"
        "立案时间,案号,做出执行依据单位,生效法律文书确定的义务,被执行人的履行情况,"
        "失信被执行人行为具体情形,发布时间,退出日期"
    ),
    "gb18030",
    required=_h(
        "被执行人姓名/名称,身份证号码/组织机构代码,执行法院,省份,执行依据文号,立案时间,案号,发布时间"
    ),
    dates=("立案时间", "发布时间", "退出日期"),
    codes={"身份证号码/组织机构代码": "uscc_or_masked_id"},
    defects=_defects(
        "bad_check_digit:身份证号码/组织机构代码,missing_required:案号,bad_date:发布时间,missing_required:被执行人姓名/名称"
    ),
)
LISTS = FileSpec(
    "红黑名单.csv",
    _h(
        "名单类型,名单名称,主体名称,主体类别,统一社会信用代码,证件号码,列入日期,移出日期,列入事由,认定依据,认定部门,认定部门统一社会信用代码"
    ),
    "utf-8",
    required=_h("名单类型,名单名称,主体名称,主体类别,列入日期,认定部门,认定部门统一社会信用代码"),
    dates=("列入日期", "移出日期"),
    codes={_UNIT: "uscc", "证件号码": "citizen_id", "认定部门统一社会信用代码": "uscc"},
    categories={
        "名单类型": ("红名单", "黑名单"),
        "名单名称": (
            "经营异常名录",
            "严重违法失信名单",
            "重大税收违法失信主体",
            "旅游不文明行为记录",
            "纳税信用A级纳税人",
            "守信激励对象",
        ),
        "主体类别": _PARTY,
    },
    defects=_defects(
        "bad_check_digit:统一社会信用代码,missing_required:主体名称,bad_date:列入日期,unknown_category:名单类型"
    ),
)
COMMITMENTS = FileSpec(
    "信用承诺.csv",
    _h(
        "承诺主体名称,统一社会信用代码,证件号码,承诺类型,承诺事项,承诺日期,受理部门,受理部门统一社会信用代码,履约状态"
    ),
    "utf-8",
    required=_h(
        "承诺主体名称,承诺类型,承诺事项,承诺日期,受理部门,受理部门统一社会信用代码,履约状态"
    ),
    dates=("承诺日期",),
    codes={_UNIT: "uscc", "证件号码": "citizen_id", "受理部门统一社会信用代码": "uscc"},
    categories={
        "承诺类型": ("审批替代型", "容缺受理型", "信用修复型", "行业自律型", "主动型"),
        "履约状态": ("履约", "未履约", "履约中"),
    },
    defects=_defects(
        "bad_check_digit:统一社会信用代码,missing_required:承诺主体名称,bad_date:承诺日期,unknown_category:履约状态"
    ),
)

#: Every format, in the order the generator writes them.
FILES = (
    ENTERPRISES,
    SHAREHOLDERS,
    PERSONNEL,
    SOCIAL,
    OFFICIALS,
    JUDICIAL,
    PENALTIES,
    LICENCES,
    LISTS,
    COMMITMENTS,
    COURT,
)
XLSX_NAME = "行政许可信息.xlsx"
