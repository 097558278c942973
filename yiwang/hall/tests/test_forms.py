"""Application forms as data: the default form and its versions, every field type's
validation with Chinese messages, drafts, schema checks, required materials by situation,
and the accessible partials."""

import json

import pytest
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.test import RequestFactory
from stdnum.cn import uscc

from yiwang.catalog.constants import Audience, MaterialNecessity
from yiwang.catalog.models import Material, Situation
from yiwang.catalog.tests.factories import build_implementation, make_department, publish
from yiwang.core.models import AuditEvent
from yiwang.hall import formdefs
from yiwang.hall.constants import ScanStatus
from yiwang.hall.models import ApplicationForm, CaseMaterial, ServiceSetup

ID_NUMBER = "11010519491231002X"
USCC_BODY = "91110000600037341"
USCC = USCC_BODY + uscc.calc_check_digit(USCC_BODY)


def implementation_with(regions, *, materials=(), situations=(), **fields):
    region = regions["county_a"]
    implementation = build_implementation(
        region=region, department=make_department(region), **fields
    )
    if materials:
        implementation.materials = list(materials)
    implementation.situations = list(situations)
    return publish(implementation)


@pytest.fixture
def implementation(regions):
    return implementation_with(regions)


def form_of(*fields, rules=None, implementation=None):
    return ApplicationForm(
        implementation=implementation,
        version=1,
        schema={"sections": [{"title": "测试", "fields": list(fields)}]},
        material_rules=rules or {},
    )


# --- default form, versions ---------------------------------------------------------------


def names(schema):
    return [f["name"] for s in schema["sections"] for f in s["fields"]]


def test_default_schema_by_audience(regions):
    person = implementation_with(regions, audience=Audience.INDIVIDUAL)
    company = implementation_with(regions, audience=Audience.LEGAL_PERSON)
    person_schema = formdefs.default_schema(person)
    assert [s["title"] for s in person_schema["sections"]] == ["申请人信息", "申请事项"]
    assert names(person_schema) == ["name", "id_number", "mobile", "address", "reason"]
    assert names(formdefs.default_schema(company)) == [
        "name",
        "uscc",
        "legal_representative",
        "mobile",
        "address",
        "reason",
    ]
    reason = person_schema["sections"][1]["fields"][0]
    assert (reason["label"], reason["type"]) == ("申请事由", "textarea")
    assert formdefs.validate_schema(person_schema, implementation=person) == []


def test_ensure_form_saves_version_one_once(implementation):
    assert formdefs.current_form(implementation) is None
    form = formdefs.ensure_form(implementation)
    assert form.version == 1
    assert form.schema == formdefs.default_schema(implementation)
    assert formdefs.ensure_form(implementation).pk == form.pk
    assert ServiceSetup.objects.get(implementation=implementation).form_id == form.pk
    assert ApplicationForm.objects.filter(implementation=implementation).count() == 1
    event = AuditEvent.objects.get(action="hall.form_saved")
    assert event.object_id == str(form.pk)
    assert event.detail["version"] == 1


def test_save_form_makes_a_new_current_version_and_refuses_bad_schema(implementation, regions):
    first = formdefs.ensure_form(implementation)
    schema = {
        "sections": [
            {"title": "申请人", "fields": [{"name": "name", "label": "姓名", "type": "text"}]}
        ]
    }
    second = formdefs.save_form(implementation=implementation, schema=schema, actor=None)
    assert second.version == 2
    assert formdefs.current_form(implementation) == second
    first.refresh_from_db()
    assert first.schema == formdefs.default_schema(implementation)

    with pytest.raises(ValidationError) as caught:
        formdefs.save_form(
            implementation=implementation,
            schema={
                "sections": [
                    {"title": "x", "fields": [{"name": "a", "label": "甲", "type": "colour"}]}
                ]
            },
            actor=None,
        )
    assert "类型“colour”未知" in caught.value.messages[0]
    assert formdefs.current_form(implementation) == second
    assert AuditEvent.objects.filter(action="hall.form_saved").count() == 2


