"""Routing suggestions (``routing.suggest``) and the classifier behind them, measured on the
real labelled messages of the Taidi 2020 data (fj2: 495 messages, 7 一级分类): trained on a
stratified 80 %, measured on the held-out rest. Then the whole path: answered history →
``manage.py train_routing`` → a saved ``RoutingModel`` → a new message routed by "model";
before any history the keyword rules, with neither nothing; website error reports to the
site's team.

Test data only (../shared/real-material): never demo content."""

import csv
import io
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from yiwang.core.models import AuditEvent
from yiwang.interaction import actions, classifier, events, routing
from yiwang.interaction.classifier import Classifier
from yiwang.interaction.constants import Channel, ErrorType, Kind, Status, Unit
from yiwang.interaction.importers import clean_text
from yiwang.interaction.models import Message, RoutingModel, RoutingRule
from yiwang.orgs.models import Department

from .kit import at

TAIDI = Path(settings.BASE_DIR).parent / "shared" / "real-material" / "taidi-2020c-smart-gov"
FJ2 = TAIDI / "fj2_messages_labeled_sample.csv"
needs_taidi = pytest.mark.skipif(
    not FJ2.is_file(), reason=f"the Taidi 2020 labelled sample is not at {FJ2}"
)
LABEL_COUNTS = {
    "劳动和社会保障": 104,
    "城乡建设": 101,
    "教育文体": 96,
    "卫生计生": 58,
    "交通运输": 55,
    "商贸旅游": 48,
    "环境保护": 33,
}


def labelled():
    """``[(title, body, 一级分类)]`` of fj2."""
    with FJ2.open(encoding="utf-8", newline="") as handle:
        return [
            (row["留言主题"].strip(), clean_text(row["留言详情"]), row["一级分类"])
            for row in csv.DictReader(handle)
        ]


# --- the classifier on the real labels ---------------------------------------------------


@needs_taidi
def test_the_classifier_learns_the_taidi_categories_and_knows_how_sure_it_is():
    rows = labelled()
    assert Counter(label for _t, _b, label in rows) == LABEL_COUNTS
    texts = [f"{title}\n{body}" for title, body, _label in rows]
    labels = [label for _t, _b, label in rows]

    evaluation, _features = classifier.evaluate(texts, labels, holdout=0.2, seed=0)

    print(
        f"\nfj2 held-out accuracy {evaluation.accuracy:.3f} on {evaluation.held_out_count} "
        f"(trained on {evaluation.train_count}), mean confidence "
        f"{evaluation.mean_confidence:.3f}, temperature {evaluation.classifier.temperature}"
    )
    # Stratified: a fifth of each category held out.
    assert evaluation.held_out_count == sum(round(n * 0.2) for n in LABEL_COUNTS.values()) == 100
    assert evaluation.train_count == 395
    assert evaluation.accuracy >= 0.70
    # The temperature was fitted on the training share only, yet the confidence is honest.
    assert abs(evaluation.mean_confidence - evaluation.accuracy) <= 0.15
    # Stored and loaded, the model predicts the same.
    model = evaluation.classifier
    again = Classifier.from_json(model.to_json())
    for text in texts[:20]:
        assert again.predict(text) == model.predict(text)


def test_a_classifier_without_evidence_says_so():
    model = Classifier.train(
        ["小区道路破损积水", "道路积水严重", "学校食堂卫生差", "学校收费不合理"],
        ["roads", "roads", "schools", "schools"],
    )
    assert model.predict("道路积水")[0] == "roads"
    assert model.predict("今天天气晴朗") == (None, 0.0)
    assert Classifier.from_json({"format": "something else"}).predict("道路") == (None, 0.0)


# --- the whole path on the platform's own history ----------------------------------------


def answered_history(kit, rows, departments, *, prefix="T"):
    """Answered messages of 松林县 (as the platform's history), one per row, each closed by
    the department of its category."""
    start = at(2025, 3, 3, 9)
    messages = [
        Message(
            number=f"{prefix}{n:08d}",
            kind=Kind.COMPLAINT,
            channel=Channel.WEB,
            region=kit.county,
            title=title[:100],
            body=body,
            department=departments[label],
            status=Status.CLOSED,
            submitted_at=start + timedelta(hours=n),
            replied_at=start + timedelta(hours=n, days=3),
            clock_started_at=start + timedelta(hours=n),
            deadline_amount=13,
            deadline_unit=Unit.WORKING_DAYS,
        )
        for n, (title, body, label) in enumerate(rows)
    ]
    Message.objects.bulk_create(messages)


