"""公众参与 data: three Wagtail page types a portal publishes in its 政民互动 column, and
the rows of what the public sends them.

- ``ParticipationIndexPage``: the column (意见征集, 在线访谈, 网上调查, or all three) listing
  its pages with their phase (征集中 / 直播中 / 已结束 …).
- ``ConsultationPage`` (意见征集): a draft split into articles (条), open from ``opens_at`` to
  ``closes_at``; ``ConsultationComment`` on the whole draft or one article, moderated, each
  approved one later given its adoption outcome (采纳情况), published with the page's
  ``feedback_report`` once the consultation has closed.
- ``InterviewPage`` (在线访谈): scheduled with guests; ``InterviewQuestion`` asked before or
  during it, moderated; ``InterviewAnswer`` typed by staff for a guest. The answers of
  approved questions are the live feed and, after the end, the archived transcript.
- ``SurveyPage`` (网上调查): questions (single, multiple, free text); one
  ``SurveyResponse`` per person (a unique constraint), its ``SurveyAnswer`` rows.

The pages go through the portal's editorial workflow like every page. The rows are written
only by ``actions.py``; reads that cross a permission line are in ``queries.py``.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Orderable, Page
from wagtail.search import index

from yiwang.orgs.models import Department
from yiwang.portal.constants import ColumnType
from yiwang.portal.models import MAX_PAGE_SIZE, PortalPage, SectionMixin, paginate

from .constants import (
    CHOICE_KINDS,
    FEEDBACK_PUBLISHED_LABEL,
    PHASE_LABELS,
    Adoption,
    ModerationStatus,
    Phase,
    QuestionKind,
)

PARTICIPATION_PAGE_TYPES = [
    "participation.ConsultationPage",
    "participation.InterviewPage",
    "participation.SurveyPage",
]
INDEX_PARENT_TYPES = ["portal.PortalHomePage", "portal.ColumnPage", "portal.SubsiteHomePage"]
KIND_LABELS = {"consultation": "意见征集", "interview": "在线访谈", "survey": "网上调查"}


def phase_between(opens, closes, now=None):
    """The phase of something open from ``opens`` (inclusive) to ``closes`` (exclusive)."""
    now = now or timezone.now()
    if opens is None or now < opens:
        return Phase.UPCOMING
    if closes is None or now < closes:
        return Phase.OPEN
    return Phase.CLOSED


# The index ---------------------------------------------------------------------------------


class ParticipationIndexPage(SectionMixin, PortalPage):
    """A column of consultations, interviews and surveys, each listed with its phase.
    ``?kind=consultation|interview|survey`` and ``?phase=upcoming|open|closed`` filter it;
    an unknown value is ignored."""

    intro = models.TextField("简介", blank=True)
    page_size = models.PositiveSmallIntegerField("每页条数", default=20)
    column_type = ColumnType.INTERACTION

    parent_page_types = INDEX_PARENT_TYPES
    subpage_types = PARTICIPATION_PAGE_TYPES

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("page_size")]
    show_in_menus_default = True

    class Meta:
        verbose_name = "公众参与栏目"

    def get_column(self):
        return self

    def clean(self):
        super().clean()
        if self.page_size is not None and not 1 <= self.page_size <= MAX_PAGE_SIZE:
            raise ValidationError({"page_size": f"每页条数应在 1 到 {MAX_PAGE_SIZE} 之间。"})

    def listing(self, *, kind=None, phase=None, now=None):
        """The live, public participation pages under this column, newest first, each
        annotated with ``starts`` and ``ends`` (its open and close times) and specific."""
        now = now or timezone.now()
        starts = Coalesce(
            F("consultationpage__opens_at"),
            F("interviewpage__starts_at"),
            F("surveypage__opens_at"),
        )
        ends = Coalesce(
            F("consultationpage__closes_at"),
            F("interviewpage__ends_at"),
            F("surveypage__closes_at"),
        )
        pages = (
            Page.objects.child_of(self)
            .live()
            .public()
            .annotate(starts=starts, ends=ends)
            .filter(starts__isnull=False)
        )
        models_by_kind = {model.kind: model for model in participation_models()}
        if kind in models_by_kind:
            pages = pages.exact_type(models_by_kind[kind])
        if phase == Phase.UPCOMING:
            pages = pages.filter(starts__gt=now)
        elif phase == Phase.OPEN:
            pages = pages.filter(starts__lte=now, ends__gt=now)
        elif phase == Phase.CLOSED:
            pages = pages.filter(ends__lte=now)
        return pages.order_by("-starts", "-pk").specific()

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        kind = request.GET.get("kind", "")
        kind = kind if kind in KIND_LABELS else ""
        phase = request.GET.get("phase", "")
        phase = phase if phase in Phase.values else ""
        query = {key: value for key, value in (("kind", kind), ("phase", phase)) if value}
        now = timezone.now()
        items = paginate(
            request, self.listing(kind=kind or None, phase=phase or None, now=now), self.page_size
        )
        from django.utils.http import urlencode

        def link(**changes):
            params = {**query, **changes}
            params = {key: value for key, value in params.items() if value}
            return f"?{urlencode(params)}" if params else "?"

        context.update(
            {
                "items": items,
                "rows": [{"page": item, "phase_label": item.phase_label(now)} for item in items],
                "kind": kind,
                "phase": phase,
                "query_string": urlencode(query),
                "kind_tabs": [
                    {"label": label, "url": link(kind=value), "current": kind == value}
                    for value, label in (("", "全部"), *KIND_LABELS.items())
                ],
                "phase_tabs": [
                    {"label": label, "url": link(phase=value), "current": phase == value}
                    for value, label in (
                        ("", "全部"),
                        (Phase.OPEN, "进行中"),
                        (Phase.UPCOMING, "未开始"),
                        (Phase.CLOSED, "已结束"),
                    )
                ],
                "sub_columns": self.section_children(),
            }
        )
        return context


# What the three page types share ---------------------------------------------------------


class ParticipationPage(PortalPage):
    """Fields and behaviour of consultations, interviews and surveys; no table of its own.
    Subclasses name their open and close fields (``opens_field``, ``closes_field``)."""

    kind = ""
    opens_field = "opens_at"
    closes_field = "closes_at"

    summary = models.TextField(
        "摘要", blank=True, help_text="在栏目列表和搜索结果中显示，也用作页面描述。"
    )
    department = models.ForeignKey(
        Department,
        verbose_name="责任部门",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    contact = models.CharField(
        "联系方式", max_length=200, blank=True, help_text="责任部门的联系电话、邮箱或地址。"
    )

    parent_page_types = ["participation.ParticipationIndexPage"]
    subpage_types = []

    search_fields = [*Page.search_fields, index.SearchField("summary")]

    class Meta:
        abstract = True

    @property
    def opens(self):
        return getattr(self, self.opens_field)

    @property
    def closes(self):
        return getattr(self, self.closes_field)

    def phase(self, now=None):
        return phase_between(self.opens, self.closes, now)

    def phase_label(self, now=None):
        return PHASE_LABELS[self.kind][self.phase(now)]

    @property
    def kind_label(self):
        return KIND_LABELS[self.kind]

    def clean(self):
        super().clean()
        opens, closes = self.opens, self.closes
        if opens and closes and closes <= opens:
            raise ValidationError({self.closes_field: "结束时间应晚于开始时间。"})

    def get_column(self):
        for page in reversed(self.get_ancestors().specific()):
            if isinstance(page, ParticipationIndexPage):
                return page
        return super().get_column()

    def national_meta(self, request):
        # A consultation, interview or survey is an article of its column for the national
        # meta tags (ArticleTitle, PubDate).
        meta = super().national_meta(request)
        published = self.first_published_at or self.opens
        meta["ArticleTitle"] = self.title
        meta["PubDate"] = (
            timezone.localtime(published).strftime("%Y-%m-%d %H:%M") if published else ""
        )
        return meta

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        now = timezone.now()
        context["now"] = now
        context["phase"] = self.phase(now)
        context["phase_label"] = self.phase_label(now)
        return context


def participation_models():
    return (ConsultationPage, InterviewPage, SurveyPage)


# 意见征集 ----------------------------------------------------------------------------------


class ConsultationPage(ParticipationPage):
    """A draft open for public comment (意见征集), article by article."""

    kind = "consultation"

    opens_at = models.DateTimeField("征集开始时间")
    closes_at = models.DateTimeField("征集截止时间")
    preamble = RichTextField(
        "起草说明", blank=True, help_text="起草背景、主要内容，以及提交意见的注意事项。"
    )
    draft_document = models.ForeignKey(
        "wagtaildocs.Document",
        verbose_name="征求意见稿全文",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    feedback_report = RichTextField(
        "意见采纳情况",
        blank=True,
        help_text="征集结束后填写并发布：意见总体情况、采纳与未采纳的理由。发布后与各条意见的"
        "采纳情况一并公开。",
    )

    search_fields = [
        *ParticipationPage.search_fields,
        index.SearchField("preamble"),
        index.RelatedFields("articles", [index.SearchField("number"), index.SearchField("text")]),
    ]
    content_panels = [
        *Page.content_panels,
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("opens_at"), FieldPanel("closes_at")]),
                FieldRowPanel([FieldPanel("department"), FieldPanel("contact")]),
            ],
            heading="征集安排",
        ),
        FieldPanel("summary"),
        FieldPanel("preamble"),
        FieldPanel("draft_document"),
        InlinePanel("articles", heading="征求意见稿条文", label="条文"),
        FieldPanel("feedback_report"),
    ]

    class Meta:
        verbose_name = "意见征集"

    def feedback_published(self, now=None):
        """The report shows once the consultation has closed and the report is written
        (and, like every field of the page, published through the workflow)."""
        return bool(self.feedback_report) and self.phase(now) == Phase.CLOSED

    def phase_label(self, now=None):
        if self.feedback_published(now):
            return FEEDBACK_PUBLISHED_LABEL
        return super().phase_label(now)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        from . import queries

        context.update(queries.consultation_public(self, request, now=context["now"]))
        return context


class ConsultationArticle(Orderable):
    """One article (条) of a consultation's draft."""

    page = ParentalKey(ConsultationPage, related_name="articles", on_delete=models.CASCADE)
    number = models.CharField("条号", max_length=30, help_text="例如“第一条”。")
    heading = models.CharField("条标题", max_length=100, blank=True)
    text = models.TextField("条文")

    panels = [FieldRowPanel([FieldPanel("number"), FieldPanel("heading")]), FieldPanel("text")]

    class Meta(Orderable.Meta):
        verbose_name = "条文"
        verbose_name_plural = "条文"

    def __str__(self):
        return self.label

    @property
    def label(self):
        return f"{self.number} {self.heading}".strip()


