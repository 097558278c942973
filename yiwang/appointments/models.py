"""Appointments (预约) at physical service centres: each centre's booking policy, windows
(counters) and the items they serve, opening sessions per weekday, closures; the counters of
booked places per window and slot, the bookings, no-show suspensions, and the queue numbers
of the hall.

Every write goes through ``actions.py``. The configuration (policy, windows, sessions,
closures) is edited in the back office. Places are counted in ``SlotCounter`` rows, changed
only by conditional UPDATEs (``booked = booked + 1 WHERE booked < capacity``), with a check
constraint as the last guard; a person's double booking is refused by partial unique
constraints on ``Booking``.
"""

from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from wagtail.admin.panels import FieldPanel, FieldRowPanel

from .constants import (
    ACTIVE_BOOKING_STATUSES,
    DEFAULT_CUTOFF_MINUTES,
    DEFAULT_GRACE_MINUTES,
    DEFAULT_HORIZON_DAYS,
    DEFAULT_NO_SHOW_LIMIT,
    DEFAULT_NO_SHOW_WINDOW_DAYS,
    DEFAULT_SUSPENSION_DAYS,
    DEFAULT_TICKET_PREFIX,
    WEEKDAY_NAMES,
    WEEKDAYS,
    BookingStatus,
    TicketSource,
    TicketStatus,
)


class BookingPolicy(models.Model):
    """How a centre takes bookings. A centre without a row uses the defaults
    (``BookingPolicy.for_centre``)."""

    centre = models.OneToOneField(
        "orgs.ServiceCentre",
        verbose_name="政务服务中心",
        on_delete=models.CASCADE,
        related_name="booking_policy",
    )
    online_booking = models.BooleanField("开放网上预约", default=True)
    horizon_days = models.PositiveSmallIntegerField(
        "可预约天数", default=DEFAULT_HORIZON_DAYS, help_text="可预约今天起多少天内的时段"
    )
    cutoff_minutes = models.PositiveIntegerField(
        "截止提前量（分钟）",
        default=DEFAULT_CUTOFF_MINUTES,
        help_text="时段开始前多少分钟停止预约、改约和取消",
    )
    grace_minutes = models.PositiveIntegerField(
        "签到宽限（分钟）",
        default=DEFAULT_GRACE_MINUTES,
        help_text="时段结束后多少分钟仍未签到记为爽约",
    )
    no_show_limit = models.PositiveSmallIntegerField(
        "爽约次数上限", default=DEFAULT_NO_SHOW_LIMIT, help_text="0 表示不限制"
    )
    no_show_window_days = models.PositiveSmallIntegerField(
        "爽约统计天数", default=DEFAULT_NO_SHOW_WINDOW_DAYS
    )
    suspension_days = models.PositiveSmallIntegerField(
        "暂停网上预约天数", default=DEFAULT_SUSPENSION_DAYS
    )
    ticket_prefix = models.CharField(
        "排队号前缀", max_length=4, default=DEFAULT_TICKET_PREFIX, help_text="如 A，排队号为 A001"
    )

    panels = [
        FieldPanel("centre"),
        FieldPanel("online_booking"),
        FieldRowPanel([FieldPanel("horizon_days"), FieldPanel("cutoff_minutes")]),
        FieldRowPanel(
            [
                FieldPanel("grace_minutes"),
                FieldPanel("no_show_limit"),
                FieldPanel("no_show_window_days"),
                FieldPanel("suspension_days"),
            ],
            heading="爽约与处罚",
        ),
        FieldPanel("ticket_prefix"),
    ]

    class Meta:
        verbose_name = "预约规则"
        verbose_name_plural = "预约规则"
        ordering = ["centre__region__code", "centre__name"]

    def __str__(self):
        return f"{self.centre}的预约规则"

    @classmethod
    def for_centre(cls, centre):
        policy = cls.objects.filter(centre=centre).first()
        return policy if policy is not None else cls(centre=centre)

    def clean(self):
        super().clean()
        if self.horizon_days < 1:
            raise ValidationError({"horizon_days": "可预约天数至少为 1 天。"})
        if not (self.ticket_prefix or "").strip().isalnum():
            raise ValidationError({"ticket_prefix": "排队号前缀只能由字母或数字组成。"})


