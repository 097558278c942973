"""The "事项管理员" (catalog manager) group: keeps the service catalog in the back office.

It may add, change and view themes, base catalog items and implementations, publish
implementations (and so suspend, cancel and resume them), delete implementation drafts never
published (the admin's permission policy refuses published ones), and upload and choose the
documents guides attach (blank and sample forms, flow charts, result samples). It holds none
of the three separated administrator roles' permissions (accounts/roles.py).

Snippet permissions are normally made after migrating (Django's and Wagtail's post_migrate
handlers); they are made here when missing, with the names those handlers give them, so the
group is complete on a fresh database too.
"""

from django.db import migrations

GROUP_NAME = "事项管理员"

MODEL_PERMISSIONS = {
    "theme": ("主题", ("add", "change", "view")),
    "catalogitem": ("基本目录事项", ("add", "change", "view")),
    "implementation": ("实施清单事项", ("add", "change", "delete", "view", "publish")),
}
COLLECTION_PERMISSIONS = ("add_document", "choose_document")


def create_group(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    Collection = apps.get_model("wagtailcore", "Collection")
    GroupCollectionPermission = apps.get_model("wagtailcore", "GroupCollectionPermission")

    group, _ = Group.objects.get_or_create(name=GROUP_NAME)
    admin_type, _ = ContentType.objects.get_or_create(app_label="wagtailadmin", model="admin")
    access, _ = Permission.objects.get_or_create(
        content_type=admin_type,
        codename="access_admin",
        defaults={"name": "Can access Wagtail admin"},
    )
    permissions = [access]
    for model, (verbose_name, actions) in MODEL_PERMISSIONS.items():
        content_type, _ = ContentType.objects.get_or_create(app_label="catalog", model=model)
        for action in actions:
            permission, _ = Permission.objects.get_or_create(
                content_type=content_type,
                codename=f"{action}_{model}",
                defaults={"name": f"Can {action} {verbose_name}"},
            )
            permissions.append(permission)
    group.permissions.add(*permissions)

    root = Collection.objects.filter(depth=1).order_by("path").first()
    if root is None:
        return
    document_type, _ = ContentType.objects.get_or_create(app_label="wagtaildocs", model="document")
    for codename in COLLECTION_PERMISSIONS:
        permission, _ = Permission.objects.get_or_create(
            content_type=document_type,
            codename=codename,
            defaults={"name": f"Can {codename.split('_')[0]} document"},
        )
        GroupCollectionPermission.objects.get_or_create(
            group=group, collection=root, permission=permission
        )


def remove_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0002_seed_themes"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("wagtailadmin", "0001_create_admin_access_permissions"),
        ("wagtailcore", "0098_apitoken"),
        ("wagtaildocs", "0014_alter_document_file_size"),
        # Its choose-permission migration grants choose_image to every group there is.
        ("wagtailimages", "0027_image_description"),
    ]

    operations = [migrations.RunPython(create_group, remove_group)]
