"""The demo's 政民互动 on 松林县's portal: the staff of every interaction role, keyword
routing rules, and messages at every stage, made through the real actions with their
clocks set back — a website error report found on a county page and answered by the site
team within its one working day, a 12345 work order transferred once and closed, letters
published with their replies, one waiting for the dispatcher, one overdue.

Two messages get a known query code (``DEMO_QUERY_CODE``) so the summary can say how to
follow them; every other code is random and was shown once, as in production.

Idempotent: accounts by username; messages by their ``external_id`` (channel ``web`` and
``hotline`` rows get ``demo-…`` ids). Needs the demo regions, departments and portals.
"""

from datetime import datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from yiwang.core import workdays
from yiwang.interaction import actions, numbers
from yiwang.interaction.constants import (
    OPEN_STATUSES,
    ErrorType,
    InteractionRole,
    Kind,
    Status,
    Urgency,
)
from yiwang.interaction.models import Message, RoutingRule
from yiwang.portal.models import ArticlePage, LeaderPage

from . import geography as geo
from .catalog import _department
from .spec import DEMO_PASSWORD, places

SHOWCASE_PLACE = "990121"
DEMO_QUERY_CODE = "DEMO2026"
R = InteractionRole

# username, name, department key, roles, what the login list says
STAFF = (
    ("rexian.songlin", "韩梅", "gov", (R.OPERATOR,), "12345 话务员：录入热线工单"),
    ("fenban.songlin", "刘洋", "gov", (R.DISPATCHER,), "互动分办员：交办、转办、延期审批"),
    ("dubanhd.songlin", "陈静", "gov", (R.SUPERVISOR,), "互动督办员：超期与督办"),
    (
        "wangzhan.songlin",
        "李想",
        "office",
        (R.COORDINATOR, R.HANDLER),
        "县政府办网站组：网站找错留言的承办",
    ),
    ("wangzhan.shenhe", "杜宁", "office", (R.REVIEWER,), "县政府办：答复审核、公开"),
    ("zhujian.hudong", "冯雷", "housing", (R.COORDINATOR, R.HANDLER), "县住建局：承办"),
    ("zhujian.shenhe", "蒋华", "housing", (R.REVIEWER,), "县住建局：答复审核"),
    ("jiaoyu.hudong", "唐悦", "edu", (R.COORDINATOR, R.HANDLER), "县教育局：承办"),
    ("jiaoyu.shenhe", "邓超", "edu", (R.REVIEWER,), "县教育局：答复审核"),
)

RULES = (
    ("housing", "道路 积水 小区 物业 房屋 路灯 井盖 住房"),
    ("edu", "学校 学位 入学 教师 幼儿园 校车"),
    ("health", "医院 医保 疫苗 卫生院"),
    ("env", "噪音 污染 排污 垃圾焚烧 异味"),
)


def interaction_usernames():
    return [row[0] for row in STAFF]


def _staff():
    from .staff_devices import ensure_staff_account

    place = places()[SHOWCASE_PLACE]
    return {
        username: ensure_staff_account(
            username,
            display_name=name,
            department=_department(place, key),
            groups=[role.label for role in roles],
        )
        for username, name, key, roles, _ in STAFF
    }


def _portal():
    from wagtail.models import Site

    from .spec import portal_hostname

    site = Site.objects.get(hostname=portal_hostname(places()[SHOWCASE_PLACE]))
    return site.root_page.specific


def _moment(today, working_days_back, hour):
    """``hour`` o'clock of the working day that many working days before ``today`` (never
    later than now)."""
    day = workdays.add_working_days(today, -working_days_back).date
    return min(timezone.make_aware(datetime.combine(day, time(hour))), timezone.now())


def _citizen():
    return get_user_model().objects.filter(username="zhangsan").first()


def _known_code(message):
    Message.objects.filter(pk=message.pk).update(
        query_code_hash=numbers.query_code_hash(message.number, DEMO_QUERY_CODE),
        external_id=message.external_id,
    )


def _submit(external_id, **fields):
    existing = Message.objects.filter(external_id=external_id).first()
    if existing is not None:
        return existing, False
    message, _ = actions.submit_message(**fields)
    Message.objects.filter(pk=message.pk).update(external_id=external_id)
    message.external_id = external_id
    return message, True


def _answer(message, *, handler, reviewer, text, at):
    actions.save_reply(message=message, staff=handler, text=text, submit=True, now=at)
    actions.review_reply(message=message, staff=reviewer, approve=True, now=at + timedelta(hours=1))
    message.refresh_from_db()
    return message


