"""The demo's 好差评: ratings for a share of the demo's final cases (mostly good, a few bad
ones whose rectifications are in every state), one pending appeal, a rating device at the
松林县 service centre, the 好差评 staff (``EVALUATION_STAFF``), one bad rating by 张三 still
open so a visitor can walk it through, the reminders the year would have sent, and the
published figures.

The mass of historic ratings is written with ``bulk_create`` (rows exactly as the actions
leave them); the showcase pieces (张三's rating, the appeal, the device) go through
``yiwang.evaluation.actions``. ``load`` is idempotent: it skips what is there. ``reset``
deletes the evaluation rows of the demo's regions and the staff accounts it made.
"""

import random
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from yiwang.core import workdays
from yiwang.evaluation import actions, figures
from yiwang.evaluation.constants import (
    BAD_LEVELS,
    INDICATORS,
    MANAGER_GROUP,
    RATABLE_STATUSES,
    REVIEWER_GROUP,
    ClosedHow,
    EscalationReason,
    FollowUpMethod,
    Level,
    RatingChannel,
    RectificationState,
)
from yiwang.evaluation.models import (
    FollowUp,
    PublishedFigure,
    Rating,
    RatingDevice,
    RatingReminder,
    Rectification,
    RegionSetting,
)
from yiwang.hall.models import Case
from yiwang.orgs.models import ServiceCentre

from . import geography as geo
from .catalog import _department
from .spec import DEFAULT_SEED, DEMO_PASSWORD, places

SHOWCASE_PLACE = "990121"
RATED_SHARE = 0.45
# Levels 5…1 and their weights: mostly good, a few bad.
LEVEL_WEIGHTS = ((5, 58), (4, 26), (3, 9), (2, 5), (1, 2))
BATCH = 500
DEVICE_NAME = "综合窗口评价器"
DEVICE_WINDOW = "综合窗口 1 号"

GOOD_COMMENTS = (
    "工作人员耐心细致，一次就办好了。",
    "网上申请很方便，不用跑腿。",
    "办理速度比承诺的还快，点赞！",
    "材料清单写得清楚，没有走弯路。",
    "",
    "",
)
MIDDLE_COMMENTS = ("总体还可以，希望进一步压缩办理时间。", "排队时间有点长。", "")
BAD_COMMENTS = (
    "材料要求前后不一致，让我跑了三次。",
    "等了很久没有人处理，电话也打不通。",
    "网上系统总是提交失败。",
    "窗口工作人员态度生硬。",
)
FOLLOW_UP_SAID = (
    "反映办理过程中多次补材料，希望一次告知清楚。",
    "表示已理解部门的解释，希望今后加快办理。",
    "反映网上提交时页面报错。",
)
OUTCOMES = (
    "已修订办事指南的材料说明，并对窗口人员开展一次性告知培训。",
    "经核实系系统故障所致，已修复并向申请人说明。",
    "已约谈相关窗口人员，纳入月度考核。",
)


@dataclass(frozen=True)
class EvaluationStaff:
    username: str
    display_name: str
    department_key: str
    group: str
    role: str  # what the login list says


EVALUATION_STAFF = (
    EvaluationStaff(
        "pingjia.health",
        "周敏",
        "health",
        MANAGER_GROUP,
        "松林县卫生健康局好差评管理员：差评回访、整改、申诉",
    ),
    EvaluationStaff(
        "pingjia.housing",
        "许峰",
        "housing",
        MANAGER_GROUP,
        "松林县住房和城乡建设局好差评管理员：差评回访、整改、申诉",
    ),
    EvaluationStaff(
        "pingjia.gov",
        "陈晨",
        "gov",
        MANAGER_GROUP,
        "松林县政务服务中心好差评管理员：评价设备、综合窗口的差评整改",
    ),
    EvaluationStaff(
        "fuhe.songlin",
        "孙丽",
        "gov",
        REVIEWER_GROUP,
        "松林县好差评复核人员：申诉复核、升级的差评整改",
    ),
)


def evaluation_usernames():
    return [spec.username for spec in EVALUATION_STAFF]


def _staff():
    from yiwang.demo.staff_devices import ensure_staff_account

    place = places()[SHOWCASE_PLACE]
    return {
        spec.username: ensure_staff_account(
            spec.username,
            display_name=spec.display_name,
            department=_department(place, spec.department_key),
            groups=[spec.group],
        )
        for spec in EVALUATION_STAFF
    }


def demo_cases():
    """The demo's cases that may be rated (final with a result)."""
    return Case.objects.filter(
        region__code__startswith=geo.DEMO_CODE_PREFIX,
        status__in=RATABLE_STATUSES,
        completed_at__isnull=False,
    )


