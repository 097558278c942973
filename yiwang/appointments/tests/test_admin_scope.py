"""The configuration snippets are narrowed to the administrator's region: 松林县's
appointment administrator lists, opens and changes only 松林县's windows, sessions,
closures and bookings; 临溪县's are refused (Wagtail sends the user back to the dashboard
with its no-permission message) and not offered as choices."""

import lxml.html
import pytest
from django.contrib.auth.models import Group

from yiwang.accounts.tests.otp_helpers import login_with_second_factor
from yiwang.appointments.constants import ADMINISTRATOR_GROUP
from yiwang.appointments.models import Closure, Window
from yiwang.hall.tests.factories import make_staff

pytestmark = pytest.mark.django_db
PATHS = {"window": "windows", "openingsession": "sessions", "closure": "closures"}


def text(response):
    return " ".join(lxml.html.fromstring(response.content.decode()).text_content().split())


@pytest.fixture
def administrator(kit):
    user = make_staff(kit.centre_department, display_name="预约管理员")
    user.groups.add(Group.objects.get(name=ADMINISTRATOR_GROUP))
    return user


def snippet_url(model, action, pk=None):
    base = f"/admin/appointments/{PATHS[model]}/"
    if not action:
        return base
    return base + (f"{action}/{pk}/" if pk is not None else f"{action}/")


def test_the_administrator_sees_only_the_centres_of_their_region(client, kit, administrator):
    login_with_second_factor(client, administrator)
    listing = client.get(snippet_url("window", ""))
    assert listing.status_code == 200
    body = text(listing)
    assert "A02" in body and "C01" not in body
    for model, pk in (("window", kit.far_window.pk), ("openingsession", kit.far_centre.pk)):
        if model == "openingsession":
            pk = kit.far_centre.opening_sessions.first().pk
        for action in ("edit", "delete", "inspect", "history", "usage"):
            response = client.get(snippet_url(model, action, pk))
            # Wagtail answers a refusal in its admin by sending the user to the dashboard
            # with its "no permission" message; 404 where the model has no such view.
            refused = response.status_code in (403, 404) or (
                response.status_code == 302 and response["Location"] == "/admin/"
            )
            assert refused, (model, action, response.status_code)
    # Their own window opens.
    edit = client.get(snippet_url("window", "edit", kit.a01.pk))
    assert edit.status_code == 200
    # The centre field (a snippet chooser) accepts only their centres.
    centres = edit.context["form"].fields["centre"].queryset
    assert list(centres) == [kit.centre]


def test_a_closure_for_another_centre_is_refused(client, kit, administrator):
    login_with_second_factor(client, administrator)
    response = client.post(
        snippet_url("closure", "add"),
        {
            "centre": kit.far_centre.pk,
            "start_date": "2027-03-01",
            "end_date": "2027-03-02",
            "reason": "设备检修",
        },
    )
    assert response.status_code == 200  # the form again, with its error
    assert list(response.context["form"].errors) == ["centre"]
    assert not Closure.objects.filter(centre=kit.far_centre).exists()
    # Posting an edit of the other county's window changes nothing.
    client.post(snippet_url("window", "edit", kit.far_window.pk), {"number": "X9", "name": "改名"})
    assert Window.objects.get(pk=kit.far_window.pk).number == "C01"


def test_a_superuser_sees_every_centre(client, kit):
    root = make_staff(kit.centre_department, display_name="超级管理员")
    root.is_superuser = True
    root.save(update_fields=["is_superuser"])
    login_with_second_factor(client, root)
    body = text(client.get(snippet_url("window", "")))
    assert "A02" in body and "C01" in body
    assert client.get(snippet_url("window", "edit", kit.far_window.pk)).status_code == 200