def load(*, today=None, progress=None):
    """Accounts, rules and the showcase messages; then a sweep as of now. Returns counts."""
    today = today or timezone.localdate()
    staff = _staff()
    place = places()[SHOWCASE_PLACE]
    for key, words in RULES:
        RoutingRule.objects.get_or_create(
            department=_department(place, key), defaults={"keywords": words}
        )
    if progress is not None:
        progress("互动人员和分办规则")
    portal = _portal()
    citizen = _citizen()
    dispatcher, operator = staff["fenban.songlin"], staff["rexian.songlin"]
    created = 0

    # 1. A website error report on a county article, answered within its working day.
    article = (
        ArticlePage.objects.live().descendant_of(portal).order_by("-first_published_at").first()
    )
    url = article.full_url if article is not None else portal.full_url
    at = _moment(today, 2, 10)
    report, new = _submit(
        "demo-error-1",
        kind=Kind.ERROR_REPORT,
        title="",
        body="正文第三段“松林县人民政付”应为“松林县人民政府”。",
        portal=portal,
        page_url=url or "",
        error_type=ErrorType.WORDING,
        writer_phone="13800000001",
        now=at,
    )
    if new:
        _known_code(report)
        _answer(
            report,
            handler=staff["wangzhan.songlin"],
            reviewer=staff["wangzhan.shenhe"],
            text="感谢您的指正！错字已于当日更正，我们将加强内容审校。",
            at=at + timedelta(hours=3),
        )
        created += 1

    # 2. A 12345 work order: dispatched to education by mistake, transferred once, closed.
    at = _moment(today, 6, 9)
    order, new = _submit(
        "demo-hotline-1",
        kind=Kind.COMPLAINT,
        title="青石镇幸福小区门口道路破损积水",
        body="来电人反映：青石镇幸福小区门口道路破损多日，雨天积水严重，学生上学不便，请尽快修复。",
        region=portal.region,
        writer_name="赵先生",
        writer_phone="13800000002",
        location="松林县青石镇幸福小区南门",
        channel="hotline",
        entered_by=operator,
        publish_consent=True,
        now=at,
    )
    if new:
        _known_code(order)
        actions.dispatch(
            message=order,
            staff=dispatcher,
            department_id=_department(place, "edu").pk,
            note="涉及学生上学",
            now=at + timedelta(minutes=20),
        )
        actions.transfer(
            message=order,
            staff=dispatcher,
            department_id=_department(place, "housing").pk,
            reason="道路维修属住建局职责，教育局反馈后转办",
            now=at + timedelta(hours=3),
        )
        order = _answer(
            order,
            handler=staff["zhujian.hudong"],
            reviewer=staff["zhujian.shenhe"],
            text="经现场核实，已安排施工队于三日内完成路面修复和排水改造，目前已完工。感谢您的监督。",
            at=_moment(today, 3, 15),
        )
        actions.rate(message=order, satisfaction=3, now=_moment(today, 2, 9))
        actions.publish(message=order, staff=staff["zhujian.shenhe"], now=_moment(today, 2, 10))
        created += 1

    # 3. Letters from the demo citizen: one published answer, one waiting, one overdue.
    if citizen is not None:
        leader = LeaderPage.objects.live().descendant_of(portal).order_by("path").first()
        letter, new = _submit(
            "demo-letter-1",
            kind=Kind.MAILBOX,
            title="建议增设青石镇到县城的早班公交",
            body="县长您好：青石镇到县城的第一班公交7点才发车，上班族赶不上，建议增开6点半的早班车。",
            portal=portal,
            leader=leader,
            writer=citizen,
            publish_consent=True,
            now=_moment(today, 10, 20),
        )
        if new:
            actions.dispatch(
                message=letter,
                staff=dispatcher,
                department_id=_department(place, "office").pk,
                now=_moment(today, 9, 9),
            )
            letter = _answer(
                letter,
                handler=staff["wangzhan.songlin"],
                reviewer=staff["wangzhan.shenhe"],
                text="您的建议已转县交通运输部门研究，自下月起青石镇至县城增开6:30早班车。",
                at=_moment(today, 5, 10),
            )
            actions.publish(
                message=letter, staff=staff["wangzhan.shenhe"], now=_moment(today, 5, 11)
            )
            created += 1
        _, new = _submit(
            "demo-letter-2",
            kind=Kind.CONSULTATION,
            title="孩子转学到县城小学需要哪些材料？",
            body="我家孩子明年想从青石镇小学转到县实验小学，请问需要准备哪些材料，什么时候办理？",
            portal=portal,
            writer=citizen,
            publish_consent=True,
            now=_moment(today, 0, 8),
        )
        created += new
        idcard, new = _submit(
            "demo-letter-4",
            kind=Kind.CONSULTATION,
            title="身份证丢了怎么补办？",
            body="我的居民身份证不小心丢了，请问在县里哪里可以补办，需要带什么材料，多久能拿到？",
            portal=portal,
            writer=citizen,
            publish_consent=True,
            now=_moment(today, 8, 10),
        )
        if new:
            actions.dispatch(
                message=idcard,
                staff=dispatcher,
                department_id=_department(place, "office").pk,
                now=_moment(today, 7, 9),
            )
            idcard = _answer(
                idcard,
                handler=staff["wangzhan.songlin"],
                reviewer=staff["wangzhan.shenhe"],
                text=(
                    "居民身份证丢失可到县公安局户籍窗口或县政务服务中心公安窗口申请补领，"
                    "携带户口簿，现场采集人像；一般20个工作日内制证，也可选择邮寄送达。"
                    "网上办事大厅“居民身份证补领”事项可以在线预约。"
                ),
                at=_moment(today, 6, 10),
            )
            actions.publish(
                message=idcard, staff=staff["wangzhan.shenhe"], now=_moment(today, 6, 11)
            )
            created += 1
        overdue, new = _submit(
            "demo-letter-3",
            kind=Kind.COMPLAINT,
            title="夜间施工噪音扰民",
            body="县城东区某工地连续一周夜间施工到凌晨，噪音很大，严重影响休息。",
            portal=portal,
            writer=citizen,
            urgency=Urgency.NORMAL,
            now=_moment(today, 16, 11),
        )
        if new:
            actions.dispatch(
                message=overdue,
                staff=dispatcher,
                department_id=_department(place, "env").pk,
                now=_moment(today, 15, 9),
            )
            created += 1
    if progress is not None:
        progress(f"留言 {created} 条")
    return {"created": created, "sweep": actions.sweep()}


