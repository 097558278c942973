"""公众参与 in the back office, under /admin/participation/ (menu 公众参与).

- 意见征集 (``consultations/``): the consultations the user may edit, with their pending
  comments; one consultation's comments by status, approve (one or many) or reject with a
  reason, and each published comment's adoption outcome (采纳情况). The feedback report
  itself is a field of the page, edited and published through the page's workflow.
- 在线访谈 (``interviews/``): the questions by status, approve or reject, the host's
  questions, and the guests' answers typed during (or after) the interview.
- 网上调查 (``surveys/``): results with the free answers, and a CSV export.

Who may: exactly the staff who may edit the page (``queries.may_moderate``); anybody else
gets a 403 (audited by the platform's handler), also for a page id that exists elsewhere.
Every POST redirects back with a Chinese message, or re-renders the list with the form's
errors next to its fields (status 400).
"""

import csv

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST
from wagtail.admin import messages
from wagtail.admin.menu import Menu, MenuItem, SubmenuMenuItem

from yiwang.core.forms import add_action_errors
from yiwang.core.masking import mask_mobile
from yiwang.core.views import permission_denied

from . import actions, queries
from .constants import ModerationStatus, Phase, QuestionKind
from .forms import AdoptionForm, AnswerForm, HostQuestionForm, ModerationForm
from .models import (
    ConsultationComment,
    ConsultationPage,
    InterviewPage,
    InterviewQuestion,
    SurveyPage,
    SurveyResponse,
)

PER_PAGE = 30
TEXTS_SHOWN = 50

SECTIONS = (
    ("participation_admin:consultations", "意见征集", ConsultationPage),
    ("participation_admin:interviews", "在线访谈", InterviewPage),
    ("participation_admin:surveys", "网上调查", SurveyPage),
)


def denied(request, exc=None):
    return permission_denied(request, exc or PermissionDenied())


class SectionMenuItem(MenuItem):
    def __init__(self, *args, model, **kwargs):
        super().__init__(*args, **kwargs)
        self.model = model

    def is_shown(self, request):
        return queries.may_moderate_any(request.user, self.model)


def menu_item():
    items = [
        SectionMenuItem(label, reverse(name), name=name.split(":")[1], model=model, order=i)
        for i, (name, label, model) in enumerate(SECTIONS)
    ]
    return SubmenuMenuItem(
        "公众参与", Menu(items=items), name="participation", icon_name="group", order=270
    )


def _nav(user):
    return [
        (reverse(name), label)
        for name, label, model in SECTIONS
        if queries.may_moderate_any(user, model)
    ]


def _render(request, template, context, *, status=200):
    context = {"nav": _nav(request.user), **context}
    return TemplateResponse(request, template, context, status=status)


def _moderated(request, model, page_id):
    """The page when the user may moderate it; ``PermissionDenied`` otherwise."""
    page = model.objects.filter(pk=page_id).first()
    if page is None:
        raise Http404("页面不存在。")
    if not queries.may_moderate(request.user, page):
        raise PermissionDenied("您没有管理该页面的权限。")
    return page


def _guarded(model):
    """Load ``page_id`` as a page of ``model`` the user may moderate, or answer 403."""

    def decorator(view):
        def wrapped(request, page_id, *args, **kwargs):
            try:
                page = _moderated(request, model, page_id)
            except PermissionDenied as exc:
                return denied(request, exc)
            return view(request, page, *args, **kwargs)

        wrapped.__name__ = view.__name__
        wrapped.__doc__ = view.__doc__
        return wrapped

    return decorator


def _status_tab(request, tabs, default):
    value = request.GET.get("status", default)
    return value if value in dict(tabs) else default


def _call(request, call, form, *, done):
    """Run an action for a valid form: ``None`` on success (a message is queued), the
    denial response, or ``False`` when errors went into ``form``."""
    try:
        call()
    except PermissionDenied as exc:
        return denied(request, exc)
    except actions.StateError as exc:
        messages.error(request, str(exc))
        return None
    except ValidationError as exc:
        add_action_errors(form, exc)
        return False
    messages.success(request, done)
    return None


def index(request):
    for url, _label in _nav(request.user):
        return redirect(url)
    return denied(request)


def _page_rows(request, model, row_model=None):
    if row_model is None:
        pages = list(queries.moderatable_pages(request.user, model))
        rows = [{"page": p} for p in pages]
    else:
        rows = queries.pages_with_counts(request.user, model, row_model)
    titles = queries.portal_titles([row["page"] for row in rows])
    now = timezone.now()
    for row in rows:
        row["portal"] = titles.get(row["page"].pk, "")
        row["phase_label"] = row["page"].phase_label(now)
    return rows


