"""The public's side of 公众参与, on every portal under /canyu/ (the pages themselves are
Wagtail pages in a portal's column; these are what a page links to).

- ``/canyu/yijian/<page id>/`` (``?article=<id>``): a logged-in person comments on a
  consultation, on the whole draft or on an article, and sees their own comments' status.
- ``/canyu/fangtan/<page id>/``: a logged-in person asks an interview a question.
- ``/canyu/fangtan/<page id>/feed.json?after=<answer id>``: the answers published after
  that id (the live page polls it); public, never cached.
- ``/canyu/diaocha/<page id>/``: a logged-in person answers a survey, once.

The Wagtail pages are the same for every visitor and carry no CSRF token; these pages are
per person and never cached. Anonymous visitors are sent to the platform's sign-on, back
here afterwards. A page of another portal, or not live, is not found. Thin views: the rules
are ``actions``' and ``queries``'.
"""

from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods
from wagtail.models import Site

from yiwang.core.forms import add_action_errors
from yiwang.core.views import permission_denied

from . import actions, queries
from .constants import ModerationStatus, Phase
from .forms import CommentForm, QuestionForm, SurveyForm
from .models import (
    ConsultationComment,
    ConsultationPage,
    InterviewPage,
    InterviewQuestion,
    SurveyPage,
)

# An answer id the feed accepts: digits, short enough for a 64-bit integer.
MAX_ID_DIGITS = 18


def _login_redirect(request):
    return redirect(
        reverse("accounts:sso_start") + "?" + urlencode({"next": request.get_full_path()})
    )


def _page(request, model, page_id):
    page = queries.live_page(model, page_id, site=Site.find_for_request(request))
    if page is None:
        raise Http404("页面不存在。")
    return page


def _render(request, template, page, *, action_label, status=200, **extra):
    """A form page in the portal's frame: breadcrumbs down to ``page`` and on to
    ``action_label``; the page's national meta tags."""
    site = Site.find_for_request(request)
    ancestors = page.get_ancestors().filter(depth__gte=site.root_page.depth if site else 2)
    crumbs = [
        {"label": "首页" if index == 0 else ancestor.title, "url": ancestor.get_url(request)}
        for index, ancestor in enumerate(ancestors)
    ]
    crumbs.append({"label": page.title, "url": page.get_url(request)})
    context = {
        "page": page,
        "crumbs": crumbs,
        "action_label": action_label,
        "national_meta": page.national_meta(request),
        "now": timezone.now(),
        "phase": page.phase(),
        "phase_label": page.phase_label(),
        **extra,
    }
    return render(request, template, context, status=status)


def _sent_url(name, page):
    return reverse(name, args=[page.pk]) + "?sent=1"


# 意见征集 ---------------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def comment(request, page_id):
    page = _page(request, ConsultationPage, page_id)
    if not request.user.is_authenticated:
        return _login_redirect(request)
    status = 200
    if request.method == "POST":
        form = CommentForm(request.POST, page=page)
        if form.is_valid():
            try:
                actions.submit_comment(
                    page=page,
                    user=request.user,
                    text=form.cleaned_data["text"],
                    article=form.chosen_article(),
                    anonymous=form.cleaned_data["anonymous"],
                    request=request,
                )
            except PermissionDenied as exc:
                return permission_denied(request, exc)
            except actions.StateError as exc:
                form.add_error(None, str(exc))
            except ValidationError as exc:
                add_action_errors(form, exc)
            else:
                return redirect(_sent_url("participation:comment", page))
        status = 400
    else:
        form = CommentForm(page=page)
        wanted = request.GET.get("article", "")
        if wanted in form.articles:
            form.initial["article"] = wanted
    chosen = form.articles.get(str(form["article"].value() or ""))
    return _render(
        request,
        "participation/comment_form.html",
        page,
        action_label="发表意见",
        status=status,
        form=form,
        chosen_article=chosen,
        accepting=page.phase() == Phase.OPEN,
        sent=request.method == "GET" and request.GET.get("sent") == "1",
        mine=ConsultationComment.objects.filter(page=page, author=request.user).order_by(
            "-submitted_at", "-pk"
        ),
        statuses=ModerationStatus,
    )


# 在线访谈 ---------------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def ask(request, page_id):
    page = _page(request, InterviewPage, page_id)
    if not request.user.is_authenticated:
        return _login_redirect(request)
    status = 200
    if request.method == "POST":
        form = QuestionForm(request.POST)
        if form.is_valid():
            try:
                actions.ask_question(
                    page=page,
                    user=request.user,
                    text=form.cleaned_data["text"],
                    anonymous=form.cleaned_data["anonymous"],
                    request=request,
                )
            except PermissionDenied as exc:
                return permission_denied(request, exc)
            except actions.StateError as exc:
                form.add_error(None, str(exc))
            except ValidationError as exc:
                add_action_errors(form, exc)
            else:
                return redirect(_sent_url("participation:ask", page))
        status = 400
    else:
        form = QuestionForm()
    return _render(
        request,
        "participation/question_form.html",
        page,
        action_label="我要提问",
        status=status,
        form=form,
        accepting=page.takes_questions(),
        sent=request.method == "GET" and request.GET.get("sent") == "1",
        mine=InterviewQuestion.objects.filter(page=page, asker=request.user).order_by(
            "-asked_at", "-pk"
        ),
        statuses=ModerationStatus,
    )


@never_cache
@require_GET
def feed(request, page_id):
    page = queries.live_page(InterviewPage, page_id, site=Site.find_for_request(request))
    if page is None:
        return JsonResponse({"error": "访谈不存在。"}, status=404)
    after = request.GET.get("after", "0").strip() or "0"
    if not (after.isascii() and after.isdigit() and len(after) <= MAX_ID_DIGITS):
        return JsonResponse({"error": "参数 after 应为非负整数。"}, status=400)
    return JsonResponse(queries.feed(page, after=int(after)))


# 网上调查 ---------------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def survey(request, page_id):
    page = _page(request, SurveyPage, page_id)
    if not request.user.is_authenticated:
        return _login_redirect(request)
    questions = list(page.questions.all())
    form = SurveyForm(questions=questions)
    status = 200
    notice = ""
    responded = queries.has_responded(page, request.user)
    if request.method == "POST":
        form = SurveyForm(request.POST, questions=questions)
        if responded:
            notice, status = "您已参与过本次调查，感谢您的支持！", 409
        elif form.is_valid():
            try:
                actions.submit_survey(
                    page=page, user=request.user, answers=form.answers(), request=request
                )
            except PermissionDenied as exc:
                return permission_denied(request, exc)
            except actions.AlreadyResponded as exc:
                notice, status, responded = str(exc), 409, True
            except actions.StateError as exc:
                form.add_error(None, str(exc))
                status = 400
            except ValidationError as exc:
                add_action_errors(form, exc)
                status = 400
            else:
                return redirect(_sent_url("participation:survey", page))
        else:
            status = 400
    return _render(
        request,
        "participation/survey_form.html",
        page,
        action_label="参与调查",
        status=status,
        form=form,
        accepting=page.phase() == Phase.OPEN,
        responded=responded,
        notice=notice,
        sent=request.method == "GET" and request.GET.get("sent") == "1",
        results_public=page.results_public(),
    )
