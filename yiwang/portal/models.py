"""Page types of the site group (集约化站群).

Every portal is a Wagtail ``Site`` whose root page is a ``PortalHomePage``. Content lives in
columns (栏目) grouped by channels (频道); department and township sites moved into a county
portal become ``SubsiteHomePage`` subtrees or plain columns (see ``migration.py``).
"""

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import IntegrityError, models, transaction
from django.db.models import Count, F, Q, Window
from django.db.models.functions import Coalesce, ExtractYear, RowNumber, Substr
from django.http import HttpResponse
from django.utils import feedgenerator, timezone
from django.utils.html import strip_tags
from django.utils.http import urlencode
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from taggit.models import TaggedItemBase
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import RichTextField
from wagtail.models import Orderable, Page, Site
from wagtail.search import index

from yiwang.orgs.models import Department, Region

from .constants import ColumnType, InterpretationForm, SubjectCategory, Validity

CONTENT_PAGE_TYPES = [
    "portal.ArticlePage",
    "portal.PolicyDocumentPage",
    "portal.PolicyInterpretationPage",
]
SECTION_PAGE_TYPES = [
    "portal.ChannelPage",
    "portal.ColumnPage",
    "portal.SubsiteHomePage",
    "portal.TopicPage",
    "portal.LeaderPage",
    "portal.OrganizationFunctionsPage",
    "portal.DisclosureCatalogPage",
]
# The column of consultations, interviews and surveys (yiwang.participation), placed on a
# portal's home page, in a column or in a sub-site.
PARTICIPATION_INDEX_TYPE = "participation.ParticipationIndexPage"


@register_setting(icon="site")
class PortalSettings(BaseSiteSetting):
    """What differs from one portal of the group to another, edited in the admin."""

    site_id_code = models.CharField(
        "网站标识码", max_length=20, blank=True, help_text="全国政府网站信息报送系统分配的标识码"
    )
    organizer = models.CharField("主办单位", max_length=200, blank=True)
    operator = models.CharField("承办单位", max_length=200, blank=True)
    icp_number = models.CharField("ICP备案号", max_length=50, blank=True)
    police_filing = models.CharField("公安机关备案号", max_length=50, blank=True)
    contact_phone = models.CharField("联系电话", max_length=50, blank=True)
    contact_address = models.CharField("联系地址", max_length=200, blank=True)
    error_report_url = models.CharField(
        "“我为政府网站找错”链接",
        max_length=500,
        default="https://zfwzzc.www.gov.cn/",
        help_text="互动模块上线前，可填写全国政府网站找错平台的本站入口。",
    )
    index_code = models.CharField(
        "索引号前缀",
        max_length=30,
        blank=True,
        help_text="通常为本机关统一社会信用代码或组织机构代码。",
    )
    index_number_rule = models.CharField(
        "索引号规则",
        max_length=100,
        default="{code}/{year}-{seq:05d}",
        help_text=(
            "可用占位符：{code} 索引号前缀，{year} 年份，{seq} 当年序号，{category} 主题分类代码。"
        ),
    )

    panels = [
        MultiFieldPanel(
            [FieldPanel("site_id_code"), FieldPanel("organizer"), FieldPanel("operator")],
            heading="网站信息",
        ),
        MultiFieldPanel(
            [
                FieldPanel("icp_number"),
                FieldPanel("police_filing"),
                FieldPanel("contact_phone"),
                FieldPanel("contact_address"),
                FieldPanel("error_report_url"),
            ],
            heading="页脚",
        ),
        MultiFieldPanel(
            [FieldPanel("index_code"), FieldPanel("index_number_rule")], heading="政府信息公开"
        ),
    ]

    class Meta:
        verbose_name = "门户设置"

    def clean(self):
        super().clean()
        try:
            self.format_index_number(year=2000, seq=1, category="00")
        except (KeyError, ValueError, IndexError) as exc:
            raise ValidationError({"index_number_rule": f"索引号规则无效：{exc}"}) from exc

    def format_index_number(self, *, year, seq, category):
        return self.index_number_rule.format(
            code=self.index_code or self.site_id_code or "000000",
            year=year,
            seq=seq,
            category=category,
        )


