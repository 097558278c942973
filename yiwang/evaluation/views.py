"""Public pages of 好差评 on every portal, under /pingjia/.

- ``/pingjia/``: the portal's published figures per department (the portal's region and
  below, read from ``PublishedFigure`` only) and the published comments.
- ``/pingjia/cases/<number>/``: the applicant rates their case once; later they see their
  rating and, after a bad one, the rectification and its confirmation. Login required;
  anybody but the applicant gets the same 404 as for a number that does not exist.
- ``/pingjia/device/<key>/``: the rating tablet at a window (一次一评).

Thin views: the rules are ``actions``' and ``queries``'.
"""

from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_http_methods

from yiwang.accounts.acting import acting_legal_person
from yiwang.catalog.views import current_portal, page_context
from yiwang.core.views import permission_denied
from yiwang.hall.models import Case

from . import actions, queries
from .constants import AWAITING_CONFIRMATION, RatingChannel
from .forms import ApplicantConfirmForm, RatingForm
from .masking import mask_name
from .models import PublishedFigure, Rating, RatingDevice

PER_PAGE = 20
# The device page asks again this often (seconds) while it waits.
DEVICE_REFRESH_SECONDS = 3


def _context(request, *, title, crumbs, **extra):
    portal = current_portal(request)
    crumbs = [{"label": "好差评", "url": reverse("evaluation:index")}, *crumbs]
    return {
        **page_context(request, portal, crumbs=crumbs, title=title),
        "title": title,
        **extra,
    }


def _error_messages(exc):
    if hasattr(exc, "error_dict"):
        return [m for errors in exc.message_dict.values() for m in errors]
    return list(exc.messages)


def _add_errors(form, exc):
    general = []
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            if name in form.fields:
                for message in errors:
                    form.add_error(name, message)
            else:
                general.extend(errors)
    else:
        general.extend(exc.messages)
    return general


# The portal's figures and comments -------------------------------------------------------------


def _portal_region_ids(request):
    region = current_portal(request).region
    if region is None:
        return None, None
    from yiwang.supervision.roles import subtree_region_ids

    return region, subtree_region_ids(region)


def index(request):
    region, region_ids = _portal_region_ids(request)
    figures = PublishedFigure.objects.select_related("department", "region")
    comments = Rating.objects.filter(excluded=False, publish_comment=True).exclude(comment="")
    if region_ids is not None:
        figures = figures.filter(region_id__in=region_ids)
        comments = comments.filter(region_id__in=region_ids)
    figures = list(figures.order_by("region__code", "department__name"))
    page_obj = Paginator(
        comments.select_related("department").order_by("-rated_at", "-pk"), PER_PAGE
    ).get_page(request.GET.get("page"))
    totals = {
        "ratings": sum(f.ratings for f in figures),
        "satisfied": sum(f.satisfied for f in figures),
        "bad": sum(f.bad for f in figures),
        "rectified": sum(f.rectified for f in figures),
    }
    totals["satisfied_rate"] = (
        totals["satisfied"] / totals["ratings"] if totals["ratings"] else None
    )
    totals["rectification_rate"] = totals["rectified"] / totals["bad"] if totals["bad"] else None
    context = _context(
        request,
        title="好差评公开",
        crumbs=[],
        region=region,
        figures=figures,
        totals=totals,
        period=(figures[0].period_start, figures[0].period_end) if figures else None,
        computed_at=max((f.computed_at for f in figures), default=None),
        page_obj=page_obj,
        comments=[
            {"rating": r, "name": mask_name(r.rater_name), "department": r.department}
            for r in page_obj
        ],
    )
    context["crumbs"] = [{"label": "好差评"}]
    return render(request, "evaluation/index.html", context)


# The applicant rates ---------------------------------------------------------------------------


def _login_redirect(request):
    return redirect(
        reverse("accounts:sso_start") + "?" + urlencode({"next": request.get_full_path()})
    )


def _applicant_case(request, number):
    """The case when the request's user is its applicant; the same 404 otherwise."""
    case = Case.objects.filter(number="".join((number or "").split())).first()
    if case is None:
        raise Http404("办件不存在。")
    from yiwang.hall.queries import is_applicant

    if not is_applicant(request.user, case, legal_person=acting_legal_person(request)):
        raise Http404("办件不存在。")
    return case


