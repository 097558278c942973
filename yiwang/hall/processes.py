"""Process definitions: templates, versions, binding to implementations (CONTRACT — owner:
helper "processes").

The four templates are BPMN 2.0 files in ``bpmn/`` (with diagram interchange, so the viewer
can draw them, and stable process ids ``hall_<template>``). ``template_xml`` fills in the
process name and the special procedure's name; the joint departments are not in the XML but
in the definition's ``parameters``, and reach the workflow as data (``process_data``).

Each implementation has one process key, ``impl-<pk>``; configuring it makes the next
version, binds it in ``ServiceSetup.process`` and leaves every earlier version as it was, so
a running case carries on with the version it started on.
"""

from functools import lru_cache
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from lxml import etree

from yiwang.core import audit

from . import engine
from .constants import ProcessTemplate

BPMN_DIR = Path(__file__).resolve().parent / "bpmn"
AUDIT_CONFIGURED = "hall.process_configured"
DEFAULT_SPECIAL_NAME = "特别程序"
SPECIAL_NAME_MAX = 60
# The templates that are files (CUSTOM is an uploaded XML).
TEMPLATE_FILES = {
    ProcessTemplate.ON_THE_SPOT: "on_the_spot.bpmn",
    ProcessTemplate.STANDARD: "standard.bpmn",
    ProcessTemplate.JOINT: "joint.bpmn",
    ProcessTemplate.SPECIAL: "special.bpmn",
}
# The template's special-procedure task (its name is the parameter ``special_name``).
SPECIAL_TASK_ID = "special"


def process_key(implementation):
    return f"impl-{implementation.pk}"


def process_name(implementation):
    return f"{implementation.name} 办理流程"[:200]


@lru_cache(maxsize=8)
def _template_source(template):
    return (BPMN_DIR / TEMPLATE_FILES[template]).read_bytes()


def template_xml(template, *, name, parameters):
    """The BPMN 2.0 XML (with diagram interchange, for the viewer) of ``template``
    (``ProcessTemplate``) parameterized by ``parameters`` (``joint_departments``: ids,
    ``special_name``)."""
    template = ProcessTemplate(template)
    if template not in TEMPLATE_FILES:
        raise ValueError(f"No template file for {template!r}: upload the BPMN instead.")
    parameters = parameters or {}
    parser = etree.XMLParser(resolve_entities=False, no_network=True, remove_blank_text=False)
    root = etree.fromstring(_template_source(template), parser)
    ns = {"bpmn": engine.BPMN_NS}
    (process,) = root.findall("bpmn:process", ns)
    # lxml escapes attribute values: a name with < & " cannot break the XML.
    process.set("name", name)
    if template == ProcessTemplate.SPECIAL:
        special_name = (parameters.get("special_name") or "").strip() or DEFAULT_SPECIAL_NAME
        for task in process.iterfind("bpmn:userTask", ns):
            if task.get("id") == SPECIAL_TASK_ID:
                task.set("name", special_name)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8").decode("utf-8")


def _clean_parameters(implementation, template, parameters, xml):
    """Normalized parameters, or ``ValidationError`` keyed by form field
    (``joint_departments``, ``special_name``)."""
    from yiwang.orgs.models import Department

    parameters = dict(parameters or {})
    errors = {}
    cleaned = {}
    raw_ids = parameters.get("joint_departments") or []
    ids = []
    if not isinstance(raw_ids, list | tuple):
        raw_ids = [raw_ids]
    for value in raw_ids:
        try:
            ids.append(int(getattr(value, "pk", value)))
        except (TypeError, ValueError):
            errors.setdefault("joint_departments", []).append(f"部门编号无效：{value}")
    ids = sorted(set(ids))
    uses_joint = template == ProcessTemplate.JOINT or (
        template == ProcessTemplate.CUSTOM and xml is not None and b"loopDataInputRef" in xml
    )
    if uses_joint and not errors:
        if not ids:
            errors["joint_departments"] = ["并联审批至少需要一个配合部门。"]
        elif implementation.department_id in ids:
            errors["joint_departments"] = ["配合部门不能是牵头部门（实施主体）本身。"]
        else:
            known = set(Department.objects.filter(pk__in=ids).values_list("pk", flat=True))
            missing = [str(pk) for pk in ids if pk not in known]
            if missing:
                errors["joint_departments"] = [f"部门不存在：{'、'.join(missing)}"]
    if uses_joint and ids:
        cleaned["joint_departments"] = ids
    if template == ProcessTemplate.SPECIAL:
        special_name = str(parameters.get("special_name") or "").strip()
        if not special_name:
            errors["special_name"] = ["请填写特别程序名称，如专家评审、检验检测。"]
        elif len(special_name) > SPECIAL_NAME_MAX:
            errors["special_name"] = [f"特别程序名称不超过 {SPECIAL_NAME_MAX} 个字。"]
        cleaned["special_name"] = special_name
    if errors:
        raise ValidationError(errors)
    return cleaned


