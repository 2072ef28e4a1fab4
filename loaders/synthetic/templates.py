"""Record templates of the synthetic county: authorities, penalties, licences, lists, files."""

# ruff: noqa: E501 - the tables below read one row a line; Chinese text is double width

from __future__ import annotations

from loaders.synthetic.vocab import words


def _table(text: str) -> list[list[str]]:
    """Rows of a '|'-separated table, one row a line."""
    return [line.strip().split("|") for line in text.strip().splitlines()]


# key | name ({city}, {d}) | penalty document prefix ({s}: the district's first character) | level
AUTHORITIES = _table("""
smr|{city}{d}市场监督管理局|{s}市监处罚|county
tax|国家税务总局{city}{d}税务局|{s}税稽罚|county
env|{city}生态环境局{d}分局|武环{s}罚|county
ema|{city}{d}应急管理局|{s}应急罚|county
court|{city}{d}人民法院||county
proc|{city}{d}人民检察院||county
police|{city}公安局{d}分局|{s}公(治)行罚决字|county
justice|{city}{d}司法局|{s}司罚|county
civil|{city}{d}民政局|{s}民罚|county
tour|{city}{d}文化和旅游局|{s}文旅罚|county
build|{city}{d}住房和城乡建设局|{s}建罚|county
hr|{city}{d}人力资源和社会保障局|{s}人社监罚|county
health|{city}{d}卫生健康局|{s}卫公罚|county
urban|{city}{d}城市管理执法局|{s}城管罚|county
transport|{city}{d}交通运输局|{s}交罚|county
fire|{city}{d}消防救援大队|{s}消行罚决字|county
agri|{city}{d}农业农村局|{s}农罚|county
tobacco|{city}烟草专卖局{d}分局|{s}烟专罚|county
drc|{city}{d}发展和改革局||county
edu|{city}{d}教育局||county
finance|{city}{d}财政局||county
org|中共{city}{d}委组织部||county
smr_city|{city}市场监督管理局|武市监处罚|city
court_city|{city}中级人民法院||city
""")
#: Units civil servants work in (keys of AUTHORITIES).
OFFICIAL_UNITS = words(
    "smr tax env ema justice civil tour build hr health urban transport agri drc edu finance org"
)
OFFICIAL_POSTS = words(
    "科员 科员 科员 一级科员 四级主任科员 三级主任科员 一级主任科员 副科长 科长 副局长 局长"
)

