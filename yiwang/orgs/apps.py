from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "yiwang.orgs"
    label = "orgs"
    verbose_name = "组织机构"

    def ready(self):
        from wagtail.permissions import register_permission_policy

        from yiwang.core.permissions import RestrictedModelPermissionPolicy

        from .models import Region

        # Regions come from `manage.py import_divisions`: the admin may rename, not add or
        # delete (departments, portals and cases point at them).
        register_permission_policy(
            Region, RestrictedModelPermissionPolicy(Region, denied={"add", "delete"})
        )