# --- every field type --------------------------------------------------------------------

FIELD_CASES = [
    # (field, good input, stored value, bad input, message fragment)
    ({"type": "text", "max_length": 5}, "  张三 ", "张三", "张三李四王五", "最多 5 个字符"),
    ({"type": "text", "min_length": 2}, "张三", "张三", "张", "至少需要 2 个字符"),
    (
        {
            "type": "text",
            "pattern": r"^[A-Z]{2}\d{4}$",
            "pattern_message": "须为两个大写字母加四位数字",
        },
        "AB1234",
        "AB1234",
        "ab12",
        "须为两个大写字母加四位数字",
    ),
    ({"type": "textarea"}, "第一行\n第二行", "第一行\n第二行", "字" * 2001, "最多 2000 个字符"),
    ({"type": "integer", "min": 1, "max": 10}, "7", 7, "11", "不能大于 10"),
    ({"type": "integer", "min": 1}, "1", 1, "1.5", "须为整数"),
    ({"type": "integer", "min": 1}, "3", 3, "0", "不能小于 1"),
    ({"type": "decimal", "min": "0", "max": "100"}, "12.50", "12.50", "abc", "须为数字"),
    ({"type": "decimal", "max": "100"}, "99.9", "99.9", "100.01", "不能大于 100"),
    (
        {"type": "date", "min": "2026-01-01"},
        "2026-03-01",
        "2026-03-01",
        "2026-02-30",
        "须为有效日期",
    ),
    (
        {"type": "date", "min": "2026-01-01"},
        "2026-01-01",
        "2026-01-01",
        "2025-12-31",
        "不能早于 2026-01-01",
    ),
    (
        {"type": "choice", "choices": [["new", "新办"], ["change", "变更"]]},
        "new",
        "new",
        "other",
        "请从列出的选项中选择",
    ),
    (
        {"type": "multichoice", "choices": [["a", "甲"], ["b", "乙"], ["c", "丙"]]},
        ["a", "c"],
        ["a", "c"],
        ["a", "x"],
        "请从列出的选项中选择",
    ),
    (
        {"type": "id_number"},
        "11010519491231002x",
        ID_NUMBER,
        "110105194912310021",
        "居民身份证号码不正确",
    ),
    (
        {"type": "uscc"},
        USCC.lower(),
        USCC,
        USCC[:-1] + ("0" if USCC[-1] != "0" else "1"),
        "统一社会信用代码不正确",
    ),
    ({"type": "mobile"}, "138 0013 8000", "13800138000", "23800138000", "以 1 开头的 11 位数字"),
    ({"type": "mobile"}, "13800138000", "13800138000", "1380013800", "以 1 开头的 11 位数字"),
    ({"type": "email"}, "zhang@example.cn", "zhang@example.cn", "zhang@", "有效的电子邮箱地址"),
    ({"type": "address"}, "松林县青石镇 1 号", "松林县青石镇 1 号", "地" * 301, "最多 300 个字符"),
]


@pytest.mark.parametrize(("spec", "good", "stored", "bad", "message"), FIELD_CASES)
def test_field_types_validate_with_chinese_messages(spec, good, stored, bad, message):
    field = {"name": "value", "label": "测试项", "required": True, **spec}
    assert formdefs.field_problems(field, "x", set()) == []
    form = form_of(field)

    data, errors = formdefs.clean_data(form, {"value": good})
    assert errors == {}
    assert data == {"value": stored}
    json.dumps(data)

    data, errors = formdefs.clean_data(form, {"value": bad})
    assert list(errors) == ["value"]
    assert message in errors["value"][0], errors
    assert "value" not in data


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"type": "text"}, "请填写测试项。"),
        ({"type": "choice", "choices": [["a", "甲"]]}, "请选择测试项。"),
        ({"type": "multichoice", "choices": [["a", "甲"]]}, "请选择测试项。"),
        ({"type": "boolean"}, "请勾选“测试项”。"),
        ({"type": "date"}, "请填写测试项。"),
    ],
)
def test_required_fields_have_chinese_messages(spec, message):
    form = form_of({"name": "value", "label": "测试项", "required": True, **spec})
    assert formdefs.clean_data(form, {}) == ({}, {"value": [message]})


