"""Public pages of 政民互动 on every portal, under /hudong/ (docs/interaction.md).

- ``/hudong/``: what one can write (the portal's leaders for the mailbox), the published
  letters (search, kind, department, pages), and the reply figures per department.
- ``/hudong/xie/<kind>/``: a letter; login required.
- ``/hudong/zhaocuo/?url=``: 我为政府网站找错; anyone, with an optional screenshot.
- ``/hudong/huizhi/<number>/``: the receipt; the query code is shown there once.
- ``/hudong/chaxun/``: follow-up by number and query code; ``/hudong/chaxun/<number>/`` the
  message's progress and reply, where the writer rates it or has it reopened.
- ``/hudong/wode/``: the logged-in writer's own messages.
- ``/hudong/gongkai/<number>/``: a published letter: public texts only.

The portal is the request's Wagtail site (its ``PortalHomePage`` and region); a site that is
no portal has no 政民互动 (404). Access to a message without logging in as its writer takes
its query code; a correct code is remembered in the session for that number only, and wrong
codes are counted per client address (``LOOKUP_MAX_FAILURES`` an hour). Thin views: the
writes are ``actions``', the reads ``queries``'; an action's error is shown next to its field
with everything typed kept.
"""

from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlencode, urlsplit

from django.contrib import messages as flash
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from wagtail.models import Site

from yiwang.core.audit import client_ip
from yiwang.core.forms import add_action_errors
from yiwang.portal.constants import ColumnType
from yiwang.portal.models import PortalHomePage, PortalSettings

from . import actions, queries
from .constants import ANSWERED_STATUSES, OPEN_STATUSES, REOPEN_DAYS, Kind, Status
from .forms import ErrorReportForm, LetterForm, LookupForm, RateForm, ReopenForm

TITLE = "政民互动"
PER_PAGE = 15
# Wrong numbers or codes allowed per client address and hour on the follow-up form.
LOOKUP_MAX_FAILURES = 10
LOOKUP_WINDOW_SECONDS = 3600
# Website error reports accepted per client address and hour (anyone may send them).
ERROR_REPORTS_PER_HOUR = 20
# Numbers whose query code this browser session has given (the newest kept).
FOLLOWED_SESSION_KEY = "interaction_followed"
FOLLOWED_MAX = 20
RECEIPT_SESSION_KEY = "interaction_receipt"
WRONG_CODE = "留言编号或查询码不正确，请核对后再试。"

KIND_INTROS = {
    Kind.MAILBOX: "给本级政府领导写信，反映情况、提出意见建议。",
    Kind.CONSULTATION: "咨询政策、办事流程等问题，一般 3 个工作日内答复。",
    Kind.COMPLAINT: "投诉政府部门及工作人员的作风、效能问题。",
    Kind.REPORT: "举报违法违规行为，我们将依法保护举报人信息。",
    Kind.SUGGESTION: "对政府工作提出意见和建议。",
    Kind.PRAISE: "表扬为您提供良好服务的部门和工作人员。",
    Kind.HELP: "生产生活中遇到困难，向政府部门求助。",
}

# Public pages are the same for everyone and never stale: caches must ask again each time.
public_page = cache_control(public=True, no_cache=True, max_age=0)


# The portal and the page frame -------------------------------------------------------------


@dataclass(frozen=True)
class Portal:
    site: Site
    home: PortalHomePage

    @property
    def region(self):
        return self.home.region


def current_portal(request):
    """The request's portal; 404 on a site that is no portal or has no region yet."""
    site = Site.find_for_request(request)
    home = site.root_page.specific if site is not None else None
    if not isinstance(home, PortalHomePage) or home.region_id is None:
        raise Http404("本网站未开通政民互动。")
    return Portal(site=site, home=home)


def national_meta(request, portal, *, title="", published=None, description=""):
    """The national meta tags (STANDARDS.md) of a page of the 互动交流 column."""
    settings = PortalSettings.for_site(portal.site)
    return {
        "SiteName": portal.home.title,
        "SiteDomain": portal.site.hostname,
        "SiteIDCode": settings.site_id_code,
        "ColumnName": TITLE,
        "ColumnType": ColumnType.INTERACTION.label,
        "ArticleTitle": title,
        "PubDate": timezone.localtime(published).strftime("%Y-%m-%d %H:%M") if published else "",
        "ContentSource": "",
        "Keywords": title,
        "Author": "",
        "Description": description[:200],
        "Image": "",
        "Url": request.build_absolute_uri(),
    }


