"""Process templates, versions and their binding to implementations."""

import json

import pytest
from django.core.exceptions import ValidationError
from lxml import etree

from yiwang.catalog.constants import LimitKind
from yiwang.catalog.models import SpecialProcedure
from yiwang.catalog.tests.factories import make_implementation
from yiwang.core.models import AuditEvent
from yiwang.hall import engine, processes
from yiwang.hall.constants import ProcessTemplate, Step
from yiwang.hall.models import Case, ProcessDefinition, ServiceSetup
from yiwang.hall.tests.factories import make_department, make_staff

TEMPLATES = [
    ProcessTemplate.ON_THE_SPOT,
    ProcessTemplate.STANDARD,
    ProcessTemplate.JOINT,
    ProcessTemplate.SPECIAL,
]


@pytest.fixture
def lead(regions):
    return make_department(regions["county_a"], name="松林县市场监督管理局")


@pytest.fixture
def joints(regions):
    return [
        make_department(regions["county_a"], name="松林县消防救援大队"),
        make_department(regions["county_a"], name="松林县生态环境分局"),
    ]


@pytest.fixture
def implementation(regions, lead):
    return make_implementation(region=regions["county_a"], department=lead, name="食品经营许可")


def roundtrip(definition, workflow):
    return engine.load(definition, json.loads(json.dumps(engine.dump(workflow))))


def run_to_end(definition, data):
    """Complete every ready task (reloading the state between steps, as the hall does) and
    return the steps and departments in the order they came up."""
    workflow = engine.start(definition, data)
    seen = []
    for _ in range(20):
        ready = engine.ready_user_tasks(workflow)
        if not ready:
            break
        seen.append(sorted((t.step.value, t.department_id or 0) for t in ready))
        for task in ready:
            engine.complete(workflow, task.id, {"decision": "approved", "opinion": "agree"})
            workflow = roundtrip(definition, workflow)
    assert engine.is_completed(workflow)
    return seen


# --- templates ---------------------------------------------------------------------------


@pytest.mark.parametrize("template", TEMPLATES)
def test_every_template_validates_and_has_a_diagram_of_every_element(template):
    xml = processes.template_xml(template, name="测试办理流程", parameters={"special_name": "检验"})
    process_id, _ = engine.validate(xml)
    assert process_id == f"hall_{template.value}"
    root = etree.fromstring(xml.encode())
    ns = {
        "bpmn": engine.BPMN_NS,
        "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI",
    }
    (process,) = root.findall("bpmn:process", ns)
    element_ids = {e.get("id") for e in process if e.get("id")}
    drawn = {e.get("bpmnElement") for e in root.iterfind(".//bpmndi:BPMNShape", ns)}
    drawn |= {e.get("bpmnElement") for e in root.iterfind(".//bpmndi:BPMNEdge", ns)}
    assert element_ids == drawn
    for task in process.iterfind("bpmn:userTask", ns):
        assert task.get("name") and not task.get("name").isascii()


def test_names_are_xml_escaped():
    xml = processes.template_xml(
        ProcessTemplate.SPECIAL,
        name='A&B <"办理"> 流程',
        parameters={"special_name": "专家<评审> & 论证"},
    )
    engine.validate(xml)
    root = etree.fromstring(xml.encode())
    process = root.find(f"{{{engine.BPMN_NS}}}process")
    assert process.get("name") == 'A&B <"办理"> 流程'
    special = root.find(f".//{{{engine.BPMN_NS}}}userTask[@id='special']")
    assert special.get("name") == "专家<评审> & 论证"


def test_custom_has_no_template_file():
    with pytest.raises(ValueError):
        processes.template_xml(ProcessTemplate.CUSTOM, name="x", parameters={})


@pytest.mark.parametrize(
    "template, data, expected",
    [
        (ProcessTemplate.ON_THE_SPOT, {}, [[("handle", 0)], [("deliver", 0)]]),
        (
            ProcessTemplate.STANDARD,
            {},
            [[("accept", 0)], [("review", 0)], [("decide", 0)], [("deliver", 0)]],
        ),
        (
            ProcessTemplate.SPECIAL,
            {},
            [[("accept", 0)], [("review", 0)], [("special", 0)], [("decide", 0)], [("deliver", 0)]],
        ),
        (
            ProcessTemplate.JOINT,
            {"joint_departments": [3, 4]},
            [
                [("accept", 0)],
                [("review", 0), ("review", 3), ("review", 4)],
                [("decide", 0)],
                [("deliver", 0)],
            ],
        ),
    ],
)
def test_every_template_runs_to_completion(implementation, template, data, expected):
    parameters = {"special_name": "专家评审"}
    if template == ProcessTemplate.JOINT:
        parameters["joint_departments"] = [
            make_department(implementation.region).pk,
            make_department(implementation.region).pk,
        ]
        data = {"joint_departments": parameters["joint_departments"]}
        a, b = parameters["joint_departments"]
        expected = [[("accept", 0)], [("review", 0), ("review", a), ("review", b)], *expected[2:]]
    definition = processes.configure_process(
        implementation=implementation, template=template, parameters=parameters, actor=None
    )
    assert run_to_end(definition, {"lead_department": 1, **data}) == expected


