"""The demo module against a small fixture: the demo county with the departments it needs."""

from datetime import date

import pytest

from yiwang.demo import geography as geo
from yiwang.demo import supervision as demo
from yiwang.demo.spec import places
from yiwang.orgs.models import Department, Region, level_of, stats_code
from yiwang.supervision.constants import Level
from yiwang.supervision.models import AnomalyRule, WatchedClock
from yiwang.supervision.roles import scope_for

from .kit import case_clock, make_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def county(db):
    place = places()[demo.SHOWCASE_PLACE]
    code = stats_code(place.code)
    region = Region.objects.create(
        code=code, division_code=code[:6], name=place.name, level=level_of(place.code)
    )
    for key in ("office", "health", "land", "env"):
        Department.objects.create(
            region=region, name=geo.department_name(geo.KINDS_BY_KEY[key], place)
        )
    Department.objects.create(region=region, name=geo.department_name(geo.GOVERNMENT, place))
    return region


def test_load_is_idempotent_and_reset_removes_it(county):
    case = make_case(county)
    case_clock(case, date(2026, 11, 2), 5)
    summary = demo.load(today=date(2026, 11, 20))
    assert summary["raised_red"] == 1
    again = demo.load(today=date(2026, 11, 20))
    assert again.get("raised_red", 0) == 0
    from django.contrib.auth import get_user_model

    users = get_user_model().objects.filter(username__in=demo.supervision_usernames())
    assert users.count() == len(demo.SUPERVISION_STAFF)
    supervisor = users.get(username="jiancha.songlin")
    assert scope_for(supervisor).covers(department_id=case.department_id, region_id=county.pk)
    assert AnomalyRule.objects.filter(enabled=False).count() == 0
    assert WatchedClock.objects.get().level == Level.RED
    assert any("jiancha.songlin" in line for line in demo.describe())
    demo.reset()
    assert not WatchedClock.objects.exists() and not users.exists()
