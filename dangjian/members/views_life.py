"""Pages of 流动党员, 失联党员, 党籍变更 (approval cases) and 不合格党员处置.

Reads start from the models' `restrict` (through members.queries); a step is looked up on the side that
may do it, so the wrong side answers 404. Writes go through members.actions.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dangjian.core.models import Event
from dangjian.core.scope import scope_for
from dangjian.orgs.forms import add_action_error
from dangjian.orgs.models import Org

from . import actions, queries
from .forms import (
    DecisionForm,
    DisposalForm,
    DisposalOutcomeForm,
    FollowUpForm,
    MobileEndForm,
    MobileForm,
    StatusCaseForm,
)
from .models import CaseStatus, DisposalCase, Member, MemberNotice, MobileMembership, StatusCase

PER_PAGE = 30
ACT = actions.ACT


def _managed_member(user, pk) -> Member:
    return get_object_or_404(Member.objects.restrict(user, ACT).select_related("org"), pk=pk)


def _notices(user, kind: str) -> list:
    return list(MemberNotice.objects.filter(user=user, kind=kind).order_by("-created_at", "-id")[:5])


def _page(request, qs):
    return Paginator(qs, PER_PAGE).get_page(request.GET.get("page"))


def _any_scope(user) -> None:
    """The lists are for people who look after members; a plain member or an outsider has none to see."""
    scope = scope_for(user)
    if not (scope.everything or scope.prefixes("view")):
        raise Http404


# 流动党员 -----------------------------------------------------------------------------------------------


@never_cache
@login_required
@require_GET
def mobile_list(request):
    user = request.user
    _any_scope(user)
    org = queries.scoped_org(user, request.GET.get("org", ""))
    today = timezone.localdate()
    tabs = queries.mobile_tabs(user, today, org=org)
    tab = request.GET.get("tab") if request.GET.get("tab") in {t[0] for t in tabs} else "current"
    counts = [{"key": k, "label": label, "count": qs.count()} for k, label, qs in tabs]
    page = _page(request, {k: qs for k, _l, qs in tabs}[tab])
    cutoff = queries.transfer_due_cutoff(today)
    scope = scope_for(user)
    for r in page:
        r.home_side = scope.covers(r.member.org_path, ACT)
        r.contact_shown = queries.contact_shown(user, r)
        r.due = r.ended_on is None and r.fixed_place and r.since <= cutoff
    return render(request, "members/mobile_list.html", {
        "tabs": counts, "tab": tab, "page": page, "org": org, "notices": _notices(user, "transfer_due"),
        "end_form": MobileEndForm(initial={"ended_on": today, "end_reason": "返回原地"}),
    })


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def mobile_new(request, pk):
    member = _managed_member(request.user, pk)
    form = MobileForm(request.POST or None, initial={"since": timezone.localdate(), "fixed_place": True})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        receiving = None
        code = (d["receiving_org"] or "").strip()
        if code:
            receiving = Org.objects.filter(code=code).first()  # any organization of the platform may receive
            if receiving is None:
                form.add_error("receiving_org", f"没有编码为“{code}”的党组织")
        if not form.errors:
            try:
                actions.register_mobile(member, destination=d["destination"], since=d["since"], contact=d["contact"],
                                        certificate_no=d["certificate_no"], receiving_org=receiving,
                                        receiving_name=d["receiving_name"], fixed_place=d["fixed_place"],
                                        note=d["note"], by=request.user)
            except ValidationError as e:
                add_action_error(form, e)
            else:
                messages.success(request, f"已登记{member.name}外出流动")
                return redirect("members:detail", pk=member.pk)
    return render(request, "members/mobile_form.html", {"form": form, "m": member})


@login_required
@require_POST
def mobile_end(request, rid):
    record = get_object_or_404(MobileMembership.objects.restrict(request.user, ACT).select_related("member"), pk=rid)
    form = MobileEndForm(request.POST)
    if not form.is_valid():
        messages.error(request, "；".join(m for errs in form.errors.values() for m in errs))
    else:
        try:
            actions.end_mobile(record, on=form.cleaned_data["ended_on"], reason=form.cleaned_data["end_reason"],
                               by=request.user)
            messages.success(request, f"已登记{record.member.name}返回")
        except ValidationError as e:
            messages.error(request, "；".join(e.messages))
    return redirect("members:detail", pk=record.member_id)


# 失联党员 -----------------------------------------------------------------------------------------------


@never_cache
@login_required
@require_GET
def lost_contact(request):
    user = request.user
    _any_scope(user)
    org = queries.scoped_org(user, request.GET.get("org", ""))
    today = timezone.localdate()
    lists = {key: qs for key, _label, qs in queries.lost_contact_tabs(user, today, org=org)}
    tab = request.GET.get("tab") if request.GET.get("tab") in lists else "candidates"
    page = _page(request, lists[tab])
    scope = scope_for(user)
    suspend_after = queries.lost_contact_cutoff(today)
    for m in page:
        m.manageable = scope.covers(m.org_path, ACT)
        m.long_lost = bool(m.lost_contact_on and m.lost_contact_on <= suspend_after)
    return render(request, "members/lost_contact.html", {
        "tab": tab, "page": page, "org": org, "cutoff": queries.lost_contact_cutoff(today),
        "counts": {k: qs.count() for k, qs in lists.items()},
        "notices": _notices(user, "lost_contact"),
    })


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def follow_up(request, pk):
    member = _managed_member(request.user, pk)
    form = FollowUpForm(request.POST or None, initial={"contacted_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            actions.record_follow_up(member, contacted_on=d["contacted_on"], method=d["method"], outcome=d["outcome"],
                                     note=d["note"], by=request.user)
        except ValidationError as e:
            add_action_error(form, e)
        else:
            messages.success(request, f"已记录对{member.name}的联系情况")
            return redirect("members:lost_contact")
    history = member.follow_ups.select_related("created_by")[:20]
    return render(request, "members/follow_up.html", {"form": form, "m": member, "history": history})


# 党籍变更 ---------------------------------------------------------------------------------------------


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def case_new(request, pk):
    member = _managed_member(request.user, pk)
    form = StatusCaseForm(request.POST or None, initial={"effective_on": timezone.localdate(),
                                                         "kind": request.GET.get("kind", ""),
                                                         "leave_type": request.GET.get("leave_type", "")})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            case = actions.request_status_change(member, kind=d["kind"], leave_type=d["leave_type"],
                                                 effective_on=d["effective_on"], reason=d["reason"], by=request.user)
        except ValidationError as e:
            add_action_error(form, e)
        else:
            for w in case.warnings:
                messages.warning(request, w.message)
            messages.success(request, f"已提交{member.name}的{case.label}申请，等待上级党组织审批")
            return redirect("members:case_detail", cid=case.pk)
    return render(request, "members/case_form.html", {"form": form, "m": member})


@never_cache
@login_required
@require_GET
def cases(request):
    user = request.user
    _any_scope(user)
    tabs = [("approve", "待我审批", queries.cases_to_approve(user)),
            ("pending", "待审批（全部）", queries.status_cases(user, status=CaseStatus.PENDING).order_by("requested_at", "id")),
            ("disposal", "处置案件", queries.disposal_cases(user, open_only=True).order_by("deadline", "id")),
            ("history", "已办结", queries.status_cases(user).exclude(status=CaseStatus.PENDING).order_by("-decided_at", "-id"))]
    keys = {k for k, _l, _q in tabs}
    counts = [{"key": k, "label": label, "count": qs.count()} for k, label, qs in tabs]
    tab = request.GET.get("tab")
    if tab not in keys:
        tab = next((c["key"] for c in counts if c["count"] and c["key"] != "history"), "pending")
    page = _page(request, {k: qs for k, _l, qs in tabs}[tab])
    return render(request, "members/cases.html", {"tabs": counts, "tab": tab, "page": page,
                                                  "today": timezone.localdate()})


def _timeline(label: str, pk: int) -> list:
    return list(Event.objects.filter(object_type=label, object_id=str(pk)).select_related("actor").order_by("at", "id")[:50])


VERBS = {"member.status_request": "提出申请", "member.status_approve": "审批同意，党籍状态已变更",
         "member.status_reject": "不予批准", "member.status_cancel": "撤回申请",
         "member.disposal_open": "决定限期改正", "member.disposal_close": "登记结果", "member.disposal_outcome": "提出出党申请"}


@never_cache
@login_required
@require_GET
def case_detail(request, cid):
    user = request.user
    case = get_object_or_404(queries.status_cases(user), pk=cid)
    pending = case.status == CaseStatus.PENDING
    can_approve = pending and actions.approves_for(user, case.member) and case.requested_by_id != user.pk
    events = [{"at": e.at, "actor": e.actor, "label": VERBS.get(e.verb, e.verb), "detail": e.detail}
              for e in _timeline("members.statuscase", case.pk)]
    return render(request, "members/case_detail.html", {
        "c": case, "m": case.member, "can_approve": can_approve, "events": events,
        "can_cancel": pending and actions.manages_member(user, case.member) and not can_approve,
        "form": DecisionForm(),
    })


def _approver_case(user, cid) -> StatusCase:
    """Looked up on the approving side: a case of a branch strictly below the user's grants (404 otherwise)."""
    qs = queries.status_cases(user)
    q = queries._above_branch_q(user)
    return get_object_or_404(qs if q is None else qs.filter(q), pk=cid)


