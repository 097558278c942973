"""The back office form editor: who may use it, preview, saving a version (audited), bad
input refused with the error next to its row, material rules per guide material, the
version page."""

import pytest
from django.urls import reverse

from yiwang.accounts.models import User
from yiwang.accounts.tests.otp_helpers import login_with_second_factor
from yiwang.catalog.constants import MaterialNecessity
from yiwang.catalog.models import Material, Situation
from yiwang.catalog.tests.factories import build_implementation, make_department, publish
from yiwang.core.models import AuditEvent
from yiwang.hall import form_admin, formdefs
from yiwang.hall.constants import HallRole
from yiwang.hall.models import ApplicationForm
from yiwang.hall.tests.factories import make_staff

pytestmark = pytest.mark.django_db

ROW_KEYS = [
    "section",
    "name",
    "label",
    "type",
    "required",
    "help",
    "min_length",
    "max_length",
    "min",
    "max",
    "pattern",
    "pattern_message",
    "choices",
    "ORDER",
]


@pytest.fixture
def implementation(regions):
    region = regions["county_a"]
    implementation = build_implementation(region=region, department=make_department(region))
    implementation.materials = [
        Material(name="居民身份证", necessity=MaterialNecessity.REQUIRED),
        Material(name="委托书", necessity=MaterialNecessity.REQUIRED, situation_codes="B"),
    ]
    implementation.situations = [
        Situation(code="A", name="本人办理"),
        Situation(code="B", name="委托他人办理"),
    ]
    return publish(implementation)


@pytest.fixture
def administrator(implementation):
    return make_staff(implementation.department, HallRole.ADMINISTRATOR)


def edit_url(implementation):
    return reverse("hall_forms:edit", args=[implementation.pk])


