"""Every write of 公众参与.

Rules for every function: keyword-only arguments; one transaction; an audit row
(``yiwang.core.audit.record``, names in ``events.py``) in it, as its last write. Bad input
raises ``ValidationError`` with Chinese messages, keyed by the form field where there is
one (a closed consultation or survey too: the form keeps what was written); acting
without the right raises ``PermissionDenied``; a step the current state does not allow
raises ``StateError`` (``AlreadyResponded`` for a second survey response).

Who may do what:
- the public (any logged-in, active account) comments while a consultation is open, asks
  an interview questions until it ends, answers a survey once while it is open;
- moderators, i.e. exactly those who may edit the page (``queries.may_moderate``),
  approve or reject comments and questions, record adoption outcomes, put the host's
  questions and type the guests' answers.

Nothing here has side effects outside the database: the public pages read the rows on
their next request, and the live interview page polls for new answers.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from yiwang.core import audit

from . import events, queries
from .constants import (
    HOST_NAME,
    MAX_ANSWER_LENGTH,
    MAX_COMMENT_LENGTH,
    MAX_COMMENTS_PER_PERSON,
    MAX_FREE_ANSWER_LENGTH,
    MAX_QUESTION_LENGTH,
    MAX_QUESTIONS_PER_PERSON,
    MAX_REASON_LENGTH,
    Adoption,
    ModerationStatus,
    Phase,
    QuestionKind,
)
from .masking import public_name
from .models import (
    ConsultationComment,
    InterviewAnswer,
    InterviewQuestion,
    SurveyAnswer,
    SurveyQuestion,
    SurveyResponse,
)

APPROVE = "approve"
REJECT = "reject"
DECISIONS = (APPROVE, REJECT)


class StateError(Exception):
    """The page or the item is not in a state that allows this (Chinese message)."""


class AlreadyResponded(StateError):
    """The person has answered this survey already."""


# --- helpers ---------------------------------------------------------------------------------


def _when(value):
    return f"{timezone.localtime(value):%Y年%-m月%-d日 %H:%M}"


def _writer(user):
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        raise PermissionDenied("请先登录。")


def _moderator(actor, page):
    if not queries.may_moderate(actor, page):
        raise PermissionDenied(
            "您没有管理该页面的权限：只有可以编辑该页面的工作人员才能审核和回复。"
        )


def _text(value, field, *, required, max_length):
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: required})
    if len(value) > max_length:
        raise ValidationError(
            {field: f"内容过长：最多 {max_length} 个字，当前 {len(value)} 个字。"}
        )
    return value


def _reason(value, *, required_message=None):
    value = (value or "").strip()
    if required_message and not value:
        raise ValidationError({"reason": required_message})
    if len(value) > MAX_REASON_LENGTH:
        raise ValidationError({"reason": f"说明过长：最多 {MAX_REASON_LENGTH} 个字。"})
    return value


def _live(page, what):
    if not page.live:
        raise StateError(f"该{what}尚未发布或已撤下。")


def _decision(decision, reason):
    if decision not in DECISIONS:
        raise ValidationError({"decision": "请选择“通过”或“不通过”。"})
    return _reason(reason, required_message="不通过时请填写理由。" if decision == REJECT else None)


def _locked(model, pk):
    # Only the row itself: the page's rows stay free for its editors.
    return model.objects.select_for_update(of=("self",)).select_related("page").get(pk=pk)


def _moderate(item, *, actor, decision, reason):
    item.status = ModerationStatus.APPROVED if decision == APPROVE else ModerationStatus.REJECTED
    item.moderated_by = actor
    item.moderated_at = timezone.now()
    item.moderation_reason = reason
    item.save(update_fields=["status", "moderated_by", "moderated_at", "moderation_reason"])


# --- 意见征集 --------------------------------------------------------------------------------


def submit_comment(*, page, user, text, article=None, anonymous=False, request=None, now=None):
    """``user`` comments on consultation ``page``: on the whole draft, or on ``article``
    (one of the page's). Accepted only while the consultation is open; pending until a
    moderator approves it. Refuses an identical second comment and more than
    ``MAX_COMMENTS_PER_PERSON`` per person. Returns the comment."""
    _writer(user)
    _live(page, "意见征集")
    now = now or timezone.now()
    phase = page.phase(now)
    if phase == Phase.UPCOMING:
        raise ValidationError(f"本次意见征集将于 {_when(page.opens_at)} 开始，届时欢迎提出意见。")
    if phase == Phase.CLOSED:
        raise ValidationError(
            f"本次意见征集已于 {_when(page.closes_at)} 截止，不再接收意见。感谢您的关注。"
        )
    if article is not None and article.page_id != page.pk:
        raise ValidationError({"article": "请选择本征求意见稿中的条文。"})
    text = _text(text, "text", required="请填写您的意见。", max_length=MAX_COMMENT_LENGTH)
    with transaction.atomic():
        mine = ConsultationComment.objects.filter(page=page, author=user)
        if mine.filter(text=text, article=article).exists():
            raise ValidationError({"text": "您已提交过相同内容的意见，请勿重复提交。"})
        if mine.count() >= MAX_COMMENTS_PER_PERSON:
            raise ValidationError(
                f"每人对同一征求意见稿最多提交 {MAX_COMMENTS_PER_PERSON} 条意见，您已达到上限。"
            )
        comment = ConsultationComment.objects.create(
            page=page,
            article=article,
            article_label=article.label if article else "",
            author=user,
            public_name=public_name(user, anonymous=anonymous),
            anonymous=bool(anonymous),
            text=text,
            submitted_at=now,
        )
        audit.record(
            action=events.COMMENT_SUBMITTED,
            actor=user,
            obj=comment,
            detail={
                "page": page.pk,
                "article": article.pk if article else None,
                "anonymous": bool(anonymous),
                "length": len(text),
            },
            request=request,
        )
    return comment


def moderate_comment(*, comment, actor, decision, reason="", request=None):
    """Approve (publish) or reject a comment; rejecting needs a reason, which the writer sees
    on their own list. A published comment may be rejected later (taken down) unless it has
    an adoption outcome; a rejected one may be approved after all."""
    reason = _decision(decision, reason)
    with transaction.atomic():
        comment = _locked(ConsultationComment, comment.pk)
        _moderator(actor, comment.page)
        if decision == REJECT and comment.adoption:
            raise StateError("该意见已填写采纳情况，不能设为不通过；请先清除其采纳情况。")
        before = comment.status
        _moderate(comment, actor=actor, decision=decision, reason=reason)
        audit.record(
            action=events.COMMENT_MODERATED,
            actor=actor,
            obj=comment,
            detail={"page": comment.page_id, "from": before, "to": comment.status},
            request=request,
        )
    return comment


def approve_comments(*, page, comment_ids, actor, request=None):
    """Approve the pending comments of ``page`` among ``comment_ids`` (others are left as they
    are). Returns how many were approved."""
    _moderator(actor, page)
    ids = [int(pk) for pk in comment_ids if str(pk).isdigit()]
    approved = 0
    with transaction.atomic():
        pending = (
            ConsultationComment.objects.select_for_update()
            .filter(page=page, pk__in=ids, status=ModerationStatus.PENDING)
            .order_by("pk")
        )
        for comment in pending:
            _moderate(comment, actor=actor, decision=APPROVE, reason="")
            audit.record(
                action=events.COMMENT_MODERATED,
                actor=actor,
                obj=comment,
                detail={"page": page.pk, "from": ModerationStatus.PENDING, "to": comment.status},
                request=request,
            )
            approved += 1
    return approved


def record_adoption(*, comment, actor, outcome, reason="", request=None):
    """Record what became of a published comment (采纳 / 部分采纳 / 未采纳, with the reason,
    required unless adopted); an empty ``outcome`` clears it. Public with the page's
    feedback report once the consultation has closed."""
    if outcome not in ("", *Adoption.values):
        raise ValidationError({"outcome": "请选择采纳情况。"})
    reason = _reason(
        reason,
        required_message="请说明部分采纳或未采纳的理由。"
        if outcome in (Adoption.PARTLY, Adoption.NOT_ADOPTED)
        else None,
    )
    with transaction.atomic():
        comment = _locked(ConsultationComment, comment.pk)
        _moderator(actor, comment.page)
        if comment.status != ModerationStatus.APPROVED:
            raise StateError("只能为已公开的意见填写采纳情况。")
        before = comment.adoption
        comment.adoption = outcome
        comment.adoption_reason = reason if outcome else ""
        comment.adoption_by = actor if outcome else None
        comment.adoption_at = timezone.now() if outcome else None
        comment.save(update_fields=["adoption", "adoption_reason", "adoption_by", "adoption_at"])
        audit.record(
            action=events.ADOPTION_RECORDED,
            actor=actor,
            obj=comment,
            detail={"page": comment.page_id, "from": before, "to": outcome},
            request=request,
        )
    return comment


# --- 在线访谈 --------------------------------------------------------------------------------


def ask_question(*, page, user, text, anonymous=False, request=None, now=None):
    """``user`` asks interview ``page`` a question: from its publication until it ends, if it
    accepts questions. Pending until a moderator approves it. Returns the question."""
    _writer(user)
    _live(page, "访谈")
    if not page.accepts_questions:
        raise ValidationError("本次访谈不接受网友提问。")
    now = now or timezone.now()
    phase = page.phase(now)
    if phase == Phase.CLOSED:
        raise ValidationError(f"本次访谈已于 {_when(page.ends_at)} 结束，不再接收提问。")
    text = _text(text, "text", required="请填写您的问题。", max_length=MAX_QUESTION_LENGTH)
    with transaction.atomic():
        mine = InterviewQuestion.objects.filter(page=page, asker=user)
        if mine.filter(text=text).exists():
            raise ValidationError({"text": "您已提过相同的问题，请勿重复提交。"})
        if mine.count() >= MAX_QUESTIONS_PER_PERSON:
            raise ValidationError(
                f"每人对同一场访谈最多提 {MAX_QUESTIONS_PER_PERSON} 个问题，您已达到上限。"
            )
        question = InterviewQuestion.objects.create(
            page=page,
            asker=user,
            public_name=public_name(user, anonymous=anonymous),
            anonymous=bool(anonymous),
            asked_live=phase == Phase.OPEN,
            text=text,
            asked_at=now,
        )
        audit.record(
            action=events.QUESTION_ASKED,
            actor=user,
            obj=question,
            detail={
                "page": page.pk,
                "live": question.asked_live,
                "anonymous": bool(anonymous),
                "length": len(text),
            },
            request=request,
        )
    return question


def post_host_question(*, page, actor, text, request=None, now=None):
    """A moderator puts the host's question (or a question gathered by phone or letter),
    published at once under 主持人. Returns the question."""
    _moderator(actor, page)
    text = _text(text, "text", required="请填写问题。", max_length=MAX_QUESTION_LENGTH)
    now = now or timezone.now()
    with transaction.atomic():
        question = InterviewQuestion.objects.create(
            page=page,
            public_name=HOST_NAME,
            from_host=True,
            asked_live=page.phase(now) == Phase.OPEN,
            text=text,
            asked_at=now,
            status=ModerationStatus.APPROVED,
            moderated_by=actor,
            moderated_at=now,
        )
        audit.record(
            action=events.HOST_QUESTION_POSTED,
            actor=actor,
            obj=question,
            detail={"page": page.pk, "length": len(text)},
            request=request,
        )
    return question


def moderate_question(*, question, actor, decision, reason="", request=None):
    """Approve or reject a question (rejecting needs a reason). Rejecting an answered one
    takes it and its answers off the page and the transcript."""
    reason = _decision(decision, reason)
    with transaction.atomic():
        question = _locked(InterviewQuestion, question.pk)
        _moderator(actor, question.page)
        before = question.status
        _moderate(question, actor=actor, decision=decision, reason=reason)
        audit.record(
            action=events.QUESTION_MODERATED,
            actor=actor,
            obj=question,
            detail={"page": question.page_id, "from": before, "to": question.status},
            request=request,
        )
    return question


def answer_question(*, question, actor, guest, text, request=None, now=None):
    """A moderator types ``guest``'s answer to ``question`` (a pending question is approved
    with it). Allowed once the interview has started, and after it ends to complete the
    transcript. The answer joins the live feed at once. Returns the answer."""
    if guest is None:
        raise ValidationError({"guest": "请选择回答问题的嘉宾。"})
    text = _text(text, "text", required="请填写回答内容。", max_length=MAX_ANSWER_LENGTH)
    now = now or timezone.now()
    with transaction.atomic():
        question = _locked(InterviewQuestion, question.pk)
        page = question.page
        _moderator(actor, page)
        if guest.page_id != page.pk:
            raise ValidationError({"guest": "请选择本次访谈的嘉宾。"})
        if page.phase(now) == Phase.UPCOMING:
            raise StateError("访谈尚未开始，开始后才能发布嘉宾的回答。")
        if question.status == ModerationStatus.REJECTED:
            raise StateError("该问题未通过审核，不能回答。")
        approved_now = question.status == ModerationStatus.PENDING
        if approved_now:
            _moderate(question, actor=actor, decision=APPROVE, reason="")
        answer = InterviewAnswer.objects.create(
            question=question,
            guest=guest,
            guest_label=guest.label,
            text=text,
            answered_at=now,
            answered_by=actor,
        )
        audit.record(
            action=events.QUESTION_ANSWERED,
            actor=actor,
            obj=answer,
            detail={
                "page": page.pk,
                "question": question.pk,
                "guest": guest.pk,
                "approved_with_answer": approved_now,
                "length": len(text),
            },
            request=request,
        )
    return answer


# --- 网上调查 --------------------------------------------------------------------------------


def field_name(question):
    """The form field (and error key) of a survey question."""
    return f"q_{question.pk}"


def _clean_answer(number, question, value):
    """The rows one question's answer makes, or raise ``ValidationError`` on its field."""
    name = field_name(question)
    options = question.option_list
    if question.kind == QuestionKind.TEXT:
        text = (value or "").strip() if isinstance(value, str) else ""
        if not text:
            if question.required:
                raise ValidationError({name: f"第 {number} 题为必答题，请填写。"})
            return []
        if len(text) > MAX_FREE_ANSWER_LENGTH:
            raise ValidationError({name: f"回答过长：最多 {MAX_FREE_ANSWER_LENGTH} 个字。"})
        return [SurveyAnswer(question=question, text=text)]
    if value in (None, "", []):
        values = []
    elif isinstance(value, list | tuple | set):
        values = list(value)
    else:
        values = [value]
    try:
        indexes = sorted({int(v) for v in values})
    except (TypeError, ValueError):
        raise ValidationError({name: "请选择列出的选项。"}) from None
    if any(not 0 <= index < len(options) for index in indexes):
        raise ValidationError({name: "请选择列出的选项。"})
    if not indexes:
        if question.required:
            what = "请选择一项" if question.kind == QuestionKind.SINGLE else "请至少选择一项"
            raise ValidationError({name: f"第 {number} 题为必答题，{what}。"})
        return []
    if question.kind == QuestionKind.SINGLE and len(indexes) > 1:
        raise ValidationError({name: "本题为单选题，只能选择一项。"})
    if question.max_choices and len(indexes) > question.max_choices:
        raise ValidationError({name: f"本题最多选择 {question.max_choices} 项。"})
    return [
        SurveyAnswer(question=question, option_index=index, option_label=options[index])
        for index in indexes
    ]