def test_boolean_and_optional_fields():
    form = form_of(
        {"name": "promise", "label": "承诺所填属实", "type": "boolean", "required": True},
        {"name": "note", "label": "备注", "type": "text"},
        {"name": "count", "label": "数量", "type": "integer"},
    )
    assert formdefs.clean_data(form, {"promise": "on"}) == ({"promise": True}, {})
    # A case's stored form_data (a plain dict with JSON values) re-validates as it is.
    assert formdefs.clean_data(form, {"promise": True, "count": 3}) == (
        {"promise": True, "count": 3},
        {},
    )


def test_draft_makes_fields_optional_but_still_checks_formats(implementation):
    form = formdefs.ensure_form(implementation)
    data, errors = formdefs.clean_data(form, {}, draft=True)
    assert (data, errors) == ({}, {})
    data, errors = formdefs.clean_data(form, {"name": "张三", "mobile": "12"}, draft=True)
    assert data == {"name": "张三"}
    assert errors == {"mobile": ["手机号码须为以 1 开头的 11 位数字。"]}

    draft = formdefs.build_form(form, data={}, draft=True)
    assert draft.is_valid()
    assert all(not f.required for f in draft.fields.values())
    # A draft still shows what submission will require.
    assert draft.fields["name"].schema_required is True
    full = formdefs.build_form(form, data={})
    assert not full.is_valid()
    assert set(full.errors) == {"name", "id_number", "mobile", "reason"}


def test_sections_expose_bound_fields_in_order(implementation):
    form = formdefs.build_form(formdefs.ensure_form(implementation))
    assert [(title, [f.name for f in fields]) for title, fields in form.sections] == [
        ("申请人信息", ["name", "id_number", "mobile", "address"]),
        ("申请事项", ["reason"]),
    ]


# --- schema validation -------------------------------------------------------------------


def problems_of(*fields, rules=None, implementation=None):
    schema = {"sections": [{"title": "分组", "fields": list(fields)}]}
    return formdefs.validate_schema(schema, rules, implementation=implementation)


def test_validate_schema_problems_are_chinese_and_specific(regions):
    assert formdefs.validate_schema({"fields": []}) == ["表单定义必须包含分组列表（sections）。"]
    assert formdefs.validate_schema({"sections": []}) == ["表单至少需要一个分组。"]
    text = {"name": "a", "label": "甲", "type": "text"}
    assert problems_of(text) == []
    assert "类型“colour”未知" in problems_of({**text, "type": "colour"})[0]
    assert "重复" in problems_of(text, {**text, "label": "乙"})[0]
    assert "字段标识“A B”无效" in problems_of({**text, "name": "A B"})[0]
    assert "字段标识“1a”无效" in problems_of({**text, "name": "1a"})[0]
    assert "系统保留" in problems_of({**text, "name": "csrfmiddlewaretoken"})[0]
    assert "缺少显示名称" in problems_of({**text, "label": ""})[0]
    assert "必须列出选项" in problems_of({**text, "type": "choice"})[0]
    assert (
        "选项值有重复"
        in problems_of({**text, "type": "multichoice", "choices": [["x", "甲"], ["x", "乙"]]})[0]
    )
    assert (
        "正则表达式）无效"
        in problems_of({**text, "pattern": "([a-z", "pattern_message": "格式不对"})[0]
    )
    assert "须同时填写不符合格式时的提示" in problems_of({**text, "pattern": "^a$"})[0]
    assert "不支持取值范围" in problems_of({**text, "min": 1})[0]
    assert "最小值大于最大值" in problems_of({**text, "type": "integer", "min": 5, "max": 1})[0]
    assert "YYYY-MM-DD" in problems_of({**text, "type": "date", "min": "2026/01/01"})[0]
    assert "最短长度大于最长长度" in problems_of({**text, "min_length": 9, "max_length": 2})[0]
    assert (
        "至少需要一个字段"
        in formdefs.validate_schema({"sections": [{"title": "空", "fields": []}]})[0]
    )

    implementation = implementation_with(
        regions,
        materials=[Material(name="居民身份证"), Material(name="户口簿")],
        situations=[Situation(code="A", name="本人办理")],
    )
    assert (
        problems_of(text, implementation=implementation, rules={"户口簿": {"required": "never"}})
        == []
    )
    assert problems_of(
        text, implementation=implementation, rules={"结婚证": {"required": "always"}}
    ) == ["材料规则中的“结婚证”不是本事项办事指南中的材料。"]
    assert (
        "情形代码不存在：Z"
        in problems_of(
            text,
            implementation=implementation,
            rules={"户口簿": {"required": "situations", "situations": ["Z"]}},
        )[0]
    )
    assert (
        "没有选择任何情形"
        in problems_of(
            text, implementation=implementation, rules={"户口簿": {"required": "situations"}}
        )[0]
    )
    assert (
        "规则须为"
        in problems_of(
            text, implementation=implementation, rules={"户口簿": {"required": "sometimes"}}
        )[0]
    )


