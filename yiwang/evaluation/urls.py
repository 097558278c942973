"""Public pages of evaluation on every portal, under /pingjia/."""

from django.urls import path

from . import views

app_name = "evaluation"
urlpatterns = [
    path("", views.index, name="index"),
    path("cases/<str:number>/", views.case, name="case"),
    path("cases/<str:number>/confirm/", views.confirm, name="confirm"),
    path("device/<str:key>/", views.device, name="device"),
]