# 意见征集 ---------------------------------------------------------------------------------

COMMENT_TABS = (
    (ModerationStatus.PENDING, "待审核"),
    (ModerationStatus.APPROVED, "已公开"),
    (ModerationStatus.REJECTED, "未通过"),
    ("all", "全部"),
)


def consultations(request):
    if not queries.may_moderate_any(request.user, ConsultationPage):
        return denied(request)
    rows = _page_rows(request, ConsultationPage, ConsultationComment)
    return _render(
        request,
        "participation/admin/consultations.html",
        {"page_title": "意见征集", "rows": rows},
    )


def _writer(user):
    if user is None:
        return "（账号已注销）"
    mobile = mask_mobile(getattr(user, "mobile", "") or "")
    return f"{user}（{mobile}）" if mobile else str(user)


def _consultation_page(request, page, *, bound=None, only=None, status=200):
    """The comments of ``page`` on the chosen tab; with ``only`` (a form of it had errors)
    just that one, whatever its status."""
    state = _status_tab(request, COMMENT_TABS, ModerationStatus.PENDING)
    comments = ConsultationComment.objects.filter(page=page).select_related("author")
    if only is not None:
        comments, state = comments.filter(pk=only.pk), "all"
    elif state != "all":
        comments = comments.filter(status=state)
    page_obj = Paginator(comments.order_by("submitted_at", "pk"), PER_PAGE).get_page(
        request.GET.get("page")
    )
    bound = bound or {}
    rows = []
    for comment in page_obj:
        rows.append(
            {
                "comment": comment,
                "writer": _writer(comment.author),
                "moderation": bound.get(("m", comment.pk))
                or ModerationForm(prefix=f"m{comment.pk}"),
                "adoption": bound.get(("a", comment.pk))
                or AdoptionForm(
                    prefix=f"a{comment.pk}",
                    initial={"outcome": comment.adoption, "reason": comment.adoption_reason},
                ),
            }
        )
    all_comments = ConsultationComment.objects.filter(page=page)
    return _render(
        request,
        "participation/admin/consultation.html",
        {
            "page_title": "意见征集",
            "subject": page,
            "phase_label": page.phase_label(),
            "closed": page.phase() == Phase.CLOSED,
            "rows": rows,
            "page_obj": page_obj,
            "tabs": COMMENT_TABS,
            "state": state,
            "only": only,
            "counts": {
                value: all_comments.filter(status=value).count()
                for value in ModerationStatus.values
            },
            "adoption": queries.adoption_summary(all_comments),
        },
        status=status,
    )


@_guarded(ConsultationPage)
def consultation(request, page):
    return _consultation_page(request, page)


def _back(request, name, page):
    url = reverse(name, args=[page.pk])
    query = request.POST.get("return_query", "")
    return redirect(f"{url}?{query}" if query and "\n" not in query else url)


@require_POST
@_guarded(ConsultationPage)
def comment_moderate(request, page, pk):
    comment = ConsultationComment.objects.filter(page=page, pk=pk).first()
    if comment is None:
        raise Http404("意见不存在。")
    form = ModerationForm(request.POST, prefix=f"m{pk}")
    if form.is_valid():
        result = _call(
            request,
            lambda: actions.moderate_comment(
                comment=comment,
                actor=request.user,
                decision=form.cleaned_data["decision"],
                reason=form.cleaned_data["reason"],
                request=request,
            ),
            form,
            done=f"意见 #{pk} 已审核。",
        )
        if result is None:
            return _back(request, "participation_admin:consultation", page)
        if result is not False:
            return result
    return _consultation_page(request, page, bound={("m", pk): form}, only=comment, status=400)


@require_POST
@_guarded(ConsultationPage)
def comment_adoption(request, page, pk):
    comment = ConsultationComment.objects.filter(page=page, pk=pk).first()
    if comment is None:
        raise Http404("意见不存在。")
    form = AdoptionForm(request.POST, prefix=f"a{pk}")
    if form.is_valid():
        result = _call(
            request,
            lambda: actions.record_adoption(
                comment=comment,
                actor=request.user,
                outcome=form.cleaned_data["outcome"],
                reason=form.cleaned_data["reason"],
                request=request,
            ),
            form,
            done=f"意见 #{pk} 的采纳情况已保存。",
        )
        if result is None:
            return _back(request, "participation_admin:consultation", page)
        if result is not False:
            return result
    return _consultation_page(request, page, bound={("a", pk): form}, only=comment, status=400)


