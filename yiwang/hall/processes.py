"""Process definitions: templates, versions, binding to implementations (CONTRACT — owner:
helper "processes")."""


def template_xml(template, *, name, parameters):
    """The BPMN 2.0 XML (with diagram interchange, for the viewer) of ``template``
    (``ProcessTemplate``) parameterized by ``parameters`` (``joint_departments``: ids,
    ``special_name``)."""
    raise NotImplementedError


def configure_process(*, implementation, template, parameters=None, xml=None, actor, request=None):
    """Make a new version of the implementation's process (key ``impl-<pk>``) from a
    template or uploaded ``xml`` (``engine.validate``), bind it (``ServiceSetup.process``),
    audit it. Running cases stay on their version. Returns the ``ProcessDefinition``."""
    raise NotImplementedError


def current_process(implementation):
    """The implementation's bound definition, or None."""
    raise NotImplementedError


def process_data(case):
    """The data a case's workflow starts with: ``lead_department`` and
    ``joint_departments`` (ids) from the definition's parameters."""
    raise NotImplementedError


def ensure_process(implementation):
    """The bound definition, or a default bound now (即办件 for on-the-spot items, else the
    standard template), audited as a system change."""
    raise NotImplementedError
