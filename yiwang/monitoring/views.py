"""The monitoring back office (/admin/monitoring/, menu 网站监测): the dashboard of every site
the user may see with its latest score and a per-region overview, a site's page (history,
runs, reachability, tamper events), a run's report (vetoes and deductions with evidence, the
findings, the columns; Excel and PDF), adding a site by its address, and the wording
dictionary. Thin: who may do what is ``roles``, writes go through ``runner`` and ``tamper``,
reports are ``reports``. A refusal is the platform's audited 403 page; a bad form re-renders
with its errors (400), nothing typed lost."""

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import OuterRef, Q, Subquery
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.views.decorators.http import require_POST
from wagtail.admin import messages
from wagtail.admin.menu import MenuItem

from yiwang.core import audit
from yiwang.core.views import denies_with_403_page
from yiwang.orgs.models import Region, region_prefix

from . import reports, roles, runner, tamper
from .constants import ACTIVE_RUN_STATES, RunState, WordingCategory
from .forms import (
    DashboardFilterForm,
    ResolveTamperForm,
    SiteForm,
    WordingFilterForm,
    WordingTermForm,
)
from .models import CheckRun, SiteScore, TamperEvent, WordingTerm

PER_PAGE = 50
HISTORY = 30
RECENT_RUNS = 20


_denies = denies_with_403_page


class MonitoringMenuItem(MenuItem):
    def is_shown(self, request):
        return roles.may_use_monitoring(request.user)


def menu_item():
    return MonitoringMenuItem(
        "网站监测", reverse("monitoring:index"), name="monitoring", icon_name="site", order=280
    )


def _require_use(request):
    if not roles.may_use_monitoring(request.user):
        raise PermissionDenied("没有网站监测权限")


def _site(request, pk):
    """A site the user may see, or a bare 403 (nothing said about sites outside)."""
    _require_use(request)
    site = (
        roles.visible_sites(request.user)
        .select_related("region", "owner_department", "portal")
        .filter(pk=pk)
        .first()
    )
    if site is None:
        raise PermissionDenied
    return site


def _run(request, pk):
    _require_use(request)
    run = (
        CheckRun.objects.select_related("site", "site__region", "triggered_by")
        .filter(pk=pk, site__in=roles.visible_sites(request.user))
        .first()
    )
    if run is None:
        raise PermissionDenied
    return run


def _context(request, **extra):
    user = request.user
    return {
        "may_add": roles.is_monitoring_admin(user),
        "may_edit_wording": roles.may_edit_wording(user),
        **extra,
    }


def _latest(field):
    return Subquery(
        SiteScore.objects.filter(site=OuterRef("pk")).order_by("-at", "-pk").values(field)[:1]
    )


def _active(field):
    return Subquery(
        CheckRun.objects.filter(site=OuterRef("pk"), state__in=ACTIVE_RUN_STATES)
        .order_by("-pk")
        .values(field)[:1]
    )


def annotated_sites(user):
    """The sites ``user`` sees with their latest score (``latest_score``, ``latest_passed``,
    ``latest_run``, ``latest_at``) and their run under way (``active_run``,
    ``active_state``)."""
    return (
        roles.visible_sites(user)
        .select_related("region", "owner_department")
        .annotate(
            latest_score=_latest("score"),
            latest_passed=_latest("passed"),
            latest_run=_latest("run_id"),
            latest_at=_latest("at"),
            latest_vetoes=_latest("vetoes"),
            active_run=_active("pk"),
            active_state=_active("state"),
        )
    )


def _failed_titles(vetoes):
    return [v.get("title", "") for v in (vetoes or []) if not v.get("passed")]


def region_overview(sites):
    """Per region (in code order): sites, scored, passed, failed, average score."""
    rows = {}
    for site in sites:
        row = rows.setdefault(
            site.region_id,
            {"region": site.region, "sites": 0, "scored": 0, "passed": 0, "failed": 0, "sum": 0},
        )
        row["sites"] += 1
        if site.latest_score is not None:
            row["scored"] += 1
            row["sum"] += site.latest_score
            row["passed" if site.latest_passed else "failed"] += 1
    out = sorted(rows.values(), key=lambda r: r["region"].code)
    for row in out:
        row["average"] = round(row["sum"] / row["scored"], 1) if row["scored"] else None
    return out


