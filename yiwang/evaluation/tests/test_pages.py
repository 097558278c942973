"""The public pages over HTTP: rating a case (who gets what, a double POST, errors kept),
confirming a rectification, the rating prompt tag, the published figures and comments, and
the device at the window."""

import pytest
from django.template import Context, Template
from django.test import RequestFactory

from yiwang.accounts.tests.otp_helpers import login_with_second_factor
from yiwang.evaluation import actions, figures
from yiwang.evaluation.constants import RectificationState
from yiwang.evaluation.models import Rating, RatingDevice
from yiwang.hall.tests.casekit import verified_citizen

from .conftest import GOOD, ON_SITE, indicators

pytestmark = pytest.mark.django_db
HOST = "songlin.localhost"


def rating_post(level=5, values=None, **extra):
    values = values or GOOD
    data = {"level": str(level), **{f"indicator_{k}": str(v) for k, v in values.items()}}
    data.update(extra)
    return data


@pytest.fixture
def done(eworld, site_group):
    return eworld.completed_case()


def test_anonymous_is_sent_to_log_in(client, done):
    response = client.get(f"/pingjia/cases/{done.number}/", HTTP_HOST=HOST)
    assert response.status_code == 302 and "sso" in response["Location"]


def test_others_get_the_same_404_as_for_a_missing_number(client, eworld, done):
    for user in (verified_citizen(name="李四"), eworld.acceptor):
        if user.is_staff:
            login_with_second_factor(client, user)
        else:
            client.force_login(user)
        for number in (done.number, "NOPE123"):
            response = client.get(f"/pingjia/cases/{number}/", HTTP_HOST=HOST)
            assert response.status_code == 404
            response = client.post(f"/pingjia/cases/{number}/", rating_post(), HTTP_HOST=HOST)
            assert response.status_code == 404
    assert not Rating.objects.exists()


def test_the_applicant_rates_once_even_posting_twice(client, eworld, done):
    client.force_login(eworld.citizen)
    page = client.get(f"/pingjia/cases/{done.number}/", HTTP_HOST=HOST)
    assert page.status_code == 200
    html = page.content.decode()
    assert "<legend>总体评价" in html and "平台易用性" in html and "提交评价" in html
    data = rating_post(4, comment="窗口很热情", publish_comment="on")
    first = client.post(f"/pingjia/cases/{done.number}/", data, HTTP_HOST=HOST)
    second = client.post(f"/pingjia/cases/{done.number}/", rating_post(1), HTTP_HOST=HOST)
    assert first.status_code == 302 and second.status_code == 302
    rating = Rating.objects.get()
    assert rating.level == 4 and rating.publish_comment and rating.comment == "窗口很热情"
    page = client.get(f"/pingjia/cases/{done.number}/", HTTP_HOST=HOST, follow=True)
    html = page.content.decode()
    assert "您的评价" in html and "满意" in html and "提交评价" not in html


def test_a_bad_form_keeps_what_was_entered_and_saves_nothing(client, eworld, done):
    client.force_login(eworld.citizen)
    data = rating_post(2, comment="材料要求不清楚")
    del data["indicator_convenience"]
    response = client.post(f"/pingjia/cases/{done.number}/", data, HTTP_HOST=HOST)
    assert response.status_code == 400
    html = response.content.decode()
    assert "请为“办事便捷程度”评分。" in html and "材料要求不清楚" in html
    assert not Rating.objects.exists()


def test_an_open_case_cannot_be_rated_yet(client, eworld, site_group):
    case = eworld.submitted_case()
    client.force_login(eworld.citizen)
    page = client.get(f"/pingjia/cases/{case.number}/", HTTP_HOST=HOST)
    assert page.status_code == 200 and "办件办结后即可评价" in page.content.decode()
    response = client.post(f"/pingjia/cases/{case.number}/", rating_post(), HTTP_HOST=HOST)
    assert response.status_code == 302
    assert not Rating.objects.exists()


