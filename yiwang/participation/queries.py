"""Reads of 公众参与: what the public pages show (approved items only, under their masked
names, never an account's data), the live interview feed, survey results, and who may
moderate which page (its Wagtail page permissions)."""

from django.core.paginator import Paginator
from django.db.models import Count, Q
from wagtail.models import Page
from wagtail.permission_policies.pages import PagePermissionPolicy

from .constants import (
    FEED_BATCH,
    FEED_POLL_SECONDS,
    Adoption,
    ModerationStatus,
    Phase,
    QuestionKind,
)
from .models import (
    ConsultationComment,
    InterviewAnswer,
    InterviewQuestion,
    SurveyAnswer,
    SurveyQuestion,
)

COMMENTS_PER_PAGE = 20


# Who may moderate ------------------------------------------------------------------------


def may_moderate(user, page):
    """Whether ``user`` may moderate what the public sent to ``page``: exactly those who may
    edit the page (Wagtail page permissions: the site's editors and reviewers, superusers)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return page.permissions_for_user(user).can_edit()


def moderatable_pages(user, model):
    """The pages of ``model`` (live or not) ``user`` may moderate, by title."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return model.objects.none()
    editable = PagePermissionPolicy().instances_user_has_any_permission_for(user, {"change"})
    pages = model.objects.all()
    if not user.is_superuser:
        pages = pages.filter(pk__in=editable.values("pk"))
    return pages.order_by("-" + model.opens_field, "-pk")


def may_moderate_any(user, model):
    return moderatable_pages(user, model).exists()


def live_page(model, page_id, *, site=None):
    """The live, public page of ``model`` with ``page_id`` on ``site`` (the request's
    portal), or None: a page of another portal is not found here."""
    page = model.objects.live().public().filter(pk=page_id).first()
    if page is None:
        return None
    if site is not None and not page.path.startswith(site.root_page.path):
        return None
    return page


def _none(model):
    return model.objects.none()


# 意见征集 ---------------------------------------------------------------------------------


def adoption_summary(comments):
    """Counts of approved comments by adoption outcome, and of those without one."""
    counts = dict(
        comments.filter(status=ModerationStatus.APPROVED)
        .order_by()
        .values_list("adoption")
        .annotate(n=Count("pk"))
    )
    return {
        "adopted": counts.get(Adoption.ADOPTED, 0),
        "partly": counts.get(Adoption.PARTLY, 0),
        "not_adopted": counts.get(Adoption.NOT_ADOPTED, 0),
        "undecided": counts.get("", 0),
    }


def consultation_public(page, request, *, now=None):
    """What the consultation page shows: the articles with their numbers of published
    comments, the published comments (``?article=<id>`` narrows them to one article,
    ``?article=whole`` to the whole draft), counts, and after closing the feedback report
    with each comment's outcome."""
    articles = list(page.articles.all())
    # A preview of a page not saved yet has no rows.
    comments = (
        ConsultationComment.objects.filter(page=page) if page.pk else _none(ConsultationComment)
    )
    approved = comments.filter(status=ModerationStatus.APPROVED)
    per_article = dict(
        approved.exclude(article=None).order_by().values_list("article").annotate(n=Count("pk"))
    )
    chosen = request.GET.get("article", "")
    shown = approved
    chosen_article = None
    if chosen == "whole":
        shown = shown.filter(article_label="")
    elif chosen.isdigit():
        chosen_article = next((a for a in articles if a.pk == int(chosen)), None)
        shown = shown.filter(article=chosen_article) if chosen_article else shown
        chosen = chosen if chosen_article else ""
    else:
        chosen = ""
    comment_page = Paginator(
        shown.only(
            "pk",
            "article_label",
            "public_name",
            "text",
            "submitted_at",
            "adoption",
            "adoption_reason",
        ).order_by("submitted_at", "pk"),
        COMMENTS_PER_PAGE,
    ).get_page(request.GET.get("page"))
    totals = comments.aggregate(
        received=Count("pk"),
        approved=Count("pk", filter=Q(status=ModerationStatus.APPROVED)),
        whole=Count("pk", filter=Q(status=ModerationStatus.APPROVED, article_label="")),
    )
    feedback = page.feedback_published(now)
    return {
        "articles": [{"article": a, "comments": per_article.get(a.pk, 0)} for a in articles],
        "comment_page": comment_page,
        "comment_query": f"article={chosen}" if chosen else "",
        "chosen_article": chosen_article,
        "chosen": chosen,
        "totals": totals,
        "feedback_published": feedback,
        "adoption": adoption_summary(comments) if feedback else None,
        # A preview of an unsaved page has nowhere to send a comment yet.
        "accepting": page.phase(now) == Phase.OPEN and page.pk is not None,
    }


# 在线访谈 ---------------------------------------------------------------------------------


def _feed_answers(page):
    return (
        InterviewAnswer.objects.filter(
            question__page=page, question__status=ModerationStatus.APPROVED
        )
        .select_related("question")
        .only(
            "pk",
            "guest_label",
            "text",
            "answered_at",
            "question__id",
            "question__public_name",
            "question__text",
            "question__asked_at",
            "question__from_host",
        )
        .order_by("pk")
    )


def transcript(page):
    """The interview's published questions and answers, each question once with its answers
    in order, in the order questions were first answered; and the last answer's id."""
    entries = {}
    last_id = 0
    for answer in _feed_answers(page):
        question = answer.question
        entry = entries.setdefault(question.pk, {"question": question, "answers": []})
        entry["answers"].append(answer)
        last_id = answer.pk
    return list(entries.values()), last_id


