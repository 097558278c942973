"""Working-day clocks of cases and steps (CONTRACT — owner: helper "clocks").

A ``Clock``'s due date is always derived — ``workdays.add_working_days(start_date,
limit_days + extension_days + paused_days)`` with the open pause counted too — so
``recompute`` gives the same answer however often it runs, and a calendar change moves every
running case's due dates (``recompute_running``, from the ``working_calendar_changed``
receiver through a task). Days are dates in Asia/Shanghai; the start day is not counted.

Which clocks a case has (limits from the implementation, defaults from STANDARDS.md):
- the acceptance step: statutory 5 working days from submission (``accept`` task);
- the case, from acceptance: statutory (``statutory_limit_days``, else 20, 45 for joint
  approval) and promised (``promised_limit_days`` when set);
- each review/decide step: the catalog's ``ProcessStep.time_limit_days`` when one matches,
  else none;
- delivery: statutory 10 working days from the decision;
- 即办件: due the same day.
Corrections, special procedures and approved extensions pause the clocks.
"""


def start(*, case, kind, label, limit_days, start_date, task=None):
    """Start a clock. Returns it (saved)."""
    raise NotImplementedError


def on_submitted(case, day):
    """Clocks for a submitted case (the acceptance step's)."""
    raise NotImplementedError


def on_task_opened(task, day):
    """Clocks of a newly opened task; a ``special`` task pauses the case's clocks."""
    raise NotImplementedError


def on_task_closed(task, day):
    """Stop the task's clocks; a closed ``special`` task resumes the case's clocks."""
    raise NotImplementedError


def on_accepted(case, day):
    """Start the case's statutory and promised clocks."""
    raise NotImplementedError


def pause(case, reason, day):
    """Pause every running clock of ``case`` (``PauseReason``)."""
    raise NotImplementedError


def resume(case, day):
    """End the open pauses of ``case``'s clocks; due dates move by the paused working days."""
    raise NotImplementedError


def extend(case, days, day):
    """Add an approved extension to the case's statutory clock."""
    raise NotImplementedError


def stop_all(case, day):
    """Stop every clock of a case that ended (completed, refused, withdrawn)."""
    raise NotImplementedError


def recompute(clock):
    """Recompute ``clock.due_date`` (and whether it is provisional) from its data; saves
    only when it changed. Returns True when it changed."""
    raise NotImplementedError


def recompute_running(*, start=None, end=None, progress=None):
    """Recompute every running clock whose span touches ``start``–``end`` (all running ones
    when not given), in batches. Returns how many due dates changed."""
    raise NotImplementedError


def summary(case, *, today=None):
    """For pages: one dict per clock — label, kind, start, due, provisional, used and
    remaining working days, paused (and why), overdue, stopped."""
    raise NotImplementedError
