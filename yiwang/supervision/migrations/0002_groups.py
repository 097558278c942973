"""Supervision's groups (roles.py): regional supervisors (效能监察人员) and department heads
(部门负责人) reach the back office, where the supervision pages are; what they see is their
scope (``roles.scope_for``), not a model permission. The anomaly rules are created here,
switched off, with their default parameters (constants.RULES)."""

from django.db import migrations

GROUPS = ("效能监察人员", "部门负责人")
RULES = {
    "corrections": {"max_rounds": 2},
    "fast_step": {"min_minutes": 2},
    "refusal_without_basis": {"min_length": 15},
}


def create(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    AnomalyRule = apps.get_model("supervision", "AnomalyRule")
    admin_type, _ = ContentType.objects.get_or_create(app_label="wagtailadmin", model="admin")
    access, _ = Permission.objects.get_or_create(
        content_type=admin_type,
        codename="access_admin",
        defaults={"name": "Can access Wagtail admin"},
    )
    for name in GROUPS:
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(access)
    for code, parameters in RULES.items():
        AnomalyRule.objects.get_or_create(
            code=code, defaults={"enabled": False, "parameters": parameters}
        )


def remove(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=GROUPS).delete()
    apps.get_model("supervision", "AnomalyRule").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("supervision", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("wagtailadmin", "0001_create_admin_access_permissions"),
    ]

    operations = [migrations.RunPython(create, remove)]