def train(*args):
    stdout = io.StringIO()
    call_command("train_routing", *args, stdout=stdout)
    return stdout.getvalue()


@needs_taidi
@pytest.mark.django_db
def test_train_routing_learns_from_history_and_routes_a_new_message_by_model(kit, sms):
    rows = labelled()
    departments = {
        label: Department.objects.create(name=f"松林县{label}局", region=kit.county)
        for label in LABEL_COUNTS
    }
    train_rows, new_rows = classifier.stratified_split(
        [label for _t, _b, label in rows], holdout=0.2, seed=1
    )
    answered_history(kit, [rows[i] for i in train_rows], departments)
    # Open messages are not history.
    kit.write(title="公交线路调整", body="希望增加公交班次。")

    out = train("--holdout", "0.2", "--seed", "0")

    model = RoutingModel.objects.get()
    print(f"\nplatform history: {out}")
    assert model.sample_count == len(train_rows) == 395
    assert model.label_count == 7
    assert model.held_out_accuracy >= 0.65
    assert f"留出集准确率：{model.held_out_accuracy:.1%}" in out
    assert "已训练：395 条，7 个部门" in out
    assert sorted(model.data["labels"]) == sorted(str(d.pk) for d in departments.values())
    audit = AuditEvent.objects.get(action=events.ROUTING_TRAINED)
    assert audit.detail["samples"] == 395 and audit.detail["departments"] == 7

    # Messages the model never saw: routed by the model when it is sure, and then rightly.
    by_model = right = 0
    for i in new_rows:
        title, body, label = rows[i]
        suggestion = routing.suggest(kind=Kind.COMPLAINT, title=title, body=body, region=kit.county)
        if suggestion is not None and suggestion.method == "model":
            by_model += 1
            right += suggestion.department == departments[label]
            assert suggestion.confidence >= routing.MIN_CONFIDENCE
    print(f"new messages: {by_model} of {len(new_rows)} routed by the model, {right} rightly")
    assert by_model >= 0.6 * len(new_rows)
    assert right >= 0.8 * by_model

    # Through the real submission: the suggestion is stored and the dispatcher decides.
    def routed_rightly(row):
        title, body, label = row
        found = routing.suggest(kind=Kind.COMPLAINT, title=title, body=body, region=kit.county)
        return (
            found is not None
            and found.method == "model"
            and found.department == (departments[label])
        )

    title, body, label = next(rows[i] for i in new_rows if routed_rightly(rows[i]))
    message, _code = kit.write(title=title[:100], body=body[:5000])
    assert message.route_method == "model"
    assert message.suggested_department == departments[label]
    assert message.status == Status.SUBMITTED and message.department is None


@pytest.mark.django_db
def test_too_little_history_trains_nothing_and_says_why(kit):
    answered_history(
        kit,
        [("道路破损", "幸福小区门口道路破损", "a")] * 6 + [("学校收费", "学校乱收费", "b")] * 4,
        {"a": kit.housing, "b": kit.education},
    )
    out = train()
    assert "未训练" in out
    assert "只有 10 条、涉及 2 个部门，至少需要 20 条、2 个部门才训练" in out
    assert "按关键词规则分办" in out
    assert not RoutingModel.objects.exists()

    answered_history(
        kit, [("道路破损", "幸福小区门口道路破损", "a")] * 20, {"a": kit.housing}, prefix="U"
    )
    Message.objects.filter(department=kit.education).delete()
    out = train()
    assert "涉及 1 个部门" in out and not RoutingModel.objects.exists()


@pytest.mark.django_db
def test_train_routing_refuses_a_bad_holdout():
    with pytest.raises(CommandError, match="--holdout 应在 0 到 0.5 之间"):
        train("--holdout", "0.9")


# --- the order: site team, model, rules, nothing ------------------------------------------


