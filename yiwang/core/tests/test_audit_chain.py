"""The audit log cannot be silently edited: every row is chained to the one before it by an
HMAC, ``verify_audit_log`` finds the first row edited, deleted or inserted, pruning after the
retention keeps the chain verifiable, concurrent writers never fork it, and every
authorization denial is written to it."""

import importlib
import io
import json
import threading
from datetime import timedelta
from unittest import mock

import pytest
from django.apps import apps as django_apps
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command, execute_from_command_line
from django.db import connection, transaction
from django.http import HttpResponse
from django.test import override_settings
from django.urls import path, reverse
from django.utils import timezone

from yiwang.accounts import events
from yiwang.accounts.models import User
from yiwang.accounts.tests.otp_helpers import login_with_second_factor
from yiwang.core import audit, views
from yiwang.core.audit import (
    AUDIT_PRUNED,
    GENESIS_HASH,
    AuditChainBroken,
    compute_row_hash,
    prune,
    record,
    verify_chain,
)
from yiwang.core.models import AuditChainHead, AuditEvent
from yiwang.core.schedule import SCHEDULE
from yiwang.core.tasks import prune_audit_log


def write(count, *, prefix="test.event", **kwargs):
    return [
        record(action=f"{prefix}_{i}", detail={"n": i, "名称": "测试"}, **kwargs)
        for i in range(count)
    ]


def written_at(when, count, **kwargs):
    """Rows as if written at ``when`` (record() takes the time itself, under its lock)."""
    with mock.patch.object(audit.timezone, "now", return_value=when):
        return write(count, **kwargs)


