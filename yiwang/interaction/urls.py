"""Public pages of 政民互动 on every portal, under /hudong/ (see ``views.py``)."""

from django.urls import path

from . import views

app_name = "interaction"
urlpatterns = [
    path("", views.index, name="index"),
    path("xie/<slug:kind>/", views.write, name="write"),
    path("zhaocuo/", views.error_report, name="error_report"),
    path("huizhi/<str:number>/", views.receipt, name="receipt"),
    path("chaxun/", views.follow, name="follow"),
    path("chaxun/<str:number>/", views.follow_detail, name="follow_detail"),
    path("chaxun/<str:number>/pingjia/", views.rate, name="rate"),
    path("chaxun/<str:number>/chongban/", views.reopen, name="reopen"),
    path("wode/", views.mine, name="mine"),
    path("gongkai/<str:number>/", views.published, name="published"),
]
