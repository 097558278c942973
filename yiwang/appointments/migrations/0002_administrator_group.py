"""The groups of appointments. Appointment administrators (预约管理员) reach the back office
and edit the centres' booking rules, windows, opening sessions and closures, and see
bookings and suspensions (read only: those change through the actions). Counter staff
(预约窗口人员) only reach the back office: which centre's desk they open is decided by the
windows they sit at (``Window.staff``)."""

from django.db import migrations

GROUP = "预约管理员"
COUNTER_GROUP = "预约窗口人员"
EDITABLE = ("bookingpolicy", "window", "openingsession", "closure")
READABLE = ("booking", "bookingsuspension")


def create_group(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    admin_type, _ = ContentType.objects.get_or_create(app_label="wagtailadmin", model="admin")
    access, _ = Permission.objects.get_or_create(
        content_type=admin_type,
        codename="access_admin",
        defaults={"name": "Can access Wagtail admin"},
    )
    wanted = [(model, action) for model in EDITABLE for action in ("add", "change", "delete", "view")]
    wanted += [(model, "view") for model in READABLE]
    objects = [access]
    for model, action in wanted:
        content_type, _ = ContentType.objects.get_or_create(app_label="appointments", model=model)
        permission, _ = Permission.objects.get_or_create(
            content_type=content_type,
            codename=f"{action}_{model}",
            defaults={"name": f"Can {action} {model}"},
        )
        objects.append(permission)
    group, _ = Group.objects.get_or_create(name=GROUP)
    group.permissions.add(*objects)
    counter, _ = Group.objects.get_or_create(name=COUNTER_GROUP)
    counter.permissions.add(access)


def remove_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=[GROUP, COUNTER_GROUP]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("appointments", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("wagtailadmin", "0001_create_admin_access_permissions"),
    ]

    operations = [migrations.RunPython(create_group, remove_group)]