def verify_command():
    """Run ``verify_audit_log``; returns (exit status, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("verify_audit_log", stdout=out, stderr=err)
    except CommandError as exc:
        return exc.returncode, out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


@pytest.fixture
def user(db):
    return User.objects.create_user(username="auditor_subject", password="x-not-used-1234")


# --- the chain -------------------------------------------------------------------------------


def test_record_chains_each_row_to_the_one_before(user):
    rows = write(3, actor=user, obj=user)
    first = rows[0]
    assert [row.sequence for row in rows] == [
        first.sequence,
        first.sequence + 1,
        first.sequence + 2,
    ]
    assert first.sequence == 1 and first.prev_hash == GENESIS_HASH
    assert rows[1].prev_hash == rows[0].row_hash
    assert rows[2].prev_hash == rows[1].row_hash
    for row in rows:
        stored = AuditEvent.objects.get(pk=row.pk)
        # The hash is recomputed from what the database gives back, not from memory.
        assert len(stored.row_hash) == 64
        assert stored.row_hash == compute_row_hash(stored)
        assert stored.actor_pk == str(user.pk)
        assert stored.occurred_at == row.occurred_at
    head = AuditChainHead.objects.get()
    assert (head.last_sequence, head.last_hash) == (rows[2].sequence, rows[2].row_hash)

    report = verify_chain()
    assert report.ok, report.broken
    assert (report.checked, report.first_sequence, report.last_sequence) == (3, 1, 3)


def test_the_hash_needs_the_key(user):
    row = write(1, actor=user)[0]
    assert compute_row_hash(row, key="another key") != row.row_hash


def test_detail_is_stored_as_json_reads_it_back(db):
    row = record(action="test.shapes", detail={"ids": (1, 2), 3: "三", "ratio": 1.0, "big": 1e20})
    stored = AuditEvent.objects.get(pk=row.pk)
    assert stored.detail["ids"] == [1, 2] and stored.detail["3"] == "三"
    assert verify_chain().ok


def test_a_bad_client_address_is_not_stored(rf, db):
    request = rf.get("/", REMOTE_ADDR="not-an-address")
    assert record(action="test.address", request=request).client_address is None
    request = rf.get("/", REMOTE_ADDR="2001:DB8::1")
    record(action="test.address", request=request)
    assert verify_chain().ok


@pytest.mark.parametrize(
    "change",
    [
        {"detail": {"n": 99}},
        {"action": "test.something_else"},
        {"object_repr": "另一个对象"},
        {"client_address": "10.0.0.9"},
        {"occurred_at": timezone.now() - timedelta(days=3)},
        {"on_behalf_of": "某公司"},
    ],
    ids=lambda change: next(iter(change)),
)
def test_editing_a_row_is_detected_at_that_row(user, change):
    rows = write(4, actor=user)
    AuditEvent.objects.filter(pk=rows[1].pk).update(**change)

    report = verify_chain()
    assert not report.ok
    assert report.broken.kind == "modified"
    assert (report.broken.sequence, report.broken.event_id) == (rows[1].sequence, rows[1].pk)
    assert report.checked == 1  # the row before it verified

    status, out, err = verify_command()
    assert status == 1
    assert f"序号 {rows[1].sequence}" in err and "被修改" in err
    assert "审计日志完整" not in out


def test_pointing_a_row_at_another_actor_is_detected(user):
    other = User.objects.create_user(username="someone_else")
    rows = write(3, actor=user)
    AuditEvent.objects.filter(pk=rows[2].pk).update(actor=other)
    report = verify_chain()
    assert (report.broken.kind, report.broken.sequence) == ("modified", rows[2].sequence)


def test_deleting_the_actor_keeps_the_chain(user):
    write(2, actor=user)
    user.delete()
    assert AuditEvent.objects.filter(actor__isnull=True).count() == 2
    assert verify_chain().ok


def test_deleting_a_middle_row_is_detected(user):
    rows = write(5, actor=user)
    rows[2].delete()

    report = verify_chain()
    assert (report.broken.kind, report.broken.sequence) == ("missing", rows[3].sequence)
    assert f"序号 {rows[2].sequence} 的记录缺失" in report.broken.message
    status, _, err = verify_command()
    assert status == 1 and "缺失" in err


def test_rewriting_a_row_without_the_key_is_detected(user):
    """Someone deletes a row and writes their own in its place, hashing it as best they can
    without the key."""
    rows = write(3, actor=user)
    original = rows[1]
    original.delete()
    forged = AuditEvent(
        sequence=original.sequence,
        occurred_at=original.occurred_at,
        action="accounts.login",
        prev_hash=original.prev_hash,
        detail={},
    )
    forged.row_hash = compute_row_hash(forged, key="guessed")
    forged.save(force_insert=True)

    report = verify_chain()
    assert (report.broken.kind, report.broken.sequence) == ("modified", original.sequence)


def test_a_row_linked_to_the_wrong_predecessor_is_detected(user):
    """A row hashed correctly (with the key) but spliced in where it does not belong."""
    rows = write(3, actor=user)
    spliced = AuditEvent.objects.get(pk=rows[2].pk)
    spliced.prev_hash = rows[0].row_hash
    spliced.row_hash = compute_row_hash(spliced)
    AuditEvent.objects.filter(pk=spliced.pk).update(
        prev_hash=spliced.prev_hash, row_hash=spliced.row_hash
    )
    report = verify_chain()
    assert (report.broken.kind, report.broken.sequence) == ("relinked", rows[2].sequence)


def test_rows_cut_off_the_end_are_detected(user):
    rows = write(3, actor=user)
    rows[2].delete()
    report = verify_chain()
    assert report.broken.kind == "end"
    assert "链尾记录缺失" in report.broken.message


def test_a_row_added_behind_the_head_is_detected(user):
    rows = write(2, actor=user)
    extra = AuditEvent(
        sequence=rows[1].sequence + 1,
        occurred_at=timezone.now(),
        action="test.inserted",
        prev_hash=rows[1].row_hash,
    )
    extra.row_hash = compute_row_hash(extra)
    extra.save(force_insert=True)
    report = verify_chain()
    assert report.broken.kind == "end" and "被插入" in report.broken.message


def test_rows_deleted_from_the_start_without_pruning_are_detected(user):
    rows = write(3, actor=user)
    rows[0].delete()
    report = verify_chain()
    assert (report.broken.kind, report.broken.sequence) == ("start", rows[1].sequence)
    assert "序号 1 至 1" in report.broken.message


def test_an_empty_log_verifies(db):
    assert verify_chain().ok
    assert verify_command()[0] == 0


def test_rows_are_checked_in_batches(user):
    rows = write(7, actor=user)
    seen = []
    report = verify_chain(batch_size=3, progress=seen.append)
    assert report.ok and report.checked == 7 and seen == [3, 3, 1]
    AuditEvent.objects.filter(pk=rows[5].pk).update(detail={})
    assert verify_chain(batch_size=3).broken.sequence == rows[5].sequence


def test_writes_inside_a_rolled_back_transaction_leave_no_gap(user):
    write(1, actor=user)
    with pytest.raises(RuntimeError), transaction.atomic():
        write(1, actor=user)
        raise RuntimeError("the action failed")
    row = write(1, actor=user)[0]
    assert row.sequence == 2
    assert verify_chain().ok


def test_a_missing_head_is_rebuilt_from_the_last_row(user):
    rows = write(2, actor=user)
    AuditChainHead.objects.all().delete()
    assert verify_chain().broken.kind == "end"
    row = write(1, actor=user)[0]
    assert (row.sequence, row.prev_hash) == (rows[1].sequence + 1, rows[1].row_hash)
    assert verify_chain().ok


# --- the command -----------------------------------------------------------------------------


def test_verify_command_reports_an_intact_log(user):
    rows = write(3, actor=user)
    status, out, err = verify_command()
    assert status == 0
    assert "审计日志完整：共校验 3 条记录（序号 1 至 3）" in out
    assert rows[2].row_hash in out  # the head hash, to be kept elsewhere
    assert err == ""


def test_verify_command_shows_a_progress_bar_for_many_rows(user, monkeypatch):
    from yiwang.core.management.commands import verify_audit_log

    write(5, actor=user)
    monkeypatch.setattr(verify_audit_log, "PROGRESS_THRESHOLD", 3)
    err = io.StringIO()
    call_command("verify_audit_log", "--batch-size=2", stdout=io.StringIO(), stderr=err)
    assert "校验审计日志" in err.getvalue() and "5/5" in err.getvalue()


@pytest.mark.django_db(transaction=True)
def test_verify_command_exit_status_from_the_command_line(capsys):
    """What a cron job or monitoring script sees: status 0 when intact, 1 when broken.
    (A transactional test: the command line closes the database connections at the end.)"""
    rows = write(3)
    execute_from_command_line(["manage.py", "verify_audit_log"])
    assert "审计日志完整" in capsys.readouterr().out

    AuditEvent.objects.filter(pk=rows[1].pk).update(detail={"n": "edited"})
    with pytest.raises(SystemExit) as exit_info:
        execute_from_command_line(["manage.py", "verify_audit_log"])
    assert exit_info.value.code == 1
    assert f"序号 {rows[1].sequence}" in capsys.readouterr().err


# --- retention -------------------------------------------------------------------------------


def test_pruning_deletes_only_rows_past_the_retention_and_keeps_the_chain(user, settings):
    settings.AUDIT_RETENTION_DAYS = 200
    now = timezone.now()
    old = written_at(now - timedelta(days=250), 3, actor=user)
    recent_enough = written_at(now - timedelta(days=199), 1, actor=user)
    new = write(2, actor=user)

    assert prune(now=now) == 3

    assert not AuditEvent.objects.filter(pk__in=[row.pk for row in old]).exists()
    assert AuditEvent.objects.filter(pk=recent_enough[0].pk).exists()
    assert AuditEvent.objects.filter(pk__in=[row.pk for row in new]).count() == 2
    pruning = AuditEvent.objects.get(action=AUDIT_PRUNED)
    assert pruning.detail["deleted"] == 3
    assert pruning.detail["anchor_sequence"] == recent_enough[0].sequence
    assert pruning.detail["anchor_hash"] == old[-1].row_hash == recent_enough[0].prev_hash
    assert pruning.detail["retention_days"] == 200

    report = verify_chain()
    assert report.ok, report.broken
    assert report.first_sequence == recent_enough[0].sequence
    assert report.checked == 4  # the kept rows and the pruning itself
    assert verify_command()[0] == 0

    # Nothing more is old enough: a second run deletes nothing and records nothing.
    assert prune(now=now) == 0
    assert AuditEvent.objects.filter(action=AUDIT_PRUNED).count() == 1


def test_retention_is_never_under_180_days(user, settings):
    settings.AUDIT_RETENTION_DAYS = 30
    now = timezone.now()
    written_at(now - timedelta(days=179), 2, actor=user)
    assert prune(now=now) == 0
    assert AuditEvent.objects.count() == 2


def test_deleting_more_than_the_pruning_did_is_detected(user, settings):
    settings.AUDIT_RETENTION_DAYS = 180
    now = timezone.now()
    written_at(now - timedelta(days=400), 2, actor=user)
    kept = written_at(now - timedelta(days=10), 2, actor=user)
    prune(now=now)
    kept[0].delete()

    report = verify_chain()
    assert (report.broken.kind, report.broken.sequence) == ("start", kept[1].sequence)
    assert "清理之外还有记录从开头被删除" in report.broken.message


def test_pruning_everything_old_leaves_the_pruning_as_anchor(user):
    now = timezone.now()
    old = written_at(now - timedelta(days=500), 3, actor=user)
    assert prune(now=now) == 3
    only = AuditEvent.objects.get()
    assert only.action == AUDIT_PRUNED
    assert only.detail["anchor_sequence"] == only.sequence == old[-1].sequence + 1
    assert only.prev_hash == only.detail["anchor_hash"] == old[-1].row_hash
    assert verify_chain().ok
    # And a chain pruned twice still verifies.
    later = now + timedelta(days=400)
    written_at(later - timedelta(days=1), 1, actor=user)
    assert prune(now=later) == 1
    assert verify_chain().ok


def test_pruning_refuses_to_delete_evidence_of_tampering(user):
    now = timezone.now()
    old = written_at(now - timedelta(days=400), 3, actor=user)
    AuditEvent.objects.filter(pk=old[1].pk).update(detail={"n": "edited"})
    with pytest.raises(AuditChainBroken):
        prune(now=now)
    assert AuditEvent.objects.count() == 3
    assert not AuditEvent.objects.filter(action=AUDIT_PRUNED).exists()


def test_pruning_is_a_daily_job(user):
    assert any(
        job.name == "prune_audit_log"
        and job.task_path == "yiwang.core.tasks.prune_audit_log"
        and job.interval_seconds == 24 * 3600
        for job in SCHEDULE
    )
    written_at(timezone.now() - timedelta(days=400), 2, actor=user)
    result = prune_audit_log.enqueue()  # the immediate backend runs it at once
    assert result.return_value == 2
    assert verify_chain().ok


# --- migration -------------------------------------------------------------------------------


def test_the_migration_chains_rows_written_before_the_chain(user):
    """0004 hashes with a frozen copy of the format; the current code must agree with it."""
    migration = importlib.import_module("yiwang.core.migrations.0004_backfill_audit_chain")
    rows = write(4, actor=user, obj=user)
    # As the rows stood before the chain: out of order sequence numbers, no hashes, no head.
    for offset, row in enumerate(reversed(rows)):
        AuditEvent.objects.filter(pk=row.pk).update(
            sequence=1000 + offset, prev_hash="", row_hash="", actor_pk=""
        )
    AuditChainHead.objects.all().delete()

    migration.backfill(django_apps, None)

    stored = list(AuditEvent.objects.order_by("id"))
    assert [row.sequence for row in stored] == [1, 2, 3, 4]
    assert all(row.actor_pk == str(user.pk) for row in stored)
    assert verify_chain().ok
    assert AuditChainHead.objects.get().last_hash == stored[-1].row_hash


# --- concurrency -----------------------------------------------------------------------------


def _in_thread(target, errors):
    def run():
        try:
            target()
        except Exception as exc:  # reported by the test
            errors.append(exc)
        finally:
            connection.close()

    return threading.Thread(target=run)


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_do_not_fork_the_chain():
    """Two threads (two database connections) write at the same moment, many times. The
    chain head's row lock makes them queue: every row gets its own sequence number and
    follows exactly one predecessor.

    PostgreSQL only: the test database on SQLite is an in-memory database shared between
    connections through SQLite's shared cache, whose table locks fail at once ("database
    table is locked") instead of waiting for the busy timeout, so two threads cannot write
    to it at the same time at all. On a real SQLite file, writers are serialized by the
    IMMEDIATE transactions the settings ask for."""
    if connection.vendor == "sqlite":
        pytest.skip("SQLite 测试库为共享缓存的内存库，不能并发写入（见文档字符串）")
    per_thread = 25
    barrier = threading.Barrier(2)
    errors = []

    def writer(name):
        def run():
            barrier.wait()
            for i in range(per_thread):
                with transaction.atomic():
                    record(action=f"test.{name}", detail={"i": i})

        return run

    threads = [_in_thread(writer(name), errors) for name in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []

    rows = list(AuditEvent.objects.order_by("sequence"))
    assert [row.sequence for row in rows] == list(range(1, 2 * per_thread + 1))
    assert len({row.prev_hash for row in rows}) == len(rows)  # no row has two successors
    assert {row.action for row in rows} == {"test.a", "test.b"}
    assert verify_chain().ok


@pytest.mark.django_db(transaction=True)
def test_a_second_writer_waits_for_the_first_to_commit():
    """The lock lasts until the first writer's transaction ends, and the second writer then
    builds on the first writer's row, not on the head it would have read before."""
    if connection.vendor == "sqlite":
        pytest.skip("SQLite 测试库为共享缓存的内存库，不能并发写入")
    first_recorded, second_started = threading.Event(), threading.Event()
    written, errors = {}, []

    def first():
        with transaction.atomic():
            written["first"] = record(action="test.first")
            first_recorded.set()
            second_started.wait(5)
            # Give the second writer time to run into the lock.
            threading.Event().wait(0.5)
            written["first_committing"] = timezone.now()

    def second():
        first_recorded.wait(5)
        second_started.set()
        written["second"] = record(action="test.second")
        written["second_done"] = timezone.now()

    threads = [_in_thread(first, errors), _in_thread(second, errors)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert written["second_done"] >= written["first_committing"]
    assert written["second"].prev_hash == written["first"].row_hash
    assert written["second"].sequence == written["first"].sequence + 1
    assert verify_chain().ok


# --- authorization denials -------------------------------------------------------------------


def forbidden(request):
    raise PermissionDenied("只有安全管理员可以这样做。")


def allowed(request):
    return HttpResponse("ok")


urlpatterns = [path("forbidden/", forbidden), path("allowed/", allowed)]
handler403 = "yiwang.core.views.permission_denied"


def test_the_platform_uses_the_auditing_403_handler():
    import yiwang.urls

    assert yiwang.urls.handler403 == "yiwang.core.views.permission_denied"
    # core cannot import accounts' event names; the copy must stay equal.
    assert views.AUTHORIZATION_DENIED == events.AUTHORIZATION_DENIED


@override_settings(ROOT_URLCONF=__name__)
def test_a_denial_is_audited_and_answered_in_chinese(client, user):
    client.force_login(user)
    response = client.get("/forbidden/?q=secret", REMOTE_ADDR="10.1.2.3")

    assert response.status_code == 403
    html = response.content.decode()
    assert '<html lang="zh-Hans">' in html and "<h1>没有访问权限</h1>" in html
    event = AuditEvent.objects.get(action=events.AUTHORIZATION_DENIED)
    assert event.actor == user
    assert event.client_address == "10.1.2.3"
    assert event.detail["path"] == "/forbidden/"  # never the query string
    assert event.detail["method"] == "GET"
    assert event.detail["reason"] == "只有安全管理员可以这样做。"
    assert verify_chain().ok

    assert client.get("/allowed/").status_code == 200
    assert AuditEvent.objects.filter(action=events.AUTHORIZATION_DENIED).count() == 1


@override_settings(ROOT_URLCONF=__name__)
def test_a_denial_answers_json_to_a_client_that_asks_for_it(client, db):
    response = client.post("/forbidden/", HTTP_ACCEPT="application/json")
    assert response.status_code == 403
    body = json.loads(response.content)
    assert body["code"] == "permission_denied"
    assert "没有权限" in body["error"] and "permission" in body["error"]
    event = AuditEvent.objects.get(action=events.AUTHORIZATION_DENIED)
    assert event.actor is None and event.detail["method"] == "POST"
    # A browser (text/html first, */* after) gets the page.
    page = client.get("/forbidden/", HTTP_ACCEPT="text/html,application/xhtml+xml,*/*;q=0.8")
    assert page["Content-Type"].startswith("text/html")


@override_settings(ROOT_URLCONF=__name__)
def test_a_failure_to_audit_still_answers_403(client, db):
    with mock.patch.object(views, "record", side_effect=RuntimeError("database down")):
        response = client.get("/forbidden/")
    assert response.status_code == 403
    assert not AuditEvent.objects.exists()


@pytest.fixture
def audited_wagtail():
    views.audit_wagtail_admin_denials()


def test_core_installs_the_wagtail_admin_denial_audit():
    """CoreConfig.ready() calls views.audit_wagtail_admin_denials(); calling it again
    changes nothing."""
    from wagtail.admin import auth

    with mock.patch.object(views, "audit_wagtail_admin_denials") as install:
        django_apps.get_app_config("core").ready()
    install.assert_called_once_with()

    views.audit_wagtail_admin_denials()
    wrapped = auth.permission_denied, auth.reject_request
    views.audit_wagtail_admin_denials()
    assert (auth.permission_denied, auth.reject_request) == wrapped
    assert all(getattr(function, "yiwang_audited", False) for function in wrapped)


def test_wagtail_admin_denials_are_audited(client, audited_wagtail, user):
    """Wagtail answers a forbidden admin page with a redirect to the dashboard, not through
    Django's 403 handler; the wrapped ``permission_denied`` audits it."""
    from django.contrib.auth.models import Permission

    user.is_staff = True
    user.save(update_fields=["is_staff"])
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    login_with_second_factor(client, user)
    listing = reverse("wagtailsnippets_core_auditevent:list")

    response = client.get(listing)

    assert response.status_code == 302 and response.url == reverse("wagtailadmin_home")
    event = AuditEvent.objects.get(action=events.AUTHORIZATION_DENIED)
    assert event.actor == user
    assert (event.detail["path"], event.detail["source"]) == (listing, "wagtail_admin")

    # An AJAX request gets the exception, and Django's handler audits it once.
    response = client.get(listing, HTTP_X_REQUESTED_WITH="XMLHttpRequest")
    assert response.status_code == 403
    sources = list(
        AuditEvent.objects.filter(action=events.AUTHORIZATION_DENIED)
        .order_by("sequence")
        .values_list("detail__source", flat=True)
    )
    assert sources == ["wagtail_admin", "django"]


def test_a_logged_in_user_without_admin_access_is_audited(client, audited_wagtail, user):
    login_with_second_factor(client, user)
    response = client.get(reverse("wagtailadmin_home"))
    assert response.status_code == 302
    event = AuditEvent.objects.get(action=events.AUTHORIZATION_DENIED)
    assert event.detail["source"] == "wagtail_admin_access"


def test_an_anonymous_visitor_sent_to_log_in_is_not_a_denial(client, audited_wagtail, db):
    response = client.get(reverse("wagtailadmin_home"))
    assert response.status_code == 302
    assert not AuditEvent.objects.filter(action=events.AUTHORIZATION_DENIED).exists()
