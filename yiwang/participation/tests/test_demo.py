"""The demo hook: what it creates on a county portal, and that a second run creates
nothing new."""

import io

import pytest
from django.contrib.auth import get_user_model

from yiwang.participation import demo
from yiwang.participation.constants import Adoption, ModerationStatus
from yiwang.participation.models import (
    ConsultationComment,
    ConsultationPage,
    InterviewAnswer,
    InterviewPage,
    InterviewQuestion,
    SurveyAnswer,
    SurveyPage,
    SurveyResponse,
)

from .conftest import HOST

pytestmark = pytest.mark.django_db

MODELS = (
    ConsultationPage,
    ConsultationComment,
    InterviewPage,
    InterviewQuestion,
    InterviewAnswer,
    SurveyPage,
    SurveyResponse,
    SurveyAnswer,
)


def counts():
    return {model.__name__: model.objects.count() for model in MODELS}


def test_load_creates_the_showcase_once(client, county_home):
    get_user_model().objects.create_superuser(username="admin", password="x-Demo-2026")
    out = io.StringIO()
    first = demo.load(county_home=county_home, stdout=out)
    assert first["created"] == [
        "gzcy",
        "yangquan",
        "lajifenlei",
        "jiaoyu-fangtan",
        "yingshang-fangtan",
        "manyidu-diaocha",
    ]
    assert "公众参与：已创建" in out.getvalue()
    made = counts()
    assert made["ConsultationPage"] == 2 and made["InterviewPage"] == 2
    assert made["SurveyPage"] == 1 and made["SurveyResponse"] == 6

    open_one = ConsultationPage.objects.get(slug="yangquan")
    assert open_one.articles.count() == 5 and open_one.phase() == "open"
    statuses = set(open_one.comments.values_list("status", flat=True))
    assert statuses == set(ModerationStatus.values)
    closed = ConsultationPage.objects.get(slug="lajifenlei")
    assert closed.feedback_published()
    assert set(closed.comments.exclude(adoption="").values_list("adoption", flat=True)) == set(
        Adoption.values
    )
    finished = InterviewPage.objects.get(slug="jiaoyu-fangtan")
    assert finished.phase() == "closed"
    assert InterviewAnswer.objects.filter(question__page=finished).count() == 4
    assert InterviewPage.objects.get(slug="yingshang-fangtan").phase() == "upcoming"

    for page in (open_one, closed, finished, SurveyPage.objects.get()):
        assert client.get(page.url, HTTP_HOST=HOST).status_code == 200

    again = demo.load(county_home=county_home, stdout=io.StringIO())
    assert again == {"index": first["index"], "created": []}
    assert counts() == made
