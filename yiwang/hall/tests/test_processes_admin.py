"""The back office's 办件配置 pages and the diagram include."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse

from yiwang.accounts.models import User
from yiwang.accounts.tests.otp_helpers import login_with_second_factor
from yiwang.catalog.constants import OnlineDepth
from yiwang.catalog.tests.factories import make_implementation
from yiwang.hall import engine, process_admin, processes
from yiwang.hall.constants import HallRole, ProcessTemplate
from yiwang.hall.models import ProcessDefinition
from yiwang.hall.tests.factories import make_department, make_staff


@pytest.fixture
def lead(regions):
    return make_department(regions["county_a"], name="松林县市场监督管理局")


@pytest.fixture
def joints(regions):
    return [
        make_department(regions["county_a"], name="松林县消防救援大队"),
        make_department(regions["county_b"], name="临溪县生态环境分局"),
    ]


@pytest.fixture
def implementation(regions, lead):
    return make_implementation(
        region=regions["county_a"],
        department=lead,
        name="食品经营许可",
        online_depth=OnlineDepth.FULLY_ONLINE,
    )


@pytest.fixture
def configurator(lead):
    return make_staff(lead, HallRole.ADMINISTRATOR, display_name="配置员李四")


@pytest.fixture
def admin_client(client, configurator):
    login_with_second_factor(client, configurator)
    return client


def edit_url(implementation):
    return reverse("hall_processes:edit", args=[implementation.pk])


# --- permissions -------------------------------------------------------------------------


def all_urls(implementation):
    definition = processes.configure_process(
        implementation=implementation, template=ProcessTemplate.STANDARD, actor=None
    )
    return [
        reverse("hall_processes:index"),
        edit_url(implementation),
        reverse("hall_processes:version", args=[definition.pk]),
        reverse("hall_processes:xml", args=[definition.pk]),
    ]


def test_anonymous_users_are_sent_to_the_login_page(client, implementation):
    for url in all_urls(implementation):
        response = client.get(url)
        assert response.status_code == 302
        assert "/login/" in response["Location"]


def test_plain_staff_get_403(client, implementation, lead):
    reviewer = make_staff(lead, HallRole.REVIEWER, HallRole.ACCEPTOR)
    login_with_second_factor(client, reviewer)
    for url in all_urls(implementation):
        response = client.get(url)
        assert response.status_code == 403, url
        assert "办件配置只对办件配置管理员开放" in response.content.decode()
    response = client.post(edit_url(implementation), {"template": ProcessTemplate.ON_THE_SPOT})
    assert response.status_code == 403
    assert ProcessDefinition.objects.count() == 1


def test_configuration_administrators_and_superusers_get_in(client, implementation, configurator):
    superuser = User.objects.create_superuser(username="root", password="x" * 20)
    for user in (configurator, superuser):
        login_with_second_factor(client, user)
        for url in all_urls(implementation):
            assert client.get(url).status_code == 200, url


def test_the_menu_item_is_shown_only_to_those_who_may_configure(lead, configurator):
    item = process_admin.menu_item()
    assert item.label == "办件配置"
    request = RequestFactory().get("/admin/")
    request.user = configurator
    assert item.is_shown(request)
    request.user = make_staff(lead, HallRole.DECIDER)
    assert not item.is_shown(request)


# --- the list ----------------------------------------------------------------------------


def test_the_list_shows_online_items_with_their_versions(
    admin_client, implementation, regions, lead
):
    offline = make_implementation(
        region=regions["county_a"], department=lead, name="线下事项", online_depth=1
    )
    other = make_implementation(
        region=regions["county_b"],
        department=make_department(regions["county_b"]),
        name="建设工程消防验收",
        online_depth=OnlineDepth.ONLINE_APPLICATION,
    )
    processes.configure_process(
        implementation=implementation, template=ProcessTemplate.STANDARD, actor=None
    )
    processes.configure_process(
        implementation=implementation, template=ProcessTemplate.ON_THE_SPOT, actor=None
    )
    page = admin_client.get(reverse("hall_processes:index")).content.decode()
    assert "食品经营许可" in page and "建设工程消防验收" in page
    assert offline.name not in page
    assert "即办件（第 2 版）" in page
    assert "未配置（默认流程）" in page

    page = admin_client.get(reverse("hall_processes:index"), {"q": "消防"}).content.decode()
    assert "建设工程消防验收" in page and "食品经营许可" not in page
    page = admin_client.get(
        reverse("hall_processes:index"), {"q": other.code[:20], "region": regions["county_b"].pk}
    ).content.decode()
    assert "建设工程消防验收" in page and "食品经营许可" not in page
    page = admin_client.get(
        reverse("hall_processes:index"), {"department": lead.pk}
    ).content.decode()
    assert "食品经营许可" in page and "建设工程消防验收" not in page


# --- configuring -------------------------------------------------------------------------


def test_picking_the_joint_template_makes_a_version(admin_client, implementation, joints):
    response = admin_client.post(
        edit_url(implementation),
        {"template": ProcessTemplate.JOINT, "joint_departments": [d.pk for d in joints]},
    )
    assert response.status_code == 302
    definition = processes.current_process(implementation)
    assert (definition.version, definition.template) == (1, ProcessTemplate.JOINT)
    assert definition.parameters["joint_departments"] == sorted(d.pk for d in joints)
    page = admin_client.get(edit_url(implementation)).content.decode()
    assert "已保存" in page
    assert "配合部门：松林县消防救援大队、临溪县生态环境分局" in page
    assert "配置员李四" in page
    assert "第 1 版 <strong>（当前）</strong>" in page


def test_picking_the_special_template(admin_client, implementation):
    response = admin_client.post(
        edit_url(implementation),
        {"template": ProcessTemplate.SPECIAL, "special_name": "检验检测"},
    )
    assert response.status_code == 302
    definition = processes.current_process(implementation)
    assert 'name="检验检测"' in definition.bpmn_xml


@pytest.mark.parametrize(
    "data, message",
    [
        ({"template": ProcessTemplate.JOINT}, "并联审批至少需要一个配合部门"),
        ({"template": ProcessTemplate.SPECIAL}, "请填写特别程序名称"),
        ({"template": ProcessTemplate.CUSTOM}, "请上传 BPMN 2.0 文件"),
        ({}, None),
    ],
)
def test_bad_choices_are_explained_next_to_the_field(admin_client, implementation, data, message):
    response = admin_client.post(edit_url(implementation), data)
    assert response.status_code == 200
    form = response.context["form"]
    (field,) = form.errors
    assert field in ("template", "joint_departments", "special_name", "xml")
    for error in form.errors[field]:
        assert error in response.content.decode()
    if message:
        assert message in form.errors[field][0]
    assert not ProcessDefinition.objects.exists()


def test_the_lead_as_joint_department_is_refused(admin_client, implementation, lead, joints):
    response = admin_client.post(
        edit_url(implementation),
        {"template": ProcessTemplate.JOINT, "joint_departments": [lead.pk, joints[0].pk]},
    )
    assert response.status_code == 200
    assert "配合部门不能是牵头部门" in response.content.decode()
    assert not ProcessDefinition.objects.exists()


def upload(text, name="process.bpmn"):
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="application/xml")


def test_a_bad_upload_shows_every_problem_on_the_page(admin_client, implementation):
    xml = processes.template_xml(ProcessTemplate.STANDARD, name="x", parameters={})
    xml = xml.replace('id="decide"', 'id="approve"').replace(
        "</bpmn:process>", '<bpmn:scriptTask id="evil"/></bpmn:process>'
    )
    response = admin_client.post(
        edit_url(implementation), {"template": ProcessTemplate.CUSTOM, "xml": upload(xml)}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "不允许脚本任务（scriptTask）：evil" in page
    assert "用户任务 approve 的 ID 应以环节开头" in page
    assert not ProcessDefinition.objects.exists()

    response = admin_client.post(
        edit_url(implementation),
        {"template": ProcessTemplate.CUSTOM, "xml": upload("not xml at all")},
    )
    assert response.status_code == 200
    assert "不是有效的 XML" in response.content.decode()


def test_an_upload_with_a_template_chosen_is_refused(admin_client, implementation):
    xml = processes.template_xml(ProcessTemplate.STANDARD, name="x", parameters={})
    response = admin_client.post(
        edit_url(implementation), {"template": ProcessTemplate.STANDARD, "xml": upload(xml)}
    )
    assert response.status_code == 200
    assert "上传文件时请选择" in response.content.decode()


def test_a_good_upload_becomes_a_custom_version(admin_client, implementation):
    xml = processes.template_xml(ProcessTemplate.ON_THE_SPOT, name="自定义即办", parameters={})
    response = admin_client.post(
        edit_url(implementation), {"template": ProcessTemplate.CUSTOM, "xml": upload(xml)}
    )
    assert response.status_code == 302
    definition = processes.current_process(implementation)
    assert definition.template == ProcessTemplate.CUSTOM
    engine.validate(definition.bpmn_xml)


# --- versions ----------------------------------------------------------------------------


def test_a_version_page_shows_the_diagram_and_the_xml_downloads(admin_client, implementation):
    v1 = processes.configure_process(
        implementation=implementation, template=ProcessTemplate.STANDARD, actor=None
    )
    processes.configure_process(
        implementation=implementation,
        template=ProcessTemplate.SPECIAL,
        parameters={"special_name": "专家评审"},
        actor=None,
    )
    page = admin_client.get(reverse("hall_processes:version", args=[v1.pk])).content.decode()
    assert "第 1 版" in page and "（当前）" not in page
    assert "data-hall-diagram" in page
    assert "hall/diagram.js" in page
    assert "专家评审" not in page  # v1 is still the standard process
    assert '<span class="hall-diagram__step-name">审查</span>' in page

    response = admin_client.get(reverse("hall_processes:xml", args=[v1.pk]))
    assert response["Content-Type"].startswith("application/xml")
    assert f'filename="impl-{implementation.pk}-v1.bpmn"' in response["Content-Disposition"]
    assert response.content.decode() == v1.bpmn_xml


def test_versions_of_other_keys_are_not_found(admin_client):
    other = ProcessDefinition.objects.create(
        key="test-only", version=1, name="x", bpmn_xml="<x/>", process_id="x"
    )
    assert admin_client.get(reverse("hall_processes:version", args=[other.pk])).status_code == 404
    assert admin_client.get(reverse("hall_processes:xml", args=[999999])).status_code == 404


# --- the diagram include -----------------------------------------------------------------


def test_the_diagram_include_renders_a_text_alternative_with_states():
    xml = processes.template_xml(ProcessTemplate.JOINT, name="并联", parameters={})
    position = {"done": ["accept", "review_lead", "start"], "waiting": ["review_joint"]}
    html = render_to_string(
        "hall/includes/diagram.html",
        {"diagram_xml": xml, "diagram_position": position, "diagram_id": "case-7"},
    )
    steps = [
        ("受理（牵头部门）", "已完成"),
        ("审查（牵头部门）", "已完成"),
        ("联合审查（配合部门）", "当前环节"),
        ("决定（牵头部门）", "未到达"),
        ("送达", "未到达"),
    ]
    offsets = []
    for name, state in steps:
        needle = (
            f'<span class="hall-diagram__step-name">{name}</span>：'
            f'<span class="hall-diagram__step-state">{state}</span>'
        )
        assert needle in html, name
        offsets.append(html.index(needle))
    assert offsets == sorted(offsets)  # in flow order
    assert 'aria-current="step"' in html
    assert 'id="case-7-xml"' in html and 'id="case-7-position"' in html
    assert "<script>" not in html  # no inline script: json_script data only, src scripts
    opening = '<script id="case-7-position" type="application/json">'
    start = html.index(opening) + len(opening)
    assert json.loads(html[start : html.index("</script>", start)]) == position


def test_the_diagram_include_without_a_position_lists_every_step_as_not_reached():
    xml = processes.template_xml(ProcessTemplate.ON_THE_SPOT, name="即办", parameters={})
    html = render_to_string("hall/includes/diagram.html", {"diagram_xml": xml})
    assert html.count("未到达") == 3  # the legend and the two steps
    assert "即时办理" in html
