"""The fictional places and bodies of the demo, and the codes they carry.

The province has division code 99: GB/T 2260 gives real provinces 11–82 and never 99, so demo
regions cannot collide with imported real ones, and ``--reset`` can find them by that prefix.
The names are invented; ``abbr`` is the one-character short name used in document numbers
(松政发〔2026〕12号) and filing numbers.
"""

from dataclasses import dataclass, field

from stdnum.cn import uscc as stdnum_uscc

DEMO_CODE_PREFIX = "99"


@dataclass(frozen=True)
class PlaceSpec:
    code: str  # 2, 4, 6 or 9 digits; padded to 12 when stored
    name: str
    abbr: str = ""
    pinyin: str = ""  # host name label of its portal; empty for places without one
    children: tuple["PlaceSpec", ...] = ()

    @property
    def level(self):
        return {2: "province", 4: "city", 6: "county", 9: "township"}[len(self.code)]

    @property
    def has_portal(self):
        return bool(self.pinyin)

    def walk(self):
        yield self
        for child in self.children:
            yield from child.walk()


def _towns(county_code, *names):
    # Statistics codes: 街道 001–099, 镇 100–199, 乡 200–399 under the county.
    counters = {"街道": 1, "镇": 101, "乡": 201}
    specs = []
    for name, pinyin in names:
        suffix = next(s for s in ("街道", "镇", "乡") if name.endswith(s))
        specs.append(
            PlaceSpec(code=f"{county_code}{counters[suffix]:03d}", name=name, pinyin=pinyin)
        )
        counters[suffix] += 1
    return tuple(specs)


PROVINCE = PlaceSpec(
    code="99",
    name="明川省",
    abbr="明",
    pinyin="mingchuan",
    children=(
        PlaceSpec(
            code="9901",
            name="青岚市",
            abbr="岚",
            pinyin="qinglan",
            children=(
                PlaceSpec(
                    code="990121",
                    name="松林县",
                    abbr="松",
                    pinyin="songlin",
                    children=_towns(
                        "990121",
                        ("城关街道", ""),
                        ("青石镇", "qingshi"),
                        ("松涛镇", "songtao"),
                        ("柏树乡", ""),
                    ),
                ),
                PlaceSpec(
                    code="990122",
                    name="桐溪县",
                    abbr="桐",
                    pinyin="tongxi",
                    children=_towns("990122", ("桐城街道", ""), ("溪口镇", ""), ("云台乡", "")),
                ),
            ),
        ),
        PlaceSpec(
            code="9902",
            name="白鹭市",
            abbr="鹭",
            pinyin="bailu",
            children=(
                PlaceSpec(
                    code="990221",
                    name="鹿鸣县",
                    abbr="鹿",
                    pinyin="luming",
                    children=_towns("990221", ("鸣凤街道", ""), ("鹿山镇", ""), ("茶坪乡", "")),
                ),
            ),
        ),
    ),
)


def portal_places():
    """Places with a portal, in the order they are listed: province, cities, counties."""
    places = [p for p in PROVINCE.walk() if p.level != "township"]
    order = {"province": 0, "city": 1, "county": 2}
    return sorted(places, key=lambda p: (order[p.level], p.code))


@dataclass(frozen=True)
class DepartmentKind:
    key: str
    # The name at province, city and county level, after the region's name.
    names: tuple[str, str, str]
    doc_abbr: str  # in document numbers: 松 + 教 + 发〔2026〕3号
    subject: str  # SubjectCategory value of its documents
    topics: tuple[str, ...]
    duties: tuple[str, ...]
    units: tuple[str, ...] = field(default=())


# The people's government itself issues 政发 documents; its office runs the portal.
GOVERNMENT = DepartmentKind(
    key="gov",
    names=("人民政府", "人民政府", "人民政府"),
    doc_abbr="政",
    subject="01",
    topics=(
        "乡村振兴",
        "安全生产",
        "防汛抗旱",
        "森林防火",
        "农村人居环境整治",
        "基层治理",
        "民生实事项目",
        "优化营商环境",
    ),
    duties=(
        "组织实施本级国民经济和社会发展规划、年度计划和财政预算，统筹推进经济建设和社会事业发展",
        "领导所属工作部门和下级人民政府的工作，督促检查各项决策部署的贯彻落实",
        "依法管理本行政区域内的教育、科学、文化、卫生、体育、民政、公安、司法行政等行政工作",
        "保障公民的人身权利、民主权利和其他权利，维护社会秩序和公共安全",
        "推进法治政府、数字政府和服务型政府建设，深化政务公开和政务服务",
        "办理上级国家行政机关交办的其他事项",
    ),
)

