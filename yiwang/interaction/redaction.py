"""Personal data out of a text before it is published (公开前脱敏).

Removed: resident ID numbers, mobile and landline numbers, e-mail addresses, the names given
(the writer's own), and person names written with a title (张先生, 李女士, 王某某...).
"""

import re

ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])|(?<!\d)\d{15}(?!\d)")
MOBILE = re.compile(r"(?<!\d)(?:\+?86[- ]?)?1[3-9]\d[- ]?\d{4}[- ]?\d{4}(?!\d)")
LANDLINE = re.compile(r"(?<!\d)0\d{2,3}[- ]?\d{7,8}(?!\d)")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝"
    "龚邵万钱严覃武戴莫孔向汤"
)
TITLED_NAME = re.compile(
    rf"[{SURNAMES}][\u4e00-\u9fff]{{0,2}}?(?=(?:先生|女士|老师|同志|师傅|阿姨|大爷|某某|某))"
)


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
    text = TITLED_NAME.sub(lambda m: m.group(0)[0] + "*" * (len(m.group(0)) - 1), text)
    return text


def mask_name(name):
    name = (name or "").strip()
    if not name:
        return "匿名"
    return name[0] + "*" * max(1, len(name) - 1)
