"""Test-session hooks for the whole repository (pytest loads this file whatever paths are
given, so the order below holds for ``pytest yiwang/appointments`` as for the full suite)."""

import pytest


def _transactional(item):
    marker = item.get_closest_marker("django_db")
    by_marker = marker is not None and (
        marker.kwargs.get("transaction") or (marker.args and marker.args[0])
    )
    fixtures = getattr(item, "fixturenames", ())
    return bool(by_marker) or "transactional_db" in fixtures or "live_server" in fixtures


def _restores_database(item):
    """Browser tests, and any other test that starts from the migrated database restored by
    serialized_rollback (tests/hall/test_concurrent_submissions.py)."""
    if item.get_closest_marker("browser"):
        return True
    marker = item.get_closest_marker("django_db")
    return bool(marker is not None and marker.kwargs.get("serialized_rollback"))


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """Run the browser tests and the other serialized-rollback tests first among the
    transactional tests (which pytest-django runs after the others). Each of them starts
    from the migrated database restored by serialized_rollback; a transactional test
    without serialized_rollback ends with a flush that recreates content types and groups
    under new ids, after which that restore would fail."""
    browser = [item for item in items if _restores_database(item)]
    if not browser:
        return
    rest = [item for item in items if not _restores_database(item)]
    position = next((n for n, item in enumerate(rest) if _transactional(item)), None)
    if position is None:
        return
    items[:] = rest[:position] + browser + rest[position:]