def submit_survey(*, page, user, answers, request=None, now=None):
    """``user`` answers survey ``page``: ``answers`` maps each question's id to an option
    index (single), a list of them (multiple) or a text. Every question is checked, and all
    errors are raised at once, each on its question's field (``q_<id>``). Accepted only while
    the survey is open, once per person: the second raises ``AlreadyResponded``, also when
    it races the first (the unique constraint decides). Returns the response."""
    _writer(user)
    _live(page, "调查")
    now = now or timezone.now()
    phase = page.phase(now)
    if phase == Phase.UPCOMING:
        raise ValidationError(f"本次调查将于 {_when(page.opens_at)} 开始，届时欢迎参与。")
    if phase == Phase.CLOSED:
        raise ValidationError(f"本次调查已于 {_when(page.closes_at)} 结束，不再接收答卷。")
    if queries.has_responded(page, user):
        raise AlreadyResponded("您已参与过本次调查，感谢您的支持！")
    answers = answers or {}
    rows, errors = [], {}
    questions = SurveyQuestion.objects.filter(page=page).order_by("sort_order", "pk")
    for number, question in enumerate(questions, start=1):
        try:
            rows += _clean_answer(number, question, answers.get(question.pk))
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    if not rows:
        raise ValidationError("请至少回答一题后再提交。")
    with transaction.atomic():
        try:
            with transaction.atomic():
                response = SurveyResponse.objects.create(
                    page=page, respondent=user, submitted_at=now
                )
        except IntegrityError:
            raise AlreadyResponded("您已参与过本次调查，感谢您的支持！") from None
        for row in rows:
            row.response = response
        SurveyAnswer.objects.bulk_create(rows)
        audit.record(
            action=events.SURVEY_SUBMITTED,
            actor=user,
            obj=response,
            detail={
                "page": page.pk,
                "questions_answered": len({row.question_id for row in rows}),
            },
            request=request,
        )
    return response