class ConsultationComment(models.Model):
    """A comment on a consultation, on the whole draft (no article) or on one article.
    Public once approved, under ``public_name`` only."""

    page = models.ForeignKey(
        ConsultationPage, verbose_name="意见征集", on_delete=models.CASCADE, related_name="comments"
    )
    # The article may later be removed from the draft; its label stays with the comment.
    article = models.ForeignKey(
        ConsultationArticle,
        verbose_name="条文",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="comments",
    )
    article_label = models.CharField("针对条文", max_length=140, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="提交人",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    public_name = models.CharField("公开署名", max_length=20)
    anonymous = models.BooleanField("匿名", default=False)
    text = models.TextField("意见内容")
    submitted_at = models.DateTimeField("提交时间", default=timezone.now, db_index=True)
    status = models.CharField(
        "审核状态",
        max_length=10,
        choices=ModerationStatus.choices,
        default=ModerationStatus.PENDING,
        db_index=True,
    )
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审核人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    moderated_at = models.DateTimeField("审核时间", null=True, blank=True)
    moderation_reason = models.TextField("审核说明", blank=True)
    adoption = models.CharField(
        "采纳情况", max_length=12, choices=Adoption.choices, blank=True, db_index=True
    )
    adoption_reason = models.TextField("采纳说明", blank=True)
    adoption_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="采纳情况填写人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    adoption_at = models.DateTimeField("采纳情况填写时间", null=True, blank=True)

    class Meta:
        verbose_name = "征集意见"
        verbose_name_plural = "征集意见"
        ordering = ["submitted_at", "pk"]
        indexes = [models.Index(fields=["page", "status"], name="participation_comment_status")]
        constraints = [
            # Only a published comment gets a published outcome.
            models.CheckConstraint(
                condition=Q(adoption="") | Q(status=ModerationStatus.APPROVED),
                name="participation_adoption_only_approved",
            )
        ]

    def __str__(self):
        return f"意见 #{self.pk}"

    @property
    def on_whole_draft(self):
        return not self.article_label


# 在线访谈 ----------------------------------------------------------------------------------


class InterviewPage(ParticipationPage):
    """An online interview (在线访谈): announced (预告), live (直播中) between ``starts_at``
    and ``ends_at``, then the archived transcript (已结束)."""

    kind = "interview"
    opens_field = "starts_at"
    closes_field = "ends_at"

    starts_at = models.DateTimeField("访谈开始时间")
    ends_at = models.DateTimeField("访谈结束时间")
    host = models.CharField("主持人", max_length=100, blank=True)
    intro = RichTextField("访谈介绍", blank=True)
    accepts_questions = models.BooleanField(
        "接受网友提问",
        default=True,
        help_text="页面发布后至访谈结束，登录用户可以提问；问题经审核后才会公开。",
    )
    video_url = models.URLField("视频地址", blank=True, help_text="直播或回放的地址（可选）。")
    recap = RichTextField("访谈综述", blank=True, help_text="访谈结束后显示在文字实录之前。")

    search_fields = [
        *ParticipationPage.search_fields,
        index.SearchField("intro"),
        index.SearchField("recap"),
    ]
    content_panels = [
        *Page.content_panels,
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("starts_at"), FieldPanel("ends_at")]),
                FieldRowPanel([FieldPanel("host"), FieldPanel("accepts_questions")]),
                FieldRowPanel([FieldPanel("department"), FieldPanel("contact")]),
            ],
            heading="访谈安排",
        ),
        FieldPanel("summary"),
        FieldPanel("intro"),
        InlinePanel("guests", heading="访谈嘉宾", label="嘉宾", min_num=1),
        FieldPanel("video_url"),
        FieldPanel("recap"),
    ]

    class Meta:
        verbose_name = "在线访谈"

    def takes_questions(self, now=None):
        return self.accepts_questions and self.phase(now) != Phase.CLOSED

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        from . import queries

        context.update(queries.interview_public(self, now=context["now"]))
        return context


