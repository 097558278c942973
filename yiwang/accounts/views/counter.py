"""The service-centre counter (政务服务中心窗口): a clerk with ``accounts.verify_identity``
finds a citizen by the resident ID number on the card or by a verified mobile, checks the
card against the account and raises it to real-name level 3, or registers the number on the
card for an account that has none.

Every lookup is audited (``accounts.id_number_lookup``, ``accounts.mobile_lookup``), and the
citizen's page opens only for citizens the clerk looked up in this session, so no account is
seen without a lookup in the audit log. Numbers travel in POST bodies only, never in URLs.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from yiwang.core.audit import record
from yiwang.core.masking import mask_id_number, mask_mobile

from .. import events
from ..actions import set_id_number, verify_identity_at_counter
from ..actions.identity import normalize_id_number
from ..centre_forms import CounterRegisterIdForm, CounterSearchForm, CounterVerifyForm
from ..decorators import staff_permission_required
from ..models import User, UserKind
from ..queries import find_by_id_number

PERMISSION = "accounts.verify_identity"
SESSION_KEY = "accounts_counter_citizens"
REMEMBERED = 20


def counter_view(view):
    return never_cache(staff_permission_required(PERMISSION)(view))


def _remember(request, citizen):
    seen = [pk for pk in request.session.get(SESSION_KEY, []) if pk != citizen.pk]
    request.session[SESSION_KEY] = [citizen.pk, *seen][:REMEMBERED]


def _citizen(request, user_id):
    if user_id not in request.session.get(SESSION_KEY, []):
        raise Http404("请先按身份证号码或手机号码查找该群众。")
    return get_object_or_404(User, pk=user_id, kind=UserKind.NATURAL)


def _lookup(request, *, id_number, mobile):
    """The natural person found, with the lookup written to the audit log."""
    if id_number:
        number = normalize_id_number(id_number)
        citizen = find_by_id_number(number)
        action, detail = events.ID_NUMBER_LOOKUP, {"id_number": mask_id_number(number)}
    else:
        citizen = User.objects.filter(mobile=mobile, mobile_verified_at__isnull=False).first()
        action, detail = events.MOBILE_LOOKUP, {"mobile": mask_mobile(mobile)}
    if citizen is not None and citizen.kind != UserKind.NATURAL:
        citizen = None
    detail["found"] = citizen is not None
    with transaction.atomic():
        record(action=action, actor=request.user, obj=citizen, request=request, detail=detail)
    return citizen


@counter_view
def search(request):
    form = CounterSearchForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            citizen = _lookup(
                request,
                id_number=form.cleaned_data["id_number"],
                mobile=form.cleaned_data["mobile"],
            )
        except ValidationError as exc:
            form.add_action_error(exc)
        else:
            if citizen is not None:
                _remember(request, citizen)
                return redirect("accounts:counter_citizen", user_id=citizen.pk)
            form.add_error(
                None,
                "未找到对应的自然人账号。请群众先注册账号并登记身份证号码，"
                "或在其账号页面由窗口代为登记。",
            )
    return render(request, "accounts/counter/search.html", {"form": form})


def _citizen_page(request, citizen, *, verify_form=None, register_form=None, status=200):
    return render(
        request,
        "accounts/counter/citizen.html",
        {
            "citizen": citizen,
            "masked_mobile": mask_mobile(citizen.mobile),
            "verify_form": verify_form or CounterVerifyForm(),
            "register_form": register_form
            or CounterRegisterIdForm(prefix="register", initial={"name": citizen.display_name}),
        },
        status=status,
    )


@counter_view
def citizen(request, user_id):
    return _citizen_page(request, _citizen(request, user_id))


@counter_view
@require_POST
def verify(request, user_id):
    person = _citizen(request, user_id)
    form = CounterVerifyForm(request.POST)
    if form.is_valid():
        try:
            verify_identity_at_counter(
                user=person,
                id_number=form.cleaned_data["id_number"],
                acting_user=request.user,
                request=request,
            )
        except ValidationError as exc:
            person.refresh_from_db()
            form.add_action_error(exc)
        else:
            messages.success(request, f"{person} 的身份已核验通过，实名等级升为三级。")
            return redirect("accounts:counter_citizen", user_id=person.pk)
    return _citizen_page(request, person, verify_form=form)


@counter_view
@require_POST
def register_id_number(request, user_id):
    person = _citizen(request, user_id)
    if person.id_number_digest:
        messages.error(request, "该账号已登记身份证号码。")
        return redirect("accounts:counter_citizen", user_id=person.pk)
    form = CounterRegisterIdForm(request.POST, prefix="register")
    if form.is_valid():
        try:
            set_id_number(
                user=person,
                id_number=form.cleaned_data["id_number"],
                name=form.cleaned_data["name"],
                acting_user=request.user,
                request=request,
            )
        except ValidationError as exc:
            person.refresh_from_db()
            form.add_action_error(exc)
        else:
            messages.success(
                request, f"已为 {person} 登记身份证号码。请对照证件再次输入号码完成核验。"
            )
            return redirect("accounts:counter_citizen", user_id=person.pk)
    return _citizen_page(request, person, register_form=form)


urlpatterns = [
    path("counter/", search, name="counter"),
    path("counter/<int:user_id>/", citizen, name="counter_citizen"),
    path("counter/<int:user_id>/verify/", verify, name="counter_verify"),
    path("counter/<int:user_id>/id-number/", register_id_number, name="counter_register_id"),
]