def interview_public(page, *, now=None):
    # A preview of an unsaved page has no rows.
    entries, last_id = transcript(page) if page.pk else ([], 0)
    asked = InterviewQuestion.objects.filter(page=page, from_host=False) if page.pk else None
    return {
        "entries": entries,
        "last_answer_id": last_id,
        "guests": list(page.guests.all()),
        "questions_received": asked.count() if asked is not None else 0,
        "takes_questions": page.takes_questions(now) and page.pk is not None,
        "poll_seconds": FEED_POLL_SECONDS,
    }


def feed(page, *, after, now=None):
    """The answers published after answer id ``after``, as JSON-ready dicts (at most
    ``FEED_BATCH``; ``more`` says whether others follow), with the interview's phase."""
    answers = list(_feed_answers(page).filter(pk__gt=after)[: FEED_BATCH + 1])
    more = len(answers) > FEED_BATCH
    answers = answers[:FEED_BATCH]
    from django.utils import timezone

    def local(value):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")

    phase = page.phase(now)
    return {
        "phase": phase,
        "phase_label": page.phase_label(now),
        "ended": phase == Phase.CLOSED,
        "poll_seconds": FEED_POLL_SECONDS,
        "last_id": answers[-1].pk if answers else after,
        "more": more,
        "entries": [
            {
                "id": answer.pk,
                "question_id": answer.question.pk,
                "asker": answer.question.public_name,
                "question": answer.question.text,
                "asked_at": local(answer.question.asked_at),
                "guest": answer.guest_label,
                "answer": answer.text,
                "answered_at": local(answer.answered_at),
            }
            for answer in answers
        ],
    }


# 网上调查 ---------------------------------------------------------------------------------


def survey_results(page, *, include_text=False, text_limit=None):
    """Per question: how many responses answered it and, for a choice question, each
    option's count and share of those (a multiple-choice question's shares may add up to
    more than 100%). Free answers are counted; their texts only with ``include_text``
    (staff), newest first, at most ``text_limit`` each."""
    questions = list(SurveyQuestion.objects.filter(page=page).order_by("sort_order", "pk"))
    answers = SurveyAnswer.objects.filter(question__in=questions)
    answered = dict(
        answers.order_by().values_list("question").annotate(n=Count("response", distinct=True))
    )
    option_counts = {}
    for question_id, option_index, n in (
        answers.exclude(option_index=None)
        .order_by()
        .values_list("question", "option_index")
        .annotate(n=Count("pk"))
    ):
        option_counts[(question_id, option_index)] = n
    results = []
    for number, question in enumerate(questions, start=1):
        base = answered.get(question.pk, 0)
        row = {"number": number, "question": question, "answered": base, "options": []}
        if question.is_choice:
            for index, label in enumerate(question.option_list):
                count = option_counts.get((question.pk, index), 0)
                percent = round(100 * count / base, 1) if base else 0.0
                row["options"].append(
                    {
                        "label": label,
                        "count": count,
                        "percent": percent,
                        # For the SVG bar's width attribute, whatever the locale.
                        "width": f"{percent:.1f}",
                    }
                )
        elif include_text:
            texts = (
                answers.filter(question=question)
                .exclude(text="")
                .order_by("-response__submitted_at", "-pk")
                .values_list("text", flat=True)
            )
            row["texts"] = list(texts[:text_limit] if text_limit else texts)
        results.append(row)
    return results


def survey_public(page, *, now=None):
    public = page.results_public(now) and page.pk is not None
    questions = list(page.questions.all())
    return {
        "questions": questions,
        "has_multiple": any(q.kind == QuestionKind.MULTIPLE for q in questions),
        "responses": page.responses.count() if page.pk else 0,
        "results_public": public,
        "results": survey_results(page) if public else [],
        "accepting": page.phase(now) == Phase.OPEN and page.pk is not None,
    }


def has_responded(page, user):
    return (
        user is not None
        and user.is_authenticated
        and page.responses.filter(respondent=user).exists()
    )


# The back office -------------------------------------------------------------------------


def pages_with_counts(user, model, row_model, *, page_field="page"):
    """The pages ``user`` may moderate with their rows counted by moderation status."""
    pages = list(moderatable_pages(user, model))
    counts = {}
    for page_id, status, n in (
        row_model.objects.filter(**{f"{page_field}__in": [p.pk for p in pages]})
        .order_by()
        .values_list(page_field, "status")
        .annotate(n=Count("pk"))
    ):
        counts.setdefault(page_id, {})[status] = n
    return [
        {
            "page": p,
            "pending": counts.get(p.pk, {}).get(ModerationStatus.PENDING, 0),
            "approved": counts.get(p.pk, {}).get(ModerationStatus.APPROVED, 0),
            "rejected": counts.get(p.pk, {}).get(ModerationStatus.REJECTED, 0),
        }
        for p in pages
    ]


def portal_titles(pages):
    """``{page.pk: title of the portal it belongs to}`` in one query."""
    prefixes = {page.pk: page.path[: Page.steplen * 2] for page in pages}
    titles = dict(
        Page.objects.filter(depth=2, path__in=set(prefixes.values())).values_list("path", "title")
    )
    return {pk: titles.get(prefix, "") for pk, prefix in prefixes.items()}
