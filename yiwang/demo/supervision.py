"""The demo's electronic supervision (电子监察): a regional supervisor of 松林县 (staff of the
county government's office, which runs 督查 there), a head (部门负责人) for each
department whose staff work in the demo hall, the default anomaly rules switched on, and a
sweep, so the supervisors' pages show the yellow and red clocks of the demo's cases.

Idempotent: accounts are found by username; the rules are set, not added; the sweep only
brings the watched clocks in line. Needs the demo regions and departments (``builder.py``).
The lead wires ``load``/``reset``/``SUPERVISION_STAFF`` into ``loader.py``.
"""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.utils import timezone

from yiwang.supervision.anomalies import ensure_rules
from yiwang.supervision.models import (
    Anomaly,
    AnomalyRule,
    EscalationNotice,
    SupervisionMemo,
    WarningEvent,
    WarningThreshold,
    WatchedClock,
)
from yiwang.supervision.roles import DEPARTMENT_HEAD, REGIONAL_SUPERVISOR
from yiwang.supervision.sweep import sweep

from . import geography as geo
from .catalog import _department
from .spec import DEMO_PASSWORD, places

SHOWCASE_PLACE = "990121"


@dataclass(frozen=True)
class SupervisionStaff:
    username: str
    display_name: str
    department_key: str
    group: str
    role: str  # what the login list says
    mobile: str = ""


SUPERVISION_STAFF = (
    SupervisionStaff(
        "jiancha.songlin",
        "赵敏",
        "office",
        REGIONAL_SUPERVISOR,
        "松林县效能监察：全县（含乡镇）办件的黄牌、红牌、督办和异常",
        "13900000101",
    ),
    SupervisionStaff(
        "head.health.songlin",
        "孙立",
        "health",
        DEPARTMENT_HEAD,
        "松林县卫生健康局负责人：超期督促通知、答复督办",
        "13900000102",
    ),
    SupervisionStaff(
        "head.housing.songlin",
        "周涛",
        "housing",
        DEPARTMENT_HEAD,
        "松林县住房和城乡建设局负责人：超期督促通知、答复督办",
        "13900000103",
    ),
    SupervisionStaff(
        "head.land.songlin",
        "吴刚",
        "land",
        DEPARTMENT_HEAD,
        "松林县自然资源和规划局负责人：超期督促通知、答复督办",
        "13900000104",
    ),
    SupervisionStaff(
        "head.env.songlin",
        "郑红",
        "env",
        DEPARTMENT_HEAD,
        "松林县生态环境局负责人：超期督促通知、答复督办",
        "13900000105",
    ),
    SupervisionStaff(
        "head.gov.songlin",
        "王强",
        "gov",
        DEPARTMENT_HEAD,
        "松林县人民政府（政务服务中心综合窗口）负责人",
        "13900000106",
    ),
)


def supervision_usernames():
    return [spec.username for spec in SUPERVISION_STAFF]


def _staff():
    from yiwang.demo.staff_devices import ensure_staff_account

    place = places()[SHOWCASE_PLACE]
    return {
        spec.username: ensure_staff_account(
            spec.username,
            display_name=spec.display_name,
            department=_department(place, spec.department_key),
            groups=[spec.group],
            mobile=spec.mobile,
        )
        for spec in SUPERVISION_STAFF
    }


def load(*, today=None, progress=None):
    """Create the supervision accounts, switch the default anomaly rules on and sweep.
    Returns the sweep's summary."""
    today = today or timezone.localdate()
    _staff()
    if progress is not None:
        progress("监察人员和部门负责人")
    ensure_rules()
    AnomalyRule.objects.update(enabled=True)
    summary = sweep(today=today)
    if progress is not None:
        progress(f"监察扫描：{summary}")
    return summary


def describe(base_url="/"):
    """Login lines for the demo summary."""
    User = get_user_model()
    present = set(
        User.objects.filter(username__in=supervision_usernames()).values_list("username", flat=True)
    )
    if not present:
        return []
    red = WatchedClock.objects.filter(level=2).count()
    yellow = WatchedClock.objects.filter(level=1).count()
    lines = [
        "",
        f"电子监察：{base_url.rstrip('/')}/admin/supervision/ （当前红牌 {red}，黄牌 {yellow}）；"
        "账号（密码同上）：",
    ]
    for spec in SUPERVISION_STAFF:
        if spec.username in present:
            lines.append(f"  {spec.username} / {DEMO_PASSWORD}  {spec.display_name}，{spec.role}")
    return lines


def reset():
    """Delete supervision's rows of the demo's regions and the demo's supervision accounts
    (audit rows, the anomaly rules and the sweep's bookkeeping stay: they are the
    installation's, and the next sweep starts from what is left)."""
    for model in (
        Anomaly,
        EscalationNotice,
        SupervisionMemo,
        WarningEvent,
        WatchedClock,
        WarningThreshold,
    ):
        model.objects.filter(region__code__startswith=geo.DEMO_CODE_PREFIX).delete()
    get_user_model().objects.filter(
        username__in=supervision_usernames(),
        department__region__code__startswith=geo.DEMO_CODE_PREFIX,
    ).delete()
