"""软弱涣散排查与整顿 pages: /assessments/ (the user's top organization), /assessments/weak/<code>/ (the screening of
the organizations below it and the cases of its subtree), /assessments/weak/<code>/identify/ (认定, the committee
above), /assessments/case/<pk>/ (one case: progress, 申请摘牌, 验收). Reads start from `restrict` and a grant's view
scope (a plain member: 404); writes go through actions.py, a refusal comes back next to its field."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dangjian.orgs.queries import grant_top_org, org_in_grant_view
from dangjian.rules import assessments as rules

from . import actions, queries
from .models import Rectification
from .screening import CRITERIA, screen


def _year(request) -> int:
    today = timezone.localdate()
    text = request.GET.get("year", "")
    return int(text) if text.isdigit() and 2013 <= int(text) <= today.year else today.year


@never_cache
@login_required
@require_GET
def index(request):
    org = grant_top_org(request.user)
    if org is None:
        raise Http404("没有可查看的党组织")
    return redirect("assessments:weak", code=org.code)


@never_cache
@login_required
@require_GET
def weak(request, code):
    user = request.user
    org = org_in_grant_view(user, code)
    year = _year(request)
    status = request.GET.get("status") or "open"
    if status not in queries.STATUS_FILTERS:
        status = "open"
    open_cases = queries.open_by_org(user, org)
    suspects = screen(org, year)
    total = len(suspects)
    criteria = [(key, label, sum(any(f.code == key for f in s.findings) for s in suspects))
                for key, label in CRITERIA]
    criterion = request.GET.get("criterion", "")
    if criterion in dict(CRITERIA):
        suspects = [s for s in suspects if any(f.code == criterion for f in s.findings)]
    else:
        criterion = ""
    for s in suspects:
        s.case = open_cases.get(s.org.pk)
        s.can_identify = s.case is None and actions.can_identify(user, s.org)
    return render(request, "assessments/weak.html", {
        "org": org, "year": year, "years": range(timezone.localdate().year, 2019, -1), "suspects": suspects,
        "total": total, "criteria": criteria, "criterion": criterion,
        "cases": list(queries.cases(user, org, status=status)[:500]), "status": status,
        "status_filters": queries.STATUS_FILTERS.items(), "can_identify_any": actions.can_identify(user, org)
        or any(s.can_identify for s in suspects),
    })


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def identify(request, code):
    user = request.user
    org = org_in_grant_view(user, code)
    if not actions.can_identify(user, org):
        raise Http404("认定软弱涣散党组织由上级党组织办理")
    year = _year(request) if request.method == "GET" else int(request.POST.get("year") or 0)
    errors: dict = {}
    if request.method == "POST":
        p = request.POST
        try:
            rect = actions.identify(org, year=year, identified_on=p.get("identified_on"),
                                    situations=p.getlist("situations"), findings=p.getlist("findings"),
                                    note=p.get("note", ""), leader=p.get("leader", ""),
                                    measures=p.get("measures", ""), by=user)
        except ValidationError as e:
            errors = e.message_dict
        else:
            messages.success(request, f"已认定{org.name}为{rect.year}年软弱涣散党组织，进入整顿")
            return redirect("assessments:case", pk=rect.pk)
    findings = [f for s in screen(org, year, include_root=True) for f in s.findings]
    return render(request, "assessments/identify.html", {
        "org": org, "year": year, "findings": findings, "situations": rules.SITUATIONS, "errors": errors,
        "form": request.POST if errors else {"identified_on": timezone.localdate().isoformat()},
        "chosen": set(request.POST.getlist("situations")) if errors else set(),
        "kept": set(request.POST.getlist("findings")) if errors else {f.message for f in findings},
    }, status=400 if errors else 200)


def _case(request, pk) -> Rectification:
    return get_object_or_404(Rectification.objects.restrict(request.user, "view").select_related(
        "org", "identified_by", "applied_by", "lifted_by"), pk=pk)


def _case_page(request, rect: Rectification, *, errors: dict | None = None, which: str = "", status: int = 200):
    user = request.user
    return render(request, "assessments/case.html", {
        "r": rect, "org": rect.org, "progress": list(rect.progress.select_related("by")),
        "situations": [rules.SITUATION_LABELS.get(s, s) for s in rect.situations],
        "can_manage": actions.can_manage(user, rect), "can_decide": actions.can_identify(user, rect.org),
        "errors": errors or {}, "which": which, "form": request.POST if errors else {},
        "today": timezone.localdate().isoformat(),
    }, status=status)


@never_cache
@login_required
@require_GET
def case(request, pk):
    return _case_page(request, _case(request, pk))


def _post(request, pk, which: str, do, done: str):
    rect = _case(request, pk)
    try:
        do(rect)
    except PermissionDenied:
        raise Http404("没有办理权限") from None
    except ValidationError as e:
        return _case_page(request, rect, errors=e.message_dict, which=which, status=400)
    messages.success(request, done)
    return redirect("assessments:case", pk=rect.pk)


@login_required
@require_POST
def progress(request, pk):
    p = request.POST
    return _post(request, pk, "progress", lambda r: actions.add_progress(r, on=p.get("on"), note=p.get("note", ""),
                                                                      by=request.user), "已填报整顿进展")


@login_required
@require_POST
def apply(request, pk):
    p = request.POST
    return _post(request, pk, "apply", lambda r: actions.apply_to_lift(r, on=p.get("on"), note=p.get("note", ""),
                                                                    by=request.user), "已申请摘牌，等待上级验收")


@login_required
@require_POST
def decide(request, pk):
    p = request.POST
    accept = p.get("decision") == "accept"
    return _post(request, pk, "decide", lambda r: actions.decide(r, accept=accept, on=p.get("on"),
                                                              note=p.get("note", ""), by=request.user),
                 "验收通过，已摘牌" if accept else "验收未通过，已退回继续整顿")
