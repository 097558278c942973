"""Background work the case actions hand off after commit (``django_tasks``; run by
``manage.py db_worker``, at once in tests).

Rendering a notice PDF with the embedded CJK font costs 0.2–0.4 s of CPU (font
subsetting): done in the request that submits, it would hold a web worker and, under a
burst of submissions, starve the threads that hold the database's write lock. The actions
therefore enqueue ``issue_notice`` in ``transaction.on_commit``; the document appears on
the case as soon as a worker has made it.
"""

from django_tasks import task


@task()
def issue_notice(case_id, kind, actor_id=None, correction_id=None):
    """Render and store notice ``kind`` of case ``case_id``; returns the document's pk (or
    None when the case or the round is gone)."""
    from django.contrib.auth import get_user_model

    from . import notices
    from .models import Case, CorrectionRequest

    case = Case.objects.select_related("implementation", "department").filter(pk=case_id).first()
    if case is None:
        return None
    correction = None
    if correction_id is not None:
        correction = CorrectionRequest.objects.filter(pk=correction_id, case=case).first()
        if correction is None:
            return None
    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    return notices.issue(case=case, kind=kind, actor=actor, correction=correction).pk
