"""The issue's "done when", end to end: a catalog manager creates, versions, suspends and
cancels an implementation in the back office, and the county portal's hall shows each
change on the next request."""

import pytest
from django.utils import timezone

from yiwang.catalog.models import Implementation, Theme

from .factories import make_catalog_item, make_implementation
from .test_admin import (  # noqa: F401  (fixtures)
    MATERIAL,
    all_errors,
    department,
    form_data,
    manager,
    manager_client,
    new_form_data,
    set_child,
    url,
)

pytestmark = pytest.mark.django_db

PORTAL = {"HTTP_HOST": "songlin.localhost"}
NAME = "城乡居民基本养老保险参保登记"


def page(client, path):
    response = client.get(path, **PORTAL)
    return response.status_code, response.content.decode()


def test_admin_changes_show_on_the_portal_at_once(manager_client, site_group, regions, department):  # noqa: F811
    client = manager_client
    item = make_catalog_item(name=NAME)
    data = new_form_data(
        client, region=regions["county_a"], department=department, catalog_item=item
    )
    data["themes"] = [str(Theme.objects.get(code="p-social-security").pk)]
    set_child(data, "materials", 0, name="居民身份证", **MATERIAL)
    set_child(data, "process_steps", 0, name="受理")
    data["action-publish"] = "action-publish"
    response = client.post(url("add"), data)
    assert response.status_code == 302, all_errors(response.context["form"])
    implementation = Implementation.objects.get(code=data["code"])
    item_path = f"/fuwu/items/{implementation.code}/"

    # Published: listed in the county's hall for individuals, its page shows version 1.
    status, html = page(client, "/fuwu/geren/")
    assert status == 200 and NAME in html and item_path in html
    status, html = page(client, item_path)
    assert status == 200 and "第 1 版" in html and "3 个工作日" in html

    # A saved draft changes nothing public; publishing it makes version 2, shown at once.
    data = form_data(client.get(url("edit", implementation.pk)).context["form"])
    data["promised_limit_days"] = "2"
    response = client.post(url("edit", implementation.pk), data)
    assert response.status_code == 302, all_errors(response.context["form"])
    status, html = page(client, item_path)
    assert "第 1 版" in html and "3 个工作日" in html
    data["action-publish"] = "action-publish"
    response = client.post(url("edit", implementation.pk), data)
    assert response.status_code == 302, all_errors(response.context["form"])
    status, html = page(client, item_path)
    assert "第 2 版" in html and "2 个工作日" in html

    # Suspended with a replacement: gone from the lists, the old URL explains and links on.
    replacement = make_implementation(
        region=regions["county_a"], department=department, name="城乡居民养老保险参保（新）"
    )
    now = timezone.localtime().strftime("%Y-%m-%d %H:%M")
    response = client.post(
        url("lifecycle", implementation.pk, "suspend"),
        {"effective_at": now, "reason": "系统升级改造", "replacement": str(replacement.pk)},
    )
    assert response.status_code == 302
    status, html = page(client, "/fuwu/geren/")
    assert NAME not in html
    status, html = page(client, item_path)
    assert status == 410
    assert "暂停" in html and "系统升级改造" in html
    assert f"/fuwu/items/{replacement.code}/" in html

    # Resumed, then cancelled for good.
    client.post(url("lifecycle", implementation.pk, "resume"), {"reason": "升级完成"})
    assert page(client, item_path)[0] == 200
    client.post(
        url("lifecycle", implementation.pk, "cancel"),
        {"effective_at": now, "reason": "职能划转", "replacement": ""},
    )
    status, html = page(client, item_path)
    assert status == 410 and "取消" in html and "职能划转" in html
    assert page(client, f"/api/catalog/v1/items/{implementation.code}")[0] == 410


def test_publishing_needs_a_theme(manager_client, regions, department):  # noqa: F811
    item = make_catalog_item(name=NAME)
    data = new_form_data(
        manager_client, region=regions["county_a"], department=department, catalog_item=item
    )
    data["action-publish"] = "action-publish"
    response = manager_client.post(url("add"), data)
    assert response.status_code == 200
    assert "发布前请至少选择一个主题" in " ".join(response.context["form"].errors["themes"])
    assert not Implementation.objects.filter(code=data["code"]).exists()
    # A draft may wait for its themes.
    del data["action-publish"]
    response = manager_client.post(url("add"), data)
    assert response.status_code == 302, all_errors(response.context["form"])
    assert not Implementation.objects.get(code=data["code"]).live