class InterviewGuest(Orderable):
    page = ParentalKey(InterviewPage, related_name="guests", on_delete=models.CASCADE)
    name = models.CharField("姓名", max_length=50)
    position = models.CharField("职务", max_length=200, blank=True)
    bio = models.TextField("简介", blank=True)

    panels = [FieldRowPanel([FieldPanel("name"), FieldPanel("position")]), FieldPanel("bio")]

    class Meta(Orderable.Meta):
        verbose_name = "访谈嘉宾"
        verbose_name_plural = "访谈嘉宾"

    def __str__(self):
        return self.label

    @property
    def label(self):
        return f"{self.name}（{self.position}）" if self.position else self.name


class InterviewQuestion(models.Model):
    """A question to an interview, from a citizen (before or during it) or put by the
    host. Public once approved and answered."""

    page = models.ForeignKey(
        InterviewPage,
        verbose_name="在线访谈",
        on_delete=models.CASCADE,
        related_name="asked_questions",
    )
    asker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="提问人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    public_name = models.CharField("公开署名", max_length=20)
    anonymous = models.BooleanField("匿名", default=False)
    from_host = models.BooleanField("主持人提问", default=False)
    asked_live = models.BooleanField("直播中提问", default=False)
    text = models.TextField("问题")
    asked_at = models.DateTimeField("提问时间", default=timezone.now, db_index=True)
    status = models.CharField(
        "审核状态",
        max_length=10,
        choices=ModerationStatus.choices,
        default=ModerationStatus.PENDING,
        db_index=True,
    )
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审核人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    moderated_at = models.DateTimeField("审核时间", null=True, blank=True)
    moderation_reason = models.TextField("审核说明", blank=True)

    class Meta:
        verbose_name = "访谈提问"
        verbose_name_plural = "访谈提问"
        ordering = ["asked_at", "pk"]
        indexes = [models.Index(fields=["page", "status"], name="participation_question_status")]

    def __str__(self):
        return f"提问 #{self.pk}"


