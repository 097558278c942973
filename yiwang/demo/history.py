"""A year of the demo hall's history: a few thousand closed cases, and some forty open ones
whose clocks are comfortable, nearly used up (yellow) or overdue (red).

``load(today=...)`` writes, for the implementations the hall serves (a bound process after
``hall.py``), the rows the hall's actions would have left behind:

1. **Historic cases** (``count``, default 3,000), submitted in the 365 days before ``today``
   — many on working days, few on weekends, hardly any on holidays, so Spring Festival and
   National Day show in the monthly figures — about 70% online and 30% at a counter, most
   completed (a few denied), some refused with the legal reason, some withdrawn, 10–20% with
   a correction round (a few with two or three), a share late against the promised limit.
   They are written with ``bulk_create``: case numbers in the real format, taken from and
   recorded in ``CaseNumberCounter`` so later submissions do not collide; applicant
   snapshots; closed ``CaseTask`` rows; ``Clock`` and ``ClockPause`` rows as ``clocks.py``
   leaves them (due dates from ``workdays``, every clock stopped); correction notices;
   materials (one shared sample file); the timeline; and a workflow state made by the real
   BPMN engine (one run per process definition and path, task ids renewed per case).
2. **Open cases** (``open_count``, default 40) made through the hall's own actions
   (``save_draft``, ``add_material``, ``submit``, ``create_at_counter``,
   ``request_correction``, ``accept``, ``review``, ``decide``) with the hall's clock set back
   to the day each step happened, so every row and clock is what the hall writes; then every
   running clock is recomputed for ``today``. Applicants get no texts for those back-dated
   steps.

What it made is marked in the ``data`` of each case's first event (``submitted`` or
``counter_created``): ``{"demo": "history"}`` or ``{"demo": "open"}``; its accounts have
usernames starting with ``history.`` (applicants who cannot log in, and the staff of
departments the demo gives no hall staff). ``load`` skips a part that is there already;
``reset()`` deletes only these. ``Case.updated_at`` and ``Clock.updated_at`` are the time of
loading, so jobs that read "changed since" see the rows.
"""

import contextlib
import datetime
import hashlib
import json
import math
import random
import re
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from unittest import mock

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from yiwang.accounts import queries as account_queries
from yiwang.accounts.actions.identity import ID_CONTEXT, id_number_digest
from yiwang.accounts.models import LegalPerson, RealNameLevel, UserKind
from yiwang.accounts.queries import ROLE_ADMINISTRATOR
from yiwang.catalog.constants import Audience, DeliveryMethod, LimitKind
from yiwang.catalog.models import ProcessStep
from yiwang.core import audit, crypto, workdays
from yiwang.core.masking import mask_id_number
from yiwang.hall import actions as hall_actions
from yiwang.hall import clocks as hall_clocks
from yiwang.hall import engine, formdefs, notify, numbers
from yiwang.hall.constants import (
    STEP_ROLE,
    CaseStatus,
    Channel,
    ClockKind,
    Decision,
    EventKind,
    HallRole,
    PauseReason,
    ProcessTemplate,
    ReviewOpinion,
    ScanStatus,
    Step,
    TaskState,
)
from yiwang.hall.models import (
    Case,
    CaseEvent,
    CaseMaterial,
    CaseNumberCounter,
    CaseTask,
    Clock,
    ClockPause,
    CorrectionRequest,
    ServiceSetup,
)
from yiwang.hall.models import private_storage as hall_private_storage

from .spec import DEFAULT_SEED, DEMO_CITIZENS, DEMO_COMPANY, DEMO_EMAIL_DOMAIN, TZ

MARK = "demo"
HISTORY = "history"
OPEN = "open"
USER_PREFIX = "history."
AUDIT_LOADED = "demo.history_loaded"
DAYS = 365
BATCH = 500
SAMPLE_FILE = "cases/demo-history/演示材料.pdf"
# The history companies' credit codes (``_uscc("990121", 6_000_000 + i)``).
COMPANY_USCC_PREFIX = "91990121MA6"

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡蒋余于杜叶程魏苏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"  # noqa: E501
GIVEN = (
    "伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰",
    "娟", "涛", "明", "超", "秀兰", "霞", "平", "刚", "桂英", "建华", "文", "华", "红",
    "建国", "海燕", "志强", "晓东", "春梅", "玉兰", "子涵", "浩然", "欣怡", "宇轩", "梓萱",
    "俊杰", "雨桐", "思远", "佳怡", "博文", "婷婷", "国庆", "立新", "丹", "鹏", "慧", "琳",
)  # fmt: skip
COMPANY_WORDS = tuple(
    "青禾 松涛 明川 瑞丰 鹿鸣 桐源 白鹭 恒信 安泰 华茂 "
    "嘉禾 鼎盛 润泽 远航 天成 新达 宏图 绿野".split()
)
COMPANY_TRADES = ("农业科技", "建筑工程", "餐饮管理", "商贸", "物流", "医疗器械", "食品",
                  "信息技术", "环保科技", "运输", "文化传媒", "建材")  # fmt: skip
STREETS = ("府前街", "建设路", "文化路", "新华路", "人民路", "解放路", "滨河路", "中山路")
# Real area codes (the first six digits of resident ID numbers) of people who moved here.
ID_AREAS = ("110101", "110102", "110105", "110108", "120101", "310101", "310104")

REFUSAL_REASONS = (
    "申请事项依法不属于本机关职权范围，依据《中华人民共和国行政许可法》第三十二条第一款"
    "第（二）项，不予受理，请向有关行政机关申请。",
    "申请人在规定期限内未补正全部材料，依据《中华人民共和国行政许可法》第三十二条第一款"
    "第（四）项，不予受理。",
    "申请事项依法不需要取得行政许可，依据《中华人民共和国行政许可法》第三十二条第一款第（一）"
    "项，不予受理。",
    "申请人不具备申请资格，依据本事项设定依据的规定，不予受理。",
)
DENIAL_REASONS = (
    "经审查，申请材料反映的情况不符合法定条件，依法不予许可。",
    "经现场核查，实际情况与申请材料不一致，不符合许可条件，依法不予许可。",
)
DISAGREE_COMMENTS = ("申请条件不符合规定，建议不予许可。", "现场情况与材料不一致。")
WITHDRAWAL_REASONS = ("申请信息填写有误，撤回后重新申请。", "", "已不需要办理。", "")
CORRECTION_REASONS = (
    "扫描件不清晰，请上传清晰完整的扫描件。",
    "材料未加盖公章，请补充盖章后的材料。",
    "材料已过有效期，请提供有效期内的材料。",
    "材料内容与申请表填写不一致，请核对后重新提交。",
)


@dataclass
class Person:
    """Who applies: an account (online) or a walk-in (counter), or a legal person."""

    name: str
    id_number: str
    mobile: str
    email: str = ""
    user: object = None
    legal_person: object = None
    acting_role: str = ""
    address: str = ""
    representative: str = ""
    # The natural person's resident ID (a legal person's representative or administrator),
    # for forms asking for one; ``id_number`` is the USCC when the applicant is a company.
    personal_id: str = ""

    def __post_init__(self):
        if not self.personal_id and self.legal_person is None and not self.representative:
            self.personal_id = self.id_number


@dataclass
class Served:
    """One implementation the hall serves, with what its cases need."""

    implementation: object
    setup: object
    steps: dict
    procedures: list
    materials: list
    acceptor: object = None
    reviewer: object = None
    decider: object = None
    window: object = None
    joint_reviewers: dict = field(default_factory=dict)

    @property
    def process(self):
        return self.setup.process

    @property
    def template(self):
        return self.setup.process.template


# --- small helpers -------------------------------------------------------------------------


def _marked(kind):
    return Case.objects.filter(
        events__kind__in=(EventKind.SUBMITTED, EventKind.COUNTER_CREATED),
        **{f"events__data__{MARK}": kind},
    )


def history_cases():
    """The historic cases ``load`` made."""
    return Case.objects.filter(pk__in=_marked(HISTORY).values("pk"))


def open_cases():
    """The open cases ``load`` made."""
    return Case.objects.filter(pk__in=_marked(OPEN).values("pk"))


