"""Seed the official holiday arrangements of 2004–2026 from PyPI ``chinesecalendar``.

The notices' addresses on www.gov.cn are frozen here (from NateScarlet/holiday-cn, MIT);
chinesecalendar has none. Only the years up to SEED_LAST_YEAR are seeded, so a newer
chinesecalendar does not change what this migration writes: later years are entered by
administrators (``yiwang.core.actions.enter_official_arrangement``)."""

from django.db import migrations

SEED_LAST_YEAR = 2026

NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗日战争暨世界反法西斯战争胜利70周年纪念日",
}

NOTICE_URLS = {
    2007: "http://www.gov.cn/zhengce/zhengceku/2008-03/28/content_1761.htm",
    2008: "http://www.gov.cn/zhengce/zhengceku/2008-03/28/content_1645.htm",
    2009: "http://www.gov.cn/zhengce/zhengceku/2008-12/10/content_1572.htm",
    2010: "http://www.gov.cn/zhengce/zhengceku/2009-12/08/content_1476.htm",
    2011: "http://www.gov.cn/zhengce/zhengceku/2010-12/10/content_1423.htm",
    2012: "http://www.gov.cn/zhengce/zhengceku/2011-12/06/content_1411.htm",
    2013: "http://www.gov.cn/zhengce/zhengceku/2012-12/10/content_1353.htm",
    2014: "http://www.gov.cn/zhengce/zhengceku/2014-01/02/content_1194.htm",
    2015: "http://www.gov.cn/zhengce/zhengceku/2014-12/16/content_9302.htm",
    2016: "http://www.gov.cn/zhengce/zhengceku/2015-12/10/content_10394.htm",
    2017: "http://www.gov.cn/zhengce/zhengceku/2016-12/01/content_5141603.htm",
    2018: "http://www.gov.cn/zhengce/zhengceku/2017-11/30/content_5243579.htm",
    2019: "http://www.gov.cn/zhengce/zhengceku/2018-12/06/content_5346276.htm",
    2020: "http://www.gov.cn/zhengce/zhengceku/2019-11/21/content_5454164.htm",
    2021: "http://www.gov.cn/zhengce/zhengceku/2020-11/25/content_5564127.htm",
    2022: "http://www.gov.cn/zhengce/zhengceku/2021-10/25/content_5644835.htm",
    2023: "http://www.gov.cn/zhengce/zhengceku/2022-12/08/content_5730844.htm",
    2024: "https://www.gov.cn/zhengce/zhengceku/202310/content_6911528.htm",
    2025: "https://www.gov.cn/zhengce/zhengceku/202411/content_6986383.htm",
    2026: "https://www.gov.cn/zhengce/zhengceku/202511/content_7047091.htm",
}


def arrangement_year(day, name):
    # The New Year's days of late December (2018-12-29 to 31, say) were set by the next
    # year's notice.
    if day.month == 12 and name == "New Year's Day":
        return day.year + 1
    return day.year


def seed(apps, schema_editor):
    import chinese_calendar

    CalendarYear = apps.get_model("core", "CalendarYear")
    CalendarDay = apps.get_model("core", "CalendarDay")
    WorkingCalendarState = apps.get_model("core", "WorkingCalendarState")

    days = [(day, name, "holiday") for day, name in chinese_calendar.holidays.items()]
    days += [(day, name, "working") for day, name in chinese_calendar.workdays.items()]
    days = [item for item in days if arrangement_year(item[0], item[1]) <= SEED_LAST_YEAR]
    years = sorted({arrangement_year(day, name) for day, name, _ in days})
    arrangements = {
        year: CalendarYear.objects.create(
            year=year,
            notice_title=f"国务院办公厅关于{year}年部分节假日安排的通知",
            notice_url=NOTICE_URLS.get(year, ""),
            source="seed",
        )
        for year in years
    }
    CalendarDay.objects.bulk_create(
        CalendarDay(
            arrangement=arrangements[arrangement_year(day, name)],
            date=day,
            kind=kind,
            name=NAMES.get(name, name),
        )
        for day, name, kind in sorted(days)
    )
    state, _ = WorkingCalendarState.objects.get_or_create(pk=1)
    state.version += 1
    state.save(update_fields=["version"])


def unseed(apps, schema_editor):
    apps.get_model("core", "CalendarYear").objects.filter(source="seed").delete()


class Migration(migrations.Migration):
    dependencies = [("core", "0006_working_calendar")]

    operations = [migrations.RunPython(seed, unseed)]