def test_the_applicant_confirms_the_rectification_online(client, eworld, done):
    rating = actions.rate_case(case=done, user=eworld.citizen, level=1, indicators=indicators(1))
    rectification = rating.rectification
    actions.record_follow_up(
        rectification=rectification,
        staff=eworld.manager,
        contacted_at=rating.rated_at,
        method="phone",
        contact_person="王科长",
        applicant_said="等了很久",
    )
    actions.record_outcome(
        rectification=rectification, staff=eworld.manager, kind="explained", text="系统故障已修复"
    )
    client.force_login(eworld.citizen)
    html = client.get(f"/pingjia/cases/{done.number}/", HTTP_HOST=HOST).content.decode()
    assert "系统故障已修复" in html and "提交确认" in html
    bad = client.post(f"/pingjia/cases/{done.number}/confirm/", {"satisfied": "no"}, HTTP_HOST=HOST)
    assert bad.status_code == 400 and "请说明不满意的原因。" in bad.content.decode()
    ok = client.post(f"/pingjia/cases/{done.number}/confirm/", {"satisfied": "yes"}, HTTP_HOST=HOST)
    assert ok.status_code == 302
    rectification.refresh_from_db()
    assert rectification.state == RectificationState.CLOSED
    assert rectification.closed_how == "applicant_online"


def test_rating_prompt_tag(eworld, done):
    template = Template("{% load evaluation_tags %}{% rating_prompt case user %}")
    request = RequestFactory().get("/")
    request.session = {}

    def render(user, case=done):
        request.user = user
        return template.render(Context({"case": case, "user": user, "request": request}))

    assert "评价本次服务" in render(eworld.citizen)
    assert f"/pingjia/cases/{done.number}/" in render(eworld.citizen)
    assert render(verified_citizen(name="李四")).strip() == ""
    assert render(eworld.citizen, eworld.submitted_case()).strip() == ""
    actions.rate_case(case=done, user=eworld.citizen, level=4, indicators=GOOD)
    assert "您已评价：满意" in render(eworld.citizen)


def test_public_figures_and_published_comments_per_portal(client, eworld, done, admin_user):
    from datetime import timedelta

    from django.utils import timezone

    good = actions.rate_case(
        case=done,
        user=eworld.citizen,
        level=5,
        indicators=GOOD,
        comment="很好",
        publish_comment=True,
    )
    hidden = actions.rate_case(
        case=eworld.completed_case(), user=eworld.citizen, level=4, indicators=GOOD,
        comment="不公开的意见",
    )  # fmt: skip
    bad = actions.rate_case(
        case=eworld.completed_case(), user=eworld.citizen, level=1, indicators=indicators(1),
        comment="恶意内容", publish_comment=True,
    )  # fmt: skip
    appeal = actions.file_appeal(rating=bad, staff=eworld.manager, kind="malicious", reason="辱骂")
    actions.review_appeal(appeal=appeal, reviewer=eworld.reviewer_city, upheld=True, note="成立")
    # The page reads only the published table: nothing before the daily job ran.
    html = client.get("/pingjia/", HTTP_HOST=HOST).content.decode()
    assert "暂无评价数据" in html
    assert figures.publish(today=timezone.localdate() + timedelta(days=1)) == 1
    html = client.get("/pingjia/", HTTP_HOST=HOST).content.decode()
    assert eworld.lead.name in html
    assert "100.0%" in html  # two counted ratings, both 4–5
    assert "很好" in html and "张*" in html and "张三" not in html
    assert "不公开的意见" not in html and "恶意内容" not in html
    # Another county's portal shows nothing of 松林县.
    other = client.get("/pingjia/", HTTP_HOST="linxi.localhost").content.decode()
    assert eworld.lead.name not in other and "很好" not in other
    # The province's portal covers everything below it.
    province = client.get("/pingjia/", HTTP_HOST="sheng.localhost").content.decode()
    assert eworld.lead.name in province and "很好" in province
    assert good.pk and hidden.pk


