"""Personal data out of a text before it is published (公开前脱敏).

Removed (docs/interaction-routing.md, "Redaction"):

- resident ID numbers, mobile and landline numbers, e-mail addresses;
- the names given (the writer's own), wherever they appear;
- person names written with a title of address (张先生, 李建义女士, 王某某...,
  ``ADDRESS_TITLES``): the given name is masked, the surname and the title stay (李**先生;
  张先生 stays as it is);
- other person names, found by jieba's part-of-speech tagger (flag ``nr``) or by how people
  name themselves and others (我叫…, 本人…, 姓名：…, 联系人：…, 投诉人：…, and a name alone
  at the very end, before an optional date: a signature): the surname stays, the rest
  becomes ``*`` (王怀启 → 王**), wherever else the same name appears in the text too.

Kept readable:

- leaders' names, when a leader title follows the name at once (胡华衡书记, 张三市长:
  ``LEADER_TITLES``): office holders whose names the government publishes itself, and whom
  a 领导信箱 letter addresses. The same name elsewhere without the title is masked;
- places, estates, schools and firms the tagger takes for names: a "name" ending with a
  place character or followed by a place word (``PLACE_ENDINGS``, ``PLACE_FOLLOWERS``:
  郝家坪, 马栏山, 蔡锷路, 金茂府小区);
- words of jieba's dictionary, which the tagger sometimes marks ``nr`` (幼儿园, 许可证,
  高峰, 谢谢), except the rare three-character names the dictionary also lists (王伟军) and
  right after 我叫 / 姓名： / 署名;
- pseudonyms already masked (李某某, 王某, 刘某明 stays 刘某明).

It is a best effort: a name the tagger splits (龙|平和) can slip through, and some estate
names are masked (唐*电器城). The publishing staff see the proposed texts and edit them.

``redact`` is idempotent (``redact(redact(t)) == redact(t)``), which publishing relies on: it
refuses a text that ``redact`` would still change.
"""