def _work_day(day, n=0):
    """The day staff act ``n`` working days after ``day`` (``n`` = 0: that day, or the next
    working day when it is none)."""
    if n <= 0:
        return day if workdays.is_working_day(day) else workdays.add_working_days(day, 1).date
    return workdays.add_working_days(day, n).date


def _moment(day, rng, *, after=None, start=(8, 40), end=(17, 20)):
    """A time on ``day`` in the given hours, later than ``after``."""
    lo = start[0] * 60 + start[1]
    hi = end[0] * 60 + end[1]
    minute = rng.randint(lo, hi)
    moment = datetime.datetime.combine(day, datetime.time(minute // 60, minute % 60), TZ)
    moment += datetime.timedelta(seconds=rng.randint(0, 59))
    if after is not None and moment <= after:
        moment = after + datetime.timedelta(minutes=rng.randint(3, 50), seconds=rng.randint(0, 59))
    return moment


def _ric(rng, serial):
    area = rng.choice(ID_AREAS)
    birth = datetime.date(1955, 1, 1) + datetime.timedelta(days=rng.randint(0, 49 * 365))
    body = f"{area}{birth:%Y%m%d}{serial % 1000:03d}"
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    check = "10X98765432"[sum(int(d) * w for d, w in zip(body, weights, strict=True)) % 11]
    return body + check


def _uscc(division, serial):
    from stdnum.cn import uscc

    body = f"91{division}MA{serial:07d}"[:17]
    return body + uscc.calc_check_digit(body)


def _name(rng):
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def _walk_in(rng, serial, served):
    implementation = served.implementation
    legal = implementation.audience == Audience.LEGAL_PERSON or (
        implementation.audience == Audience.BOTH and rng.random() < 0.4
    )
    person = Person(
        name=_name(rng),
        id_number=_ric(rng, serial),
        mobile=f"13{rng.randint(5, 9)}{rng.randint(0, 99999999):08d}",
        address=f"{implementation.region.name}{rng.choice(STREETS)}{rng.randint(1, 199)}号",
    )
    if legal:
        person.personal_id = person.id_number
        person.representative = person.name
        person.name = (
            f"{implementation.region.name}{rng.choice(COMPANY_WORDS)}"
            f"{rng.choice(COMPANY_TRADES)}有限公司"
        )
        person.id_number = _uscc(implementation.region.division_code, 5_000_000 + serial)
    return person


def _form_value(spec, person, implementation):
    kind = spec.get("type")
    name = spec.get("name", "")
    if kind == "id_number":
        return person.personal_id or person.id_number
    if kind == "uscc":
        return person.id_number
    if kind == "mobile":
        return person.mobile
    if kind == "email":
        return person.email or None
    if kind == "date":
        return "2026-06-30"
    if kind in ("integer", "decimal"):
        return "1"
    if kind == "boolean":
        return True
    if kind == "choice":
        return spec["choices"][0][0]
    if kind == "multichoice":
        return [spec["choices"][0][0]]
    if name == "legal_representative":
        return person.representative or person.name
    if name == "name":
        return person.name
    if kind == "address" or "address" in name:
        return person.address or None
    return f"申请办理{implementation.name}。"


def _form_data(form, person, implementation):
    data = {}
    for section in (form.schema or {}).get("sections", []):
        for spec in section.get("fields", []):
            value = _form_value(spec, person, implementation)
            if value is not None:
                data[spec["name"]] = value
    return data


@contextlib.contextmanager
def _explicit_timestamps():
    """``bulk_create`` keeps the times given for fields that normally take "now" when a row
    is added (the history happened then); ``updated_at`` stays the time of loading."""
    fields = [
        Case._meta.get_field("created_at"),
        CaseTask._meta.get_field("created_at"),
        CorrectionRequest._meta.get_field("requested_at"),
        CaseMaterial._meta.get_field("uploaded_at"),
    ]
    saved = [(f, f.auto_now_add) for f in fields]
    try:
        for f in fields:
            f.auto_now_add = False
        yield
    finally:
        for f, value in saved:
            f.auto_now_add = value


# --- the workflow, run once per process and path --------------------------------------------

UUID_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


@dataclass
class Script:
    """The user tasks a path through a process opens, wave by wave (a wave: the tasks ready
    together), and the workflow state at its end (as JSON text)."""

    waves: list
    state: str


def _step_data(step, path):
    if step == Step.REVIEW:
        return {"opinion": path["opinion"]}
    if step == Step.SPECIAL:
        return {"special_result": path["special_result"]}
    if step in (Step.DECIDE, Step.HANDLE):
        return {"decision": path["decision"]}
    if step == Step.DELIVER:
        return {"delivery_method": path["method"]}
    return None


class Scripts:
    def __init__(self):
        self._cache = {}

    def get(self, served, *, stop=None, **path):
        """The script of ``served``'s process along ``path`` (``opinion``, ``decision``,
        ``method``, ``special_result``); ``stop``: cancel when wave ``stop`` is ready (0:
        at acceptance, 1: after it)."""
        key = (served.process.pk, stop, tuple(sorted(path.items())))
        script = self._cache.get(key)
        if script is None:
            implementation = served.implementation
            data = {
                "lead_department": implementation.department_id,
                "joint_departments": [
                    int(pk) for pk in served.process.parameters.get("joint_departments", [])
                ],
            }
            workflow = engine.start(served.process, data)
            waves = []
            while True:
                ready = engine.ready_user_tasks(workflow)
                if not ready:
                    break
                waves.append(ready)
                if stop is not None and len(waves) > stop:
                    engine.cancel(workflow)
                    break
                for task in ready:
                    engine.complete(workflow, task.id, _step_data(task.step, path))
            script = Script(waves=waves, state=json.dumps(engine.dump(workflow)))
            self._cache[key] = script
        return script


def _renew_ids(script, rng):
    """The script's workflow state with fresh task ids, and the mapping old → new."""
    mapping = {}

    def swap(match):
        old = match.group(0)
        new = mapping.get(old)
        if new is None:
            new = mapping[old] = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        return new

    state = json.loads(UUID_RE.sub(swap, script.state))
    # A cancelled joint review drops its multi-instance children from the tree; their rows
    # keep the ids they had.
    for wave in script.waves:
        for task in wave:
            if task.id not in mapping:
                mapping[task.id] = str(uuid.UUID(int=rng.getrandbits(128), version=4))
    return state, mapping


# --- who works in the hall -----------------------------------------------------------------


def _group(role):
    return Group.objects.get(name=HallRole(role).label)


def _staff_with(department, role):
    return (
        get_user_model()
        .objects.filter(department=department, groups__name=HallRole(role).label, is_active=True)
        .order_by("pk")
        .first()
    )


class People:
    """The staff and applicants of the history, created on first need."""

    def __init__(self, rng):
        self.rng = rng
        self.User = get_user_model()
        self.staff = {}
        self.created = 0

    def _new_staff(self, department, roles, n):
        username = f"{USER_PREFIX}staff.{department.pk}.{n}"
        user = self.User.objects.filter(username=username).first()
        if user is None:
            user = self.User(
                username=username,
                kind=UserKind.STAFF,
                display_name=_name(self.rng),
                department=department,
                email=f"{username}@{DEMO_EMAIL_DOMAIN}",
                is_staff=True,
            )
            user.set_unusable_password()
            user.save()
            self.created += 1
        for role in roles:
            user.groups.add(_group(role))
        return user

    def staff_for(self, department, role):
        """The demo's hall staff of ``department`` with ``role``, else a history account
        (the acceptor one, the reviewer and decider another)."""
        key = (department.pk, role)
        if key not in self.staff:
            user = _staff_with(department, role)
            if user is None:
                n = 1 if role == HallRole.ACCEPTOR else 2
                roles = (HallRole.ACCEPTOR,) if n == 1 else (HallRole.REVIEWER, HallRole.DECIDER)
                user = self._new_staff(department, roles, n)
            self.staff[key] = user
        return self.staff[key]

    def window_for(self, implementation):
        """A counter clerk who may take in applications for ``implementation``: the county
        service centre's window where the demo has one, else the department's acceptor."""
        chain = {implementation.region_id, *(r.pk for r in implementation.region.ancestors())}
        for user in (
            self.User.objects.filter(groups__name=HallRole.ACCEPTOR.label, is_active=True)
            .exclude(department=None)
            .select_related("department")
            .order_by("pk")
        ):
            if user.department.name.endswith("人民政府") and user.department.region_id in chain:
                return user
        return self.staff_for(implementation.department, HallRole.ACCEPTOR)

    def citizens(self, count):
        """``count`` applicants with accounts (who cannot log in), and the demo's own."""
        existing = {
            u.username: u
            for u in self.User.objects.filter(username__startswith=f"{USER_PREFIX}citizen.")
        }
        people, new = [], []
        for i in range(1, count + 1):
            username = f"{USER_PREFIX}citizen.{i:04d}"
            rng = random.Random(f"citizen-{i}")
            number = _ric(rng, i)
            name = _name(rng)
            user = existing.get(username)
            if user is None:
                user = self.User(
                    username=username,
                    kind=UserKind.NATURAL,
                    display_name=name,
                    email=f"{username}@{DEMO_EMAIL_DOMAIN}",
                    mobile=f"1378{i:07d}",
                    mobile_verified_at=datetime.datetime(2025, 1, 1, tzinfo=TZ),
                    real_name_level=RealNameLevel.IDENTITY,
                )
                user.id_number_encrypted = crypto.encrypt(number, context=ID_CONTEXT)
                user.id_number_digest = id_number_digest(number)
                user.id_number_masked = mask_id_number(number)
                user.set_unusable_password()
                new.append(user)
            people.append(
                Person(
                    name=user.display_name or name,
                    id_number=number,
                    mobile=user.mobile,
                    email=user.email,
                    user=user,
                    address=f"{rng.choice(('松林县', '桐溪县', '鹿鸣县', '青岚市'))}"
                    f"{rng.choice(STREETS)}{rng.randint(1, 199)}号",
                )
            )
        if new:
            self.User.objects.bulk_create(new, batch_size=BATCH)
            self.created += len(new)
            saved = {
                u.username: u
                for u in self.User.objects.filter(username__in=[u.username for u in new])
            }
            for person in people:
                if person.user.pk is None:
                    person.user = saved[person.user.username]
        for spec in DEMO_CITIZENS:
            user = self.User.objects.filter(
                username=spec.username, email__endswith="@" + DEMO_EMAIL_DOMAIN
            ).first()
            if user is not None:
                people.append(
                    Person(
                        name=spec.display_name,
                        id_number=spec.id_number,
                        mobile=user.mobile,
                        email=user.email,
                        user=user,
                        address="松林县城关镇府前街 8 号",
                    )
                )
        return people

    def companies(self, citizens, count):
        """``count`` legal persons administered by history applicants, and the demo's own
        company administered by 张三."""
        out = []
        for i in range(1, count + 1):
            admin = citizens[(i * 7) % len(citizens)]
            rng = random.Random(f"company-{i}")
            uscc = _uscc("990121", 6_000_000 + i)
            company = LegalPerson.objects.filter(uscc=uscc).first()
            if company is None:
                company = LegalPerson.objects.create(
                    name=f"{rng.choice(('松林县', '桐溪县', '鹿鸣县', '青岚市', '白鹭市'))}"
                    f"{rng.choice(COMPANY_WORDS)}{rng.choice(COMPANY_TRADES)}有限公司",
                    uscc=uscc,
                    legal_representative=admin.name,
                    administrator=admin.user,
                )
            out.append(
                Person(
                    name=company.name,
                    id_number=company.uscc,
                    mobile=admin.mobile,
                    email=admin.email,
                    user=admin.user,
                    legal_person=company,
                    acting_role=ROLE_ADMINISTRATOR,
                    address=admin.address,
                    representative=company.legal_representative,
                    personal_id=admin.id_number,
                )
            )
        company = LegalPerson.objects.filter(uscc=DEMO_COMPANY["uscc"]).first()
        if company is not None and company.administrator is not None:
            admin = company.administrator
            out.append(
                Person(
                    name=company.name,
                    id_number=company.uscc,
                    mobile=admin.mobile,
                    email=admin.email,
                    user=admin,
                    legal_person=company,
                    acting_role=ROLE_ADMINISTRATOR,
                    address="松林县城关镇府前街 8 号",
                    representative=company.legal_representative,
                    personal_id=next(
                        (c.id_number for c in DEMO_CITIZENS if c.username == admin.username),
                        "",
                    ),
                )
            )
        return out


def served_implementations(people=None):
    """The demo implementations the hall serves (a bound process and form), with their
    step limits, special procedures, required materials and staff."""
    from .catalog import demo_implementations

    setups = (
        ServiceSetup.objects.filter(
            implementation__in=demo_implementations().visible(),
            process__isnull=False,
        )
        .select_related("implementation__department", "implementation__region", "process", "form")
        .order_by("implementation__region__code", "implementation__pk")
    )
    out = []
    for setup in setups:
        implementation = setup.implementation
        if setup.form is None:
            setup.form = formdefs.ensure_form(implementation)
        steps = {
            name: math.ceil(days)
            for name, days in ProcessStep.objects.filter(
                implementation=implementation, time_limit_days__isnull=False
            ).values_list("name", "time_limit_days")
        }
        materials = [
            r for r in formdefs.required_materials(implementation, setup.form, []) if r.required
        ]
        served = Served(
            implementation=implementation,
            setup=setup,
            steps=steps,
            procedures=list(implementation.special_procedures.all()),
            materials=materials,
        )
        if people is not None:
            department = implementation.department
            served.acceptor = people.staff_for(department, HallRole.ACCEPTOR)
            served.reviewer = people.staff_for(department, HallRole.REVIEWER)
            served.decider = people.staff_for(department, HallRole.DECIDER)
            served.window = people.window_for(implementation)
            for pk in setup.process.parameters.get("joint_departments", []):
                from yiwang.orgs.models import Department

                served.joint_reviewers[int(pk)] = people.staff_for(
                    Department.objects.get(pk=pk), HallRole.REVIEWER
                )
        out.append(served)
    return out


# --- clocks, as clocks.py keeps them ----------------------------------------------------------


class ClockSim:
    """One clock of a case in memory, run through the same rules as ``clocks.py``."""

    def __init__(self, *, kind, label, limit, start, task=None):
        self.row = Clock(kind=kind, label=label, limit_days=max(0, int(limit)), start_date=start)
        self.task = task
        self.pauses = []  # ClockPause rows (unsaved)

    @property
    def running(self):
        return self.row.stopped_on is None

    def pause(self, reason, day):
        if not self.running or self.row.paused_since is not None:
            return
        self.pauses.append(ClockPause(reason=reason, start_date=day))
        self.row.paused_since = day
        self.row.pause_reason = reason

    def resume(self, day):
        if self.row.paused_since is None:
            return
        for pause in self.pauses:
            if pause.end_date is None:
                pause.end_date = day
        self.row.paused_days += max(
            0, workdays.working_days_between(self.row.paused_since, day).days
        )
        self.row.paused_since = None
        self.row.pause_reason = ""

    def stop(self, day):
        if self.running:
            self.resume(day)
            self.row.stopped_on = day

    def finish(self, version):
        row = self.row
        deadline = workdays.add_working_days(
            row.start_date, row.limit_days + row.extension_days + row.paused_days
        )
        row.due_date, row.due_is_provisional, row.calendar_version = (
            deadline.date,
            deadline.provisional,
            version,
        )
        return row


def _step_limit(served, name, step):
    for candidate in (name, Step(step).label):
        if candidate in served.steps:
            return served.steps[candidate]
    return None


def _special_procedure(served, name):
    procedures = served.procedures
    if not procedures:
        return None
    wanted = [name]
    special_name = served.process.parameters.get("special_name")
    if special_name:
        wanted.append(special_name)
    for candidate in wanted:
        for procedure in procedures:
            if procedure.name == candidate:
                return procedure
    return procedures[0] if len(procedures) == 1 else None


# --- one historic case -------------------------------------------------------------------------


@dataclass
class Built:
    case: Case
    tasks: list = field(default_factory=list)  # CaseTask
    clocks: list = field(default_factory=list)  # ClockSim
    events: list = field(default_factory=list)  # (CaseEvent, CaseTask or None)
    corrections: list = field(default_factory=list)
    materials: list = field(default_factory=list)


class CaseWriter:
    """Writes one case's history in memory, step by step, the way the actions would."""

    def __init__(self, built, served, rng, version):
        self.b = built
        self.served = served
        self.rng = rng
        self.version = version
        self.cursor = None

    # events and tasks

    def event(self, kind, actor, at, *, task=None, text="", data=None, visible=True):
        event = CaseEvent(
            kind=kind,
            at=at,
            actor=actor,
            actor_label=str(actor)[:200] if actor is not None else "",
            department_id=getattr(actor, "department_id", None) if actor is not None else None,
            text=text,
            data=data or {},
            visible_to_applicant=visible,
        )
        self.b.events.append((event, task))
        self.cursor = max(self.cursor, at) if self.cursor else at
        return event

    def open_wave(self, wave, mapping, at):
        day = at.astimezone(TZ).date()
        opened = []
        for ready in wave:
            task = CaseTask(
                spiff_task_id=mapping[ready.id],
                bpmn_id=ready.bpmn_id,
                step=ready.step,
                name=ready.name[:100],
                department_id=ready.department_id or self.b.case.department_id,
                role=STEP_ROLE[ready.step],
                state=TaskState.OPEN,
                created_at=at,
            )
            self.b.tasks.append(task)
            self.task_clocks(task, day)
            opened.append(task)
        return opened

    def task_clocks(self, task, day):
        served = self.served
        if task.step == Step.ACCEPT:
            self.clock(ClockKind.STATUTORY, hall_clocks.ACCEPT_LABEL, 5, day, task)
        elif task.step == Step.HANDLE:
            self.clock(ClockKind.PROMISED, hall_clocks.HANDLE_LABEL, 0, day, task)
        elif task.step in (Step.REVIEW, Step.DECIDE):
            limit = _step_limit(served, task.name, task.step)
            if limit is not None:
                self.clock(ClockKind.PROMISED, task.name, limit, day, task)
        elif task.step == Step.DELIVER:
            self.clock(
                ClockKind.STATUTORY, hall_clocks.DELIVER_LABEL, hall_clocks.DELIVERY_LIMIT_DAYS,
                day, task,
            )  # fmt: skip
        elif task.step == Step.SPECIAL:
            procedure = _special_procedure(served, task.name)
            if procedure is None or not procedure.counts_in_limit:
                for clock in self.b.clocks:
                    if clock.running:
                        clock.pause(PauseReason.SPECIAL, day)
            if procedure is not None and procedure.time_limit_days:
                self.clock(
                    ClockKind.STATUTORY, task.name or procedure.name,
                    procedure.time_limit_days, day, task,
                )  # fmt: skip

    def clock(self, kind, label, limit, day, task=None):
        clock = ClockSim(kind=kind, label=label, limit=limit, start=day, task=task)
        self.b.clocks.append(clock)
        return clock

    def close(self, task, staff, at, *, outcome="", opinion="", claim=True):
        if claim and staff is not None and self.rng.random() < 0.7:
            claimed = at - datetime.timedelta(minutes=self.rng.randint(2, 40))
            claimed = max(claimed, task.created_at + datetime.timedelta(seconds=30))
            if claimed < at:
                task.assignee = staff
                task.claimed_at = claimed
                self.event(
                    EventKind.CLAIMED, staff, claimed, task=task, text=task.name, visible=False
                )
        task.state = TaskState.DONE
        task.completed_at = at
        task.completed_by = staff
        task.outcome = outcome
        task.opinion = opinion
        day = at.astimezone(TZ).date()
        for clock in self.b.clocks:
            if clock.task is task:
                clock.stop(day)
        if task.step == Step.SPECIAL:
            for clock in self.b.clocks:
                if clock.running and clock.pauses and clock.row.paused_since is not None:
                    clock.resume(day)

    def cancel_open(self, at):
        for task in self.b.tasks:
            if task.state == TaskState.OPEN:
                task.state = TaskState.CANCELLED
                task.completed_at = at

    def stop_all(self, day):
        for clock in self.b.clocks:
            clock.stop(day)


# Share of historic cases with a correction round, and how far the count may stray from it.
CORRECTED_SHARE = 0.2
QUOTA_SLACK = 3


class History:
    """Generates the historic cases."""

    def __init__(self, *, today, seed, served, people, citizens, companies):
        self.today = today
        self.rng = random.Random(f"{seed}-history")
        self.served = served
        self.people = people
        self.citizens = citizens
        self.companies = companies
        self.scripts = Scripts()
        self.version = workdays.get_table().version
        self.walk_in_serial = 0
        self.made = self.corrected = 0
        self.weights = [self._weight(s) for s in served]
        self.days, self.day_weights = self._days()

    @staticmethod
    def _weight(served):
        implementation = served.implementation
        weight = {4: 1.0, 3: 1.6, 2: 1.2}.get(implementation.region.level, 1.0)
        if implementation.limit_kind == LimitKind.ON_THE_SPOT:
            weight *= 1.5
        if served.template in (ProcessTemplate.SPECIAL, ProcessTemplate.JOINT):
            weight *= 0.5
        return weight

    def _days(self):
        days, weights = [], []
        first = self.today - datetime.timedelta(days=DAYS)
        season = {1: 0.9, 2: 0.8, 3: 1.15, 4: 1.1, 5: 1.05, 6: 1.1, 7: 1.0, 8: 0.95, 9: 1.1,
                  10: 0.95, 11: 1.05, 12: 1.0}  # fmt: skip
        for offset in range(DAYS):
            day = first + datetime.timedelta(days=offset)
            info = workdays.is_working_day(day)
            if info.is_working:
                weight = 1.0
            elif info.kind == workdays.HOLIDAY:
                weight = 0.04
            else:
                weight = 0.22
            days.append(day)
            weights.append(weight * season[day.month])
        return days, weights

    def applicant(self, served, online):
        rng = self.rng
        implementation = served.implementation
        if not online:
            self.walk_in_serial += 1
            return _walk_in(rng, self.walk_in_serial, served)
        legal = implementation.audience == Audience.LEGAL_PERSON or (
            implementation.audience == Audience.BOTH and rng.random() < 0.4
        )
        if legal and self.companies:
            return rng.choice(self.companies)
        return rng.choice(self.citizens)

    def generate(self, n):
        """``n`` cases in memory (``Built``), each ended before today."""
        out = []
        while len(out) < n:
            served = self.rng.choices(self.served, self.weights)[0]
            for _attempt in range(12):
                day = self.rng.choices(self.days, self.day_weights)[0]
                built = self.one(served, day)
                if built is not None:
                    out.append(built)
                    self.made += 1
                    self.corrected += built.case.correction_rounds >= 1
                    break
        return out

    def one(self, served, day):
        rng = self.rng
        implementation = served.implementation
        on_the_spot = served.template == ProcessTemplate.ON_THE_SPOT
        working = workdays.is_working_day(day).is_working
        online = rng.random() < (0.7 if working else 1.0)
        person = self.applicant(served, online)
        if online:
            submitted = _moment(day, rng, start=(7, 30), end=(23, 20))
        else:
            submitted = _moment(day, rng, start=(8, 45), end=(16, 50))
        roll = rng.random()
        if online and roll < 0.07:
            outcome = "withdrawn"
        elif roll < 0.135:
            outcome = "refused"
        else:
            outcome = "completed"
        rounds = 0
        if online and not on_the_spot:
            r = rng.random()
            rounds = 3 if r < 0.015 else 2 if r < 0.06 else 1 if r < 0.32 else 0
            # Held near CORRECTED_SHARE of all cases whatever days and items were drawn: the
            # coin alone fell below a tenth on some days the demo was loaded.
            expected = CORRECTED_SHARE * (self.made + 1)
            if not rounds and self.corrected < expected - QUOTA_SLACK:
                rounds = 1
            elif rounds and self.corrected > expected + QUOTA_SLACK:
                rounds = 0
        decision = Decision.DENIED if rng.random() < 0.04 else Decision.APPROVED
        methods = [m for m in implementation.delivery_methods or [] if m in DeliveryMethod.values]
        method = rng.choice(methods or [DeliveryMethod.PICKUP])
        case = Case(
            implementation=implementation,
            implementation_version=implementation.version,
            item_code=implementation.code,
            item_name=implementation.name,
            department_id=implementation.department_id,
            region_id=implementation.region_id,
            process=served.process,
            form=served.setup.form,
            applicant=person.user,
            legal_person=person.legal_person,
            acting_role=person.acting_role if online else "",
            applicant_name=person.name[:100],
            applicant_mobile=person.mobile,
            applicant_email=person.email if online else "",
            form_data=_form_data(served.setup.form, person, implementation),
            situation_codes=[],
            channel=Channel.ONLINE if online else Channel.COUNTER,
            created_by=None if online else served.window,
            submitted_at=submitted,
            created_at=submitted
            - (datetime.timedelta(minutes=rng.randint(4, 180)) if online else datetime.timedelta()),
        )
        case.set_applicant_id_number(person.id_number)
        built = Built(case=case)
        writer = CaseWriter(built, served, rng, self.version)
        try:
            ended = self._path(
                writer, served, person, online, outcome, rounds, decision, method, submitted
            )
        except workdays.OutsideCalendar:
            return None
        if ended is None or ended.astimezone(TZ).date() >= self.today:
            return None
        return built

    def _materials(self, built, person, served, at, uploader, round_=0, names=None):
        for requirement in served.materials:
            if names is not None and requirement.name not in names:
                continue
            built.materials.append(
                CaseMaterial(
                    material_id=requirement.material_id,
                    material_name=requirement.name,
                    file=SAMPLE_FILE,
                    original_name=f"{requirement.name}.pdf"[:255],
                    content_type="application/pdf",
                    size=self.sample_size,
                    sha256=self.sample_sha256,
                    scan_status=ScanStatus.SKIPPED,
                    uploaded_by=uploader,
                    uploaded_at=at,
                    correction_round=round_,
                )
            )

    def _path(self, w, served, person, online, outcome, rounds, decision, method, submitted):
        """The case's steps from submission; returns when it ended."""
        rng = self.rng
        b = w.b
        case = b.case
        implementation = served.implementation
        marker = {MARK: HISTORY}
        stop = {"refused": 0, "completed": None}.get(outcome)
        withdraw_at = None
        if outcome == "withdrawn":
            # Before a decision only: an on-the-spot case is decided when it is accepted.
            withdraw_at = (
                0 if served.template == ProcessTemplate.ON_THE_SPOT else rng.choice((0, 1, 1))
            )
            stop = withdraw_at
        procedure = _special_procedure(served, served.process.parameters.get("special_name", ""))
        path = {
            "opinion": ReviewOpinion.DISAGREE
            if decision == Decision.DENIED
            else ReviewOpinion.AGREE,
            "decision": str(decision),
            "method": str(method),
            "special_result": (procedure.name if procedure else "特别程序")
            + "已完成，结论：符合要求。",
        }
        script = self.scripts.get(served, stop=stop, **path)
        state, mapping = _renew_ids(script, rng)
        case.workflow_state = state
        if online:
            w.cursor = case.created_at
            w.event(EventKind.DRAFT_SAVED, person.user, case.created_at)
            self._materials(b, person, served, case.created_at, person.user)
            w.event(EventKind.SUBMITTED, person.user, submitted, text="申请已提交，等待受理。",
                    data=marker)  # fmt: skip
        else:
            w.cursor = submitted
            self._materials(b, person, served, submitted, served.window)
            w.event(EventKind.COUNTER_CREATED, served.window, submitted, text="窗口收件。",
                    data=marker)  # fmt: skip
        case.status = CaseStatus.SUBMITTED
        (first,) = w.open_wave(script.waves[0], mapping, submitted)
        acceptor = served.acceptor
        last = submitted
        last_staff = acceptor

        # Corrections (at the acceptance step only).
        for round_ in range(1, rounds + 1):
            asked = _moment(_work_day(last.astimezone(TZ).date(), rng.choice((0, 1, 1, 2))),
                            rng, after=last)  # fmt: skip
            wanted = rng.sample(served.materials, min(len(served.materials), rng.choice((1, 1, 2))))
            items = [
                {"material": m.name, "reason": rng.choice(CORRECTION_REASONS)} for m in wanted
            ] or [{"material": "申请表", "reason": rng.choice(CORRECTION_REASONS)}]
            correction = CorrectionRequest(
                round=round_, items=items, note="", requested_at=asked, requested_by=acceptor
            )
            b.corrections.append(correction)
            case.correction_rounds = round_
            w.event(
                EventKind.CORRECTION_REQUESTED, acceptor, asked, task=first,
                text="请按补正告知一次性补齐材料：" + "；".join(i["material"] for i in items),
                data={"round": round_, "items": items},
            )  # fmt: skip
            asked_day = asked.astimezone(TZ).date()
            for clock in b.clocks:
                if clock.running:
                    clock.pause(PauseReason.CORRECTION, asked_day)
            if outcome == "refused" and round_ == rounds and rng.random() < 0.5:
                # Never corrected: refused when the notice's time ran out.
                last = asked
                break
            back = asked + datetime.timedelta(days=rng.choice((1, 1, 2, 3, 4, 6, 9)))
            back = _moment(back.astimezone(TZ).date(), rng, after=asked, start=(8, 0), end=(22, 30))
            names = {i["material"] for i in items}
            for material in b.materials:
                if material.material_name in names and material.correction_round < round_:
                    material.superseded = True
            self._materials(b, person, served, back, person.user, round_, names)
            correction.resubmitted_at = back
            w.event(EventKind.RESUBMITTED, person.user, back, text="补正材料已提交，等待受理。")
            for clock in b.clocks:
                clock.resume(back.astimezone(TZ).date())
            last = back

        if outcome == "refused":
            wait = (
                5
                if case.correction_rounds and rounds and not b.corrections[-1].resubmitted_at
                else 0
            )
            at = _moment(_work_day(last.astimezone(TZ).date(), wait + rng.choice((0, 1, 1, 2, 3))),
                         rng, after=last)  # fmt: skip
            reason = rng.choice(REFUSAL_REASONS)
            w.close(first, acceptor, at, outcome="refused", opinion=reason)
            w.stop_all(at.astimezone(TZ).date())
            case.status = CaseStatus.REFUSED
            case.refusal_reason = reason
            case.completed_at = at
            w.event(EventKind.REFUSED, acceptor, at, task=first, text=reason)
            return at

        if withdraw_at == 0:
            return self._withdraw(w, person, last)

        on_the_spot = first.step == Step.HANDLE
        delay = rng.choices((0, 1, 2, 3, 4, 5, 6, 7), (30, 32, 18, 9, 5, 3, 2, 1))[0]
        if not online:
            delay = rng.choices((0, 1, 2), (70, 25, 5))[0]
        if on_the_spot:
            delay = rng.choices((0, 1, 2), (85, 12, 3))[0]
        at = _moment(_work_day(last.astimezone(TZ).date(), delay), rng, after=last)

        if on_the_spot:
            reason = rng.choice(DENIAL_REASONS) if decision == Decision.DENIED else ""
            w.close(first, acceptor, at, outcome=str(decision), opinion=reason)
            case.accepted_at = case.decided_at = at
            case.decision, case.decision_reason = decision, reason
            label = Decision(decision).label
            (deliver,) = w.open_wave(script.waves[1], mapping, at)
            case.status = CaseStatus.DECIDED
            w.event(EventKind.DECIDED, acceptor, at, task=first,
                    text=f"即时办理，决定：{label}。" + reason,
                    data={"decision": str(decision), "on_the_spot": True})  # fmt: skip
            return self._deliver(w, served, deliver, method, at)

        w.close(first, acceptor, at, outcome="accepted")
        case.accepted_at = at
        case.status = CaseStatus.ACCEPTED
        accept_day = at.astimezone(TZ).date()
        opened = w.open_wave(script.waves[1], mapping, at)
        statutory = implementation.statutory_limit_days
        if served.template == ProcessTemplate.JOINT:
            statutory = max(statutory or 0, hall_clocks.JOINT_DECISION_LIMIT_DAYS)
        elif not statutory:
            statutory = hall_clocks.DECISION_LIMIT_DAYS
        w.clock(ClockKind.STATUTORY, hall_clocks.CASE_LABEL, statutory, accept_day)
        promised = implementation.promised_limit_days
        if promised is not None:
            w.clock(ClockKind.PROMISED, hall_clocks.CASE_LABEL, promised, accept_day)
        w.event(EventKind.ACCEPTED, acceptor, at, task=first, text="申请已受理。")
        if withdraw_at == 1:
            return self._withdraw(w, person, at, after_acceptance=True)

        # How long the rest takes, in working days from acceptance (special procedures that
        # stop the clock not counted): mostly within the promised limit, some late.
        limit = promised if promised is not None else statutory
        r = rng.random()
        if r < 0.10:
            total = limit + rng.randint(1, max(2, math.ceil(limit * 0.6)))
        elif r < 0.25:
            total = max(0, limit - rng.randint(0, 1))
        else:
            total = rng.randint(0, max(0, limit - 1))
        lag = {DeliveryMethod.ELECTRONIC: 0, DeliveryMethod.POST: rng.choice((1, 2, 3))}.get(
            method, rng.choice((0, 0, 1, 2))
        )
        lag = min(lag, total)
        work = total - lag
        review_days = round(work * rng.uniform(0.45, 0.85))
        decide_days = work - review_days
        wave_index = 1
        cursor = at
        while wave_index < len(script.waves):
            wave = opened
            step = wave[0].step
            if step == Step.REVIEW:
                ends = []
                for i, task in enumerate(wave):
                    days = (
                        review_days if i == 0 else rng.randint(max(0, review_days - 2), review_days)
                    )
                    done = _moment(_work_day(task.created_at.astimezone(TZ).date(), days), rng,
                                   after=task.created_at)  # fmt: skip
                    ends.append((done, task))
                ends.sort(key=lambda pair: pair[0])
                for done, task in ends:
                    staff = served.reviewer
                    if task.department_id != case.department_id:
                        staff = served.joint_reviewers.get(task.department_id, staff)
                    opinion = path["opinion"]
                    comment = (
                        rng.choice(DISAGREE_COMMENTS) if opinion == ReviewOpinion.DISAGREE else ""
                    )
                    w.close(task, staff, done, outcome=str(opinion), opinion=comment)
                    w.event(
                        EventKind.REVIEWED, staff, done, task=task, text=f"{task.name}已完成。",
                        data={"opinion": str(opinion)},
                    )  # fmt: skip
                    cursor = done
                last_staff = staff
            elif step == Step.SPECIAL:
                (task,) = wave
                proc = _special_procedure(served, task.name)
                allowed = proc.time_limit_days if proc and proc.time_limit_days else 10
                days = max(1, round(allowed * rng.uniform(0.3, 1.15)))
                done = _moment(_work_day(task.created_at.astimezone(TZ).date(), days), rng,
                               after=task.created_at)  # fmt: skip
                w.close(
                    task, served.reviewer, done, outcome="finished", opinion=path["special_result"]
                )
                w.event(EventKind.SPECIAL_FINISHED, served.reviewer, done, task=task,
                        text=path["special_result"])  # fmt: skip
                cursor = done
                last_staff = served.reviewer
            elif step == Step.DECIDE:
                (task,) = wave
                done = _moment(_work_day(cursor.astimezone(TZ).date(), decide_days), rng,
                               after=cursor)  # fmt: skip
                reason = rng.choice(DENIAL_REASONS) if decision == Decision.DENIED else ""
                w.close(task, served.decider, done, outcome=str(decision), opinion=reason)
                case.decision, case.decision_reason, case.decided_at = decision, reason, done
                case.status = CaseStatus.DECIDED
                w.event(EventKind.DECIDED, served.decider, done, task=task,
                        text=f"决定：{Decision(decision).label}。" + reason,
                        data={"decision": str(decision)})  # fmt: skip
                cursor = done
                last_staff = served.decider
            elif step == Step.DELIVER:
                (task,) = wave
                return self._deliver(w, served, task, method, cursor, lag=lag)
            wave_index += 1
            opened = w.open_wave(script.waves[wave_index], mapping, cursor)
            for task in opened:
                if task.step == Step.SPECIAL:
                    case.status = CaseStatus.SPECIAL
                    w.event(EventKind.SPECIAL_STARTED, last_staff, cursor, task=task,
                            text=f"{task.name}开始，所需时间不计入办理时限。")  # fmt: skip
                elif case.status == CaseStatus.SPECIAL:
                    case.status = CaseStatus.ACCEPTED
        return None

    def _deliver(self, w, served, task, method, after, *, lag=None):
        rng = self.rng
        case = w.b.case
        if lag is None:
            lag = {DeliveryMethod.ELECTRONIC: 0, DeliveryMethod.POST: rng.choice((1, 2))}.get(
                method, rng.choice((0, 0, 1))
            )
        at = _moment(_work_day(after.astimezone(TZ).date(), lag), rng, after=after)
        tracking = ""
        if method == DeliveryMethod.POST:
            tracking = f"EMS{rng.randint(10**9, 10**10 - 1)}CN"
            case.delivery_address = case.form_data.get("address") or "松林县城关镇府前街 8 号"
        w.close(task, served.acceptor, at, outcome=str(method))
        case.delivery_method = str(method)
        case.tracking_number = tracking
        case.status = CaseStatus.COMPLETED
        case.completed_at = at
        w.stop_all(at.astimezone(TZ).date())
        text = f"已送达（{DeliveryMethod(method).label}）"
        if tracking:
            text += f"，邮件单号 {tracking}"
        w.event(EventKind.DELIVERED, served.acceptor, at, task=task, text=text + "，办件已办结。")
        return at

    def _withdraw(self, w, person, after, *, after_acceptance=False):
        rng = self.rng
        case = w.b.case
        days = rng.choice((0, 1, 2, 3, 5)) if after_acceptance else rng.choice((0, 0, 1, 2))
        at = _moment((after + datetime.timedelta(days=days)).astimezone(TZ).date(), rng,
                     after=after, start=(8, 0), end=(22, 30))  # fmt: skip
        reason = rng.choice(WITHDRAWAL_REASONS)
        w.cancel_open(at)
        w.stop_all(at.astimezone(TZ).date())
        case.status = CaseStatus.WITHDRAWN
        case.withdrawal_reason = reason
        case.completed_at = at
        w.event(EventKind.WITHDRAWN, person.user, at, text=reason or "申请人撤回申请。")
        return at


def _sample_file():
    """The one sample material every historic case points to (stored once)."""
    from .hall import _sample_pdf

    storage = hall_private_storage()
    if not storage.exists(SAMPLE_FILE):
        storage.save(SAMPLE_FILE, ContentFile(_sample_pdf("历史办件材料")))
    with storage.open(SAMPLE_FILE, "rb") as handle:
        content = handle.read()
    return len(content), hashlib.sha256(content).hexdigest()


def _number_cases(built_cases):
    """Case numbers per division and submission day, after what the counters hold; the
    counters are moved on so later submissions continue from there."""
    by_scope = defaultdict(list)
    for built in built_cases:
        case = built.case
        day = case.submitted_at.astimezone(TZ).date()
        by_scope[numbers.scope_of(case.implementation.region, day)].append(built)
    counters = {
        c.scope: c
        for c in CaseNumberCounter.objects.select_for_update().filter(scope__in=list(by_scope))
    }
    new, changed = [], []
    for scope, items in by_scope.items():
        items.sort(key=lambda b: b.case.submitted_at)
        counter = counters.get(scope)
        last = counter.last if counter is not None else 0
        division, day = scope.split("-")
        for built in items:
            last += 1
            case = built.case
            case.number = f"{division}{day}{last:0{numbers.SEQUENCE_DIGITS}d}"
            case.query_code_hash = numbers.query_code_hash(case.number, numbers.new_query_code())
        if counter is None:
            new.append(CaseNumberCounter(scope=scope, last=last))
        else:
            counter.last = last
            changed.append(counter)
    CaseNumberCounter.objects.bulk_create(new, batch_size=BATCH)
    CaseNumberCounter.objects.bulk_update(changed, ["last"], batch_size=BATCH)


def _save(batch):
    """Write a batch of built cases and everything under them."""
    cases = [b.case for b in batch]
    Case.objects.bulk_create(cases, batch_size=BATCH)
    tasks = []
    for b in batch:
        for task in b.tasks:
            task.case_id = b.case.pk
            tasks.append(task)
    CaseTask.objects.bulk_create(tasks, batch_size=BATCH)
    version = workdays.get_table().version
    clock_rows, clock_sims = [], []
    for b in batch:
        for sim in b.clocks:
            row = sim.finish(version)
            row.case_id = b.case.pk
            row.task_id = sim.task.pk if sim.task is not None else None
            clock_rows.append(row)
            clock_sims.append(sim)
    Clock.objects.bulk_create(clock_rows, batch_size=BATCH)
    pauses = []
    for sim in clock_sims:
        for pause in sim.pauses:
            pause.clock_id = sim.row.pk
            pauses.append(pause)
    ClockPause.objects.bulk_create(pauses, batch_size=BATCH)
    events, corrections, materials = [], [], []
    for b in batch:
        for event, task in b.events:
            event.case_id = b.case.pk
            event.task_id = task.pk if task is not None else None
            events.append(event)
        for correction in b.corrections:
            correction.case_id = b.case.pk
            corrections.append(correction)
        for material in b.materials:
            material.case_id = b.case.pk
            materials.append(material)
    events.sort(key=lambda e: (e.case_id, e.at))
    CaseEvent.objects.bulk_create(events, batch_size=BATCH)
    CorrectionRequest.objects.bulk_create(corrections, batch_size=BATCH)
    CaseMaterial.objects.bulk_create(materials, batch_size=BATCH)
    return len(cases)


def _load_history(*, today, seed, count, progress, people, served):
    if count <= 0 or not served:
        return 0
    citizens = people.citizens(max(40, count // 20))
    companies = people.companies(citizens, max(8, count // 150))
    history = History(
        today=today, seed=seed, served=served, people=people, citizens=citizens,
        companies=companies,
    )  # fmt: skip
    history.sample_size, history.sample_sha256 = _sample_file()
    built = history.generate(count)
    _number_cases(built)
    built.sort(key=lambda b: b.case.submitted_at)
    done = 0
    with _explicit_timestamps():
        for i in range(0, len(built), BATCH):
            done += _save(built[i : i + BATCH])
            if progress is not None:
                progress(done, count)
    return done


# --- open cases, through the hall's actions -------------------------------------------------


class _ShiftedTimezone:
    """``django.utils.timezone`` as the hall's actions and clocks see it while a back-dated
    step runs: "now" is the moment the step happened."""

    def __init__(self, moment):
        self.moment = moment

    def __getattr__(self, name):
        return getattr(timezone, name)

    def now(self):
        return self.moment

    def localdate(self, value=None, timezone_=None):
        return timezone.localdate(self.moment if value is None else value)


def _silent(*args, **kwargs):
    return 0


# Rows the actions stamp with "now" on creation; set back to the step's moment after it.
STAMPED = (
    (CaseTask, "created_at"),
    (CorrectionRequest, "requested_at"),
    (CaseMaterial, "uploaded_at"),
)


class TimeMachine:
    def __init__(self):
        self.started = timezone.now() - datetime.timedelta(seconds=1)

    @contextlib.contextmanager
    def at(self, moment):
        shifted = _ShiftedTimezone(moment)
        with (
            mock.patch.object(hall_actions, "timezone", shifted),
            mock.patch.object(hall_clocks, "timezone", shifted),
            mock.patch.object(notify, "notify_applicant", _silent),
        ):
            yield

    def stamp(self, case, moment):
        Case.objects.filter(pk=case.pk, created_at__gte=self.started).update(created_at=moment)
        for model, name in STAMPED:
            model.objects.filter(case_id=case.pk, **{f"{name}__gte": self.started}).update(
                **{name: moment}
            )

    def run(self, moment, func, **kwargs):
        with self.at(moment):
            result = func(**kwargs)
        target = result[0] if isinstance(result, tuple) else result
        self.stamp(getattr(target, "case", target), moment)
        return result


# (stage, colour): stage is where the case waits; colour how much of the governing limit
# is used today (green < 50%, yellow >= 80% and not overdue, red overdue).
OPEN_PLAN = (
    ("accept", "green"), ("accept", "yellow"), ("accept", "red"), ("correction", "green"),
    ("review", "green"), ("review", "yellow"), ("review", "red"), ("decide", "green"),
    ("decide", "yellow"), ("decide", "red"), ("deliver", "green"), ("deliver", "yellow"),
    ("deliver", "red"), ("accept", "yellow"), ("review", "red"), ("accept", "green"),
    ("special", "green"), ("joint", "yellow"), ("joint", "red"), ("handle", "red"),
)  # fmt: skip


def _used(colour, limit, rng):
    """Working days used of ``limit`` for ``colour``."""
    if colour == "green":
        return rng.randint(1, max(1, limit // 2 - 1)) if limit >= 4 else (1 if limit >= 2 else 0)
    if colour == "yellow":
        return rng.randint(min(limit, math.ceil(limit * 0.8)), limit) if limit else 0
    return limit + rng.randint(1, 4)


def _back(day, n):
    return workdays.add_working_days(day, -n).date if n > 0 else day


class OpenCases:
    def __init__(self, *, today, seed, served, people, citizens):
        self.today = today
        self.rng = random.Random(f"{seed}-open")
        self.served = served
        self.people = people
        self.citizens = [c for c in citizens if c.user is not None]
        self.machine = TimeMachine()
        self.now = timezone.now()
        self.pdf = None
        self.serial = 900_000

    def _pick(self, stage):
        """An implementation for ``stage``: the showcase county's first (its staff can log
        in), others for variety."""
        rng = self.rng
        if stage == "joint":
            pool = [s for s in self.served if s.template == ProcessTemplate.JOINT]
        elif stage == "special":
            pool = [s for s in self.served if s.template == ProcessTemplate.SPECIAL]
        elif stage == "handle":
            pool = [s for s in self.served if s.template == ProcessTemplate.ON_THE_SPOT]
        else:
            pool = [s for s in self.served if s.template == ProcessTemplate.STANDARD]
        if not pool:
            pool = [s for s in self.served if s.template == ProcessTemplate.STANDARD] or self.served
        showcase = [s for s in pool if not s.acceptor.username.startswith(USER_PREFIX)]
        if showcase and rng.random() < 0.6:
            return rng.choice(showcase)
        return rng.choice(pool)

    def _when(self, day, after=None):
        moment = _moment(day, self.rng, after=after)
        if moment >= self.now:
            moment = self.now - datetime.timedelta(minutes=self.rng.randint(20, 60))
            if after is not None and moment <= after:
                moment = after + (self.now - after) / 2
        return moment

    def _upload(self, name):
        if self.pdf is None:
            from .hall import _sample_pdf

            self.pdf = _sample_pdf("演示材料")
        return SimpleUploadedFile(f"{name}.pdf", self.pdf, "application/pdf")

    def _applicant(self, served, online):
        implementation = served.implementation
        if online:
            if implementation.audience == Audience.LEGAL_PERSON:
                return None
            # Only accounts verified to the item's real-name level may apply online.
            able = [
                person
                for person in self.citizens
                if account_queries.meets_level(person.user, implementation.real_name_level)
            ]
            return self.rng.choice(able) if able else None
        self.serial += 1
        return _walk_in(self.rng, self.serial, served)

    def _submit(self, served, online, moment):
        implementation = served.implementation
        person = self._applicant(served, online)
        if person is None:
            online = False
            person = self._applicant(served, False)
        form = served.setup.form
        data = _form_data(form, person, implementation)
        if online:
            user = person.user
            case = self.machine.run(
                moment - datetime.timedelta(minutes=self.rng.randint(5, 30)),
                hall_actions.save_draft, implementation=implementation, user=user, data=data,
            )  # fmt: skip
            for requirement in served.materials:
                self.machine.run(
                    moment - datetime.timedelta(minutes=2), hall_actions.add_material, case=case,
                    material_name=requirement.name, upload=self._upload(requirement.name),
                    user=user,
                )  # fmt: skip
            case, _code = self.machine.run(moment, hall_actions.submit, case=case, user=user)
        else:
            uploads = [(r.name, self._upload(r.name)) for r in served.materials]
            case, _code = self.machine.run(
                moment, hall_actions.create_at_counter, implementation=implementation,
                staff=served.window, applicant_name=person.name,
                id_number=person.id_number, mobile=person.mobile, data=data, uploads=uploads,
            )  # fmt: skip
        return case, person

    def _task(self, case, step=None):
        tasks = case.tasks.filter(state__in=(TaskState.OPEN, TaskState.CLAIMED)).order_by("pk")
        if step is not None:
            tasks = tasks.filter(step=step)
        return list(tasks)

    def build(self, count):
        made = 0
        plan = list(OPEN_PLAN)
        while made < count:
            stage, colour = plan[made % len(plan)]
            served = self._pick(stage)
            self.one(served, stage, colour)
            made += 1
        return made

    def one(self, served, stage, colour):
        rng = self.rng
        today = _work_day(self.today) if not workdays.is_working_day(self.today) else self.today
        implementation = served.implementation
        promised = implementation.promised_limit_days
        limit_case = (
            promised if promised is not None else (implementation.statutory_limit_days or 20)
        )
        online = rng.random() < 0.7
        run = self.machine.run

        if stage in ("accept", "correction", "handle"):
            used = _used(colour, 0 if stage == "handle" else 5, rng)
            if stage == "correction":
                used = rng.randint(1, 3)
                online = True
            submit_day = _back(today, used)
            case, person = self._submit(
                served, online and stage != "handle", self._when(submit_day)
            )
            if stage == "correction" and case.applicant_id:
                (task,) = self._task(case, Step.ACCEPT)
                material = served.materials[0].name if served.materials else "申请表"
                run(self._when(_work_day(submit_day, 1)), hall_actions.request_correction,
                    task=task, staff=served.acceptor,
                    items=[{"material": material, "reason": CORRECTION_REASONS[0]}])  # fmt: skip
            return self._finish(case)

        # Accepted: the case clocks start on the acceptance day.
        if stage == "deliver":
            used = _used(colour, hall_clocks.DELIVERY_LIMIT_DAYS, rng)
            decide_day = _back(today, used)
            accept_day = _back(decide_day, rng.randint(0, max(0, min(limit_case, 3) - 1)))
        else:
            used = _used(colour, limit_case, rng)
            accept_day = _back(today, used)
            decide_day = None
        submit_day = _back(accept_day, rng.choice((0, 1, 1, 2)))
        case, person = self._submit(served, online, self._when(submit_day))
        accepted = self._when(accept_day, after=case.submitted_at)
        (task,) = self._task(case, Step.ACCEPT)
        run(accepted, hall_actions.accept, task=task, staff=served.acceptor)
        if stage in ("review", "joint", "special"):
            if stage == "joint":
                reviews = self._task(case, Step.REVIEW)
                for task in reviews[: max(1, len(reviews) - 1)]:
                    staff = served.joint_reviewers.get(task.department_id, served.reviewer)
                    run(self._when(accept_day, after=accepted), hall_actions.review,
                        task=task, staff=staff, opinion=ReviewOpinion.AGREE)  # fmt: skip
            if stage == "special":
                (task,) = self._task(case, Step.REVIEW)
                run(self._when(_work_day(accept_day, 1)), hall_actions.review,
                    task=task, staff=served.reviewer, opinion=ReviewOpinion.AGREE)  # fmt: skip
            return self._finish(case)
        reviewed_day = decide_day or _back(today, max(0, used - rng.randint(0, used)))
        reviewed_day = max(reviewed_day, accept_day)
        (task,) = self._task(case, Step.REVIEW)
        reviewed = self._when(reviewed_day, after=accepted)
        run(reviewed, hall_actions.review, task=task, staff=served.reviewer,
            opinion=ReviewOpinion.AGREE)  # fmt: skip
        if stage == "decide":
            return self._finish(case)
        (task,) = self._task(case, Step.DECIDE)
        run(self._when(decide_day, after=reviewed), hall_actions.decide, task=task,
            staff=served.decider, decision=Decision.APPROVED, reason="")  # fmt: skip
        return self._finish(case)

    def _finish(self, case):
        first = (
            CaseEvent.objects.filter(
                case=case, kind__in=(EventKind.SUBMITTED, EventKind.COUNTER_CREATED)
            )
            .order_by("at", "pk")
            .first()
        )
        first.data = {**(first.data or {}), MARK: OPEN}
        first.save(update_fields=["data"])
        for clock in Clock.objects.filter(case=case, stopped_on__isnull=True):
            hall_clocks.recompute(clock, today=self.today)
        Clock.objects.filter(case=case).update(updated_at=timezone.now())
        return case


def colour_of(case, *, today=None, warn_share=0.8):
    """``"red"`` when a running clock of ``case`` is overdue, ``"yellow"`` when one has used
    ``warn_share`` of its limit, else ``"green"`` (paused clocks do not count); for checking
    the demo, not a rule of supervision."""
    colour = "green"
    for entry in hall_clocks.summary(case, today=today):
        if entry["stopped"] or entry["paused"]:
            continue
        allowed = entry["limit_days"] + entry["extension_days"]
        if entry["overdue"]:
            return "red"
        if allowed == 0 or entry["used"] >= warn_share * allowed:
            colour = "yellow"
    return colour


# --- the entry points ------------------------------------------------------------------------


def load(*, today, progress=None, seed=DEFAULT_SEED, count=3000, open_count=40):
    """Create the history and the open cases (skipping a part already there). ``progress``
    is called as ``progress(done, total)`` while historic cases are written. Returns
    ``{"history": n, "open": n, "seconds": s}`` (what this call added)."""
    started = time.monotonic()
    if isinstance(today, str):
        today = datetime.date.fromisoformat(today)
    result = {"history": 0, "open": 0}
    with transaction.atomic():
        rng = random.Random(f"{seed}-people")
        people = People(rng)
        need_history = count > 0 and not history_cases().exists()
        need_open = open_count > 0 and not open_cases().exists()
        if not (need_history or need_open):
            return {**result, "seconds": time.monotonic() - started}
        served = served_implementations(people)
        if need_history:
            result["history"] = _load_history(
                today=today, seed=seed, count=count, progress=progress, people=people,
                served=served,
            )  # fmt: skip
        if need_open and served:
            citizens = people.citizens(max(40, count // 20))
            builder = OpenCases(
                today=today, seed=seed, served=served, people=people, citizens=citizens
            )
            result["open"] = builder.build(open_count)
        audit.record(
            action=AUDIT_LOADED,
            detail={
                "history": result["history"],
                "open": result["open"],
                "today": today.isoformat(),
                "seed": seed,
            },
        )
    result["seconds"] = time.monotonic() - started
    return result


def reset():
    """Delete what ``load`` made: its cases (with their tasks, clocks, events…), the history
    companies and accounts. Case number counters stay (numbers are never handed out twice).
    Audit rows stay."""
    with transaction.atomic():
        Case.objects.filter(
            Q(pk__in=_marked(HISTORY).values("pk")) | Q(pk__in=_marked(OPEN).values("pk"))
        ).delete()
        accounts = get_user_model().objects.filter(
            username__startswith=USER_PREFIX, email__endswith="@" + DEMO_EMAIL_DOMAIN
        )
        LegalPerson.objects.filter(
            administrator__in=accounts, uscc__startswith=COMPANY_USCC_PREFIX
        ).delete()
        # An account still named on a case that is not the demo's stays.
        accounts.exclude(pk__in=Case.objects.exclude(applicant=None).values("applicant")).delete()
    return True


def describe():
    """Summary lines for the demo's report."""
    history = history_cases()
    total = history.count()
    if not total:
        return []
    by_status = dict(history.order_by().values_list("status").annotate(n=Count("pk")))
    opened = open_cases()
    colours = defaultdict(int)
    for case in opened:
        colours[colour_of(case)] += 1
    return [
        "",
        f"历史办件：{total} 件（已办结 {by_status.get(CaseStatus.COMPLETED, 0)}，"
        f"不予受理 {by_status.get(CaseStatus.REFUSED, 0)}，"
        f"已撤回 {by_status.get(CaseStatus.WITHDRAWN, 0)}）；在办 {opened.count()} 件"
        f"（正常 {colours['green']}，预警 {colours['yellow']}，超期 {colours['red']}）。",
    ]
