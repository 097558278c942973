"""Building the demo site group, page by page, the way editors and administrators would:
``create_portal``, pages added and published, the editorial setup, and ``migrate_site``.

The content depends only on the seed: dates are spread over the 18 months before
``BASE_DATE`` (never "now"), and every choice comes from one ``random.Random(seed)`` consumed in
a fixed order.
"""

import datetime
import random
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from wagtail.models import Page, Site

from yiwang.accounts.models import UserKind
from yiwang.orgs.models import Department, Region, ServiceCentre, level_of, stats_code
from yiwang.portal.constants import ColumnType, InterpretationForm, Validity
from yiwang.portal.models import (
    ArticleKind,
    ArticlePage,
    ChannelPage,
    ColumnPage,
    DisclosureCatalogPage,
    LeaderPage,
    OrganizationFunctionsPage,
    PolicyDocumentPage,
    PolicyInterpretationPage,
    PortalSettings,
    SubsiteKind,
    TopicPage,
)
from yiwang.portal.sitegroup import create_portal

from . import geography as geo
from .spec import (
    ADDRESSEES,
    BASE_DATE,
    CENTRE_HOURS,
    COUNTS,
    DEMO_PASSWORD,
    DEMO_USERS,
    HEAD_TITLES,
    LEADER_AREAS,
    LEVEL_WORDS,
    OFFICE_HOURS,
    SMALL_SITE_COUNTS,
    SPAN_DAYS,
    SPECIAL_TOPICS,
    SUB_UNITS,
    SUPERSEDED_PER_PORTAL,
    TOPIC_SUBJECTS,
    TZ,
    VILLAGES,
    places,
    portal_hostname,
    small_sites,
)
from .text import TextGenerator, Voice


def _require_migrate_site():
    try:
        from yiwang.portal.migration import migrate_site
    except ImportError as exc:
        raise ImportError(
            "load_demo needs yiwang.portal.migration.migrate_site(*, source, target_parent, "
            "as_kind, ...) to move the department and township sites into the county portal, "
            f"and it cannot be imported: {exc}"
        ) from exc
    return migrate_site


def _require_editorial():
    try:
        from yiwang.portal.editorial import grant, setup_group_wide_editors, setup_site_editorial
    except ImportError as exc:
        raise ImportError(
            "load_demo needs yiwang.portal.editorial.setup_site_editorial(site), "
            "setup_group_wide_editors() and grant(user, site=None, role=...) to set up the "
            f"editors and reviewers, and they cannot be imported: {exc}"
        ) from exc
    return setup_site_editorial, setup_group_wide_editors, grant


@dataclass
class PortalBuild:
    """What the builder keeps of one portal or small site while filling it."""

    place: geo.PlaceSpec
    site: Site
    home: Page
    voice: Voice
    leaders: list[str] = field(default_factory=list)  # "县长王建国"
    topic: str = ""
    columns: dict = field(default_factory=dict)