def describe(base_url="/"):
    present = set(
        get_user_model()
        .objects.filter(username__in=interaction_usernames())
        .values_list("username", flat=True)
    )
    if not present:
        return []
    base = base_url.rstrip("/")
    known = Message.objects.filter(external_id__in=["demo-error-1", "demo-hotline-1"])
    lines = [
        "",
        f"政民互动：{base}/hudong/ （留言、找错、公开答复）；后台 {base}/admin/interaction/ ；"
        f"Open311：{base}/open311/v2/discovery.json",
    ]
    for message in known.order_by("external_id"):
        lines.append(
            f"  {message.get_kind_display()} {message.number}（{message.get_status_display()}），"
            f"查询码 {DEMO_QUERY_CODE}：{base}/hudong/chaxun/"
        )
    demo = Message.objects.filter(region__code__startswith=geo.DEMO_CODE_PREFIX)
    waiting = demo.filter(status=Status.SUBMITTED).count()
    late = demo.filter(overdue_at__isnull=False, status__in=OPEN_STATUSES).count()
    lines.append(f"  待分办 {waiting} 条，超期 {late} 条；账号（密码同上）：")
    for username, name, _, _, role in STAFF:
        if username in present:
            lines.append(f"  {username} / {DEMO_PASSWORD}  {name}，{role}")
    return lines


def reset():
    """Delete the demo's messages (of the demo regions), its routing rules and accounts."""
    Message.objects.filter(region__code__startswith=geo.DEMO_CODE_PREFIX).delete()
    RoutingRule.objects.filter(department__region__code__startswith=geo.DEMO_CODE_PREFIX).delete()
    get_user_model().objects.filter(
        username__in=interaction_usernames(),
        department__region__code__startswith=geo.DEMO_CODE_PREFIX,
    ).delete()


# -- 公众参与 (yiwang.participation) on the same county portal ------------------------------


def load_participation(*, today=None, progress=None):
    """The demo's consultations, interviews and survey (``participation.demo.load``) on
    松林县's portal, moderated by the demo's administrator."""
    from yiwang.participation import demo as participation_demo

    admin = get_user_model().objects.filter(username="admin", is_superuser=True).first()
    result = participation_demo.load(county_home=_portal(), actor=admin)
    if progress is not None:
        progress(f"新建 {len(result['created'])} 个页面")
    return result


def describe_participation(base_url="/"):
    from yiwang.participation.demo import INDEX_SLUG

    portal = _portal_or_none()
    if portal is None or not portal.get_children().filter(slug=INDEX_SLUG).exists():
        return []
    return [
        "",
        f"公众参与（意见征集、在线访谈、网上调查）：{base_url.rstrip('/')}/{INDEX_SLUG}/",
    ]


def _portal_or_none():
    try:
        return _portal()
    except Exception:
        return None


def reset_participation():
    """The participation pages go with the portal's page tree; the demo's participation
    accounts are removed here."""
    from yiwang.participation.demo import PARTICIPANTS

    get_user_model().objects.filter(
        username__in=[username for username, _ in PARTICIPANTS], department__isnull=True
    ).delete()