class InterviewAnswer(models.Model):
    """A guest's answer to a question, typed by staff. Ids rise in the order answers are
    published: the live feed hands out those after the last id a page has."""

    question = models.ForeignKey(
        InterviewQuestion, verbose_name="问题", on_delete=models.CASCADE, related_name="answers"
    )
    # The guest may later be removed from the page; the label stays with the answer.
    guest = models.ForeignKey(
        InterviewGuest,
        verbose_name="嘉宾",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="answers",
    )
    guest_label = models.CharField("回答人", max_length=260)
    text = models.TextField("回答")
    answered_at = models.DateTimeField("回答时间", default=timezone.now)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="录入人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = "嘉宾回答"
        verbose_name_plural = "嘉宾回答"
        ordering = ["pk"]

    def __str__(self):
        return f"回答 #{self.pk}"


# 网上调查 ----------------------------------------------------------------------------------


class SurveyPage(ParticipationPage):
    """A questionnaire (网上调查), one response per person. Results are public after it
    closes, and while it runs when ``results_while_open`` says so."""

    kind = "survey"

    opens_at = models.DateTimeField("调查开始时间")
    closes_at = models.DateTimeField("调查截止时间")
    intro = RichTextField("调查说明", blank=True)
    results_while_open = models.BooleanField(
        "调查期间公开结果",
        default=False,
        help_text="不勾选时，调查结束后才公开各题统计结果。文字回答始终不公开。",
    )

    search_fields = [*ParticipationPage.search_fields, index.SearchField("intro")]
    content_panels = [
        *Page.content_panels,
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("opens_at"), FieldPanel("closes_at")]),
                FieldRowPanel([FieldPanel("department"), FieldPanel("contact")]),
                FieldPanel("results_while_open"),
            ],
            heading="调查安排",
        ),
        FieldPanel("summary"),
        FieldPanel("intro"),
        InlinePanel("questions", heading="调查题目", label="题目", min_num=1),
    ]

    class Meta:
        verbose_name = "网上调查"

    def results_public(self, now=None):
        phase = self.phase(now)
        return phase == Phase.CLOSED or (phase == Phase.OPEN and self.results_while_open)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        from . import queries

        context.update(queries.survey_public(self, now=context["now"]))
        return context