class DemoBuilder:
    def __init__(self, *, port, seed):
        self.port = port
        self.rng = random.Random(seed)
        self.text = TextGenerator(self.rng)
        self.places = places()
        self.regions = {}
        self.departments = {}  # (place code, kind key) -> Department
        self.serial = 0
        self.doc_numbers = {}  # (issuer, year) -> last number
        self.bar = None
        self.admin = None
        self.users = {}
        self.default_free = True

    # -- plan ---------------------------------------------------------------------------------

    def total_steps(self):
        """Roughly the number of ``step()`` calls (pages, editorial setups, migrations); the
        number of leaders is only known while building, three is assumed."""
        steps = 2  # regions and bodies, users
        for place in geo.portal_places():
            counts = COUNTS[place.level]
            sections = 11 + 3 + (2 if place.code == geo.MIGRATION_COUNTY else 0)
            steps += sections + sum(counts.values()) + len(SUPERSEDED_PER_PORTAL)
            steps += 1  # editorial
        for _ in small_sites():
            steps += 3 + sum(SMALL_SITE_COUNTS.values()) + 1
        return steps + 1  # grants

    def step(self, n=1):
        if self.bar is not None:
            self.bar.update(n)

    # -- helpers ------------------------------------------------------------------------------

    def next_serial(self):
        self.serial += 1
        return self.serial

    def day_in_window(self, *, start_days=1, end_days=SPAN_DAYS):
        """A working day (Monday to Friday) within the demo window, as an aware datetime."""
        day = BASE_DATE - datetime.timedelta(days=self.rng.randint(start_days, end_days))
        while day.weekday() >= 5:
            day -= datetime.timedelta(days=1)
        minutes = self.rng.randint(8 * 60 + 30, 17 * 60 + 30)
        return datetime.datetime(
            day.year, day.month, day.day, minutes // 60, minutes % 60, tzinfo=TZ
        )

    def slug(self, when):
        return f"t{when:%Y%m%d}_{self.next_serial():04d}"

    def add(self, parent, page):
        """Add ``page`` under ``parent`` and publish it, as the demo administrator."""
        if getattr(page, "publish_date", None) is not None:
            page.first_published_at = page.publish_date
        parent.add_child(instance=page)
        page.save_revision(user=self.admin).publish(user=self.admin)
        self.step()
        return page

    def republish(self, page):
        page.save_revision(user=self.admin).publish(user=self.admin)

    def dept(self, code, key):
        return self.departments[(code, key)]

    def head_title(self, name):
        for suffix, title in (
            ("办公厅", "主任"),
            ("办公室", "主任"),
            ("委员会", "主任"),
            ("厅", "厅长"),
            ("局", "局长"),
        ):
            if name.endswith(suffix):
                return title
        return "负责人"

    # -- build --------------------------------------------------------------------------------

    def build(self, bar=None):
        self.bar = bar
        migrate_site = _require_migrate_site()
        setup_site_editorial, setup_group_wide_editors, grant = _require_editorial()

        self._remove_wagtail_welcome_site()
        self._create_regions_and_bodies()
        self.step()
        self._create_users()
        self.step()
        builds = {}
        for place in geo.portal_places():
            builds[place.code] = self._build_portal(place)

        setup_group_wide_editors(actor=self.admin)
        for place in geo.portal_places():
            setup_site_editorial(builds[place.code].site, actor=self.admin)
            self.step()
        for spec in DEMO_USERS:
            user = self.users[spec.username]
            for code, role in spec.grants:
                site = builds[code].site if code is not None else None
                grant(user, site=site, role=role, actor=self.admin)
        self.step()

        county = builds[geo.MIGRATION_COUNTY]
        for hostname, place, key in small_sites():
            source = self._build_small_site(hostname, place, key)
            if key is not None:
                migrate_site(
                    source=source,
                    target_parent=county.columns["bmzz"],
                    as_kind="subsite",
                    subsite_kind=SubsiteKind.DEPARTMENT,
                    department=self.dept(place.code, key),
                    slug=hostname.split("-")[0],
                    acting_user=self.admin,
                )
            else:
                migrate_site(
                    source=source,
                    target_parent=county.columns["xzjd"],
                    as_kind="column",
                    title=place.name,
                    slug=place.pinyin,
                    acting_user=self.admin,
                )
            self.step()

    def _remove_wagtail_welcome_site(self):
        # Wagtail's first migration makes a placeholder site on localhost:80 as the default
        # site; the demo province takes its place. Anything else is left alone.
        base = ContentType.objects.get_for_model(Page)
        for site in Site.objects.filter(
            root_page__content_type=base, root_page__depth=2, root_page__numchild=0
        ):
            if site.root_page.title.startswith("Welcome to"):
                root = site.root_page
                site.delete()
                root.delete()
        self.default_free = not Site.objects.filter(is_default_site=True).exists()

    def _create_regions_and_bodies(self):
        for place in geo.PROVINCE.walk():
            code = stats_code(place.code)
            parent = self.regions.get(place.code[: {2: 0, 4: 2, 6: 4, 9: 6}[len(place.code)]])
            self.regions[place.code] = Region.objects.create(
                code=code,
                division_code=code[:6],
                name=place.name,
                level=level_of(code),
                parent=parent,
            )
        serials = {}

        def uscc(place):
            division = stats_code(place.code)[:6]
            serials[division] = serials.get(division, 0) + 1
            return geo.government_uscc(division, serials[division])

        for place in geo.PROVINCE.walk():
            region = self.regions[place.code]
            if place.level == "township":
                body = Department.objects.create(
                    name=geo.township_body_name(place),
                    short_name=place.name,
                    region=region,
                    uscc=uscc(place),
                    address=self.text.address(place.name, self.next_serial()),
                    phone=self.text.phone(self.next_serial()),
                    functions="；".join(geo.GOVERNMENT.duties[:3]) + "。",
                )
                self.departments[(place.code, "gov")] = body
                continue
            for kind in (geo.GOVERNMENT, *geo.DEPARTMENT_KINDS):
                name = geo.department_name(kind, place)
                self.departments[(place.code, kind.key)] = Department.objects.create(
                    name=name,
                    short_name=kind.names[geo.LEVEL_INDEX[place.level]],
                    region=region,
                    uscc=uscc(place),
                    functions="；".join(kind.duties) + "。",
                    address=self.text.address(place.name, self.next_serial()),
                    phone=self.text.phone(self.next_serial()),
                )
            ServiceCentre.objects.create(
                name=f"{place.name}政务服务中心",
                region=region,
                address=self.text.address(place.name, self.next_serial()),
                phone=self.text.phone(self.next_serial()),
                opening_hours=CENTRE_HOURS,
            )

    def _create_users(self):
        User = get_user_model()
        for spec in DEMO_USERS:
            fields = {
                "display_name": spec.display_name,
                "kind": UserKind.STAFF,
                "department": self.dept(spec.place_code, spec.department_key),
                "email": f"{spec.username.replace('.', '-')}@demo.yiwang.localhost",
            }
            if spec.superuser:
                user = User.objects.create_superuser(
                    spec.username, password=DEMO_PASSWORD, **fields
                )
                self.admin = user
            else:
                user = User.objects.create_user(spec.username, password=DEMO_PASSWORD, **fields)
            self.users[spec.username] = user

    # -- portals --------------------------------------------------------------------------

    def _voice(self, place, *, department=None):
        level = place.level
        if level == "township":
            subs = VILLAGES
        else:
            subs = tuple(child.name for child in place.children)
        if department is not None:
            return Voice(
                org=department.name,
                signer=department.name,
                place=place.name,
                level_word=LEVEL_WORDS.get(level, "镇"),
                sub_units=SUB_UNITS[level],
                addressee=ADDRESSEES["department"],
                sub_places=subs,
            )
        if level == "township":
            signer = self.dept(place.code, "gov").name
        else:
            signer = self.dept(place.code, "office").name
        word = LEVEL_WORDS.get(level) or ("街道" if place.name.endswith("街道") else place.name[-1])
        return Voice(
            org=place.name,
            signer=signer,
            place=place.name,
            level_word=word,
            sub_units=SUB_UNITS[level],
            addressee=ADDRESSEES[level],
            sub_places=subs,
        )

    def _settings(self, site, *, place, owner, serial):
        settings = PortalSettings.for_site(site)
        settings.operator = f"{self.places['99'].name}大数据中心"
        settings.icp_number = f"{geo.PROVINCE.abbr}ICP备26{serial:06d}号"
        settings.police_filing = (
            f"{geo.PROVINCE.abbr}公网安备 {stats_code(place.code)[:6]}0200{serial:04d}号"
        )
        settings.contact_phone = owner.phone
        settings.contact_address = owner.address
        settings.index_code = owner.uscc
        settings.save()

    def _build_portal(self, place):
        office = self.dept(place.code, "office")
        gov = self.dept(place.code, "gov")
        division = stats_code(place.code)[:6]
        title = f"{place.name}人民政府"
        site = create_portal(
            hostname=portal_hostname(place),
            title=title,
            region=self.regions[place.code],
            port=self.port,
            owner_department=office,
            site_id_code=f"{division}0001",
            organizer=office.name,
            is_default=place is geo.PROVINCE and self.default_free,
            slug=place.pinyin,
        )
        self._settings(site, place=place, owner=office, serial=self.next_serial())
        home = site.root_page.specific
        home.intro = (
            f"{title}门户网站是{title}在互联网上发布政务信息、提供在线服务、"
            "与公众互动交流的官方平台。"
        )
        self.republish(home)

        build = PortalBuild(place=place, site=site, home=home, voice=self._voice(place))
        build.topic = self.rng.choice(list(SPECIAL_TOPICS))
        head, deputy = HEAD_TITLES[place.level]
        leader_count = self.rng.randint(2, 4)
        names = [self.text.person_name() for _ in range(leader_count)]
        build.leaders = [f"{head if i == 0 else deputy}{n}" for i, n in enumerate(names)]
        cols = build.columns

        news = self.add(
            home,
            ChannelPage(title="新闻中心", slug="xwzx", intro=f"{place.name}政务要闻和工作动态。"),
        )
        cols["gzdt"] = self.add(
            news, ColumnPage(title="工作动态", slug="gzdt", column_type=ColumnType.NEWS)
        )
        cols["tzgg"] = self.add(
            news, ColumnPage(title="通知公告", slug="tzgg", column_type=ColumnType.NOTICE)
        )
        open_gov = self.add(
            home, ChannelPage(title="政务公开", slug="zwgk", intro=f"{title}政府信息主动公开。")
        )
        cols["zcwj"] = self.add(
            open_gov, ColumnPage(title="政策文件", slug="zcwj", column_type=ColumnType.POLICY)
        )
        cols["zcjd"] = self.add(
            open_gov,
            ColumnPage(title="政策解读", slug="zcjd", column_type=ColumnType.INTERPRETATION),
        )
        cols["ldzc"] = self.add(
            open_gov, ColumnPage(title="领导之窗", slug="ldzc", column_type=ColumnType.LEADERS)
        )
        department_names = [geo.department_name(k, place) for k in geo.DEPARTMENT_KINDS]
        if place.children:
            department_names += [
                geo.department_name(k, child)
                for child in place.children
                if child.level != "township"
                for k in geo.DEPARTMENT_KINDS[:3]
            ]
        areas = list(LEADER_AREAS)
        self.rng.shuffle(areas)
        for i, name in enumerate(names):
            position = head if i == 0 else deputy
            duties, resume = self.text.leader_profile(
                name,
                position,
                place.name,
                areas[(i - 1) * 2 : (i - 1) * 2 + 2] if i else [],
                head=i == 0,
                born=self.rng.randint(1966, 1980),
                departments=department_names,
                now_year=BASE_DATE.year,
            )
            self.add(
                cols["ldzc"],
                LeaderPage(
                    title=f"{position}　{name}",
                    slug=f"leader-{i + 1}",
                    name=name,
                    position=f"{place.name}{position}",
                    responsibilities=duties,
                    resume=resume,
                ),
            )
        units = "、".join(geo.department_name(k, place) for k in geo.DEPARTMENT_KINDS)
        self.add(
            open_gov,
            OrganizationFunctionsPage(
                title="机构职能",
                slug="jgzn",
                department=gov,
                functions=self.text.functions_html(geo.GOVERNMENT.duties),
                internal_units=f"<p>{title}工作部门：{units}。</p>",
                address=gov.address,
                phone=gov.phone,
                office_hours=OFFICE_HOURS,
            ),
        )
        self.add(
            open_gov,
            DisclosureCatalogPage(
                title="政府信息公开目录",
                slug="xxgkml",
                intro=f"本目录收录{title}及其部门主动公开的政策文件，可按主题分类、发文机关和成文"
                "年份浏览。",
            ),
        )
        cols["ztzl"] = self.add(
            home, ColumnPage(title="专题专栏", slug="ztzl", column_type=ColumnType.TOPIC)
        )
        if place.code == geo.MIGRATION_COUNTY:
            cols["bmzz"] = self.add(
                home, ChannelPage(title="部门子站", slug="bmzz", intro=f"{place.name}各部门网站。")
            )
            cols["xzjd"] = self.add(
                home,
                ChannelPage(
                    title="乡镇（街道）", slug="xzjd", intro=f"{place.name}各乡镇（街道）网站。"
                ),
            )

        counts = COUNTS[place.level]
        self._articles(build, cols["gzdt"], ArticleKind.NEWS, counts["news"])
        self._articles(build, cols["tzgg"], ArticleKind.NOTICE, counts["notices"])
        documents = self._documents(build, cols["zcwj"], counts["documents"])
        self._interpretations(build, cols["zcjd"], documents, counts["interpretations"])
        topic_page = TopicPage(
            title=f"{build.topic}专题",
            slug=SPECIAL_TOPICS[build.topic],
            intro=f"<p>集中展示{place.name}{build.topic}工作的新闻动态、政策文件和解读。</p>",
            tag_names=build.topic,
        )
        topic_page.source_columns = [cols["gzdt"], cols["zcwj"]]
        self.add(cols["ztzl"], topic_page)
        return build

    def _topic_and_voice(self, build, *, allow_departments=True):
        """A topic and who speaks about it: the government, or now and then a department."""
        place = build.place
        if build.topic and self.rng.random() < 0.25:
            return build.topic, build.voice, None
        if allow_departments and place.level != "township" and self.rng.random() < 0.5:
            kind = self.rng.choice(geo.DEPARTMENT_KINDS[1:])
            department = self.dept(place.code, kind.key)
            return self.rng.choice(kind.topics), self._voice(place, department=department), kind
        return self.rng.choice(geo.GOVERNMENT.topics), build.voice, None

    def _articles(self, build, column, kind, count, *, fixed_voice=None, topics=None):
        for _ in range(count):
            when = self.day_in_window()
            if fixed_voice is not None:
                topic, voice = self.rng.choice(topics), fixed_voice
                leader = self.rng.choice(build.leaders)
            else:
                topic, voice, dept_kind = self._topic_and_voice(build)
                if dept_kind is None:
                    leader = self.rng.choice(build.leaders)
                else:
                    leader = (
                        f"{voice.org[len(voice.place) :]}{self.head_title(voice.org)}"
                        f"{self.text.person_name()}"
                    )
            if kind == ArticleKind.NEWS:
                title, summary, body = self.text.news(voice, topic, when.date(), leader)
                source = f"{build.place.name}融媒体中心" if voice.org == voice.place else voice.org
            else:
                title, summary, body = self.text.notice(
                    voice, topic, when.date(), self.next_serial()
                )
                source = voice.signer
            page = ArticlePage(
                title=title,
                slug=self.slug(when),
                kind=kind,
                publish_date=when,
                summary=summary,
                content_source=source,
                author=voice.signer,
                keywords=f"{topic},{voice.place}",
                body=body,
            )
            if topic == build.topic:
                page.tags.add(topic)
            self.add(column, page)

    def _doc_number(self, place, abbr, year):
        key = (place.code, abbr, year)
        self.doc_numbers[key] = self.doc_numbers.get(key, 0) + self.rng.randint(1, 9)
        return f"{place.abbr}{abbr}发〔{year}〕{self.doc_numbers[key]}号"

    def _issuer(self, build):
        place = build.place
        roll = self.rng.random()
        if roll < 0.3:
            kind = geo.GOVERNMENT
        elif roll < 0.5:
            kind = geo.DEPARTMENT_KINDS[0]
        else:
            kind = self.rng.choice(geo.DEPARTMENT_KINDS[1:])
        return kind, self.dept(place.code, kind.key)

    def _documents(self, build, column, count):
        """Policy documents in date order (so index numbers follow the dates); two later ones
        amend and repeal earlier ones. Returns ``[(page, Document)]``."""
        place = build.place
        whens = sorted(self.day_in_window(end_days=SPAN_DAYS) for _ in range(count))
        # The superseding documents come in the second half of the list, the documents they
        # supersede in the first; an amended one is preferably one issued with a cover notice
        # (关于印发《…》的通知), whose text can be revised and issued again.
        later = sorted(self.rng.sample(range(count // 2 + 1, count), len(SUPERSEDED_PER_PORTAL)))
        plan = dict(zip(later, SUPERSEDED_PER_PORTAL, strict=True))
        targets = {}  # superseding index -> superseded index
        made = []  # (page, Document, kind)
        for index, when in enumerate(whens):
            written = (when - datetime.timedelta(days=self.rng.randint(2, 12))).date()
            if index in plan:
                spec = plan[index]
                free = [i for i in range(count // 2) if i not in targets.values()]
                covered = [i for i in free if made[i][1].title != made[i][1].name]
                targets[index] = self.rng.choice(
                    covered if covered and not spec["repeal"] else free
                )
                old_page, old_doc, kind = made[targets[index]]
                issuer_dept = old_page.issuing_department
                abbr = kind.doc_abbr
                number = self._doc_number(place, abbr, written.year)
                doc, summary, body = self.text.amendment(
                    build.voice, old_doc, old_doc.issuer, number, written, spec["repeal"]
                )
            else:
                kind, issuer_dept = self._issuer(build)
                topic = self.rng.choice(kind.topics)
                if kind.key in ("gov", "office") and self.rng.random() < 0.3:
                    topic = build.topic
                number = self._doc_number(place, kind.doc_abbr, written.year)
                doc, summary, body = self.text.document(
                    build.voice,
                    topic,
                    issuer_dept.name,
                    number,
                    written,
                    effective_years=self.rng.randint(2, 5),
                )
            subject = TOPIC_SUBJECTS.get(doc.topic) if kind.key in ("gov", "office") else None
            page = PolicyDocumentPage(
                title=doc.title,
                slug=self.slug(when),
                publish_date=when,
                summary=summary,
                content_source=issuer_dept.name,
                author=issuer_dept.name,
                keywords=f"{doc.topic},{doc.issuer}",
                body=body,
                issuing_authority=doc.issuer,
                issuing_department=issuer_dept,
                document_number=doc.number,
                date_written=doc.date_written,
                subject_category=subject or kind.subject,
            )
            if doc.topic == build.topic:
                page.tags.add(doc.topic)
            self.add(column, page)
            made.append((page, doc, kind))
            if index in plan:
                old_page = made[targets[index]][0]
                old_page.validity = (
                    Validity.REPEALED if plan[index]["repeal"] else (Validity.AMENDED)
                )
                old_page.superseded_by = page
                self.republish(old_page)
                self.step()
        return [(page, doc, index in plan) for index, (page, doc, _) in enumerate(made)]

    def _interpretations(self, build, column, documents, count):
        candidates = [
            (page, doc)
            for page, doc, superseding in documents
            if page.validity == Validity.IN_FORCE
            and not doc.name.startswith(doc.issuer + "关于废止")
        ]
        forms = list(InterpretationForm.values)
        forms += [self.rng.choice(InterpretationForm.values) for _ in range(count - len(forms))]
        self.rng.shuffle(forms)
        chosen = self.rng.sample(candidates, count)
        for form, (page, doc) in zip(forms, chosen, strict=True):
            linked = [(page, doc)]
            others = [c for c in candidates if c[0] is not page and c[1].topic == doc.topic]
            if others and self.rng.random() < 0.5:
                linked.append(self.rng.choice(others))
            when = page.publish_date + datetime.timedelta(hours=self.rng.randint(1, 72))
            if when.date() >= BASE_DATE:
                when = page.publish_date + datetime.timedelta(hours=1)
            issuer = page.issuing_department
            if issuer.name == build.voice.signer or issuer.name.endswith("人民政府"):
                speaker = f"{build.place.name}{self.rng.choice(build.leaders[1:] or build.leaders)}"
            else:
                speaker = f"{issuer.name}{self.head_title(issuer.name)}{self.text.person_name()}"
            title, summary, body, interviewees = self.text.interpretation(
                build.voice, form, [d for _, d in linked], speaker
            )
            slug = self.slug(when)
            interpretation = PolicyInterpretationPage(
                title=title,
                slug=slug,
                publish_date=when,
                summary=summary,
                content_source=issuer.name,
                author=issuer.name,
                keywords=f"{doc.topic},政策解读",
                body=body,
                form=form,
                interviewees=interviewees,
                video_url=(
                    f"http://video.{build.place.pinyin}.localhost/demo/{slug}.mp4"
                    if form == InterpretationForm.VIDEO
                    else ""
                ),
            )
            interpretation.documents = [p for p, _ in linked]
            if doc.topic == build.topic:
                interpretation.tags.add(doc.topic)
            self.add(column, interpretation)

    # -- small sites ------------------------------------------------------------------------

    def _build_small_site(self, hostname, place, key):
        """A department's or township's own site, as it was before the site group."""
        county = self.places[place.code[:6]]
        if key is not None:
            owner = self.dept(place.code, key)
            kind = geo.KINDS_BY_KEY[key]
            region = self.regions[place.code]
            voice = self._voice(place, department=owner)
            topics = kind.topics
            duties, units = kind.duties, kind.units
        else:
            owner = self.dept(place.code, "gov")
            region = self.regions[place.code]
            voice = self._voice(place)
            topics = geo.GOVERNMENT.topics
            duties = geo.GOVERNMENT.duties[:4]
            units = ("党政综合办公室", "经济发展办公室", "社会事务办公室", "便民服务中心")
        site = create_portal(
            hostname=hostname,
            title=owner.name,
            region=region,
            port=self.port,
            owner_department=owner,
            site_id_code=f"{stats_code(county.code)[:6]}{self.serial:04d}",
            organizer=owner.name,
            slug=hostname.split(".")[0],
        )
        self._settings(site, place=place, owner=owner, serial=self.next_serial())
        home = site.root_page.specific
        build = PortalBuild(place=place, site=site, home=home, voice=voice)
        head = (
            self.head_title(owner.name)
            if key
            else (
                "镇长"
                if place.name.endswith("镇")
                else "乡长"
                if place.name.endswith("乡")
                else "主任"
            )
        )
        build.leaders = [f"{head}{self.text.person_name()}"]
        news = self.add(
            home, ColumnPage(title="工作动态", slug="gzdt", column_type=ColumnType.NEWS)
        )
        notices = self.add(
            home, ColumnPage(title="通知公告", slug="tzgg", column_type=ColumnType.NOTICE)
        )
        self.add(
            home,
            OrganizationFunctionsPage(
                title="机构职能",
                slug="jgzn",
                department=owner,
                functions=self.text.functions_html(duties),
                internal_units=f"<p>内设机构：{'、'.join(units)}。</p>",
                address=owner.address,
                phone=owner.phone,
                office_hours=OFFICE_HOURS,
            ),
        )
        self._articles(
            build,
            news,
            ArticleKind.NEWS,
            SMALL_SITE_COUNTS["news"],
            fixed_voice=voice,
            topics=topics,
        )
        self._articles(
            build,
            notices,
            ArticleKind.NOTICE,
            SMALL_SITE_COUNTS["notices"],
            fixed_voice=voice,
            topics=topics,
        )
        return site
