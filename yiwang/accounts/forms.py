from django import forms
from wagtail.users.forms import UserCreationForm as WagtailUserCreationForm
from wagtail.users.forms import UserEditForm as WagtailUserEditForm

from yiwang.orgs.models import Department

from .models import UserKind


class _YiwangUserFields(forms.Form):
    kind = forms.ChoiceField(label="用户类型", choices=UserKind.choices)
    display_name = forms.CharField(label="姓名或名称", max_length=100, required=False)
    department = forms.ModelChoiceField(
        label="所属部门", queryset=Department.objects.select_related("region"), required=False
    )


class UserEditForm(WagtailUserEditForm):
    kind = _YiwangUserFields.base_fields["kind"]
    display_name = _YiwangUserFields.base_fields["display_name"]
    department = _YiwangUserFields.base_fields["department"]


class UserCreationForm(WagtailUserCreationForm):
    kind = _YiwangUserFields.base_fields["kind"]
    display_name = _YiwangUserFields.base_fields["display_name"]
    department = _YiwangUserFields.base_fields["department"]