def _decide(request, cid, lookup, run, done):
    case = lookup(request.user, cid)
    try:
        run(case)
        messages.success(request, done)
    except ValidationError as e:
        messages.error(request, "；".join(e.messages))
    except PermissionDenied as e:
        raise Http404 from e
    return redirect("members:case_detail", cid=case.pk)


@login_required
@require_POST
def case_approve(request, cid):
    note = request.POST.get("note", "")
    return _decide(request, cid, _approver_case, lambda c: actions.approve_status_case(c, by=request.user, note=note),
                   "已批准，党籍状态已变更")


@login_required
@require_POST
def case_reject(request, cid):
    note = request.POST.get("note", "")
    return _decide(request, cid, _approver_case, lambda c: actions.reject_status_case(c, by=request.user, note=note),
                   "已不予批准")


@login_required
@require_POST
def case_cancel(request, cid):
    def lookup(user, pk):
        return get_object_or_404(StatusCase.objects.restrict(user, ACT).select_related("member"), pk=pk)
    return _decide(request, cid, lookup, lambda c: actions.cancel_status_case(c, by=request.user), "已撤回申请")


# 不合格党员处置 --------------------------------------------------------------------------------------------


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def disposal_new(request, pk):
    member = _managed_member(request.user, pk)
    today = timezone.localdate()
    form = DisposalForm(request.POST or None, initial={"decided_on": today, "deadline": actions.correction_deadline(today)})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            deadline = d["deadline"] or actions.correction_deadline(d["decided_on"])
            case = actions.open_disposal(member, decided_on=d["decided_on"], deadline=deadline, reason=d["reason"],
                                         by=request.user)
        except LookupError as e:
            form.add_error("decided_on", str(e))
        except ValidationError as e:
            add_action_error(form, e)
        else:
            for w in case.warnings:
                messages.warning(request, w.message)
            messages.success(request, f"已登记{member.name}限期改正，期限至{case.deadline:%Y-%m-%d}")
            return redirect("members:disposal_detail", did=case.pk)
    return render(request, "members/disposal_form.html", {"form": form, "m": member})


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def disposal_detail(request, did):
    user = request.user
    case = get_object_or_404(queries.disposal_cases(user), pk=did)
    can_record = case.is_open and actions.manages_member(user, case.member)
    form = DisposalOutcomeForm(request.POST or None, initial={"outcome_on": timezone.localdate()})
    if request.method == "POST":
        if not can_record:
            raise Http404
        if form.is_valid():
            d = form.cleaned_data
            try:
                actions.record_disposal_outcome(case, outcome=d["outcome"], on=d["outcome_on"], note=d["outcome_note"],
                                                by=user)
            except ValidationError as e:
                add_action_error(form, e)
            else:
                messages.success(request, "已登记处置结果")
                return redirect("members:disposal_detail", did=case.pk)
    events = [{"at": e.at, "actor": e.actor, "label": VERBS.get(e.verb, e.verb), "detail": e.detail}
              for e in _timeline("members.disposalcase", case.pk)]
    return render(request, "members/disposal_detail.html", {
        "c": case, "m": case.member, "form": form, "can_record": can_record, "events": events,
        "status_cases": list(case.status_cases.select_related("decided_by").order_by("-requested_at")),
        "today": timezone.localdate(),
    })