class Window(models.Model):
    """A counter (窗口) of a centre: the implementations it serves and the staff at it."""

    centre = models.ForeignKey(
        "orgs.ServiceCentre",
        verbose_name="政务服务中心",
        on_delete=models.CASCADE,
        related_name="appointment_windows",
    )
    number = models.CharField("窗口号", max_length=10, help_text="如 A03")
    name = models.CharField("窗口名称", max_length=100)
    implementations = models.ManyToManyField(
        "catalog.Implementation",
        verbose_name="可办理事项",
        blank=True,
        related_name="appointment_windows",
    )
    staff = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name="窗口工作人员",
        blank=True,
        related_name="appointment_windows",
        limit_choices_to={"is_staff": True},
    )
    ticket_prefix = models.CharField(
        "排队号前缀",
        max_length=4,
        blank=True,
        help_text="留空则使用中心的前缀；同一中心的序号每天统一编排",
    )
    active = models.BooleanField("启用", default=True)

    panels = [
        FieldPanel("centre"),
        FieldRowPanel([FieldPanel("number"), FieldPanel("name"), FieldPanel("ticket_prefix")]),
        FieldPanel("implementations"),
        FieldPanel("staff"),
        FieldPanel("active"),
    ]

    class Meta:
        verbose_name = "窗口"
        verbose_name_plural = "窗口"
        ordering = ["centre__region__code", "centre__name", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["centre", "number"],
                name="appointments_window_number_unique",
                violation_error_message="该中心已有相同窗口号。",
            )
        ]

    def __str__(self):
        return f"{self.number} {self.name}"


class OpeningSession(models.Model):
    """A session of a weekday (e.g. 9:00–12:00) cut into slots of ``slot_minutes``; each
    window serving an item takes ``capacity`` bookings per slot."""

    centre = models.ForeignKey(
        "orgs.ServiceCentre",
        verbose_name="政务服务中心",
        on_delete=models.CASCADE,
        related_name="opening_sessions",
    )
    weekday = models.PositiveSmallIntegerField("星期", choices=WEEKDAYS)
    start = models.TimeField("开始时间")
    end = models.TimeField("结束时间")
    slot_minutes = models.PositiveSmallIntegerField("每个时段（分钟）", default=30)
    capacity = models.PositiveSmallIntegerField("每窗口每时段可预约人数", default=2)

    panels = [
        FieldPanel("centre"),
        FieldPanel("weekday"),
        FieldRowPanel([FieldPanel("start"), FieldPanel("end")]),
        FieldRowPanel([FieldPanel("slot_minutes"), FieldPanel("capacity")]),
    ]

    class Meta:
        verbose_name = "办公时段"
        verbose_name_plural = "办公时段"
        ordering = ["centre__name", "weekday", "start"]

    def __str__(self):
        return f"{WEEKDAY_NAMES.get(self.weekday, '')} {self.start:%H:%M}–{self.end:%H:%M}"

    def clean(self):
        super().clean()
        if self.start is None or self.end is None:
            return
        if self.start >= self.end:
            raise ValidationError({"end": "结束时间必须晚于开始时间。"})
        if not self.slot_minutes:
            raise ValidationError({"slot_minutes": "每个时段至少 1 分钟。"})
        if self.centre_id is not None:
            overlapping = OpeningSession.objects.filter(
                centre_id=self.centre_id,
                weekday=self.weekday,
                start__lt=self.end,
                end__gt=self.start,
            ).exclude(pk=self.pk)
            if overlapping.exists():
                raise ValidationError("与同一天已有的办公时段重叠。")

    def slots(self):
        """``[(start, end), ...]`` times of the slots that fit in the session."""
        # Wall-clock arithmetic on an arbitrary date: only the times are kept.
        day = date(2000, 1, 3)
        step = timedelta(minutes=self.slot_minutes)
        at, end = datetime.combine(day, self.start), datetime.combine(day, self.end)
        out = []
        while at + step <= end:
            out.append((at.time(), (at + step).time()))
            at += step
        return out


