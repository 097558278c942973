"""The demo catalog, built on the demo's own regions, departments and service centres (the
first step of ``DemoBuilder.build``), without loading the whole demo."""

import datetime
import io

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Count
from django.test import override_settings
from openpyxl import load_workbook
from stdnum.cn import uscc

from yiwang.catalog.completeness import missing_elements
from yiwang.catalog.constants import ImplementationStatus, LimitKind, Variant
from yiwang.catalog.models import CatalogItem, Implementation, parse_implementation_code
from yiwang.core.models import AuditEvent
from yiwang.demo import catalog as demo_catalog
from yiwang.demo.builder import DemoBuilder
from yiwang.demo.catalog_data import ITEMS
from yiwang.demo.spec import TZ
from yiwang.orgs.models import Department

pytestmark = pytest.mark.django_db

AFTER_WITHDRAWALS = datetime.datetime(2026, 11, 1, tzinfo=TZ)


class Bar:
    def __init__(self):
        self.n = 0

    def update(self, n=1):
        self.n += n


@pytest.fixture(scope="module")
def built(django_db_setup, django_db_blocker, media_dir):
    """The demo's regions, departments, service centres and staff, as ``load_demo`` makes
    them before building the portals, and the demo catalog on them: built once for the
    module inside a transaction that is rolled back at the end (each test runs in a
    savepoint inside it)."""
    # The run's temporary media folder (``yiwang/conftest.py``), which every test uses too.
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media_dir):
        with transaction.atomic():
            builder = DemoBuilder(port=8000, seed=2026)
            builder._create_regions_and_bodies()
            builder._create_users()
            bar = Bar()
            created = demo_catalog.build_catalog(actor=builder.admin, bar=bar)
            yield {"builder": builder, "created": created, "bar": bar}
            transaction.set_rollback(True)


def test_the_catalog_covers_levels_departments_and_thirty_items(built):
    demo = demo_catalog.demo_implementations()
    visible = demo.visible(AFTER_WITHDRAWALS)
    assert built["created"] == demo.count() == len(demo_catalog.plan())
    assert visible.count() >= 30
    assert visible.values("catalog_item").distinct().count() >= 30
    levels = set(visible.values_list("region__level", flat=True))
    assert levels == {1, 2, 3, 4}
    assert visible.values("department").distinct().count() >= 5
    # Every item type the demo uses is in the national list, and several are used.
    assert visible.values("catalog_item__item_type").distinct().count() >= 5
    # Progress: one step per form, implementation and lifecycle change.
    assert built["bar"].n == demo_catalog.catalog_steps()


def test_every_visible_guide_is_valid_and_complete(built):
    visible = demo_catalog.demo_implementations().visible(AFTER_WITHDRAWALS)
    for implementation in visible.select_related("department", "region", "catalog_item"):
        implementation.full_clean()
        label = implementation.code
        # The ten key elements of the national check, checked directly...
        assert implementation.name.strip(), label
        assert implementation.legal_bases.exists(), label
        assert implementation.conditions.strip(), label
        assert implementation.materials.exists(), label
        assert implementation.place.strip() and implementation.hours.strip(), label
        assert implementation.department.address.strip(), label
        assert implementation.enquiry_phone.strip(), label
        assert implementation.process_steps.exists(), label
        assert implementation.fees.exists() if implementation.charges_fee else True, label
        # ...and by the completeness check.
        assert missing_elements(implementation) == [], label
        # The rest of the guide.
        assert implementation.summary.strip() and implementation.result_name, label
        assert 1 <= implementation.questions.count() <= 3, label
        assert implementation.themes.exists(), label
        assert implementation.delivery_methods, label
        assert "{地}" not in implementation.summary + implementation.conditions, label
        if implementation.limit_kind == LimitKind.PROMISED:
            assert implementation.promised_limit_days, label
        # Codes: the national structure, agreeing with region and department.
        parts = parse_implementation_code(implementation.code)
        assert parts["region"] == implementation.region.code, label
        assert parts["body"] == implementation.department.uscc, label
        assert uscc.is_valid(implementation.department.uscc), label
        # Published through a revision: history starts at version 1.
        assert implementation.live and implementation.version == 1, label
        assert implementation.revisions.count() == 1, label


def test_guides_vary_like_real_ones(built):
    visible = demo_catalog.demo_implementations().visible(AFTER_WITHDRAWALS)
    assert {1, 2, 3, 4} <= set(visible.values_list("online_depth", flat=True))
    assert set(visible.values_list("required_visits", flat=True)) == {0, 1}
    assert visible.filter(limit_kind=LimitKind.ON_THE_SPOT).count() >= 5
    assert 1 <= visible.filter(charges_fee=True).count() <= 8
    assert set(visible.values_list("audience", flat=True)) == {"individual", "legal_person", "both"}
    assert visible.annotate(n=Count("situations")).filter(n__gte=2).count() >= 5
    assert visible.filter(special_procedures__isnull=False).distinct().count() >= 3
    laws = set(visible.values_list("legal_bases__law_name", flat=True))
    assert {"中华人民共和国行政许可法", "中华人民共和国民法典", "中华人民共和国社会保险法"} <= laws
    # E-licences replace materials where natural.
    licences = set(visible.values_list("materials__license_type", flat=True))
    assert {"居民身份证", "营业执照", "居民户口簿", "结婚证"} <= licences
    # Situations change the materials: 户口迁移 asks for different proofs per situation.
    move_in = visible.get(name="户口迁移（迁入）", region__code="990121000000")
    by_situation = {
        s.code: [m.name for m in move_in.materials.all() if m.applies_to(s.code)]
        for s in move_in.situations.all()
    }
    assert len({tuple(names) for names in by_situation.values()}) == 3
    # Some items are implemented in every county, with each county's own place and phone.
    ids = visible.filter(name="居民身份证首次申领")
    assert ids.count() == 3
    assert len({i.place for i in ids}) == len({i.enquiry_phone for i in ids}) == 3