def _case_page(request, case, *, form=None, confirm_form=None, errors=(), status=200):
    rating = queries.online_rating(case)
    rectification = getattr(rating, "rectification", None) if rating else None
    may_rate = rating is None and queries.may_rate(
        request.user, case, legal_person=acting_legal_person(request)
    )
    context = _context(
        request,
        title=f"评价办件 {case.number}",
        crumbs=[{"label": case.number}],
        case=case,
        rating=rating,
        indicator_rows=queries.indicator_rows(rating) if rating else [],
        rectification=rectification,
        follow_ups=list(rectification.follow_ups.all()) if rectification else [],
        may_rate=may_rate,
        form=form or (RatingForm() if may_rate else None),
        may_confirm=bool(
            rectification
            and rectification.state in AWAITING_CONFIRMATION
            and rating.rater_id == request.user.pk
        ),
        confirm_form=confirm_form or ApplicantConfirmForm(),
        errors=list(errors),
    )
    return render(request, "evaluation/case.html", context, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def case(request, number):
    if not request.user.is_authenticated:
        return _login_redirect(request)
    case = _applicant_case(request, number)
    if request.method == "GET":
        return _case_page(request, case)
    form = RatingForm(request.POST)
    if not form.is_valid():
        return _case_page(request, case, form=form, status=400)
    try:
        rating = actions.rate_case(
            case=case,
            user=request.user,
            level=form.cleaned_data["level"],
            indicators=form.indicators(),
            comment=form.cleaned_data["comment"],
            publish_comment=form.cleaned_data["publish_comment"],
            legal_person=acting_legal_person(request),
            request=request,
        )
    except PermissionDenied as exc:
        return permission_denied(request, exc)
    except actions.StateError as exc:
        from django.contrib import messages

        messages.error(request, str(exc))
        return redirect("evaluation:case", case.number)
    except ValidationError as exc:
        errors = _add_errors(form, exc)
        return _case_page(request, case, form=form, errors=errors, status=400)
    from django.contrib import messages

    if rating.is_bad:
        messages.success(
            request,
            "感谢您的评价。我们将在 "
            f"{rating.rectification.deadline:%Y年%-m月%-d日} 前回访并整改，结果会通知您。",
        )
    else:
        messages.success(request, "感谢您的评价！")
    return redirect("evaluation:case", case.number)


@require_http_methods(["POST"])
def confirm(request, number):
    """The applicant confirms (or not) the rectification of their bad rating."""
    if not request.user.is_authenticated:
        return _login_redirect(request)
    case = _applicant_case(request, number)
    rating = queries.online_rating(case)
    rectification = getattr(rating, "rectification", None) if rating else None
    if rectification is None:
        raise Http404("没有需要确认的整改。")
    form = ApplicantConfirmForm(request.POST)
    if not form.is_valid():
        return _case_page(request, case, confirm_form=form, status=400)
    from django.contrib import messages

    try:
        actions.confirm_as_applicant(
            rectification=rectification,
            user=request.user,
            satisfied=form.cleaned_data["satisfied"] == "yes",
            feedback=form.cleaned_data["feedback"],
            request=request,
        )
    except PermissionDenied as exc:
        return permission_denied(request, exc)
    except actions.StateError as exc:
        messages.error(request, str(exc))
    except ValidationError as exc:
        errors = _add_errors(form, exc)
        return _case_page(request, case, confirm_form=form, errors=errors, status=400)
    else:
        if form.cleaned_data["satisfied"] == "yes":
            messages.success(request, "感谢您的确认，本次差评整改已办结。")
        else:
            messages.success(request, "已将您的意见提交复核人员处理。")
    return redirect("evaluation:case", case.number)


# The device at the window -----------------------------------------------------------------------


def _device(key):
    device = RatingDevice.objects.select_related("department", "centre").filter(key=key).first()
    if device is None or not device.active:
        raise Http404("评价设备不存在或已停用。")
    return device


@never_cache
@xframe_options_sameorigin
@require_http_methods(["GET", "POST"])
def device(request, key):
    """Waiting screen (refreshing itself) or, when staff have invited, the offline
    indicators and five big buttons. No login: the key in the URL is the device's."""
    device = _device(key)
    thanks = request.GET.get("thanks") == "1"
    if request.method == "POST":
        invitation_id = request.POST.get("invitation")
        form = RatingForm(request.POST, channel=RatingChannel.ON_SITE)
        invitation = actions.waiting_invitation(device)
        if invitation is None or str(invitation.pk) != str(invitation_id):
            return _device_page(
                request, device, None, errors=["本次评价已结束，请等待工作人员再次发起评价。"]
            )
        if not form.is_valid():
            return _device_page(request, device, invitation, form=form, status=400)
        try:
            actions.rate_on_site(
                device=device,
                invitation_id=invitation.pk,
                level=form.cleaned_data["level"],
                indicators=form.indicators(),
                comment=form.cleaned_data["comment"],
                publish_comment=form.cleaned_data["publish_comment"],
                request=request,
            )
        except actions.StateError as exc:
            return _device_page(request, device, None, errors=[str(exc)])
        except ValidationError as exc:
            errors = _add_errors(form, exc)
            return _device_page(request, device, invitation, form=form, errors=errors, status=400)
        return redirect(reverse("evaluation:device", args=[device.key]) + "?thanks=1")
    invitation = None if thanks else actions.waiting_invitation(device)
    return _device_page(request, device, invitation, thanks=thanks)


def _device_page(request, device, invitation, *, form=None, errors=(), thanks=False, status=200):
    context = {
        "device": device,
        "invitation": invitation,
        "form": form or (RatingForm(channel=RatingChannel.ON_SITE) if invitation else None),
        "errors": list(errors),
        "thanks": thanks,
        "refresh": DEVICE_REFRESH_SECONDS if invitation is None else None,
        "now": timezone.localtime(),
    }
    return render(request, "evaluation/device.html", context, status=status)
