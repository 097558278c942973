"""Public pages of 公众参与 on every portal, under /canyu/ (see ``views.py``)."""

from django.urls import path

from . import views

app_name = "participation"
urlpatterns = [
    path("yijian/<int:page_id>/", views.comment, name="comment"),
    path("fangtan/<int:page_id>/", views.ask, name="ask"),
    path("fangtan/<int:page_id>/feed.json", views.feed, name="feed"),
    path("diaocha/<int:page_id>/", views.survey, name="survey"),
]
