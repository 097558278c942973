from django.urls import path

from . import views

app_name = "portal"
urlpatterns = [
    path("robots.txt", views.robots_txt, name="robots"),
    path("sitemap.xml", views.sitemap, name="sitemap"),
    path("api/portal/session", views.session_state, name="session"),
    path("api/portal/pages/<int:page_id>/reads", views.read_count, name="read_count"),
]
