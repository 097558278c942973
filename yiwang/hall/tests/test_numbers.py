"""Case numbers per division and day, query codes kept only as a keyed hash."""

import datetime

import pytest
from django.db import transaction

from yiwang.hall import numbers
from yiwang.hall.models import CaseNumberCounter

pytestmark = pytest.mark.django_db


def test_numbers_count_per_division_and_day(regions):
    day = datetime.date(2026, 12, 2)
    with transaction.atomic():
        first = numbers.allocate(regions["county_a"], day=day)
        second = numbers.allocate(regions["county_a"], day=day)
        other_county = numbers.allocate(regions["county_b"], day=day)
        next_day = numbers.allocate(regions["county_a"], day=day + datetime.timedelta(days=1))
        # A township numbers with its county's division code, in the county's sequence.
        township = numbers.allocate(regions["town_a"], day=day)
    assert first == "99010220261202000001"
    assert second == "99010220261202000002"
    assert other_county == "99010320261202000001"
    assert next_day == "99010220261203000001"
    assert township == "99010220261202000003"
    assert CaseNumberCounter.objects.get(scope="990102-20261202").last == 3


def test_a_rolled_back_submission_gives_its_number_back(regions):
    day = datetime.date(2026, 12, 2)
    with pytest.raises(ValueError), transaction.atomic():
        numbers.allocate(regions["county_a"], day=day)
        raise ValueError("submission failed")
    with transaction.atomic():
        assert numbers.allocate(regions["county_a"], day=day).endswith("000001")


def test_query_codes():
    codes = {numbers.new_query_code() for _ in range(200)}
    assert len(codes) == 200
    for code in codes:
        assert len(code) == 8 and not set(code) & set("0O1IL")
    code = codes.pop()
    digest = numbers.query_code_hash("99010220261202000001", code)
    assert len(digest) == 64 and code not in digest
    # Bound to the number, tolerant of case and spaces.
    assert digest != numbers.query_code_hash("99010220261202000002", code)
    assert digest == numbers.query_code_hash("99010220261202000001", f" {code.lower()} ")