def test_the_device_flow(client, eworld, done):
    from yiwang.core.models import AuditEvent

    device = actions.register_device(
        department=eworld.lead, name="一号评价器", window="A01", staff=eworld.manager
    )
    url = f"/pingjia/device/{device.key}/"
    waiting = client.get(url)
    html = waiting.content.decode()
    assert waiting.status_code == 200 and "欢迎办事" in html and 'http-equiv="refresh"' in html
    assert client.get("/pingjia/device/wrong-key/").status_code == 404
    invitation = actions.invite(device=device, staff=eworld.acceptor, case_number=done.number)
    page = client.get(url).content.decode()
    assert "请您对本次服务作出评价" in page and "服务态度" in page and "http-equiv" not in page
    data = rating_post(5, ON_SITE, invitation=str(invitation.pk))
    response = client.post(url, data)
    assert response.status_code == 302 and response["Location"].endswith("?thanks=1")
    rating = Rating.objects.get()
    assert rating.channel == "on_site" and rating.staff == eworld.acceptor
    assert rating.department == eworld.lead and rating.case == done and rating.device == device
    assert rating.indicators == ON_SITE
    # One rating per invitation: posting again changes nothing.
    again = client.post(url, data)
    assert again.status_code == 200 and "本次评价已结束" in again.content.decode()
    assert Rating.objects.count() == 1
    assert AuditEvent.objects.filter(action="evaluation.rated_on_site").count() == 1
    # Back to waiting.
    assert "欢迎办事" in client.get(url).content.decode()


def test_an_invitation_expires_and_a_new_one_replaces_the_old(client, eworld, done, monkeypatch):
    from datetime import timedelta

    from django.utils import timezone

    device = actions.register_device(department=eworld.lead, name="评价器", staff=eworld.manager)
    first = actions.invite(device=device, staff=eworld.acceptor)
    second = actions.invite(device=device, staff=eworld.acceptor)
    first.refresh_from_db()
    assert first.state == "cancelled" and second.state == "waiting"
    with pytest.raises(actions.StateError):
        actions.rate_on_site(device=device, invitation_id=first.pk, level=5, indicators=ON_SITE)
    later = timezone.now() + timedelta(minutes=11)
    monkeypatch.setattr(timezone, "now", lambda: later)
    with pytest.raises(actions.StateError):
        actions.rate_on_site(device=device, invitation_id=second.pk, level=5, indicators=ON_SITE)
    assert "欢迎办事" in client.get(f"/pingjia/device/{device.key}/").content.decode()
    assert not Rating.objects.exists()


def test_a_bad_on_site_rating_opens_a_rectification_and_a_disabled_device_is_gone(
    client, eworld, done
):
    device = actions.register_device(department=eworld.lead, name="评价器", staff=eworld.manager)
    invitation = actions.invite(device=device, staff=eworld.acceptor)
    rating = actions.rate_on_site(
        device=device, invitation_id=invitation.pk, level=2, indicators=ON_SITE
    )
    assert rating.rectification.department == eworld.lead and not rating.real_name
    with pytest.raises(actions.ValidationError):
        actions.invite(device=device, staff=eworld.acceptor, case_number="不存在")
    with pytest.raises(actions.PermissionDenied):
        actions.invite(device=device, staff=eworld.other_acceptor)
    actions.set_device_active(device=device, staff=eworld.manager, active=False)
    assert client.get(f"/pingjia/device/{device.key}/").status_code == 404
    assert RatingDevice.objects.get().active is False


def test_hall_case_page_shows_the_rating_prompt(client, eworld, done):
    client.force_login(eworld.citizen)
    page = client.get(f"/banshi/cases/{done.number}/", HTTP_HOST=HOST)
    assert page.status_code == 200
    assert f'href="/pingjia/cases/{done.number}/"' in page.content.decode()
    actions.rate_case(case=done, user=eworld.citizen, level=5, indicators=GOOD)
    assert (
        "您已评价：非常满意"
        in client.get(f"/banshi/cases/{done.number}/", HTTP_HOST=HOST).content.decode()
    )