@_denies
def index(request):
    _require_use(request)
    user = request.user
    sites = annotated_sites(user)
    regions = Region.objects.filter(pk__in=roles.visible_sites(user).values("region_id")).order_by(
        "code"
    )
    form = DashboardFilterForm(request.GET or None, regions=regions)
    everything = list(sites)
    labels = dict(RunState.choices)
    for site in everything:
        site.failed_titles = _failed_titles(site.latest_vetoes)
        site.active_state_label = labels.get(site.active_state, "")
    shown = everything
    if form.is_valid():
        data = form.cleaned_data
        if data["q"]:
            needle = data["q"].strip().lower()
            shown = [s for s in shown if needle in s.name.lower() or needle in s.base_url]
        if data["region"] is not None:
            prefix = region_prefix(data["region"])
            shown = [s for s in shown if s.region.code.startswith(prefix)]
        if data["verdict"] == "failed":
            shown = [s for s in shown if s.latest_passed is False]
        elif data["verdict"] == "passed":
            shown = [s for s in shown if s.latest_passed is True]
        elif data["verdict"] == "unscored":
            shown = [s for s in shown if s.latest_score is None]
        if data["kind"] == "own":
            shown = [s for s in shown if s.portal_id is not None]
        elif data["kind"] == "external":
            shown = [s for s in shown if s.portal_id is None]
    scored = [s for s in everything if s.latest_score is not None]
    figures = {
        "sites": len(everything),
        "scored": len(scored),
        "passed": sum(1 for s in scored if s.latest_passed),
        "failed": sum(1 for s in scored if not s.latest_passed),
        "unscored": len(everything) - len(scored),
        "running": sum(1 for s in everything if s.active_run is not None),
        "average": round(sum(s.latest_score for s in scored) / len(scored), 1) if scored else None,
        "open_tamper": TamperEvent.objects.filter(
            site__in=roles.visible_sites(user), resolved_at__isnull=True
        ).count(),
    }
    page = Paginator(shown, PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return TemplateResponse(
        request,
        "monitoring/index.html",
        _context(
            request,
            nav="index",
            form=form,
            figures=figures,
            overview=region_overview(everything),
            page_obj=page,
            query=query.urlencode(),
        ),
    )


@_denies
def site_detail(request, pk):
    site = _site(request, pk)
    user = request.user
    history = list(site.scores.select_related("run").order_by("-at", "-pk")[:HISTORY])
    for score in history:
        score.failed_titles = _failed_titles(score.vetoes)
    runs = list(
        site.runs.select_related("triggered_by").order_by("-created_at", "-pk")[:RECENT_RUNS]
    )
    may_manage = roles.may_manage(user, site)
    return TemplateResponse(
        request,
        "monitoring/site.html",
        _context(
            request,
            nav="index",
            site=site,
            latest=history[0] if history else None,
            history=history,
            chart=list(reversed(history)),
            runs=runs,
            active=runner.active_run(site),
            availability=runner.availability(site),
            probes=list(site.probes.order_by("-at")[:10]),
            tamper_events=list(site.tamper_events.order_by("resolved_at", "-detected_at")[:20]),
            alerts=list(site.alerts.order_by("-created_at")[:10]),
            may_manage=may_manage,
            may_start=roles.may_start_run(user, site),
            resolve_form=ResolveTamperForm() if may_manage else None,
        ),
    )


def _site_form_page(request, form, *, site=None, status=200):
    return TemplateResponse(
        request,
        "monitoring/site_form.html",
        _context(request, nav="add" if site is None else "index", form=form, site=site),
        status=status,
    )


def _changes(form):
    return {name: str(form.cleaned_data.get(name)) for name in form.changed_data}


@_denies
def site_add(request):
    _require_use(request)
    if not roles.is_monitoring_admin(request.user):
        raise PermissionDenied("只有网站监测管理员可以添加网站")
    form = SiteForm(request.POST or None, user=request.user)
    if request.method != "POST":
        return _site_form_page(request, form)
    if not form.is_valid():
        return _site_form_page(request, form, status=400)
    with transaction.atomic():
        site = form.save(commit=False)
        site.created_by = request.user
        site.save()
        audit.record(
            action="monitoring.site_added",
            actor=request.user,
            obj=site,
            detail={"base_url": site.base_url, "region": site.region.code},
            request=request,
        )
    run = None
    if request.POST.get("check_now") and site.active:
        run = runner.start_run(site, user=request.user)
    messages.success(
        request,
        f"已添加“{site.name}”" + ("，并已发起首次检查。" if run else "。"),
    )
    return redirect("monitoring:run" if run else "monitoring:site", run.pk if run else site.pk)


@_denies
def site_edit(request, pk):
    site = _site(request, pk)
    if not roles.may_manage(request.user, site):
        raise PermissionDenied("只有该区划的网站监测管理员可以修改这个网站")
    form = SiteForm(request.POST or None, instance=site, user=request.user)
    if request.method != "POST":
        return _site_form_page(request, form, site=site)
    if not form.is_valid():
        return _site_form_page(request, form, site=site, status=400)
    with transaction.atomic():
        form.save()
        audit.record(
            action="monitoring.site_changed",
            actor=request.user,
            obj=site,
            detail=_changes(form),
            request=request,
        )
    messages.success(request, f"已保存“{site.name}”的设置。")
    return redirect("monitoring:site", site.pk)


@_denies
@require_POST
def run_start(request, pk):
    site = _site(request, pk)
    if not roles.may_start_run(request.user, site):
        raise PermissionDenied("没有发起检查的权限")
    already = runner.active_run(site)
    try:
        run = runner.start_run(site, user=request.user)
    except runner.RunError as exc:
        messages.error(request, str(exc))
        return redirect("monitoring:site", site.pk)
    if already is not None and already.pk == run.pk:
        messages.warning(request, "这个网站的检查正在进行，已转到该检查任务。")
    else:
        messages.success(request, f"已发起对“{site.name}”的检查。")
    return redirect("monitoring:run", run.pk)


@_denies
@require_POST
def run_cancel(request, pk):
    run = _run(request, pk)
    if not roles.may_start_run(request.user, run.site):
        raise PermissionDenied("没有取消检查的权限")
    if runner.cancel(run, user=request.user):
        messages.success(request, "已取消检查；已检查的结果保留，不评分。")
    else:
        messages.warning(request, "这次检查已经结束，无需取消。")
    return redirect("monitoring:run", run.pk)


@_denies
@require_POST
def run_resume(request, pk):
    run = _run(request, pk)
    if not roles.may_start_run(request.user, run.site):
        raise PermissionDenied("没有继续检查的权限")
    try:
        runner.resume(run, user=request.user)
    except runner.RunError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "已从中断处继续检查。")
    return redirect("monitoring:run", run.pk)


