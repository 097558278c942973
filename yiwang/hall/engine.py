"""The BPMN 2.0 engine of the hall: SpiffWorkflow behind a small interface.

A process definition (``models.ProcessDefinition``) is parsed once per process and cached;
a case keeps only its workflow *state* (``Case.workflow_state``: SpiffWorkflow's
serialization less the spec), so a running case stays on the definition version it started
with and loading it does not re-parse XML.

What the hall needs to know about a user task comes from the BPMN itself:

- the task's id names its step (``constants.Step``): ``accept``, ``review_fire``,
  ``decide`` … (the step, optionally followed by ``_`` and anything);
- the department is the lead department (the case's), unless the task is a multi-instance
  whose input item is ``department`` (joint approval: one review per joint department).

Uploaded definitions are checked by ``validate``: one executable process, every user task
named after a step, no script or service tasks, and gateway conditions limited to
comparisons of task data (``decision == "approved"``) — nothing that executes code.
"""

import ast
import copy
from dataclasses import dataclass
from functools import lru_cache

from lxml import etree
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.parser import BpmnParser
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import MultiInstanceTask
from SpiffWorkflow.bpmn.specs.mixins.user_task import UserTask
from SpiffWorkflow.exceptions import WorkflowException
from SpiffWorkflow.util.task import TaskState

from .constants import Step

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
FORBIDDEN_ELEMENTS = {
    "scriptTask": "脚本任务（scriptTask）",
    "serviceTask": "服务任务（serviceTask）",
    "businessRuleTask": "业务规则任务（businessRuleTask）",
    "callActivity": "调用活动（callActivity）",
}
ALLOWED_EXPRESSION_NODES = (
    ast.Expression,
    ast.BoolOp,
    ast.And,
    ast.Or,
    ast.UnaryOp,
    ast.Not,
    ast.Compare,
    ast.Eq,
    ast.NotEq,
    ast.Lt,
    ast.LtE,
    ast.Gt,
    ast.GtE,
    ast.In,
    ast.NotIn,
    ast.Name,
    ast.Load,
    ast.Constant,
    ast.List,
    ast.Tuple,
)

_serializer = BpmnWorkflowSerializer()


class DefinitionError(Exception):
    """The BPMN cannot be used; ``messages`` says why, in Chinese, one line per problem."""

    def __init__(self, messages):
        self.messages = list(messages)
        super().__init__("；".join(self.messages))


class EngineError(Exception):
    """A transition the process does not allow (for example completing a task that is not
    ready)."""


@dataclass(frozen=True)
class ReadyTask:
    id: str  # SpiffWorkflow's task id (UUID as text)
    bpmn_id: str
    step: Step
    name: str
    department_id: int | None  # None: the case's lead department


def step_of(bpmn_id):
    """The step a user task id names, or None."""
    head = bpmn_id.split("_", 1)[0]
    try:
        return Step(head)
    except ValueError:
        return None


def _expression_problems(text):
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError:
        return [f"条件表达式无法解析：{text.strip()}"]
    for node in ast.walk(tree):
        if not isinstance(node, ALLOWED_EXPRESSION_NODES):
            return [f'条件表达式只能比较办理数据（如 decision == "approved"）：{text.strip()}']
    return []