class Closure(models.Model):
    """Days a centre (or one window) takes no bookings, besides the calendar's holidays."""

    centre = models.ForeignKey(
        "orgs.ServiceCentre",
        verbose_name="政务服务中心",
        on_delete=models.CASCADE,
        related_name="appointment_closures",
    )
    window = models.ForeignKey(
        Window,
        verbose_name="窗口",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="closures",
        help_text="留空表示整个中心",
    )
    start_date = models.DateField("开始日期")
    end_date = models.DateField("结束日期")
    reason = models.CharField("原因", max_length=200)

    panels = [
        FieldPanel("centre"),
        FieldPanel("window"),
        FieldRowPanel([FieldPanel("start_date"), FieldPanel("end_date")]),
        FieldPanel("reason"),
    ]

    class Meta:
        verbose_name = "暂停预约日期"
        verbose_name_plural = "暂停预约日期"
        ordering = ["-start_date"]

    def __str__(self):
        return f"{self.start_date:%Y-%m-%d}–{self.end_date:%Y-%m-%d} {self.reason}"

    def clean(self):
        super().clean()
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": "结束日期不能早于开始日期。"})
        if self.window_id and self.centre_id and self.window.centre_id != self.centre_id:
            raise ValidationError({"window": "该窗口不属于所选中心。"})


class SlotCounter(models.Model):
    """The booked places of one window in one slot. Created on the first booking; changed
    only by conditional UPDATEs in ``actions``."""

    window = models.ForeignKey(Window, on_delete=models.CASCADE, related_name="slot_counters")
    day = models.DateField()
    start = models.TimeField()
    end = models.TimeField()
    capacity = models.PositiveIntegerField(default=0)
    booked = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "时段计数"
        verbose_name_plural = "时段计数"
        constraints = [
            models.UniqueConstraint(
                fields=["window", "day", "start"], name="appointments_slot_unique"
            ),
            models.CheckConstraint(
                condition=Q(booked__lte=F("capacity")), name="appointments_slot_not_overbooked"
            ),
        ]

    def __str__(self):
        return f"{self.window} {self.day} {self.start:%H:%M} {self.booked}/{self.capacity}"


class Booking(models.Model):
    """One citizen's booking of a slot for an item at a centre (assigned to a window)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="预约人",
        on_delete=models.PROTECT,
        related_name="appointments",
    )
    centre = models.ForeignKey(
        "orgs.ServiceCentre",
        verbose_name="政务服务中心",
        on_delete=models.PROTECT,
        related_name="bookings",
    )
    window = models.ForeignKey(
        Window, verbose_name="窗口", on_delete=models.PROTECT, related_name="bookings"
    )
    counter = models.ForeignKey(SlotCounter, on_delete=models.PROTECT, related_name="bookings")
    implementation = models.ForeignKey(
        "catalog.Implementation",
        verbose_name="事项",
        on_delete=models.PROTECT,
        related_name="appointments",
    )
    case = models.ForeignKey(
        "hall.Case",
        verbose_name="关联办件",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="appointments",
    )
    day = models.DateField("日期")
    start = models.TimeField("开始时间")
    end = models.TimeField("结束时间")
    status = models.CharField(
        "状态",
        max_length=20,
        choices=BookingStatus.choices,
        default=BookingStatus.BOOKED,
        db_index=True,
    )
    name = models.CharField("姓名", max_length=100, blank=True)
    mobile = models.CharField("手机号码", max_length=20, blank=True)
    created_at = models.DateTimeField("预约时间", auto_now_add=True)
    cancelled_at = models.DateTimeField("取消时间", null=True, blank=True)
    checked_in_at = models.DateTimeField("签到时间", null=True, blank=True)
    no_show_at = models.DateTimeField("记为爽约时间", null=True, blank=True)
    reminder_sent_at = models.DateTimeField("提醒时间", null=True, blank=True)
    replaced_by = models.OneToOneField(
        "self",
        verbose_name="改约后的预约",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="replaces",
    )

    class Meta:
        verbose_name = "预约"
        verbose_name_plural = "预约"
        ordering = ["day", "start", "pk"]
        indexes = [models.Index(fields=["centre", "day", "status"])]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "day", "start"],
                condition=Q(status__in=ACTIVE_BOOKING_STATUSES),
                name="appointments_one_booking_per_person_slot",
            ),
            models.UniqueConstraint(
                fields=["user", "implementation", "day"],
                condition=Q(status__in=ACTIVE_BOOKING_STATUSES),
                name="appointments_one_booking_per_item_day",
            ),
        ]

    def __str__(self):
        return f"{self.day:%Y-%m-%d} {self.start:%H:%M} {self.implementation.name}"

    @property
    def reference(self):
        """The booking number shown to the citizen and at the counter."""
        return f"YY{self.day:%Y%m%d}{self.pk:06d}"


class BookingSuspension(models.Model):
    """No online booking at a centre for a while, after too many no-shows."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="预约人",
        on_delete=models.CASCADE,
        related_name="appointment_suspensions",
    )
    centre = models.ForeignKey(
        "orgs.ServiceCentre",
        verbose_name="政务服务中心",
        on_delete=models.CASCADE,
        related_name="booking_suspensions",
    )
    starts_on = models.DateField("开始日期")
    ends_on = models.DateField("结束日期（含）")
    no_shows = models.PositiveSmallIntegerField("爽约次数")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "预约限制"
        verbose_name_plural = "预约限制"
        ordering = ["-ends_on"]

    def __str__(self):
        return f"{self.centre}：{self.starts_on:%Y-%m-%d} 至 {self.ends_on:%Y-%m-%d}"