# authority | violation type | facts | legal basis | categories (space-separated)
_PENALTIES = _table("""
smr|违反食品安全管理规定|经营超过保质期的食品|《中华人民共和国食品安全法》第一百二十四条|罚款 没收违法所得 没收非法财物 警告
smr|虚假宣传|对商品作虚假或者引人误解的商业宣传|《中华人民共和国反不正当竞争法》第二十条|罚款 通报批评
smr|价格违法|经营者未按照规定明码标价|《明码标价和禁止价格欺诈规定》第二十二条|警告 罚款
smr|违反产品质量管理规定|销售不合格产品|《中华人民共和国产品质量法》第四十九条|罚款 吊销许可证件 没收违法所得
smr_city|违反特种设备安全管理规定|使用未经定期检验的特种设备|《中华人民共和国特种设备安全法》第八十四条|罚款 责令停产停业
tax|未按规定办理纳税申报|未按照规定期限办理纳税申报和报送纳税资料|《中华人民共和国税收征收管理法》第六十二条|罚款
tax|虚开发票|虚开增值税普通发票|《中华人民共和国发票管理办法》第三十五条|罚款 没收违法所得
env|超标排放污染物|排放水污染物超过国家规定的排放标准|《中华人民共和国水污染防治法》第八十三条|罚款 限制开展生产经营活动 责令停产停业
env|未批先建|建设项目环境影响报告表未经批准擅自开工建设|《中华人民共和国环境影响评价法》第三十一条|罚款 责令关闭
ema|违反安全生产管理规定|未按照规定对从业人员进行安全生产教育和培训|《中华人民共和国安全生产法》第九十七条|罚款 责令停产停业 暂扣许可证件
police|违反治安管理|在公共场所寻衅滋事|《中华人民共和国治安管理处罚法》第二十六条|行政拘留 罚款 警告
justice|违反律师执业管理规定|律师事务所违规收费|《中华人民共和国律师法》第五十条|警告 罚款 没收违法所得
civil|违反社会组织登记管理规定|未按照规定接受年度检查|《社会团体登记管理条例》第三十条|警告 限制开展生产经营活动
tour|违规经营演出|擅自从事营业性演出经营活动|《营业性演出管理条例》第四十三条|罚款 没收违法所得 没收非法财物
tour|违反旅游市场管理规定|旅行社未与旅游者签订旅游合同|《中华人民共和国旅游法》第九十六条|罚款 限制从业
build|违反建筑市场管理规定|未取得施工许可证擅自施工|《建筑工程施工许可管理办法》第十二条|罚款
build|违法转包|将承包的工程转包|《建设工程质量管理条例》第六十二条|罚款 降低资质等级 吊销许可证件 没收违法所得
hr|违反劳动保障法律法规|未按照规定支付劳动者工资|《劳动保障监察条例》第二十六条|罚款 通报批评
health|违反公共场所卫生管理规定|未取得公共场所卫生许可证擅自营业|《公共场所卫生管理条例实施细则》第三十五条|警告 罚款
urban|违反市容环境卫生管理规定|擅自占用城市道路经营|《城市市容和环境卫生管理条例》第三十六条|警告 罚款
transport|违反道路运输管理规定|未取得道路运输经营许可擅自从事道路运输经营|《中华人民共和国道路运输条例》第六十三条|罚款 没收违法所得
fire|违反消防管理规定|消防设施、器材未保持完好有效|《中华人民共和国消防法》第六十条|罚款 责令停产停业
agri|违法经营农药|经营假农药|《农药管理条例》第五十五条|罚款 没收非法财物
tobacco|违反烟草专卖管理规定|无烟草专卖零售许可证经营烟草制品零售业务|《中华人民共和国烟草专卖法实施条例》第五十七条|没收违法所得 罚款
""")
PENALTIES: dict[str, list[tuple[str, str, str, tuple[str, ...]]]] = {
    key: [(v, f, b, tuple(c.split())) for k, v, f, b, c in _PENALTIES if k == key]
    for key in dict.fromkeys(row[0] for row in _PENALTIES)
}
#: Authorities whose penalties fall on natural persons (自然人) as well as organisations.
PERSON_PENALISERS = ("police", "urban", "tour", "transport", "tobacco", "health")
#: 行政处罚法 (2021) art. 9 categories, with how many days they stay published.
PENALTY_CATEGORIES = {
    "警告": 90, "通报批评": 90, "罚款": 365, "没收违法所得": 365, "没收非法财物": 365,
    "暂扣许可证件": 365, "降低资质等级": 1095, "吊销许可证件": 1095, "限制开展生产经营活动": 1095,
    "责令停产停业": 1095, "责令关闭": 1095, "限制从业": 1095, "行政拘留": 1095,
}  # fmt: skip

# authority | decision title | category | certificate | number style | contents | years valid
LICENCES = [
    (key, title, category, certificate, style, tuple(contents.split()), int(years))
    for key, title, category, certificate, style, contents, years in _table("""
smr|食品经营许可决定书|普通|食品经营许可证|JY|预包装食品销售 散装食品销售 热食类食品制售 冷食类食品制售|5
smr|特种设备使用登记决定书|登记|特种设备使用登记证|梯|乘客电梯使用登记 压力容器使用登记|6
health|公共场所卫生许可决定书|普通|公共场所卫生许可证|卫公|住宿场所 美容美发场所 沐浴场所|4
env|排污许可决定书|普通|排污许可证|PW|大气污染物排放 水污染物排放|5
build|建筑工程施工许可决定书|普通|建筑工程施工许可证|SG|住宅楼新建工程 厂房新建工程 装饰装修工程|1
build|建筑业企业资质核准决定书|认可|建筑业企业资质证书|D|施工总承包三级 专业承包二级|5
transport|道路运输经营许可决定书|普通|道路运输经营许可证|交运|道路普通货物运输 道路旅客运输|4
tour|营业性演出许可决定书|普通|营业性演出许可证|演|演出场所经营 演出经纪|2
ema|危险化学品经营许可决定书|普通|危险化学品经营许可证|安经|危险化学品经营（不带储存设施）|3
tobacco|烟草专卖零售许可决定书|特许|烟草专卖零售许可证|烟|卷烟零售 雪茄烟零售|5
health|医疗机构执业登记核准决定书|核准|医疗机构执业许可证|医|诊所执业登记|5
""")
]