import re
from functools import lru_cache

ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])|(?<!\d)\d{15}(?!\d)")
MOBILE = re.compile(r"(?<!\d)(?:\+?86[- ]?)?1[3-9]\d[- ]?\d{4}[- ]?\d{4}(?!\d)")
LANDLINE = re.compile(r"(?<!\d)0\d{2,3}[- ]?\d{7,8}(?!\d)")
# ASCII only: \w would take the Chinese words before the address (邮箱li@…) with it.
EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝"
    "龚邵万钱严覃武戴莫孔向汤"
    # Less common ones, seen signing the Taidi messages (not 和, 时, 明, 文...: too often a
    # plain word's first character).
    "易伍颜翟聂喻柳祝符舒阮柯纪童凌毕季裴霍涂苗曲翁冉骆蓝辛靳柴蒙鲍祁蒲房滕屈饶牟艾尤穆卓"
    "缪简项芦褚娄窦戚岑党宫费卜冷晏席卫米柏瞿桂佟臧闵苟邬卞姬仇栾隋刁巫寇桑郎甄仲虞敖巩佘池"
    "乔申欧谷谈"
)
COMPOUND_SURNAMES = ("欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "尉迟", "公孙", "慕容", "令狐")
ADDRESS_TITLES = (
    "先生",
    "女士",
    "小姐",
    "老师",
    "同志",
    "师傅",
    "阿姨",
    "大爷",
    "大妈",
    "老板",
    "经理",
    "主任",
    "校长",
    "院长",
    "局长",
    "所长",
    "科长",
    "处长",
    "站长",
    "队长",
    "医生",
    "律师",
    "警官",
)
# Surnames that are also prepositions or verbs (于本周, 向左转, 付定金, 戴眼镜): a tagged
# word starting with one is a name only when it is three characters and unknown to jieba.
AMBIGUOUS_SURNAMES = frozenset("于向付戴")
TITLED_NAME = re.compile(
    rf"[{SURNAMES}][\u4e00-\u9fff]{{0,2}}?(?=(?:{'|'.join(ADDRESS_TITLES)}|某某|某))"
)
# A name right before one of these is a leader's and stays (胡华衡书记, 王某某市长).
LEADER_TITLES = (
    "书记",
    "副书记",
    "省长",
    "副省长",
    "市长",
    "副市长",
    "县长",
    "副县长",
    "区长",
    "副区长",
    "州长",
    "副州长",
    "镇长",
    "副镇长",
    "乡长",
    "副乡长",
    "主席",
    "副主席",
)
_LEADER = "|".join(LEADER_TITLES)
# A tagged "name" ending with one of these is a place, an estate or a firm (郝家坪, 金茂府,
# 马栏山), or not a name at all (彭姓, 唐氏).
PLACE_ENDINGS = frozenset(
    "路街巷村镇乡区县市省湖岭坪冲湾塘苑府城庄寨院楼栋厦店馆厂站坊山滩桥堆坡洲家门氏姓"
)
# Given "names" that are numbers: 高二 (a school year), 金三.
_NUMERALS = frozenset("一二三四五六七八九十百千零")
# ... and so is one the text continues with one of these (金晖小区, 林权证, 蔡锷路).
PLACE_FOLLOWERS = (
    "小区",
    "社区",
    "公司",
    "集团",
    "大道",
    "大厦",
    "大桥",
    "广场",
    "中学",
    "小学",
    "学校",
    "学院",
    "大学",
    "医院",
    "公园",
    "花园",
    "新城",
    "家园",
    "国际",
    "物业",
    "项目",
    "片区",
    "银行",
    "超市",
    "商场",
    "酒店",
    "路",
    "街",
    "巷",
    "府",
    "城",
    "苑",
    "园",
    "证",
    "湖",
    "镇",
    "县",
    "区",
    "市",
    "村",
    "站",
    "楼",
    "栋",
    "期",
    "号",
)
# How people name themselves or others: the name follows these.
_INTRODUCERS = (
    r"我叫|我的名字叫|我名叫|本人叫|本人名叫|本人|我是|姓名|名字|联系人|署名|落款|"
    r"实名投诉人|实名举报人|投诉人|举报人|申诉人|反映人|申请人|当事人|留言人|市民|村民|业主"
)
_CJK = "\u4e00-\u9fff"
_NAME = rf"(?:{'|'.join(COMPOUND_SURNAMES)}|[{SURNAMES}])[{_CJK}]{{1,2}}"
# After an introducer (and an optional colon): a name ending where the sentence pauses.
INTRODUCED_NAME = re.compile(
    rf"(?:{_INTRODUCERS})\s*[:：，,]?\s*({_NAME})(?=[，,。.、；;！!？?\s（(：:）)]|男|女|现年|今年|家住|$)"
)
_STRONG = ("我叫", "我的名字叫", "我名叫", "本人叫", "本人名叫", "姓名", "名字", "署名", "落款")
# A signature: a name alone at the very end, after a pause, before an optional date.
_DATE = r"(?:\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日?|\d{4}[./-]\d{1,2}[./-]\d{1,2})"
SIGNATURE = re.compile(rf"(?:^|[\s。！!？?，,；;：:）)])({_NAME})\s*{_DATE}?[\s。.]*\Z")
# Characters that end a sentence part, and the ones a name cut short is not followed by.
_PAUSE = re.compile(r"[，,。.、；;！!？?\s（(：:）)“”\"'《》]")
_NOT_IN_NAMES = frozenset(
    "说在的了和与是等把被向对为也都就又还已将于及并从给让叫称么吗呢吧啊呀哦再更才很不没要会能去来到"
)
# Below this count, a three-character name in jieba's dictionary is still a name.
RARE = 10
# How many times the tagger pass runs at most (masking may let it see a new name once).
_PASSES = 5


def _mask(name):
    """Keep the surname (two characters for a compound one), the rest becomes ``*``."""
    keep = 2 if name[:2] in COMPOUND_SURNAMES and len(name) > 2 else 1
    return name[:keep] + "*" * (len(name) - keep)


@lru_cache(maxsize=1)
def _tagger():
    import jieba
    import jieba.posseg

    jieba.setLogLevel(60)
    jieba.dt.initialize()
    return jieba.posseg.dt, jieba.dt.FREQ


def _in_dictionary(word):
    _pos, freq = _tagger()
    return bool(freq.get(word))


def _known_word(word):
    """A word of jieba's dictionary, not counting the rare three-character names it also
    lists (王伟军: seen fewer than ``RARE`` times, its first two characters no word)."""
    _pos, freq = _tagger()
    count = freq.get(word) or 0
    if not count:
        return False
    return not (len(word) == 3 and count < RARE and not freq.get(word[:2]))


def _leader(text, end):
    return text.startswith(LEADER_TITLES, end)


def _person_span(text, start, end, *, strong=False, tagged=False):
    """The span of a person's name to mask in ``text[start:end]`` (a tagged word, or a name
    found by context), or None when it is not one, or one that stays readable. ``strong``:
    the context says it is a name (我叫…), so dictionary words and place endings count.
    ``tagged``: the tagger's word (its first two characters may be a known name, 王伟军)."""
    word = text[start:end]
    if not re.fullmatch(rf"[{_CJK}]+", word) or word.endswith(LEADER_TITLES):
        return None
    for title in ADDRESS_TITLES:
        # 张先生 (the surname alone stays), 李建义女士 (the given name goes).
        if word.endswith(title):
            word, end = word[: -len(title)], end - len(title)
            break
    if not 2 <= len(word) <= 4:
        return None
    surname = 2 if word[:2] in COMPOUND_SURNAMES else 1
    if word[0] not in SURNAMES and surname == 1:
        return None
    given = word[surname:]
    if not given or "某" in given or set(given) <= _NUMERALS or len(given) > 2:
        return None
    if _leader(text, end):
        return None
    if strong:
        return start, end
    if word[-1] in PLACE_ENDINGS or text.startswith(PLACE_FOLLOWERS, end):
        return None
    if word[0] in "米万" and start > 0 and text[start - 1].isdigit():
        # 5米左右, 3万余: a measure after a number.
        return None
    if tagged:
        if word[0] in AMBIGUOUS_SURNAMES and (len(word) != 3 or _in_dictionary(word)):
            return None
        if _known_word(word):
            return None
    elif _in_dictionary(word) or _in_dictionary(word[:2]):
        return None
    return start, end


def _tagged_names(text):
    """Spans of the person names jieba's tagger finds in ``text``. A two-character name the
    tagger cut short before a pause (罗军|建、) gets its third character back."""
    pos, _freq = _tagger()
    spans, offset = [], 0
    for pair in pos.cut(text):
        word, flag = pair.word, pair.flag
        start, offset = offset, offset + len(word)
        if not flag.startswith("nr"):
            continue
        span = _person_span(text, start, offset, tagged=True)
        if span is None:
            continue
        end = span[1]
        if (
            end - span[0] == 2
            and re.fullmatch(rf"[{_CJK}]", text[end : end + 1])
            and text[end] not in _NOT_IN_NAMES
            and _PAUSE.fullmatch(text[end + 1 : end + 2] or "。")
        ):
            span = _person_span(text, span[0], end + 1, tagged=True) or span
        spans.append(span)
    return spans


def _context_names(text):
    """Spans of names given by context: introduced (我叫…, 投诉人：…) or signed at the end."""
    spans = []
    for match in INTRODUCED_NAME.finditer(text):
        # 我叫… / 姓名：… always give a name; after 本人 / 我是 / 业主…, a word of the
        # dictionary or a place is just that (本人高度重视, 业主张贴, 我是万达广场…).
        strong = match.group(0).startswith(_STRONG)
        spans.append(_person_span(text, *match.span(1), strong=strong))
    match = SIGNATURE.search(text)
    if match is not None:
        spans.append(_person_span(text, *match.span(1)))
    return [span for span in spans if span is not None]


def _titled(match):
    name = match.group(0)
    # 高中老师, 党员同志: a word before the title, not a name.
    return name if len(name) >= 2 and _in_dictionary(name) else _mask(name)


def _mask_spans(text, spans):
    """``text`` with the names at ``spans`` masked, and every other occurrence of them too
    (the tagger may find 邱林松 once and cut 邱林|松原 elsewhere)."""
    names = {text[start:end] for start, end in spans}
    for name in sorted(names, key=len, reverse=True):
        if len(name) >= 2 and "*" not in name:
            # Not where a leader title follows (胡华衡书记 stays, 胡华衡， goes).
            text = re.sub(rf"{re.escape(name)}(?!{_LEADER})", _mask(name), text)
    # Masks keep the length: the spans still point at their names.
    for start, end in sorted(set(spans), reverse=True):
        text = text[:start] + _mask(text[start:end]) + text[end:]
    return text


def person_names(text):
    """The person names ``redact`` would mask in ``text`` (to mask them in another text of
    the same message too: ``redact(reply, names=person_names(body))``)."""
    if not text:
        return set()
    spans = _context_names(text) + _tagged_names(text)
    return {text[start:end] for start, end in spans}


def mask_person_names(text):
    """``text`` with the person names it contains masked (the tagger and the context rules
    above), until nothing more is found."""
    for _ in range(_PASSES):
        spans = _context_names(text) + _tagged_names(text)
        if not spans:
            break
        masked = _mask_spans(text, spans)
        if masked == text:
            break
        text = masked
    return text


def redact(text, *, names=()):
    """``text`` with personal data replaced by ``*`` marks (``names``: names known to belong
    to the writer or others, removed wherever they appear)."""
    if not text:
        return text
    for name in sorted(
        {n.strip() for n in names if n and len(n.strip()) >= 2}, key=len, reverse=True
    ):
        text = text.replace(name, name[0] + "*" * (len(name) - 1))
    text = ID_NUMBER.sub("[身份证号已隐去]", text)
    text = EMAIL.sub("[邮箱已隐去]", text)
    text = MOBILE.sub("[电话已隐去]", text)
    text = LANDLINE.sub("[电话已隐去]", text)
    text = TITLED_NAME.sub(_titled, text)
    return mask_person_names(text)


def mask_name(name):
    name = (name or "").strip()
    if not name:
        return "匿名"
    return name[0] + "*" * max(1, len(name) - 1)