DEPARTMENT_KINDS = (
    DepartmentKind(
        key="office",
        names=("人民政府办公厅", "人民政府办公室", "人民政府办公室"),
        doc_abbr="政办",
        subject="01",
        topics=(
            "政务公开",
            "数字政府建设",
            "政务服务“一网通办”",
            "12345政务服务便民热线",
            "督查督办",
            "优化营商环境",
        ),
        duties=(
            "负责本级人民政府日常工作的综合协调，办理人民政府文电、会务和督查事项",
            "组织起草或审核以本级人民政府及其办公室名义发布的公文",
            "负责本级政府网站、政务新媒体和政务公开工作的统筹协调",
            "负责政务服务便民热线的运行管理和政务值班工作",
        ),
        units=("秘书科", "综合调研科", "督查科", "政务公开科", "电子政务科"),
    ),
    DepartmentKind(
        key="ndrc",
        names=("发展和改革委员会", "发展和改革委员会", "发展和改革局"),
        doc_abbr="发改",
        subject="02",
        topics=(
            "重大项目建设",
            "优化营商环境",
            "社会信用体系建设",
            "粮食安全",
            "节能降碳",
            "招商引资",
        ),
        duties=(
            "拟订并组织实施国民经济和社会发展中长期规划和年度计划",
            "统筹推进重大项目建设，负责固定资产投资的综合管理",
            "推进社会信用体系建设和优化营商环境相关工作",
            "负责粮食和物资储备、能源节约和应对气候变化的综合协调",
        ),
        units=("综合规划科", "投资管理科", "重大项目科", "营商环境科", "能源科"),
    ),
    DepartmentKind(
        key="edu",
        names=("教育厅", "教育局", "教育局"),
        doc_abbr="教",
        subject="10",
        topics=(
            "义务教育优质均衡发展",
            "校园安全",
            "教师队伍建设",
            "学前教育普及普惠",
            "职业教育产教融合",
            "“双减”",
        ),
        duties=(
            "贯彻执行教育方针政策，拟订本级教育事业发展规划并组织实施",
            "统筹管理各级各类学校的教育教学工作，推进教育优质均衡发展",
            "负责教师队伍建设和教育督导评估工作",
            "负责学校安全、学生资助和招生考试的组织管理",
        ),
        units=("基础教育科", "职业与成人教育科", "教师工作科", "学校安全科", "督导室"),
    ),
    DepartmentKind(
        key="market",
        names=("市场监督管理局", "市场监督管理局", "市场监督管理局"),
        doc_abbr="市监",
        subject="08",
        topics=(
            "食品安全",
            "特种设备安全",
            "知识产权保护",
            "质量提升",
            "价格监督检查",
            "个体工商户培育",
        ),
        duties=(
            "负责市场主体登记注册和信用监管工作",
            "负责食品、药品、特种设备和工业产品质量安全监督管理",
            "负责知识产权保护和价格、广告、反不正当竞争等市场秩序监管",
            "组织实施质量强区域战略和标准化、计量、认证认可工作",
        ),
        units=(
            "登记注册科",
            "食品安全协调科",
            "特种设备安全监察科",
            "知识产权科",
            "价格监督检查科",
        ),
    ),
    DepartmentKind(
        key="land",
        names=("自然资源厅", "自然资源和规划局", "自然资源和规划局"),
        doc_abbr="自然资",
        subject="04",
        topics=(
            "耕地保护",
            "国土空间规划",
            "不动产登记",
            "地质灾害防治",
            "矿产资源管理",
            "农村宅基地管理",
        ),
        duties=(
            "履行全民所有土地、矿产等自然资源资产所有者职责和国土空间用途管制职责",
            "组织编制国土空间规划并监督实施",
            "负责耕地保护和不动产统一登记工作",
            "负责地质灾害防治和矿产资源开发利用的监督管理",
        ),
        units=("国土空间规划科", "耕地保护监督科", "不动产登记中心", "地质矿产科"),
    ),
    DepartmentKind(
        key="env",
        names=("生态环境厅", "生态环境局", "生态环境局"),
        doc_abbr="环",
        subject="09",
        topics=(
            "大气污染防治",
            "水污染防治",
            "土壤污染防治",
            "生态环境保护督察整改",
            "固体废物管理",
            "入河排污口整治",
        ),
        duties=(
            "拟订并组织实施生态环境保护规划和污染防治攻坚行动",
            "负责大气、水、土壤等环境污染防治的监督管理",
            "负责建设项目环境影响评价和排污许可管理",
            "组织开展生态环境监测和生态环境保护执法检查",
        ),
        units=("大气环境科", "水生态环境科", "土壤生态环境科", "环境影响评价科", "执法监督科"),
    ),
    DepartmentKind(
        key="health",
        names=("卫生健康委员会", "卫生健康委员会", "卫生健康局"),
        doc_abbr="卫健",
        subject="12",
        topics=(
            "基层医疗卫生服务",
            "传染病防控",
            "家庭医生签约服务",
            "健康促进",
            "托育服务",
            "医疗卫生人才引进",
        ),
        duties=(
            "拟订卫生健康事业发展规划，统筹规划卫生健康资源配置",
            "负责疾病预防控制和突发公共卫生事件的卫生应急工作",
            "推进基层医疗卫生服务体系建设和家庭医生签约服务",
            "负责人口监测、托育服务和老龄健康工作",
        ),
        units=("医政医管科", "基层卫生健康科", "疾病预防控制科", "妇幼健康科", "老龄健康科"),
    ),
    DepartmentKind(
        key="hrss",
        names=("人力资源和社会保障厅", "人力资源和社会保障局", "人力资源和社会保障局"),
        doc_abbr="人社",
        subject="14",
        topics=(
            "就业创业",
            "根治欠薪",
            "社会保险扩面",
            "职业技能提升",
            "高校毕业生就业",
            "人才引进",
        ),
        duties=(
            "拟订就业创业政策，统筹城乡就业和重点群体就业工作",
            "统筹建立覆盖城乡的社会保障体系，组织实施社会保险政策",
            "负责职业能力建设和专业技术人员管理工作",
            "负责劳动关系协调和劳动保障监察，依法查处拖欠工资等违法行为",
        ),
        units=("就业促进科", "社会保险科", "职业能力建设科", "劳动关系科", "劳动保障监察大队"),
    ),
)
KINDS_BY_KEY = {kind.key: kind for kind in (GOVERNMENT, *DEPARTMENT_KINDS)}
LEVEL_INDEX = {"province": 0, "city": 1, "county": 2}


