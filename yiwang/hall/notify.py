"""Telling the applicant (CONTRACT — owner: helper "clocks").

SMS through ``yiwang.core.sms`` (console in the demo, recording fake in tests) to the case's
mobile, e-mail through Django's mail backend to its e-mail when there is one, at every
change the applicant should know of: submitted (with the query code), accepted, correction
requested, resubmitted, refused, decided, delivered/completed, withdrawn. Texts in Chinese,
no personal data beyond the case number and item name. Call after commit.
"""

import logging

from django.core.mail import send_mail

from yiwang.core.sms import send_sms

from .constants import ClockKind, Decision, EventKind

logger = logging.getLogger(__name__)

SIGNATURE = "【一网通办】"
CASE_PATH = "/banshi/cases/{number}/"

# What happened and what to do next, per event. ``{item}`` is the item's name, ``{number}``
# the case number, ``{path}`` the case page's path.
TEXTS = {
    EventKind.SUBMITTED: (
        "申请已提交",
        "您申请的“{item}”已提交，办件编号 {number}。部门将在5个工作日内决定是否受理，"
        "请留意后续通知。",
    ),
    EventKind.COUNTER_CREATED: (
        "窗口已收件",
        "您在窗口申请的“{item}”已收件，办件编号 {number}。部门将在5个工作日内决定是否受理，"
        "请留意后续通知。",
    ),
    EventKind.ACCEPTED: (
        "申请已受理",
        "您申请的“{item}”（办件编号 {number}）已受理，正在审查。{due}",
    ),
    EventKind.CORRECTION_REQUESTED: (
        "请补正材料",
        "您申请的“{item}”（办件编号 {number}）需要补正材料。请登录查看补正材料通知书，"
        "按要求一次性补正后重新提交；补正期间办理时限暂停计算。",
    ),
    EventKind.RESUBMITTED: (
        "补正材料已提交",
        "您为“{item}”（办件编号 {number}）补正的材料已提交，办理时限自提交之日起继续计算，"
        "请等待受理。",
    ),
    EventKind.REFUSED: (
        "申请不予受理",
        "您申请的“{item}”（办件编号 {number}）不予受理。请登录查看不予受理通知书中的理由；"
        "如不服，可依法申请行政复议或者提起行政诉讼。",
    ),
    EventKind.EXTENDED: (
        "办理时限已延长",
        "您申请的“{item}”（办件编号 {number}）经批准延长办理时限。{due}",
    ),
    EventKind.SPECIAL_STARTED: (
        "进入特别程序",
        "您申请的“{item}”（办件编号 {number}）进入特别程序（如检验检测、专家评审），"
        "所需时间不计入办理时限。",
    ),
    EventKind.SPECIAL_FINISHED: (
        "特别程序结束",
        "您申请的“{item}”（办件编号 {number}）特别程序已结束，继续审查。",
    ),
    EventKind.DELIVERED: (
        "办理结果已送达",
        "您申请的“{item}”（办件编号 {number}）办理结果已送达，办件已办结。",
    ),
    EventKind.COMPLETED: (
        "办件已办结",
        "您申请的“{item}”（办件编号 {number}）已办结。欢迎对本次服务进行评价。",
    ),
    EventKind.WITHDRAWN: (
        "申请已撤回",
        "您申请的“{item}”（办件编号 {number}）已按您的要求撤回。",
    ),
}

DECIDED_TEXTS = {
    Decision.APPROVED: (
        "准予许可",
        "您申请的“{item}”（办件编号 {number}）已作出准予决定，将按您选择的方式送达办理结果。",
    ),
    Decision.DENIED: (
        "不予许可",
        "您申请的“{item}”（办件编号 {number}）已作出不予许可决定，理由见决定书；如不服，"
        "可依法申请行政复议或者提起行政诉讼。",
    ),
}

QUERY_CODE_EVENTS = (EventKind.SUBMITTED, EventKind.COUNTER_CREATED)


def _chinese_date(day):
    return f"{day.year}年{day.month}月{day.day}日"


def _due_sentence(case):
    """The promised (else statutory) due date of the case's own running clock."""
    clocks = {
        clock.kind: clock
        for clock in case.clocks.filter(task__isnull=True, stopped_on__isnull=True)
    }
    clock = clocks.get(ClockKind.PROMISED) or clocks.get(ClockKind.STATUTORY)
    if clock is None:
        return ""
    label = "承诺" if clock.kind == ClockKind.PROMISED else "法定"
    provisional = "（按暂定工作日历计算）" if clock.due_is_provisional else ""
    return f"{label}办结期限：{_chinese_date(clock.due_date)}{provisional}。"


def message(case, event_kind, *, query_code=None):
    """``(subject, text)`` for ``event_kind``, or None when the applicant is not told of it."""
    try:
        event_kind = EventKind(event_kind)
    except ValueError:
        return None
    if event_kind == EventKind.DECIDED:
        entry = DECIDED_TEXTS.get(case.decision)
        if entry is None:
            entry = ("已作出决定", "您申请的“{item}”（办件编号 {number}）已作出决定。")
    else:
        entry = TEXTS.get(event_kind)
        if entry is None:
            return None
    title, template = entry
    number = case.number or ""
    path = CASE_PATH.format(number=number)
    due = _due_sentence(case) if "{due}" in template else ""
    text = template.format(item=case.item_name, number=number, due=due)
    if query_code and event_kind in QUERY_CODE_EVENTS:
        text += f"查询码 {query_code}，请妥善保存，可凭办件编号和查询码查询进度。"
    text += f"详情：{path}"
    subject = f"{SIGNATURE}{title}：{case.item_name}（{number}）"
    return subject, SIGNATURE + text


def _contacts(case):
    applicant = case.applicant
    mobile = case.applicant_mobile or (getattr(applicant, "mobile", "") if applicant else "")
    email = case.applicant_email or (getattr(applicant, "email", "") if applicant else "")
    return (mobile or "").strip(), (email or "").strip()


def notify_applicant(case, event_kind, *, query_code=None):
    """Send the texts for ``event_kind`` (``EventKind``); failures are logged, never
    raised (the transition has already happened). Returns how many messages went out."""
    try:
        built = message(case, event_kind, query_code=query_code)
        if built is None:
            return 0
        subject, text = built
        mobile, email = _contacts(case)
    except Exception:
        logger.exception("办件 %s 的通知（%s）无法生成", getattr(case, "number", ""), event_kind)
        return 0
    sent = 0
    if mobile:
        try:
            send_sms(mobile=mobile, text=text)
            sent += 1
        except Exception:
            logger.exception("办件 %s 的短信通知（%s）发送失败", case.number, event_kind)
    if email:
        try:
            send_mail(subject, text, None, [email], fail_silently=False)
            sent += 1
        except Exception:
            logger.exception("办件 %s 的邮件通知（%s）发送失败", case.number, event_kind)
    return sent
