"""Transfer pages: the to-do list (/transfers/), start (/transfers/new/?member=<id>), detail with timeline,
the step buttons, the 介绍信 download and the registration of members arriving from outside.

Reads start from `Transfer.objects.restrict(user, …)` or its side-specific forms; a step is looked up on
the side that may do it, so the wrong side answers 404. Writes go through actions.py.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dangjian.core import audit
from dangjian.core.models import Event
from dangjian.core.scope import scope_for
from dangjian.members.models import Member
from dangjian.orgs.forms import add_action_error
from dangjian.orgs.models import BRANCH_TYPES, Org

from . import actions, letter, queries
from .forms import ApproveForm, IncomingForm, ReceiptForm, RejectForm, StartForm
from .models import ACT, Kind, Status, Transfer

PER_PAGE = 30
TABS = [
    ("approve", "待审批", queries.to_approve),
    ("accept", "待接收", queries.to_accept),
    ("receipt", "待回执", queries.awaiting_receipt),
    ("overdue", "已超期", queries.overdue),
    ("mine", "我发起的", queries.started_open),
    ("history", "历史", queries.history),
]
VERB_LABELS = {
    "transfer.start": "发起转接", "transfer.approve": "审批同意，开具介绍信", "transfer.accept": "接收，转接完成",
    "transfer.reject": "退回", "transfer.cancel": "撤销", "transfer.receipt": "登记回执，转接完成",
    "transfer.register_in": "转入登记", "transfer.letter": "下载介绍信",
}


def _error_text(e: ValidationError) -> str:
    return "；".join(e.messages)


@never_cache
@login_required
@require_GET
def todo(request):
    user = request.user
    tab = request.GET.get("tab") or ""
    funcs = {key: fn for key, _label, fn in TABS}
    # One COUNT per tab: the badges tell a secretary on a phone where work waits.
    tabs = [{"key": key, "label": label, "count": fn(user).count()} for key, label, fn in TABS]
    if tab not in funcs:
        tab = next((t["key"] for t in tabs if t["count"] and t["key"] != "history"), "history")
    page = Paginator(funcs[tab](user), PER_PAGE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    for t in page:
        t.overdue_now = t.is_overdue(today)
        t.can_approve = tab == "approve"
        t.can_accept = tab == "accept"
    return render(request, "transfers/todo.html", {
        "tabs": tabs, "tab": tab, "page": page, "reject_form": RejectForm(),
        "can_start": queries.may_start_somewhere(user),
    })


def _managed_member(user, pk) -> Member:
    member = Member.objects.restrict(user, ACT).filter(pk=pk).select_related("org").first()
    if member is None or not actions.manages(user, member.org_path):
        raise Http404("党员不存在")
    return member


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def start(request):
    user = request.user
    if not queries.may_start_somewhere(user):
        raise Http404
    pk = request.POST.get("member") or request.GET.get("member") or ""
    if not str(pk).isdigit():
        raise Http404("请从党员页面发起转接")
    member = _managed_member(user, int(pk))
    open_one = Transfer.objects.open().filter(member=member).first()
    target = None
    if request.method == "POST":
        form = StartForm(request.POST)
        if form.is_valid():
            d = form.cleaned_data
            code = (d["to_org"] or "").strip()
            if d["kind"] == Kind.INTERNAL and code:
                target = Org.objects.filter(code=code).first()
                if target is None:
                    form.add_error("to_org", f"没有编码为“{code}”的党组织")
            if not form.errors:
                try:
                    t = actions.start(member, to_org=target, reason=d["reason"], by=user, kind=d["kind"],
                                      to_name=d["to_name"])
                    messages.success(request, f"已发起{member.name}的组织关系转接，等待审批")
                    return redirect("transfers:detail", pk=t.pk)
                except ValidationError as e:
                    add_action_error(form, e)
    else:
        form = StartForm()
    return render(request, "transfers/start.html", {"form": form, "member": member, "open_one": open_one,
                                                    "target": target})


@never_cache
@login_required
@require_GET
def targets(request):
    """htmx: branches of the whole platform matching the typed name or code (any branch may receive)."""
    if not queries.may_start_somewhere(request.user):
        raise Http404
    found = list(queries.branch_targets(request.GET.get("q", "")))
    return render(request, "transfers/_targets.html", {"found": found, "q": request.GET.get("q", "")})


def _timeline(t: Transfer) -> list[dict]:
    events = Event.objects.filter(object_type="transfers.transfer", object_id=str(t.pk)).select_related("actor").order_by("at", "id")
    return [{"at": e.at, "actor": e.actor, "label": VERB_LABELS.get(e.verb, e.verb), "detail": e.detail} for e in events[:50]]


@never_cache
@login_required
@require_GET
def detail(request, pk):
    user = request.user
    t = get_object_or_404(queries.base(Transfer.objects.restrict(user, "view")), pk=pk)
    sending = actions.manages(user, t.org_path)
    receiving = t.to_org_id is not None and actions.manages(user, t.to_org.path)
    pending = t.status == Status.PENDING
    approved = t.status == Status.APPROVED
    ctx = {
        "t": t, "timeline": _timeline(t), "overdue": t.is_overdue(),
        "can_approve": sending and pending and t.started_by_id != user.pk,
        "can_cancel": sending and pending and t.started_by_id == user.pk,
        "can_accept": receiving and approved and t.kind == Kind.INTERNAL,
        "can_receipt": sending and approved and t.kind == Kind.OUT,
        "can_reject": t.is_open and actions.may_reject(t, user),
        "can_letter": sending and bool(t.letter_no) and t.kind != Kind.IN,
        "can_pdf": letter.pdf_available(),
        "approve_form": ApproveForm(initial={"validity_days": actions.validity_default()}),
        "validity_max": actions.validity_max(), "reject_form": RejectForm(),
        "receipt_form": ReceiptForm(initial={"receipt_on": timezone.localdate()}),
    }
    return render(request, "transfers/detail.html", ctx)


def _step(request, pk, lookup, run, done_msg):
    """POST one step: look the transfer up on the acting side (404 otherwise), run the action, go back."""
    t = get_object_or_404(lookup, pk=pk)
    try:
        run(t)
        messages.success(request, done_msg)
    except ValidationError as e:
        messages.error(request, _error_text(e))
    except PermissionDenied as e:
        raise Http404 from e
    nxt = request.POST.get("next") or ""
    if nxt == "todo":
        return redirect("transfers:todo")
    return redirect("transfers:detail", pk=pk)


def _form_errors(request, pk, lookup, form) -> HttpResponse | None:
    """An invalid step form: 404 for the wrong side first (existence not leaked), then the messages."""
    if form.is_valid():
        return None
    get_object_or_404(lookup, pk=pk)
    messages.error(request, "；".join(m for errs in form.errors.values() for m in errs))
    return redirect("transfers:detail", pk=pk)


@login_required
@require_POST
def approve(request, pk):
    lookup = Transfer.objects.sending(request.user)
    form = ApproveForm(request.POST)
    if (bad := _form_errors(request, pk, lookup, form)) is not None:
        return bad
    days = form.cleaned_data.get("validity_days")
    return _step(request, pk, lookup, lambda t: actions.approve(t, by=request.user, validity_days=days),
                 "已审批同意，介绍信已开具")


@login_required
@require_POST
def accept(request, pk):
    return _step(request, pk, Transfer.objects.receiving(request.user),
                 lambda t: actions.accept(t, by=request.user), "已接收，党员已转入本支部")


@login_required
@require_POST
def reject(request, pk):
    return _step(request, pk, Transfer.objects.restrict(request.user, ACT),
                 lambda t: actions.reject(t, by=request.user, reason=request.POST.get("reason", "")), "已退回")


@login_required
@require_POST
def cancel(request, pk):
    return _step(request, pk, Transfer.objects.sending(request.user),
                 lambda t: actions.cancel(t, by=request.user), "已撤销")


@login_required
@require_POST
def receipt(request, pk):
    lookup = Transfer.objects.sending(request.user)
    form = ReceiptForm(request.POST)
    if (bad := _form_errors(request, pk, lookup, form)) is not None:
        return bad
    on = form.cleaned_data["receipt_on"]
    return _step(request, pk, lookup, lambda t: actions.record_receipt(t, by=request.user, received_on=on),
                 "已登记回执，转接完成")


@never_cache
@login_required
@require_GET
def letter_docx(request, pk):
    """The 介绍信 carries the full ID number: the sending side only, and the download is logged."""
    t = get_object_or_404(queries.base(Transfer.objects.sending(request.user)), pk=pk)
    if not t.letter_no or t.kind == Kind.IN:
        raise Http404("该转接尚未开具介绍信")
    if not scope_for(request.user).covers(t.org_path, "view_sensitive"):
        raise Http404
    audit.record("transfer.letter", actor=request.user, obj=t, detail={"letter_no": t.letter_no})
    resp = HttpResponse(letter.build(t), content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    resp["Content-Disposition"] = f"attachment; filename=\"transfer-{t.pk}.docx\"; filename*=UTF-8''%E4%BB%8B%E7%BB%8D%E4%BF%A1-{t.pk}.docx"
    return resp


@never_cache
@login_required
@require_GET
def letter_pdf(request, pk):
    """The same letter as a PDF, under the same rule as the Word file; 404 where WeasyPrint cannot run."""
    t = get_object_or_404(queries.base(Transfer.objects.sending(request.user)), pk=pk)
    if not t.letter_no or t.kind == Kind.IN:
        raise Http404("该转接尚未开具介绍信")
    if not scope_for(request.user).covers(t.org_path, "view_sensitive") or not letter.pdf_available():
        raise Http404
    audit.record("transfer.letter", actor=request.user, obj=t, detail={"letter_no": t.letter_no, "format": "pdf"})
    resp = HttpResponse(letter.build_pdf(t), content_type="application/pdf")
    resp["Content-Disposition"] = f"attachment; filename=\"transfer-{t.pk}.pdf\"; filename*=UTF-8''%E4%BB%8B%E7%BB%8D%E4%BF%A1-{t.pk}.pdf"
    return resp


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def incoming(request):
    """转入登记: a member arriving from another system, registered by a branch the user manages."""
    user = request.user
    if not queries.may_start_somewhere(user):
        raise Http404
    branches = list(Org.objects.restrict(user, ACT).filter(org_type__in=BRANCH_TYPES).order_by("code")[:500])
    if not branches:
        raise Http404
    if request.method == "POST":
        form = IncomingForm(request.POST, branches=branches)
        if form.is_valid():
            d = form.cleaned_data
            to_org = next(o for o in branches if o.code == d["to_org"])
            try:
                t = actions.register_incoming(
                    form.member_data(), to_org=to_org, from_name=d["from_name"], letter_no=d["letter_no"],
                    letter_issued_on=d["letter_issued_on"], reason=d["reason"], by=user,
                )
                messages.success(request, f"已登记{t.member.name}转入{to_org.name}")
                return redirect("transfers:detail", pk=t.pk)
            except ValidationError as e:
                add_action_error(form, e)
    else:
        form = IncomingForm(branches=branches, initial={"to_org": request.GET.get("org", "")})
    return render(request, "transfers/incoming.html", {"form": form})
