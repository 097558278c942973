"""Shared setup of the interaction tests: the site group's 松林县 with departments and staff
in every interaction role, a citizen, and helpers that take a message through the real
actions."""

from datetime import datetime
from zoneinfo import ZoneInfo

from django.contrib.auth.models import Group

from yiwang.accounts.models import User, UserKind
from yiwang.catalog.tests.factories import next_number
from yiwang.hall.tests.factories import make_citizen
from yiwang.interaction import actions
from yiwang.interaction.constants import InteractionRole, Kind
from yiwang.orgs.models import Department

TZ = ZoneInfo("Asia/Shanghai")


def at(*args):
    """An aware datetime in Asia/Shanghai."""
    return datetime(*args, tzinfo=TZ)


def make_staff(department, *roles, email=None):
    n = next_number()
    user = User.objects.create_user(
        username=f"hd{n}",
        kind=UserKind.STAFF,
        department=department,
        display_name=f"互动{n}",
        email=email if email is not None else f"hd{n}@example.gov.cn",
        is_staff=True,
    )
    for role in roles:
        user.groups.add(Group.objects.get(name=InteractionRole(role).label))
    return user


class Kit:
    """松林县: 县政府办公室 (the portal's site team and the dispatching office), 县住建局
    and 县教育局, each with its staff."""

    def __init__(self, regions, site_group):
        county = regions["county_a"]
        self.regions = regions
        self.county = county
        self.office = Department.objects.create(name="松林县人民政府办公室", region=county)
        self.housing = Department.objects.create(name="松林县住房和城乡建设局", region=county)
        self.education = Department.objects.create(name="松林县教育局", region=county)
        self.other_county_dept = Department.objects.create(
            name="临溪县教育局", region=regions["county_b"]
        )
        self.site = site_group["county_a"]
        self.portal = self.site.root_page.specific
        self.portal.owner_department = self.office
        self.portal.save(update_fields=["owner_department"])
        R = InteractionRole
        self.operator = make_staff(self.office, R.OPERATOR)
        self.dispatcher = make_staff(self.office, R.DISPATCHER)
        self.supervisor = make_staff(self.office, R.SUPERVISOR)
        self.office_coordinator = make_staff(self.office, R.COORDINATOR, R.HANDLER)
        self.office_reviewer = make_staff(self.office, R.REVIEWER)
        self.coordinator = make_staff(self.housing, R.COORDINATOR)
        self.handler = make_staff(self.housing, R.HANDLER)
        self.reviewer = make_staff(self.housing, R.REVIEWER)
        self.edu_handler = make_staff(self.education, R.COORDINATOR, R.HANDLER)
        self.edu_reviewer = make_staff(self.education, R.REVIEWER)
        self.citizen = make_citizen(display_name="王小明", email="wxm@example.com")

    def write(self, *, kind=Kind.COMPLAINT, now=None, **extra):
        fields = {
            "title": "小区门口道路破损",
            "body": "青石镇幸福小区门口道路破损多日，雨天积水，请尽快修复。",
            "portal": self.portal,
            "writer": self.citizen,
            "publish_consent": True,
        }
        fields.update(extra)
        return actions.submit_message(kind=kind, now=now or at(2026, 11, 2, 10), **fields)

    def to_housing(self, message, *, now=None):
        return actions.dispatch(
            message=message,
            staff=self.dispatcher,
            department_id=self.housing.pk,
            now=now or message.submitted_at,
        )

    def answer(self, message, *, text="已安排施工队修复，预计本周内完工。", now=None):
        message.refresh_from_db()
        now = now or message.submitted_at
        department = message.department
        handler = self.handler if department == self.housing else self.office_coordinator
        reviewer = self.reviewer if department == self.housing else self.office_reviewer
        actions.save_reply(message=message, staff=handler, text=text, submit=True, now=now)
        actions.review_reply(message=message, staff=reviewer, approve=True, now=now)
        message.refresh_from_db()
        return message
