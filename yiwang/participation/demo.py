"""The demo's 公众参与 on one county portal: a column 公众参与 (slug ``gzcy``) under the
portal's home page holding

- an open consultation (《松林县城区养犬管理办法（征求意见稿）》, five articles, comments
  published, pending and rejected),
- a closed consultation with its feedback report and every published comment's outcome,
- a finished interview with its transcript, and an upcoming one with a question waiting,
- an open survey (single, multiple and free questions) with a few responses, its results
  public while it runs.

Pages are created and published as an editor would; what the public sends, moderation,
outcomes and answers go through ``yiwang.participation.actions`` (so they are audited),
dated inside each page's window (the actions' ``now``). The demo's citizens ``zhangsan``
and ``lisi`` write when they exist; six participation accounts (``canyu.demo1``…, no
password: they cannot log in) make up the rest.

``load`` is idempotent: a page already under the column (by slug) is left as it is, with
its rows, so a second run creates nothing.
"""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from yiwang.orgs.models import Department

from . import actions
from .constants import Adoption
from .models import (
    ConsultationArticle,
    ConsultationPage,
    InterviewGuest,
    InterviewPage,
    ParticipationIndexPage,
    SurveyPage,
    SurveyQuestion,
)

INDEX_SLUG = "gzcy"
DEMO_CITIZENS = ("zhangsan", "lisi")
PARTICIPANTS = (
    ("canyu.demo1", "王芳"),
    ("canyu.demo2", "赵磊"),
    ("canyu.demo3", "陈静"),
    ("canyu.demo4", "刘洋"),
    ("canyu.demo5", "孙丽"),
    ("canyu.demo6", "周强"),
)


def load(*, county_home, stdout=None, actor=None, now=None):
    """Create the demo's consultations, interviews and survey under ``county_home`` (a
    county's ``PortalHomePage``). ``actor`` moderates and answers (default: the first
    active superuser; one must exist). ``stdout`` (anything with ``write``) gets one line
    per page created. Returns ``{"index": page id, "created": [slugs created]}``."""
    now = now or timezone.now()
    actor = actor or _superuser()
    say = stdout.write if stdout is not None else (lambda _line: None)
    created = []
    with transaction.atomic():
        index = _index(county_home, created, say)
        people = _people()
        department = _department(county_home, "司法局") or _department(county_home, "")
        builders = (
            ("yangquan", _open_consultation),
            ("lajifenlei", _closed_consultation),
            ("jiaoyu-fangtan", _finished_interview),
            ("yingshang-fangtan", _upcoming_interview),
            ("manyidu-diaocha", _open_survey),
        )
        for slug, build in builders:
            if index.get_children().filter(slug=slug).exists():
                continue
            page = build(index, slug=slug, now=now, people=people, actor=actor, dept=department)
            created.append(slug)
            say(f"公众参与：已创建“{page.title}”（{page.url}）\n")
    return {"index": index.pk, "created": created}


# --- helpers ---------------------------------------------------------------------------------


def _superuser():
    user = get_user_model().objects.filter(is_superuser=True, is_active=True).order_by("pk")
    user = user.first()
    if user is None:
        raise ValueError("公众参与演示数据需要一个系统管理员账号（用于审核和录入回答）。")
    return user


def _people():
    from yiwang.accounts.models import UserKind

    User = get_user_model()
    people = list(User.objects.filter(username__in=DEMO_CITIZENS).order_by("username"))
    for username, name in PARTICIPANTS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User.objects.create_user(
                username=username, kind=UserKind.NATURAL, display_name=name
            )
        people.append(user)
    return people


def _department(home, keyword):
    if getattr(home, "region_id", None) is None:
        return None
    departments = Department.objects.filter(region_id=home.region_id)
    if keyword:
        departments = departments.filter(name__contains=keyword)
    return departments.order_by("pk").first()


def _index(home, created, say):
    index = ParticipationIndexPage.objects.child_of(home).filter(slug=INDEX_SLUG).first()
    if index is not None:
        return index
    index = ParticipationIndexPage(
        title="公众参与",
        slug=INDEX_SLUG,
        intro="意见征集、在线访谈和网上调查：欢迎就本县政策和公共事务建言献策。",
    )
    home.add_child(instance=index)
    index.save_revision().publish()
    created.append(INDEX_SLUG)
    say(f"公众参与：已创建栏目“{index.title}”（{index.url}）\n")
    return index