def department_name(kind, place):
    return place.name + kind.names[LEVEL_INDEX[place.level]]


def township_body_name(place):
    """The government of a township, or the office of a sub-district (街道办事处)."""
    if place.name.endswith("街道"):
        return f"{place.name}办事处"
    return f"{place.name}人民政府"


# The department and township sites that existed before the site group and are moved into
# the county portal (关停迁移), with the hostnames they had.
MIGRATED_DEPARTMENT_SITES = (("990121", "edu", "jyj"), ("990121", "market", "scjgj"))
MIGRATED_TOWNSHIP_SITES = ("990121101", "990121102")  # 青石镇, 松涛镇
MIGRATION_COUNTY = "990121"


# -- codes --------------------------------------------------------------------------------

_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def organization_code(body: str) -> str:
    """The nine-character organization code (GB 11714) of an eight-digit body."""
    if len(body) != 8 or not body.isdigit():
        raise ValueError(f"organization code body must be eight digits: {body!r}")
    check = 11 - sum(int(c) * w for c, w in zip(body, _ORG_WEIGHTS, strict=True)) % 11
    return body + {10: "X", 11: "0"}.get(check, str(check))


def government_uscc(division_code: str, serial: int) -> str:
    """A unified social credit code of a government body: "1" (registered by the staffing
    authority) "1" (an organ of state), the division code, an organization code and the
    check digit computed by python-stdnum. Valid, and fictional because of code 99."""
    if len(division_code) != 6 or not division_code.isdigit():
        raise ValueError(f"division code must be six digits: {division_code!r}")
    if not 0 <= serial <= 999:
        raise ValueError("serial must be between 0 and 999")
    base = "11" + division_code + organization_code(f"0{division_code[2:6]}{serial:03d}")
    return base + stdnum_uscc.calc_check_digit(base)
