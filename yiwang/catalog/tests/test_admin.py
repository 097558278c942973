"""The catalog's back office through the Django test client, as a 事项管理员 (catalog manager)
who passed the second factor: the implementation form and its checks, drafts, publishing,
history and revision comparison, the listing's filters, the lifecycle actions, what may not
be deleted, and who may not come in at all."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse
from django.utils import timezone

from yiwang.accounts.models import User
from yiwang.accounts.tests.otp_helpers import login_with_second_factor
from yiwang.catalog.constants import ImplementationStatus, LimitKind
from yiwang.catalog.models import Implementation, Theme
from yiwang.core.models import AuditEvent

from .factories import (
    build_implementation,
    implementation_code,
    make_catalog_item,
    make_department,
    make_implementation,
    publish,
)

pytestmark = pytest.mark.django_db

MATERIAL = {"form": "original", "necessity": "required", "source": "applicant", "copies": "1"}
# A valid credit code (check digit computed by python-stdnum).
USCC = "11990102MB0000001P"
MANAGER_GROUP = "事项管理员"


def url(view, *args):
    return reverse(f"wagtailsnippets_catalog_implementation:{view}", args=args)


def make_staff(username, *, group=None, access_admin=True):
    user = User.objects.create_user(username=username, password="x-Unused-1", is_staff=True)
    if group:
        user.groups.add(Group.objects.get(name=group))
    elif access_admin:
        user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    return user


@pytest.fixture
def manager(db):
    return make_staff("shixiang", group=MANAGER_GROUP)


@pytest.fixture
def manager_client(client, manager):
    login_with_second_factor(client, manager)
    return client


@pytest.fixture
def department(regions):
    from stdnum.cn import uscc

    assert uscc.is_valid(USCC)
    department = make_department(regions["county_a"], name="松林县行政审批局", uscc=USCC)
    department.address = "松林县人民路 1 号"
    department.save()
    return department


def form_data(form):
    """What a browser would post back for ``form`` (a Wagtail cluster form) unchanged: every
    field's current value, and each child formset with its management form."""
    data = {}

    def add(bound_field):
        value = bound_field.value()
        if value is None and getattr(bound_field.field.widget, "allow_multiple_selected", False):
            return
        if isinstance(value, bool):
            if value:
                data[bound_field.html_name] = "on"
        elif isinstance(value, list | tuple):
            data[bound_field.html_name] = [str(v) for v in value]
        else:
            data[bound_field.html_name] = "" if value is None else str(value)

    for bound_field in form:
        add(bound_field)
    for formset in getattr(form, "formsets", {}).values():
        for bound_field in formset.management_form:
            add(bound_field)
        for child in formset.forms:
            for bound_field in child:
                add(bound_field)
    return data


def set_child(data, relation, index, **fields):
    """Add or change child form ``index`` of ``relation`` in posted ``data``."""
    total = int(data[f"{relation}-TOTAL_FORMS"])
    if index >= total:
        data[f"{relation}-TOTAL_FORMS"] = str(index + 1)
        data.setdefault(f"{relation}-{index}-ORDER", str(index + 1))
        data.setdefault(f"{relation}-{index}-id", "")
    for name, value in fields.items():
        data[f"{relation}-{index}-{name}"] = value


def new_form_data(client, *, region, department, catalog_item):
    form = client.get(url("add")).context["form"]
    data = form_data(form)
    data.update(
        {
            "catalog_item": str(catalog_item.pk),
            "code": implementation_code(catalog_item, region, body=department.uscc),
            "name": "城乡居民基本养老保险参保登记",
            "region": str(region.pk),
            "department": str(department.pk),
            "audience": "individual",
            "limit_kind": LimitKind.PROMISED,
            "promised_limit_days": "3",
            "statutory_limit_days": "20",
            "conditions": "本县户籍居民",
            "place": "县政务服务中心二楼",
            "hours": "工作日",
            "enquiry_phone": "0999-7654321",
            "required_visits": "0",
            "online_depth": "4",
            "real_name_level": "2",
        }
    )
    return data


# Who may come in


@pytest.mark.parametrize("path", ["list", "add"])
def test_non_staff_and_staff_without_permission_are_kept_out(client, regions, path):
    citizen = User.objects.create_user(username="citizen", password="x-Unused-1")
    client.force_login(citizen)
    response = client.get(url(path))
    assert response.status_code == 302 and "/login" in response.url

    client.logout()
    clerk = make_staff("clerk")
    login_with_second_factor(client, clerk)
    response = client.get(url(path))
    assert response.status_code in {302, 403}
    if response.status_code == 302:
        assert response.url == reverse("wagtailadmin_home")
    assert client.get(reverse("catalog_completeness")).status_code in {302, 403}