@require_POST
@_guarded(ConsultationPage)
def comments_approve(request, page):
    ids = request.POST.getlist("comment")
    if not ids:
        messages.error(request, "请先勾选要通过的意见。")
        return _back(request, "participation_admin:consultation", page)
    try:
        count = actions.approve_comments(
            page=page, comment_ids=ids, actor=request.user, request=request
        )
    except PermissionDenied as exc:
        return denied(request, exc)
    messages.success(request, f"已通过 {count} 条意见。")
    return _back(request, "participation_admin:consultation", page)


# 在线访谈 ---------------------------------------------------------------------------------

QUESTION_TABS = (
    (ModerationStatus.PENDING, "待审核"),
    ("unanswered", "待回答"),
    ("answered", "已回答"),
    (ModerationStatus.REJECTED, "未通过"),
    ("all", "全部"),
)


def interviews(request):
    if not queries.may_moderate_any(request.user, InterviewPage):
        return denied(request)
    rows = _page_rows(request, InterviewPage, InterviewQuestion)
    return _render(
        request, "participation/admin/interviews.html", {"page_title": "在线访谈", "rows": rows}
    )


def _interview_page(request, page, *, bound=None, only=None, host_form=None, status=200):
    """The questions of ``page`` on the chosen tab; with ``only`` (a form of it had errors)
    just that one."""
    state = _status_tab(request, QUESTION_TABS, ModerationStatus.PENDING)
    questions = (
        InterviewQuestion.objects.filter(page=page)
        .select_related("asker")
        .prefetch_related("answers")
    )
    if only is not None:
        questions, state = questions.filter(pk=only.pk), "all"
    elif state == "unanswered":
        questions = questions.filter(status=ModerationStatus.APPROVED, answers=None)
    elif state == "answered":
        questions = questions.filter(status=ModerationStatus.APPROVED).exclude(answers=None)
    elif state != "all":
        questions = questions.filter(status=state)
    page_obj = Paginator(questions.distinct().order_by("asked_at", "pk"), PER_PAGE).get_page(
        request.GET.get("page")
    )
    guests = list(page.guests.all())
    bound = bound or {}
    phase = page.phase()
    rows = [
        {
            "question": q,
            "writer": HOST_LABEL if q.from_host else _writer(q.asker),
            "answers": list(q.answers.all()),
            "moderation": bound.get(("m", q.pk)) or ModerationForm(prefix=f"m{q.pk}"),
            "answer": bound.get(("a", q.pk)) or AnswerForm(prefix=f"a{q.pk}", guests=guests),
        }
        for q in page_obj
    ]
    return _render(
        request,
        "participation/admin/interview.html",
        {
            "page_title": "在线访谈",
            "subject": page,
            "phase_label": page.phase_label(),
            "may_answer": phase != Phase.UPCOMING,
            "rows": rows,
            "page_obj": page_obj,
            "tabs": QUESTION_TABS,
            "state": state,
            "only": only,
            "host_form": host_form or HostQuestionForm(),
            "feed_url": reverse("participation:feed", args=[page.pk]),
        },
        status=status,
    )


HOST_LABEL = "主持人（后台录入）"


@_guarded(InterviewPage)
def interview(request, page):
    return _interview_page(request, page)


def _question(page, pk):
    question = InterviewQuestion.objects.filter(page=page, pk=pk).first()
    if question is None:
        raise Http404("问题不存在。")
    return question


@require_POST
@_guarded(InterviewPage)
def question_moderate(request, page, pk):
    question = _question(page, pk)
    form = ModerationForm(request.POST, prefix=f"m{pk}")
    if form.is_valid():
        result = _call(
            request,
            lambda: actions.moderate_question(
                question=question,
                actor=request.user,
                decision=form.cleaned_data["decision"],
                reason=form.cleaned_data["reason"],
                request=request,
            ),
            form,
            done=f"问题 #{pk} 已审核。",
        )
        if result is None:
            return _back(request, "participation_admin:interview", page)
        if result is not False:
            return result
    return _interview_page(request, page, bound={("m", pk): form}, only=question, status=400)


