"""Rating a case once (一事一评): who may, when, what it records; bad ratings open a
rectification with a working-day deadline; the figures query."""

import threading
from datetime import date, datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone

from yiwang.core.models import AuditEvent
from yiwang.evaluation import actions, events, queries
from yiwang.evaluation.constants import RectificationState
from yiwang.evaluation.models import Rating, Rectification
from yiwang.hall.tests.casekit import verified_citizen

from .conftest import GOOD, indicators

pytestmark = pytest.mark.django_db


def rate(case, user, level=5, **kwargs):
    kwargs.setdefault("indicators", GOOD)
    return actions.rate_case(case=case, user=user, level=level, **kwargs)


def test_applicant_rates_a_completed_case_once(eworld):
    case = eworld.completed_case()
    rating = rate(case, eworld.citizen, comment="办得很快", publish_comment=True)
    assert rating.channel == "online" and rating.level == 5
    assert rating.department == eworld.lead and rating.region == eworld.regions["county_a"]
    assert rating.indicators == GOOD and rating.real_name and rating.publish_comment
    assert rating.rated_on == timezone.localdate()
    assert AuditEvent.objects.filter(action=events.RATED, object_id=str(rating.pk)).exists()
    assert not Rectification.objects.exists()
    with pytest.raises(actions.StateError):
        rate(case, eworld.citizen, level=1)
    assert Rating.objects.count() == 1


def test_a_refusal_may_be_rated_an_open_or_withdrawn_case_not(eworld):
    assert rate(eworld.refused_case(), eworld.citizen).pk
    open_case = eworld.submitted_case()
    with pytest.raises(actions.StateError):
        rate(open_case, eworld.citizen)
    from yiwang.hall import actions as hall_actions

    hall_actions.withdraw(case=open_case, user=eworld.citizen)
    with pytest.raises(actions.StateError):
        rate(open_case, eworld.citizen)
    assert Rating.objects.count() == 1


def test_only_the_applicant_rates(eworld):
    case = eworld.completed_case()
    for user in (verified_citizen(name="李四"), eworld.acceptor, eworld.manager):
        with pytest.raises(PermissionDenied):
            rate(case, user)
    assert not Rating.objects.exists()


def test_every_indicator_and_the_level_are_required(eworld):
    case = eworld.completed_case()
    with pytest.raises(ValidationError) as exc:
        rate(case, eworld.citizen, indicators={"efficiency": 5})
    assert "indicator_guide_accuracy" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        rate(case, eworld.citizen, level=7)
    assert "level" in exc.value.message_dict
    with pytest.raises(ValidationError):
        rate(case, eworld.citizen, comment="长" * 501)
    assert not Rating.objects.exists()


def test_a_comment_is_published_only_when_there_is_one(eworld):
    rating = rate(eworld.completed_case(), eworld.citizen, publish_comment=True)
    assert not rating.publish_comment


def test_the_unique_constraint_holds_without_the_action(eworld):
    from django.db import IntegrityError, transaction

    case = eworld.completed_case()
    rate(case, eworld.citizen)
    with pytest.raises(IntegrityError), transaction.atomic():
        Rating.objects.create(
            channel="online",
            case=case,
            department=eworld.lead,
            region=eworld.regions["county_a"],
            level=3,
            rated_at=timezone.now(),
            rated_on=timezone.localdate(),
        )


# serialized_rollback: the hall's staff groups come from a data migration, and a flush by an
# earlier transactional test would have taken them away.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_concurrent_ratings_give_one(regions):
    """Two requests at once (two connections). PostgreSQL only: the SQLite test database is a
    shared-cache in-memory database whose table locks fail at once instead of waiting, so
    two threads cannot write to it together (the unique constraint test above covers SQLite;
    on a real SQLite file IMMEDIATE transactions serialize the writers)."""
    if connection.vendor == "sqlite":
        pytest.skip("SQLite 测试库为共享缓存的内存库，不能并发写入")
    from .conftest import EvaluationWorld

    world = EvaluationWorld(regions)
    case = world.completed_case()
    results, barrier = [], threading.Barrier(2)

    def attempt(level):
        try:
            barrier.wait()
            results.append(rate(case, world.citizen, level=level).level)
        except actions.StateError:
            results.append("refused")
        except Exception as exc:  # pragma: no cover - reported below
            results.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(level,)) for level in (5, 1)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(map(str, results))[-1] == "refused", results
    assert Rating.objects.filter(case=case).count() == 1
    # A bad rating that won opened its rectification; a good one none.
    rating = Rating.objects.get(case=case)
    assert Rectification.objects.filter(rating=rating).count() == (1 if rating.level == 1 else 0)