class IndexNumberSequence(models.Model):
    """The last index number issued on a site in a year. Incremented under a row lock
    (PostgreSQL) or an IMMEDIATE transaction (SQLite), so two documents never share one."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    last_value = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["site", "year"], name="index_sequence_per_site_year")
        ]

    def __str__(self):
        return f"{self.site_id}/{self.year}: {self.last_value}"

    @classmethod
    def next_value(cls, *, site, year):
        with transaction.atomic():
            try:
                with transaction.atomic():
                    cls.objects.get_or_create(site=site, year=year)
            except IntegrityError:
                pass
            cls.objects.filter(site=site, year=year).update(last_value=F("last_value") + 1)
            return cls.objects.get(site=site, year=year).last_value


class PageReadCount(models.Model):
    """Read counts, kept out of the page row so counting never touches revisions."""

    page = models.OneToOneField(
        Page, primary_key=True, on_delete=models.CASCADE, related_name="read_count"
    )
    count = models.PositiveBigIntegerField("阅读数", default=0)

    class Meta:
        verbose_name = "阅读数"
        verbose_name_plural = "阅读数"

    def __str__(self):
        return f"{self.page_id}: {self.count}"


def site_root_for_path(path):
    """The site whose root page is ``path`` or one of its ancestors (works before save)."""
    steplen = Page.steplen
    candidates = [path[:i] for i in range(steplen, len(path) + 1, steplen)]
    return (
        Site.objects.filter(root_page__path__in=candidates)
        .order_by("-root_page__depth")
        .select_related("root_page")
        .first()
    )


# Public listings. Content pages live in three tables; listing them together orders them by
# their publish dates coalesced, so one query serves every type and pagination stays exact.
HOME_ITEMS_PER_COLUMN = 6
FEED_ITEMS = 20
MAX_PAGE_SIZE = 100
CATALOG_PAGE_SIZE = 20


def content_models():
    return (ArticlePage, PolicyDocumentPage, PolicyInterpretationPage)


def content_listing(queryset=None):
    """The live, public content pages of ``queryset`` (all pages by default), newest first,
    each annotated with ``sort_date`` (its publish date). Sections are left out."""
    queryset = Page.objects.all() if queryset is None else queryset
    sort_date = Coalesce(
        *(F(f"{model._meta.model_name}__publish_date") for model in content_models())
    )
    return (
        queryset.live()
        .public()
        .annotate(sort_date=sort_date)
        .filter(sort_date__isnull=False)
        .order_by("-sort_date", "-pk")
    )


def latest_content_by_parent(parents, *, limit=HOME_ITEMS_PER_COLUMN):
    """The newest ``limit`` content pages anywhere under each page of ``parents``, as
    ``{parent_pk: [page, ...]}``. A column whose items sit in sub-columns (a township column
    with its own 工作动态 and 通知公告) shows their newest too. One query per distinct depth of
    the parents, however many parents there are (no N+1 on home pages); the parents must not
    contain one another."""
    latest = {parent.pk: [] for parent in parents}
    by_depth = {}
    for parent in parents:
        by_depth.setdefault(parent.depth, {})[parent.path] = parent.pk
    for depth, by_path in by_depth.items():
        prefix = Substr("path", 1, depth * Page.steplen)
        rows = (
            content_listing()
            .filter(depth__gt=depth)
            .annotate(ancestor_path=prefix)
            .filter(ancestor_path__in=list(by_path))
            .annotate(
                rank=Window(
                    RowNumber(),
                    partition_by=[F("ancestor_path")],
                    order_by=[F("sort_date").desc(), F("pk").desc()],
                )
            )
            .filter(rank__lte=limit)
        )
        for row in rows:
            latest[by_path[row.ancestor_path]].append(row)
    for pages in latest.values():
        pages.sort(key=lambda page: (page.sort_date, page.pk), reverse=True)
    return latest


def paginate(request, queryset, per_page):
    """One page of ``queryset`` for ``?page=``; a bad or out-of-range value gives the first
    or the last page instead of an error."""
    per_page = max(1, min(per_page or CATALOG_PAGE_SIZE, MAX_PAGE_SIZE))
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))


def subsite_exclusion(root):
    """A ``Q`` matching the pages inside the sub-sites under ``root``: a portal's home page
    shows its own columns and leaders, not those of the departments it hosts."""
    q = Q(pk__in=[])
    for subsite_path in SubsiteHomePage.objects.descendant_of(root).values_list("path", flat=True):
        q |= Q(path__startswith=subsite_path)
    return q


def children_of_paths(paths):
    """A ``Q`` matching the pages directly under any of the tree ``paths``."""
    q = Q(pk__in=[])
    for parent_path in paths:
        q |= Q(path__startswith=parent_path, depth=len(parent_path) // Page.steplen + 1)
    return q


class PortalPage(Page):
    """Behaviour shared by every page type of the portal; no table of its own."""

    column_type = None

    class Meta:
        abstract = True

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["national_meta"] = self.national_meta(request)
        return context

    def get_column(self):
        """The nearest column-like ancestor (or the page itself) that names the column; a
        section page with no column above it (a leader under the home page) is its own."""
        for page in [self, *reversed(self.get_ancestors().specific())]:
            if isinstance(
                page,
                ColumnPage
                | ChannelPage
                | SubsiteHomePage
                | TopicPage
                | DisclosureCatalogPage
                | OrganizationFunctionsPage,
            ):
                return page
        return self if isinstance(self, SectionMixin) else None

    def section_children(self):
        """Live, public child pages that are sections (sub-columns, channels...), in menu
        order."""
        return self.get_children().live().public().not_type(*content_models())

    def national_meta(self, request):
        """The meta tags the national government-website rules require on every page."""
        site = self.get_site()
        settings = PortalSettings.for_site(site) if site else None
        home = site.root_page if site else None
        column = self.get_column()
        is_content = isinstance(self, ContentPage)
        pub = getattr(self, "publish_date", None) or self.first_published_at
        image = getattr(self, "cover_image", None)
        return {
            "SiteName": home.title if home else "",
            "SiteDomain": site.hostname if site else "",
            "SiteIDCode": settings.site_id_code if settings else "",
            "ColumnName": column.title if column else (home.title if home else self.title),
            "ColumnType": column.column_type_label if column else "首页",
            "ArticleTitle": self.title if is_content else "",
            "PubDate": timezone.localtime(pub).strftime("%Y-%m-%d %H:%M")
            if is_content and pub
            else "",
            "ContentSource": getattr(self, "content_source", "") or "",
            "Keywords": getattr(self, "keywords", "") or "",
            "Author": getattr(self, "author", "") or "",
            "Description": self.search_description or getattr(self, "summary", "") or "",
            "Image": request.build_absolute_uri(image.file.url) if image else "",
            "Url": request.build_absolute_uri(),
        }


class SectionMixin:
    column_type = ColumnType.OTHER

    @property
    def column_type_label(self):
        return ColumnType(self.column_type).label

    def overview_context(self):
        """What a channel or sub-site home shows: its sections, the newest items of each of
        its columns, and the content placed directly under it."""
        sections = list(self.section_children().specific())
        columns = [section for section in sections if isinstance(section, ColumnPage)]
        latest = latest_content_by_parent(columns)
        return {
            "sections": sections,
            "column_blocks": [(column, latest[column.pk]) for column in columns],
            "latest_items": content_listing(self.get_children())[:10],
        }


class PortalHomePage(PortalPage):
    """The home page of one portal (a province, city or county government website)."""

    region = models.ForeignKey(
        Region,
        verbose_name="行政区划",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    owner_department = models.ForeignKey(
        Department,
        verbose_name="主办部门",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    intro = models.TextField("简介", blank=True)
    column_type = ColumnType.HOME
    column_type_label = "首页"

    parent_page_types = ["wagtailcore.Page"]
    subpage_types = [*SECTION_PAGE_TYPES, PARTICIPATION_INDEX_TYPE]

    content_panels = [
        *Page.content_panels,
        FieldRowPanel([FieldPanel("region"), FieldPanel("owner_department")]),
        FieldPanel("intro"),
    ]

    class Meta:
        verbose_name = "门户首页"

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        in_subsite = subsite_exclusion(self)
        channel_paths = set(
            self.get_children().live().type(ChannelPage).values_list("path", flat=True)
        )
        # The home page's own columns and those of its channels, in menu order.
        columns = list(
            ColumnPage.objects.live()
            .public()
            .filter(children_of_paths([self.path, *channel_paths]))
            .exclude(in_subsite)
            # Leaders and topics have sections of their own below.
            .exclude(column_type__in=[ColumnType.LEADERS, ColumnType.TOPIC])
            .order_by("path")
        )
        latest = latest_content_by_parent(columns)
        context["column_blocks"] = [(column, latest[column.pk]) for column in columns]
        context["leaders"] = (
            LeaderPage.objects.live()
            .public()
            .descendant_of(self)
            .filter(depth__lte=self.depth + 2)
            .exclude(in_subsite)
            .order_by("path")[:12]
        )
        context["topics"] = (
            TopicPage.objects.live()
            .public()
            .descendant_of(self)
            .exclude(in_subsite)
            .order_by("path")[:8]
        )
        return context


class ChannelPage(SectionMixin, PortalPage):
    """A channel (频道): a themed group of columns."""

    intro = models.TextField("简介", blank=True)
    column_type = ColumnType.CHANNEL

    parent_page_types = ["portal.PortalHomePage", "portal.SubsiteHomePage"]
    subpage_types = SECTION_PAGE_TYPES

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    show_in_menus_default = True

    class Meta:
        verbose_name = "频道"

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context.update(self.overview_context())
        return context


class ColumnPage(RoutablePageMixin, SectionMixin, PortalPage):
    """A column (栏目): lists its content pages, newest first, and has an RSS feed at
    ``feed/`` (a child page cannot use the slug ``feed``)."""

    column_type = models.CharField(
        "栏目类型", max_length=20, choices=ColumnType.choices, default=ColumnType.NEWS
    )
    intro = models.TextField("简介", blank=True)
    page_size = models.PositiveSmallIntegerField("每页条数", default=20)

    parent_page_types = [
        "portal.PortalHomePage",
        "portal.ChannelPage",
        "portal.ColumnPage",
        "portal.SubsiteHomePage",
    ]
    subpage_types = [*CONTENT_PAGE_TYPES, *SECTION_PAGE_TYPES, PARTICIPATION_INDEX_TYPE]

    content_panels = [
        *Page.content_panels,
        FieldRowPanel([FieldPanel("column_type"), FieldPanel("page_size")]),
        FieldPanel("intro"),
    ]
    show_in_menus_default = True

    class Meta:
        verbose_name = "栏目"

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["sub_columns"] = self.section_children()
        context["items"] = paginate(request, content_listing(self.get_children()), self.page_size)
        return context

    def clean(self):
        super().clean()
        if self.page_size is not None and not 1 <= self.page_size <= MAX_PAGE_SIZE:
            raise ValidationError({"page_size": f"每页条数应在 1 到 {MAX_PAGE_SIZE} 之间。"})

    @path("feed/")
    def feed(self, request):
        """RSS 2.0 of the column's newest content pages."""
        site = self.get_site()
        site_name = site.root_page.title if site else ""
        rss = feedgenerator.Rss201rev2Feed(
            title=f"{self.title} - {site_name}" if site_name else self.title,
            link=self.get_full_url(request),
            description=self.intro or f"{site_name}{self.title}栏目的最新信息",
            language="zh-cn",
            feed_url=request.build_absolute_uri(),
        )
        for item in content_listing(self.get_children()).specific()[:FEED_ITEMS]:
            url = item.get_full_url(request)
            rss.add_item(
                title=item.title,
                link=url,
                unique_id=url,
                description=item.summary or strip_tags(item.body)[:200],
                pubdate=item.publish_date,
                author_name=item.author or item.content_source or None,
            )
        response = HttpResponse(content_type="application/rss+xml; charset=utf-8")
        rss.write(response, "utf-8")
        return response


