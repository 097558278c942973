"""The interaction staff groups (roles.py) with access to the back office, the default
answer deadlines (constants.DEFAULT_DEADLINES; urgent: URGENT_DEADLINE) and a first list of
subject categories, all edited in the admin afterwards."""

from django.db import migrations

GROUPS = ("12345话务员", "互动分办员", "互动督办员", "互动部门联络员", "互动承办员", "互动审核员")
DEADLINES = {
    "mailbox": 15,
    "consultation": 3,
    "help": 3,
    "complaint": 13,
    "report": 13,
    "suggestion": 13,
    "praise": 5,
    "error_report": 1,
}
CATEGORIES = (
    ("urban", "城乡建设"),
    ("transport", "交通运输"),
    ("labour", "劳动和社会保障"),
    ("education", "教育文体"),
    ("health", "卫生健康"),
    ("environment", "环境保护"),
    ("commerce", "商贸旅游"),
    ("agriculture", "农业农村"),
    ("public-security", "公安政法"),
    ("civil-affairs", "民政"),
    ("market", "市场监管"),
    ("government-services", "政务服务"),
    ("other", "其他"),
)


def create(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    DeadlineRule = apps.get_model("interaction", "DeadlineRule")
    Category = apps.get_model("interaction", "Category")
    admin_type, _ = ContentType.objects.get_or_create(app_label="wagtailadmin", model="admin")
    access, _ = Permission.objects.get_or_create(
        content_type=admin_type, codename="access_admin", defaults={"name": "Can access Wagtail admin"}
    )
    for name in GROUPS:
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(access)
    for kind, days in DEADLINES.items():
        DeadlineRule.objects.get_or_create(
            kind=kind, urgency="normal", defaults={"amount": days, "unit": "working_days"}
        )
        DeadlineRule.objects.get_or_create(
            kind=kind, urgency="urgent", defaults={"amount": 4, "unit": "working_hours"}
        )
    for code, name in CATEGORIES:
        Category.objects.get_or_create(code=code, defaults={"name": name})


def remove(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=GROUPS).delete()
    apps.get_model("interaction", "DeadlineRule").objects.all().delete()
    apps.get_model("interaction", "Category").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("interaction", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("wagtailadmin", "0001_create_admin_access_permissions"),
    ]

    operations = [migrations.RunPython(create, remove)]
