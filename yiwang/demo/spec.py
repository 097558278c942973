"""What the demo is made of: its dates, sizes, hostnames and accounts, shared by the
builder (``builder.py``) and by loading, describing and resetting (``loader.py``)."""

import datetime
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from yiwang.portal.constants import SubjectCategory

from . import geography as geo

TZ = ZoneInfo("Asia/Shanghai")
BASE_DATE = datetime.date(2026, 11, 1)
SPAN_DAYS = 548  # about 18 months before BASE_DATE
DEFAULT_PORT = 8000
DEFAULT_SEED = 2026

# Demo only: printed at the end of every run and written in docs/demo.md. Never use the demo
# data, or these passwords, on a server anyone else can reach.
DEMO_PASSWORD = "Yiwang-demo-2026"

# Content pages of each portal by level, and of each small site before it is migrated.
COUNTS = {
    "province": {"news": 22, "notices": 8, "documents": 14, "interpretations": 7},
    "city": {"news": 20, "notices": 7, "documents": 12, "interpretations": 6},
    "county": {"news": 18, "notices": 6, "documents": 10, "interpretations": 5},
}
SMALL_SITE_COUNTS = {"news": 6, "notices": 3}
# Each portal has one amended and one repealed document, superseded by later ones.
SUPERSEDED_PER_PORTAL = ({"repeal": False}, {"repeal": True})

SPECIAL_TOPICS = {
    "优化营商环境": "yhyshj",
    "乡村振兴": "xczx",
    "安全生产": "aqsc",
    "数字政府建设": "szzfjs",
}
# Subject categories of the government's own topics (others take their department's).
TOPIC_SUBJECTS = {
    "乡村振兴": SubjectCategory.AGRICULTURE,
    "安全生产": SubjectCategory.MARKET,
    "防汛抗旱": SubjectCategory.AGRICULTURE,
    "森林防火": SubjectCategory.AGRICULTURE,
    "农村人居环境整治": SubjectCategory.CONSTRUCTION,
    "基层治理": SubjectCategory.CIVIL,
    "民生实事项目": SubjectCategory.GENERAL,
    "优化营商环境": SubjectCategory.ECONOMY,
    "数字政府建设": SubjectCategory.GENERAL,
}
LEVEL_WORDS = {"province": "省", "city": "市", "county": "县"}
HEAD_TITLES = {
    "province": ("省长", "副省长"),
    "city": ("市长", "副市长"),
    "county": ("县长", "副县长"),
}
SUB_UNITS = {
    "province": "各市",
    "city": "各县（区）",
    "county": "各乡镇（街道）",
    "township": "各村（社区）",
}
ADDRESSEES = {
    "province": "各市人民政府，省政府各部门、各直属机构：",
    "city": "各县（区）人民政府，市政府各部门：",
    "county": "各乡镇人民政府、街道办事处，县直各有关单位：",
    "township": "各村（社区），镇属各单位：",
    "department": "各有关单位：",
}
VILLAGES = ("东坪村", "石桥村", "河湾社区", "杨柳村", "新民社区")
LEADER_AREAS = (
    "发展改革",
    "教育",
    "卫生健康",
    "自然资源",
    "生态环境",
    "市场监管",
    "人力资源和社会保障",
    "农业农村",
    "交通运输",
    "应急管理",
)
OFFICE_HOURS = "周一至周五 上午8:30—12:00，下午14:00—17:30（法定节假日除外）"
CENTRE_HOURS = "周一至周五 9:00—17:00，周六 9:00—12:00（法定节假日除外）"


@dataclass(frozen=True)
class DemoUser:
    username: str
    display_name: str
    place_code: str
    department_key: str
    role: str
    superuser: bool = False
    # (portal place code or None for the whole group, editorial role)
    grants: tuple[tuple[str | None, str], ...] = ()


DEMO_USERS = (
    DemoUser("admin", "演示管理员", "99", "office", "超级管理员（整个站群）", superuser=True),
    DemoUser(
        "editor.province",
        "林晓华",
        "99",
        "office",
        "站群编辑：可在所有门户撰写并提交审核",
        grants=((None, "editor"),),
    ),
    DemoUser(
        "editor.songlin",
        "周文博",
        "990121",
        "office",
        "松林县人民政府编辑：撰写并提交审核",
        grants=(("990121", "editor"),),
    ),
    # The three separated administrators of 等保 level 3 (yiwang/accounts/roles.py), and a
    # service-centre clerk who verifies identities at the counter (real-name level 3).
    DemoUser("sysadmin", "赵建平", "99", "office", "系统管理员：站点、门户设置、部门、接入系统"),
    DemoUser("secadmin", "钱慧敏", "99", "office", "安全管理员：账号、用户组与权限、双因素重置"),
    DemoUser("auditor", "孙志远", "99", "office", "审计管理员：只读审计日志与链校验"),
    DemoUser(
        "clerk.songlin", "吴晓燕", "990121", "office", "松林县政务服务中心窗口：实名核验（三级）"
    ),
    DemoUser(
        "reviewer.songlin",
        "陈立新",
        "990121",
        "office",
        "松林县人民政府和明川省人民政府的初审、终审",
        grants=(
            ("990121", "first_review"),
            ("990121", "final_review"),
            ("99", "first_review"),
            ("99", "final_review"),
        ),
    ),
)


@dataclass(frozen=True)
class DemoCitizen:
    username: str
    display_name: str
    mobile: str
    # A well-formed number (real region code, valid birth date and check digit) of a
    # fictional person.
    id_number: str
    level: int
    role: str


DEMO_CITIZENS = (
    DemoCitizen(
        "zhangsan",
        "张三",
        "13900000001",
        "110101199003074514",
        3,
        "自然人（三级），示范企业的管理员",
    ),
    DemoCitizen(
        "lisi", "李四", "13900000002", "110102198807152313", 2, "自然人（二级），示范企业的经办人"
    ),
)
DEMO_COMPANY = {
    "name": "松林县青禾农业科技有限公司",
    "uscc": "91990121MA00000Q0K",
    "legal_representative": "张三",
}
DEMO_EMAIL_DOMAIN = "demo.yiwang.localhost"


def places():
    return {place.code: place for place in geo.PROVINCE.walk()}


def portal_hostname(place):
    return f"{place.pinyin}.localhost"


def small_sites():
    """``(hostname, place, department key or None)`` of the sites migrated into the county."""
    by_code = places()
    county = by_code[geo.MIGRATION_COUNTY]
    sites = [
        (f"{prefix}-{county.pinyin}.localhost", by_code[code], key)
        for code, key, prefix in geo.MIGRATED_DEPARTMENT_SITES
    ]
    sites += [
        (f"{by_code[code].pinyin}-{county.pinyin}.localhost", by_code[code], None)
        for code in geo.MIGRATED_TOWNSHIP_SITES
    ]
    return sites


def demo_hostnames():
    return [portal_hostname(p) for p in geo.portal_places()] + [h for h, _, _ in small_sites()]


def site_url(site):
    port = "" if site.port == 80 else f":{site.port}"
    return f"http://{site.hostname}{port}/"


# -- describing ------------------------------------------------------------------------------