def validate(xml):
    """Parse and check ``xml`` (str or bytes). Returns ``(process_id, spec)``; raises
    ``DefinitionError`` listing every problem found."""
    if isinstance(xml, str):
        xml = xml.encode("utf-8")
    problems = []
    try:
        parser_options = etree.XMLParser(resolve_entities=False, no_network=True)
        root = etree.fromstring(xml, parser_options)
    except etree.XMLSyntaxError as exc:
        raise DefinitionError([f"不是有效的 XML：{exc}"]) from exc
    if etree.QName(root).namespace != BPMN_NS or etree.QName(root).localname != "definitions":
        raise DefinitionError(["不是 BPMN 2.0 文件（根元素应为 bpmn:definitions）。"])
    ns = {"bpmn": BPMN_NS}
    processes = root.findall("bpmn:process", ns)
    executable = [p for p in processes if p.get("isExecutable") == "true"]
    if len(executable) != 1:
        problems.append(
            f'应当恰好有一个可执行流程（isExecutable="true"），实际有 {len(executable)} 个。'
        )
    for local, label in FORBIDDEN_ELEMENTS.items():
        for element in root.iter(f"{{{BPMN_NS}}}{local}"):
            problems.append(f"不允许{label}：{element.get('id')}")
    user_tasks = list(root.iter(f"{{{BPMN_NS}}}userTask"))
    if not user_tasks and executable:
        problems.append("流程中没有任何用户任务（userTask）。")
    for element in user_tasks:
        if step_of(element.get("id", "")) is None:
            steps = "、".join(s.value for s in Step)
            problems.append(
                f"用户任务 {element.get('id')} 的 ID 应以环节开头（{steps}），如 review_fire。"
            )
    for element in root.iter(f"{{{BPMN_NS}}}conditionExpression"):
        problems.extend(_expression_problems(element.text or ""))
    for element in root.iter(f"{{{BPMN_NS}}}loopDataInputRef"):
        if (element.text or "").strip() != "joint_departments":
            problems.append("多实例任务只能按配合部门（joint_departments）展开。")
    if problems:
        raise DefinitionError(problems)
    process_id = executable[0].get("id")
    parser = BpmnParser()
    try:
        parser.add_bpmn_xml(root, filename=f"{process_id}.bpmn")
        spec = parser.get_spec(process_id)
    except (ValidationException, WorkflowException, KeyError, ValueError) as exc:
        raise DefinitionError([f"流程无法执行：{exc}"]) from exc
    return process_id, spec


@lru_cache(maxsize=256)
def _spec(definition_pk):
    from .models import ProcessDefinition

    xml = ProcessDefinition.objects.values_list("bpmn_xml", flat=True).get(pk=definition_pk)
    return validate(xml)[1]


def spec_for(definition):
    """The parsed spec of ``definition`` (a ``ProcessDefinition`` or its primary key),
    cached per process: a definition row never changes once saved (a change is a new
    version) and its id is never handed out again (PostgreSQL sequences, SQLite
    AUTOINCREMENT), so the cache needs no invalidation and a cached spec costs no query."""
    pk = definition if isinstance(definition, int) else definition.pk
    return _spec(pk)


def start(definition, data):
    """A new workflow of ``definition`` with ``data`` (e.g. ``lead_department``,
    ``joint_departments``), run up to its first user tasks."""
    workflow = BpmnWorkflow(spec_for(definition))
    workflow.task_tree.data.update(copy.deepcopy(data))
    for task in workflow.get_tasks(state=TaskState.READY):
        task.data.update(copy.deepcopy(data))
    workflow.data.update(copy.deepcopy(data))
    _run_engine(workflow)
    return workflow


def _run_engine(workflow):
    try:
        workflow.do_engine_steps()
    except WorkflowException as exc:
        raise EngineError(f"流程执行出错：{exc}") from exc


def _user_task_department(task):
    """A child of a multi-instance over ``joint_departments`` works for its item; any other
    user task for the lead department (None)."""
    parent = task.parent
    if (
        parent is not None
        and isinstance(parent.task_spec, MultiInstanceTask)
        and parent.task_spec.task_spec == task.task_spec.name
    ):
        return task.data.get("department")
    return None


