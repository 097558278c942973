"""Permission policies for back-office models whose admin must not offer every action.

Wagtail asks a model's policy before it shows or serves an add, edit or delete view. These
policies take some actions away from everyone, superusers included, because the data is
written elsewhere: audit rows only by actions, regions only by ``import_divisions``.
"""

from django.contrib.auth import get_user_model
from wagtail.permission_policies import ModelPermissionPolicy


class RestrictedModelPermissionPolicy(ModelPermissionPolicy):
    """Django's model permissions, less the actions in ``denied``. ``aliases`` maps an extra
    action name (such as ``"revoke"``) to the model permission that grants it."""

    def __init__(self, model, *, denied=(), aliases=None, auth_model=None):
        super().__init__(model, auth_model=auth_model)
        self.denied = frozenset(denied)
        self.aliases = dict(aliases or {})

    def user_has_permission(self, user, action):
        if action in self.denied:
            return False
        return super().user_has_permission(user, self.aliases.get(action, action))

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)

    def users_with_any_permission(self, actions):
        allowed = [self.aliases.get(a, a) for a in actions if a not in self.denied]
        if not allowed:
            return get_user_model().objects.none()
        return super().users_with_any_permission(allowed)

    def user_has_permission_for_instance(self, user, action, instance):
        return self.user_has_permission(user, action)

    def user_has_any_permission_for_instance(self, user, actions, instance):
        return self.user_has_any_permission(user, actions)


def read_only_policy(model):
    """Listing and inspecting only: no add, edit or delete in the admin."""
    return RestrictedModelPermissionPolicy(model, denied={"add", "change", "delete"})
