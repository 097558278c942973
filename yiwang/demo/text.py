"""Plausible Chinese government text, composed from the phrase templates and vocabularies below.

Every sentence is put together here from short phrases written for the demo; nothing is copied
from real documents. All choices go through the ``random.Random`` handed in, so one seed gives
the same text on every run (no sets, no hashing, no clock).
"""

import datetime
from dataclasses import dataclass

CN_DIGITS = "零一二三四五六七八九十"
SECTION_NUMBERS = ("一", "二", "三", "四", "五", "六", "七", "八", "九", "十")

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦方白邹孟熊秦邱江尹薛段雷侯龙史陶贺顾毛郝龚"
)
GIVEN_FIRST = "建明志晓海文思立国丽振永玉春德嘉伟俊雅宏卫新红学保光庆"
GIVEN_SECOND = "国远强华燕博新宇平军芳洁涛峰斌杰霞敏琳辉静磊勇东林宁"

VERB_PHRASES = (
    "坚持问题导向和目标导向",
    "进一步压实工作责任",
    "强化部门协同和上下联动",
    "加强督促检查和跟踪问效",
    "聚焦群众急难愁盼问题",
    "健全常态长效工作机制",
    "完善工作台账和任务清单",
    "加大政策宣传解读力度",
    "以钉钉子精神抓好各项任务落实",
    "统筹发展和安全",
    "坚持系统谋划、分类施策",
    "强化要素保障和资金支持",
    "用好数字化手段提升工作效能",
    "畅通群众意见反映渠道",
    "加强基层工作力量",
    "严格落实属地管理责任",
    "推动各项政策措施落地见效",
    "持续深化改革创新",
)
GOALS = (
    "各项目标任务按期完成",
    "工作取得实实在在的成效",
    "群众获得感和满意度持续提升",
    "全年工作目标顺利实现",
    "重点任务按时间节点推进",
    "工作质效稳步提升",
)
PROGRESS_GOALS = ("走深走实", "提质增效", "再上新台阶", "取得新成效")
ACHIEVEMENTS = (
    "各项重点任务有序推进，工作机制不断健全",
    "一批群众关心的突出问题得到有效解决",
    "各级各部门认真履职尽责，形成了齐抓共管的良好局面",
    "工作基础进一步夯实，群众满意度稳步提升",
    "重点领域改革取得突破，制度体系逐步完善",
)
CHALLENGES = (
    "部分领域工作进展还不平衡",
    "基层工作力量仍需加强",
    "一些长期积累的问题尚未根本解决",
    "与群众期待相比还有一定差距",
)
PURPOSES = (
    "进一步规范{topic}工作",
    "切实做好{topic}各项工作",
    "推动{topic}工作高质量发展",
    "持续提升{topic}工作水平",
    "全面落实{topic}工作部署",
)
BASES = (
    "上级有关文件精神",
    "国家和省有关规定",
    "有关法律法规和政策规定",
    "本级年度重点工作安排",
)
SITE_VISITS = (
    "项目建设现场",
    "企业生产车间",
    "基层服务站点",
    "村（社区）便民服务中心",
    "重点工程施工现场",
    "学校和医疗机构",
)
NEWS_SOURCES = ("融媒体中心", "人民政府办公室")
TASK_TITLES = (
    "健全工作机制",
    "强化源头管控",
    "提升服务水平",
    "推进数字化转型",
    "加强监督检查",
    "强化宣传引导",
    "加强队伍建设",
    "完善考核评价",
    "深化协同联动",
    "补齐短板弱项",
)
SAFEGUARDS = (
    (
        "加强组织领导",
        "各地各部门要把{topic}工作摆上重要议事日程，主要负责同志亲自抓、负总责，"
        "明确分管领导和具体责任人。",
    ),
    ("强化要素保障", "统筹安排相关资金，优先保障重点任务和重点项目，积极争取上级政策和资金支持。"),
    (
        "严格督导考核",
        "将{topic}工作纳入年度综合考核，定期通报进展情况，对工作不力的单位及时约谈提醒。",
    ),
    ("营造良好氛围", "充分利用政府网站、政务新媒体等渠道，加强政策宣传和典型经验推广。"),
)
DOCUMENT_FORMS = (
    # (title form, short name used in the text, written as articles 第X条)
    ("实施方案", "方案", False),
    ("管理办法", "办法", True),
    ("三年行动计划（2025—2027年）", "计划", False),
    ("若干措施", "措施", False),
    ("工作方案", "方案", False),
    ("实施细则", "细则", True),
)
HOLIDAYS = {
    1: "元旦",
    2: "春节",
    4: "清明节",
    5: "劳动节",
    6: "端午节",
    9: "中秋节和国庆节",
    10: "中秋节和国庆节",
}
# Topics worth a notice before a holiday.
HOLIDAY_TOPICS = (
    "安全生产",
    "森林防火",
    "防汛抗旱",
    "食品安全",
    "特种设备安全",
    "校园安全",
    "传染病防控",
    "根治欠薪",
    "12345政务服务便民热线",
)
SEASONS = {
    1: "冬季",
    2: "冬季",
    3: "春季",
    4: "春季",
    5: "春季",
    6: "夏季",
    7: "夏季",
    8: "夏季",
    9: "秋季",
    10: "秋季",
    11: "秋季",
    12: "冬季",
}
RECRUIT_ROLES = ("编外工作人员", "公益性岗位人员", "专职网格员", "劳务派遣人员")
EDUCATION = (
    ("研究生学历", "管理学硕士"),
    ("大学学历", "经济学学士"),
    ("在职研究生学历", "工学硕士"),
    ("大学学历", "法学学士"),
    ("研究生学历", "农学博士"),
)
CAREER_POSTS = ("科员", "副科长", "科长", "副局长（副主任）", "局长（主任）", "党组书记")


