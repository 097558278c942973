"""The Wagtail admin's user create and edit forms, with the platform's own user fields.

Wagtail 8 no longer reads ``WAGTAIL_USER_CREATION_FORM``/``WAGTAIL_USER_EDIT_FORM``/
``WAGTAIL_USER_CUSTOM_FIELDS``: these forms reach the admin through ``UserViewSet`` in
``viewsets.py``, which ``YiwangUsersAppConfig`` (``apps.py``) puts in place of Wagtail's.
The templates under ``templates/wagtailusers/users/`` show the extra fields.

Both forms keep the separation of the three administrator roles (三员分立, ``roles.py``):
one person holds at most one of them, only staff hold one, and only a security
administrator or a superuser changes who holds one. Given ``for_user`` (the person editing),
they also keep the "超级管理员" box away from anyone who is not a superuser themselves, so a
security administrator cannot make someone all-powerful.
"""

from django import forms
from wagtail.users.forms import UserCreationForm as WagtailUserCreationForm
from wagtail.users.forms import UserEditForm as WagtailUserEditForm

from yiwang.orgs.models import Department

from .models import UserKind
from .roles import ONE_ROLE_MESSAGE, STAFF_ONLY_MESSAGE, may_manage_roles, roles_of

# The fields of ``accounts.User`` the admin edits besides Wagtail's standard ones.
CUSTOM_FIELDS = ("kind", "display_name", "mobile", "department", "legal_person")


class DepartmentChoiceField(forms.ModelChoiceField):
    """Departments of different regions share names (every county has a 教育局): show the
    region too."""

    def label_from_instance(self, obj):
        return f"{obj.region.name} · {obj.name}"


class YiwangUserFieldsMixin(forms.Form):
    kind = forms.ChoiceField(label="用户类型", choices=UserKind.choices, initial=UserKind.STAFF)
    department = DepartmentChoiceField(
        label="所属部门",
        queryset=Department.objects.select_related("region").order_by("region__code", "name"),
        required=False,
        help_text="工作人员必填。",
    )
    # Chinese names do not split into the first and last names Wagtail asks for; the
    # platform shows ``display_name`` (姓名或名称) instead.
    first_name = forms.CharField(label="名", max_length=150, required=False)
    last_name = forms.CharField(label="姓", max_length=150, required=False)

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.for_user = for_user
        superuser_field = self.fields.get("is_superuser")
        if superuser_field is not None and for_user is not None and not for_user.is_superuser:
            # Disabled, not removed: Wagtail's templates render the field unconditionally,
            # and a disabled field keeps the stored value whatever is posted.
            superuser_field.disabled = True
            superuser_field.help_text = "只有超级管理员可以更改此项。"

    def clean(self):
        cleaned = super().clean()
        if not (cleaned.get("display_name") or "").strip():
            derived = f"{cleaned.get('last_name') or ''}{cleaned.get('first_name') or ''}"
            if derived:
                cleaned["display_name"] = derived
            else:
                self.add_error("display_name", "请填写姓名或名称。")
        self._clean_admin_roles(cleaned)
        return cleaned

    def _clean_admin_roles(self, cleaned):
        if "groups" not in cleaned:
            return
        roles = roles_of(groups=cleaned["groups"])
        if len(roles) > 1:
            names = "、".join(role.name for role in roles)
            self.add_error("groups", f"{ONE_ROLE_MESSAGE}（已选：{names}）")
            return
        if roles and cleaned.get("kind", self.instance.kind) != UserKind.STAFF:
            self.add_error("groups", STAFF_ONLY_MESSAGE)
        granted, revoked = self.role_changes()
        if (granted or revoked) and self.for_user is not None:
            if not may_manage_roles(self.for_user):
                self.add_error("groups", "只有安全管理员可以授予或撤销管理员角色。")

    def role_changes(self):
        """(roles granted, roles revoked) by this form, for the audit log."""
        before = set()
        if self.instance.pk is not None:
            before = set(roles_of(self.instance))
        after = set(roles_of(groups=self.cleaned_data.get("groups") or []))
        return sorted(after - before, key=lambda r: r.key), sorted(
            before - after, key=lambda r: r.key
        )

    def save(self, commit=True):
        # Role holders are staff: they need the back office.
        if roles_of(groups=self.cleaned_data.get("groups") or []):
            self.instance.is_staff = True
        return super().save(commit=commit)


class UserCreationForm(YiwangUserFieldsMixin, WagtailUserCreationForm):
    class Meta(WagtailUserCreationForm.Meta):
        fields = WagtailUserCreationForm.Meta.fields | set(CUSTOM_FIELDS)


class UserEditForm(YiwangUserFieldsMixin, WagtailUserEditForm):
    class Meta(WagtailUserEditForm.Meta):
        fields = WagtailUserEditForm.Meta.fields | set(CUSTOM_FIELDS)