def test_joint_decision_waits_for_the_lead_and_every_joint_review(implementation, joints):
    definition = processes.configure_process(
        implementation=implementation,
        template=ProcessTemplate.JOINT,
        parameters={"joint_departments": [d.pk for d in joints]},
        actor=None,
    )
    workflow = engine.start(definition, {"lead_department": 1, "joint_departments": [7, 8]})
    (accept,) = engine.ready_user_tasks(workflow)
    engine.complete(workflow, accept.id)
    reviews = engine.ready_user_tasks(workflow)
    assert {t.bpmn_id for t in reviews} == {"review_lead", "review_joint"}
    for task in reviews[:2]:
        engine.complete(workflow, task.id, {"opinion": "agree"})
    workflow = roundtrip(definition, workflow)
    (last,) = engine.ready_user_tasks(workflow)
    assert last.step == Step.REVIEW
    assert "decide" not in engine.position(workflow)["waiting"]
    engine.complete(workflow, last.id, {"opinion": "agree"})
    assert [t.step for t in engine.ready_user_tasks(workflow)] == [Step.DECIDE]
    assert "review_joint" in engine.position(workflow)["done"]


# --- configuring -------------------------------------------------------------------------


def test_configure_makes_a_new_bound_version_and_audits_it(implementation, lead, joints):
    admin = make_staff(lead)
    first = processes.configure_process(
        implementation=implementation, template=ProcessTemplate.STANDARD, actor=admin
    )
    assert (first.key, first.version, first.template) == (
        f"impl-{implementation.pk}",
        1,
        ProcessTemplate.STANDARD,
    )
    assert first.name == "食品经营许可 办理流程"
    assert first.created_by == admin
    assert processes.current_process(implementation) == first
    second = processes.configure_process(
        implementation=implementation,
        template=ProcessTemplate.JOINT,
        parameters={"joint_departments": [str(joints[1].pk), joints[0].pk, joints[0].pk]},
        actor=admin,
    )
    assert second.version == 2
    assert second.parameters == {"joint_departments": sorted(d.pk for d in joints)}
    assert ServiceSetup.objects.get(implementation=implementation).process == second
    assert processes.current_process(implementation) == second
    events = AuditEvent.objects.filter(action=processes.AUDIT_CONFIGURED).order_by("sequence")
    assert [e.detail["version"] for e in events] == [1, 2]
    assert events.last().actor == admin
    assert events.last().object_id == str(second.pk)
    assert events.last().detail["template"] == "joint"


def test_configure_from_an_upload(implementation):
    xml = processes.template_xml(ProcessTemplate.STANDARD, name="自定义", parameters={})
    xml = xml.replace('id="review"', 'id="review_fire"').replace(
        'targetRef="review"', 'targetRef="review_fire"'
    )
    xml = xml.replace('sourceRef="review"', 'sourceRef="review_fire"')
    xml = xml.replace('bpmnElement="review"', 'bpmnElement="review_fire"')
    definition = processes.configure_process(
        implementation=implementation, template=ProcessTemplate.STANDARD, xml=xml, actor=None
    )
    assert definition.template == ProcessTemplate.CUSTOM
    assert definition.bpmn_xml == xml
    assert definition.process_id == "hall_standard"


@pytest.mark.parametrize(
    "kwargs, field, message",
    [
        ({"template": ProcessTemplate.JOINT}, "joint_departments", "至少需要一个配合部门"),
        (
            {"template": ProcessTemplate.JOINT, "parameters": {"joint_departments": [999999]}},
            "joint_departments",
            "部门不存在：999999",
        ),
        (
            {"template": ProcessTemplate.JOINT, "parameters": {"joint_departments": ["x"]}},
            "joint_departments",
            "部门编号无效",
        ),
        ({"template": ProcessTemplate.SPECIAL}, "special_name", "请填写特别程序名称"),
        ({"template": ProcessTemplate.CUSTOM}, "xml", "请上传"),
        ({"template": "nonsense"}, "template", "未知的流程模板"),
        ({"template": ProcessTemplate.CUSTOM, "xml": "<x/>"}, "xml", "不是 BPMN 2.0 文件"),
        ({"template": ProcessTemplate.CUSTOM, "xml": b"\xff\xfe<"}, "xml", "UTF-8"),
    ],
)
def test_configure_refuses_bad_input_with_chinese_messages(implementation, kwargs, field, message):
    with pytest.raises(ValidationError) as caught:
        processes.configure_process(implementation=implementation, actor=None, **kwargs)
    errors = caught.value.message_dict
    assert any(message in line for line in errors[field]), errors
    assert not ProcessDefinition.objects.exists()
    assert not AuditEvent.objects.filter(action=processes.AUDIT_CONFIGURED).exists()


