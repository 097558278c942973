"""Seed the national browsing themes of the hall; administrators edit them afterwards.

The topic lists follow the national integrated government service platform's 个人办事 and
法人办事 theme classification; the life events are the usual life stages of a person and of
an enterprise.
"""

from django.db import migrations

INDIVIDUAL_TOPICS = [
    ("birth-adoption", "生育收养"), ("household", "户籍办理"), ("ethnic-religion", "民族宗教"),
    ("education", "教育科研"), ("military", "入伍服役"), ("employment", "就业创业"),
    ("establishment", "设立变更"), ("permits", "准营准办"), ("mortgage", "抵押质押"),
    ("qualification", "职业资格"), ("payments", "行政缴费"), ("marriage", "婚姻登记"),
    ("preferential", "优待抚恤"), ("planning", "规划建设"), ("housing", "住房保障"),
    ("social-security", "社会保障"), ("documents", "证件办理"), ("transport", "交通出行"),
    ("tourism", "旅游观光"), ("exit-entry", "出境入境"), ("consumer", "消费维权"),
    ("public-safety", "公共安全"), ("justice", "司法公证"), ("ip", "知识产权"),
    ("environment", "环保绿化"), ("culture-sports", "文化体育"), ("utilities", "公用事业"),
    ("health", "医疗卫生"), ("retirement", "离职退休"), ("funeral", "死亡殡葬"),
    ("other", "其他"),
]
LEGAL_TOPICS = [
    ("establishment", "设立变更"), ("permits", "准营准办"), ("certification", "资质认证"),
    ("annual-inspection", "年检年审"), ("tax", "税收财务"), ("human-resources", "人力资源"),
    ("social-security", "社会保障"), ("investment", "投资审批"), ("finance", "融资信贷"),
    ("mortgage", "抵押质押"), ("trade", "商务贸易"), ("bidding", "招标拍卖"),
    ("customs", "海关口岸"), ("foreign", "涉外服务"), ("agriculture", "农林牧渔"),
    ("land-planning", "国土和规划建设"), ("transport", "交通运输"),
    ("environment", "环保绿化"), ("climate", "应对气候变化"), ("water-weather", "水务气象"),
    ("health", "医疗卫生"), ("innovation", "科技创新"), ("culture-education", "文体教育"),
    ("ip", "知识产权"), ("ethnic-religion", "民族宗教"), ("quality", "质量技术"),
    ("inspection-quarantine", "检验检疫"), ("work-safety", "安全生产"),
    ("police-fire", "公安消防"), ("justice", "司法公证"), ("utilities", "公用事业"),
    ("deregistration", "法人注销"), ("archives", "档案文物"), ("other", "其他"),
]
INDIVIDUAL_EVENTS = [
    ("birth", "出生"), ("schooling", "上学"), ("job", "就业"), ("marriage", "结婚"),
    ("home", "安家置业"), ("travel", "出行"), ("illness", "就医"), ("retire", "退休"),
    ("elderly", "养老"), ("death", "身后事"),
]
LEGAL_EVENTS = [
    ("start", "企业开办"), ("operate", "经营许可"), ("invest", "投资建设"),
    ("hire", "用工招聘"), ("tax", "纳税缴费"), ("grow", "变更扩张"), ("close", "注销退出"),
]


def seed(apps, schema_editor):
    Theme = apps.get_model("catalog", "Theme")
    rows = [
        ("individual", "topic", "p-", INDIVIDUAL_TOPICS),
        ("legal_person", "topic", "l-", LEGAL_TOPICS),
        ("individual", "life_event", "pe-", INDIVIDUAL_EVENTS),
        ("legal_person", "life_event", "le-", LEGAL_EVENTS),
    ]
    for audience, kind, prefix, themes in rows:
        for order, (code, name) in enumerate(themes, start=1):
            Theme.objects.get_or_create(
                code=prefix + code,
                defaults={"name": name, "audience": audience, "kind": kind, "sort_order": order},
            )


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