def test_a_bad_rating_opens_a_rectification_due_in_working_days_across_the_holiday(
    eworld, monkeypatch
):
    # Rated on 2026-09-29: 5 working days → 30 Sep, 8, 9, 10 (调休 Saturday), 12 Oct.
    monkeypatch.setattr(timezone, "now", lambda: timezone.make_aware(datetime(2026, 9, 29, 10, 0)))
    case = eworld.completed_case()
    rating = rate(case, eworld.citizen, level=2, indicators=indicators(2), comment="太慢")
    rectification = rating.rectification
    assert rectification.state == RectificationState.OPEN
    assert rectification.department == eworld.lead
    assert rectification.opened_on == date(2026, 9, 29)
    assert rectification.deadline_days == 5
    assert rectification.deadline == date(2026, 10, 12)
    assert AuditEvent.objects.filter(action=events.RECTIFICATION_OPENED).count() == 1


def test_the_deadline_is_per_region_nearest_setting_wins(eworld, monkeypatch, admin_user):
    monkeypatch.setattr(timezone, "now", lambda: timezone.make_aware(datetime(2026, 9, 29, 10, 0)))
    actions.set_rectification_days(region=eworld.regions["city"], days=10, actor=admin_user)
    assert actions.deadline_days_for(eworld.regions["county_a"]) == 10
    assert actions.deadline_days_for(eworld.regions["province"]) == 5
    actions.set_rectification_days(region=eworld.regions["county_a"], days=15, actor=admin_user)
    assert actions.deadline_days_for(eworld.regions["county_a"]) == 15
    assert actions.deadline_days_for(eworld.regions["county_b"]) == 10
    rating = rate(eworld.completed_case(), eworld.citizen, level=1, indicators=indicators(1))
    # 15 working days after 29 Sep: 30 Sep, 8–10 Oct, 12–16, 19–23, 26 Oct.
    assert rating.rectification.deadline_days == 15
    assert rating.rectification.deadline == date(2026, 10, 26)
    with pytest.raises(ValidationError):
        actions.set_rectification_days(region=eworld.regions["city"], days=4, actor=admin_user)
    with pytest.raises(ValidationError):
        actions.set_rectification_days(region=eworld.regions["city"], days=16, actor=admin_user)
    with pytest.raises(PermissionDenied):
        actions.set_rectification_days(region=eworld.regions["city"], days=6, actor=eworld.manager)


def test_satisfaction_by_department_known_answers(eworld, admin_user):
    levels = [5, 5, 4, 3, 2, 1]
    ratings = [
        rate(eworld.completed_case(), eworld.citizen, level=level, indicators=indicators(level))
        for level in levels
    ]
    figures = queries.satisfaction_by_department()
    row = figures[eworld.lead.pk]
    assert row == {
        "ratings": 6,
        "average": round(20 / 6, 2),
        "satisfied_rate": 3 / 6,
        "bad": 2,
        "rectified": 0,
    }
    # Close one rectification, exclude the other by an upheld appeal.
    two = ratings[4].rectification
    actions.record_follow_up(
        rectification=two,
        staff=eworld.manager,
        contacted_at=timezone.now(),
        method="phone",
        contact_person="王科长",
        applicant_said="希望加快办理",
    )
    actions.record_outcome(rectification=two, staff=eworld.manager, kind="rectified", text="已优化")
    actions.confirm_as_applicant(rectification=two, user=eworld.citizen, satisfied=True)
    appeal = actions.file_appeal(
        rating=ratings[5], staff=eworld.manager, kind="malicious", reason="与办件无关的辱骂"
    )
    actions.review_appeal(appeal=appeal, reviewer=eworld.reviewer_city, upheld=True, note="属实")
    row = queries.satisfaction_by_department(department_ids=[eworld.lead.pk])[eworld.lead.pk]
    assert row == {
        "ratings": 5,
        "average": round(19 / 5, 2),
        "satisfied_rate": 3 / 5,
        "bad": 1,
        "rectified": 1,
    }
    today = timezone.localdate()
    assert (
        queries.satisfaction_by_department(start=today, end=today)[eworld.lead.pk]["ratings"] == 5
    )
    assert queries.satisfaction_by_department(end=date(2000, 1, 1)) == {}
    assert queries.satisfaction_by_department(department_ids=[eworld.other.pk]) == {}
