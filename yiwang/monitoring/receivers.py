"""Signal receivers of website monitoring, connected in ``apps.MonitoringConfig.ready``.
Publishing a page records its fingerprint for tamper protection (``tamper``), after the
publish commits; unpublishing forgets it. Nothing is done for portals nobody monitors."""

import logging

from django.db import transaction
from django.dispatch import receiver
from wagtail.signals import page_published, page_unpublished

logger = logging.getLogger(__name__)


def _safely(function, page_id):
    try:
        function(page_id)
    except Exception:
        # Publishing has happened; a fingerprint that could not be taken is taken again by
        # the next run's comparison (tamper.compare renders the page afresh).
        logger.exception("页面 %s 的网页指纹未能记录", page_id)


@receiver(page_published, dispatch_uid="monitoring.record_fingerprint")
def record_fingerprint(sender, instance, **kwargs):
    from . import tamper

    page_id = instance.pk
    transaction.on_commit(lambda: _safely(tamper.record_published, page_id))


@receiver(page_unpublished, dispatch_uid="monitoring.forget_fingerprint")
def forget_fingerprint(sender, instance, **kwargs):
    from . import tamper

    page_id = instance.pk
    transaction.on_commit(lambda: _safely(tamper.forget_unpublished, page_id))