# --- required materials ------------------------------------------------------------------


@pytest.fixture
def guide(regions):
    return implementation_with(
        regions,
        materials=[
            Material(name="居民身份证", necessity=MaterialNecessity.REQUIRED),
            Material(name="委托书", necessity=MaterialNecessity.REQUIRED, situation_codes="B"),
            Material(name="户口簿", necessity=MaterialNecessity.CONDITIONAL),
            Material(name="照片", necessity=MaterialNecessity.OPTIONAL, requirements="近期免冠"),
            Material(name="证明", necessity=MaterialNecessity.REQUIRED, situation_codes="A，C"),
        ],
        situations=[
            Situation(code="A", name="本人办理"),
            Situation(code="B", name="委托他人办理"),
            Situation(code="C", name="补办"),
        ],
    )


def summary(requirements):
    return [(r.name, r.required) for r in requirements]


def test_required_materials_follow_the_guide_by_situation(guide):
    form = formdefs.ensure_form(guide)
    assert summary(formdefs.required_materials(guide, form, ["A"])) == [
        ("居民身份证", True),
        ("户口簿", False),
        ("照片", False),
        ("证明", True),
    ]
    assert summary(formdefs.required_materials(guide, form, ["B"])) == [
        ("居民身份证", True),
        ("委托书", True),
        ("户口簿", False),
        ("照片", False),
    ]
    requirements = formdefs.required_materials(guide, form, ["B"])
    material = Material.objects.get(implementation=guide, name="委托书")
    assert requirements[1].material_id == material.pk
    assert requirements[1].max_files == formdefs.DEFAULT_MAX_FILES
    assert requirements[2].note.startswith("可容缺后补")
    assert requirements[3].note == "近期免冠"


def test_material_rules_override_the_guide(guide):
    formdefs.save_form(
        implementation=guide,
        schema=formdefs.default_schema(guide),
        material_rules={
            "居民身份证": {"required": "never"},
            "照片": {"required": "always", "max_files": 2},
            "户口簿": {"required": "situations", "situations": ["C"]},
            "委托书": {"max_files": 1},
        },
        actor=None,
    )
    form = formdefs.current_form(guide)
    assert summary(formdefs.required_materials(guide, form, ["B"])) == [
        ("居民身份证", False),
        ("委托书", True),
        ("照片", True),
    ]
    requirements = formdefs.required_materials(guide, form, ["C"])
    assert summary(requirements) == [
        ("居民身份证", False),
        ("户口簿", True),
        ("照片", True),
        ("证明", True),
    ]
    assert requirements[2].max_files == 2
    assert formdefs.required_materials(guide, form, ["B"])[1].max_files == 1


# --- the partials ------------------------------------------------------------------------