# key | list type | list name | authority | legal basis | reasons (space-separated)
LISTS = [
    (key, kind, name, auth, basis, tuple(reasons.split()))
    for key, kind, name, auth, basis, reasons in _table("""
abnormal|黑名单|经营异常名录|smr|《企业经营异常名录管理暂行办法》|未按照规定报送年度报告 通过登记的住所或者经营场所无法联系 公示企业信息隐瞒真实情况
serious|黑名单|严重违法失信名单|smr|《市场监督管理严重违法失信名单管理办法》|提交虚假材料取得登记被撤销 食品安全严重违法 被列入经营异常名录届满3年仍未履行义务
tax_black|黑名单|重大税收违法失信主体|tax|《重大税收违法失信主体信息公布管理办法》|虚开增值税专用发票 偷税 逃避追缴欠税
tourism|黑名单|旅游不文明行为记录|tour|《旅游不文明行为记录管理暂行办法》|在景区内涂刻 扰乱航空器客舱秩序 违反景区安全规定
tax_a|红名单|纳税信用A级纳税人|tax|《纳税信用管理办法》|年度纳税信用评价为A级
model|红名单|守信激励对象|drc|《关于建立完善守信联合激励和失信联合惩戒制度加快推进社会诚信建设的指导意见》|诚信示范企业 连续三年无不良信用记录
""")
]

COMMITMENT_TYPES = ("审批替代型", "容缺受理型", "信用修复型", "行业自律型", "主动型")
COMMITMENT_MATTERS = {
    "审批替代型": ("食品经营许可告知承诺", "公共场所卫生许可告知承诺", "建筑工程施工许可告知承诺"),
    "容缺受理型": ("企业登记容缺受理承诺", "道路运输经营许可容缺受理承诺"),
    "信用修复型": ("行政处罚信用修复承诺", "经营异常名录移出信用修复承诺"),
    "行业自律型": ("诚信经营承诺", "食品安全自律承诺"),
    "主动型": ("守法诚信经营承诺", "安全生产承诺"),
}
FULFILMENT = ("履约",) * 5 + ("履约中",) * 3 + ("未履约",)

OFFICIAL_RECORDS = (  # record type, results
    ("年度考核", ("优秀", "称职", "称职", "称职", "基本称职", "不称职")),
    ("个人有关事项报告", ("如实报告", "如实报告", "漏报")),
    ("表彰奖励", ("嘉奖", "记三等功")),
    ("违纪违法处分", ("警告", "记过")),
)
JUDICIAL_KINDS = (  # category, share, unit (authority key or firm kind), record source
    ("法官", 20, "court", "court"),
    ("检察官", 12, "proc", "proc"),
    ("警察", 30, "police", "police"),
    ("律师", 28, "law_firm", "justice"),
    ("公证员", 5, "notary", "justice"),
    ("司法鉴定人员", 5, "forensic", "justice"),
)
JUDICIAL_RECORDS = (
    ("年度考核", "{year}年度考核，结果为称职"),
    ("表彰奖励", "办案质效突出，予以通报表扬"),
    ("执业惩戒", "违规收案收费，给予警告"),
    ("投诉处理", "当事人投诉经核查不属实"),
    ("违法违纪处分", "违反工作纪律，给予警告处分"),
)

COURT_DUTIES = (
    "支付货款人民币{n}万元",
    "偿还借款人民币{n}万元",
    "支付工程款人民币{n}万元",
    "支付劳动报酬人民币{n}万元",
    "返还租金人民币{n}万元",
)
COURT_PERFORMANCE = ("全部未履行", "全部未履行", "部分未履行")
COURT_SITUATIONS = (
    "有履行能力而拒不履行生效法律文书确定义务",
    "违反财产报告制度",
    "违反限制消费令",
    "以虚假诉讼、虚假仲裁或者以隐匿、转移财产等方法规避执行",
    "无正当理由拒不履行执行和解协议",
)