def ready_user_tasks(workflow):
    """The user tasks waiting for someone, in a stable order."""
    ready = []
    for task in workflow.get_tasks(state=TaskState.READY):
        spec = task.task_spec
        if not isinstance(spec, UserTask):
            continue
        step = step_of(spec.bpmn_id)
        if step is None:  # validate() refuses such definitions
            raise EngineError(f"无法识别的环节：{spec.bpmn_id}")
        ready.append(
            ReadyTask(
                id=str(task.id),
                bpmn_id=spec.bpmn_id,
                step=step,
                name=spec.bpmn_name or step.label,
                department_id=_user_task_department(task),
            )
        )
    ready.sort(key=lambda t: (t.bpmn_id, t.department_id or 0, t.id))
    return ready


def complete(workflow, task_id, data=None):
    """Complete the ready user task ``task_id`` with ``data`` merged into its data (e.g.
    ``{"decision": "approved"}``) and run the engine to the next waits."""
    from uuid import UUID

    task = workflow.get_task_from_id(UUID(str(task_id)))
    if task is None or task.state != TaskState.READY or not isinstance(task.task_spec, UserTask):
        raise EngineError("该任务当前不能办理。")
    if data:
        task.data.update(copy.deepcopy(data))
    task.run()
    _run_engine(workflow)


def cancel(workflow):
    workflow.cancel()


def is_completed(workflow):
    return workflow.is_completed()


def dump(workflow):
    """The workflow's state as a JSON-serializable dict, without its spec."""
    _serializer.registry._encoder_mode = True
    try:
        state = _serializer.to_dict(workflow)
    finally:
        _serializer.registry._encoder_mode = False
    state.pop("spec", None)
    state.pop("subprocess_specs", None)
    state[_serializer.VERSION_KEY] = _serializer.VERSION
    return state


def _tree_ordered(tasks, root):
    """``tasks`` (id → dumped task) in tree order, parents before children: a task's data
    is restored from its parent's, and PostgreSQL's jsonb gives keys back sorted by length
    and bytes, not in the order ``dump`` wrote them."""
    if root not in tasks:
        return tasks
    ordered, queue = {}, [root]
    while queue:
        key = queue.pop()
        if key in ordered or key not in tasks:
            continue
        ordered[key] = tasks[key]
        queue.extend(reversed(tasks[key].get("children") or ()))
    for key, value in tasks.items():  # anything unreachable keeps its place at the end
        ordered.setdefault(key, value)
    return ordered


def load(definition, state):
    """The workflow of ``definition`` (a ``ProcessDefinition`` or its primary key) in
    ``state`` (from ``dump``, possibly through a JSON column that reordered its keys)."""
    from uuid import UUID

    state = copy.deepcopy(state)
    _serializer.migrate(state)
    registry = _serializer.registry
    workflow = BpmnWorkflow(spec_for(definition), {}, deserializing=True)
    workflow.tasks = {}
    for key, value in _tree_ordered(state["tasks"], state["root"]).items():
        workflow.tasks[UUID(key)] = registry.restore(value, workflow=workflow)
    workflow.task_tree = workflow.tasks.get(UUID(state["root"]))
    workflow.success = state["success"]
    workflow.completed = state.get("completed", False)
    workflow.correlations = state.get("correlations", {})
    if isinstance(state.get("last_task"), str):
        workflow.last_task = workflow.tasks.get(UUID(state["last_task"]))
    workflow.data = registry.restore(state.get("data", {}))
    workflow.bpmn_events = registry.restore(state.get("bpmn_events", []))
    if state.get("subprocesses"):
        raise EngineError("流程状态含子流程，本平台的流程不使用子流程。")
    return workflow


def position(workflow):
    """For the diagram: BPMN element ids done and waiting."""
    done, waiting = set(), set()
    for task in workflow.get_tasks():
        bpmn_id = getattr(task.task_spec, "bpmn_id", None)
        if not bpmn_id:
            continue
        if task.state == TaskState.COMPLETED:
            done.add(bpmn_id)
        elif task.state in (TaskState.READY, TaskState.WAITING, TaskState.STARTED):
            waiting.add(bpmn_id)
    return {"done": sorted(done - waiting), "waiting": sorted(waiting)}
