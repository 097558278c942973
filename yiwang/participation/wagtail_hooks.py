"""公众参与 in the back office (``admin_views.py``): the menu 公众参与 › 意见征集 / 在线访谈 /
网上调查, and on each consultation, interview or survey in the page explorer a button to
its comments, questions or results."""

from django.urls import include, path, reverse
from wagtail import hooks
from wagtail.admin.widgets import Button

from . import admin_views, queries
from .models import ConsultationPage, InterviewPage, SurveyPage

BUTTONS = {
    ConsultationPage: ("意见审核与采纳", "participation_admin:consultation", "comment"),
    InterviewPage: ("访谈提问与回答", "participation_admin:interview", "openquote"),
    SurveyPage: ("调查结果", "participation_admin:survey", "table"),
}


@hooks.register("register_admin_urls")
def register_participation_urls():
    return [path("participation/", include((admin_views.urlpatterns, "participation_admin")))]


@hooks.register("register_admin_menu_item")
def register_participation_menu_item():
    return admin_views.menu_item()


def _button(page, user, priority):
    spec = BUTTONS.get(page.specific_class)
    if spec is None or not queries.may_moderate(user, page):
        return
    label, name, icon = spec
    yield Button(label, reverse(name, args=[page.pk]), icon_name=icon, priority=priority)


@hooks.register("register_page_listing_more_buttons")
def page_listing_more_buttons(page, user, next_url=None):
    yield from _button(page, user, 95)


@hooks.register("register_page_header_buttons")
def page_header_buttons(page, user, view_name, next_url=None):
    yield from _button(page, user, 95)
