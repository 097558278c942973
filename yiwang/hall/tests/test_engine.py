"""The SpiffWorkflow wrapper: steps from task ids, joint reviews per department, state
round trips without the spec, validation of uploaded BPMN."""

import json

import pytest

from yiwang.hall import engine
from yiwang.hall.constants import Step

JOINT = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d"
  targetNamespace="http://yiwang.example/bpmn">
  <bpmn:process id="joint" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="accept"/>
    <bpmn:userTask id="accept" name="受理"/>
    <bpmn:sequenceFlow id="f2" sourceRef="accept" targetRef="review"/>
    <bpmn:userTask id="review" name="联合审查">
      <bpmn:multiInstanceLoopCharacteristics isSequential="false">
        <bpmn:loopDataInputRef>joint_departments</bpmn:loopDataInputRef>
        <bpmn:inputDataItem id="department"/>
      </bpmn:multiInstanceLoopCharacteristics>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f3" sourceRef="review" targetRef="decide"/>
    <bpmn:userTask id="decide" name="决定"/>
    <bpmn:sequenceFlow id="f4" sourceRef="decide" targetRef="end"/>
    <bpmn:endEvent id="end"/>
  </bpmn:process>
</bpmn:definitions>
"""


class Definition:
    """Stands in for a saved ProcessDefinition (the engine only reads pk and XML)."""

    def __init__(self, pk, xml):
        self.pk = pk
        self.bpmn_xml = xml


@pytest.fixture
def definition(db):
    from yiwang.hall.models import ProcessDefinition

    process_id, _ = engine.validate(JOINT)
    return ProcessDefinition.objects.create(
        key="test-joint", version=1, name="测试并联", bpmn_xml=JOINT, process_id=process_id
    )


def roundtrip(definition, workflow):
    return engine.load(definition, json.loads(json.dumps(engine.dump(workflow))))


def test_joint_reviews_run_per_department_and_survive_serialization(definition):
    workflow = engine.start(definition, {"lead_department": 9, "joint_departments": [3, 4]})
    (accept,) = engine.ready_user_tasks(workflow)
    assert (accept.step, accept.department_id, accept.name) == (Step.ACCEPT, None, "受理")
    engine.complete(workflow, accept.id)
    workflow = roundtrip(definition, workflow)
    reviews = engine.ready_user_tasks(workflow)
    assert [(t.step, t.department_id) for t in reviews] == [(Step.REVIEW, 3), (Step.REVIEW, 4)]
    engine.complete(workflow, reviews[1].id, {"opinion": "agree"})
    workflow = roundtrip(definition, workflow)
    assert [t.department_id for t in engine.ready_user_tasks(workflow)] == [3]
    engine.complete(workflow, reviews[0].id, {"opinion": "agree"})
    workflow = roundtrip(definition, workflow)
    (decide,) = engine.ready_user_tasks(workflow)
    assert (decide.step, decide.department_id) == (Step.DECIDE, None)
    assert engine.position(workflow)["waiting"] == ["decide"]
    engine.complete(workflow, decide.id, {"decision": "approved"})
    assert engine.is_completed(workflow)


def test_a_task_not_ready_cannot_be_completed(definition):
    workflow = engine.start(definition, {"lead_department": 1, "joint_departments": [2]})
    (accept,) = engine.ready_user_tasks(workflow)
    engine.complete(workflow, accept.id)
    with pytest.raises(engine.EngineError):
        engine.complete(workflow, accept.id)


@pytest.mark.parametrize(
    "change, message",
    [
        (('id="decide"', 'id="approve"'), "用户任务 approve 的 ID 应以环节开头"),
        (('isExecutable="true"', 'isExecutable="false"'), "应当恰好有一个可执行流程"),
        (
            ('<bpmn:endEvent id="end"/>', '<bpmn:endEvent id="end"/><bpmn:scriptTask id="s"/>'),
            "不允许脚本任务",
        ),
        (("joint_departments</bpmn:loopDataInputRef>", "x</bpmn:loopDataInputRef>"), "多实例"),
        (("<bpmn:definitions", "<definitions"), "不是有效的 XML"),
    ],
)
def test_validation_explains_what_is_wrong_in_chinese(change, message):
    with pytest.raises(engine.DefinitionError) as caught:
        engine.validate(JOINT.replace(*change))
    assert any(message in line for line in caught.value.messages), caught.value.messages


def test_conditions_may_only_compare_data():
    assert engine._expression_problems('decision == "approved"') == []
    assert engine._expression_problems("__import__('os').system('id')")
