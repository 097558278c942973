"""Shared setup of the 公众参与 tests: the county portal 松林县 (from the shared
``site_group``) with a 公众参与 column, pages built as an editor publishes them, citizens,
an editor of the county (who may moderate its pages) and one of the other county (who may
not)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from yiwang.hall.tests.factories import make_citizen, make_department, make_staff
from yiwang.participation.models import (
    ConsultationArticle,
    ConsultationPage,
    InterviewGuest,
    InterviewPage,
    ParticipationIndexPage,
    SurveyPage,
    SurveyQuestion,
)

HOST = "songlin.localhost"
OTHER_HOST = "linxi.localhost"

ARTICLES = (
    ("第一条", "目的", "为了规范城区养犬行为，制定本办法。"),
    ("第二条", "范围", "本办法适用于本县城区。"),
    ("第三条", "登记", "养犬人应当在三十日内办理登记。"),
)


def publish(parent, page):
    parent.add_child(instance=page)
    page.save_revision().publish()
    page.refresh_from_db()
    return page


def days(n):
    return timezone.now() + timedelta(days=n)


@pytest.fixture
def county_home(site_group):
    return site_group["county_a"].root_page.specific


@pytest.fixture
def column(county_home):
    return publish(county_home, ParticipationIndexPage(title="公众参与", slug="gzcy"))


def make_consultation(column, *, slug="yangquan", opens=-1, closes=10, feedback=""):
    return publish(
        column,
        ConsultationPage(
            title=f"关于征求《养犬管理办法》意见的公告（{slug}）",
            slug=slug,
            opens_at=days(opens),
            closes_at=days(closes),
            summary="县司法局起草了养犬管理办法。",
            feedback_report=feedback,
            articles=[
                ConsultationArticle(number=number, heading=heading, text=text)
                for number, heading, text in ARTICLES
            ],
        ),
    )


def make_interview(column, *, slug="fangtan", starts_in_minutes=-10, minutes=90):
    starts = timezone.now() + timedelta(minutes=starts_in_minutes)
    return publish(
        column,
        InterviewPage(
            title=f"县教育局在线访谈（{slug}）",
            slug=slug,
            starts_at=starts,
            ends_at=starts + timedelta(minutes=minutes),
            host="李婷",
            recap="<p>访谈综述：嘉宾介绍了招生政策。</p>",
            guests=[
                InterviewGuest(name="王建国", position="县教育局局长"),
                InterviewGuest(name="刘敏", position="基础教育股股长"),
            ],
        ),
    )


def make_survey(column, *, slug="diaocha", opens=-1, closes=10, results_while_open=False):
    return publish(
        column,
        SurveyPage(
            title=f"政务服务满意度调查（{slug}）",
            slug=slug,
            opens_at=days(opens),
            closes_at=days(closes),
            results_while_open=results_while_open,
            questions=[
                SurveyQuestion(
                    text="您主要通过哪种方式办事？",
                    kind="single",
                    options="网上办理\n窗口办理\n自助终端",
                ),
                SurveyQuestion(
                    text="您对哪些方面满意？",
                    kind="multiple",
                    options="效率\n态度\n环境\n预约",
                    max_choices=2,
                ),
                SurveyQuestion(text="您还有什么建议？", kind="text", required=False),
            ],
        ),
    )


@pytest.fixture
def consultation(column):
    return make_consultation(column)


@pytest.fixture
def interview(column):
    return make_interview(column)


@pytest.fixture
def survey(column):
    return make_survey(column)


@pytest.fixture
def citizen(db):
    return make_citizen(display_name="张三")


@pytest.fixture
def other_citizen(db):
    return make_citizen(display_name="欧阳修")


@pytest.fixture
def editor(site_group, regions):
    """An editor of 松林县's portal: may edit, hence moderate, its pages."""
    from yiwang.portal.editorial import Role, grant

    staff = make_staff(make_department(regions["county_a"], "松林县司法局"), display_name="编辑甲")
    grant(staff, site_group["county_a"], Role.EDITOR)
    return staff


@pytest.fixture
def outsider(site_group, regions):
    """An editor of 临溪县's portal: has the back office, not 松林县's pages."""
    from yiwang.portal.editorial import Role, grant

    staff = make_staff(make_department(regions["county_b"], "临溪县司法局"), display_name="编辑乙")
    grant(staff, site_group["county_b"], Role.EDITOR)
    return staff


def audit_actions(prefix="participation."):
    from yiwang.core.models import AuditEvent

    return list(
        AuditEvent.objects.filter(action__startswith=prefix)
        .order_by("sequence")
        .values_list("action", flat=True)
    )
