"""The editorial journey through the real Wagtail admin, in Chinese: a county editor writes a
policy document and submits it; a reviewer gives the first (初审) and the final (终审)
approval; the public page shows the document with its index number (索引号) and the
interpretation published with it (关联发布).

Staff log in the way they must: the admin's login sends them to the platform's login
(password), then to the second factor, where the test types the TOTP code of a device it
created, computed like an authenticator app does."""

import re
import time
from html import escape

import pytest
from django.contrib.auth import SESSION_KEY, authenticate
from django.contrib.sessions.models import Session
from django.http import HttpResponse, HttpResponseForbidden
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from yiwang import urls as root_urls
from yiwang.accounts import otp
from yiwang.accounts.views import login as login_views

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.urls(__name__),
]


@csrf_exempt
def stand_in_login(request):
    """The password step, only while the platform's own login page (accounts/views/login.py)
    does not exist yet: it hands over to the second factor through ``otp.begin_login`` as
    that page does."""
    next_url = request.POST.get("next") or request.GET.get("next", "")
    if request.method == "POST":
        user = authenticate(
            request,
            username=request.POST.get("username"),
            password=request.POST.get("password"),
        )
        if user is None:
            return HttpResponseForbidden("账号或密码错误。")
        return otp.begin_login(request, user, next_url)
    return HttpResponse(
        '<!DOCTYPE html><html lang="zh-Hans"><title>登录</title><main><h1>登录</h1>'
        '<form method="post"><label for="u">用户名</label><input id="u" name="username">'
        '<label for="p">密码</label><input id="p" name="password" type="password">'
        f'<input type="hidden" name="next" value="{escape(next_url)}">'
        '<button type="submit">登录</button></form></main></html>'
    )


HAS_LOGIN_PAGE = bool(login_views.urlpatterns)
urlpatterns = (
    [] if HAS_LOGIN_PAGE else [path("accounts/login/", stand_in_login)]
) + root_urls.urlpatterns
handler403 = getattr(root_urls, "handler403", None)
handler404 = root_urls.handler404
handler500 = root_urls.handler500

PASSWORD = "Songlin-2026-editorial"
TITLE = "松林县人民政府关于做好春季森林防火工作的通知"
SLUG = "chunji-senlin-fanghuo"


@pytest.fixture
def county_newsroom(live_sites):
    """The county portal's 政策文件 and 政策解读 columns, its editorial setup (groups and the
    two-step workflow), an editor and a reviewer who holds both review steps."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from yiwang.accounts.models import User, UserKind
    from yiwang.portal.constants import ColumnType
    from yiwang.portal.editorial import grant, setup_site_editorial
    from yiwang.portal.models import ColumnPage

    county = live_sites["county_a"]
    home = county.root_page.specific
    columns = {}
    for title, slug, column_type in [
        ("政策文件", "zcwj", ColumnType.POLICY),
        ("政策解读", "zcjd", ColumnType.INTERPRETATION),
    ]:
        column = ColumnPage(title=title, slug=slug, column_type=column_type)
        home.add_child(instance=column)
        column.save_revision().publish()
        columns[slug] = column

    setup_site_editorial(county)
    editor = User.objects.create_user(
        username="songlin-editor",
        password=PASSWORD,
        kind=UserKind.STAFF,
        display_name="松林县政府办编辑",
    )
    reviewer = User.objects.create_user(
        username="songlin-reviewer",
        password=PASSWORD,
        kind=UserKind.STAFF,
        display_name="松林县政府办审核",
    )
    for user in (editor, reviewer):
        TOTPDevice.objects.create(user=user, name="手机", confirmed=True)
    grant(editor, site=county, role="editor")
    grant(reviewer, site=county, role="first_review")
    grant(reviewer, site=county, role="final_review")
    return {
        "site": county,
        "policies": columns["zcwj"],
        "interpretations": columns["zcjd"],
        "editor": editor,
        "reviewer": reviewer,
    }


def current_code(user):
    """What the user's authenticator app shows now."""
    from django_otp.oath import TOTP
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.get(user=user, confirmed=True)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    return f"{totp.token():06d}"


def enter_password(page, url, username):
    """Open the admin's login page: it leads to the platform's login, where the password
    is given (in the form holding the password box)."""
    page.goto(url)
    page.wait_for_url(re.compile(r"/accounts/login/\?next="))
    form = page.locator("form").filter(has=page.locator('input[type="password"]')).first
    form.locator(
        'input:not([type="hidden"]):not([type="password"]):not([type="checkbox"])'
        ':not([type="radio"])'
    ).first.fill(username)
    form.locator('input[type="password"]').fill(PASSWORD)
    form.get_by_role("button", name=re.compile("登录")).click()
    # Password alone gives no session: the second-factor step asks for the code.
    page.wait_for_url(re.compile(r"/accounts/staff/second-factor/$"))


def log_in(page, url, user, assert_accessible=None):
    """Password, then the TOTP code, back to the admin."""
    enter_password(page, url, user.username)
    if assert_accessible is not None:
        assert_accessible(page, "the staff second-factor page")
    page.get_by_label("动态验证码").fill(current_code(user))
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(re.compile(r"/admin/$"))


