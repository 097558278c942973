"""Signals that keep the index current: pages published, unpublished, moved or deleted;
service items published, unpublished or deleted; messages saved or deleted. Each only
notes the key; ``index`` updates it after commit."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from wagtail.signals import (
    page_published,
    page_unpublished,
    post_page_move,
    published,
    unpublished,
)

from . import index


@receiver(page_published)
@receiver(page_unpublished)
def page_changed(sender, instance, **kwargs):
    index.changed(f"page:{instance.pk}")


@receiver(post_page_move)
def page_moved(sender, instance, **kwargs):
    # Its address and its descendants' changed (and maybe their portal).
    from wagtail.models import Page

    for pk in Page.objects.descendant_of(instance, inclusive=True).values_list("pk", flat=True):
        index.changed(f"page:{pk}")


@receiver(post_delete)
def object_deleted(sender, instance, **kwargs):
    from wagtail.models import Page

    if isinstance(instance, Page):
        index.changed(f"page:{instance.pk}")
        return
    if _is_indexed_model(sender):
        index.changed_object(instance)


@receiver(published)
@receiver(unpublished)
def snippet_published(sender, instance, **kwargs):
    if _is_indexed_model(type(instance)):
        index.changed_object(instance)


@receiver(post_save)
def object_saved(sender, instance, **kwargs):
    # Messages change state by saving (published, replied, withdrawn from publication);
    # service items also change status (suspended, cancelled) by saving.
    if _is_indexed_model(sender):
        index.changed_object(instance)


_indexed = {}


def _is_indexed_model(model):
    """Whether ``model`` is a non-page source's (every model saved or deleted passes here:
    the answer is kept per model class, and taken again when a source is registered)."""
    from .documents import SOURCES

    key = (model, len(SOURCES))
    if key not in _indexed:
        others = [source for source in SOURCES.values() if source.name != "page"]
        _indexed[key] = any(issubclass(model, tuple(source.models)) for source in others)
    return _indexed[key]


@receiver(post_save, sender="search.SynonymGroup")
@receiver(post_delete, sender="search.SynonymGroup")
def synonyms_edited(sender, **kwargs):
    from django.db import transaction

    from . import text

    transaction.on_commit(text.synonyms_changed)
