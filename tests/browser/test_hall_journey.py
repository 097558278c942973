"""The online hall's journey in Chromium, in Chinese, as issue 5's "done when" describes it:
a citizen applies for a standard item (as herself) and for a joint-approval item (for her
company); staff of the health commission, the housing bureau (lead) and two joint
departments process them, one correction round included; the citizen follows both to
completion on 我的办件 and the case pages, and the due dates shown match a hand calculation
that counts the official holidays itself.

Staff log in as they must (password, then the TOTP code) and work in the back office's
办件工作台. Every page the journey passes is checked with axe-core."""

import datetime
import re
import time

import pytest
from django.urls import reverse

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PASSWORD = "Hall-journey-2026"

# The hand calculation's own holiday list: the State Council's 2026 arrangement (notice of
# 2025-11) and the statutory holidays of 2027 (provisional until its notice is entered:
# New Year's Day, Spring Festival from the lunar New Year's Eve 2027-02-05, Qingming
# 2027-04-05, Labour Day, Dragon Boat 2027-06-09, Mid-Autumn 2027-09-15, National Day).
HOLIDAYS = {
    *[datetime.date(2026, 1, d) for d in (1, 2, 3)],
    *[datetime.date(2026, 2, d) for d in range(15, 24)],
    *[datetime.date(2026, 4, d) for d in (4, 5, 6)],
    *[datetime.date(2026, 5, d) for d in range(1, 6)],
    *[datetime.date(2026, 6, d) for d in (19, 20, 21)],
    *[datetime.date(2026, 9, d) for d in (25, 26, 27)],
    *[datetime.date(2026, 10, d) for d in range(1, 8)],
    datetime.date(2027, 1, 1),
    *[datetime.date(2027, 2, d) for d in (5, 6, 7, 8)],
    datetime.date(2027, 4, 5),
    datetime.date(2027, 5, 1),
    datetime.date(2027, 5, 2),
    datetime.date(2027, 6, 9),
    datetime.date(2027, 9, 15),
    *[datetime.date(2027, 10, d) for d in (1, 2, 3)],
}
# Adjusted working weekends of 2026 (调休上班).
WORKING_WEEKENDS = {
    datetime.date(2026, 1, 4),
    datetime.date(2026, 2, 14),
    datetime.date(2026, 2, 28),
    datetime.date(2026, 5, 9),
    datetime.date(2026, 9, 20),
    datetime.date(2026, 10, 10),
}


def hand_due(start, days):
    """Count ``days`` working days after ``start`` (the start day not counted), day by day."""
    day = start
    while days:
        day += datetime.timedelta(days=1)
        weekend = day.weekday() >= 5
        if day in WORKING_WEEKENDS or (not weekend and day not in HOLIDAYS):
            days -= 1
    return day


def chinese_date(day):
    return f"{day.year}年{day.month}月{day.day}日"


def test_hand_calculation_agrees_with_the_checked_examples():
    assert hand_due(datetime.date(2026, 9, 28), 5) == datetime.date(2026, 10, 10)
    assert hand_due(datetime.date(2026, 2, 13), 3) == datetime.date(2026, 2, 25)
    assert hand_due(datetime.date(2026, 12, 30), 2) == datetime.date(2027, 1, 4)


def test_hand_calculation_agrees_with_chinese_calendar_for_2026():
    import chinese_calendar

    day = datetime.date(2026, 1, 1)
    while day.year == 2026:
        hand = hand_due(day - datetime.timedelta(days=1), 1) == day
        assert hand == chinese_calendar.is_workday(day), day
        day += datetime.timedelta(days=1)


def pdf_bytes(text):
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(0, 10, text)
    return bytes(pdf.output())


