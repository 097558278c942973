"""Anomaly rules (``AnomalyRule``) applied by the sweep to the case events recorded since
its last run (watermark on ``CaseEvent.at``, indexed, less the sweep's overlap). What a rule
finds is stored once per rule and case or task (``Anomaly.subject`` is unique per rule), so
a re-read event never duplicates one.

- ``corrections``: a correction notice of round > ``max_rounds`` (default 2);
- ``fast_step``: a step (not an on-the-spot one) finished less than ``min_minutes`` (default
  2) after it arrived;
- ``refusal_without_basis``: a refusal whose reason is shorter than ``min_length``
  characters (default 15) or cites no law (法、条例、规定、办法 or 第…条).
"""

import re

from django.db.models import Q

from .constants import RULES, RuleCode
from .models import Anomaly, AnomalyRule

BATCH = 2000
LEGAL_BASIS = re.compile(r"法|条例|规定|办法|第[一二三四五六七八九十百千零〇两\d]+条")
# Events that finish a step (the task they name is done).
STEP_DONE_KINDS = ("accepted", "reviewed", "decided", "delivered", "refused", "special_finished")
EVENT_FIELDS = (
    "pk",
    "at",
    "kind",
    "case_id",
    "task_id",
    "text",
    "data",
    "task__department_id",
    "task__step",
    "task__created_at",
    "task__completed_at",
    "case__department_id",
    "case__region_id",
    "case__refusal_reason",
    "case__correction_rounds",
)


def ensure_rules():
    """The rule rows, one per ``RuleCode`` (created disabled with the default parameters)."""
    for code, (_description, parameters, _fields) in RULES.items():
        AnomalyRule.objects.get_or_create(code=code, defaults={"parameters": dict(parameters)})


def lacks_legal_basis(reason, min_length):
    reason = "".join((reason or "").split())
    return len(reason) < min_length or not LEGAL_BASIS.search(reason)


def findings(event, rules):
    """``[(rule, subject, task_id, detail)]`` for one event (a ``values()`` row)."""
    found = []
    kind = event["kind"]
    rule = rules.get(RuleCode.CORRECTIONS)
    if rule is not None and kind == "correction_requested":
        limit = rule.parameter("max_rounds")
        round_ = (event["data"] or {}).get("round") or event["case__correction_rounds"] or 0
        if int(round_) > limit:
            found.append(
                (
                    rule,
                    f"case:{event['case_id']}",
                    event["task_id"],
                    f"第 {round_} 次退回补正，超过规则允许的 {limit} 次",
                )
            )
    rule = rules.get(RuleCode.FAST_STEP)
    if (
        rule is not None
        and kind in STEP_DONE_KINDS
        and event["task_id"]
        and event["task__step"] != "handle"
        and event["task__created_at"]
        and event["task__completed_at"]
    ):
        limit = rule.parameter("min_minutes")
        seconds = (event["task__completed_at"] - event["task__created_at"]).total_seconds()
        if seconds < limit * 60:
            found.append(
                (
                    rule,
                    f"task:{event['task_id']}",
                    event["task_id"],
                    f"环节用时 {seconds / 60:.1f} 分钟，少于规则的 {limit} 分钟",
                )
            )
    rule = rules.get(RuleCode.REFUSAL_WITHOUT_BASIS)
    if rule is not None and kind == "refused":
        limit = rule.parameter("min_length")
        reason = event["case__refusal_reason"] or event["text"]
        if lacks_legal_basis(reason, limit):
            found.append(
                (
                    rule,
                    f"case:{event['case_id']}",
                    event["task_id"],
                    f"不予受理理由“{(reason or '')[:40]}”过短或未引用法律依据",
                )
            )
    return found


def apply(run, since, *, overlap):
    """Apply the enabled rules to the events after ``since`` (less ``overlap``); returns the
    new watermark (the latest event time read, or ``run.now`` when no rule is on)."""
    from yiwang.hall.models import CaseEvent

    rules = {rule.code: rule for rule in AnomalyRule.objects.filter(enabled=True)}
    if not rules:
        return max(since, run.now) if since else run.now
    run.rules = rules
    kinds = set()
    if RuleCode.CORRECTIONS in rules:
        kinds.add("correction_requested")
    if RuleCode.FAST_STEP in rules:
        kinds.update(STEP_DONE_KINDS)
    if RuleCode.REFUSAL_WITHOUT_BASIS in rules:
        kinds.add("refused")
    queryset = CaseEvent.objects.filter(kind__in=sorted(kinds))
    if since is not None:
        queryset = queryset.filter(at__gt=since - overlap)
    latest, last_pk = None, 0
    while True:
        batch = queryset
        if latest is not None:
            batch = batch.filter(Q(at__gt=latest) | Q(at=latest, pk__gt=last_pk))
        events = list(batch.order_by("at", "pk").values(*EVENT_FIELDS)[:BATCH])
        if not events:
            break
        run.summary["events_read"] += len(events)
        store(run, events)
        latest, last_pk = events[-1]["at"], events[-1]["pk"]
        if len(events) < BATCH:
            break
    if latest is None:
        return since or run.now
    return max(latest, since) if since else latest


def store(run, events):
    candidates = {}
    for event in events:
        for rule, subject, task_id, detail in findings(event, run.rules):
            department_id = event["task__department_id"] or event["case__department_id"]
            candidates.setdefault(
                (rule.pk, subject),
                Anomaly(
                    rule=rule,
                    subject=subject,
                    case_id=event["case_id"],
                    task_id=task_id,
                    department_id=department_id,
                    region_id=event["case__region_id"],
                    detail=detail[:300],
                    detected_at=run.now,
                ),
            )
    if not candidates:
        return
    existing = set(
        Anomaly.objects.filter(subject__in=sorted({subject for _, subject in candidates}))
        .filter(rule_id__in=sorted({rule_id for rule_id, _ in candidates}))
        .values_list("rule_id", "subject")
    )
    fresh = [anomaly for key, anomaly in candidates.items() if key not in existing]
    Anomaly.objects.bulk_create(fresh, batch_size=BATCH, ignore_conflicts=True)
    run.summary["anomalies"] += len(fresh)