def test_staff_without_second_factor_is_sent_to_verify(client, manager):
    client.force_login(manager)
    response = client.get(url("list"))
    assert response.status_code == 302
    assert response.url != url("list")


def test_catalog_manager_group_has_the_catalog_permissions_only():
    group = Group.objects.get(name=MANAGER_GROUP)
    names = set(
        f"{app}.{codename}"
        for app, codename in group.permissions.values_list("content_type__app_label", "codename")
    )
    assert names == {
        "wagtailadmin.access_admin",
        "catalog.add_theme",
        "catalog.change_theme",
        "catalog.view_theme",
        "catalog.add_catalogitem",
        "catalog.change_catalogitem",
        "catalog.view_catalogitem",
        "catalog.add_implementation",
        "catalog.change_implementation",
        "catalog.delete_implementation",
        "catalog.view_implementation",
        "catalog.publish_implementation",
    }
    assert set(group.collection_permissions.values_list("permission__codename", flat=True)) == {
        "add_document",
        "choose_document",
    }


def test_manager_sees_the_three_lists(manager_client):
    for model in ["implementation", "catalogitem", "theme"]:
        response = manager_client.get(reverse(f"wagtailsnippets_catalog_{model}:list"))
        assert response.status_code == 200, model


# The implementation form


def test_the_form_has_the_guide_tabs_and_widgets(manager_client, regions):
    response = manager_client.get(url("add"))
    assert response.status_code == 200
    html = response.content.decode()
    for tab in [
        "基本信息",
        "受理条件与材料",
        "办理流程与时限",
        "收费",
        "办理地点与咨询",
        "结果与送达",
        "常见问题",
        "责任",
    ]:
        assert f">{tab}<" in html or f"{tab}\n" in html, tab
    form = response.context["form"]
    assert set(form.formsets) == {
        "situations",
        "materials",
        "legal_bases",
        "process_steps",
        "special_procedures",
        "fees",
        "questions",
    }
    assert form.fields["delivery_methods"].widget.__class__.__name__ == "CheckboxSelectMultiple"
    themes = form.fields["themes"].widget
    assert themes.__class__.__name__ == "CheckboxSelectMultiple"
    groups = [label for label, _ in themes.choices]
    assert groups[:2] == ["个人办事 · 主题分类", "个人办事 · 人生事件（企业生命周期）"]
    assert 'value="post"' in html and "邮政寄递" in html


def test_publishing_a_new_implementation(manager_client, regions, department):
    item = make_catalog_item(name="城乡居民基本养老保险参保登记")
    themes = list(Theme.objects.filter(audience="individual")[:2])
    data = new_form_data(
        manager_client, region=regions["county_a"], department=department, catalog_item=item
    )
    data["themes"] = [str(t.pk) for t in themes]
    data["delivery_methods"] = ["pickup", "electronic"]
    set_child(data, "situations", 0, code="A", name="首次参保")
    set_child(data, "materials", 0, name="居民身份证", situation_codes="A", **MATERIAL)
    set_child(data, "process_steps", 0, name="受理")
    data["action-publish"] = "action-publish"

    response = manager_client.post(url("add"), data)
    assert response.status_code == 302, all_errors(response.context["form"])
    obj = Implementation.objects.get(code=data["code"])
    assert obj.live and obj.version == 1
    assert obj.delivery_methods == ["pickup", "electronic"]
    assert set(obj.themes.all()) == set(themes)
    assert [m.name for m in obj.materials.all()] == ["居民身份证"]
    assert AuditEvent.objects.filter(
        action="catalog.implementation_published", object_id=str(obj.pk)
    ).exists()


def all_errors(form):
    """The form's errors and its child forms' errors, for assertion messages."""
    errors = dict(form.errors)
    for name, formset in form.formsets.items():
        errors.update({f"{name}-{i}": e for i, e in enumerate(formset.errors) if e})
        if formset.non_form_errors():
            errors[name] = formset.non_form_errors()
    return errors


def errors_of(response):
    assert response.status_code == 200
    form = response.context["form"]
    return form, {name: " ".join(errors) for name, errors in form.errors.items()}


