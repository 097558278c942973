"""Which department should answer a message (分办建议).

Order: a website error report goes to the team of the site it was found on (the portal's
``owner_department``); otherwise the newest trained classifier (``RoutingModel``, learned
from the platform's own routed history by ``manage.py train_routing``; ``classifier.py``)
when it is confident and its department belongs to the message's region; otherwise the
keyword rules (``RoutingRule``, data in the admin), which work before any history exists.
No suggestion at all leaves the message with the dispatcher.

The classifier is parsed once per process and kept until a newer ``RoutingModel`` appears
(checked on every call with one small query; a model saved or deleted in this process
clears it at once).
"""

from dataclasses import dataclass

from django.db.models import Q
from django.db.models.signals import post_delete, post_save

from yiwang.orgs.models import Department

from .constants import Kind
from .models import RoutingModel, RoutingRule

# Below this confidence the classifier's answer is not used (the rules are asked instead).
MIN_CONFIDENCE = 0.5


@dataclass(frozen=True)
class Suggestion:
    department: Department
    method: str  # "site", "model", "rule"
    confidence: float | None = None

    @property
    def method_label(self):
        return {"site": "网站主办单位", "model": "历史分办模型", "rule": "关键词规则"}[self.method]


def _regions(region):
    """``region`` and its ancestors: a county message may go to a city department."""
    return [region, *reversed(region.ancestors())]


def _by_rules(text, region):
    rules = (
        RoutingRule.objects.filter(active=True)
        .filter(Q(region__isnull=True) | Q(region__in=_regions(region)))
        .select_related("department")
    )
    best = None
    for rule in rules:
        hits = sum(1 for keyword in rule.keyword_list() if keyword in text)
        if not hits:
            continue
        # Fewer priority number first, then more keyword hits, then the nearer region.
        key = (rule.priority, -hits, 0 if rule.region_id == region.pk else 1)
        if best is None or key < best[0]:
            best = (key, rule)
    if best is None:
        return None
    return Suggestion(department=best[1].department, method="rule")


_LOADED = {}


def forget_model(**kwargs):
    """Drop the parsed classifier (a ``RoutingModel`` was saved or deleted)."""
    _LOADED.clear()


post_save.connect(forget_model, sender=RoutingModel, dispatch_uid="interaction_routing_model")
post_delete.connect(forget_model, sender=RoutingModel, dispatch_uid="interaction_routing_model")


def current_classifier():
    """The newest trained ``Classifier``, or None before any training."""
    from .classifier import Classifier

    head = RoutingModel.objects.order_by("-trained_at", "-pk").values_list("pk", "trained_at")
    head = head.first()
    if head is None:
        return None
    loaded = _LOADED.get("model")
    if loaded is not None and loaded[0] == head:
        return loaded[1]
    data = RoutingModel.objects.filter(pk=head[0]).values_list("data", flat=True).first()
    model = Classifier.from_json(data)
    _LOADED["model"] = (head, model)
    return model


def _by_model(text, region):
    model = current_classifier()
    if model is None:
        return None
    label, confidence = model.predict(text)
    if label is None or confidence < MIN_CONFIDENCE:
        return None
    department = (
        Department.objects.filter(pk=int(label), region__in=_regions(region)).first()
        if str(label).isdigit()
        else None
    )
    if department is None:
        return None
    return Suggestion(department=department, method="model", confidence=confidence)


def suggest(*, kind, title, body, region, portal=None):
    """A ``Suggestion`` or None."""
    if kind == Kind.ERROR_REPORT and portal is not None and portal.owner_department_id:
        return Suggestion(department=portal.owner_department, method="site", confidence=1.0)
    text = f"{title}\n{body}"
    return _by_model(text, region) or _by_rules(text, region)