def post_data(rows, *, action="save", rules=None, materials=2):
    """The editor's POST as the browser sends it: the field rows, then two blank rows (their
    type select showing its first choice), the material rules by index."""
    data = {
        "action": action,
        "fields-TOTAL_FORMS": str(len(rows) + 2),
        "fields-INITIAL_FORMS": str(len(rows)),
        "fields-MIN_NUM_FORMS": "0",
        "fields-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows):
        for key in ROW_KEYS:
            value = row.get(key, "")
            if key == "required":
                if value:
                    data[f"fields-{index}-required"] = "on"
                continue
            if key == "ORDER" and value == "":
                value = index + 1
            data[f"fields-{index}-{key}"] = "" if value is None else str(value)
        if row.get("DELETE"):
            data[f"fields-{index}-DELETE"] = "on"
    for index in range(len(rows), len(rows) + 2):
        for key in ROW_KEYS:
            if key != "required":
                data[f"fields-{index}-{key}"] = ""
        data[f"fields-{index}-type"] = "text"
    rules = rules or {}
    for index in range(materials):
        rule = rules.get(index, {})
        data[f"material-{index}-mode"] = rule.get("mode", "guide")
        if rule.get("situations"):
            data[f"material-{index}-situations"] = rule["situations"]
        data[f"material-{index}-max_files"] = str(rule.get("max_files", ""))
    return data


def default_rows(implementation):
    return form_admin.rows_from_schema(formdefs.default_schema(implementation))


def test_who_may_use_the_editor(client, implementation, administrator, regions):
    url = edit_url(implementation)
    response = client.get(url)
    assert response.status_code == 302 and "/login/" in response["Location"]

    reviewer = make_staff(implementation.department, HallRole.REVIEWER, HallRole.ACCEPTOR)
    login_with_second_factor(client, reviewer)
    assert client.get(url).status_code == 403
    assert client.post(url, post_data(default_rows(implementation))).status_code == 403
    form = formdefs.ensure_form(implementation)
    assert client.get(reverse("hall_forms:version", args=[form.pk])).status_code == 403
    assert ApplicationForm.objects.count() == 1

    login_with_second_factor(client, administrator)
    response = client.get(url)
    assert response.status_code == 200
    assert "申请表配置" in response.content.decode()

    superuser = User.objects.create_superuser(username="root", password="x" * 16)
    login_with_second_factor(client, superuser)
    assert client.get(url).status_code == 200


def test_editor_shows_the_default_form_and_the_guide_materials(
    client, implementation, administrator
):
    login_with_second_factor(client, administrator)
    html = client.get(edit_url(implementation)).content.decode()
    assert "本事项尚未配置申请表" in html
    assert 'name="fields-0-name"' in html and 'value="name"' in html
    assert 'value="申请事由"' in html
    assert "居民身份证（办事指南：必要）" in html
    assert "委托书（办事指南：必要，适用情形 B）" in html
    assert "B 委托他人办理" in html
    # Nothing saved by looking.
    assert ApplicationForm.objects.count() == 0


def test_preview_renders_the_form_without_saving(client, implementation, administrator):
    login_with_second_factor(client, administrator)
    rows = default_rows(implementation) + [
        {
            "section": "补充信息",
            "name": "kind",
            "label": "申请类型",
            "type": "choice",
            "required": True,
            "choices": "new|新办\nchange|变更",
        },
    ]
    response = client.post(edit_url(implementation), post_data(rows, action="preview"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "预览（申请人看到的表单，尚未保存）" in html
    assert "<legend>补充信息</legend>" in html
    assert (
        '<label for="id_preview-mobile">联系电话<span class="required">（必填）</span></label>'
        in html
    )
    assert "新办" in html
    assert ApplicationForm.objects.count() == 0


def test_saving_makes_a_new_audited_version(client, implementation, administrator):
    first = formdefs.ensure_form(implementation)
    login_with_second_factor(client, administrator)
    rows = default_rows(implementation)
    rows[0]["label"] = "申请人姓名"
    rows.append(
        {
            "section": "申请事项",
            "name": "start_date",
            "label": "拟开始日期",
            "type": "date",
            "min": "2026-01-01",
            "help": "不早于 2026 年",
        }
    )
    rows[3]["DELETE"] = True  # the address
    rules = {
        1: {"mode": "situations", "situations": ["A", "B"], "max_files": 2},
        0: {"mode": "always"},
    }
    response = client.post(edit_url(implementation), post_data(rows, rules=rules))
    assert response.status_code == 302
    assert response["Location"] == edit_url(implementation)

    saved = formdefs.current_form(implementation)
    assert saved.version == 2 and saved.pk != first.pk
    assert saved.created_by == administrator
    fields = [f for s in saved.schema["sections"] for f in s["fields"]]
    assert [f["name"] for f in fields] == ["name", "id_number", "mobile", "reason", "start_date"]
    assert fields[0]["label"] == "申请人姓名"
    assert fields[-1] == {
        "name": "start_date",
        "label": "拟开始日期",
        "type": "date",
        "required": False,
        "help": "不早于 2026 年",
        "min": "2026-01-01",
    }
    assert saved.material_rules == {
        "居民身份证": {"required": "always"},
        "委托书": {"required": "situations", "situations": ["A", "B"], "max_files": 2},
    }
    event = AuditEvent.objects.filter(action="hall.form_saved").latest("sequence")
    assert event.actor == administrator and event.object_id == str(saved.pk)

    html = client.get(edit_url(implementation)).content.decode()
    assert "已保存申请表第 2 版" in html
    assert "当前使用第 2 版" in html
    assert reverse("hall_forms:version", args=[first.pk]) in html

    requirements = formdefs.required_materials(implementation, saved, ["A"])
    assert [(r.name, r.required, r.max_files) for r in requirements] == [
        ("居民身份证", True, 5),
        ("委托书", True, 2),
    ]


def test_bad_input_is_refused_with_the_error_next_to_its_row(client, implementation, administrator):
    formdefs.ensure_form(implementation)
    login_with_second_factor(client, administrator)
    rows = default_rows(implementation)
    rows[1]["name"] = "name"  # duplicate
    rows.append(
        {
            "section": "申请事项",
            "name": "code",
            "label": "编号",
            "type": "text",
            "pattern": "([A-Z",
            "pattern_message": "须为大写字母",
        }
    )
    rows.append(
        {
            "section": "申请事项",
            "name": "kind",
            "label": "类型",
            "type": "choice",
            "choices": "only-a-value",
        }
    )
    rows.append({"section": "申请事项", "name": "Bad Name", "label": "坏标识", "type": "text"})
    response = client.post(edit_url(implementation), post_data(rows))
    assert response.status_code == 400
    html = response.content.decode()
    assert "未保存：请修改下面标出的问题" in html
    assert "字段标识“name”与第 1 行重复。" in html
    assert "正则表达式）无效" in html
    assert "第 1 个选项须写成“值|显示文字”。" in html
    assert "字段标识“Bad Name”无效" in html
    # The row's own error sits inside that row's fieldset.
    row6 = html.split('id="field-row-6"')[1].split("</fieldset>")[0]
    assert "正则表达式）无效" in row6
    # What was typed is kept.
    assert 'value="([A-Z"' in html
    assert formdefs.current_form(implementation).version == 1


def test_material_rule_needs_situations_and_schema_needs_fields(
    client, implementation, administrator
):
    login_with_second_factor(client, administrator)
    rows = default_rows(implementation)
    response = client.post(
        edit_url(implementation), post_data(rows, rules={1: {"mode": "situations"}})
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "请至少勾选一个情形" in html
    assert "材料“委托书”的规则有误" in html

    for row in rows:
        row["DELETE"] = True
    response = client.post(edit_url(implementation), post_data(rows))
    assert response.status_code == 400
    assert "表单至少需要一个字段。" in response.content.decode()
    assert ApplicationForm.objects.count() == 0


def test_version_page_and_editing_from_an_old_version(client, implementation, administrator):
    first = formdefs.ensure_form(implementation)
    formdefs.save_form(
        implementation=implementation,
        schema={
            "sections": [
                {
                    "title": "简表",
                    "fields": [{"name": "name", "label": "姓名", "type": "text", "required": True}],
                }
            ]
        },
        material_rules={"委托书": {"required": "never"}},
        actor=administrator,
    )
    login_with_second_factor(client, administrator)
    html = client.get(reverse("hall_forms:version", args=[first.pk])).content.decode()
    assert "申请表第 1 版" in html and "（当前版本）" not in html
    assert "<code>id_number</code>" in html and "居民身份证号码" in html
    assert "<legend>申请人信息</legend>" in html
    current = formdefs.current_form(implementation)
    html = client.get(reverse("hall_forms:version", args=[current.pk])).content.decode()
    assert "（当前版本）" in html
    assert "不要求（申请人可选择提交）" in html

    html = client.get(edit_url(implementation) + f"?from={first.pk}").content.decode()
    assert "正在以第 1 版为基础编辑" in html
    assert 'value="id_number"' in html