def show(request, template, portal, *, title, crumbs=(), status=200, meta=None, **extra):
    """A page in the portal's frame: 首页 › 政民互动 › ``crumbs`` (the last one is this page)."""
    context = {
        "portal": portal,
        "page_title": title,
        "crumbs": list(crumbs),
        "national_meta": national_meta(request, portal, title=title, **(meta or {})),
        **extra,
    }
    return render(request, f"interaction/public/{template}", context, status=status)


def login_redirect(request):
    return redirect(
        reverse("accounts:sso_start") + "?" + urlencode({"next": request.get_full_path()})
    )


def platform_hostnames():
    return set(Site.objects.values_list("hostname", flat=True))


def _number(value):
    """A message number as typed in a URL: digits only, else not found."""
    if not value.isdigit() or len(value) > 24:
        raise Http404("没有这条留言。")
    return value


# The index --------------------------------------------------------------------------------


def _filters(request, portal):
    """The published list's filters from GET, bad values dropped."""
    departments = list(queries.published_departments(portal.home))
    q = " ".join(queries.keywords(request.GET.get("q")))
    kind = request.GET.get("kind", "")
    if kind not in {k.value for k in queries.WRITABLE_KINDS}:
        kind = ""
    department = next(
        (d for d in departments if str(d.pk) == request.GET.get("department", "")), None
    )
    params = {"q": q, "kind": kind, "department": department.pk if department else ""}
    return {
        "q": q,
        "kind": kind,
        "department": department,
        "departments": departments,
        "query_string": urlencode({k: v for k, v in params.items() if v}),
    }


@public_page
@require_GET
def index(request):
    portal = current_portal(request)
    filters = _filters(request, portal)
    rows = queries.search_published(
        portal.home,
        q=filters["q"],
        kind=filters["kind"],
        department_id=filters["department"].pk if filters["department"] else None,
    )
    page_obj = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    department_figures, total = queries.portal_figures(portal.home)
    kinds = [
        {"kind": kind, "label": kind.label, "intro": KIND_INTROS[kind]}
        for kind in queries.WRITABLE_KINDS
    ]
    return show(
        request,
        "index.html",
        portal,
        title=TITLE,
        kinds=kinds,
        leaders=list(queries.leaders(portal.home)),
        kind_choices=[(k.value, k.label) for k in queries.WRITABLE_KINDS],
        filters=filters,
        page_obj=page_obj,
        department_figures=department_figures,
        total=total,
        searching=bool(filters["query_string"]),
    )


# Writing ----------------------------------------------------------------------------------


def _remember(request, number):
    """This session may follow ``number`` (it gave the code, or just wrote it)."""
    followed = [n for n in request.session.get(FOLLOWED_SESSION_KEY, []) if n != number]
    request.session[FOLLOWED_SESSION_KEY] = [*followed, number][-FOLLOWED_MAX:]


def _receipt(request, message, code):
    _remember(request, message.number)
    request.session[RECEIPT_SESSION_KEY] = {"number": message.number, "code": code}
    return redirect("interaction:receipt", number=message.number)


