"""The Wagtail admin's user create and edit forms, with the platform's own user fields.

Wagtail 8 no longer reads ``WAGTAIL_USER_CREATION_FORM``/``WAGTAIL_USER_EDIT_FORM``/
``WAGTAIL_USER_CUSTOM_FIELDS``: these forms reach the admin through ``UserViewSet`` in
``viewsets.py``, which ``YiwangUsersAppConfig`` (``apps.py``) puts in place of Wagtail's.
The templates under ``templates/wagtailusers/users/`` show the extra fields.
"""

from django import forms
from wagtail.users.forms import UserCreationForm as WagtailUserCreationForm
from wagtail.users.forms import UserEditForm as WagtailUserEditForm

from yiwang.orgs.models import Department

from .models import UserKind

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

    def clean(self):
        cleaned = super().clean()
        if not (cleaned.get("display_name") or "").strip():
            derived = f"{cleaned.get('last_name') or ''}{cleaned.get('first_name') or ''}"
            if derived:
                cleaned["display_name"] = derived
            else:
                self.add_error("display_name", "请填写姓名或名称。")
        return cleaned


class UserCreationForm(YiwangUserFieldsMixin, WagtailUserCreationForm):
    class Meta(WagtailUserCreationForm.Meta):
        fields = WagtailUserCreationForm.Meta.fields | set(CUSTOM_FIELDS)


class UserEditForm(YiwangUserFieldsMixin, WagtailUserEditForm):
    class Meta(WagtailUserEditForm.Meta):
        fields = WagtailUserEditForm.Meta.fields | set(CUSTOM_FIELDS)