def status_of(run):
    return {
        "state": run.state,
        "state_label": run.get_state_display(),
        "active": run.is_active,
        "pages": run.pages,
        "pages_queued": run.pages_queued,
        "links_checked": run.links_checked,
        "percent": run.progress_percent,
        "progress": run.progress,
        "error": run.error,
    }


@_denies
def run_detail(request, pk):
    run = _run(request, pk)
    report = reports.build(run)
    return TemplateResponse(
        request,
        "monitoring/run.html",
        _context(
            request,
            nav="index",
            run=run,
            site=run.site,
            report=report,
            may_start=roles.may_start_run(request.user, run.site),
            resumable=run.state in (RunState.PAUSED, RunState.FAILED),
            status=status_of(run),
        ),
    )


@_denies
def run_status(request, pk):
    return JsonResponse(status_of(_run(request, pk)))


@_denies
def run_download(request, pk, fmt):
    run = _run(request, pk)
    report = reports.build(run)
    if fmt == "xlsx":
        body = reports.workbook_bytes(report)
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        body = reports.pdf_bytes(report)
        content_type = "application/pdf"
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{reports.filename(report, fmt)}"'
    return response


@_denies
@require_POST
def tamper_resolve(request, pk):
    _require_use(request)
    event = (
        TamperEvent.objects.select_related("site")
        .filter(pk=pk, site__in=roles.visible_sites(request.user))
        .first()
    )
    if event is None or not roles.may_manage(request.user, event.site):
        raise PermissionDenied
    form = ResolveTamperForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写处置说明。")
        return redirect("monitoring:site", event.site_id)
    if event.resolved:
        messages.warning(request, "这个篡改事件已经处置。")
        return redirect("monitoring:site", event.site_id)
    with transaction.atomic():
        tamper.resolve(event, user=request.user, resolution=form.cleaned_data["resolution"])
        audit.record(
            action="monitoring.tamper_resolved",
            actor=request.user,
            obj=event,
            detail={"url": event.url, "resolution": event.resolution},
            request=request,
        )
    messages.success(request, "已标记为已处置；下次检查起不再单项否决。")
    return redirect("monitoring:site", event.site_id)