def test_the_lead_cannot_be_its_own_joint_department(implementation, lead, joints):
    with pytest.raises(ValidationError) as caught:
        processes.configure_process(
            implementation=implementation,
            template=ProcessTemplate.JOINT,
            parameters={"joint_departments": [joints[0].pk, lead.pk]},
            actor=None,
        )
    assert "不能是牵头部门" in caught.value.message_dict["joint_departments"][0]


def test_an_upload_with_a_script_task_is_refused_with_every_problem(implementation):
    xml = processes.template_xml(ProcessTemplate.STANDARD, name="x", parameters={})
    xml = xml.replace('id="decide"', 'id="approve"').replace(
        "</bpmn:process>", '<bpmn:scriptTask id="evil"/></bpmn:process>'
    )
    with pytest.raises(ValidationError) as caught:
        processes.configure_process(
            implementation=implementation, template=ProcessTemplate.CUSTOM, xml=xml, actor=None
        )
    lines = caught.value.message_dict["xml"]
    assert any("不允许脚本任务" in line for line in lines)
    assert any("用户任务 approve" in line for line in lines)


# --- defaults ----------------------------------------------------------------------------


def test_ensure_process_binds_a_default_once(regions, lead):
    promised = make_implementation(region=regions["county_a"], department=lead)
    spot = make_implementation(
        region=regions["county_a"], department=lead, limit_kind=LimitKind.ON_THE_SPOT
    )
    special = make_implementation(region=regions["county_a"], department=lead)
    SpecialProcedure.objects.create(implementation=special, name="检验检测")
    assert processes.current_process(promised) is None
    definition = processes.ensure_process(promised)
    assert definition.template == ProcessTemplate.STANDARD
    assert processes.ensure_process(promised) == definition
    assert processes.ensure_process(spot).template == ProcessTemplate.ON_THE_SPOT
    special_definition = processes.ensure_process(special)
    assert special_definition.template == ProcessTemplate.SPECIAL
    assert special_definition.parameters == {"special_name": "检验检测"}
    assert 'name="检验检测"' in special_definition.bpmn_xml
    assert ProcessDefinition.objects.count() == 3
    event = AuditEvent.objects.filter(action=processes.AUDIT_CONFIGURED).first()
    assert event.actor is None and event.detail["system"] is True


def test_process_data_comes_from_the_cases_version(implementation, joints):
    definition = processes.configure_process(
        implementation=implementation,
        template=ProcessTemplate.JOINT,
        parameters={"joint_departments": [d.pk for d in joints]},
        actor=None,
    )
    case = Case(
        implementation=implementation,
        department=implementation.department,
        region=implementation.region,
        process=definition,
    )
    assert processes.process_data(case) == {
        "lead_department": implementation.department_id,
        "joint_departments": sorted(d.pk for d in joints),
    }
    case.process = processes.configure_process(
        implementation=implementation, template=ProcessTemplate.STANDARD, actor=None
    )
    assert processes.process_data(case)["joint_departments"] == []


def test_a_running_case_stays_on_its_version(implementation, joints):
    v1 = processes.configure_process(
        implementation=implementation, template=ProcessTemplate.STANDARD, actor=None
    )
    v1_xml = v1.bpmn_xml
    workflow = engine.start(v1, {"lead_department": implementation.department_id})
    (accept,) = engine.ready_user_tasks(workflow)
    engine.complete(workflow, accept.id)
    state = json.loads(json.dumps(engine.dump(workflow)))

    v2 = processes.configure_process(
        implementation=implementation,
        template=ProcessTemplate.JOINT,
        parameters={"joint_departments": [d.pk for d in joints]},
        actor=None,
    )
    assert processes.current_process(implementation) == v2
    v1.refresh_from_db()
    assert (v1.version, v1.template, v1.bpmn_xml) == (1, ProcessTemplate.STANDARD, v1_xml)

    workflow = engine.load(v1, state)
    (review,) = engine.ready_user_tasks(workflow)
    assert review.bpmn_id == "review"  # the v1 step, not v2's review_lead/review_joint
    for _ in range(3):
        (task,) = engine.ready_user_tasks(workflow)
        engine.complete(workflow, task.id, {"decision": "approved"})
    assert engine.is_completed(workflow)
    assert "review_joint" not in engine.position(workflow)["done"]
