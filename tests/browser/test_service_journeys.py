"""Three service journeys in Chromium, in Chinese, each page checked with axe-core:

1. 预约服务: a verified citizen books a slot at the county's service centre on /yuyue/ (a
   full slot is not offered, and one taken while she was choosing is refused with a Chinese
   message), sees it in 我的预约, changes it to another slot and cancels it; the counter
   clerk (预约窗口人员) checks a visitor of today in, calls the number, and the hall screen
   shows it.
2. 好差评: the applicant of a completed case rates it 1 star from the case page's prompt;
   the department's 好差评管理员 records a follow-up and the rectification in the back
   office; the applicant confirms and the rectification is closed.
3. 电子监察: after a sweep over an overdue clock the county's 效能监察人员 sees the red case,
   opens it (its timeline included) and sends a 督办 memo; the department head answers it.

The data comes from the apps' own test kits and actions (never the demo loader). Citizens
log in with their password at the identity host, staff with password and TOTP code
(``test_hall_journey``'s helpers, hence its username and password)."""

import re
from datetime import time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.browser.test_hall_journey import PASSWORD, log_in_citizen, log_in_staff

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# ``log_in_citizen`` logs in as this user.
CITIZEN_USERNAME = "zhangsan"


@pytest.fixture
def identity(live_sites, live_server, settings):
    """People log in once at the identity host (a name of the live server no portal uses)."""
    settings.IDENTITY_URL = live_server.url.rstrip("/")
    return live_sites