class SurveyQuestion(Orderable):
    """One question of a survey. Choices are the lines of ``options``; once the question has
    answers its kind and options are fixed, so every count keeps its meaning."""

    page = ParentalKey(SurveyPage, related_name="questions", on_delete=models.CASCADE)
    text = models.CharField("题目", max_length=300)
    kind = models.CharField(
        "题型", max_length=10, choices=QuestionKind.choices, default=QuestionKind.SINGLE
    )
    required = models.BooleanField("必答", default=True)
    options = models.TextField("选项", blank=True, help_text="单选题、多选题填写，每行一个选项。")
    max_choices = models.PositiveSmallIntegerField(
        "最多可选", null=True, blank=True, help_text="多选题可选填写，不填则不限。"
    )
    help = models.CharField("填写说明", max_length=200, blank=True)

    panels = [
        FieldPanel("text"),
        FieldRowPanel([FieldPanel("kind"), FieldPanel("required"), FieldPanel("max_choices")]),
        FieldPanel("options"),
        FieldPanel("help"),
    ]

    class Meta(Orderable.Meta):
        verbose_name = "调查题目"
        verbose_name_plural = "调查题目"

    def __str__(self):
        return self.text

    @staticmethod
    def parse_options(value):
        return [line.strip() for line in (value or "").splitlines() if line.strip()]

    @property
    def option_list(self):
        return self.parse_options(self.options)

    @property
    def is_choice(self):
        return self.kind in CHOICE_KINDS

    def clean(self):
        super().clean()
        options = self.option_list
        if self.kind in CHOICE_KINDS:
            if len(options) < 2:
                raise ValidationError({"options": "选择题至少需要两个选项，每行一个。"})
            if len(set(options)) != len(options):
                raise ValidationError({"options": "选项不能重复。"})
            if any(len(option) > 200 for option in options):
                raise ValidationError({"options": "每个选项最多 200 个字。"})
        elif options:
            raise ValidationError({"options": "问答题不需要选项，请清空。"})
        if self.max_choices is not None:
            if self.kind != QuestionKind.MULTIPLE:
                raise ValidationError({"max_choices": "只有多选题可以设置最多可选项数。"})
            if not 1 <= self.max_choices <= len(options):
                raise ValidationError({"max_choices": f"最多可选应在 1 到 {len(options)} 之间。"})
        if self.pk and SurveyAnswer.objects.filter(question_id=self.pk).exists():
            stored = SurveyQuestion.objects.filter(pk=self.pk).values("kind", "options").first()
            if stored and (
                stored["kind"] != self.kind or self.parse_options(stored["options"]) != options
            ):
                raise ValidationError(
                    {"options": "本题已有答卷，不能再修改题型或选项；如需调整，请新建一项调查。"}
                )


