"""Telling the applicant (CONTRACT — owner: helper "clocks").

SMS through ``yiwang.core.sms`` (console in the demo, recording fake in tests) to the case's
mobile, e-mail through Django's mail backend to its e-mail when there is one, at every
change the applicant should know of: submitted (with the query code), accepted, correction
requested, resubmitted, refused, decided, delivered/completed, withdrawn. Texts in Chinese,
no personal data beyond the case number and item name. Call after commit.
"""


def notify_applicant(case, event_kind, *, query_code=None):
    """Send the texts for ``event_kind`` (``EventKind``); failures are logged, never
    raised (the transition has already happened)."""
    raise NotImplementedError
