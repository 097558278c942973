"""``diagram_steps``: the steps of a BPMN diagram in flow order with their state, the text
alternative of the diagram viewer (``hall/includes/diagram.html``)."""

from collections import deque

from django import template
from lxml import etree

from yiwang.hall.engine import BPMN_NS, step_of

register = template.Library()

STATE_DONE = "done"
STATE_WAITING = "waiting"
STATE_TODO = "todo"
STATE_LABELS = {STATE_DONE: "已完成", STATE_WAITING: "当前环节", STATE_TODO: "未到达"}
STEP_ELEMENTS = ("userTask", "task", "manualTask")


def steps_of(xml, position=None):
    """``[{"id", "name", "state", "state_label"}]`` for the tasks of ``xml``'s executable
    process, in the order a breadth-first walk from the start events meets them (tasks
    not reachable follow in document order). ``position``: ``engine.position()``."""
    position = position or {}
    done = set(position.get("done") or ())
    waiting = set(position.get("waiting") or ())
    if not xml:
        return []
    if isinstance(xml, str):
        xml = xml.encode("utf-8")
    try:
        root = etree.fromstring(xml, etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError:
        return []
    process = None
    for candidate in root.iterfind(f"{{{BPMN_NS}}}process"):
        if process is None or candidate.get("isExecutable") == "true":
            process = candidate
    if process is None:
        return []
    elements = {e.get("id"): e for e in process if e.get("id")}
    following = {}
    for flow in process.iterfind(f"{{{BPMN_NS}}}sequenceFlow"):
        following.setdefault(flow.get("sourceRef"), []).append(flow.get("targetRef"))
    order = []
    seen = set()
    queue = deque(e.get("id") for e in process.iterfind(f"{{{BPMN_NS}}}startEvent") if e.get("id"))
    while queue:
        element_id = queue.popleft()
        if element_id in seen:
            continue
        seen.add(element_id)
        order.append(element_id)
        queue.extend(following.get(element_id, []))
    order += [element_id for element_id in elements if element_id not in seen]
    steps = []
    for element_id in order:
        element = elements.get(element_id)
        if element is None or etree.QName(element).localname not in STEP_ELEMENTS:
            continue
        if element_id in waiting:
            state = STATE_WAITING
        elif element_id in done:
            state = STATE_DONE
        else:
            state = STATE_TODO
        step = step_of(element_id)
        steps.append(
            {
                "id": element_id,
                "name": element.get("name") or (step.label if step else element_id),
                "state": state,
                "state_label": STATE_LABELS[state],
            }
        )
    return steps


@register.filter
def diagram_steps(xml, position=None):
    return steps_of(xml, position)
