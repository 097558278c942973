"""The fictional places and the codes the demo gives its bodies."""

import pytest
from stdnum.cn import uscc

from yiwang.demo import geography as geo
from yiwang.demo.loader import demo_hostnames
from yiwang.orgs.models import stats_code, validate_uscc


def test_organization_code_check_digit():
    # GB 11714: weights 3 7 9 10 5 8 4 2, check = 11 - sum mod 11 (10 is X, 11 is 0).
    assert geo.organization_code("12345678") == "123456788"
    assert geo.organization_code("00000001") == "000000019"
    assert geo.organization_code("00000006") == "00000006X"
    assert geo.organization_code("00000000") == "000000000"
    with pytest.raises(ValueError):
        geo.organization_code("1234567")


def test_government_credit_codes_are_valid_and_distinct():
    codes = [geo.government_uscc(d, s) for d in ("990000", "990121") for s in range(1, 40)]
    assert len(set(codes)) == len(codes)
    for code in codes:
        assert uscc.is_valid(code), code
        validate_uscc(code)
        assert code.startswith("11" + code[2:8])
    assert geo.government_uscc("990121", 3)[2:8] == "990121"
    with pytest.raises(ValueError):
        geo.government_uscc("9901", 1)


def test_the_province_is_99_and_every_code_nests_in_its_parent():
    assert geo.PROVINCE.code == geo.DEMO_CODE_PREFIX == "99"

    def check(place):
        for child in place.children:
            assert child.code.startswith(place.code)
            assert stats_code(child.code) != stats_code(place.code)
            check(child)

    check(geo.PROVINCE)
    codes = [p.code for p in geo.PROVINCE.walk()]
    assert len(set(codes)) == len(codes)
    levels = [p.level for p in geo.portal_places()]
    assert levels == ["province", "city", "city", "county", "county", "county"]
    assert sum(1 for p in geo.PROVINCE.walk() if p.level == "township") >= 9


def test_hostnames_are_distinct_localhost_names():
    names = demo_hostnames()
    assert len(set(names)) == len(names) == 10
    assert all(n.endswith(".localhost") and n.isascii() for n in names)
    assert "jyj-songlin.localhost" in names
