from django.apps import AppConfig
from wagtail.users.apps import WagtailUsersAppConfig


class AccountsConfig(AppConfig):
    name = "yiwang.accounts"
    label = "accounts"
    verbose_name = "用户与身份"
    default = True

    def ready(self):
        from wagtail.permissions import register_permission_policy

        from yiwang.core.permissions import RestrictedModelPermissionPolicy

        from .models import AgentAuthorization

        # Authorizations are granted and revoked through actions (audited), never edited or
        # deleted in place; "revoke" needs the model's change permission.
        register_permission_policy(
            AgentAuthorization,
            RestrictedModelPermissionPolicy(
                AgentAuthorization, denied={"change", "delete"}, aliases={"revoke": "change"}
            ),
        )

        from django.db.models.signals import post_migrate

        from .roles import after_migrate

        # The three administrator roles need every app's permissions, so they are kept in
        # step after each migrate rather than by a data migration.
        post_migrate.connect(after_migrate, sender=self)


class YiwangUsersAppConfig(WagtailUsersAppConfig):
    """Wagtail's users app with the platform's user forms. Listed in INSTALLED_APPS as
    ``yiwang.accounts.apps.YiwangUsersAppConfig`` in place of ``wagtail.users``."""

    default = False
    user_viewset = "yiwang.accounts.viewsets.UserViewSet"
