"""Audit action names of supervision (``AuditEvent.action``)."""

MEMO_SENT = "supervision.memo_sent"
MEMO_ANSWERED = "supervision.memo_answered"
ANOMALY_HANDLED = "supervision.anomaly_handled"
RULE_CHANGED = "supervision.rule_changed"
THRESHOLD_CHANGED = "supervision.threshold_changed"
NOTICE_READ = "supervision.notice_read"