@pytest.fixture
def hall(live_sites, live_server, settings, tmp_path):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from yiwang.accounts.models import User, UserKind
    from yiwang.catalog.models import Material
    from yiwang.catalog.tests.factories import build_implementation, make_department, publish
    from yiwang.hall import processes
    from yiwang.hall.constants import HallRole, ProcessTemplate
    from yiwang.hall.tests.factories import make_company, make_staff

    # People log in once at the identity host (a name of the live server no portal uses).
    settings.IDENTITY_URL = live_server.url.rstrip("/")
    county = live_sites["county_a"].root_page.specific.region
    health = make_department(county, "松林县卫生健康局")
    housing = make_department(county, "松林县住房和城乡建设局")
    land = make_department(county, "松林县自然资源局")
    env = make_department(county, "松林县生态环境局")

    def item(name, department, audience, materials):
        implementation = build_implementation(
            region=county,
            department=department,
            name=name,
            audience=audience,
            online_depth=4,
            real_name_level=3,
            statutory_limit_days=20,
            promised_limit_days=5,
        )
        implementation.materials = [Material(name=m) for m in materials]
        return publish(implementation)

    standard = item("医师执业注册", health, "individual", ["医师资格证书", "健康体检证明"])
    joint = item("建筑工程施工许可证核发", housing, "legal_person", ["施工合同"])
    processes.configure_process(
        implementation=standard, template=ProcessTemplate.STANDARD, parameters={}, actor=None
    )
    processes.configure_process(
        implementation=joint,
        template=ProcessTemplate.JOINT,
        parameters={"joint_departments": [land.pk, env.pk]},
        actor=None,
    )

    citizen = User.objects.create_user(
        username="zhangsan",
        password=PASSWORD,
        kind=UserKind.NATURAL,
        display_name="张三",
        mobile="13900000001",
        real_name_level=3,
    )
    company = make_company(name="松林县青禾农业科技有限公司")
    company.administrator = citizen
    company.save()

    staff = {
        "health": make_staff(
            health, HallRole.ACCEPTOR, HallRole.REVIEWER, HallRole.DECIDER, username="liufang"
        ),
        "housing": make_staff(
            housing, HallRole.ACCEPTOR, HallRole.REVIEWER, HallRole.DECIDER, username="majun"
        ),
        "land": make_staff(land, HallRole.REVIEWER, username="zhenglei"),
        "env": make_staff(env, HallRole.REVIEWER, username="fengxue"),
    }
    for user in staff.values():
        user.set_password(PASSWORD)
        user.save()
        TOTPDevice.objects.create(user=user, name="手机", confirmed=True)
    return {
        "standard": standard,
        "joint": joint,
        "citizen": citizen,
        "company": company,
        "staff": staff,
        "files": tmp_path,
    }


def current_code(user):
    from django_otp.oath import TOTP
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.get(user=user, confirmed=True)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    return f"{totp.token():06d}"


def log_in_citizen(page, url):
    page.goto(url)
    page.wait_for_url(re.compile(r"/accounts/login/\?next="))
    form = page.locator("form").filter(has=page.locator('input[type="password"]')).first
    form.locator('input[name="identifier"]').fill("zhangsan")
    form.locator('input[type="password"]').fill(PASSWORD)
    form.get_by_role("button", name=re.compile("登录")).click()


def log_in_staff(page, url, user):
    page.goto(url)
    page.wait_for_url(re.compile(r"/accounts/login/\?next="))
    form = page.locator("form").filter(has=page.locator('input[type="password"]')).first
    form.locator('input[name="identifier"]').fill(user.username)
    form.locator('input[type="password"]').fill(PASSWORD)
    form.get_by_role("button", name=re.compile("登录")).click()
    page.wait_for_url(re.compile(r"/accounts/staff/second-factor/$"))
    page.get_by_label("动态验证码").fill(current_code(user))
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state("networkidle")


def write_file(hall, name):
    path = hall["files"] / f"{name}.pdf"
    path.write_bytes(pdf_bytes(f"material {len(name)}"))
    return str(path)


def fill_application(page, hall, *, name_value):
    """Fill every visible text box of the application form and upload every material."""
    form = page.locator("form#application")
    for box in form.locator("input[type=text], input:not([type]), textarea").all():
        field = box.get_attribute("name") or ""
        if not box.is_visible() or box.input_value():
            continue
        if "id_number" in field:
            box.fill("110101199003074514")
        elif "uscc" in field:
            box.fill(hall["company"].uscc)
        elif "mobile" in field:
            box.fill("13900000001")
        elif "name" in field or "representative" in field:
            box.fill(name_value)
        else:
            box.fill("松林县城关镇府前街 8 号")
    for box in form.locator("input[type=tel], input[type=email]").all():
        if box.is_visible() and not box.input_value():
            box.fill("13900000001" if box.get_attribute("type") == "tel" else "z@example.com")
    page.get_by_role("button", name="保存草稿").click()
    page.wait_for_load_state("networkidle")
    for upload in page.locator("input[type=file]").all():
        upload.set_input_files(write_file(hall, upload.get_attribute("id") or "material"))
        upload.locator("xpath=ancestor::form[1]").get_by_role("button").last.click()
        page.wait_for_load_state("networkidle")


