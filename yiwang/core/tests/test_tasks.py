"""The platform's own tasks do what they say."""

from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone
from django_tasks import TaskResultStatus

from yiwang.core.scheduler import run_due_jobs
from yiwang.core.tasks import prune_task_results, publish_scheduled_pages
from yiwang.portal.models import ArticlePage, ColumnPage

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def scheduled_article(site):
    """An article whose editor scheduled it for an hour from now."""
    column = site.root_page.add_child(instance=ColumnPage(title="通知公告", slug="tzgg"))
    article = ArticlePage(
        title="关于开展示范工作的通知",
        slug="notice-1",
        live=False,
        go_live_at=timezone.now() + timedelta(hours=1),
    )
    column.add_child(instance=article)
    revision = article.save_revision()
    revision.publish()
    article.refresh_from_db()
    assert not article.live and revision.approved_go_live_at is not None
    return article, revision


def move_go_live_into_the_past(article, revision):
    """As if the hour had passed: the go-live time is kept on the page, on the revision
    and in the revision's copy of the page."""
    past = timezone.now() - timedelta(minutes=1)
    revision.content["go_live_at"] = past.isoformat()
    revision.approved_go_live_at = past
    revision.save(update_fields=["content", "approved_go_live_at"])
    ArticlePage.objects.filter(pk=article.pk).update(go_live_at=past)


def test_publish_scheduled_pages_publishes_a_page_whose_time_has_come(site_group):
    article, revision = scheduled_article(site_group["county_a"])

    publish_scheduled_pages.enqueue()
    article.refresh_from_db()
    assert not article.live  # not yet due

    move_go_live_into_the_past(article, revision)
    result = publish_scheduled_pages.enqueue()
    assert result.status == TaskResultStatus.SUCCESSFUL
    article.refresh_from_db()
    assert article.live
    assert article.live_revision_id == revision.pk


def test_the_scheduler_publishes_scheduled_pages(site_group, django_capture_on_commit_callbacks):
    """The whole chain: scheduler → task queue (run at once in tests) → published page."""
    article, revision = scheduled_article(site_group["county_b"])
    move_go_live_into_the_past(article, revision)
    with django_capture_on_commit_callbacks(execute=True):
        enqueued = run_due_jobs()
    assert "publish_scheduled_pages" in enqueued
    article.refresh_from_db()
    assert article.live


@pytest.mark.django_db
@override_settings(TASKS=DB_TASKS)
def test_prune_task_results_deletes_finished_results_older_than_a_week():
    from django_tasks_db.models import DBTaskResult

    old, recent, waiting = (publish_scheduled_pages.enqueue() for _ in range(3))
    now = timezone.now()
    DBTaskResult.objects.filter(pk=old.id).update(
        status=TaskResultStatus.SUCCESSFUL, finished_at=now - timedelta(days=8)
    )
    DBTaskResult.objects.filter(pk=recent.id).update(
        status=TaskResultStatus.FAILED, finished_at=now - timedelta(days=6)
    )

    assert prune_task_results.call() == 1
    assert set(DBTaskResult.objects.values_list("pk", flat=True)) == {
        DBTaskResult.objects.get(pk=recent.id).pk,
        DBTaskResult.objects.get(pk=waiting.id).pk,
    }


@pytest.mark.django_db
def test_prune_task_results_does_nothing_without_a_database_queue():
    # Tests run tasks at once (ImmediateBackend): no results are kept in the database.
    assert prune_task_results.enqueue().return_value == 0


@pytest.mark.django_db
def test_clear_expired_sessions_deletes_only_expired_ones():
    import datetime

    from django.contrib.sessions.models import Session
    from django.utils import timezone

    from yiwang.core.tasks import clear_expired_sessions

    now = timezone.now()
    Session.objects.create(
        session_key="old", session_data="", expire_date=now - datetime.timedelta(days=1)
    )
    Session.objects.create(
        session_key="live", session_data="", expire_date=now + datetime.timedelta(days=1)
    )
    clear_expired_sessions.enqueue()
    assert list(Session.objects.values_list("session_key", flat=True)) == ["live"]