@never_cache
@require_http_methods(["GET", "POST"])
def write(request, kind):
    portal = current_portal(request)
    try:
        kind = Kind(kind)
    except ValueError:
        raise Http404("没有这类留言。") from None
    if kind not in queries.WRITABLE_KINDS:
        raise Http404("没有这类留言。")
    if not request.user.is_authenticated:
        return login_redirect(request)
    user = request.user
    leaders = queries.leaders(portal.home) if kind == Kind.MAILBOX else None
    initial = {
        "writer_phone": getattr(user, "mobile", ""),
        "writer_email": user.email,
        "leader": request.GET.get("leader") or None,
    }
    form = LetterForm(request.POST or None, kind=kind, leaders=leaders, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            message, code = actions.submit_message(
                kind=kind,
                portal=portal.home,
                writer=user,
                title=data["title"],
                body=data["body"],
                category=data["category"],
                leader=data.get("leader"),
                writer_phone=data["writer_phone"],
                writer_email=data["writer_email"],
                publish_consent=data["publish_consent"],
                request=request,
            )
        except ValidationError as exc:
            add_action_errors(form, exc)
        except PermissionDenied:
            return login_redirect(request)
        else:
            return _receipt(request, message, code)
    title = f"我要写信：{kind.label}"
    return show(
        request,
        "write.html",
        portal,
        title=title,
        crumbs=[{"label": title}],
        status=400 if form.is_bound else 200,
        form=form,
        kind=kind,
        intro=KIND_INTROS[kind],
        user_name=user.display_name,
    )


def _count(key, timeout):
    cache.add(key, 0, timeout)
    try:
        return cache.incr(key)
    except ValueError:
        cache.set(key, 1, timeout)
        return 1


def _prefilled_url(request):
    """The ``url`` parameter when it is an http(s) page of one of the platform's sites."""
    url = (request.GET.get("url") or "").strip()[:1000]
    parts = urlsplit(url)
    if parts.scheme in ("http", "https") and parts.hostname in platform_hostnames():
        return url
    return ""


@never_cache
@require_http_methods(["GET", "POST"])
def error_report(request):
    portal = current_portal(request)
    user = request.user if request.user.is_authenticated else None
    initial = {"page_url": _prefilled_url(request)}
    if user is not None:
        initial.update(
            writer_name=user.display_name,
            writer_phone=getattr(user, "mobile", ""),
            writer_email=user.email,
        )
    form = ErrorReportForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        key = f"interaction:error-reports:{client_ip(request)}"
        if (cache.get(key) or 0) >= ERROR_REPORTS_PER_HOUR:
            form.add_error(None, "提交过于频繁，请一小时后再试。")
        else:
            data = form.cleaned_data
            try:
                message, code = actions.submit_message(
                    kind=Kind.ERROR_REPORT,
                    portal=portal.home,
                    writer=user,
                    title="",
                    body=data["body"],
                    page_url=data["page_url"],
                    error_type=data["error_type"],
                    screenshot=data["screenshot"],
                    writer_name=data["writer_name"],
                    writer_phone=data["writer_phone"],
                    writer_email=data["writer_email"],
                    request=request,
                )
            except ValidationError as exc:
                add_action_errors(form, exc)
            else:
                _count(key, 3600)
                return _receipt(request, message, code)
    title = "我为政府网站找错"
    return show(
        request,
        "error_report.html",
        portal,
        title=title,
        crumbs=[{"label": title}],
        status=400 if form.is_bound else 200,
        form=form,
    )


@never_cache
@require_GET
def receipt(request, number):
    """The receipt right after writing: number and query code, the code once only."""
    portal = current_portal(request)
    number = _number(number)
    message = _followed(request, number)
    if message is None:
        raise Http404("没有这条留言。")
    pending = request.session.get(RECEIPT_SESSION_KEY) or {}
    code = pending.get("code") if pending.get("number") == number else None
    if code is not None:
        del request.session[RECEIPT_SESSION_KEY]
    return show(
        request,
        "receipt.html",
        portal,
        title="提交成功",
        crumbs=[{"label": "提交成功"}],
        message=message,
        code=code,
    )


# Following a message ----------------------------------------------------------------------


def _followed(request, number):
    """The message ``number`` when this request may follow it: logged in as its writer, or
    its code given in this session. None otherwise (unknown numbers alike)."""
    message = queries.follow_up_message(number)
    if message is None:
        return None
    user = request.user
    if user.is_authenticated and message.writer_id == user.pk:
        return message
    if number in request.session.get(FOLLOWED_SESSION_KEY, []):
        return message
    return None


def _lookup_key(request):
    return f"interaction:lookup-failures:{client_ip(request)}"


@never_cache
@require_http_methods(["GET", "POST"])
def follow(request):
    """The follow-up form: number and query code (wrong tries are counted per address)."""
    portal = current_portal(request)
    asked = "".join((request.GET.get("number") or "").split())
    if request.method == "GET" and asked.isdigit() and _followed(request, asked) is not None:
        return redirect("interaction:follow_detail", number=asked)
    form = LookupForm(request.POST or None, initial={"number": asked})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            key = _lookup_key(request)
            if (cache.get(key) or 0) >= LOOKUP_MAX_FAILURES:
                form.add_error(None, "查询失败次数过多，请一小时后再试。")
                status = 429
            else:
                message = queries.find_for_follow_up(
                    form.cleaned_data["number"], form.cleaned_data["query_code"]
                )
                if message is None:
                    _count(key, LOOKUP_WINDOW_SECONDS)
                    form.add_error(None, WRONG_CODE)
                else:
                    _remember(request, message.number)
                    return redirect("interaction:follow_detail", number=message.number)
    return show(
        request,
        "follow.html",
        portal,
        title="留言查询",
        crumbs=[{"label": "留言查询"}],
        status=status,
        form=form,
    )


def _may_reopen(message, now):
    return (
        message.status in ANSWERED_STATUSES
        and message.reopen_count == 0
        and message.replied_at is not None
        and now - message.replied_at <= timedelta(days=REOPEN_DAYS)
    )


def _detail(request, portal, message, *, rate_form=None, reopen_form=None, status=200):
    now = timezone.now()
    may_rate = message.status == Status.REPLIED
    may_reopen = _may_reopen(message, now)
    return show(
        request,
        "follow_detail.html",
        portal,
        title=f"留言办理情况：{message.number}",
        crumbs=[
            {"label": "留言查询", "url": reverse("interaction:follow")},
            {"label": message.number},
        ],
        status=status,
        message=message,
        timeline=list(queries.writer_timeline(message)),
        replies=list(queries.sent_replies(message)),
        is_open=message.status in OPEN_STATUSES,
        rate_form=(rate_form or RateForm()) if may_rate else None,
        reopen_form=(reopen_form or ReopenForm()) if may_reopen else None,
    )


def _follow_or_redirect(request, number):
    number = _number(number)
    message = _followed(request, number)
    if message is None:
        return None, redirect(reverse("interaction:follow") + "?" + urlencode({"number": number}))
    return message, None


@never_cache
@require_GET
def follow_detail(request, number):
    portal = current_portal(request)
    message, response = _follow_or_redirect(request, number)
    if response is not None:
        return response
    return _detail(request, portal, message)


def _writer(request):
    return request.user if request.user.is_authenticated else None


@never_cache
@require_POST
def rate(request, number):
    portal = current_portal(request)
    message, response = _follow_or_redirect(request, number)
    if response is not None:
        return response
    form = RateForm(request.POST)
    if form.is_valid():
        try:
            actions.rate(
                message=message,
                satisfaction=form.cleaned_data["satisfaction"],
                comment=form.cleaned_data["comment"],
                user=_writer(request),
                request=request,
            )
        except ValidationError as exc:
            add_action_errors(form, exc)
        except actions.StateError as exc:
            form.add_error(None, exc.message)
        else:
            flash.success(request, "感谢您的评价！")
            return redirect("interaction:follow_detail", number=message.number)
    message.refresh_from_db()
    if message.status != Status.REPLIED:
        # No rating form on the page any more: its error goes to the page's top.
        flash.error(request, " ".join(form.non_field_errors()) or "这条留言现在不能评价。")
    return _detail(request, portal, message, rate_form=form, status=400)


@never_cache
@require_POST
def reopen(request, number):
    portal = current_portal(request)
    message, response = _follow_or_redirect(request, number)
    if response is not None:
        return response
    form = ReopenForm(request.POST)
    if form.is_valid():
        try:
            actions.reopen(
                message=message,
                reason=form.cleaned_data["reason"],
                user=_writer(request),
                request=request,
            )
        except ValidationError as exc:
            add_action_errors(form, exc)
        except actions.StateError as exc:
            form.add_error(None, exc.message)
        else:
            flash.success(request, "已转回承办部门重新办理，答复期限重新计算。")
            return redirect("interaction:follow_detail", number=message.number)
    message.refresh_from_db()
    if not _may_reopen(message, timezone.now()):
        flash.error(request, " ".join(form.non_field_errors()) or "这条留言现在不能重新办理。")
    return _detail(request, portal, message, reopen_form=form, status=400)


@never_cache
@require_GET
def mine(request):
    portal = current_portal(request)
    if not request.user.is_authenticated:
        return login_redirect(request)
    page_obj = Paginator(queries.writer_messages(request.user), PER_PAGE).get_page(
        request.GET.get("page")
    )
    return show(
        request,
        "mine.html",
        portal,
        title="我的留言",
        crumbs=[{"label": "我的留言"}],
        page_obj=page_obj,
    )


# Published letters ------------------------------------------------------------------------


@public_page
@require_GET
def published(request, number):
    portal = current_portal(request)
    message = queries.published_message(portal.home, _number(number))
    if message is None:
        raise Http404("没有这封公开的来信。")
    return show(
        request,
        "published.html",
        portal,
        title=message.public_title,
        crumbs=[{"label": message.public_title}],
        meta={"published": message.published_at, "description": message.public_body},
        message=message,
    )