def _publish(parent, page):
    parent.add_child(instance=page)
    page.save_revision().publish()
    page.refresh_from_db()
    return page


def _comment(page, person, text, *, article=None, anonymous=False, at):
    return actions.submit_comment(
        page=page, user=person, text=text, article=article, anonymous=anonymous, now=at
    )


# --- 意见征集 --------------------------------------------------------------------------------

DOG_ARTICLES = (
    (
        "第一条",
        "目的和依据",
        "为了规范城区养犬行为，保障公民人身安全和健康，维护市容环境和社会公共秩序，根据"
        "《中华人民共和国动物防疫法》等法律法规，结合本县实际，制定本办法。",
    ),
    ("第二条", "适用范围", "本办法适用于本县城区范围内的养犬及相关管理活动。"),
    (
        "第三条",
        "养犬登记",
        "个人饲养犬只的，应当自取得犬只之日起三十日内，持犬只免疫证明到县公安机关办理养犬"
        "登记，领取犬牌。",
    ),
    (
        "第四条",
        "文明养犬",
        "携犬出户时，应当为犬只束犬链，由成年人牵领，主动避让行人；犬只在户外排泄的粪便，"
        "应当立即清除。",
    ),
    (
        "第五条",
        "重点管理区域",
        "城区重点管理区域内，禁止个人饲养烈性犬、大型犬。具体犬只品种目录由县公安机关会同县"
        "农业农村局制定并公布。",
    ),
)


def _open_consultation(index, *, slug, now, people, actor, dept):
    page = _publish(
        index,
        ConsultationPage(
            title="关于公开征求《松林县城区养犬管理办法（征求意见稿）》意见的公告",
            slug=slug,
            summary="为规范城区养犬行为，县司法局起草了《松林县城区养犬管理办法（征求意见稿）》，"
            "现向社会公开征求意见。",
            opens_at=now - timedelta(days=5),
            closes_at=now + timedelta(days=25),
            department=dept,
            contact="联系电话：0000-1234567；电子邮箱：sfj@songlin.example.cn",
            preamble="<p>近年来，城区养犬数量快速增长，犬只扰民、伤人等问题时有发生。为此，"
            "县司法局会同县公安局起草了本办法。欢迎社会各界提出意见和建议。</p>",
            articles=[
                ConsultationArticle(number=number, heading=heading, text=text)
                for number, heading, text in DOG_ARTICLES
            ],
        ),
    )
    articles = list(page.articles.all())
    at = now - timedelta(days=4)
    zhang, li, wang, zhao, chen, *_ = people + people
    approved = [
        _comment(
            page,
            zhang,
            "建议将登记期限由三十日延长至六十日，并开通网上办理，方便上班族。",
            article=articles[2],
            at=at,
        ),
        _comment(
            page,
            li,
            "建议在小区、公园设置犬只粪便收集箱，并配备清理工具。",
            article=articles[3],
            at=at + timedelta(hours=3),
        ),
        _comment(
            page,
            wang,
            "建议同时明确流浪犬收容和处置的责任部门，以及经费保障。",
            at=at + timedelta(days=1),
        ),
    ]
    for comment in approved:
        actions.moderate_comment(comment=comment, actor=actor, decision=actions.APPROVE)
    _comment(
        page,
        zhao,
        "“大型犬”的标准应当明确，例如按肩高或者体重界定，便于群众理解和执行。",
        article=articles[4],
        anonymous=True,
        at=at + timedelta(days=2),
    )
    rejected = _comment(page, chen, "专业宠物美容，欢迎来电咨询！", at=at + timedelta(days=2))
    actions.moderate_comment(
        comment=rejected, actor=actor, decision=actions.REJECT, reason="与征求意见稿内容无关。"
    )
    return page


WASTE_ARTICLES = (
    (
        "第一条",
        "工作目标",
        "到2026年底，全县行政村生活垃圾分类覆盖率达到90%以上，资源化利用率达到60%以上。",
    ),
    (
        "第二条",
        "分类标准",
        "农村生活垃圾分为可回收物、有害垃圾、易腐垃圾和其他垃圾四类，各村可结合实际细化。",
    ),
    ("第三条", "收运体系", "建立“户分类、村收集、镇转运、县处理”的收运体系，易腐垃圾就地处理。"),
    ("第四条", "保障措施", "县财政按行政村常住人口给予分类设施和运行经费补助，纳入年度预算。"),
)


