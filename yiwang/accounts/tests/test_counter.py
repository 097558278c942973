"""The service-centre counter (/accounts/counter/): a clerk with ``accounts.verify_identity``
and a verified second factor finds a citizen by the number on the ID card (audited) or by a
verified mobile, sees masked data only, checks the card again and raises the account to
real-name level 3, or registers the number for an account that has none."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from yiwang.accounts import events
from yiwang.accounts.actions import set_id_number
from yiwang.accounts.models import IdentityMethod, RealNameLevel, User, UserKind
from yiwang.core.models import AuditEvent

from .otp_helpers import login_with_second_factor
from .test_centre import ID_NUMBER, OTHER_ID_NUMBER, make_citizen, wrong_checksum

SEARCH = "/accounts/counter/"
MASKED = "3301**********123X"


def html(response):
    return response.content.decode()


def make_staff(username, department, *, permission=True):
    user = User.objects.create_user(
        username=username,
        kind=UserKind.STAFF,
        department=department,
        display_name="窗口工作人员",
        is_staff=True,
    )
    if permission:
        user.user_permissions.add(
            Permission.objects.get(codename="verify_identity", content_type__app_label="accounts")
        )
    return user


@pytest.fixture
def clerk(department):
    return make_staff("clerk", department)


@pytest.fixture
def at_counter(client, clerk):
    login_with_second_factor(client, clerk)
    return client


@pytest.fixture
def person(db):
    person = make_citizen("zhangsan", display_name="张三", level=RealNameLevel.PHONE)
    User.objects.filter(pk=person.pk).update(
        mobile="13912345678", mobile_verified_at=timezone.now()
    )
    person.refresh_from_db()
    return set_id_number(user=person, id_number=ID_NUMBER, name="张三", acting_user=person)


def find(client, **data):
    return client.post(SEARCH, {"id_number": "", "mobile": "", **data})


def citizen_url(user):
    return reverse("accounts:counter_citizen", args=[user.pk])


# Who may use the counter ------------------------------------------------------------------


def test_the_search_page_renders_with_labels(at_counter):
    response = at_counter.get(SEARCH)
    assert response.status_code == 200
    page = html(response)
    assert "<h1>窗口身份核验</h1>" in page
    assert '<label for="id_id_number">居民身份证号码' in page
    assert '<label for="id_mobile">或：已核验的手机号码' in page
    assert "no-store" in response["Cache-Control"]


def test_anonymous_visitors_go_to_login(client, db):
    response = client.get(SEARCH)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_a_natural_person_cannot_open_the_counter(client, person):
    client.force_login(person)
    assert client.get(SEARCH).status_code == 403
    assert find(client, id_number=ID_NUMBER).status_code == 403
    denied = AuditEvent.objects.filter(action=events.AUTHORIZATION_DENIED, actor=person)
    assert denied.count() == 2
    assert "accounts.verify_identity" in denied.first().detail["reason"]
    assert not AuditEvent.objects.filter(action=events.ID_NUMBER_LOOKUP).exists()


def test_a_clerk_without_the_permission_cannot(client, department, person):
    other = make_staff("clerk2", department, permission=False)
    login_with_second_factor(client, other)
    assert client.get(SEARCH).status_code == 403
    assert find(client, id_number=ID_NUMBER).status_code == 403
    assert not AuditEvent.objects.filter(action=events.ID_NUMBER_LOOKUP).exists()
    assert AuditEvent.objects.filter(action=events.AUTHORIZATION_DENIED, actor=other).exists()


def test_a_clerk_without_the_second_factor_gets_nowhere(client, clerk, person):
    client.force_login(clerk)
    response = find(client, id_number=ID_NUMBER)
    assert response.status_code in (302, 403)
    assert not AuditEvent.objects.filter(action=events.ID_NUMBER_LOOKUP).exists()
    person.refresh_from_db()
    assert person.real_name_level == RealNameLevel.PHONE


# Finding a citizen -------------------------------------------------------------------------


def test_finding_by_id_number_is_audited_and_shows_masked_data_only(at_counter, clerk, person):
    response = find(at_counter, id_number=ID_NUMBER.lower())
    assert response.status_code == 302
    assert response["Location"] == citizen_url(person)
    event = AuditEvent.objects.get(action=events.ID_NUMBER_LOOKUP)
    assert event.actor == clerk and event.object_id == str(person.pk)
    assert event.detail == {"id_number": MASKED, "found": True}

    page = html(at_counter.get(citizen_url(person)))
    assert "张三" in page and MASKED in page and "139****5678" in page
    assert ID_NUMBER not in page and "13912345678" not in page
    assert "2 级" in page
    assert '<label for="id_id_number">证件上的居民身份证号码' in page


def test_finding_by_verified_mobile(at_counter, person):
    response = find(at_counter, mobile="13912345678")
    assert response["Location"] == citizen_url(person)
    event = AuditEvent.objects.get(action=events.MOBILE_LOOKUP)
    assert event.detail == {"mobile": "139****5678", "found": True}


def test_an_unknown_number_is_audited_and_explained(at_counter, person):
    response = find(at_counter, id_number=OTHER_ID_NUMBER)
    assert response.status_code == 200
    page = html(response)
    assert "未找到对应的自然人账号" in page
    assert OTHER_ID_NUMBER not in page
    event = AuditEvent.objects.get(action=events.ID_NUMBER_LOOKUP)
    assert event.detail["found"] is False and event.object_id == ""


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"id_number": wrong_checksum(ID_NUMBER)},
            "居民身份证号码校验位不正确，请核对后重新输入。",
        ),
        ({}, "请填写居民身份证号码或已核验的手机号码（二选一）。"),
        ({"id_number": ID_NUMBER, "mobile": "13912345678"}, "二选一"),
        ({"mobile": "1391234"}, "手机号码应为以 1 开头的 11 位数字。"),
    ],
)
def test_bad_searches_get_chinese_errors_and_no_lookup(at_counter, person, data, message):
    response = find(at_counter, **data)
    assert response.status_code == 200
    page = html(response)
    assert message in page
    assert ID_NUMBER not in page
    assert not AuditEvent.objects.filter(
        action__in=[events.ID_NUMBER_LOOKUP, events.MOBILE_LOOKUP]
    ).exists()


def test_a_citizen_page_opens_only_after_a_lookup(at_counter, person, company_account):
    assert at_counter.get(citizen_url(person)).status_code == 404
    find(at_counter, id_number=ID_NUMBER)
    assert at_counter.get(citizen_url(person)).status_code == 200
    # Never for an account that is not a natural person.
    assert at_counter.get(citizen_url(company_account)).status_code == 404


# Verifying and registering ------------------------------------------------------------------


def test_verifying_with_the_number_on_the_card_gives_level_three(at_counter, clerk, person):
    find(at_counter, id_number=ID_NUMBER)
    url = reverse("accounts:counter_verify", args=[person.pk])
    response = at_counter.post(url, {"id_number": OTHER_ID_NUMBER})
    assert response.status_code == 200
    page = html(response)
    assert "证件号码与账号登记的身份证号码不一致。" in page
    assert OTHER_ID_NUMBER not in page and ID_NUMBER not in page
    person.refresh_from_db()
    assert person.real_name_level == RealNameLevel.PHONE
    assert not AuditEvent.objects.filter(action=events.IDENTITY_VERIFIED).exists()

    response = at_counter.post(url, {"id_number": ID_NUMBER})
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.real_name_level == RealNameLevel.IDENTITY
    assert (person.identity_verified_by, person.identity_method) == (
        clerk,
        IdentityMethod.COUNTER,
    )
    event = AuditEvent.objects.get(action=events.IDENTITY_VERIFIED)
    assert event.actor == clerk and event.detail["id_number"] == MASKED
    page = html(at_counter.get(citizen_url(person)))
    assert "3 级" in page and "核验通过</button>" not in page


def test_verifying_with_a_malformed_number_is_an_error(at_counter, person):
    find(at_counter, id_number=ID_NUMBER)
    url = reverse("accounts:counter_verify", args=[person.pk])
    response = at_counter.post(url, {"id_number": "12345"})
    assert "居民身份证号码应为 18 位。" in html(response)
    person.refresh_from_db()
    assert person.real_name_level == RealNameLevel.PHONE


def test_the_counter_registers_the_number_for_an_account_without_one(at_counter, clerk, db):
    bare = make_citizen("lisi", display_name="李四")
    User.objects.filter(pk=bare.pk).update(mobile="13700001111", mobile_verified_at=timezone.now())
    find(at_counter, mobile="13700001111")
    page = html(at_counter.get(citizen_url(bare)))
    assert "代为登记身份证号码" in page
    assert '<label for="id_register-id_number">居民身份证号码' in page

    url = reverse("accounts:counter_register_id", args=[bare.pk])
    response = at_counter.post(
        url, {"register-name": "李四", "register-id_number": wrong_checksum(OTHER_ID_NUMBER)}
    )
    assert "校验位不正确" in html(response)
    bare.refresh_from_db()
    assert bare.id_number_digest == ""

    response = at_counter.post(
        url, {"register-name": "李四", "register-id_number": OTHER_ID_NUMBER}
    )
    assert response.status_code == 302
    bare.refresh_from_db()
    assert bare.id_number_masked == OTHER_ID_NUMBER[:4] + "*" * 10 + OTHER_ID_NUMBER[-4:]
    assert AuditEvent.objects.get(action=events.ID_NUMBER_SET).actor == clerk
    # Then verified against the card typed again.
    at_counter.post(
        reverse("accounts:counter_verify", args=[bare.pk]), {"id_number": OTHER_ID_NUMBER}
    )
    bare.refresh_from_db()
    assert bare.real_name_level == RealNameLevel.IDENTITY


def test_an_account_already_registered_cannot_be_registered_again(at_counter, person):
    find(at_counter, id_number=ID_NUMBER)
    url = reverse("accounts:counter_register_id", args=[person.pk])
    response = at_counter.post(
        url, {"register-name": "别人", "register-id_number": OTHER_ID_NUMBER}
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.id_number_masked == MASKED and person.display_name == "张三"
