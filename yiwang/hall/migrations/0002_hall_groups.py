"""The hall's staff groups (constants.HallRole). Staff roles need the back office (the
workbench lives there); the configuration administrator may also edit process definitions,
application forms and each implementation's hall setup. None of them holds any of the three
separated administrator roles' permissions (accounts/roles.py)."""

from django.db import migrations

ROLES = {
    "窗口受理人员": (),
    "审查人员": (),
    "审批决定人员": (),
    "部门监察人员": (("case", "view_all_cases", "可查看全部办件（监察）"),),
    "办件配置管理员": tuple(
        (model, f"{action}_{model}", f"Can {action} {model}")
        for model in ("processdefinition", "applicationform", "servicesetup")
        for action in ("add", "change", "view")
    ),
}


def create_groups(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    admin_type, _ = ContentType.objects.get_or_create(app_label="wagtailadmin", model="admin")
    access, _ = Permission.objects.get_or_create(
        content_type=admin_type,
        codename="access_admin",
        defaults={"name": "Can access Wagtail admin"},
    )
    for name, permissions in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        objects = [access]
        for model, codename, label in permissions:
            content_type, _ = ContentType.objects.get_or_create(app_label="hall", model=model)
            permission, _ = Permission.objects.get_or_create(
                content_type=content_type, codename=codename, defaults={"name": label}
            )
            objects.append(permission)
        group.permissions.add(*objects)


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("hall", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("wagtailadmin", "0001_create_admin_access_permissions"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
