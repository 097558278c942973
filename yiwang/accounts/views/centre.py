"""The personal centre (个人中心) at /accounts/centre/: my profile (real-name level, ID number,
mobile), my companies and agents, my login history.

Thin views: forms check the input, ``accounts.actions`` write, ``accounts.acting`` keeps the
legal person acted for. Every page is per-user and never cached.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from yiwang.core.masking import mask_address, mask_mobile
from yiwang.core.models import AuditEvent

from .. import acting, events
from ..actions import (
    authorize_agent,
    reveal_id_number,
    revoke_agent,
    send_mobile_code,
    set_id_number,
    verify_mobile,
)
from ..actions.legal import acting_label
from ..centre_forms import (
    BEIJING,
    AuthorizeAgentForm,
    IdNumberForm,
    MobileCodeForm,
    MobileForm,
    RevealIdNumberForm,
    RevokeAgentForm,
)
from ..models import AgentAuthorization, LegalPerson, RealNameLevel, UserKind

PENDING_MOBILE_KEY = "accounts_pending_mobile"
LOGINS_PER_PAGE = 20
# Wrong passwords at "查看完整号码" before it is refused for a while.
REVEAL_MAX_FAILURES = 5
REVEAL_LOCK_SECONDS = 900

LOGIN_ACTION_LABELS = {
    events.LOGIN: "登录",
    events.LOGIN_FAILED: "登录失败",
    events.LOCKED_OUT: "账号临时锁定",
    events.LOGOUT: "退出登录",
    events.LOGOUT_EVERYWHERE: "退出所有设备",
    events.SSO_LOGIN: "单点登录",
    events.PASSWORD_CHANGED: "修改密码",
    events.SECOND_FACTOR_FAILED: "动态口令验证失败",
}


def centre_view(view):
    return login_required(never_cache(view))


def _context(request, tab, **extra):
    return {"tab": tab, "acting_for": acting.acting_legal_person(request), **extra}


# 我的资料 ---------------------------------------------------------------------------------


def _profile(request, *, status=200, **forms):
    user = request.user
    context = _context(
        request,
        "profile",
        levels=RealNameLevel,
        is_natural=user.kind == UserKind.NATURAL,
        masked_mobile=mask_mobile(user.mobile),
        id_form=forms.get("id_form") or IdNumberForm(initial={"name": user.display_name}),
        reveal_form=forms.get("reveal_form") or RevealIdNumberForm(),
        mobile_form=forms.get("mobile_form") or MobileForm(),
        revealed_id_number=forms.get("revealed_id_number", ""),
        pending_mobile=mask_mobile(request.session.get(PENDING_MOBILE_KEY, "")),
    )
    return render(request, "accounts/centre/profile.html", context, status=status)


@centre_view
def profile(request):
    return _profile(request)


@centre_view
@require_POST
def id_number(request):
    form = IdNumberForm(request.POST)
    if form.is_valid():
        try:
            set_id_number(
                user=request.user,
                id_number=form.cleaned_data["id_number"],
                name=form.cleaned_data["name"],
                acting_user=request.user,
                request=request,
            )
        except ValidationError as exc:
            request.user.refresh_from_db()
            form.add_action_error(exc)
        else:
            messages.success(
                request, "身份证号码已登记。请携带居民身份证到政务服务中心窗口核验身份。"
            )
            return redirect("accounts:centre")
    return _profile(request, id_form=form)


@centre_view
@require_POST
def reveal(request):
    """Show the full ID number once, in this response only, after the password again."""
    form = RevealIdNumberForm(request.POST)
    user = request.user
    failures_key = f"accounts:reveal-failures:{user.pk}"
    if form.is_valid():
        if (cache.get(failures_key) or 0) >= REVEAL_MAX_FAILURES:
            form.add_error(None, "密码错误次数过多，请 15 分钟后再试。")
        elif not user.check_password(form.cleaned_data["password"]):
            cache.add(failures_key, 0, REVEAL_LOCK_SECONDS)
            try:
                cache.incr(failures_key)
            except ValueError:
                cache.set(failures_key, 1, REVEAL_LOCK_SECONDS)
            form.add_error("password", "密码不正确。")
        else:
            cache.delete(failures_key)
            try:
                full = reveal_id_number(
                    user=user, acting_user=user, request=request, reason="本人在个人中心查看"
                )
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
            else:
                return _profile(request, revealed_id_number=full)
    return _profile(request, reveal_form=form)


@centre_view
@require_POST
def mobile(request):
    form = MobileForm(request.POST)
    if form.is_valid():
        number = form.cleaned_data["mobile"].strip()
        try:
            send_mobile_code(user=request.user, mobile=number)
        except ValidationError as exc:
            form.add_action_error(exc)
        else:
            request.session[PENDING_MOBILE_KEY] = number
            messages.success(request, f"验证码已发送至 {mask_mobile(number)}。")
            return redirect("accounts:centre_mobile_verify")
    return _profile(request, mobile_form=form)


@centre_view
def mobile_verify(request):
    number = request.session.get(PENDING_MOBILE_KEY)
    if not number:
        messages.info(request, "请先填写要核验的手机号码并获取验证码。")
        return redirect("accounts:centre")
    if request.method == "POST" and "resend" in request.POST:
        try:
            send_mobile_code(user=request.user, mobile=number)
        except ValidationError as exc:
            for text in exc.messages:
                messages.error(request, text)
        else:
            messages.success(request, f"验证码已重新发送至 {mask_mobile(number)}。")
        return redirect("accounts:centre_mobile_verify")
    form = MobileCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            verify_mobile(
                user=request.user, mobile=number, code=form.cleaned_data["code"], request=request
            )
        except ValidationError as exc:
            request.user.refresh_from_db()
            if hasattr(exc, "error_dict"):
                form.add_action_error(exc)
            else:
                form.add_error("code", exc.messages)
        else:
            request.session.pop(PENDING_MOBILE_KEY, None)
            messages.success(request, "手机号码已核验，实名等级已升为二级。")
            return redirect("accounts:centre")
    return render(
        request,
        "accounts/centre/mobile_verify.html",
        _context(request, "profile", form=form, masked_mobile=mask_mobile(number)),
    )


# 我的企业与经办人 -------------------------------------------------------------------------


def _companies(request, *, authorize_forms=None, revoke_forms=None, status=200):
    user = request.user
    now = timezone.now()
    authorize_forms = authorize_forms or {}
    revoke_forms = revoke_forms or {}
    administered = list(
        LegalPerson.objects.filter(administrator=user)
        .order_by("name", "pk")
        .prefetch_related(
            Prefetch(
                "agents",
                queryset=AgentAuthorization.objects.filter(revoked_at__isnull=True)
                .select_related("agent")
                .order_by("granted_at", "pk"),
                to_attr="open_authorizations",
            )
        )
    )
    for legal_person in administered:
        legal_person.authorize_form = authorize_forms.get(legal_person.pk) or AuthorizeAgentForm(
            prefix=f"authorize-{legal_person.pk}"
        )
        for authorization in legal_person.open_authorizations:
            authorization.live = authorization.is_active(now)
            authorization.agent_mobile = mask_mobile(authorization.agent.mobile)
            prefix = f"revoke-{authorization.pk}"
            authorization.revoke_form = revoke_forms.get(prefix) or RevokeAgentForm(prefix=prefix)
    representing = list(
        AgentAuthorization.objects.filter(agent=user, revoked_at__isnull=True)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        .select_related("legal_person")
        .order_by("legal_person__name", "pk")
    )
    for authorization in representing:
        prefix = f"giveup-{authorization.pk}"
        authorization.revoke_form = revoke_forms.get(prefix) or RevokeAgentForm(prefix=prefix)
    context = _context(request, "companies", administered=administered, representing=representing)
    return render(request, "accounts/centre/companies.html", context, status=status)


@centre_view
def companies(request):
    return _companies(request)


@centre_view
@require_POST
def authorize(request, legal_person_id):
    legal_person = get_object_or_404(LegalPerson, pk=legal_person_id)
    if legal_person.administrator_id != request.user.pk:
        raise PermissionDenied("只有该法人的管理员可以授权经办人。")
    form = AuthorizeAgentForm(
        request.POST, prefix=f"authorize-{legal_person.pk}", administrator=request.user
    )
    if form.is_valid():
        agent = form.cleaned_data["agent"]
        try:
            authorize_agent(
                legal_person=legal_person,
                agent=agent,
                expires_at=form.cleaned_data["expires_at"],
                acting_user=request.user,
                request=request,
                on_behalf_of=acting_label(request.user, legal_person),
            )
        except ValidationError as exc:
            form.add_action_error(exc)
        else:
            messages.success(request, f"已授权 {agent} 为“{legal_person.name}”的经办人。")
            return redirect("accounts:centre_companies")
    return _companies(request, authorize_forms={legal_person.pk: form})


@centre_view
@require_POST
def revoke(request, authorization_id):
    authorization = get_object_or_404(
        AgentAuthorization.objects.select_related("legal_person", "agent"), pk=authorization_id
    )
    # The agent's own "give up" form and the administrator's "revoke" form differ in prefix
    # only, so that both can be on one page (an administrator may be an agent too).
    kind = "giveup" if request.POST.get("as_agent") else "revoke"
    prefix = f"{kind}-{authorization.pk}"
    form = RevokeAgentForm(request.POST, prefix=prefix)
    if form.is_valid():
        try:
            revoke_agent(
                authorization=authorization,
                acting_user=request.user,
                reason=form.cleaned_data["reason"],
                request=request,
                on_behalf_of=acting_label(request.user, authorization.legal_person),
            )
        except ValidationError as exc:
            form.add_action_error(exc)
        else:
            if authorization.agent_id == request.user.pk:
                text = f"你已放弃“{authorization.legal_person.name}”的经办人授权。"
            else:
                text = f"已撤销 {authorization.agent} 的经办人授权。"
            messages.success(request, text)
            return redirect("accounts:centre_companies")
    elif not (
        authorization.agent_id == request.user.pk
        or authorization.legal_person.administrator_id == request.user.pk
    ):
        # A bad form must not tell a stranger more than a good one would.
        raise PermissionDenied("你不能撤销这项授权。")
    return _companies(request, revoke_forms={prefix: form})


@centre_view
@require_POST
def act_for(request):
    legal_person = LegalPerson.objects.filter(pk=_int(request.POST.get("legal_person"))).first()
    if legal_person is None:
        messages.error(request, "未找到该法人。")
        return redirect("accounts:centre_companies")
    try:
        acting.start_acting(request, legal_person)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"你现在以“{legal_person.name}”的身份办事。")
    return redirect("accounts:centre_companies")


@centre_view
@require_POST
def act_as_self(request):
    previous = acting.stop_acting(request)
    if previous is not None:
        messages.success(request, "已切换回个人身份。")
    return redirect(_safe_next(request) or "accounts:centre_companies")


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _safe_next(request):
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return ""


# 登录记录 ---------------------------------------------------------------------------------


def login_history(user, page_number):
    """The user's own login-related audit rows, newest first, one page: two queries (the
    count and the rows) whatever the page size."""
    rows = (
        AuditEvent.objects.filter(action__in=events.LOGIN_HISTORY)
        .filter(Q(actor=user) | Q(object_type="accounts.user", object_id=str(user.pk)))
        .only("occurred_at", "action", "client_address", "detail")
        .order_by("-occurred_at", "-id")
    )
    page = Paginator(rows, LOGINS_PER_PAGE).get_page(page_number)
    page.rows = [
        {
            "time": timezone.localtime(event.occurred_at, BEIJING),
            "action": LOGIN_ACTION_LABELS.get(event.action, event.action),
            "failed": event.action
            in {events.LOGIN_FAILED, events.LOCKED_OUT, events.SECOND_FACTOR_FAILED},
            # Behind trusted proxies the login actions keep the client's own address here.
            "address": mask_address(
                (event.detail.get("client") if isinstance(event.detail, dict) else None)
                or event.client_address
            ),
        }
        for event in page.object_list
    ]
    return page


@centre_view
def logins(request):
    page = login_history(request.user, request.GET.get("page"))
    return render(
        request,
        "accounts/centre/logins.html",
        _context(request, "logins", page=page),
    )


urlpatterns = [
    path("centre/", profile, name="centre"),
    path("centre/id-number/", id_number, name="centre_id_number"),
    path("centre/id-number/reveal/", reveal, name="centre_reveal_id_number"),
    path("centre/mobile/", mobile, name="centre_mobile"),
    path("centre/mobile/verify/", mobile_verify, name="centre_mobile_verify"),
    path("centre/companies/", companies, name="centre_companies"),
    path(
        "centre/companies/<int:legal_person_id>/agents/",
        authorize,
        name="centre_authorize_agent",
    ),
    path(
        "centre/authorizations/<int:authorization_id>/revoke/",
        revoke,
        name="centre_revoke_agent",
    ),
    path("centre/acting/", act_for, name="centre_act_for"),
    path("centre/acting/stop/", act_as_self, name="centre_act_as_self"),
    path("centre/logins/", logins, name="centre_logins"),
]