def _closed_consultation(index, *, slug, now, people, actor, dept):
    opens = now - timedelta(days=75)
    closes = now - timedelta(days=45)
    page = _publish(
        index,
        ConsultationPage(
            title="关于公开征求《松林县农村生活垃圾分类管理实施方案（征求意见稿）》意见的公告",
            slug=slug,
            summary="县农业农村局起草了农村生活垃圾分类管理实施方案，向社会公开征求意见。",
            opens_at=opens,
            closes_at=closes,
            department=_department(index.get_parent().specific, "农业") or dept,
            contact="联系电话：0000-7654321",
            articles=[
                ConsultationArticle(number=number, heading=heading, text=text)
                for number, heading, text in WASTE_ARTICLES
            ],
            feedback_report=(
                "<p>征求意见期间，共收到社会公众意见 4 条，经审核公开 3 条。县农业农村局对每条"
                "意见逐一研究：采纳 1 条，部分采纳 1 条，未采纳 1 条。</p>"
                "<p>采纳的意见已体现在方案第三条中：增加“每周至少两次上门收集”的要求。未采纳的"
                "意见，理由见各条意见下的说明。修改后的方案已经县政府常务会议审议通过，"
                "即将印发实施。</p>"
            ),
        ),
    )
    articles = list(page.articles.all())
    at = opens + timedelta(days=2)
    zhang, li, wang, zhao, *_ = people + people
    outcomes = (
        (
            zhang,
            articles[2],
            "建议明确上门收集的频次，山区村至少每周两次。",
            Adoption.ADOPTED,
            "",
        ),
        (
            li,
            articles[0],
            "90%的覆盖率目标偏高，建议分年度设定目标。",
            Adoption.PARTLY,
            "年度目标已在配套的工作计划中分解，方案保留总体目标。",
        ),
        (
            wang,
            articles[3],
            "建议对分类做得好的农户给予现金奖励。",
            Adoption.NOT_ADOPTED,
            "现金奖励缺乏资金来源，方案采用积分兑换生活用品的方式进行激励。",
        ),
    )
    for offset, (person, article, text, outcome, reason) in enumerate(outcomes):
        comment = _comment(page, person, text, article=article, at=at + timedelta(days=offset))
        actions.moderate_comment(comment=comment, actor=actor, decision=actions.APPROVE)
        actions.record_adoption(comment=comment, actor=actor, outcome=outcome, reason=reason)
    rejected = _comment(page, zhao, "我们村垃圾桶坏了没人修。", at=at + timedelta(days=5))
    actions.moderate_comment(
        comment=rejected,
        actor=actor,
        decision=actions.REJECT,
        reason="属于具体诉求，已转县长信箱办理。",
    )
    return page


# --- 在线访谈 --------------------------------------------------------------------------------

EDUCATION_QA = (
    (
        "今年城区小学一年级招生什么时候报名？需要准备哪些材料？",
        0,
        "今年城区小学网上报名安排在7月1日至7月10日。需要准备户口簿、房产证明或居住证，"
        "以及适龄儿童的出生医学证明，全部可以在网上上传，不用跑窗口。",
    ),
    (
        "随迁子女入学有什么政策？",
        1,
        "持有本县居住证的随迁子女，与户籍儿童同等享受就近入学。居住证不满一年的，可以先报名，"
        "由教育局统筹安排学位。",
    ),
    (
        "学区划分什么时候公布？",
        0,
        "学区划分方案将于6月中旬在县政府门户网站和教育局子站同步公布，并设置咨询电话。",
    ),
)


