"""Admin hooks of editorial work: pages of a portal go live only through its two-step review,
interpretations are published with their document (关联发布), and the document's editor
says which ones. The rules live in ``editorial.py``; these only connect them to Wagtail."""

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.html import format_html, format_html_join
from wagtail import hooks
from wagtail.admin.utils import get_valid_next_url_from_request
from wagtail.models import Page
from wagtail.signals import page_published

from . import editorial
from .models import PolicyDocumentPage

REVIEW_REQUIRED_MESSAGE = "本站页面须经初审、终审后发布，不能直接发布。"


def publish_interpretations_with_document(sender, instance, revision, **kwargs):
    # page_published is the one signal Wagtail sends for every way a page goes live: the
    # last workflow approval, publish_scheduled, and a superuser's publish button.
    editorial.publish_interpretations_with_document(document=instance, revision=revision)


page_published.connect(
    publish_interpretations_with_document,
    sender=PolicyDocumentPage,
    dispatch_uid="yiwang.portal.publish_interpretations_with_document",
)


@hooks.register("construct_page_action_menu")
def hide_direct_publish(menu_items, request, context):
    page = context.get("page") if context.get("view") != "create" else None
    page = page or context.get("parent_page")
    if editorial.review_required(request.user, page):
        menu_items[:] = [item for item in menu_items if item.name != "action-publish"]


@hooks.register("before_publish_page")
def refuse_direct_publish(request, page):
    # Called after the editor saved the draft and its revision, so nothing typed is lost.
    if editorial.review_required(request.user, page):
        messages.error(request, f"已保存为草稿。{REVIEW_REQUIRED_MESSAGE}请提交审核。")
        return redirect("wagtailadmin_pages:edit", page.pk)
    return None


@hooks.register("before_bulk_action")
def refuse_bulk_publish(request, action_type, objects, action_class_instance):
    if action_type != "publish":
        return None
    if any(editorial.review_required(request.user, page) for page in objects):
        messages.error(request, REVIEW_REQUIRED_MESSAGE)
        return redirect(get_valid_next_url_from_request(request) or "wagtailadmin_explore_root")
    return None


@hooks.register("before_copy_page")
def refuse_publishing_copies(request, page):
    if request.method != "POST" or not request.POST.get("publish_copies"):
        return None
    destination = Page.objects.filter(pk=request.POST.get("new_parent_page") or None).first()
    if editorial.review_required(request.user, page) or editorial.review_required(
        request.user, destination
    ):
        messages.error(request, f"复制的页面不能直接发布。{REVIEW_REQUIRED_MESSAGE}")
        return redirect("wagtailadmin_pages:copy", page.pk)
    return None


@hooks.register("before_edit_page")
def announce_related_publishing(request, page):
    if request.method != "GET" or not isinstance(page.specific, PolicyDocumentPage):
        return None
    drafts = editorial.linked_interpretation_drafts(page.specific)
    if drafts:
        titles = format_html_join(
            "、",
            "“{}”",
            ((interpretation.get_admin_display_title(),) for interpretation, _ in drafts),
        )
        messages.info(
            request, format_html("本文件发布时，以下政策解读将随之发布（关联发布）：{}", titles)
        )
    return None