@pytest.mark.django_db
def test_before_any_history_the_rules_route_and_with_neither_nothing_does(kit):
    assert not RoutingModel.objects.exists()
    title, body = "小区门口道路破损", "青石镇幸福小区门口道路破损多日，雨天积水。"
    assert routing.suggest(kind=Kind.COMPLAINT, title=title, body=body, region=kit.county) is None

    RoutingRule.objects.create(keywords="学校 老师", department=kit.education)
    RoutingRule.objects.create(keywords="道路，积水", department=kit.housing)
    # A rule of another county does not apply here.
    RoutingRule.objects.create(
        keywords="道路",
        department=kit.other_county_dept,
        region=kit.regions["county_b"],
        priority=1,
    )

    suggestion = routing.suggest(kind=Kind.COMPLAINT, title=title, body=body, region=kit.county)
    assert suggestion.method == "rule" and suggestion.department == kit.housing
    assert suggestion.confidence is None
    message, _code = kit.write(title=title, body=body)
    assert (message.route_method, message.suggested_department) == ("rule", kit.housing)
    none = routing.suggest(
        kind=Kind.COMPLAINT, title="咨询", body="办理居住证要带什么？", region=kit.county
    )
    assert none is None


def tiny_model(*departments, trained_at=None):
    texts = ["小区道路破损积水", "道路积水严重", "道路破损修复", "学校食堂卫生差", "学校收费不合理"]
    labels = [departments[0].pk] * 3 + [departments[1].pk] * 2
    model = Classifier.train(texts, labels)
    return RoutingModel.objects.create(
        trained_at=trained_at or at(2026, 1, 5, 9),
        sample_count=5,
        label_count=2,
        data=model.to_json(),
    )


@pytest.mark.django_db
def test_the_model_comes_before_the_rules_and_falls_back_to_them(kit):
    RoutingRule.objects.create(keywords="道路 学校 居住证", department=kit.office)
    tiny_model(kit.housing, kit.education)

    suggestion = routing.suggest(
        kind=Kind.COMPLAINT, title="道路积水", body="道路破损积水", region=kit.county
    )
    assert suggestion.method == "model" and suggestion.department == kit.housing
    assert suggestion.confidence >= routing.MIN_CONFIDENCE
    # No word the model knows: the rules decide.
    suggestion = routing.suggest(
        kind=Kind.COMPLAINT, title="居住证", body="办理居住证要带什么材料？", region=kit.county
    )
    assert suggestion.method == "rule" and suggestion.department == kit.office

    # A newer model is used as soon as it is saved.
    tiny_model(kit.education, kit.housing, trained_at=at(2026, 2, 2, 9))
    suggestion = routing.suggest(
        kind=Kind.COMPLAINT, title="道路积水", body="道路破损积水", region=kit.county
    )
    assert suggestion.method == "model" and suggestion.department == kit.education


@pytest.mark.django_db
def test_a_model_department_of_another_region_is_not_suggested(kit):
    tiny_model(kit.other_county_dept, kit.education)
    suggestion = routing.suggest(
        kind=Kind.COMPLAINT, title="道路积水", body="道路破损积水", region=kit.county
    )
    assert suggestion is None
    # In its own county it is.
    suggestion = routing.suggest(
        kind=Kind.COMPLAINT, title="道路积水", body="道路破损积水", region=kit.regions["county_b"]
    )
    assert suggestion.method == "model" and suggestion.department == kit.other_county_dept


@pytest.mark.django_db
def test_a_website_error_report_goes_to_the_portals_owner_department(kit):
    tiny_model(kit.housing, kit.education)
    RoutingRule.objects.create(keywords="道路", department=kit.education, priority=1)
    suggestion = routing.suggest(
        kind=Kind.ERROR_REPORT,
        title="错别字",
        body="道路积水一文有错别字",
        region=kit.county,
        portal=kit.portal,
    )
    assert suggestion.method == "site" and suggestion.department == kit.office

    message, _code = actions.submit_message(
        kind=Kind.ERROR_REPORT,
        title="",
        body="道路积水一文有错别字",
        portal=kit.portal,
        page_url="http://songlin.localhost/news/1/",
        error_type=ErrorType.WORDING,
        now=at(2026, 11, 2, 10),
    )
    assert message.route_method == "site" and message.department == kit.office
    assert message.status == Status.DISPATCHED
