"""Fixtures every app's tests share: a small site group built the way production builds it."""

import pytest

from yiwang.orgs.models import Region, RegionLevel


@pytest.fixture
def regions(db):
    """A fictional province with one city and two counties, each with a township."""

    def make(code, name, parent=None):
        from yiwang.orgs.models import level_of, stats_code

        full = stats_code(code)
        return Region.objects.create(
            code=full, division_code=full[:6], name=name, level=level_of(code), parent=parent
        )

    province = make("99", "示范省")
    city = make("9901", "青山市", province)
    county_a = make("990102", "松林县", city)
    county_b = make("990103", "临溪县", city)
    town_a = make("990102101", "青石镇", county_a)
    town_b = make("990103101", "白沙镇", county_b)
    assert province.level == RegionLevel.PROVINCE
    return {
        "province": province,
        "city": city,
        "county_a": county_a,
        "county_b": county_b,
        "town_a": town_a,
        "town_b": town_b,
    }


@pytest.fixture
def site_group(regions):
    """Province, city and two county portals as Wagtail sites (hostnames *.localhost)."""
    from yiwang.portal.sitegroup import create_portal

    sites = {
        "province": create_portal(
            hostname="sheng.localhost",
            title="示范省人民政府",
            region=regions["province"],
            is_default=True,
            site_id_code="9900000001",
        ),
        "city": create_portal(
            hostname="qingshan.localhost",
            title="青山市人民政府",
            region=regions["city"],
            site_id_code="9901000001",
        ),
        "county_a": create_portal(
            hostname="songlin.localhost",
            title="松林县人民政府",
            region=regions["county_a"],
            site_id_code="9901020001",
        ),
        "county_b": create_portal(
            hostname="linxi.localhost",
            title="临溪县人民政府",
            region=regions["county_b"],
            site_id_code="9901030001",
        ),
    }
    return sites


@pytest.fixture(scope="session")
def media_dir(tmp_path_factory):
    return str(tmp_path_factory.mktemp("media"))


@pytest.fixture(autouse=True)
def media_root(settings, media_dir):
    """Files tests upload (documents, forms) go to one temporary folder for the whole run
    (module-scoped data built once stays readable), never into var/."""
    settings.MEDIA_ROOT = media_dir
    return media_dir


@pytest.fixture(scope="session")
def private_dir(tmp_path_factory):
    return str(tmp_path_factory.mktemp("private"))


@pytest.fixture(autouse=True)
def private_root(settings, private_dir):
    """Case files (materials, notices) go to one temporary private folder for the run."""
    settings.HALL_PRIVATE_ROOT = private_dir
    return private_dir


@pytest.fixture(autouse=True)
def empty_cache():
    """Every test starts with an empty cache: throttle counters (login, case lookup) and
    cached site data of one test must not reach the next."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture(autouse=True)
def fresh_hall_caches():
    """The hall caches parsed processes by definition id and guide step limits by
    implementation id and version: safe in production, where ids are never handed out twice,
    but a test's rolled-back transaction gives the next test the same ids again."""
    from yiwang.hall import clocks, engine

    engine._spec.cache_clear()
    clocks._STEP_LIMITS.clear()
    yield


@pytest.fixture(autouse=True)
def fresh_working_calendar():
    """Each test builds the working-day table from its own database: a calendar a previous
    test entered (and rolled back) must not linger in this process's table."""
    from yiwang.core import workdays

    workdays.invalidate()
    yield
    workdays.invalidate()


def pytest_sessionfinish(session, exitstatus):
    """Remove this test process's search index folder (settings.SEARCH_INDEX_DIR, one per
    process under the system's temporary directory), so test runs leave nothing behind."""
    import shutil
    import tempfile
    from pathlib import Path

    from django.conf import settings

    try:
        folder = Path(settings.SEARCH_INDEX_DIR)
    except Exception:  # settings not configured: nothing was indexed
        return
    if folder.parent == Path(tempfile.gettempdir()) and folder.name.startswith(
        "yiwang-test-search-"
    ):
        from yiwang.search.engines import forget_engines

        forget_engines()
        shutil.rmtree(folder, ignore_errors=True)
