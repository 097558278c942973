"""Fixed lists of the core app, with the Chinese labels users see."""

from django.db import models


class CalendarDayKind(models.TextChoices):
    # A day off named in the State Council's notice (weekends inside the span included).
    HOLIDAY = "holiday", "放假"
    # A weekend day worked instead (调休上班).
    WORKING = "working", "调休上班"


class CalendarSource(models.TextChoices):
    # Seeded by the migration from PyPI ``chinesecalendar`` (2004–2026).
    SEED = "seed", "初始数据（chinesecalendar）"
    # Entered by an administrator from the notice (``enter_official_arrangement``).
    NOTICE = "notice", "按国务院通知录入"