def test_business_variants_of_the_company_item(built):
    main = Implementation.objects.get(name="有限责任公司登记")
    variants = {v.variant: v for v in main.variants.all()}
    assert set(variants) == {Variant.NEW, Variant.CHANGE, Variant.CANCELLATION}
    for variant in variants.values():
        assert variant.catalog_item_id == main.catalog_item_id
        assert variant.code[:-2] == main.code[:-2] and variant.code[-2:] != "00"
    assert parse_implementation_code(main.code)["business_item"] == "00"


def test_forms_are_real_excel_files_attached_to_materials(built):
    material = (
        Implementation.objects.get(name="个体工商户设立登记", region__code="990121000000")
        .materials.exclude(blank_form=None)
        .get()
    )
    assert material.sample_form is not None
    blank = load_workbook(io.BytesIO(material.blank_form.file.read())).active
    sample = load_workbook(io.BytesIO(material.sample_form.file.read())).active
    assert blank["A1"].value == "个体工商户登记（备案）申请书"
    assert blank["A3"].value == "个体工商户名称" and blank["B3"].value in (None, "")
    assert sample["B3"].value == "松林县青石镇小禾便利店"
    assert material.blank_form.collection.name == demo_catalog.DEMO_COLLECTION
    assert material.blank_form.file_size > 0 and material.blank_form.file_hash


def test_one_item_is_suspended_and_one_cancelled_with_replacements(built):
    withdrawn = demo_catalog.demo_implementations().withdrawn(AFTER_WITHDRAWALS)
    assert {w.status for w in withdrawn} == {
        ImplementationStatus.SUSPENDED,
        ImplementationStatus.CANCELLED,
    }
    for implementation in withdrawn:
        assert implementation.status_reason
        assert implementation.replaced_by.is_visible(AFTER_WITHDRAWALS)
        assert implementation.replaced_by.region_id == implementation.region_id
    actions = set(
        AuditEvent.objects.filter(action__startswith="catalog.").values_list("action", flat=True)
    )
    assert {
        "catalog.implementation_published",
        "catalog.implementation_suspended",
        "catalog.implementation_cancelled",
    } <= actions


def test_a_second_build_adds_nothing(built):
    counts = (
        Implementation.objects.count(),
        CatalogItem.objects.count(),
        Department.objects.count(),
    )
    assert demo_catalog.build_catalog(actor=built["builder"].admin) == 0
    assert (
        Implementation.objects.count(),
        CatalogItem.objects.count(),
        Department.objects.count(),
    ) == counts
    assert not Implementation.objects.filter(version__gt=1).exists()


def test_describe_and_reset(built):
    lines = demo_catalog.describe_catalog()
    visible = demo_catalog.demo_implementations().visible().count()
    assert f"服务事项目录：{visible} 项在用的实施清单事项" in lines[1]
    assert "暂停 1 项、取消 1 项" in lines[1]
    demo_catalog.reset_catalog()
    assert not demo_catalog.demo_implementations().exists()
    assert not CatalogItem.objects.filter(code__startswith=demo_catalog.CATALOG_PREFIX).exists()
    assert demo_catalog.describe_catalog() == []
    # The demo's departments can be deleted afterwards (nothing protects them any more).
    get_user_model().objects.filter(department__region__code__startswith="99").delete()
    Department.objects.filter(region__code__startswith="99").delete()


def test_item_codes_and_themes_of_the_data_are_consistent():
    # Items sharing a base code are one catalog item (variants, or a second implementation).
    by_code = {}
    for item in ITEMS:
        by_code.setdefault(item.code, []).append(item)
    for code, items in by_code.items():
        assert len({i.item_type for i in items}) == 1, code
        keys = {(i.sequence, i.business_item, place) for i in items for place, _ in i.at}
        assert len(keys) == sum(len(i.at) for i in items), code
        assert code.startswith(demo_catalog.CATALOG_PREFIX)
    assert len({item.key for item in ITEMS}) == len(ITEMS)


def test_the_county_portal_shows_demo_guides_and_explains_the_cancelled_one(built, client):
    from yiwang.portal.sitegroup import create_portal

    songlin = Department.objects.get(name="松林县人民政府办公室")
    create_portal(
        hostname="songlin.localhost",
        title="松林县人民政府",
        region=songlin.region,
        owner_department=songlin,
        site_id_code="9901210001",
    )
    item = Implementation.objects.get(name="个体工商户设立登记", region=songlin.region)
    page = client.get(f"/fuwu/items/{item.code}/", HTTP_HOST="songlin.localhost")
    assert page.status_code == 200
    text = page.content.decode()
    assert "个体工商户设立登记" in text and "中华人民共和国市场主体登记管理条例" in text
    cancelled = Implementation.objects.get(name="就业失业登记证核发")
    gone = client.get(f"/fuwu/items/{cancelled.code}/", HTTP_HOST="songlin.localhost")
    assert "就业创业证申领" in gone.content.decode()
