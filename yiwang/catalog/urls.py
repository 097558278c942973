"""Public pages of the service catalog on every portal (the hall's catalog, under /fuwu/)."""

from django.urls import path

from . import views

app_name = "catalog"
urlpatterns = [
    path("", views.hall_home, name="hall"),
    path("geren/", views.browse, {"audience_slug": "geren"}, name="geren"),
    path("faren/", views.browse, {"audience_slug": "faren"}, name="faren"),
    path("items/<str:code>/", views.item, name="item"),
    path("items/<str:code>/guide.pdf", views.guide_pdf, name="guide_pdf"),
    path("items/<str:code>/apply/", views.apply, name="apply"),
    path("departments/<int:department_id>/power-list/", views.power_list, name="power_list"),
    path(
        "departments/<int:department_id>/responsibility-list/",
        views.responsibility_list,
        name="responsibility_list",
    ),
]
