from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from yiwang.catalog import actions
from yiwang.catalog.constants import ImplementationStatus
from yiwang.catalog.models import Implementation, Theme, parse_implementation_code
from yiwang.core.models import AuditEvent

from .factories import build_implementation, make_department, make_implementation, publish

pytestmark = pytest.mark.django_db


def test_themes_are_seeded_for_both_audiences_and_kinds():
    assert Theme.objects.filter(audience="individual", kind="topic").count() == 31
    assert Theme.objects.filter(audience="legal_person", kind="topic").count() == 34
    assert Theme.objects.filter(kind="life_event").exists()


def test_implementation_code_structure():
    parts = parse_implementation_code("512C0107400001-511602000000-000-00877868-5-1-00")
    assert parts == {
        "catalog": "512C0107400001",
        "region": "511602000000",
        "sequence": "000",
        "body": "00877868-5",
        "body_kind": "1",
        "business_item": "00",
    }
    assert parse_implementation_code("E-000004-001-11511301008778386B") is None


def test_publishing_counts_versions_and_keeps_children(regions):
    implementation = make_implementation(region=regions["county_a"])
    assert implementation.live and implementation.version == 1
    assert implementation.materials.count() == 1
    assert AuditEvent.objects.filter(action="catalog.implementation_published").count() == 1

    implementation.promised_limit_days = 3
    again = publish(implementation)
    assert again.version == 2 and again.promised_limit_days == 3
    assert again.revisions.count() == 2


def test_publishing_an_old_revision_does_not_undo_a_cancellation(regions):
    implementation = make_implementation(region=regions["county_a"])
    old_revision = implementation.latest_revision
    actions.cancel_implementation(implementation=implementation, actor=None, reason="职能调整")
    old_revision.publish()
    implementation.refresh_from_db()
    assert implementation.status == ImplementationStatus.CANCELLED
    assert not Implementation.objects.visible().filter(pk=implementation.pk).exists()


def test_suspension_counts_from_its_effective_time(regions):
    implementation = make_implementation(region=regions["county_a"])
    replacement = make_implementation(region=regions["county_a"])
    later = timezone.now() + timedelta(days=1)
    actions.suspend_implementation(
        implementation=implementation,
        actor=None,
        reason="系统升级",
        effective_at=later,
        replacement=replacement,
    )
    assert Implementation.objects.visible().filter(pk=implementation.pk).exists()
    assert not Implementation.objects.visible(later).filter(pk=implementation.pk).exists()
    actions.resume_implementation(implementation=implementation, actor=None)
    assert Implementation.objects.visible(later).filter(pk=implementation.pk).exists()


def test_withdrawing_needs_a_reason(regions):
    implementation = make_implementation(region=regions["county_a"])
    with pytest.raises(ValidationError):
        actions.cancel_implementation(implementation=implementation, actor=None, reason=" ")


def test_code_must_agree_with_region_and_department(regions):
    department = make_department(regions["county_a"], uscc="91350100M000100Y43")
    implementation = build_implementation(region=regions["county_a"], department=department)
    implementation.code = implementation.code.replace(regions["county_a"].code, "990103000000")
    with pytest.raises(ValidationError) as error:
        implementation.full_clean()
    assert "区划代码" in str(error.value)


def test_code_may_carry_the_older_organization_code(regions):
    # The organization code is characters 9-17 of the credit code.
    department = make_department(regions["county_a"], uscc="91350100M000100Y43")
    implementation = build_implementation(region=regions["county_a"], department=department)
    implementation.code = implementation.code.replace("91350100M000100Y43", "M000100Y-4")
    implementation.full_clean()
    implementation.code = implementation.code.replace("M000100Y-4", "M000100Y5")
    with pytest.raises(ValidationError):
        implementation.full_clean()