def submit_application(page):
    page.get_by_role("button", name="提交申请").click()
    page.wait_for_load_state("networkidle")
    number = re.search(r"\d{20}", page.locator("main").inner_text())
    assert number, page.locator("main").inner_text()
    return number.group(0)


def open_case_in_workbench(page, sites, number):
    from yiwang.hall.models import Case

    case = Case.objects.get(number=number)
    page.goto(sites.url("county_a", reverse("hall_workbench:case", args=[case.pk])))
    page.wait_for_load_state("networkidle")
    return case


def act(page, label, **fields):
    """Submit the action form whose button is ``label`` after filling ``fields`` (by
    label)."""
    button = page.get_by_role("button", name=label, exact=True)
    form = button.locator("xpath=ancestor::form[1]")
    for field_label, value in fields.items():
        group = form.get_by_role("group", name=field_label)
        if group.count():  # radio buttons in a fieldset
            group.get_by_label(value, exact=True).check()
            continue
        control = form.get_by_label(field_label, exact=True)
        if value is True:
            control.check()
        elif control.evaluate("e => e.tagName") == "SELECT":
            control.select_option(label=value)
        else:
            control.fill(value)
    button.click()
    page.wait_for_load_state("networkidle")


def test_citizen_applies_and_three_departments_process_to_completion(
    live_sites, hall, new_page, assert_accessible
):
    from yiwang.hall.models import Case

    citizen = new_page()
    standard_url = live_sites.url("county_a", f"/fuwu/items/{hall['standard'].code}/")

    # The citizen finds the item, logs in on 在线办理 and starts the application.
    log_in_citizen(citizen, live_sites.url("county_a", reverse("hall:mine")))
    citizen.goto(standard_url)
    citizen.get_by_role("link", name=re.compile("在线办理")).first.click()
    citizen.wait_for_load_state("networkidle")
    citizen.get_by_role("button", name="开始填写申请").click()
    citizen.wait_for_load_state("networkidle")
    assert_accessible(citizen, "the application form")

    # Submitting the empty form shows the errors next to the fields, in Chinese.
    citizen.get_by_role("button", name="提交申请").click()
    citizen.wait_for_load_state("networkidle")
    assert citizen.locator("[aria-invalid=true]").count() > 0
    assert_accessible(citizen, "the application form with errors")

    fill_application(citizen, hall, name_value="张三")
    standard_number = submit_application(citizen)
    assert_accessible(citizen, "the receipt")

    # The health commission's clerk asks for one correction (一次性告知).
    health = new_page()
    log_in_staff(health, live_sites.url("county_a", "/admin/hall/"), hall["staff"]["health"])
    assert standard_number in health.locator("main").inner_text()
    assert_accessible(health, "the workbench queue")
    open_case_in_workbench(health, live_sites, standard_number)
    assert_accessible(health, "the staff case page")
    act(health, "签收")
    health.get_by_label("健康体检证明", exact=True).check()
    act(
        health,
        "一次性告知补正",
        **{"“健康体检证明”的补正要求": "体检证明须为近 6 个月内出具。"},
    )
    case = Case.objects.get(number=standard_number)
    assert case.status == "correction"

    # The citizen sees the correction, uploads a new file and resubmits.
    citizen.goto(live_sites.url("county_a", reverse("hall:case", args=[standard_number])))
    assert "体检证明须为近 6 个月内出具" in citizen.locator("main").inner_text()
    assert_accessible(citizen, "the case page awaiting correction")
    upload = citizen.locator("input[type=file]").first
    upload.set_input_files(write_file(hall, "new-health-check"))
    upload.locator("xpath=ancestor::form[1]").get_by_role("button").last.click()
    citizen.wait_for_load_state("networkidle")
    citizen.get_by_role("button", name="提交补正材料").click()
    citizen.wait_for_load_state("networkidle")
    case.refresh_from_db()
    assert case.status == "submitted"

    # Accept, review, decide, deliver.
    open_case_in_workbench(health, live_sites, standard_number)
    act(health, "受理")
    open_case_in_workbench(health, live_sites, standard_number)
    act(health, "签收")
    act(health, "提交审查意见", 审查意见="同意", 意见说明="材料齐全，符合条件。")
    open_case_in_workbench(health, live_sites, standard_number)
    act(health, "签收")
    act(health, "作出决定", 决定="准予", 理由="符合《医师执业注册管理办法》规定的条件。")
    open_case_in_workbench(health, live_sites, standard_number)
    act(health, "签收")
    act(health, "送达", 送达方式="电子证照/电子送达")
    case.refresh_from_db()
    assert case.status == "completed"

    # The joint application, for the company.
    citizen.goto(live_sites.url("county_a", reverse("accounts:centre_companies")))
    citizen.get_by_role("button", name="以该企业身份办事").click()
    citizen.wait_for_load_state("networkidle")
    citizen.goto(live_sites.url("county_a", f"/fuwu/items/{hall['joint'].code}/apply/"))
    citizen.wait_for_load_state("networkidle")
    citizen.get_by_role("button", name="开始填写申请").click()
    citizen.wait_for_load_state("networkidle")
    fill_application(citizen, hall, name_value="松林县青禾农业科技有限公司")
    joint_number = submit_application(citizen)
    joint_case = Case.objects.get(number=joint_number)
    assert joint_case.legal_person == hall["company"]

    housing = new_page()
    log_in_staff(housing, live_sites.url("county_a", "/admin/hall/"), hall["staff"]["housing"])
    open_case_in_workbench(housing, live_sites, joint_number)
    act(housing, "签收")
    act(housing, "受理")
    accepted_on = (
        Case.objects.get(number=joint_number)
        .accepted_at.astimezone(datetime.timezone(datetime.timedelta(hours=8)))
        .date()
    )

    # The lead and both joint departments review in parallel; the decision waits for all.
    for key, page in (("land", new_page()), ("env", new_page())):
        log_in_staff(page, live_sites.url("county_a", "/admin/hall/"), hall["staff"][key])
        assert joint_number in page.locator("main").inner_text()
        open_case_in_workbench(page, live_sites, joint_number)
        act(page, "签收")
        act(page, "提交审查意见", 审查意见="同意")
        assert (
            not Case.objects.get(number=joint_number)
            .tasks.filter(step="decide", state="open")
            .exists()
            or key == "env"
        )
    open_case_in_workbench(housing, live_sites, joint_number)
    act(housing, "签收")
    act(housing, "提交审查意见", 审查意见="同意")
    open_case_in_workbench(housing, live_sites, joint_number)
    act(housing, "签收")
    act(housing, "作出决定", 决定="准予", 理由="各部门审查同意。")
    open_case_in_workbench(housing, live_sites, joint_number)
    act(housing, "签收")
    act(
        housing, "送达", 送达方式="邮政寄递", 邮件单号="1234567890123", 邮寄地址="松林县府前街 8 号"
    )
    assert Case.objects.get(number=joint_number).status == "completed"

    # The citizen follows both to completion.
    citizen.goto(live_sites.url("county_a", reverse("hall:mine")))
    mine = citizen.locator("main").inner_text()
    assert mine.count("已办结") >= 1
    assert_accessible(citizen, "my cases")
    citizen.goto(live_sites.url("county_a", reverse("hall:case", args=[joint_number])))
    page_text = citizen.locator("main").inner_text()
    assert "已办结" in page_text
    assert "1234567890123" in page_text
    assert_accessible(citizen, "the completed case page")

    # The joint case's statutory limit (45 working days from acceptance) and promised limit
    # (5) as the hand calculation counts them.
    for days in (45, 5):
        assert chinese_date(hand_due(accepted_on, days)) in page_text, (days, page_text)