def cn_date(day: datetime.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def cn_number(n: int) -> str:
    """Chinese numerals for 0–99, as used in 第十二条 and 领导小组第三次会议."""
    if n < 0 or n > 99:
        raise ValueError(n)
    if n <= 10:
        return CN_DIGITS[n]
    tens, ones = divmod(n, 10)
    head = "" if tens == 1 else CN_DIGITS[tens]
    return f"{head}十{CN_DIGITS[ones] if ones else ''}"


def paragraphs(*texts):
    return "".join(f"<p>{text}</p>" for text in texts if text)


@dataclass(frozen=True)
class Voice:
    """Who is speaking: the organization and the place it governs."""

    org: str  # 松林县 (the government speaking of itself) / 松林县教育局
    signer: str  # the body that signs notices: 松林县人民政府办公室 / 松林县教育局
    place: str  # 松林县
    level_word: str  # 省 / 市 / 县 / 镇: "全县", "本县"
    sub_units: str  # 各乡镇（街道） / 各县（区）
    addressee: str  # the salutation of notices and documents
    sub_places: tuple[str, ...]  # where leaders go to inspect


@dataclass(frozen=True)
class Document:
    """What an interpretation or a later document needs to know of a document."""

    title: str
    name: str  # the name in 《》, without the issuer's "关于印发…的通知"
    number: str
    issuer: str
    date_written: datetime.date
    topic: str
    short: str


class TextGenerator:
    def __init__(self, rng):
        self.rng = rng

    # -- small pieces -----------------------------------------------------------------------

    def pick(self, seq):
        return self.rng.choice(seq)

    def sample(self, seq, k):
        return self.rng.sample(list(seq), k)

    def person_name(self):
        given = self.pick(GIVEN_FIRST) + (
            self.pick(GIVEN_SECOND) if self.rng.random() < 0.8 else ""
        )
        return self.pick(SURNAMES) + given

    def verbs(self, k=3):
        return "，".join(self.sample(VERB_PHRASES, k))

    def phone(self, serial):
        return f"0700-{6100000 + serial * 37 % 900000:07d}"

    # -- news -------------------------------------------------------------------------------

    def news(self, voice: Voice, topic: str, day: datetime.date, leader: str):
        """``(title, summary, body)`` of a news item about ``topic`` on ``day``."""
        kind = self.pick(
            ("meeting", "meeting", "action", "training", "visit", "results", "group", "inspection")
        )
        year, season = day.year, SEASONS[day.month]
        sub = self.pick(voice.sub_places) if voice.sub_places else voice.place
        date = f"{day.month}月{day.day}日"
        if kind == "meeting":
            title = f"{voice.org}召开{year}年{topic}工作推进会"
            lead = (
                f"{date}，{voice.org}召开{year}年{topic}工作推进会，总结前一阶段工作，"
                f"分析当前形势，部署下一阶段重点任务。{leader}出席会议并讲话。"
            )
        elif kind == "action":
            months = self.rng.randint(2, 6)
            title = f"{voice.org}开展{topic}专项行动"
            lead = (
                f"为{self.pick(PURPOSES).format(topic=topic)}，{date}起，{voice.org}在全"
                f"{voice.level_word}范围内开展为期{cn_number(months)}个月的{topic}专项行动。"
            )
        elif kind == "training":
            people = self.rng.randint(6, 30) * 10
            title = f"{voice.org}举办{topic}业务培训班"
            lead = (
                f"{date}，{voice.org}举办{year}年{topic}业务培训班，{voice.sub_units}和有关"
                f"单位业务骨干{people}余人参加培训。"
            )
        elif kind == "visit":
            title = f"{leader}到{sub}调研{topic}工作"
            lead = (
                f"{date}，{leader}带队到{sub}调研{topic}工作，实地察看"
                f"{'、'.join(self.sample(SITE_VISITS, 2))}，召开座谈会听取意见建议。"
            )
        elif kind == "results":
            title = f"{voice.place}{topic}工作取得阶段性成效"
            lead = (
                f"今年以来，{voice.org}坚持{self.pick(VERB_PHRASES)}，"
                f"{self.pick(VERB_PHRASES)}，{topic}工作取得阶段性成效。"
            )
        elif kind == "group":
            n = self.rng.randint(1, 6)
            title = f"{voice.org}召开{topic}工作领导小组第{cn_number(n)}次会议"
            lead = (
                f"{date}，{voice.org}召开{topic}工作领导小组第{cn_number(n)}次会议，"
                f"传达学习上级有关会议精神，研究部署{season}{topic}重点工作。{leader}主持会议。"
            )
        else:
            title = f"{voice.org}组织开展{season}{topic}督导检查"
            lead = (
                f"近日，{voice.org}组成{cn_number(self.rng.randint(3, 8))}个督导组，分赴"
                f"{voice.sub_units}开展{season}{topic}督导检查。"
            )

        middle = []
        if kind in ("meeting", "group"):
            middle.append(
                f"会议指出，{self.pick(ACHIEVEMENTS)}。同时也要清醒看到，{self.pick(CHALLENGES)}。"
            )
            middle.append(f"会议强调，要{self.verbs(3)}，确保{self.pick(GOALS)}。")
            middle.append(
                f"会议要求，{voice.sub_units}和有关部门要{self.verbs(2)}，"
                f"推动{topic}工作{self.pick(PROGRESS_GOALS)}。"
            )
        else:
            done = self.rng.randint(12, 480)
            percent = self.rng.randint(60, 118)
            middle.append(
                f"据了解，截至{day.month}月底，{voice.place}已累计完成{topic}相关"
                f"任务{done}项，完成年度目标的{percent}%。"
            )
            middle.append(f"工作中，{voice.org}{self.verbs(2)}，{self.pick(ACHIEVEMENTS)}。")
            if self.rng.random() < 0.6:
                middle.append(
                    f"{self.pick(voice.sub_places or (voice.place,))}有关负责同志表示，"
                    f"将{self.verbs(2)}，确保{self.pick(GOALS)}。"
                )
        closing = (
            f"下一步，{voice.org}将{self.verbs(2)}，推动{topic}工作{self.pick(PROGRESS_GOALS)}。"
        )
        summary = lead[:120]
        return title, summary, paragraphs(lead, *middle, closing)

    # -- notices ----------------------------------------------------------------------------

    def notice(self, voice: Voice, topic: str, day: datetime.date, serial: int):
        """``(title, summary, body)`` of a notice or announcement."""
        year = day.year
        kind = self.pick(("inspection", "holiday", "publicity", "recruit", "consultation"))
        if kind == "holiday" and (day.month not in HOLIDAYS or topic not in HOLIDAY_TOPICS):
            kind = "inspection"
        sections = []
        if kind == "inspection":
            title = f"关于开展{year}年{topic}专项检查的通知"
            opening = (
                f"为{self.pick(PURPOSES).format(topic=topic)}，根据{self.pick(BASES)}，"
                f"经研究，决定在全{voice.level_word}开展{year}年{topic}专项检查。"
                "现将有关事项通知如下："
            )
            start = day + datetime.timedelta(days=self.rng.randint(5, 15))
            end = start + datetime.timedelta(days=self.rng.randint(20, 50))
            sections = [
                ("检查时间", f"{cn_date(start)}至{cn_date(end)}。"),
                ("检查内容", f"重点检查{topic}工作责任落实、制度建设、问题整改等情况。"),
                (
                    "工作要求",
                    f"{voice.sub_units}要{self.verbs(2)}，于{end.month}月{end.day}日前"
                    f"将自查报告报送{voice.signer}。",
                ),
            ]
            closing = "特此通知。"
        elif kind == "holiday":
            holiday = HOLIDAYS[day.month]
            title = f"关于做好{year}年{holiday}期间{topic}工作的通知"
            opening = (
                f"{holiday}将至，为确保节日期间{topic}各项工作平稳有序，现就有关事项通知如下："
            )
            sections = [
                (
                    "提高思想认识",
                    f"各单位要充分认识做好节日期间{topic}工作的重要性，{self.verbs(2)}。",
                ),
                ("严格值班值守", "严格落实领导带班和24小时值班制度，遇有重要情况及时报告。"),
                ("加强隐患排查", f"节前组织开展一次{topic}隐患排查，发现问题立即整改。"),
            ]
            closing = "特此通知。"
        elif kind == "publicity":
            title = f"关于{year}年度{topic}工作先进集体和先进个人拟表彰名单的公示"
            start = day + datetime.timedelta(days=1)
            end = start + datetime.timedelta(days=6)
            opening = (
                f"根据{self.pick(BASES)}，经单位推荐、综合评审，拟对{self.rng.randint(5, 20)}"
                f"个先进集体和{self.rng.randint(10, 40)}名先进个人予以表彰，现予以公示。"
            )
            sections = [
                ("公示时间", f"{cn_date(start)}至{cn_date(end)}（5个工作日）。"),
                (
                    "反映方式",
                    f"公示期间，如有异议，请以书面形式向{voice.signer}反映，"
                    f"联系电话：{self.phone(serial)}。",
                ),
            ]
            closing = ""
        elif kind == "recruit":
            role = self.pick(RECRUIT_ROLES)
            n = self.rng.randint(2, 15)
            title = f"{voice.org}{year}年公开招聘{role}公告"
            opening = (
                f"因工作需要，根据{self.pick(BASES)}，经研究，决定面向社会公开招聘"
                f"{role}{n}名。现将有关事项公告如下："
            )
            sections = [
                ("招聘岗位及人数", f"{role}{n}名，具体岗位要求见附表。"),
                (
                    "报名条件",
                    "具有中华人民共和国国籍，遵守宪法和法律，具有良好的品行和正常"
                    "履行职责的身体条件，具备大学专科及以上学历。",
                ),
                (
                    "报名时间和方式",
                    f"报名时间为{cn_date(day + datetime.timedelta(days=3))}至"
                    f"{cn_date(day + datetime.timedelta(days=10))}，"
                    "采取现场报名方式。",
                ),
                ("其他事项", f"咨询电话：{self.phone(serial)}。"),
            ]
            closing = ""
        else:
            form, _, _ = self.pick(DOCUMENT_FORMS)
            draft = f"{voice.place}{topic}{form}".replace("管理管理", "管理")
            title = f"关于征求《{draft}（征求意见稿）》意见的公告"
            end = day + datetime.timedelta(days=30)
            opening = (
                f"为提高政策制定的科学性和透明度，现将《{draft}（征求意见稿）》向社会公开征求意见。"
            )
            sections = [
                ("征求意见时间", f"{cn_date(day)}至{cn_date(end)}。"),
                (
                    "反馈方式",
                    "社会各界可通过电子邮件、信函或本网站“意见征集”栏目提出意见"
                    f"建议，联系电话：{self.phone(serial)}。",
                ),
            ]
            closing = ""
        body = paragraphs(voice.addressee if kind in ("inspection", "holiday") else "", opening)
        for i, (heading, text) in enumerate(sections):
            body += f"<h3>{SECTION_NUMBERS[i]}、{heading}</h3>" + paragraphs(text)
        body += paragraphs(closing, voice.signer, cn_date(day))
        return title, opening[:120], body

    # -- policy documents -------------------------------------------------------------------

    def document(
        self,
        voice: Voice,
        topic: str,
        issuer: str,
        number: str,
        written: datetime.date,
        effective_years: int,
    ) -> tuple[Document, str, str]:
        """A policy document issued by ``issuer``: ``(Document, summary, body)``."""
        form, short, by_articles = self.pick(DOCUMENT_FORMS)
        shape = self.rng.random()
        if shape < 0.7:
            name = f"{voice.place}{topic}{form}"
            title = f"{issuer}关于印发《{name}》的通知"
            cover = f"现将《{name}》印发给你们，请结合实际，认真贯彻执行。"
        elif shape < 0.85:
            name = f"{issuer}关于进一步加强{topic}工作的意见"
            title, short, by_articles = name, "意见", False
            cover = ""
        else:
            name = f"{issuer}关于做好{topic}工作的实施意见"
            title, short, by_articles = name, "意见", False
            cover = ""
        name = name.replace("管理管理", "管理")
        title = title.replace("管理管理", "管理")
        doc = Document(
            title=title,
            name=name,
            number=number,
            issuer=issuer,
            date_written=written,
            topic=topic,
            short=short,
        )
        end = written.replace(year=written.year + effective_years)
        body = paragraphs(voice.addressee, cover)
        if cover:
            body += paragraphs(issuer, cn_date(written)) + f"<h2>{name}</h2>"
        body += self._provisions(voice, doc, by_articles, end)
        summary = (
            f"《{name}》从{self.pick(TASK_TITLES)}、{self.pick(TASK_TITLES)}等方面"
            f"提出{topic}工作的具体措施。"
        )
        return doc, summary, body

    def _provisions(self, voice, doc, by_articles, end):
        topic = doc.topic
        purpose = self.pick(PURPOSES).format(topic=topic)
        if by_articles:
            articles = [
                f"为{purpose}，根据{self.pick(BASES)}，结合本{voice.level_word}实际，"
                f"制定本{doc.short}。",
                f"本{doc.short}适用于本{voice.level_word}行政区域内{topic}相关工作的组织实施"
                "和监督管理。",
                f"{doc.issuer}负责统筹协调全{voice.level_word}{topic}工作。有关部门按照各自"
                "职责做好相关工作。",
            ]
            for title in self.sample(TASK_TITLES, self.rng.randint(3, 5)):
                articles.append(f"有关部门应当{title}，{self.verbs(2)}。")
            articles.append(f"违反本{doc.short}规定的，由有关部门依法依规处理。")
            articles.append(
                f"本{doc.short}自{cn_date(doc.date_written + datetime.timedelta(days=30))}"
                f"起施行，有效期至{cn_date(end)}。"
            )
            return "".join(
                f"<p>第{cn_number(i + 1)}条　{text}</p>" for i, text in enumerate(articles)
            )
        target_year = doc.date_written.year + 2
        parts = [
            (
                "总体要求",
                f"坚持以人民为中心的发展思想，{self.verbs(2)}。到{target_year}年，"
                f"{topic}工作体系基本健全，{self.pick(GOALS)}。",
            ),
        ]
        tasks = []
        for i, title in enumerate(self.sample(TASK_TITLES, self.rng.randint(3, 5))):
            deadline = doc.date_written.year + self.rng.randint(0, 1)
            tasks.append(
                f"（{SECTION_NUMBERS[i]}）{title}。{self.verbs(2)}。（责任单位："
                f"{doc.issuer}及有关部门；完成时限：{deadline}年{self.rng.randint(6, 12)}月"
                "底前）"
            )
        parts.append(("主要任务", tasks))
        safeguards = [
            f"（{SECTION_NUMBERS[i]}）{title}。{text.format(topic=topic)}"
            for i, (title, text) in enumerate(self.sample(SAFEGUARDS, 3))
        ]
        parts.append(("保障措施", safeguards))
        body = ""
        for i, (heading, texts) in enumerate(parts):
            texts = [texts] if isinstance(texts, str) else texts
            body += f"<h3>{SECTION_NUMBERS[i]}、{heading}</h3>" + paragraphs(*texts)
        body += paragraphs(f"本{doc.short}自印发之日起施行，有效期至{cn_date(end)}。")
        return body

    def amendment(
        self,
        voice: Voice,
        old: Document,
        issuer: str,
        number: str,
        written: datetime.date,
        repeal: bool,
    ) -> tuple[Document, str, str]:
        """A later document that amends or repeals ``old``."""
        if repeal:
            name = f"{issuer}关于废止《{old.name}》的决定"
            title = name
            body = paragraphs(
                voice.addressee,
                f"经研究，决定废止《{old.name}》（{old.number}）。{old.topic}工作按照国家和省"
                "现行有关规定执行。",
                "本决定自印发之日起施行。",
                issuer,
                cn_date(written),
            )
            summary = f"决定废止《{old.name}》（{old.number}）。"
            return (
                Document(
                    title=title,
                    name=name,
                    number=number,
                    issuer=issuer,
                    date_written=written,
                    topic=old.topic,
                    short="决定",
                ),
                summary,
                body,
            )
        base = old.name.removesuffix("（2025年修订）")
        name = f"{base}（{written.year}年修订）"
        title = f"{issuer}关于印发《{name}》的通知"
        body = (
            paragraphs(
                voice.addressee,
                f"为适应{old.topic}工作新形势新要求，{issuer}对《{old.name}》（{old.number}）"
                f"进行了修订。现将修订后的《{name}》印发给你们，请认真贯彻执行。",
                issuer,
                cn_date(written),
            )
            + f"<h2>{name}</h2>"
        )
        doc = Document(
            title=title,
            name=name,
            number=number,
            issuer=issuer,
            date_written=written,
            topic=old.topic,
            short=old.short,
        )
        body += self._provisions(voice, doc, False, written.replace(year=written.year + 3))
        summary = f"修订《{old.name}》，进一步完善{old.topic}工作的有关规定。"
        return doc, summary, body

    # -- interpretations --------------------------------------------------------------------

    def interpretation(self, voice: Voice, form: str, docs: list[Document], speaker: str):
        """``(title, summary, body, interviewees)`` of an interpretation of ``docs``.
        ``form`` is an InterpretationForm value."""
        doc = docs[0]
        names = "、".join(f"《{d.name}》" for d in docs)
        background = (
            f"为{self.pick(PURPOSES).format(topic=doc.topic)}，{doc.issuer}"
            f"于{cn_date(doc.date_written)}印发了{names}（{doc.number}）。"
        )
        points = self.sample(TASK_TITLES, 3)
        interviewees = ""
        if form == "text":
            title = f"{names}政策解读"
            body = "".join(
                f"<h3>{SECTION_NUMBERS[i]}、{heading}</h3>{paragraphs(text)}"
                for i, (heading, text) in enumerate(
                    (
                        ("出台背景", background + f"文件的出台，对于{self.verbs(1)}具有重要意义。"),
                        (
                            "主要内容",
                            f"文件围绕{doc.topic}，从{'、'.join(points)}等方面提出了具体措施。",
                        ),
                        (
                            "主要特点",
                            f"一是突出问题导向；二是注重{self.pick(VERB_PHRASES)}；"
                            f"三是明确责任分工和完成时限。",
                        ),
                        (
                            "适用范围",
                            f"本{doc.short}适用于{voice.place}行政区域内{doc.topic}相关工作。",
                        ),
                    )
                )
            )
        elif form == "graphic":
            title = f"一图读懂{names}"
            items = "".join(f"<li>{p}：{self.pick(VERB_PHRASES)}</li>" for p in points)
            body = paragraphs(background, "一张图带您了解文件的主要内容：") + f"<ul>{items}</ul>"
        elif form == "video":
            title = f"视频解读｜{names}"
            body = paragraphs(
                background,
                f"{speaker}通过视频，就文件出台的背景、主要内容和{'、'.join(points[:2])}等"
                "群众关心的问题进行了解读。",
            )
        else:
            title = f"在线访谈｜{speaker}解读{names}"
            interviewees = speaker
            host = "主持人"
            qa = [
                (f"请您介绍一下{names}出台的背景。", background),
                (
                    "文件的主要内容有哪些？",
                    f"文件从{'、'.join(points)}等方面提出了具体措施，"
                    f"核心是{self.pick(VERB_PHRASES)}。",
                ),
                ("下一步如何抓好落实？", f"我们将{self.verbs(3)}，确保{self.pick(GOALS)}。"),
            ]
            body = "".join(f"<p><b>{host}：</b>{q}</p><p><b>{speaker}：</b>{a}</p>" for q, a in qa)
        return title, background[:120], body, interviewees

    # -- people and bodies ------------------------------------------------------------------

    def leader_profile(
        self,
        name: str,
        position: str,
        place: str,
        areas: list[str],
        head: bool,
        born: int,
        departments: list[str],
        now_year: int,
    ):
        """``(responsibilities, resume)`` rich text of a leader. ``departments`` are names of
        the place's departments the leader may have worked in; the career ends in the current
        post, taken up before ``now_year``."""
        if head:
            duties = paragraphs(f"主持{place}人民政府全面工作。", "负责审计方面工作。")
        else:
            duties = paragraphs(
                f"负责{'、'.join(areas)}方面工作。",
                f"分管{'、'.join(a + '部门' for a in areas[:2])}。",
            )
        edu, degree = self.pick(EDUCATION)
        started = born + self.rng.randint(21, 24)
        gender = self.pick(("男", "男", "女"))
        resume = paragraphs(
            f"{name}，{gender}，汉族，{born}年{self.rng.randint(1, 12)}月生，{edu}，{degree}，"
            f"{started}年{self.rng.randint(7, 9)}月参加工作，中共党员。",
            f"现任{place}{position}。",
        )
        current = self.rng.randint(now_year - 6, now_year - 1)
        posts = [f"{self.pick(departments)}{p}" for p in CAREER_POSTS]
        steps = self.rng.randint(3, 4)
        years = [started, *sorted(self.sample(range(started + 3, current - 1), steps - 1)), current]
        first = self.rng.randint(0, len(posts) - steps)
        career = [f"<li>{years[i]}—{years[i + 1]}年　{posts[first + i]}</li>" for i in range(steps)]
        career.append(f"<li>{current}年至今　{place}{position}</li>")
        resume += f"<ul>{''.join(career)}</ul>"
        return duties, resume

    def functions_html(self, duties):
        return "<ol>" + "".join(f"<li>{d}。</li>" for d in duties) + "</ol>"

    def address(self, place, serial):
        road = self.pick(("人民路", "政务大道", "府前街", "建设路", "新华路", "文化路"))
        return f"{place}{road}{(serial * 7) % 180 + 1}号"