def _showcase_case():
    """张三's newest final case not rated yet (for the walk-through)."""
    return (
        demo_cases()
        .filter(applicant__username="zhangsan", legal_person__isnull=True)
        .exclude(ratings__channel=RatingChannel.ONLINE)
        .order_by("-completed_at", "-pk")
        .first()
    )


def _level(rng):
    return rng.choices([lv for lv, _ in LEVEL_WEIGHTS], weights=[w for _, w in LEVEL_WEIGHTS])[0]


def _comment(rng, level):
    if level in BAD_LEVELS:
        return rng.choice(BAD_COMMENTS)
    if level == 3:
        return rng.choice(MIDDLE_COMMENTS)
    return rng.choice(GOOD_COMMENTS)


def _historic_ratings(rng, cases, now):
    ratings = []
    for case in cases:
        if rng.random() >= RATED_SHARE:
            continue
        ratings.append(_rating(rng, case, now, _level(rng)))
    return ratings


def _rating(rng, case, now, level):
    online = case.applicant_id is not None
    channel = RatingChannel.ONLINE if online else RatingChannel.ON_SITE
    rated_at = min(case.completed_at + timedelta(minutes=rng.randint(20, 72 * 60)), now)
    spread = [max(1, min(5, level + rng.choice((-1, 0, 0, 0, 1)))) for _ in range(5)]
    comment = _comment(rng, level)
    return Rating(
        channel=channel,
        case=case,
        staff_id=None if online else case.created_by_id,
        department_id=case.department_id,
        region_id=case.region_id,
        item_name=case.item_name,
        rater_id=case.applicant_id,
        rater_name=case.applicant_name[:100],
        real_name=online,
        level=level,
        indicators={code: spread[i] for i, (code, _label) in enumerate(INDICATORS[channel])},
        comment=comment,
        publish_comment=bool(comment) and rng.random() < 0.6,
        rated_at=rated_at,
        rated_on=timezone.localdate(rated_at),
    )


def _with_appealable(rng, ratings, cases, now, managers):
    """The showcase's pending appeal needs a bad rating, not 张三's, of a department with a
    demo 好差评管理员 (see ``_appeal``). The draw gives none on some days the demo is loaded:
    then the last rated case of such a department, or else its last completed one, is rated
    bad."""
    zhangsan = get_user_model().objects.filter(username="zhangsan").values_list("pk", flat=True)
    zhangsan = zhangsan.first()

    def fits(department_id, applicant_id):
        return department_id in managers and (applicant_id is None or applicant_id != zhangsan)

    if any(r.level in BAD_LEVELS and fits(r.department_id, r.rater_id) for r in ratings):
        return ratings
    rated = [n for n, r in enumerate(ratings) if fits(r.department_id, r.rater_id)]
    if rated:
        index = max(rated, key=lambda n: ratings[n].rated_at)
        ratings[index] = _rating(rng, ratings[index].case, now, Level.DISSATISFIED)
        return ratings
    pool = [c for c in cases if fits(c.department_id, c.applicant_id)]
    if pool:
        ratings.append(_rating(rng, pool[-1], now, Level.DISSATISFIED))
    return ratings


