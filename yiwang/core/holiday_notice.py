"""Reading the days out of the State Council's holiday notice (国务院办公厅关于某年部分节假日
安排的通知), so an administrator can paste its text instead of typing dates.

A notice has one item per holiday, in the wording used since 2007::

    一、元旦：1月1日（周四）至3日（周六）放假调休，共3天。1月4日（周日）上班。
    二、春节：2月4日至10日放假调休，共7天。2月2日（星期六）、2月3日（星期日）上班。
    5月1日放假，5月2日（星期一）补休。
    2月18日—24日（即农历大年初一至初七）放假，共7天。其中……将17日（星期六)、……三个公休日
    分别调至21日……，17日、25日上班。

The rules, applied per item after dropping everything in parentheses (weekday, lunar
date): the dates of the clause that says 放假 (a range written ``A至B`` or ``A—B``, the end
taking its year and month from the start) are off; dates in a clause saying 补休, and those
a weekend is moved to (``调至``), are off too; the dates of a clause saying 上班, and the
weekend days moved away (before ``调至``), are adjusted working days, unless they are off.
A date without a year takes the year that puts it nearest the item's holiday; a date
without a month takes the year and month of the date before it. The item's name comes from
its heading (``元旦：``) or a festival named in it.
"""

import re
from dataclasses import dataclass, field
from datetime import date, timedelta

# A date: "2018年12月30日", "12月30日" or "30日".
DATE = re.compile(r"(?:(\d{4})\s*年)?\s*(?:(\d{1,2})\s*月)?\s*(\d{1,2})\s*日")
RANGE_JOINERS = {"至", "—", "——", "－", "-", "–", "~", "～", "到"}
PARENTHESES = re.compile(r"[（(][^（()）]*[)）]")
CLAUSE_BREAKS = re.compile(r"[，,；;]")
SENTENCE_BREAKS = re.compile(r"[。\n\r]+")
NUMBERING = re.compile(r"^\s*(?:[一二三四五六七八九十]+\s*[、.．]|\d+\s*[、.．])\s*")
HEADING = re.compile(r"^\s*([^\d：:，。]{1,20}?)\s*[：:]")

FESTIVALS = (
    ("元旦", "元旦"),
    ("春节", "春节"),
    ("除夕", "春节"),
    ("清明", "清明节"),
    ("劳动节", "劳动节"),
    ("五一", "劳动节"),
    ("端午", "端午节"),
    ("中秋", "中秋节"),
    ("国庆", "国庆节"),
    ("十一", "国庆节"),
)


# Words of the sentences that belong to the item before them.
CONTINUATIONS = ("上班", "补休", "调至")


class NoticeParseError(ValueError):
    """The text holds a part that reads like an item but yields no days."""


@dataclass
class NoticeItem:
    """One holiday of the notice: its name, the text it was read from, its days."""

    name: str
    text: str
    holidays: list = field(default_factory=list)
    working_days: list = field(default_factory=list)


@dataclass
class ParsedNotice:
    year: int
    items: list

    @property
    def holidays(self):
        """``{date: name}`` of every day off."""
        return {day: item.name for item in self.items for day in item.holidays}

    @property
    def working_days(self):
        """``{date: name}`` of every adjusted working day."""
        return {day: item.name for item in self.items for day in item.working_days}


@dataclass
class _Token:
    year: int | None
    month: int | None
    day: int
    start: int
    end: int


def _nearest_year(month, day, anchor):
    candidates = []
    for year in (anchor.year - 1, anchor.year, anchor.year + 1):
        try:
            candidates.append(date(year, month, day))
        except ValueError:
            continue
    if not candidates:
        raise NoticeParseError(f"没有 {month}月{day}日 这一天")
    return min(candidates, key=lambda candidate: abs((candidate - anchor).days))


