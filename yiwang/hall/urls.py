"""Public pages of the online hall on every portal, under /banshi/ (the applicant's side;
the staff workbench is ``workbench.py`` in the back office)."""

from django.urls import path

from . import views

app_name = "hall"
urlpatterns = [
    path("items/<str:code>/apply/", views.apply, name="apply"),
    path("drafts/<int:pk>/", views.draft, name="draft"),
    path("drafts/<int:pk>/submit/", views.submit, name="submit"),
    path("drafts/<int:pk>/receipt/", views.receipt, name="receipt"),
    path("cases/<int:pk>/upload/", views.upload, name="upload"),
    path("cases/<int:pk>/remove/", views.remove_material, name="remove_material"),
    path("mine/", views.mine, name="mine"),
    path("lookup/", views.lookup, name="lookup"),
    path("cases/<str:number>/", views.case, name="case"),
    path("cases/<str:number>/resubmit/", views.resubmit, name="resubmit"),
    path("cases/<str:number>/withdraw/", views.withdraw, name="withdraw"),
    path(
        "cases/<str:number>/files/<str:kind>/<int:pk>/",
        views.download,
        name="download",
    ),
]