class SubsiteKind(models.TextChoices):
    DEPARTMENT = "department", "部门子站"
    TOWNSHIP = "township", "乡镇（街道）子站"


class SubsiteHomePage(SectionMixin, PortalPage):
    """A department's or township's site inside a county portal (子站)."""

    kind = models.CharField("子站类型", max_length=20, choices=SubsiteKind.choices)
    department = models.ForeignKey(
        Department,
        verbose_name="部门",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    region = models.ForeignKey(
        Region,
        verbose_name="乡镇（街道）",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    intro = models.TextField("简介", blank=True)
    column_type = ColumnType.SUBSITE

    parent_page_types = ["portal.PortalHomePage", "portal.ChannelPage"]
    subpage_types = [*CONTENT_PAGE_TYPES, *SECTION_PAGE_TYPES, PARTICIPATION_INDEX_TYPE]

    content_panels = [
        *Page.content_panels,
        FieldRowPanel([FieldPanel("kind"), FieldPanel("department"), FieldPanel("region")]),
        FieldPanel("intro"),
    ]

    class Meta:
        verbose_name = "子站首页"

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context.update(self.overview_context())
        return context


class ContentPage(PortalPage):
    """Fields every dated piece of content carries (the national meta tags need them)."""

    publish_date = models.DateTimeField("发布时间", default=timezone.now, db_index=True)
    summary = models.TextField("摘要", blank=True)
    content_source = models.CharField("来源", max_length=100, blank=True)
    author = models.CharField("作者", max_length=100, blank=True)
    keywords = models.CharField("关键词", max_length=200, blank=True)
    cover_image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name="题图",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    body = RichTextField("正文", blank=True)

    parent_page_types = ["portal.ColumnPage", "portal.SubsiteHomePage"]
    subpage_types = []

    search_fields = [
        *Page.search_fields,
        index.SearchField("summary"),
        index.SearchField("body"),
        index.FilterField("publish_date"),
    ]
    meta_panels = [
        FieldRowPanel(
            [FieldPanel("publish_date"), FieldPanel("content_source"), FieldPanel("author")]
        ),
        FieldPanel("keywords"),
        FieldPanel("summary"),
        FieldPanel("cover_image"),
    ]

    class Meta:
        abstract = True

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["attachments"] = self.attachments.select_related("document").order_by("sort_order")
        return context


class ArticleKind(models.TextChoices):
    NEWS = "news", "新闻"
    NOTICE = "notice", "通知公告"


class ArticlePageTag(TaggedItemBase):
    content_object = ParentalKey(
        "portal.ArticlePage", related_name="tagged_items", on_delete=models.CASCADE
    )


class ArticlePage(ContentPage):
    """A news item or a notice."""

    kind = models.CharField(
        "类别", max_length=10, choices=ArticleKind.choices, default=ArticleKind.NEWS
    )
    tags = ClusterTaggableManager("标签", through=ArticlePageTag, blank=True)

    content_panels = [
        *Page.content_panels,
        FieldPanel("kind"),
        *ContentPage.meta_panels,
        FieldPanel("tags"),
        FieldPanel("body"),
        InlinePanel("attachments", label="附件"),
    ]

    class Meta:
        verbose_name = "文章"


class PolicyDocumentPageTag(TaggedItemBase):
    content_object = ParentalKey(
        "portal.PolicyDocumentPage", related_name="tagged_items", on_delete=models.CASCADE
    )


class PolicyDocumentPage(ContentPage):
    """A policy document with its disclosure metadata (政策文件)."""

    index_number = models.CharField(
        "索引号",
        max_length=100,
        blank=True,
        db_index=True,
        help_text="保存时按本站索引号规则自动生成。",
    )
    issuing_authority = models.CharField("发文机关", max_length=200)
    issuing_department = models.ForeignKey(
        Department,
        verbose_name="发文部门",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    document_number = models.CharField("文号", max_length=100, blank=True)
    date_written = models.DateField("成文日期")
    subject_category = models.CharField("主题分类", max_length=10, choices=SubjectCategory.choices)
    validity = models.CharField(
        "有效性", max_length=10, choices=Validity.choices, default=Validity.IN_FORCE
    )
    superseded_by = models.ForeignKey(
        "self",
        verbose_name="修改或废止它的文件",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="supersedes",
    )
    tags = ClusterTaggableManager("标签", through=PolicyDocumentPageTag, blank=True)

    search_fields = [
        *ContentPage.search_fields,
        index.SearchField("document_number"),
        index.SearchField("issuing_authority"),
        index.FilterField("subject_category"),
        index.FilterField("validity"),
    ]
    content_panels = [
        *Page.content_panels,
        MultiFieldPanel(
            [
                FieldPanel("index_number", read_only=True),
                FieldRowPanel([FieldPanel("issuing_authority"), FieldPanel("issuing_department")]),
                FieldRowPanel([FieldPanel("document_number"), FieldPanel("date_written")]),
                FieldRowPanel([FieldPanel("subject_category"), FieldPanel("validity")]),
                FieldPanel("superseded_by"),
            ],
            heading="公开属性",
        ),
        *ContentPage.meta_panels,
        FieldPanel("tags"),
        FieldPanel("body"),
        InlinePanel("attachments", label="附件"),
    ]

    class Meta:
        verbose_name = "政策文件"

    def clean(self):
        super().clean()
        if self.validity == Validity.IN_FORCE and self.superseded_by_id:
            raise ValidationError(
                {
                    "superseded_by": (
                        "现行有效的文件不应有“修改或废止它的文件”；请先把有效性改为已修改或已废止。"
                    )
                }
            )
        if self.superseded_by_id and self.superseded_by_id == self.pk:
            raise ValidationError({"superseded_by": "文件不能修改或废止它自己。"})

    def save(self, *args, **kwargs):
        if not self.index_number and self.path:
            self.index_number = self.generate_index_number()
        return super().save(*args, **kwargs)

    def generate_index_number(self):
        site = site_root_for_path(self.path)
        if site is None:
            return ""
        settings = PortalSettings.for_site(site)
        year = (
            (self.publish_date or timezone.now()).astimezone(timezone.get_current_timezone()).year
        )
        seq = IndexNumberSequence.next_value(site=site, year=year)
        return settings.format_index_number(year=year, seq=seq, category=self.subject_category)

    @property
    def live_interpretations(self):
        return self.interpretations.live().order_by("-publish_date")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["interpretations"] = self.live_interpretations.public()
        context["superseded_documents"] = (
            self.supersedes.live().public().order_by("-date_written", "-pk")
            if self.pk
            else PolicyDocumentPage.objects.none()
        )
        successor = self.superseded_by
        context["successor"] = successor if successor and successor.live else None
        return context


class InterpretationPageTag(TaggedItemBase):
    content_object = ParentalKey(
        "portal.PolicyInterpretationPage", related_name="tagged_items", on_delete=models.CASCADE
    )


class PolicyInterpretationPage(ContentPage):
    """An interpretation of one or more policy documents (政策解读), shown on their pages."""

    form = models.CharField(
        "解读形式",
        max_length=10,
        choices=InterpretationForm.choices,
        default=InterpretationForm.TEXT,
    )
    documents = ParentalManyToManyField(
        "portal.PolicyDocumentPage", verbose_name="所解读的文件", related_name="interpretations"
    )
    publish_with_documents = models.BooleanField(
        "与文件同步发布",
        default=True,
        help_text="文件审核通过并发布时，本解读的最新草稿随之发布（关联发布）。",
    )
    video_url = models.URLField("视频地址", blank=True)
    interviewees = models.CharField("访谈嘉宾", max_length=200, blank=True)
    tags = ClusterTaggableManager("标签", through=InterpretationPageTag, blank=True)

    content_panels = [
        *Page.content_panels,
        MultiFieldPanel(
            [
                FieldPanel("form"),
                FieldPanel("documents"),
                FieldPanel("publish_with_documents"),
                FieldPanel("video_url"),
                FieldPanel("interviewees"),
            ],
            heading="解读",
        ),
        *ContentPage.meta_panels,
        FieldPanel("tags"),
        FieldPanel("body"),
        InlinePanel("attachments", label="附件"),
    ]

    class Meta:
        verbose_name = "政策解读"

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        # Works on previews too, where the documents are an in-memory list.
        context["documents"] = [doc for doc in self.documents.all() if doc.live]
        return context

    def clean(self):
        super().clean()
        if self.form == InterpretationForm.VIDEO and not self.video_url:
            raise ValidationError({"video_url": "视频解读需要填写视频地址。"})


class PageAttachment(Orderable):
    """A downloadable file attached to a content page."""

    page = ParentalKey(Page, related_name="attachments", on_delete=models.CASCADE)
    document = models.ForeignKey(
        "wagtaildocs.Document", verbose_name="文件", on_delete=models.CASCADE, related_name="+"
    )
    title = models.CharField("显示名称", max_length=200, blank=True)

    panels = [FieldPanel("document"), FieldPanel("title")]

    class Meta(Orderable.Meta):
        verbose_name = "附件"

    @property
    def label(self):
        return self.title or self.document.title


class TopicPage(SectionMixin, PortalPage):
    """A special topic (专题专栏) gathering pages by tag and from chosen columns."""

    intro = RichTextField("导语", blank=True)
    banner = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name="横幅图片",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    tag_names = models.CharField(
        "汇聚标签", max_length=200, blank=True, help_text="多个标签用逗号分隔。"
    )
    source_columns = ParentalManyToManyField(
        "portal.ColumnPage", verbose_name="汇聚栏目", blank=True, related_name="+"
    )
    column_type = ColumnType.TOPIC

    parent_page_types = ["portal.PortalHomePage", "portal.ChannelPage", "portal.ColumnPage"]
    subpage_types = [*CONTENT_PAGE_TYPES, "portal.ColumnPage"]

    content_panels = [
        *Page.content_panels,
        FieldPanel("banner"),
        FieldPanel("intro"),
        FieldPanel("tag_names"),
        FieldPanel("source_columns"),
    ]

    class Meta:
        verbose_name = "专题专栏"

    def tags_list(self):
        return [t.strip() for t in self.tag_names.replace("，", ",").split(",") if t.strip()]

    def gathered_pages(self):
        """Live content pages of this site tagged with any of the topic's tags, placed in
        one of its source columns, or placed under the topic itself; newest first."""
        tags = self.tags_list()
        wanted = children_of_paths([self.path, *(c.path for c in self.source_columns.all())])
        if tags:
            for model in content_models():
                wanted |= Q(pk__in=model.objects.filter(tags__name__in=tags).values("pk"))
        pages = Page.objects.filter(wanted)
        site = site_root_for_path(self.path)
        if site is not None:
            pages = pages.descendant_of(site.root_page, inclusive=True)
        return content_listing(pages)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["items"] = paginate(request, self.gathered_pages(), CATALOG_PAGE_SIZE)
        context["sub_columns"] = self.section_children()
        return context


class LeaderPage(SectionMixin, PortalPage):
    """A leader's profile (领导之窗)."""

    name = models.CharField("姓名", max_length=50)
    position = models.CharField("职务", max_length=200)
    photo = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name="照片",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    responsibilities = RichTextField("工作分工", blank=True)
    resume = RichTextField("简历", blank=True)
    column_type = ColumnType.LEADERS

    parent_page_types = ["portal.PortalHomePage", "portal.ColumnPage", "portal.SubsiteHomePage"]
    subpage_types = []

    content_panels = [
        *Page.content_panels,
        FieldRowPanel([FieldPanel("name"), FieldPanel("position")]),
        FieldPanel("photo"),
        FieldPanel("responsibilities"),
        FieldPanel("resume"),
    ]

    class Meta:
        verbose_name = "领导简介"


class OrganizationFunctionsPage(SectionMixin, PortalPage):
    """Organization functions (机构职能) of the body that runs the site or sub-site."""

    department = models.ForeignKey(
        Department,
        verbose_name="机构",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    functions = RichTextField("主要职责")
    internal_units = RichTextField("内设机构", blank=True)
    address = models.CharField("办公地址", max_length=200, blank=True)
    phone = models.CharField("联系电话", max_length=50, blank=True)
    office_hours = models.CharField("办公时间", max_length=100, blank=True)
    column_type = ColumnType.DISCLOSURE

    parent_page_types = [
        "portal.PortalHomePage",
        "portal.ColumnPage",
        "portal.SubsiteHomePage",
        "portal.ChannelPage",
    ]
    subpage_types = []

    content_panels = [
        *Page.content_panels,
        FieldPanel("department"),
        FieldPanel("functions"),
        FieldPanel("internal_units"),
        FieldRowPanel([FieldPanel("address"), FieldPanel("phone"), FieldPanel("office_hours")]),
    ]
    show_in_menus_default = True

    class Meta:
        verbose_name = "机构职能"


class DisclosureCatalogPage(SectionMixin, PortalPage):
    """The disclosure catalog (政府信息公开目录): every policy document of the site, browsable
    by subject category, issuing authority and year."""

    intro = models.TextField("说明", blank=True)
    column_type = ColumnType.DISCLOSURE

    parent_page_types = [
        "portal.PortalHomePage",
        "portal.ChannelPage",
        "portal.ColumnPage",
        "portal.SubsiteHomePage",
    ]
    subpage_types = []

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    show_in_menus_default = True

    class Meta:
        verbose_name = "政府信息公开目录"

    @staticmethod
    def catalog_filters(params):
        """The filters chosen in the query string; a value that cannot be one (an unknown
        category, a year that is not a year, an overlong or binary string) is ignored."""
        chosen = {}
        category = params.get("category", "")
        if category in SubjectCategory.values:
            chosen["category"] = category
        authority = params.get("authority", "").strip()
        if authority and len(authority) <= 200 and "\x00" not in authority:
            chosen["authority"] = authority
        year = params.get("year", "").strip()
        if year.isascii() and year.isdigit() and 1900 <= int(year) <= 2999:
            chosen["year"] = int(year)
        return chosen

    def catalog_documents(self):
        """Every live, public policy document of this page's site."""
        documents = PolicyDocumentPage.objects.live().public()
        site = site_root_for_path(self.path)
        if site is not None:
            documents = documents.descendant_of(site.root_page, inclusive=True)
        return documents

    def catalog(self, request):
        chosen = self.catalog_filters(request.GET)
        documents = self.catalog_documents()

        def filtered(queryset, leave_out=None):
            if "category" in chosen and leave_out != "category":
                queryset = queryset.filter(subject_category=chosen["category"])
            if "authority" in chosen and leave_out != "authority":
                queryset = queryset.filter(issuing_authority=chosen["authority"])
            if "year" in chosen and leave_out != "year":
                queryset = queryset.filter(date_written__year=chosen["year"])
            return queryset

        # Each facet counts with the other facets' choices applied, so every count is what
        # choosing that value would give.
        labels = dict(SubjectCategory.choices)
        categories = [
            {
                "value": row["subject_category"],
                "label": labels.get(row["subject_category"], row["subject_category"]),
                "count": row["n"],
            }
            for row in filtered(documents, "category")
            .order_by()
            .values("subject_category")
            .annotate(n=Count("pk"))
            .order_by("subject_category")
        ]
        authorities = [
            {
                "value": row["issuing_authority"],
                "label": row["issuing_authority"],
                "count": row["n"],
            }
            for row in filtered(documents, "authority")
            .order_by()
            .values("issuing_authority")
            .annotate(n=Count("pk"))
            .order_by("-n", "issuing_authority")
        ]
        years = [
            {"value": row["year"], "label": f"{row['year']}年", "count": row["n"]}
            for row in filtered(documents, "year")
            .order_by()
            .annotate(year=ExtractYear("date_written"))
            .values("year")
            .annotate(n=Count("pk"))
            .order_by("-year")
        ]
        results = filtered(documents).order_by("-publish_date", "-pk")

        def link(key, value=None):
            params = {name: v for name, v in chosen.items() if name != key}
            if value is not None:
                params[key] = value
            return f"{request.path}?{urlencode(params)}" if params else request.path

        facets = []
        for key, label, values in (
            ("category", "主题分类", categories),
            ("authority", "发文机关", authorities),
            ("year", "成文年份", years),
        ):
            for value in values:
                value["url"] = link(key, value["value"])
                value["selected"] = chosen.get(key) == value["value"]
            facets.append(
                {
                    "key": key,
                    "label": label,
                    "values": values,
                    "all_url": link(key),
                    "chosen": key in chosen,
                }
            )
        return {
            "chosen": chosen,
            "facets": facets,
            "items": paginate(request, results, CATALOG_PAGE_SIZE),
            "query_string": urlencode(chosen),
        }

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context.update(self.catalog(request))
        return context


class SiteMigration(models.Model):
    """One site migration (关停迁移): a department's or township's site, or a subtree, moved
    into a portal with every old URL redirected (301)."""

    performed_at = models.DateTimeField("迁移时间", auto_now_add=True)
    performed_by = models.ForeignKey(
        "accounts.User",
        verbose_name="操作人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    source_description = models.CharField("原站点或栏目", max_length=300)
    # The closed site keeps its hostname only to answer old URLs with redirects.
    closed_site = models.ForeignKey(
        Site,
        verbose_name="关停的站点",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    target_page = models.ForeignKey(
        Page, verbose_name="迁入位置", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    as_kind = models.CharField("迁入方式", max_length=20)
    moved_page_count = models.PositiveIntegerField("迁移页面数", default=0)
    redirect_count = models.PositiveIntegerField("重定向数", default=0)

    class Meta:
        verbose_name = "站点迁移记录"
        verbose_name_plural = "站点迁移记录"
        ordering = ["-performed_at"]
        permissions = [("migrate_site", "可以执行站点关停迁移")]

    def __str__(self):
        return f"{self.source_description} → {self.target_page}"