def can_log_in(user, *, staff=False):
    """Give ``user`` the journeys' password (and staff a confirmed TOTP device)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    if not staff:
        user.username = CITIZEN_USERNAME
    user.set_password(PASSWORD)
    user.save()
    if staff:
        TOTPDevice.objects.create(user=user, name="手机", confirmed=True)
    return user


def open_page(page, url):
    page.goto(url)
    page.wait_for_load_state("networkidle")


def main_text(page):
    return page.locator("main").inner_text()


def submit(page, name):
    page.get_by_role("button", name=name, exact=True).click()
    page.wait_for_load_state("networkidle")


# --- 1. appointments -----------------------------------------------------------------------


def book_for(kit, day, start, count):
    """``count`` other citizens take a place each at ``start`` on ``day`` (at the real
    time: the kit's own clock stands at 2026-09-28)."""
    from yiwang.hall.tests.casekit import verified_citizen

    for n in range(count):
        kit.book(
            user=verified_citizen(name=f"来访者{n}"),
            day=day,
            start=start,
            when=timezone.now(),
        )


def slot(page, start):
    return page.locator(f'input[name="start"][value="{start:%H:%M}"]')


def todays_booking(kit, user):
    """A booking of ``user`` for 9:00 today. Made directly (as the counter tests do): the
    booking rules would refuse it on a weekend, a holiday or after the morning's cutoff,
    and the counter does not care how it was booked."""
    from yiwang.appointments.models import Booking

    today = timezone.localdate()
    counter = kit.a01.slot_counters.create(
        day=today, start=time(9), end=time(9, 30), capacity=2, booked=1
    )
    return Booking.objects.create(
        user=user,
        centre=kit.centre,
        window=kit.a01,
        counter=counter,
        implementation=kit.item,
        day=today,
        start=time(9),
        end=time(9, 30),
        name=user.display_name,
        mobile=user.mobile,
    )


def test_a_citizen_books_changes_and_cancels_and_the_counter_calls_a_visitor(
    identity, regions, new_page, assert_accessible
):
    from yiwang.appointments.constants import BookingStatus
    from yiwang.appointments.models import Booking
    from yiwang.appointments.tests.kit import Kit, next_open_day

    kit = Kit(regions)
    citizen_user = can_log_in(kit.citizen)
    clerk = can_log_in(kit.clerk, staff=True)
    day = next_open_day()
    later_day = next_open_day((day - timezone.localdate()).days + 1)
    # 9:00 is full (2 windows x 2 places); 10:00 has one place left.
    book_for(kit, day, time(9), 4)
    book_for(kit, day, time(10), 3)

    citizen = new_page()
    log_in_citizen(citizen, identity.url("county_a", reverse("appointments:mine")))
    citizen.wait_for_url(re.compile(r"/yuyue/mine/$"))
    assert "您还没有预约" in main_text(citizen)
    assert_accessible(citizen, "my bookings (none yet)")

    # Pick the item, then the centre, then a day.
    open_page(citizen, identity.url("county_a", reverse("appointments:index")))
    assert_accessible(citizen, "the booking page")
    citizen.get_by_label("办理事项", exact=True).select_option(value=kit.item.code)
    submit(citizen, "查询可预约时段")
    citizen.get_by_label("政务服务中心", exact=True).select_option(label=kit.centre.name)
    submit(citizen, "查询可预约时段")
    assert_accessible(citizen, "the centre's days")
    citizen.get_by_role("link", name=f"{day.month}月{day.day}日", exact=True).click()
    citizen.wait_for_load_state("networkidle")
    assert_accessible(citizen, "the day's slots")

    # The full slot cannot be chosen.
    assert slot(citizen, time(9)).is_disabled()
    assert "已约满" in citizen.locator('label[for="slot-09:00"]').inner_text()

    # The last place at 10:00 goes to someone else while she is choosing: refused in Chinese.
    slot(citizen, time(10)).check()
    book_for(kit, day, time(10), 1)
    submit(citizen, "确认预约")
    assert "该时段已约满，请选择其他时段。" in citizen.locator("#problems").inner_text()
    assert slot(citizen, time(10)).is_disabled()
    assert not Booking.objects.filter(user=citizen_user).exists()
    assert_accessible(citizen, "the booking page refusing a full slot")

    # 10:30 is free.
    slot(citizen, time(10, 30)).check()
    submit(citizen, "确认预约")
    citizen.wait_for_url(re.compile(r"/yuyue/mine/$"))
    booking = Booking.objects.get(user=citizen_user)
    assert (booking.day, booking.start) == (day, time(10, 30))
    text = main_text(citizen)
    assert f"预约成功：{day:%Y年%m月%d日} 10:30" in text
    assert booking.reference in text and "已预约" in text
    assert_accessible(citizen, "my bookings after booking")

    # Change it to 14:00 on a later day.
    citizen.get_by_role("link", name=f"改约 {booking.reference}").click()
    citizen.wait_for_load_state("networkidle")
    assert_accessible(citizen, "the change page")
    citizen.get_by_role("link", name=f"{later_day.month}月{later_day.day}日", exact=True).click()
    citizen.wait_for_load_state("networkidle")
    slot(citizen, time(14)).check()
    submit(citizen, "确认改约")
    citizen.wait_for_url(re.compile(r"/yuyue/mine/$"))
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED
    new = booking.replaced_by
    assert (new.day, new.start, new.status) == (later_day, time(14), BookingStatus.BOOKED)
    assert f"已改约至 {later_day:%Y年%m月%d日} 14:00" in main_text(citizen)
    assert_accessible(citizen, "my bookings after the change")

    # Cancel the new one.
    submit(citizen, f"取消预约 {new.reference}")
    assert "预约已取消。" in main_text(citizen)
    new.refresh_from_db()
    assert new.status == BookingStatus.CANCELLED
    assert citizen.get_by_role("link", name=re.compile("^改约")).count() == 0
    assert_accessible(citizen, "my bookings after cancelling")

    # At the counter: today's visitor is checked in and called; the hall screen shows it.
    visitor = todays_booking(kit, kit.other)
    desk = new_page()
    log_in_staff(desk, identity.url("county_a", reverse("appointments_desk:index")), clerk)
    assert visitor.reference in desk.locator("#desk-bookings").inner_text()
    assert_accessible(desk, "the counter desk")
    submit(desk, f"签到取号：{visitor.name}（{visitor.reference}）")
    assert f"{visitor.name} 已签到，排队号 A001（A01 窗口）" in main_text(desk)
    visitor.refresh_from_db()
    assert visitor.status == BookingStatus.CHECKED_IN
    assert_accessible(desk, "the counter desk after check-in")
    submit(desk, "A01 窗口叫下一号")
    assert "A01 窗口叫号：A001。" in main_text(desk)

    screen = new_page()
    open_page(
        screen, identity.url("county_a", reverse("appointments:screen", args=[kit.centre.pk]))
    )
    assert "请 A001 号到 A01 窗口办理" in screen.locator(".screen-latest").inner_text()
    assert_accessible(screen, "the hall screen")


# --- 2. 好差评 -----------------------------------------------------------------------------


def choose(scope, group, option):
    scope.get_by_role("group", name=group).get_by_label(option, exact=True).check()


def test_a_bad_rating_is_followed_up_rectified_and_confirmed(
    identity, regions, new_page, assert_accessible
):
    from yiwang.evaluation.constants import INDICATORS, RatingChannel, RectificationState
    from yiwang.evaluation.models import Rating
    from yiwang.evaluation.tests.conftest import EvaluationWorld

    world = EvaluationWorld(regions)
    case = world.completed_case()
    can_log_in(world.citizen)
    manager = can_log_in(world.manager, staff=True)

    # The applicant opens her completed case and follows the rating prompt.
    citizen = new_page()
    case_url = identity.url("county_a", reverse("hall:case", args=[case.number]))
    log_in_citizen(citizen, case_url)
    citizen.wait_for_url(re.compile(re.escape(reverse("hall:case", args=[case.number]))))
    citizen.wait_for_load_state("networkidle")
    citizen.get_by_role("link", name="评价本次服务").click()
    citizen.wait_for_load_state("networkidle")
    assert_accessible(citizen, "the rating form")

    # Submitting nothing shows the errors in Chinese.
    submit(citizen, "提交评价")
    assert "请选择总体评价。" in main_text(citizen)
    assert_accessible(citizen, "the rating form with errors")

    form = citizen.locator("form.eval-form")
    choose(form, "总体评价", "1 分 非常不满意")
    for _code, label in INDICATORS[RatingChannel.ONLINE]:
        choose(form, label, "1 分 非常不满意")
    form.get_by_label("评价内容（选填）").fill("窗口让我跑了三次，材料清单和指南不一致。")
    submit(citizen, "提交评价")
    rating = Rating.objects.get(case=case)
    rectification = rating.rectification
    assert (rating.level, rectification.state) == (1, RectificationState.OPEN)
    text = main_text(citizen)
    assert "感谢您的评价。我们将在" in text and "前回访并整改" in text
    assert "待回访" in text
    assert_accessible(citizen, "the rating's confirmation")

    # The department's 好差评管理员 finds the rectification among those owed.
    staff = new_page()
    log_in_staff(staff, identity.url("county_a", "/admin/evaluation/"), manager)
    staff.wait_for_url(re.compile(r"/admin/evaluation/rectifications/"))
    assert_accessible(staff, "the rectifications owed")
    staff.locator("#eval-rectifications").get_by_role(
        "link", name=str(rectification.pk), exact=True
    ).click()
    staff.wait_for_load_state("networkidle")
    assert "窗口让我跑了三次" in main_text(staff)
    assert_accessible(staff, "the rectification")

    follow_up = staff.locator("form").filter(
        has=staff.get_by_role("button", name="登记回访", exact=True)
    )
    follow_up.get_by_label("回访方式").select_option(label="电话回访")
    follow_up.get_by_label("回访人").fill("王科长")
    follow_up.get_by_label("申请人反映的情况").fill("窗口一次性告知不到位，申请人多跑了两次。")
    submit(staff, "登记回访")
    assert "已登记回访。" in main_text(staff)
    rectification.refresh_from_db()
    assert rectification.state == RectificationState.FOLLOWED_UP
    assert "王科长" in main_text(staff)
    assert_accessible(staff, "the rectification after the follow-up")

    outcome = staff.locator("form").filter(
        has=staff.get_by_role("button", name="登记整改结果", exact=True)
    )
    choose(outcome, "处理结果", "已整改")
    outcome.get_by_label("整改情况或情况说明").fill("已统一材料清单，窗口人员重新培训。")
    submit(staff, "登记整改结果")
    assert "已登记整改结果，已通知申请人确认。" in main_text(staff)
    rectification.refresh_from_db()
    assert rectification.state == RectificationState.RECTIFIED
    assert_accessible(staff, "the rectified rectification")

    # The applicant sees the rectification and confirms it.
    open_page(citizen, identity.url("county_a", reverse("evaluation:case", args=[case.number])))
    text = main_text(citizen)
    assert "已整改，待申请人确认" in text and "已统一材料清单" in text
    assert_accessible(citizen, "the rectification awaiting the applicant")
    choose(citizen.locator("main form"), "您对整改结果是否满意", "满意，同意办结")
    submit(citizen, "提交确认")
    text = main_text(citizen)
    assert "感谢您的确认，本次差评整改已办结。" in text
    assert "已办结" in text
    rectification.refresh_from_db()
    assert (rectification.state, rectification.closed_how) == (
        RectificationState.CLOSED,
        "applicant_online",
    )
    assert_accessible(citizen, "the closed rectification")


# --- 3. supervision ------------------------------------------------------------------------


def test_a_supervisor_sends_a_memo_on_a_red_case_and_the_head_answers(
    identity, regions, new_page, assert_accessible
):
    from yiwang.hall.tests.casekit import World, make_submitted, verified_citizen
    from yiwang.supervision.constants import MemoStatus
    from yiwang.supervision.models import SupervisionMemo, WatchedClock
    from yiwang.supervision.sweep import sweep
    from yiwang.supervision.tests.kit import (
        case_clock,
        department_head,
        make_department,
        regional_supervisor,
    )

    world = World(regions)
    case, _ = make_submitted(world.implementation(), verified_citizen(name="王五"))
    # Its promised time limit (5 working days) started a month ago: red at the next sweep.
    case_clock(case, timezone.localdate() - timedelta(days=30), 5)
    sweep()
    assert WatchedClock.objects.filter(case=case, level=2).exists()
    office = make_department(regions["county_a"], "松林县政务服务管理局")
    supervisor = can_log_in(regional_supervisor(office), staff=True)
    head = can_log_in(department_head(world.lead), staff=True)

    # The county's supervisor sees the red card on the overview and drills down.
    page = new_page()
    log_in_staff(page, identity.url("county_a", reverse("supervision:index")), supervisor)
    assert_accessible(page, "the supervision overview")
    page.locator(".sv-red").get_by_role("link", name="1", exact=True).click()
    page.wait_for_load_state("networkidle")
    assert "红牌（超期）" in page.locator("#sv-warnings").inner_text()
    assert_accessible(page, "the red warnings")
    page.locator("#sv-warnings").get_by_role("link", name=case.number).click()
    page.wait_for_load_state("networkidle")
    text = main_text(page)
    assert "办理过程" in text and "红牌" in text
    assert page.locator("section[aria-labelledby=sv-timeline] li").count() >= 1
    assert "没有记录" not in page.locator("section[aria-labelledby=sv-timeline]").inner_text()
    assert_accessible(page, "the supervised case")

    # A memo without text is refused in Chinese; then sent.
    submit(page, "发出督办")
    assert "请填写督办事项。" in main_text(page)
    assert_accessible(page, "the memo form with errors")
    page.get_by_label("被督办部门").select_option(label=world.lead.name)
    page.get_by_label("督办事项").fill("该办件已超过承诺时限，请说明原因并于期限内办结。")
    submit(page, "发出督办")
    memo = SupervisionMemo.objects.get(case=case)
    assert f"已向{world.lead.name}发出督办，答复期限 {memo.answer_due:%Y-%m-%d}" in main_text(page)
    assert_accessible(page, "the case after the memo")

    # The department head finds it among the memos waiting for an answer and answers.
    head_page = new_page()
    log_in_staff(head_page, identity.url("county_a", reverse("supervision:index")), head)
    assert_accessible(head_page, "the head's overview")
    head_page.get_by_role("link", name="督办", exact=True).click()
    head_page.wait_for_load_state("networkidle")
    assert case.number in head_page.locator("#sv-memos").inner_text()
    assert_accessible(head_page, "the head's memos")
    head_page.locator("#sv-memos").get_by_role("link").first.click()
    head_page.wait_for_load_state("networkidle")
    assert "该办件已超过承诺时限" in main_text(head_page)
    assert_accessible(head_page, "the memo")
    head_page.get_by_label("答复内容（办理情况、原因和整改措施）").fill(
        "材料补正延误，已于今日办结并约谈窗口。"
    )
    submit(head_page, "提交答复")
    assert "督办已答复。" in main_text(head_page)
    memo.refresh_from_db()
    assert memo.status == MemoStatus.ANSWERED
    assert_accessible(head_page, "the answered memo")

    # The supervisor sees the answer on the case page.
    page.reload()
    page.wait_for_load_state("networkidle")
    assert "材料补正延误" in page.locator("section[aria-labelledby=sv-memos]").inner_text()
