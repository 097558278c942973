"""One rule for "may this user act for this legal person": ``queries.acting_role``, used by
the act-for switch (``actions.legal.may_act_for``) and by OpenID Connect claims."""

from datetime import timedelta

import pytest
from django.utils import timezone

from yiwang.accounts.actions.legal import may_act_for
from yiwang.accounts.models import AgentAuthorization
from yiwang.accounts.oidc import acting_legal_person
from yiwang.accounts.queries import ROLE_ADMINISTRATOR, ROLE_AGENT, acting_role

pytestmark = pytest.mark.django_db


def test_administrator_and_agent_roles(company, citizen):
    assert acting_role(citizen, company) is None
    assert not may_act_for(citizen, company)

    AgentAuthorization.objects.create(legal_person=company, agent=citizen)
    assert acting_role(citizen, company) == ROLE_AGENT
    assert may_act_for(citizen, company)

    company.administrator = citizen
    company.save()
    assert acting_role(citizen, company) == ROLE_ADMINISTRATOR


def test_expired_and_revoked_authorizations_do_not_count(company, citizen):
    now = timezone.now()
    authorization = AgentAuthorization.objects.create(
        legal_person=company, agent=citizen, expires_at=now + timedelta(days=1)
    )
    assert acting_role(citizen, company, at=now) == ROLE_AGENT
    assert acting_role(citizen, company, at=now + timedelta(days=2)) is None
    authorization.revoked_at = now
    authorization.save()
    assert acting_role(citizen, company, at=now) is None


def test_inactive_users_act_for_nobody(company, citizen):
    company.administrator = citizen
    company.save()
    citizen.is_active = False
    citizen.save()
    assert acting_role(citizen, company) is None


def test_the_own_account_counts_only_where_asked(company, company_account):
    assert acting_role(company_account, company) is None
    assert not may_act_for(company_account, company)
    assert acting_role(company_account, company, own_account_counts=True) == ROLE_ADMINISTRATOR
    # OpenID Connect logins of the company's own account speak for it.
    assert acting_legal_person(company_account, None) == (company, ROLE_ADMINISTRATOR)