class QueueCounter(models.Model):
    """The last queue number handed out at a centre on a day."""

    centre = models.ForeignKey(
        "orgs.ServiceCentre", on_delete=models.CASCADE, related_name="queue_counters"
    )
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["centre", "day"], name="appointments_queue_day_unique")
        ]

    def __str__(self):
        return f"{self.centre_id} {self.day}: {self.last}"


class QueueTicket(models.Model):
    """A queue number (排队号): issued at check-in of a booking or to a walk-in visitor,
    called to a window."""

    centre = models.ForeignKey(
        "orgs.ServiceCentre",
        verbose_name="政务服务中心",
        on_delete=models.CASCADE,
        related_name="queue_tickets",
    )
    day = models.DateField("日期")
    sequence = models.PositiveIntegerField("序号")
    number = models.CharField("排队号", max_length=12)
    source = models.CharField("来源", max_length=10, choices=TicketSource.choices)
    status = models.CharField(
        "状态", max_length=10, choices=TicketStatus.choices, default=TicketStatus.WAITING
    )
    booking = models.OneToOneField(
        Booking,
        verbose_name="预约",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="ticket",
    )
    implementation = models.ForeignKey(
        "catalog.Implementation",
        verbose_name="事项",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The window the visitor waits for (a booking's); empty: any window serving the item.
    window = models.ForeignKey(
        Window,
        verbose_name="指定窗口",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="waiting_tickets",
    )
    called_window = models.ForeignKey(
        Window,
        verbose_name="叫号窗口",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="called_tickets",
    )
    name = models.CharField("姓名", max_length=100, blank=True)
    issued_at = models.DateTimeField("取号时间", auto_now_add=True)
    called_at = models.DateTimeField("叫号时间", null=True, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    called_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "排队号"
        verbose_name_plural = "排队号"
        ordering = ["day", "sequence"]
        indexes = [models.Index(fields=["centre", "day", "status"])]
        constraints = [
            models.UniqueConstraint(
                fields=["centre", "day", "sequence"], name="appointments_ticket_sequence_unique"
            ),
            models.UniqueConstraint(
                fields=["centre", "day", "number"], name="appointments_ticket_number_unique"
            ),
        ]

    def __str__(self):
        return self.number


__all__ = [
    "BookingPolicy",
    "Window",
    "OpeningSession",
    "Closure",
    "SlotCounter",
    "Booking",
    "BookingSuspension",
    "QueueCounter",
    "QueueTicket",
    "TicketSource",
]