def test_entry_checks_show_next_to_the_fields(manager_client, regions, department):
    item = make_catalog_item()
    data = new_form_data(
        manager_client, region=regions["county_a"], department=department, catalog_item=item
    )
    data["action-publish"] = "action-publish"

    bad = {**data, "code": "511A0138600000/000"}
    assert "实施编码的结构不正确" in errors_of(manager_client.post(url("add"), bad))[1]["code"]

    bad = {**data, "code": data["code"].replace(regions["county_a"].code, "990103000000")}
    assert "区划代码" in errors_of(manager_client.post(url("add"), bad))[1]["code"]

    other = make_catalog_item()
    bad = {**data, "catalog_item": str(other.pk)}
    assert "基本编码" in errors_of(manager_client.post(url("add"), bad))[1]["code"]

    bad = {**data, "promised_limit_days": ""}
    errors = errors_of(manager_client.post(url("add"), bad))[1]
    assert errors["promised_limit_days"] == "承诺件必须填写承诺办结时限（工作日）。"

    bad = {**data, "department": str(make_department(regions["county_b"]).pk)}
    assert (
        "实施主体必须是实施区划的部门"
        in errors_of(manager_client.post(url("add"), bad))[1]["department"]
    )

    # A body part of credit-code length with a wrong check digit.
    department.uscc = ""
    department.save()
    bad = {**data, "code": data["code"].replace(USCC, USCC[:-1] + "Q")}
    assert (
        "不是有效的统一社会信用代码" in errors_of(manager_client.post(url("add"), bad))[1]["code"]
    )

    assert not Implementation.objects.exists()


def test_department_with_an_invalid_credit_code_is_refused(manager_client, regions, department):
    item = make_catalog_item()
    data = new_form_data(
        manager_client, region=regions["county_a"], department=department, catalog_item=item
    )
    # Stored before validation existed (a bulk import, say): a wrong check digit.
    type(department).objects.filter(pk=department.pk).update(uscc=USCC[:-1] + "Q")
    data["code"] = data["code"].replace(USCC, USCC[:-1] + "Q")
    errors = errors_of(manager_client.post(url("add"), data))[1]
    assert "统一社会信用代码无效" in errors["department"]


def test_materials_situations_must_exist(manager_client, regions, department):
    item = make_catalog_item()
    data = new_form_data(
        manager_client, region=regions["county_a"], department=department, catalog_item=item
    )
    set_child(data, "situations", 0, code="A", name="首次参保")
    set_child(data, "materials", 0, name="居民身份证", situation_codes="A，B", **MATERIAL)
    form, _ = errors_of(manager_client.post(url("add"), data))
    material_errors = form.formsets["materials"].forms[0].errors
    assert material_errors["situation_codes"] == ["以下情形代码不在本事项的办理情形中：B"]
    assert not Implementation.objects.exists()

    set_child(data, "situations", 1, code="B", name="转移接续")
    response = manager_client.post(url("add"), data)
    assert response.status_code == 302, all_errors(response.context["form"])
    obj = Implementation.objects.get()
    assert not obj.live and obj.version == 0
    assert [s.code for s in obj.latest_revision.as_object().situations.all()] == ["A", "B"]


# Versions: drafts, publishing, history, comparison


@pytest.fixture
def published(regions, department):
    implementation = build_implementation(region=regions["county_a"], department=department)
    # Publishing from the form needs a theme.
    implementation.themes = list(Theme.objects.filter(code="p-documents"))
    return publish(implementation)


def test_a_draft_does_not_change_the_live_guide(manager_client, published):
    data = form_data(manager_client.get(url("edit", published.pk)).context["form"])
    data["promised_limit_days"] = "2"
    response = manager_client.post(url("edit", published.pk), data)
    assert response.status_code == 302, all_errors(response.context["form"])
    live = Implementation.objects.get(pk=published.pk)
    assert live.promised_limit_days == 5 and live.version == 1
    assert live.has_unpublished_changes
    assert live.latest_revision.as_object().promised_limit_days == 2


def test_history_and_comparison_show_the_changes(manager_client, published):
    first = published.latest_revision
    data = form_data(manager_client.get(url("edit", published.pk)).context["form"])
    data["promised_limit_days"] = "2"
    set_child(data, "materials", 1, name="户口簿", **MATERIAL)
    data["action-publish"] = "action-publish"
    response = manager_client.post(url("edit", published.pk), data)
    assert response.status_code == 302, all_errors(response.context["form"])

    live = Implementation.objects.get(pk=published.pk)
    assert live.version == 2 and live.promised_limit_days == 2
    assert sorted(m.name for m in live.materials.all()) == ["居民身份证", "户口簿"]
    second = live.latest_revision
    assert second.pk != first.pk

    history = manager_client.get(url("history", published.pk))
    assert history.status_code == 200

    compare = manager_client.get(url("revisions_compare", published.pk, first.pk, second.pk))
    assert compare.status_code == 200
    html = compare.content.decode()
    assert "承诺办结时限" in html
    assert "户口簿" in html
    # Wagtail lists the changed fields only: exactly the two.
    comparisons = {c.field_label(): c for c in compare.context["comparison"]}
    assert set(comparisons) == {"承诺办结时限（工作日）", "申请材料"}
    assert all(c.has_changed() for c in comparisons.values())