def _rectification_rows(rng, bad, today, reviewer, managers):
    """Rectifications of historic bad ratings: long past ones mostly closed (a few after an
    escalation), recent ones open, followed up or awaiting confirmation."""
    rows, follow_ups = [], []
    recent_states = (
        RectificationState.OPEN,
        RectificationState.FOLLOWED_UP,
        RectificationState.RECTIFIED,
    )
    days_cache = {}
    for index, rating in enumerate(bad):
        days = days_cache.get(rating.region_id)
        if days is None:
            days = days_cache[rating.region_id] = actions.deadline_days_for(rating.region)
        deadline = workdays.add_working_days(rating.rated_on, days)
        r = Rectification(
            rating=rating,
            department_id=rating.department_id,
            region_id=rating.region_id,
            opened_on=rating.rated_on,
            deadline_days=days,
            deadline=deadline.date,
            deadline_provisional=deadline.provisional,
        )
        manager = managers.get(rating.department_id)
        contacted = rating.rated_at + timedelta(hours=rng.randint(2, 30))
        outcome_at = contacted + timedelta(hours=rng.randint(4, 48))
        if deadline.date >= today:
            r.state = recent_states[index % len(recent_states)]
        else:
            roll = rng.random()
            if roll < 0.85:
                r.state = RectificationState.CLOSED
                r.closed_how = (
                    ClosedHow.APPLICANT_ONLINE if rating.real_name else ClosedHow.STAFF_RECORDED
                )
                r.closed_at = outcome_at + timedelta(hours=rng.randint(2, 40))
                r.closed_by_id = (
                    rating.rater_id if rating.real_name else getattr(manager, "pk", None)
                )
                r.applicant_feedback = "对整改结果表示满意。"
            elif roll < 0.95:
                r.state = RectificationState.CLOSED
                r.overdue = True
                r.escalation_reason = EscalationReason.OVERDUE
                r.escalated_at = timezone.make_aware(
                    datetime.combine(deadline.date + timedelta(days=1), time(9, 0))
                )
                r.overdue_flagged_at = r.escalated_at
                r.closed_how = ClosedHow.REVIEWER
                r.closed_at = r.escalated_at + timedelta(days=2)
                r.closed_by_id = getattr(reviewer, "pk", None)
                r.closing_note = "已督促责任部门整改到位。"
            else:
                r.state = RectificationState.ESCALATED
                r.escalation_reason = EscalationReason.NOT_SATISFIED
                r.escalated_at = outcome_at + timedelta(days=1)
                r.applicant_feedback = "对说明不认可，要求复核。"
        if r.state != RectificationState.OPEN:
            follow_ups.append(
                (
                    index,
                    FollowUp(
                        contacted_at=contacted,
                        method=rng.choice(
                            [FollowUpMethod.PHONE, FollowUpMethod.PHONE, FollowUpMethod.VISIT]
                        ),
                        contact_person=getattr(manager, "display_name", "") or "部门工作人员",
                        applicant_said=rng.choice(FOLLOW_UP_SAID),
                        recorded_by=manager,
                    ),
                )
            )
        if r.state not in (RectificationState.OPEN, RectificationState.FOLLOWED_UP):
            r.outcome = rng.choice(OUTCOMES)
            r.outcome_at = outcome_at
            r.outcome_by = manager
        rows.append(r)
    return rows, follow_ups


def _bulk_history(rng, today, users):
    now = timezone.now()
    cases = list(
        demo_cases()
        .exclude(ratings__isnull=False)
        .only(
            "pk",
            "completed_at",
            "applicant_id",
            "created_by_id",
            "department_id",
            "region_id",
            "item_name",
            "applicant_name",
        )
        .order_by("completed_at", "pk")
    )
    showcase = _showcase_case()
    if showcase is not None:
        cases = [c for c in cases if c.pk != showcase.pk]
    managers = {u.department_id: u for u in users.values() if MANAGER_GROUP in _groups(u)}
    ratings = _with_appealable(rng, _historic_ratings(rng, cases, now), cases, now, managers)
    Rating.objects.bulk_create(ratings, batch_size=BATCH)
    saved = list(
        Rating.objects.filter(case_id__in=[r.case_id for r in ratings], level__in=BAD_LEVELS)
        .select_related("region")
        .order_by("rated_at", "pk")
    )
    reviewer = users.get("fuhe.songlin")
    rows, follow_ups = _rectification_rows(rng, saved, today, reviewer, managers)
    Rectification.objects.bulk_create(rows, batch_size=BATCH)
    for index, follow_up in follow_ups:
        follow_up.rectification = rows[index]
    FollowUp.objects.bulk_create([f for _, f in follow_ups], batch_size=BATCH)
    return len(ratings), len(rows)


def _groups(user):
    return set(user.groups.values_list("name", flat=True))


def _reminders(now):
    """The one reminder each unrated final case got a day after completion."""
    cases = (
        demo_cases()
        .filter(completed_at__lte=now - actions.REMINDER_DELAY)
        .exclude(ratings__channel=RatingChannel.ONLINE)
        .exclude(rating_reminder__isnull=False)
        .filter(applicant__isnull=False)
        .values_list("pk", "completed_at", "applicant_mobile", "applicant_email")
    )
    rows = [
        RatingReminder(
            case_id=pk,
            sent_at=completed + actions.REMINDER_DELAY,
            by_sms=bool(mobile),
            by_email=bool(email),
        )
        for pk, completed, mobile, email in cases
    ]
    RatingReminder.objects.bulk_create(rows, batch_size=BATCH, ignore_conflicts=True)
    return len(rows)


def _device(admin):
    place = places()[SHOWCASE_PLACE]
    department = _department(place, "gov")
    device = RatingDevice.objects.filter(department=department, name=DEVICE_NAME).first()
    if device is None:
        centre = ServiceCentre.objects.filter(region=department.region).order_by("pk").first()
        device = actions.register_device(
            department=department,
            name=DEVICE_NAME,
            centre=centre,
            window=DEVICE_WINDOW,
            staff=admin,
        )
    return device


