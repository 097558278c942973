"""Shared setup of the 好差评 tests: the hall's ``world`` (a county with departments and
staff), completed cases made through the hall's real actions, and 好差评 staff."""

import pytest
from django.contrib.auth.models import Group

from yiwang.core.sms import RecordingSmsBackend
from yiwang.evaluation.constants import MANAGER_GROUP, REVIEWER_GROUP
from yiwang.hall import actions as hall_actions
from yiwang.hall.constants import HallRole, ProcessTemplate, Step
from yiwang.hall.tests.casekit import World, make_submitted, open_task, verified_citizen
from yiwang.hall.tests.factories import make_staff


class EvaluationWorld(World):
    def __init__(self, regions):
        super().__init__(regions)
        self.on_the_spot = self.implementation(ProcessTemplate.ON_THE_SPOT)
        self.manager = make_staff(self.lead, display_name="好差评管理员")
        self.manager.groups.add(Group.objects.get(name=MANAGER_GROUP))
        self.other_manager = make_staff(self.other, display_name="外县好差评管理员")
        self.other_manager.groups.add(Group.objects.get(name=MANAGER_GROUP))
        # A reviewer of the city covers both counties; one of the other county only hers.
        city_office = make_department_in(regions["city"], "青山市政务服务管理局")
        self.reviewer_city = make_staff(city_office, display_name="市复核员")
        self.reviewer_city.groups.add(Group.objects.get(name=REVIEWER_GROUP))
        self.reviewer_other = make_staff(self.other, display_name="外县复核员")
        self.reviewer_other.groups.add(Group.objects.get(name=REVIEWER_GROUP))
        self.citizen = verified_citizen(name="张三", email="zhangsan@example.cn")

    def completed_case(self, user=None):
        """A case of ``user`` (the world's citizen) taken to COMPLETED through the actions."""
        user = user or self.citizen
        case, _ = make_submitted(self.on_the_spot, user)
        hall_actions.handle_on_the_spot(
            task=open_task(case), staff=self.acceptor, decision="approved"
        )
        hall_actions.deliver(
            task=open_task(case, Step.DELIVER), staff=self.acceptor, method="pickup"
        )
        case.refresh_from_db()
        return case

    def refused_case(self, user=None):
        user = user or self.citizen
        case, _ = make_submitted(self.implementation(), user)
        hall_actions.refuse(task=open_task(case), staff=self.acceptor, reason="不属于本部门职权。")
        case.refresh_from_db()
        return case

    def submitted_case(self, user=None):
        case, _ = make_submitted(self.on_the_spot, user or self.citizen)
        return case


def make_department_in(region, name):
    from yiwang.hall.tests.factories import make_department

    return make_department(region, name)


@pytest.fixture
def eworld(regions):
    RecordingSmsBackend.clear()
    return EvaluationWorld(regions)


GOOD = {"efficiency": 5, "guide_accuracy": 4, "convenience": 5, "platform_usability": 4}
ON_SITE = {"efficiency": 5, "service_level": 5, "attitude": 4}


def indicators(level):
    return {key: level for key in GOOD}


__all__ = ["HallRole", "eworld", "GOOD", "ON_SITE", "indicators"]