def test_publishing_keeps_the_lifecycle(manager_client, published, manager):
    from yiwang.catalog import actions

    later = timezone.now() + timedelta(days=3)
    actions.suspend_implementation(
        implementation=published, actor=manager, reason="系统升级", effective_at=later
    )
    data = form_data(manager_client.get(url("edit", published.pk)).context["form"])
    data["action-publish"] = "action-publish"
    assert manager_client.post(url("edit", published.pk), data).status_code == 302
    live = Implementation.objects.get(pk=published.pk)
    assert (live.status, live.status_reason, live.version) == ("suspended", "系统升级", 2)


# The listing


def test_listing_filters_search_and_columns(manager_client, regions, department):
    a = make_implementation(region=regions["county_a"], department=department, name="甲事项")
    other = make_department(regions["county_b"], name="临溪县民政局")
    b = make_implementation(region=regions["county_b"], department=other, online_depth=2)
    from yiwang.catalog import actions

    actions.suspend_implementation(implementation=b, actor=None, reason="调整")

    def listed(**params):
        response = manager_client.get(url("list"), params)
        assert response.status_code == 200
        return {obj.pk for obj in response.context["object_list"]}

    assert listed() == {a.pk, b.pk}
    assert listed(region=regions["county_b"].pk) == {b.pk}
    assert listed(department=department.pk) == {a.pk}
    assert listed(status="suspended") == {b.pk}
    assert listed(online_depth=2) == {b.pk}
    assert listed(item_type=1) == {a.pk, b.pk}
    assert listed(item_type=20) == set()
    assert listed(q=regions["county_b"].code) == {b.pk}
    assert listed(q="甲事项") == {a.pk}

    html = manager_client.get(url("list")).content.decode()
    assert "版本号" in html and "事项状态" in html and "暂停（" in html


# Lifecycle


def test_suspend_resume_and_cancel_from_the_admin(manager_client, published, regions):
    replacement = make_implementation(region=regions["county_a"])
    edit = manager_client.get(url("edit", published.pk)).content.decode()
    assert url("lifecycle", published.pk, "suspend") in edit
    assert url("lifecycle", published.pk, "cancel") in edit

    form = manager_client.get(url("lifecycle", published.pk, "suspend"))
    assert form.status_code == 200
    assert form.context["form"]["effective_at"].value() is not None
    choices = list(form.context["form"].fields["replacement"].queryset)
    assert replacement in choices and published not in choices

    response = manager_client.post(
        url("lifecycle", published.pk, "suspend"),
        {"effective_at": "", "reason": " ", "replacement": ""},
    )
    errors = response.context["form"].errors
    assert "reason" in errors and "effective_at" in errors
    assert Implementation.objects.get(pk=published.pk).status == ImplementationStatus.IN_FORCE

    effective = timezone.localtime().replace(second=0, microsecond=0)
    response = manager_client.post(
        url("lifecycle", published.pk, "suspend"),
        {
            "effective_at": effective.strftime("%Y-%m-%d %H:%M"),
            "reason": "系统升级",
            "replacement": str(replacement.pk),
        },
    )
    assert response.status_code == 302
    obj = Implementation.objects.get(pk=published.pk)
    assert (obj.status, obj.status_reason, obj.replaced_by) == (
        "suspended",
        "系统升级",
        replacement,
    )
    assert obj.status_effective_at == effective
    assert not Implementation.objects.visible().filter(pk=obj.pk).exists()
    event = AuditEvent.objects.get(action="catalog.implementation_suspended")
    assert event.object_id == str(obj.pk) and event.detail["replacement"] == replacement.code

    response = manager_client.post(url("lifecycle", published.pk, "resume"), {"reason": "已恢复"})
    assert response.status_code == 302
    assert Implementation.objects.get(pk=published.pk).status == ImplementationStatus.IN_FORCE

    response = manager_client.post(
        url("lifecycle", published.pk, "cancel"),
        {"effective_at": effective.strftime("%Y-%m-%d %H:%M"), "reason": "职能调整"},
    )
    assert response.status_code == 302
    assert Implementation.objects.get(pk=published.pk).status == ImplementationStatus.CANCELLED
    # A cancelled item offers no more lifecycle actions, and cannot be resumed.
    edit = manager_client.get(url("edit", published.pk)).content.decode()
    assert url("lifecycle", published.pk, "resume") not in edit
    response = manager_client.post(url("lifecycle", published.pk, "resume"), {"reason": ""})
    assert response.status_code == 200
    assert "只有暂停的事项可以恢复" in response.content.decode()