class _Reader:
    """Turns an item's tokens into dates, carrying year and month from one to the next."""

    def __init__(self, default_year):
        self.default_year = default_year
        self.anchor = None
        self.previous = None

    def resolve(self, token):
        if token.month is None:
            if self.previous is None:
                raise NoticeParseError(f"“{token.day}日”前面没有月份")
            try:
                value = date(self.previous.year, self.previous.month, token.day)
            except ValueError as exc:
                raise NoticeParseError(f"日期无效：{token.day}日") from exc
        elif token.year is not None:
            value = self._make(token.year, token.month, token.day)
        elif self.anchor is not None:
            value = _nearest_year(token.month, token.day, self.anchor)
        else:
            value = self._make(self.default_year, token.month, token.day)
        self.previous = value
        return value

    @staticmethod
    def _make(year, month, day):
        try:
            return date(year, month, day)
        except ValueError as exc:
            raise NoticeParseError(f"日期无效：{year}年{month}月{day}日") from exc

    def dates(self, clause):
        """The dates of ``clause``, ranges expanded."""
        tokens = [
            _Token(
                int(m.group(1)) if m.group(1) else None,
                int(m.group(2)) if m.group(2) else None,
                int(m.group(3)),
                m.start(),
                m.end(),
            )
            for m in DATE.finditer(clause)
        ]
        result = []
        index = 0
        while index < len(tokens):
            token = tokens[index]
            following = tokens[index + 1] if index + 1 < len(tokens) else None
            if following and clause[token.end : following.start].strip() in RANGE_JOINERS:
                first = self._range_start(token, following)
                last = self.resolve(following)
                if last < first:
                    # "12月30日至1月1日" without years.
                    last = self._make(last.year + 1, last.month, last.day)
                    self.previous = last
                if (last - first).days > 40:
                    raise NoticeParseError(f"放假时间过长：{first} 至 {last}")
                result.extend(first + timedelta(days=n) for n in range((last - first).days + 1))
                index += 2
                continue
            result.append(self.resolve(token))
            index += 1
        return result

    def _range_start(self, token, following):
        if token.year is None and token.month is not None and self.anchor is None:
            # "12月30日至1月1日" in the notice for the January's year.
            if token.month == 12 and following.month == 1 and following.year is None:
                value = self._make(self.default_year - 1, token.month, token.day)
                self.previous = value
                return value
        return self.resolve(token)


def _item_name(text, heading):
    if heading:
        for keyword, name in FESTIVALS:
            if keyword in heading:
                return name
        return heading.strip("“”\"' ")
    for keyword, name in FESTIVALS:
        if keyword in text:
            return name
    return ""


def _read_item(text, *, year):
    """The days of one item (its sentences joined), as a ``NoticeItem``."""
    heading_match = HEADING.match(text)
    heading = heading_match.group(1) if heading_match else ""
    body = text[heading_match.end() :] if heading_match else text
    name = _item_name(text, heading)
    plain = PARENTHESES.sub("", body)
    reader = _Reader(year)
    off, worked = [], []
    for sentence in SENTENCE_BREAKS.split(plain):
        for clause in CLAUSE_BREAKS.split(sentence):
            if not clause.strip():
                continue
            if "调至" in clause:
                before, _, after = clause.partition("调至")
                worked.extend(reader.dates(before))
                off.extend(reader.dates(after))
                continue
            days = reader.dates(clause)
            if "放假" in clause:
                off.extend(days)
                if reader.anchor is None and days:
                    reader.anchor = days[0]
            elif "补休" in clause:
                off.extend(days)
            elif "上班" in clause:
                worked.extend(days)
    if not off:
        raise NoticeParseError(f"读不出放假日期：{text.strip()[:60]}")
    off_set = set(off)
    return NoticeItem(
        name=name,
        text=text.strip(),
        holidays=sorted(off_set),
        working_days=sorted(set(worked) - off_set),
    )


def _starts_item(sentence):
    return "放假" in sentence and DATE.search(PARENTHESES.sub("", sentence)) is not None


def parse_notice(text, *, year):
    """The holidays and adjusted working days of the notice for ``year`` in ``text`` (the
    whole notice, or some of its items), as a ``ParsedNotice``. An item starts at a sentence
    that gives a date off (``…日放假``) and takes in the sentences after it that say 上班,
    补休 or 调至, up to the next item or numbered line; the preamble and the closing are
    left out. Raises ``NoticeParseError`` when no item is found or an item's dates do not
    read."""
    items = []
    current = None
    for line in re.split(r"[\n\r]+", text):
        numbered = NUMBERING.match(line)
        line = NUMBERING.sub("", line).strip()
        if numbered and current is not None:
            items.append(current)
            current = None
        for sentence in re.findall(r"[^。]+。?", line):
            if _starts_item(sentence):
                if current is not None:
                    items.append(current)
                current = sentence
            elif current is not None and any(word in sentence for word in CONTINUATIONS):
                current += sentence
    if current is not None:
        items.append(current)
    if not items:
        raise NoticeParseError("没有找到放假安排（例如“1月1日放假”）")
    return ParsedNotice(year=year, items=[_read_item(item, year=year) for item in items])
