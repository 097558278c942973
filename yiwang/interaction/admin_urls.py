"""URLs of the 政民互动 back office, included under /admin/interaction/ by
``wagtail_hooks.py`` (namespace ``interaction_admin``)."""

from django.urls import path

from . import admin_views

app_name = "interaction_admin"

urlpatterns = [
    path("", admin_views.index, name="index"),
    path("queues/<str:name>/", admin_views.queue, name="queue"),
    path("messages/<int:pk>/", admin_views.message_detail, name="message"),
    path(
        "messages/<int:pk>/act/<str:action>/",
        admin_views.message_action,
        name="message_action",
    ),
    path("messages/<int:pk>/screenshot/", admin_views.screenshot, name="screenshot"),
    path("hotline/new/", admin_views.hotline_new, name="hotline_new"),
]