def member_life_context(user, member: Member) -> dict:
    """The member page's 流动 / 党籍变更 / 处置 panel: one query for the open cases (four subqueries), one more
    for the outflow only when the member is flagged mobile (the flag follows the record)."""
    from django.db.models import OuterRef, Subquery

    pending = StatusCase.objects.filter(member=OuterRef("pk"), status=CaseStatus.PENDING)
    disposal = DisposalCase.objects.filter(member=OuterRef("pk"), outcome="")
    row = Member.objects.filter(pk=member.pk).annotate(
        case_pk=Subquery(pending.values("pk")[:1]), case_kind=Subquery(pending.values("kind")[:1]),
        case_leave=Subquery(pending.values("leave_type")[:1]),
        disposal_pk=Subquery(disposal.values("pk")[:1]), disposal_deadline=Subquery(disposal.values("deadline")[:1]),
    ).values("case_pk", "case_kind", "case_leave", "disposal_pk", "disposal_deadline").first() or {}
    case = (StatusCase(pk=row["case_pk"], kind=row["case_kind"], leave_type=row["case_leave"] or "")
            if row.get("case_pk") else None)
    disposal_open = DisposalCase(pk=row["disposal_pk"], deadline=row["disposal_deadline"]) if row.get("disposal_pk") else None
    mobile = None
    if member.is_mobile:
        mobile = MobileMembership.objects.current().filter(member=member).select_related("receiving_org").first()
    return {"mobile_now": mobile, "case_pending": case, "disposal_open": disposal_open}