def configure_process(*, implementation, template, parameters=None, xml=None, actor, request=None):
    """Make a new version of the implementation's process (key ``impl-<pk>``) from a
    template or uploaded ``xml`` (``engine.validate``), bind it (``ServiceSetup.process``),
    audit it. Running cases stay on their version. Returns the ``ProcessDefinition``.

    Errors are a ``ValidationError`` keyed by field: ``template``, ``joint_departments``,
    ``special_name``, ``xml`` (the validator's messages, one per problem). With ``xml`` the
    template is ``CUSTOM``; its ``joint_departments`` are required only when it has a
    multi-instance task."""
    from .models import ProcessDefinition, ServiceSetup

    if xml is not None:
        template = ProcessTemplate.CUSTOM
        if isinstance(xml, str):
            xml = xml.encode("utf-8")
    try:
        template = ProcessTemplate(template)
    except ValueError:
        raise ValidationError({"template": [f"未知的流程模板：{template}"]}) from None
    if template == ProcessTemplate.CUSTOM and not xml:
        raise ValidationError({"xml": ["请上传 BPMN 2.0 文件（.bpmn）。"]})
    cleaned = _clean_parameters(implementation, template, parameters, xml)
    name = process_name(implementation)
    if template == ProcessTemplate.CUSTOM:
        try:
            text = xml.decode("utf-8")
        except UnicodeDecodeError:
            raise ValidationError({"xml": ["文件不是 UTF-8 编码的 XML。"]}) from None
    else:
        text = template_xml(template, name=name, parameters=cleaned)
    try:
        process_id, _spec = engine.validate(text)
    except engine.DefinitionError as exc:
        raise ValidationError({"xml": exc.messages}) from exc

    with transaction.atomic():
        setup, _ = ServiceSetup.objects.get_or_create(implementation=implementation)
        # Serializes configurations of one implementation (a row lock on PostgreSQL; the
        # IMMEDIATE transaction on SQLite); the unique (key, version) is the last guard.
        setup = ServiceSetup.objects.select_for_update(of=("self",)).get(pk=setup.pk)
        key = process_key(implementation)
        last = ProcessDefinition.objects.filter(key=key).aggregate(v=Max("version"))["v"] or 0
        definition = ProcessDefinition.objects.create(
            key=key,
            version=last + 1,
            name=name,
            template=template,
            parameters=cleaned,
            bpmn_xml=text,
            process_id=process_id,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        previous = setup.process_id
        setup.process = definition
        setup.save(update_fields=["process", "updated_at"])
        audit.record(
            action=AUDIT_CONFIGURED,
            actor=actor,
            obj=definition,
            detail={
                "implementation": implementation.pk,
                "key": key,
                "version": definition.version,
                "template": template.value,
                "parameters": cleaned,
                "previous": previous,
                "system": actor is None,
            },
            request=request,
        )
    return definition


def current_process(implementation):
    """The implementation's bound definition, or None."""
    from .models import ProcessDefinition

    return ProcessDefinition.objects.filter(setups__implementation=implementation).first()


def process_data(case):
    """The data a case's workflow starts with: ``lead_department`` and
    ``joint_departments`` (ids) from the definition's parameters."""
    parameters = case.process.parameters if case.process_id else {}
    return {
        "lead_department": case.department_id,
        "joint_departments": [int(pk) for pk in (parameters or {}).get("joint_departments", [])],
    }


def default_template(implementation):
    """``(template, parameters)`` for an implementation nobody configured: with a special
    procedure in its guide the special template named after it, 即办件 for on-the-spot items,
    else the standard template."""
    from yiwang.catalog.constants import LimitKind
    from yiwang.catalog.models import SpecialProcedure

    special = (
        SpecialProcedure.objects.filter(implementation=implementation)
        .order_by("sort_order", "pk")
        .first()
    )
    if special is not None:
        return ProcessTemplate.SPECIAL, {"special_name": special.name[:SPECIAL_NAME_MAX]}
    if implementation.limit_kind == LimitKind.ON_THE_SPOT:
        return ProcessTemplate.ON_THE_SPOT, {}
    return ProcessTemplate.STANDARD, {}


def ensure_process(implementation):
    """The bound definition, or a default bound now (即办件 for on-the-spot items, else the
    standard template), audited as a system change."""
    from .models import ServiceSetup

    definition = current_process(implementation)
    if definition is not None:
        return definition
    with transaction.atomic():
        setup, _ = ServiceSetup.objects.get_or_create(implementation=implementation)
        setup = ServiceSetup.objects.select_for_update(of=("self",)).get(pk=setup.pk)
        if setup.process is not None:  # someone else bound one meanwhile
            return setup.process
        template, parameters = default_template(implementation)
        return configure_process(
            implementation=implementation, template=template, parameters=parameters, actor=None
        )
