"""The demo's 好差评 (``yiwang/demo/evaluation.py``) on a small demo: the demo's regions,
catalog and hall, and a short history, built once for the module and rolled back."""

import pytest
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from yiwang.core import workdays
from yiwang.demo import catalog as demo_catalog
from yiwang.demo import evaluation as demo_evaluation
from yiwang.demo import history
from yiwang.demo.builder import DemoBuilder
from yiwang.demo.hall import build_hall
from yiwang.demo.identity import build_identity
from yiwang.evaluation.constants import RectificationState
from yiwang.evaluation.models import (
    Appeal,
    PublishedFigure,
    Rating,
    RatingDevice,
    RatingReminder,
    Rectification,
)

pytestmark = pytest.mark.django_db


class Bar:
    def update(self, n=1):
        pass


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, media_dir, private_dir, tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("data")
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=media_dir, HALL_PRIVATE_ROOT=private_dir, DATA_DIR=data_dir),
    ):
        with transaction.atomic():
            workdays.invalidate()
            builder = DemoBuilder(port=8000, seed=2026)
            builder._create_regions_and_bodies()
            builder._create_users()
            build_identity(admin=builder.admin, users=builder.users, port=8000)
            demo_catalog.build_catalog(actor=builder.admin, bar=Bar())
            build_hall(actor=builder.admin)
            today = timezone.localdate()
            history.load(today=today, count=400, open_count=4)
            calls = []
            result = demo_evaluation.load(today=today, progress=lambda d, t: calls.append(d))
            yield {"today": today, "result": result, "calls": calls}
            transaction.set_rollback(True)


def test_ratings_mostly_good_some_bad_with_rectifications_in_several_states(demo):
    ratings = Rating.objects.all()
    final = demo_evaluation.demo_cases().count()
    assert 0.3 * final < ratings.count() < 0.6 * final
    assert ratings.filter(level__gte=4).count() > 0.7 * ratings.count()
    bad = ratings.filter(level__lte=2)
    assert bad.count() >= 3
    assert Rectification.objects.count() == bad.count()
    states = set(Rectification.objects.values_list("state", flat=True))
    assert RectificationState.CLOSED in states and RectificationState.OPEN in states
    assert {"online", "on_site"} <= set(ratings.values_list("channel", flat=True))
    assert demo["calls"][-1] == 5


def test_zhangsans_bad_rating_is_open_and_the_rest_of_the_showcase(demo):
    mine = Rating.objects.get(
        case__applicant__username="zhangsan", level=2, comment__contains="补正"
    )
    assert mine.rectification.state == RectificationState.OPEN
    assert mine.rectification.deadline > demo["today"]
    assert Appeal.objects.filter(state="pending").count() == 1
    device = RatingDevice.objects.get(name=demo_evaluation.DEVICE_NAME)
    assert device.centre is not None and device.centre.region == device.department.region
    assert PublishedFigure.objects.exists()
    assert RatingReminder.objects.exists()
    lines = demo_evaluation.describe()
    assert any("pingjia/device/" in line for line in lines)


def test_load_is_idempotent_and_reset_removes_its_own(demo):
    before = (Rating.objects.count(), Rectification.objects.count(), RatingDevice.objects.count())
    demo_evaluation.load(today=demo["today"])
    after = (Rating.objects.count(), Rectification.objects.count(), RatingDevice.objects.count())
    assert after == before
    with transaction.atomic():
        demo_evaluation.reset()
        assert not Rating.objects.exists() and not RatingDevice.objects.exists()
        assert not PublishedFigure.objects.exists()
        from django.contrib.auth import get_user_model

        assert (
            not get_user_model()
            .objects.filter(username__in=demo_evaluation.evaluation_usernames())
            .exists()
        )
        transaction.set_rollback(True)
