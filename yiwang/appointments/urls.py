"""Public pages of appointments on every portal, under /yuyue/."""

from django.urls import path

from . import views

app_name = "appointments"
urlpatterns = [
    path("", views.index, name="index"),
    path("book/", views.book, name="book"),
    path("mine/", views.mine, name="mine"),
    path("bookings/<int:pk>/cancel/", views.cancel, name="cancel"),
    path("bookings/<int:pk>/change/", views.change, name="change"),
    path("centres/<int:pk>/screen/", views.screen, name="screen"),
]
