"""The two monitoring groups (roles.py) with access to the back office, and a starter wording
dictionary (错敏词库): outdated official names from the 2018 and 2023 State Council
reorganisations, typical misspellings (错别字) and expressions the news agencies' style rules
forbid. Administrators edit it afterwards; ``exceptions`` keep generic phrases (文化部门,
环保部门...) from counting as the old ministry's name.

Left out on purpose (need context, a dictionary would flag correct text): 截止/截至, 既使
(既使……又…… is correct), 签定, 十九大 (a past congress is no error), 国家海洋局 (the name
is kept as a second plate), leaders' current titles (they change with each term)."""

from django.db import migrations

GROUPS = ("网站监测管理员", "网站主办单位")

REFORM_2018 = "2018年国务院机构改革后已更名或撤并。"
REFORM_2023 = "2023年党和国家机构改革组建国家金融监督管理总局。"
# (wrong, correct, category, serious, exceptions, note)
TERMS = [
    ("国家工商行政管理总局", "国家市场监督管理总局", "outdated_name", False, "", REFORM_2018),
    ("国家工商总局", "国家市场监管总局", "outdated_name", False, "", REFORM_2018),
    ("国家质量监督检验检疫总局", "国家市场监督管理总局", "outdated_name", False, "",
     REFORM_2018 + "出入境检验检疫职责划入海关总署。"),
    ("国家质检总局", "国家市场监管总局", "outdated_name", False, "", REFORM_2018),
    ("国家食品药品监督管理总局", "国家市场监督管理总局、国家药品监督管理局", "outdated_name",
     False, "", REFORM_2018),
    ("国家食药监总局", "国家市场监管总局、国家药监局", "outdated_name", False, "", REFORM_2018),
    ("国家卫生和计划生育委员会", "国家卫生健康委员会", "outdated_name", False, "", REFORM_2018),
    ("国家卫生计生委", "国家卫生健康委", "outdated_name", False, "", REFORM_2018),
    ("国家人口和计划生育委员会", "国家卫生健康委员会", "outdated_name", False, "",
     "2013年并入国家卫生和计划生育委员会，2018年组建国家卫生健康委员会。"),
    ("国土资源部", "自然资源部", "outdated_name", False, "国土资源部门", REFORM_2018),
    ("国家测绘地理信息局", "自然资源部", "outdated_name", False, "", REFORM_2018),
    ("环境保护部", "生态环境部", "outdated_name", False, "环境保护部门", REFORM_2018),
    ("环保部", "生态环境部", "outdated_name", False, "环保部门", REFORM_2018),
    ("国家旅游局", "文化和旅游部", "outdated_name", False, "", REFORM_2018),
    ("文化部", "文化和旅游部", "outdated_name", False, "文化部门", REFORM_2018),
    ("农业部", "农业农村部", "outdated_name", False, "农业部门", REFORM_2018),
    ("国家安全生产监督管理总局", "应急管理部", "outdated_name", False, "", REFORM_2018),
    ("国家安监总局", "应急管理部", "outdated_name", False, "", REFORM_2018),
    ("监察部", "国家监察委员会", "outdated_name", False, "监察部门",
     "2018年组建国家监察委员会，不再保留监察部。"),
    ("国务院法制办公室", "司法部", "outdated_name", False, "", REFORM_2018),
    ("国家新闻出版广电总局", "国家广播电视总局、国家新闻出版署", "outdated_name", False, "",
     REFORM_2018),
    ("国家林业局", "国家林业和草原局", "outdated_name", False, "", REFORM_2018),
    ("国家粮食局", "国家粮食和物资储备局", "outdated_name", False, "", REFORM_2018),
    ("地方税务局", "税务局", "outdated_name", False, "", "2018年国税地税征管体制改革，省级和省级以下国税地税机构合并。"),
    ("中国银行业监督管理委员会", "国家金融监督管理总局", "outdated_name", False, "", REFORM_2023),
    ("中国保险监督管理委员会", "国家金融监督管理总局", "outdated_name", False, "", REFORM_2023),
    ("中国银行保险监督管理委员会", "国家金融监督管理总局", "outdated_name", False, "", REFORM_2023),
    ("中国银保监会", "国家金融监管总局", "outdated_name", False, "", REFORM_2023),
    ("国务院办工厅", "国务院办公厅", "wrong", True, "", "机关名称错误。"),
    ("中华人名共和国", "中华人民共和国", "wrong", True, "", "国名错误。"),
    ("按装", "安装", "wrong", False, "", ""),
    ("再接再励", "再接再厉", "wrong", False, "", ""),
    ("迫不急待", "迫不及待", "wrong", False, "", ""),
    ("一愁莫展", "一筹莫展", "wrong", False, "", ""),
    ("走头无路", "走投无路", "wrong", False, "", ""),
    ("默守成规", "墨守成规", "wrong", False, "", ""),
    ("针贬时弊", "针砭时弊", "wrong", False, "", ""),
    ("食不裹腹", "食不果腹", "wrong", False, "", ""),
    ("布署", "部署", "wrong", False, "", ""),
    ("震憾", "震撼", "wrong", False, "", ""),
    ("松驰", "松弛", "wrong", False, "", ""),
    ("防碍", "妨碍", "wrong", False, "", ""),
    ("峻工", "竣工", "wrong", False, "", ""),
    ("复盖", "覆盖", "wrong", False, "", ""),
    ("渡假", "度假", "wrong", False, "", ""),
    ("书藉", "书籍", "wrong", False, "", ""),
    ("台湾总统", "台湾地区领导人", "sensitive", True, "", "涉台表述须规范。"),
    ("台湾政府", "台湾当局", "sensitive", True, "", "涉台表述须规范。"),
    ("港澳台国家", "国家和港澳台地区", "sensitive", True, "", "港澳台不是国家。"),
    ("北朝鲜", "朝鲜", "sensitive", True, "", "国名须规范。"),
    ("南朝鲜", "韩国", "sensitive", True, "", "国名须规范。"),
    ("外蒙古", "蒙古国", "sensitive", True, "", "国名须规范。"),
    ("习大大", "习近平总书记", "sensitive", True, "", "对党和国家领导人的称谓须规范。"),
    ("“一带一路”战略", "“一带一路”倡议", "sensitive", False, "", "规范表述为“一带一路”倡议。"),
]


def create(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    WordingTerm = apps.get_model("monitoring", "WordingTerm")
    admin_type, _ = ContentType.objects.get_or_create(app_label="wagtailadmin", model="admin")
    access, _ = Permission.objects.get_or_create(
        content_type=admin_type,
        codename="access_admin",
        defaults={"name": "Can access Wagtail admin"},
    )
    for name in GROUPS:
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(access)
    for wrong, correct, category, serious, exceptions, note in TERMS:
        WordingTerm.objects.get_or_create(
            wrong=wrong,
            defaults={
                "correct": correct,
                "category": category,
                "serious": serious,
                "exceptions": exceptions,
                "note": note,
                "active": True,
            },
        )


def remove(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=GROUPS).delete()
    apps.get_model("monitoring", "WordingTerm").objects.filter(
        wrong__in=[term[0] for term in TERMS]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("monitoring", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("wagtailadmin", "0001_create_admin_access_permissions"),
    ]

    operations = [migrations.RunPython(create, remove)]
