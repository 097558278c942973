"""Builders for catalog tests: departments, base items, published implementations."""

from yiwang.catalog.constants import Audience, ItemType, LimitKind, OnlineDepth
from yiwang.catalog.models import (
    CatalogItem,
    Implementation,
    LegalBasis,
    Material,
    ProcessStep,
)
from yiwang.orgs.models import Department

_counter = {"n": 0}


def next_number():
    _counter["n"] += 1
    return _counter["n"]


def make_department(region, name=None, uscc=""):
    return Department.objects.create(
        region=region, name=name or f"测试部门{next_number()}", uscc=uscc
    )


def make_catalog_item(code=None, name="测试事项", item_type=ItemType.LICENSING):
    return CatalogItem.objects.create(
        code=code or f"999A{next_number():010d}", name=name, item_type=item_type
    )


def implementation_code(catalog_item, region, body="115113010833722043", business_item="00"):
    return f"{catalog_item.code}-{region.code}-000-{body}-1-{business_item}"


def build_implementation(*, region, department, catalog_item=None, complete=True, **fields):
    """An unsaved implementation with a complete guide (or only a name when not
    ``complete``); children are attached in memory, so they travel in its revisions."""
    catalog_item = catalog_item or make_catalog_item(name=fields.get("name", "测试事项"))
    values = {
        "catalog_item": catalog_item,
        "code": implementation_code(catalog_item, region, body=department.uscc or "12345678-9"),
        "name": catalog_item.name,
        "region": region,
        "department": department,
        "audience": Audience.INDIVIDUAL,
        "limit_kind": LimitKind.PROMISED,
        "statutory_limit_days": 20,
        "promised_limit_days": 5,
        "online_depth": OnlineDepth.ONLINE_APPLICATION,
    }
    if complete:
        values.update(
            conditions="申请人为本县户籍居民。",
            place="松林县政务服务中心一楼综合窗口",
            hours="工作日 9:00-12:00，13:30-17:00",
            enquiry_phone="0999-1234567",
            complaint_phone="12345",
        )
    values.update(fields)
    implementation = Implementation(**values)
    if complete:
        implementation.legal_bases = [
            LegalBasis(law_name="中华人民共和国行政许可法", law_level="law", article="第二十九条")
        ]
        implementation.materials = [Material(name="居民身份证", license_type="居民身份证")]
        implementation.process_steps = [
            ProcessStep(name="受理", time_limit_days=1),
            ProcessStep(name="审查", time_limit_days=3),
            ProcessStep(name="决定", time_limit_days=1),
        ]
    return implementation


def publish(implementation, user=None):
    """Save ``implementation`` (new or changed) as a revision and publish it, as the admin
    does; returns the live object."""
    if implementation.pk is None:
        implementation.live = False
        implementation.save()
    revision = implementation.save_revision(user=user)
    revision.publish(user=user)
    return Implementation.objects.get(pk=implementation.pk)


def make_implementation(*, region, department=None, **fields):
    department = department or make_department(region)
    return publish(build_implementation(region=region, department=department, **fields))
