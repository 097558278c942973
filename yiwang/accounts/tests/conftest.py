import pytest
from stdnum.cn import uscc

from yiwang.accounts.models import LegalPerson, User, UserKind
from yiwang.orgs.models import Department


def make_uscc(body):
    body = body.ljust(17, "0")
    return body + uscc.calc_check_digit(body)


@pytest.fixture
def department(regions):
    return Department.objects.create(name="行政审批局", region=regions["county_a"])


@pytest.fixture
def company(db):
    return LegalPerson.objects.create(
        name="青山市示范科技有限公司",
        uscc=make_uscc("91990100MA0000001"),
        legal_representative="王五",
    )


@pytest.fixture
def company_account(company):
    return User.objects.create_user(
        username="company", kind=UserKind.LEGAL, legal_person=company, display_name=company.name
    )


@pytest.fixture
def citizen(db):
    return User.objects.create_user(
        username="citizen", kind=UserKind.NATURAL, display_name="张三", mobile="13812345678"
    )


@pytest.fixture
def superuser(db):
    return User.objects.create_superuser(
        username="admin", password="not-a-real-password-1", email="admin@example.com"
    )