def test_application_form_partial_is_accessible(implementation):
    schema = formdefs.default_schema(implementation)
    schema["sections"][1]["fields"].append(
        {
            "name": "kind",
            "label": "申请类型",
            "type": "choice",
            "required": True,
            "help": "按实际情况选择",
            "choices": [["new", "新办"], ["change", "变更"]],
        }
    )
    form = form_of(*schema["sections"][0]["fields"], *schema["sections"][1]["fields"])
    form.schema = schema
    bound = formdefs.build_form(form, data={"name": "张三", "mobile": "123"})
    assert not bound.is_valid()
    html = render_to_string("hall/includes/application_form.html", {"form": bound})

    assert 'class="error-summary" role="alert"' in html
    assert '<a href="#id_mobile">联系电话：手机号码须为以 1 开头的 11 位数字。</a>' in html
    assert '<a href="#id_kind_0">申请类型：请选择申请类型。</a>' in html
    assert "<legend>申请人信息</legend>" in html and "<legend>申请事项</legend>" in html
    assert '<label for="id_mobile">联系电话<span class="required">（必填）</span></label>' in html
    assert '<label for="id_address">联系地址<span class="optional">（选填）</span></label>' in html
    assert 'id="id_mobile_error"' in html and 'id="id_mobile_helptext"' in html
    assert 'aria-invalid="true" aria-describedby="id_mobile_helptext id_mobile_error"' in html
    assert 'value="张三"' in html
    assert 'aria-invalid="true"' not in html.split('id="id_name"')[0].rsplit("<input", 1)[1]
    # Radios are a group with their own legend, described by hint and error.
    assert 'aria-describedby="id_kind_helptext id_kind_error"' in html
    assert '<legend>申请类型<span class="required">（必填）</span></legend>' in html
    # The browser must not block saving a draft.
    assert " required" not in html

    clean = render_to_string(
        "hall/includes/application_form.html", {"form": formdefs.build_form(form)}
    )
    assert "error-summary" not in clean and "aria-invalid" not in clean
    # {{ form }} renders the same partial.
    assert "<legend>申请人信息</legend>" in str(formdefs.build_form(form))


def test_material_uploads_partial(guide, django_user_model):
    from yiwang.hall.tests.factories import make_citizen

    form = formdefs.ensure_form(guide)
    requirements = formdefs.required_materials(guide, form, ["B"])
    uploaded = CaseMaterial(
        pk=41,
        material_name="委托书",
        original_name="委托书.pdf",
        size=2048,
        content_type="application/pdf",
        sha256="0" * 64,
        scan_status=ScanStatus.CLEAN,
    )
    request = RequestFactory().get("/")
    request.user = make_citizen()
    html = render_to_string(
        "hall/includes/material_uploads.html",
        {
            "requirements": requirements,
            "materials": [uploaded],
            "upload_url": "/banshi/upload/",
            "remove_url": "/banshi/remove/",
            "upload_errors": {"居民身份证": ["文件是空的，请检查后重新选择。"]},
        },
        request=request,
    )
    assert html.count('<section class="material') == 4
    assert '居民身份证\n      <span class="required">（必须提交）</span>' in html
    assert '照片\n      <span class="optional">（可选）</span>' in html
    assert "委托书.pdf" in html and "2.0" in html and "安全扫描：安全" in html
    assert 'name="material" value="41"' in html and 'action="/banshi/remove/"' in html
    assert html.count('action="/banshi/upload/"') == 4
    assert 'enctype="multipart/form-data"' in html
    assert 'accept=".pdf,.ofd,.jpg' in html
    assert '<label for="material-1-file">选择文件：居民身份证</label>' in html
    assert 'aria-describedby="material-1-hint material-1-error" aria-invalid="true"' in html
    assert "文件是空的" in html
    assert "尚未上传文件" in html
    assert "csrfmiddlewaretoken" in html

    readonly = render_to_string(
        "hall/includes/material_uploads.html",
        {"requirements": requirements, "materials": [uploaded], "readonly": True},
    )
    assert "委托书.pdf" in readonly
    assert "<form" not in readonly
