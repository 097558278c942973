"""Departments: credit codes checked by their checksum, and one name per region."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from stdnum.cn import uscc

from yiwang.accounts.models import LegalPerson
from yiwang.orgs.models import Department, validate_uscc


def make_uscc(body="91330100MA2B0001"):
    """A valid code: 17 characters and the check digit stdnum computes for them."""
    body = body.ljust(17, "0")
    return body + uscc.calc_check_digit(body)


def wrong_check_digit(code):
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    return code[:-1] + next(c for c in alphabet if c != code[-1])


VALID = make_uscc()
OTHER_VALID = make_uscc("12330100MB1234567")


def test_valid_codes_pass_and_a_wrong_check_digit_fails():
    validate_uscc(VALID)
    validate_uscc(OTHER_VALID)
    validate_uscc("")
    with pytest.raises(ValidationError) as excinfo:
        validate_uscc(wrong_check_digit(VALID))
    assert excinfo.value.messages == [
        f"统一社会信用代码无效（长度、字符或校验位不正确）：{wrong_check_digit(VALID)}"
    ]
    for bad in [VALID[:-1], "ABCDEFGH" + VALID[8:], VALID[:10] + "I" + VALID[11:]]:
        with pytest.raises(ValidationError, match="统一社会信用代码无效"):
            validate_uscc(bad)


@pytest.mark.django_db
def test_department_full_clean_rejects_a_bad_code_and_stores_a_normalized_one(regions):
    department = Department(name="发展和改革局", region=regions["county_a"])
    department.uscc = wrong_check_digit(VALID)
    with pytest.raises(ValidationError) as excinfo:
        department.full_clean()
    assert "统一社会信用代码无效" in excinfo.value.message_dict["uscc"][0]

    department.uscc = VALID.lower()
    department.full_clean()
    department.save()
    department.refresh_from_db()
    assert department.uscc == VALID


@pytest.mark.django_db
def test_legal_person_code_is_checked_and_unique():
    with pytest.raises(ValidationError) as excinfo:
        LegalPerson(
            name="甲公司", uscc=wrong_check_digit(VALID), legal_representative="张三"
        ).full_clean()
    assert "统一社会信用代码无效" in excinfo.value.message_dict["uscc"][0]

    LegalPerson.objects.create(name="甲公司", uscc=VALID, legal_representative="张三")
    duplicate = LegalPerson(name="乙公司", uscc=VALID.lower(), legal_representative="李四")
    with pytest.raises(ValidationError) as excinfo:
        duplicate.full_clean()
    assert excinfo.value.message_dict["uscc"] == ["具有 统一社会信用代码 的 法人 已存在。"]


@pytest.mark.django_db
def test_department_uniqueness(regions):
    county_a, county_b = regions["county_a"], regions["county_b"]
    Department.objects.create(name="教育局", region=county_a, uscc=VALID)

    # Same name in another county, and any number of departments without a code: fine.
    Department.objects.create(name="教育局", region=county_b)
    Department.objects.create(name="卫生健康局", region=county_b)
    Department(name="民政局", region=county_b).full_clean()

    same_name = Department(name="教育局", region=county_a)
    with pytest.raises(ValidationError) as excinfo:
        same_name.full_clean()
    assert excinfo.value.messages == ["同一区划下已有同名部门。"]

    same_code = Department(name="财政局", region=county_b, uscc=VALID)
    with pytest.raises(ValidationError) as excinfo:
        same_code.full_clean()
    assert excinfo.value.messages == ["已有部门使用这个统一社会信用代码。"]

    # The database enforces the same rules when validation is skipped.
    with pytest.raises(IntegrityError), transaction.atomic():
        Department.objects.create(name="教育局", region=county_a)
    with pytest.raises(IntegrityError), transaction.atomic():
        Department.objects.create(name="财政局", region=county_b, uscc=VALID.lower())
    assert Department.objects.count() == 3