def _appeal(users):
    """One pending appeal by a demo manager against a bad rating of their department."""
    from yiwang.evaluation.models import Appeal

    if Appeal.objects.filter(region__code__startswith=geo.DEMO_CODE_PREFIX).exists():
        return None
    for spec in EVALUATION_STAFF:
        if spec.group != MANAGER_GROUP:
            continue
        manager = users[spec.username]
        rating = (
            Rating.objects.filter(
                department_id=manager.department_id, level__in=BAD_LEVELS, excluded=False
            )
            .exclude(case__applicant__username="zhangsan")
            .order_by("-rated_at", "-pk")
            .first()
        )
        if rating is not None:
            return actions.file_appeal(
                rating=rating,
                staff=manager,
                kind="malicious",
                reason="评价内容与本部门办理的事项无关，且含有辱骂性语言，申请复核剔除。",
            )
    return None


def _showcase_rating():
    case = _showcase_case()
    if case is None:
        return None
    from django.contrib.auth import get_user_model

    zhangsan = get_user_model().objects.get(username="zhangsan")
    return actions.rate_case(
        case=case,
        user=zhangsan,
        level=2,
        indicators={code: 2 for code, _ in INDICATORS[RatingChannel.ONLINE]},
        comment="补正通知里的材料要求和办事指南不一致，多跑了一趟。",
        publish_comment=True,
    )


def load(*, today, progress=None, seed=DEFAULT_SEED):
    """Build the demo's 好差评 (see the module docstring). Returns what this call added."""
    rng = random.Random(f"{seed}-evaluation")
    admin = get_user_model().objects.filter(is_superuser=True).order_by("pk").first()
    result = {"ratings": 0, "rectifications": 0, "reminders": 0}
    with transaction.atomic():
        users = _staff()
        if progress:
            progress(1, 5)
        already = Rating.objects.filter(region__code__startswith=geo.DEMO_CODE_PREFIX).exists()
        if not already:
            result["ratings"], result["rectifications"] = _bulk_history(rng, today, users)
        if progress:
            progress(2, 5)
        showcase = None if already else _showcase_rating()
        if showcase is not None:
            result["ratings"] += 1
            result["rectifications"] += 1
        _appeal(users)
        if progress:
            progress(3, 5)
        result["reminders"] = _reminders(timezone.now())
        if admin is not None:
            _device(admin)
        if progress:
            progress(4, 5)
    figures.publish(today=today + timedelta(days=1))
    if progress:
        progress(5, 5)
    return result


def describe(base_url="/"):
    """Summary lines for the loader's report."""
    ratings = Rating.objects.filter(region__code__startswith=geo.DEMO_CODE_PREFIX)
    if not ratings.exists():
        return []
    base = base_url.rstrip("/") + "/"
    lines = [
        "",
        f"好差评：已有评价 {ratings.count()} 条，"
        f"其中差评 {ratings.filter(level__lte=2).count()} 条。",
        f"  公开页：{base}pingjia/ ；张三的差评待整改：以 zhangsan 登录后在办件详情中查看评价。",
        f"  后台：{base}admin/evaluation/ ；账号（密码同上）：",
    ]
    present = set(
        get_user_model()
        .objects.filter(username__in=evaluation_usernames())
        .values_list("username", flat=True)
    )
    for spec in EVALUATION_STAFF:
        if spec.username in present:
            lines.append(f"  {spec.username} / {DEMO_PASSWORD}  {spec.display_name}，{spec.role}")
    device = RatingDevice.objects.filter(name=DEVICE_NAME).first()
    if device is not None:
        lines.append(f"  评价器（平板浏览器打开）：{base}pingjia/device/{device.key}/")
    return lines


def reset():
    """Delete the evaluation rows of the demo's regions and the staff accounts ``load``
    made. Audit rows stay."""
    demo = {"region__code__startswith": geo.DEMO_CODE_PREFIX}
    Rating.objects.filter(**demo).delete()
    RatingDevice.objects.filter(department__region__code__startswith=geo.DEMO_CODE_PREFIX).delete()
    RatingReminder.objects.filter(case__region__code__startswith=geo.DEMO_CODE_PREFIX).delete()
    PublishedFigure.objects.filter(**demo).delete()
    RegionSetting.objects.filter(**demo).delete()
    get_user_model().objects.filter(
        username__in=evaluation_usernames(),
        department__region__code__startswith=geo.DEMO_CODE_PREFIX,
    ).delete()