def _finished_interview(index, *, slug, now, people, actor, dept):
    starts = now - timedelta(days=12, hours=2)
    page = _publish(
        index,
        InterviewPage(
            title="聚焦义务教育招生入学：县教育局负责同志做客在线访谈",
            slug=slug,
            summary="县教育局负责同志就今年义务教育招生入学政策回答网友提问。",
            starts_at=starts,
            ends_at=starts + timedelta(hours=1, minutes=30),
            host="县融媒体中心主持人 李婷",
            department=_department(index.get_parent().specific, "教育") or dept,
            intro="<p>本期访谈围绕义务教育招生入学的报名时间、材料、随迁子女入学等热点问题展开。</p>",
            recap="<p>访谈中，嘉宾回答了网友关心的报名时间、所需材料、随迁子女入学和学区划分等"
            "问题，明确今年城区小学全面实行网上报名。</p>",
            guests=[
                InterviewGuest(name="王建国", position="松林县教育局局长"),
                InterviewGuest(name="刘敏", position="松林县教育局基础教育股股长"),
            ],
        ),
    )
    guests = list(page.guests.all())
    before = starts - timedelta(days=2)
    host = actions.post_host_question(
        page=page, actor=actor, text="请介绍一下今年义务教育招生的总体安排。", now=starts
    )
    actions.answer_question(
        question=host,
        actor=actor,
        guest=guests[0],
        text="今年全县义务教育阶段计划招生约四千人，继续坚持免试就近入学，城区学校全面实行"
        "网上报名，乡镇学校由学校统一组织报名。",
        now=starts + timedelta(minutes=5),
    )
    for offset, (text, guest_index, answer) in enumerate(EDUCATION_QA):
        question = actions.ask_question(
            page=page,
            user=people[offset % len(people)],
            text=text,
            anonymous=offset == 2,
            now=before + timedelta(hours=offset),
        )
        actions.answer_question(
            question=question,
            actor=actor,
            guest=guests[guest_index],
            text=answer,
            now=starts + timedelta(minutes=15 * (offset + 1)),
        )
    off_topic = actions.ask_question(
        page=page, user=people[-1], text="县医院挂号太难了！", now=before
    )
    actions.moderate_question(
        question=off_topic,
        actor=actor,
        decision=actions.REJECT,
        reason="与本期访谈主题无关，请通过县长信箱反映。",
    )
    return page


def _upcoming_interview(index, *, slug, now, people, actor, dept):
    starts = (now + timedelta(days=7)).replace(minute=0, second=0, microsecond=0)
    page = _publish(
        index,
        InterviewPage(
            title="优化营商环境　服务企业发展：县政务服务管理局在线访谈预告",
            slug=slug,
            summary="县政务服务管理局负责同志将就“一网通办”和企业开办回答网友提问，欢迎提前留言。",
            starts_at=starts,
            ends_at=starts + timedelta(hours=1),
            host="县融媒体中心主持人 李婷",
            department=_department(index.get_parent().specific, "政务服务") or dept,
            guests=[InterviewGuest(name="陈志远", position="松林县政务服务管理局局长")],
        ),
    )
    actions.ask_question(
        page=page,
        user=people[0],
        text="企业开办能不能做到一天办结？",
        now=now - timedelta(hours=1),
    )
    return page


SURVEY_QUESTIONS = (
    ("您最近一年办理政务服务主要通过哪种方式？", "single", ["网上办理", "窗口办理", "自助终端"]),
    (
        "您对政务服务的哪些方面比较满意？",
        "multiple",
        ["办事效率", "服务态度", "办事指南清楚", "环境设施", "预约便捷"],
    ),
    ("您对本县政务服务的总体评价是？", "single", ["非常满意", "满意", "基本满意", "不满意"]),
    ("您对改进政务服务还有什么建议？", "text", []),
)
SURVEY_ANSWERS = (
    (0, [0, 1], 0, "希望更多事项能在手机上办理。"),
    (1, [1, 3], 1, ""),
    (0, [0], 0, "窗口午休时间希望有人值班。"),
    (2, [0, 2, 4], 1, ""),
    (0, [0, 1, 2], 2, "自助终端的操作说明可以再简单一些。"),
    (1, [1], 1, ""),
)


def _open_survey(index, *, slug, now, people, actor, dept):
    page = _publish(
        index,
        SurveyPage(
            title="松林县政务服务满意度网上调查",
            slug=slug,
            summary="为进一步提升政务服务水平，诚邀您参与本次满意度调查。",
            opens_at=now - timedelta(days=3),
            closes_at=now + timedelta(days=27),
            department=_department(index.get_parent().specific, "政务服务") or dept,
            results_while_open=True,
            intro="<p>本次调查不记录您的姓名和联系方式，结果仅用于改进工作。</p>",
            questions=[
                SurveyQuestion(
                    text=text,
                    kind=kind,
                    required=kind != "text",
                    options="\n".join(options),
                    max_choices=3 if kind == "multiple" else None,
                )
                for text, kind, options in SURVEY_QUESTIONS
            ],
        ),
    )
    questions = list(page.questions.all())
    at = now - timedelta(days=2)
    for person, (way, liked, overall, advice) in zip(people, SURVEY_ANSWERS, strict=False):
        actions.submit_survey(
            page=page,
            user=person,
            answers={
                questions[0].pk: way,
                questions[1].pk: liked,
                questions[2].pk: overall,
                questions[3].pk: advice,
            },
            now=at,
        )
        at += timedelta(hours=5)
    return page