class SurveyResponse(models.Model):
    """One person's response to a survey; the unique constraint makes a second one, even
    from a double submit racing the first, impossible."""

    page = models.ForeignKey(
        SurveyPage, verbose_name="网上调查", on_delete=models.CASCADE, related_name="responses"
    )
    respondent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="参与人",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    submitted_at = models.DateTimeField("提交时间", default=timezone.now)

    class Meta:
        verbose_name = "调查答卷"
        verbose_name_plural = "调查答卷"
        ordering = ["submitted_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["page", "respondent"], name="participation_one_response_per_person"
            )
        ]

    def __str__(self):
        return f"答卷 #{self.pk}"


class SurveyAnswer(models.Model):
    """One chosen option (a multiple-choice question gives one row per option) or one free
    answer of a response."""

    response = models.ForeignKey(
        SurveyResponse, verbose_name="答卷", on_delete=models.CASCADE, related_name="answers"
    )
    question = models.ForeignKey(
        SurveyQuestion,
        verbose_name="题目",
        null=True,
        on_delete=models.SET_NULL,
        related_name="answers",
    )
    option_index = models.PositiveSmallIntegerField("选项序号", null=True, blank=True)
    option_label = models.CharField("选项", max_length=200, blank=True)
    text = models.TextField("文字回答", blank=True)

    class Meta:
        verbose_name = "调查回答"
        verbose_name_plural = "调查回答"
        indexes = [
            models.Index(fields=["question", "option_index"], name="participation_answer_option")
        ]

    def __str__(self):
        return f"回答 #{self.pk}"
