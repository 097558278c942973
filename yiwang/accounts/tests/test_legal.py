"""Legal person administration (/accounts/legal/register/): a natural person at real-name
level 3 registers a company and becomes its administrator, who may then authorize agents;
everyone else is told how to get there, and nothing is written."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from yiwang.accounts import events
from yiwang.accounts.actions import authorize_agent, register_legal_person
from yiwang.accounts.models import AgentAuthorization, LegalPerson, RealNameLevel, UserKind
from yiwang.core.models import AuditEvent

from .conftest import make_uscc
from .test_centre import make_citizen

USCC = make_uscc("91330106MA2H00001")
URL = "/accounts/legal/register/"


@pytest.fixture
def verified(db):
    return make_citizen("zhangsan", display_name="张三", level=RealNameLevel.IDENTITY)


def form_data(**overrides):
    return {
        "name": "示范市青山科技有限公司",
        "uscc": USCC,
        "legal_representative": "张三",
        **overrides,
    }


def html(response):
    return response.content.decode()


def test_the_url_is_named():
    assert reverse("accounts:legal_register") == URL


def test_anonymous_visitors_go_to_login(client, db):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={URL}"


def test_the_form_renders_with_labels(client, verified):
    client.force_login(verified)
    response = client.get(URL)
    assert response.status_code == 200
    page = html(response)
    assert "<h1>登记法人</h1>" in page
    for field_id, label in [
        ("id_name", "法人名称"),
        ("id_uscc", "统一社会信用代码"),
        ("id_legal_representative", "法定代表人"),
    ]:
        assert f'<label for="{field_id}">{label}' in page


def test_a_verified_person_registers_a_company_and_becomes_its_administrator(client, verified):
    client.force_login(verified)
    response = client.post(URL, form_data(uscc=f" {USCC[:9].lower()}-{USCC[9:]} "))
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:centre_companies")
    legal_person = LegalPerson.objects.get()
    assert (legal_person.uscc, legal_person.administrator) == (USCC, verified)
    assert legal_person.legal_representative == "张三"
    event = AuditEvent.objects.get(action=events.LEGAL_PERSON_REGISTERED)
    assert event.actor == verified and event.object_id == str(legal_person.pk)
    assert event.detail["uscc"] == "*" * 14 + USCC[-4:]

    page = html(client.get(reverse("accounts:centre_companies")))
    assert "你是它的法人管理员" in page and legal_person.name in page
    # The administrator may authorize agents (actions.agents._may_manage_agents).
    agent = make_citizen("lisi")
    authorize_agent(legal_person=legal_person, agent=agent, acting_user=verified)
    assert AgentAuthorization.objects.filter(legal_person=legal_person, agent=agent).exists()


@pytest.mark.parametrize("level", [RealNameLevel.REGISTERED, RealNameLevel.PHONE])
def test_below_level_three_the_page_explains_how_to_reach_it(client, db, level):
    person = make_citizen("lisi", level=level)
    client.force_login(person)
    for response in (client.get(URL), client.post(URL, form_data())):
        assert response.status_code == 403
        page = html(response)
        assert "需要实名等级3级" in page
        assert "政务服务中心窗口" in page and "电子证照" in page
        assert 'name="uscc"' not in page
    assert not LegalPerson.objects.exists()
    assert not AuditEvent.objects.filter(action=events.LEGAL_PERSON_REGISTERED).exists()


def test_a_duplicate_credit_code_is_a_clear_error(client, verified, company):
    client.force_login(verified)
    response = client.post(URL, form_data(uscc=company.uscc, name="另一个名字"))
    assert response.status_code == 200
    page = html(response)
    assert "该统一社会信用代码已登记" in page
    assert "联系其法人管理员为你授权经办人" in page and "政务服务中心窗口" in page
    assert 'aria-describedby="id_uscc_helptext id_uscc_error"' in page
    # What was typed is kept, nothing is written.
    assert 'value="另一个名字"' in page
    assert LegalPerson.objects.count() == 1
    company.refresh_from_db()
    assert company.administrator is None
    assert not AuditEvent.objects.filter(action=events.LEGAL_PERSON_REGISTERED).exists()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"uscc": USCC[:-1] + ("0" if USCC[-1] != "0" else "1")}, "uscc", "统一社会信用代码无效"),
        ({"uscc": "123"}, "uscc", "统一社会信用代码无效"),
        ({"name": " "}, "name", "必需字段"),
        ({"legal_representative": ""}, "legal_representative", "必需字段"),
    ],
)
def test_bad_input_gets_chinese_errors(client, verified, overrides, field, message):
    client.force_login(verified)
    response = client.post(URL, form_data(**overrides))
    assert response.status_code == 200
    page = html(response)
    assert message in page
    assert f'id="id_{field}_error"' in page
    assert not LegalPerson.objects.exists()


def test_staff_cannot_register_a_company_here(client, department):
    from yiwang.accounts.models import User

    staff = User.objects.create_user(
        username="clerk",
        kind=UserKind.STAFF,
        department=department,
        real_name_level=RealNameLevel.IDENTITY,
    )
    with pytest.raises(PermissionDenied):
        register_legal_person(
            name="某公司", uscc=USCC, legal_representative="某人", acting_user=staff
        )
    assert not LegalPerson.objects.exists()


def test_the_action_refuses_anonymous_and_lower_levels(db):
    from django.contrib.auth.models import AnonymousUser

    lower = make_citizen("lisi", level=RealNameLevel.PHONE)
    for user in (None, AnonymousUser(), lower):
        with pytest.raises(PermissionDenied):
            register_legal_person(
                name="某公司", uscc=USCC, legal_representative="某人", acting_user=user
            )
    assert not LegalPerson.objects.exists()


def test_the_action_reports_every_bad_field_at_once(verified):
    with pytest.raises(ValidationError) as excinfo:
        register_legal_person(name="", uscc="", legal_representative="", acting_user=verified)
    assert excinfo.value.message_dict == {
        "name": ["请填写法人名称。"],
        "uscc": ["请填写统一社会信用代码。"],
        "legal_representative": ["请填写法定代表人姓名。"],
    }


def test_registering_while_acting_for_a_company_says_so_in_the_audit_log(client, verified, company):
    company.administrator = verified
    company.save(update_fields=["administrator"])
    client.force_login(verified)
    client.post(reverse("accounts:centre_act_for"), {"legal_person": company.pk})
    response = client.post(URL, form_data())
    assert response.status_code == 302
    event = AuditEvent.objects.get(action=events.LEGAL_PERSON_REGISTERED)
    assert event.on_behalf_of == f"法人管理员 张三 代表 {company.name}"
