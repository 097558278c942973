"""Telling the applicant: SMS (recording fake) and e-mail (locmem outbox) per event, in
Chinese, with the case number, the item and what to do next; failures never raise."""

import logging
from datetime import date

import pytest
from django.core import mail

from yiwang.core.sms import RecordingSmsBackend
from yiwang.hall import clocks, notify
from yiwang.hall.constants import Decision, EventKind
from yiwang.hall.tests.factories import make_citizen

from .test_clocks import make_case

pytestmark = pytest.mark.django_db

NUMBER = "9901022026120200042"


@pytest.fixture(autouse=True)
def outboxes(settings):
    settings.SMS_BACKEND = "yiwang.core.sms.RecordingSmsBackend"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    RecordingSmsBackend.clear()
    mail.outbox = []
    yield
    RecordingSmsBackend.clear()


@pytest.fixture
def case(regions):
    return make_case(
        regions["county_a"],
        name="小型餐饮经营许可",
        number=NUMBER,
        applicant_mobile="13900000007",
        applicant_email="lisi@example.cn",
        statutory_limit_days=20,
        promised_limit_days=5,
    )


def test_submitted_sends_the_query_code_by_sms_and_mail(case):
    assert notify.notify_applicant(case, EventKind.SUBMITTED, query_code="K7P2Q9") == 2
    (sms,) = RecordingSmsBackend.outbox
    assert sms.mobile == "13900000007"
    assert NUMBER in sms.text and "小型餐饮经营许可" in sms.text
    assert "查询码 K7P2Q9" in sms.text
    assert f"/banshi/cases/{NUMBER}/" in sms.text
    (message,) = mail.outbox
    assert message.to == ["lisi@example.cn"]
    assert message.subject == f"【一网通办】申请已提交：小型餐饮经营许可（{NUMBER}）"
    assert "查询码 K7P2Q9" in message.body
    assert message.from_email == "noreply@yiwang.localhost"


def test_the_query_code_is_sent_only_at_submission(case):
    notify.notify_applicant(case, EventKind.ACCEPTED, query_code="K7P2Q9")
    (sms,) = RecordingSmsBackend.outbox
    assert "K7P2Q9" not in sms.text and "已受理" in sms.text


def test_accepted_tells_the_promised_due_date(case):
    clocks.on_accepted(case, date(2026, 9, 28))
    notify.notify_applicant(case, EventKind.ACCEPTED)
    (sms,) = RecordingSmsBackend.outbox
    assert "承诺办结期限：2026年10月10日。" in sms.text


@pytest.mark.parametrize(
    ("event", "decision", "words"),
    [
        (EventKind.CORRECTION_REQUESTED, "", ["需要补正材料", "一次性补正"]),
        (EventKind.RESUBMITTED, "", ["补正的材料已提交", "继续计算"]),
        (EventKind.REFUSED, "", ["不予受理", "行政复议"]),
        (EventKind.DECIDED, Decision.APPROVED, ["准予决定", "送达"]),
        (EventKind.DECIDED, Decision.DENIED, ["不予许可决定", "行政诉讼"]),
        (EventKind.DELIVERED, "", ["已送达", "已办结"]),
        (EventKind.COMPLETED, "", ["已办结"]),
        (EventKind.WITHDRAWN, "", ["已按您的要求撤回"]),
        (EventKind.EXTENDED, "", ["延长办理时限"]),
    ],
)
def test_each_event_has_its_text(case, event, decision, words):
    case.decision = decision
    notify.notify_applicant(case, event)
    (sms,) = RecordingSmsBackend.outbox
    (message,) = mail.outbox
    for text in (sms.text, message.body):
        assert text.startswith("【一网通办】")
        assert NUMBER in text and "小型餐饮经营许可" in text
        assert f"/banshi/cases/{NUMBER}/" in text
        for word in words:
            assert word in text
    # No personal data beyond the case number and the item.
    assert case.applicant_name not in sms.text


def test_internal_events_tell_nobody(case):
    for event in (EventKind.CLAIMED, EventKind.COMMENTED, EventKind.REVIEWED, "nonsense"):
        assert notify.notify_applicant(case, event) == 0
    assert RecordingSmsBackend.outbox == [] and mail.outbox == []


def test_the_account_contacts_are_used_when_the_case_has_none(regions):
    citizen = make_citizen(mobile="13700000003", email="wang@example.cn")
    case = make_case(
        regions["county_a"], applicant=citizen, applicant_mobile="", applicant_email=""
    )
    notify.notify_applicant(case, EventKind.ACCEPTED)
    assert [m.mobile for m in RecordingSmsBackend.outbox] == ["13700000003"]
    assert [m.to for m in mail.outbox] == [["wang@example.cn"]]


def test_no_email_no_mail(regions):
    case = make_case(regions["county_a"], applicant_email="")
    assert notify.notify_applicant(case, EventKind.WITHDRAWN) == 1
    assert len(RecordingSmsBackend.outbox) == 1 and mail.outbox == []


class BrokenGateway:
    def send(self, message):
        from yiwang.core.sms import SmsError

        raise SmsError("网关不可用")


class Collect(logging.Handler):
    def __init__(self):
        super().__init__(logging.ERROR)
        self.messages = []

    def emit(self, record):
        self.messages.append(record.getMessage())


def test_failures_are_logged_never_raised(case, settings):
    settings.SMS_BACKEND = f"{__name__}.BrokenGateway"
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = 9  # nothing listens
    settings.EMAIL_TIMEOUT = 2
    handler = Collect()
    logger = logging.getLogger("yiwang.hall.notify")
    logger.addHandler(handler)
    try:
        assert notify.notify_applicant(case, EventKind.ACCEPTED) == 0
    finally:
        logger.removeHandler(handler)
    messages = handler.messages
    assert any("短信通知" in m and "发送失败" in m for m in messages)
    assert any("邮件通知" in m and "发送失败" in m for m in messages)