def test_the_password_alone_does_not_open_the_admin(live_sites, county_newsroom, new_page):
    admin = live_sites.url("county_a", "/admin/")
    page = new_page()
    enter_password(page, admin + "login/", "songlin-editor")
    page.goto(admin)
    page.wait_for_url(re.compile(r"/accounts/login/\?next="))
    assert not [s for s in Session.objects.all() if SESSION_KEY in s.get_decoded()]


def open_action_menu(page):
    """Unfold the footer's action menu (its default item is 保存草稿)."""
    toggle = page.locator("footer [data-w-dropdown-target='toggle']").first
    toggle.click()


def approve_current_step(page, document, step):
    """Approve, as the logged-in reviewer, the step the document waits in (初审 or 终审)."""
    document.refresh_from_db()
    assert document.current_workflow_task.name.endswith(step)
    page.goto(page.url.split("/admin/")[0] + f"/admin/pages/{document.pk}/edit/")
    open_action_menu(page)
    approve = page.locator(
        "button[data-workflow-action-name='approve']:not([data-workflow-action-modal-url])"
    )
    assert approve.inner_text().strip().startswith("批准")  # the last step: 批准和发布
    with page.expect_navigation():
        approve.click()
    page.wait_for_load_state("networkidle")


def test_county_editor_and_reviewer_publish_a_policy_document(
    live_sites, county_newsroom, new_page, assert_accessible
):
    from yiwang.portal.models import PolicyDocumentPage, PolicyInterpretationPage

    admin = live_sites.url("county_a", "/admin/")
    policies = county_newsroom["policies"]

    # The editor writes the document in the county's 政策文件 column and submits it.
    editor_page = new_page()
    log_in(editor_page, admin + "login/", county_newsroom["editor"], assert_accessible)
    editor_page.goto(f"{admin}pages/{policies.pk}/add_subpage/")
    editor_page.locator("main").get_by_role("link", name="政策文件", exact=True).click()
    editor_page.wait_for_url(re.compile(r"/admin/pages/add/portal/policydocumentpage/"))

    form = editor_page.locator("form[data-edit-form]")
    form.locator("#id_title").fill(TITLE)
    form.locator("#id_issuing_authority").fill("松林县人民政府")
    form.locator("#id_document_number").fill("松政发〔2026〕3号")
    form.locator("#id_date_written").fill("2026-03-01")
    form.locator("#id_date_written").press("Escape")
    form.locator("#id_subject_category").select_option(label="农业、林业、水利")
    body = form.locator("#id_body").locator("xpath=..").locator("[contenteditable='true']")
    body.click()
    editor_page.keyboard.type(
        "各乡镇人民政府，县直各部门：春季是森林火灾易发期，现就有关事项通知如下。"
    )
    editor_page.get_by_role("tab", name="推荐").click()
    form.locator("#id_slug").fill(SLUG)

    open_action_menu(editor_page)
    with editor_page.expect_navigation():
        editor_page.get_by_role("button", name=re.compile("提交给.*两审发布")).click()
    editor_page.wait_for_load_state("networkidle")
    editor_page.close()

    document = PolicyDocumentPage.objects.get(slug=SLUG)
    assert document.get_parent().pk == policies.pk
    assert not document.live
    assert document.workflow_in_progress
    assert document.owner == county_newsroom["editor"]
    assert document.index_number, "the index number is given when the document is first saved"

    # An interpretation drafted in the meantime, to be published with the document.
    interpretation = PolicyInterpretationPage(
        title="一图读懂春季森林防火",
        slug="yitu-chunji-fanghuo",
        live=False,
        body="<p>春季森林防火要点。</p>",
    )
    interpretation.documents = [document]
    county_newsroom["interpretations"].add_child(instance=interpretation)
    interpretation.save_revision(user=county_newsroom["editor"])

    # The reviewer approves the first review, then the final review.
    reviewer_page = new_page()
    log_in(reviewer_page, admin + "login/", county_newsroom["reviewer"])
    approve_current_step(reviewer_page, document, "初审")
    document.refresh_from_db()
    assert not document.live, "the first review alone does not publish"
    approve_current_step(reviewer_page, document, "终审")

    document.refresh_from_db()
    interpretation.refresh_from_db()
    assert document.live
    assert interpretation.live, "关联发布: the interpretation goes live with its document"

    # The public page shows the document, its index number and its interpretation.
    reviewer_page.close()
    document_url, interpretation_url = document.get_full_url(), interpretation.get_full_url()
    visitor = new_page()
    response = visitor.goto(document_url)
    assert response.status == 200
    assert visitor.locator("h1").first.inner_text().strip() == TITLE
    assert "索引号" in visitor.locator("main").inner_text()
    visitor.get_by_text(document.index_number, exact=False).first.wait_for()
    visitor.get_by_role("link", name=interpretation.title).first.click()
    visitor.wait_for_url(interpretation_url)