def test_an_unpublished_draft_cannot_be_withdrawn(manager_client, regions, department):
    draft = build_implementation(region=regions["county_a"], department=department)
    draft.live = False
    draft.save()
    response = manager_client.post(
        url("lifecycle", draft.pk, "cancel"),
        {"effective_at": "2030-01-01 00:00", "reason": "不需要"},
    )
    assert response.status_code == 200
    assert "尚未发布" in response.content.decode()


def test_lifecycle_needs_the_publish_permission(client, published):
    editor = make_staff("editor", access_admin=True)
    editor.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="catalog",
            codename__in=["view_implementation", "change_implementation"],
        )
    )
    login_with_second_factor(client, editor)
    response = client.post(
        url("lifecycle", published.pk, "cancel"),
        {"effective_at": "2030-01-01 00:00", "reason": "x"},
    )
    assert response.status_code in {302, 403}
    assert Implementation.objects.get(pk=published.pk).status == ImplementationStatus.IN_FORCE


# Deleting


def test_published_implementations_cannot_be_deleted_or_unpublished(manager_client, published):
    assert (
        url("delete", published.pk)
        not in manager_client.get(url("edit", published.pk)).content.decode()
    )
    response = manager_client.post(url("delete", published.pk))
    assert response.status_code in {302, 403}
    response = manager_client.post(url("unpublish", published.pk))
    assert response.status_code == 302
    obj = Implementation.objects.get(pk=published.pk)
    assert obj.live


def test_a_cancelled_implementation_cannot_be_deleted_either(manager_client, published):
    from yiwang.catalog import actions

    actions.cancel_implementation(implementation=published, actor=None, reason="职能调整")
    manager_client.post(url("delete", published.pk))
    assert Implementation.objects.filter(pk=published.pk).exists()


def test_a_draft_never_published_can_be_deleted(manager_client, regions, department):
    draft = build_implementation(region=regions["county_a"], department=department)
    draft.live = False
    draft.save()
    draft.save_revision()
    assert manager_client.get(url("delete", draft.pk)).status_code == 200
    response = manager_client.post(url("delete", draft.pk))
    assert response.status_code == 302
    assert not Implementation.objects.filter(pk=draft.pk).exists()


def test_bulk_delete_skips_published(manager_client, published, regions, department):
    draft = build_implementation(region=regions["county_a"], department=department)
    draft.live = False
    draft.save()
    bulk = (
        reverse("wagtail_bulk_action", args=("catalog", "implementation", "delete"))
        + f"?id={published.pk}&id={draft.pk}"
    )
    response = manager_client.post(bulk)
    assert response.status_code == 302
    # The draft goes; the published implementation is not among the deletable ones.
    assert not Implementation.objects.filter(pk=draft.pk).exists()
    assert Implementation.objects.filter(pk=published.pk).exists()


# Themes


def test_themes_are_deactivated_not_deleted(manager_client):
    theme = Theme.objects.filter(active=True).order_by("pk").first()
    edit = reverse("wagtailsnippets_catalog_theme:edit", args=(theme.pk,))
    data = form_data(manager_client.get(edit).context["form"])
    data.pop("active", None)
    assert manager_client.post(edit, data).status_code == 302
    assert Theme.objects.get(pk=theme.pk).active is False
    delete = reverse("wagtailsnippets_catalog_theme:delete", args=(theme.pk,))
    assert manager_client.post(delete).status_code in {302, 403}
    assert Theme.objects.filter(pk=theme.pk).exists()

    # An inactive theme is not offered to new implementations.
    form = manager_client.get(url("add")).context["form"]
    assert theme not in form.fields["themes"].queryset


def test_publish_helper_matches_admin(regions, department):
    # The factories' publish() and the admin agree on versions (guards the fixture above).
    obj = publish(build_implementation(region=regions["county_a"], department=department))
    assert obj.version == 1