@require_POST
@_guarded(InterviewPage)
def question_answer(request, page, pk):
    question = _question(page, pk)
    form = AnswerForm(request.POST, prefix=f"a{pk}", guests=list(page.guests.all()))
    if form.is_valid():
        result = _call(
            request,
            lambda: actions.answer_question(
                question=question,
                actor=request.user,
                guest=form.chosen_guest(),
                text=form.cleaned_data["text"],
                request=request,
            ),
            form,
            done=f"问题 #{pk} 的回答已发布。",
        )
        if result is None:
            return _back(request, "participation_admin:interview", page)
        if result is not False:
            return result
    return _interview_page(request, page, bound={("a", pk): form}, only=question, status=400)


@require_POST
@_guarded(InterviewPage)
def host_question(request, page):
    form = HostQuestionForm(request.POST)
    if form.is_valid():
        result = _call(
            request,
            lambda: actions.post_host_question(
                page=page, actor=request.user, text=form.cleaned_data["text"], request=request
            ),
            form,
            done="主持人提问已发布，请在“待回答”中录入嘉宾的回答。",
        )
        if result is None:
            # The host's question waits for its answer on the 待回答 tab.
            url = reverse("participation_admin:interview", args=[page.pk])
            return redirect(f"{url}?status=unanswered")
        if result is not False:
            return result
    return _interview_page(request, page, host_form=form, status=400)


# 网上调查 ---------------------------------------------------------------------------------


def surveys(request):
    if not queries.may_moderate_any(request.user, SurveyPage):
        return denied(request)
    rows = _page_rows(request, SurveyPage)
    counts = dict(
        SurveyResponse.objects.filter(page__in=[row["page"].pk for row in rows])
        .order_by()
        .values_list("page")
        .annotate(n=Count("pk"))
    )
    for row in rows:
        row["responses"] = counts.get(row["page"].pk, 0)
    return _render(
        request, "participation/admin/surveys.html", {"page_title": "网上调查", "rows": rows}
    )


@_guarded(SurveyPage)
def survey(request, page):
    return _render(
        request,
        "participation/admin/survey.html",
        {
            "page_title": "网上调查",
            "subject": page,
            "phase_label": page.phase_label(),
            "responses": page.responses.count(),
            "results": queries.survey_results(page, include_text=True, text_limit=TEXTS_SHOWN),
            "has_multiple": page.questions.filter(kind=QuestionKind.MULTIPLE).exists(),
            "texts_shown": TEXTS_SHOWN,
            "results_public": page.results_public(),
        },
    )


@_guarded(SurveyPage)
def survey_export(request, page):
    """The results as CSV (UTF-8 with a byte-order mark, for Excel): counts per option and
    every free answer, without who answered."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, f"调查结果-{page.pk}.csv")
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow(["题号", "题目", "题型", "选项或回答", "人数", "比例（%）"])
    for row in queries.survey_results(page, include_text=True):
        question = row["question"]
        kind = question.get_kind_display()
        if question.is_choice:
            for option in row["options"]:
                writer.writerow(
                    [
                        row["number"],
                        question.text,
                        kind,
                        option["label"],
                        option["count"],
                        option["percent"],
                    ]
                )
        else:
            for text in row.get("texts", []):
                writer.writerow([row["number"], question.text, kind, _safe_cell(text), "", ""])
        writer.writerow([row["number"], question.text, kind, "作答人数", row["answered"], ""])
    return response


def _safe_cell(value):
    # A free answer starting with =, +, - or @ would run as a formula in a spreadsheet.
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value


urlpatterns = [
    path("", index, name="index"),
    path("consultations/", consultations, name="consultations"),
    path("consultations/<int:page_id>/", consultation, name="consultation"),
    path(
        "consultations/<int:page_id>/comments/<int:pk>/moderate/",
        comment_moderate,
        name="comment_moderate",
    ),
    path(
        "consultations/<int:page_id>/comments/<int:pk>/adoption/",
        comment_adoption,
        name="comment_adoption",
    ),
    path("consultations/<int:page_id>/approve/", comments_approve, name="comments_approve"),
    path("interviews/", interviews, name="interviews"),
    path("interviews/<int:page_id>/", interview, name="interview"),
    path("interviews/<int:page_id>/host/", host_question, name="host_question"),
    path(
        "interviews/<int:page_id>/questions/<int:pk>/moderate/",
        question_moderate,
        name="question_moderate",
    ),
    path(
        "interviews/<int:page_id>/questions/<int:pk>/answer/",
        question_answer,
        name="question_answer",
    ),
    path("surveys/", surveys, name="surveys"),
    path("surveys/<int:page_id>/", survey, name="survey"),
    path("surveys/<int:page_id>/export.csv", survey_export, name="survey_export"),
]