# -- the wording dictionary ------------------------------------------------------------------


def _require_wording(request):
    _require_use(request)
    if not roles.may_edit_wording(request.user):
        raise PermissionDenied("只有网站监测管理员可以维护错敏词库")


@_denies
def wording(request):
    _require_wording(request)
    form = WordingFilterForm(request.GET or None)
    terms = WordingTerm.objects.select_related("edited_by").order_by("category", "wrong")
    if form.is_valid():
        data = form.cleaned_data
        if data["q"]:
            q = data["q"].strip()
            terms = terms.filter(
                Q(wrong__contains=q) | Q(correct__contains=q) | Q(note__contains=q)
            )
        if data["category"]:
            terms = terms.filter(category=data["category"])
        if data["active"]:
            terms = terms.filter(active=data["active"] == "1")
    page = Paginator(terms, PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return TemplateResponse(
        request,
        "monitoring/wording.html",
        _context(
            request,
            nav="wording",
            form=form,
            page_obj=page,
            query=query.urlencode(),
            categories=dict(WordingCategory.choices),
        ),
    )


def _wording_form_page(request, form, *, term=None, status=200):
    return TemplateResponse(
        request,
        "monitoring/wording_form.html",
        _context(request, nav="wording", form=form, term=term),
        status=status,
    )


def _save_term(request, form, action):
    with transaction.atomic():
        term = form.save(commit=False)
        term.edited_by = request.user
        term.save()
        audit.record(
            action=action, actor=request.user, obj=term, detail=_changes(form), request=request
        )
    return term


@_denies
def wording_add(request):
    _require_wording(request)
    form = WordingTermForm(request.POST or None)
    if request.method != "POST":
        return _wording_form_page(request, form)
    if not form.is_valid():
        return _wording_form_page(request, form, status=400)
    term = _save_term(request, form, "monitoring.wording_added")
    messages.success(request, f"已添加错敏词“{term.wrong}”，下次检查起生效。")
    return redirect("monitoring:wording")


@_denies
def wording_edit(request, pk):
    _require_wording(request)
    term = WordingTerm.objects.filter(pk=pk).first()
    if term is None:
        raise PermissionDenied
    form = WordingTermForm(request.POST or None, instance=term)
    if request.method != "POST":
        return _wording_form_page(request, form, term=term)
    if not form.is_valid():
        return _wording_form_page(request, form, term=term, status=400)
    term = _save_term(request, form, "monitoring.wording_changed")
    messages.success(request, f"已保存错敏词“{term.wrong}”，下次检查起生效。")
    return redirect("monitoring:wording")


urlpatterns = [
    path("", index, name="index"),
    path("sites/add/", site_add, name="site_add"),
    path("sites/<int:pk>/", site_detail, name="site"),
    path("sites/<int:pk>/edit/", site_edit, name="site_edit"),
    path("sites/<int:pk>/check/", run_start, name="run_start"),
    path("runs/<int:pk>/", run_detail, name="run"),
    path("runs/<int:pk>/status/", run_status, name="run_status"),
    path("runs/<int:pk>/cancel/", run_cancel, name="run_cancel"),
    path("runs/<int:pk>/resume/", run_resume, name="run_resume"),
    path("runs/<int:pk>/report.xlsx", run_download, {"fmt": "xlsx"}, name="run_xlsx"),
    path("runs/<int:pk>/report.pdf", run_download, {"fmt": "pdf"}, name="run_pdf"),
    path("tamper/<int:pk>/resolve/", tamper_resolve, name="tamper_resolve"),
    path("wording/", wording, name="wording"),
    path("wording/add/", wording_add, name="wording_add"),
    path("wording/<int:pk>/", wording_edit, name="wording_edit"),
]
