"""Public pages of the service catalog on every portal (the hall's catalog, under /fuwu/)."""

from django.urls import path  # noqa: F401

app_name = "catalog"
urlpatterns = []
