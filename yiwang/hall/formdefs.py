"""Application forms defined as data (CONTRACT — owner: helper "forms").

See ``models.ApplicationForm`` for the schema's shape."""

FIELD_TYPES = (
    "text",
    "textarea",
    "integer",
    "decimal",
    "date",
    "choice",
    "multichoice",
    "boolean",
    "id_number",
    "uscc",
    "mobile",
    "email",
    "address",
)


def validate_schema(schema, material_rules=None, *, implementation=None):
    """Chinese problems with a schema (unknown types, duplicate names, bad patterns …);
    empty when it can be saved."""
    raise NotImplementedError


def default_schema(implementation):
    """A sensible form for an implementation without one: the applicant's name, ID number
    or credit code by audience, contact mobile, address, a free description."""
    raise NotImplementedError


def current_form(implementation):
    """The implementation's current ``ApplicationForm`` (its ``ServiceSetup.form``), or
    None."""
    raise NotImplementedError


def save_form(*, implementation, schema, material_rules=None, actor, request=None):
    """Save a new version of the form (audited) and make it current. Raises
    ``ValidationError`` with ``validate_schema``'s problems."""
    raise NotImplementedError


def build_form(application_form, *, data=None, draft=False):
    """A Django ``Form`` for the schema (sections as fieldsets via ``form.sections``), with
    labels, help texts and the validation of each field; ``draft`` makes every field
    optional (saving a draft)."""
    raise NotImplementedError


def clean_data(application_form, data):
    """Validate submitted data: ``(cleaned JSON-able dict, {field: [Chinese errors]})``."""
    raise NotImplementedError


def required_materials(implementation, application_form, situation_codes):
    """What the applicant must upload for the chosen situations: a list of
    ``MaterialRequirement(name, material_id, required, max_files, note)`` in guide order."""
    raise NotImplementedError


def ensure_form(implementation):
    """The current form, or ``default_schema``'s saved now as version 1."""
    raise NotImplementedError
