"""Every write of the hall (CONTRACT — owner: helper "actions"; others call these).

Rules for every function: keyword-only arguments; one transaction; one ``CaseEvent`` for
the timeline and one audit row (``yiwang.core.audit.record``, action names in
``events.py``) in that transaction; notifications (``notify``), notice PDFs (``notices``)
and other side effects in ``transaction.on_commit``. Bad input raises
``django.core.exceptions.ValidationError`` with Chinese messages (keyed by field where there
is one); acting without the right raises ``PermissionDenied``; a transition the case's
state or process does not allow raises ``TransitionError`` (Chinese message). Nothing
already saved is lost on an error.

Staff act on a ``CaseTask``: they must be staff of the task's department with the task's
role (``roles``), and the task open, or claimed by them.
"""


class TransitionError(Exception):
    """The case or task is not in a state that allows this (message in Chinese)."""


def save_draft(
    *, implementation, user, data, situation_codes=(), legal_person=None, case=None, request=None
):
    """Create (``case`` None) or update a DRAFT case of ``user`` (acting for
    ``legal_person`` when given: ``accounts.queries.acting_role`` must allow it) with the
    form ``data`` as entered (drafts may be incomplete: nothing but JSON-ability is
    checked). Refuses items not applied online, not accepting or below the user's real-name
    level. Returns the case."""
    raise NotImplementedError


def add_material(*, case, material_name, upload, user, request=None):
    """Attach an uploaded file (``UploadedFile``) to a draft or a case awaiting correction
    for ``material_name`` (a material of the guide). Checked by ``uploads.check`` (content
    type, size) and scanned (``scanning``); an infected file is refused and not kept.
    Returns the ``CaseMaterial``."""
    raise NotImplementedError


def remove_material(*, material, user, request=None):
    """Remove a file from a draft (or from the current correction round)."""
    raise NotImplementedError


def submit(*, case, user, request=None):
    """Submit a draft: the form data must validate (``formdefs.clean_data``), every required
    material (``formdefs.required_materials``) must have a clean file, the user must meet
    the real-name level and may act for the legal person. Allocates the case number
    (``numbers.allocate``) and a query code, starts the process (``engine.start``) on the
    implementation's current process and form versions, creates the ready ``CaseTask`` rows
    and their clocks, status SUBMITTED. After commit: the receipt (``notices``) and the
    applicant's notification. Returns ``(case, query_code)`` — the only time the query code
    is known in clear."""
    raise NotImplementedError


def create_at_counter(
    *,
    implementation,
    staff,
    applicant_name,
    id_number,
    mobile,
    email="",
    legal_person=None,
    applicant=None,
    data,
    situation_codes=(),
    uploads=(),
    request=None,
):
    """One-window acceptance (一窗受理): counter staff (role ACCEPTOR, any department of the
    item's region or above) record a walk-in application. ``uploads`` is a list of
    ``(material_name, UploadedFile)``; the form is validated as for ``submit``; channel
    COUNTER, ``created_by`` staff. Returns ``(case, query_code)``."""
    raise NotImplementedError


def claim(*, task, staff, request=None):
    """Take an open task (签收): assignee ``staff``, state CLAIMED."""
    raise NotImplementedError


def release(*, task, staff, request=None):
    """Give a claimed task back to the queue (only its assignee, or a supervisor)."""
    raise NotImplementedError


def accept(*, task, staff, request=None):
    """Accept (受理) at an ``accept`` task: status ACCEPTED, the case's statutory and
    promised clocks start; after commit the acceptance notice and notification."""
    raise NotImplementedError


def request_correction(*, task, staff, items, note="", request=None):
    """One-time correction notice (一次性告知) at an ``accept`` task: ``items`` is a
    non-empty list of ``{"material": name, "reason": text}`` covering everything missing.
    Status CORRECTION, a ``CorrectionRequest`` round, clocks pause (reason CORRECTION); the
    task stays open. After commit the correction notice PDF and notification."""
    raise NotImplementedError


def resubmit(*, case, user, data=None, request=None):
    """The applicant's corrected submission (after uploading files with ``add_material``):
    every listed material has a new file; status back to SUBMITTED, clocks resume from
    today, the round's ``resubmitted_at`` set."""
    raise NotImplementedError


def refuse(*, task, staff, reason, request=None):
    """Refuse to accept (不予受理) with the legal reason (required): the workflow is
    cancelled, tasks cancelled, clocks stopped, status REFUSED (final). After commit the
    refusal notice and notification."""
    raise NotImplementedError


def review(*, task, staff, opinion, comment="", request=None):
    """Record a review opinion (``ReviewOpinion``) at a ``review`` task and complete it;
    joint reviews run in parallel and the decision task opens when all are done."""
    raise NotImplementedError


def finish_special(*, task, staff, result, request=None):
    """Record the result of a special procedure (testing, expert review …) and complete
    its task; the clocks paused when the task opened resume."""
    raise NotImplementedError


def extend(*, case, staff, days, reason, request=None):
    """An approved extension of the statutory limit (by the lead department's decider):
    at most 10 working days (15 for joint approval), once."""
    raise NotImplementedError


def decide(*, task, staff, decision, reason, request=None):
    """Approve or deny (``Decision``) at a ``decide`` task, reasons required for a denial:
    status DECIDED; after commit the decision document and notification."""
    raise NotImplementedError


def handle_on_the_spot(*, task, staff, decision, reason="", request=None):
    """即办件: accept and decide at once at a ``handle`` task."""
    raise NotImplementedError


def deliver(*, task, staff, method, tracking_number="", address="", request=None):
    """Deliver the result (``catalog.constants.DeliveryMethod``: pick-up, post with a
    tracking number (required), electronic) and complete the case: status COMPLETED, every
    clock stopped."""
    raise NotImplementedError


def withdraw(*, case, user, reason="", request=None):
    """The applicant withdraws before a decision: workflow cancelled, tasks cancelled,
    clocks stopped, status WITHDRAWN."""
    raise NotImplementedError


def comment(*, case, staff, text, request=None):
    """An internal note on the case's timeline (not shown to the applicant)."""
    raise NotImplementedError


def attach(*, case, staff, upload, title, visible_to_applicant=False, request=None):
    """Attach a document to the case (checked like materials). Returns the
    ``CaseDocument``."""
    raise NotImplementedError
