"""Staff pages around the items: the catalogue editor (公开目录), supervision seats, the review queue
(待我审核), the major matters to publish (待公开事项), the overdue list (逾期未公开) and the villagers' questions
inbox (群众留言).

Reads start from restrict(); writes go through the actions package; out of scope answers 404.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch, prefetch_related_objects
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dangjian.accounts.models import User
from dangjian.core.scope import scope_for
from dangjian.orgs.forms import add_action_error
from dangjian.orgs.models import Org
from dangjian.rules import disclosure as rules
from dangjian.rules.base import value

from . import actions, queries
from .forms import AnswerForm, CancelMatterForm, CatalogEntryForm, MatterForm, ReviewForm, SeatForm
from .models import WRITE_ACTION, CatalogEntry, DisclosureItem, Frequency, Matter, Question, SupervisorSeat

PER_PAGE = 50


def _org(request, action="view", *, param="org") -> Org:
    """The organization named by ?org= (or POST org) within the user's scope for `action`; without one, the
    top organization of the scope. 404 when there is none."""
    qs = Org.objects.restrict(request.user, action)
    code = (request.POST.get(param) or request.GET.get(param) or "").strip()
    org = qs.filter(code=code).first() if code else qs.order_by("depth", "path").first()
    if org is None:
        raise Http404("没有这个党组织，或不在您的管理范围内")
    return org


# ---------------------------------------------------------------- catalogue

@never_cache
@login_required
@require_GET
def catalog(request):
    org = _org(request)
    scope = scope_for(request.user)
    own = list(CatalogEntry.objects.filter(owner=org).order_by("domain", "category", "position", "id"))
    above = list(CatalogEntry.objects.filter(owner_path__in=[org.path[:k] for k in range(4, len(org.path), 4)])
                 .select_related("owner").order_by("owner_path", "domain", "category", "position", "id"))
    return render(request, "disclosure/catalog.html", {
        "org": org, "own": own, "above": above, "can_edit": scope.covers(org.path, "change_org"),
        "seats": list(SupervisorSeat.objects.filter(org__path__startswith=org.path)
                      .select_related("org", "user").order_by("org__path", "id")[:200]),
        "seat_form": SeatForm(),
    })


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def catalog_entry(request, pk=None):
    """New entry (?org= the owner) or edit one (pk)."""
    if pk is None:
        entry = None
        owner = _org(request, "change_org")
    else:
        entry = get_object_or_404(CatalogEntry.objects.restrict(request.user, "change_org").select_related("owner"),
                                  pk=pk)
        owner = entry.owner
    if request.method == "POST":
        form = CatalogEntryForm(request.POST)
        if form.is_valid():
            data = dict(form.cleaned_data)
            try:
                if entry is None:
                    actions.create_entry(owner, data, by=request.user)
                    messages.success(request, f"已添加公开目录事项“{data['title']}”")
                else:
                    actions.update_entry(entry, data, by=request.user)
                    messages.success(request, f"已保存“{data['title']}”")
                return redirect(f"{_url('disclosure:catalog')}?org={owner.code}")
            except ValidationError as e:
                add_action_error(form, e)
    elif entry is not None:
        form = CatalogEntryForm(initial={f: getattr(entry, f) for f in actions.CATALOG_FIELDS})
    else:
        form = CatalogEntryForm(initial={"domain": "rural", "effective_from": timezone.localdate(), "active": True})
    return render(request, "disclosure/catalog_form.html", {"form": form, "owner": owner, "entry": entry})


@login_required
@require_POST
def catalog_install(request):
    owner = _org(request, "change_org")
    added = actions.install_default_catalog(owner, by=request.user)
    messages.success(request, f"已导入默认公开目录事项{added}条" if added else "默认公开目录事项都已存在")
    return redirect(f"{_url('disclosure:catalog')}?org={owner.code}")


@login_required
@require_POST
def seat_add(request):
    org = _org(request, "change_org")
    form = SeatForm(request.POST)
    if form.is_valid():
        user = User.objects.filter(username=form.cleaned_data["username"].strip(), is_active=True).first()
        if user is None:
            messages.error(request, f"用户名：没有用户“{form.cleaned_data['username']}”")
        else:
            try:
                actions.add_seat(org, user, title=form.cleaned_data["title"], by=request.user)
                messages.success(request, f"已将{user.display_name or user.username}设为{org.name}的监督委员会成员")
            except ValidationError as e:
                messages.error(request, "；".join(e.messages))
    else:
        messages.error(request, "；".join(m for errs in form.errors.values() for m in errs))
    return redirect(f"{_url('disclosure:catalog')}?org={org.code}")


@login_required
@require_POST
def seat_remove(request, pk):
    seat = get_object_or_404(SupervisorSeat.objects.filter(
        scope_for(request.user).path_q("org__path", "change_org")).select_related("org", "user"), pk=pk)
    actions.remove_seat(seat, by=request.user)
    messages.success(request, "已移除")
    return redirect(f"{_url('disclosure:catalog')}?org={seat.org.code}")


def _url(name):
    from django.urls import reverse

    return reverse(name)


# ---------------------------------------------------------------- review

@never_cache
@login_required
@require_GET
def reviews(request):
    qs = (queries.reviewable(request.user).select_related("org", "catalog_entry")
          .order_by("submitted_at", "id"))
    page = Paginator(qs, PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "disclosure/reviews.html", {"page": page, "form": ReviewForm()})


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def review(request, pk):
    item = get_object_or_404(queries.reviewable(request.user).select_related("org", "catalog_entry"), pk=pk)
    form = ReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            if form.cleaned_data["decision"] == "approve":
                actions.approve(item, note=form.cleaned_data["note"], by=request.user)
                messages.success(request, f"已审核通过“{item.title}”，由{item.org.name}公开")
            else:
                actions.return_item(item, reason=form.cleaned_data["note"], by=request.user)
                messages.success(request, f"已退回“{item.title}”")
            return redirect("disclosure:reviews")
        except ValidationError as e:
            add_action_error(form, e)
            if hasattr(e, "error_dict") and "note" in e.error_dict:
                form.add_error("note", "请填写退回原因")
    return render(request, "disclosure/review.html", {
        "item": item, "form": form, "lines": list(item.lines.all()), "totals": item.totals(),
        "steps": list(item.review_steps.all()),
    })


@login_required
@require_POST
def submit(request, pk):
    item = get_object_or_404(DisclosureItem.objects.restrict(request.user, WRITE_ACTION), pk=pk)
    try:
        actions.submit(item, by=request.user)
        messages.success(request, f"已提交审核“{item.title}”")
    except ValidationError as e:
        messages.error(request, "；".join(e.messages))
    return redirect("disclosure:detail", pk=item.pk)


# ---------------------------------------------------------------- overdue

@never_cache
@login_required
@require_GET
def overdue(request):
    org = _org(request)
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year") or today.year)
        if not 2000 <= year <= today.year:
            raise ValueError
    except ValueError:
        messages.error(request, f"年份：应为2000至{today.year}之间的年份")
        year = today.year
    rows, total = queries.overdue(org, year, today)
    matters, matters_total = queries.overdue_matters(org, year, today)
    return render(request, "disclosure/overdue.html", {
        "org": org, "year": year, "rows": rows, "total": total, "limit": queries.OVERDUE_LIMIT,
        "matters": matters, "matters_total": matters_total, "years": list(range(today.year, today.year - 4, -1)),
        "grace_days": int(value(rules.GRACE_DAYS)), "major_days": int(value(rules.MAJOR_WITHIN_DAYS)),
    })


# ---------------------------------------------------------------- major matters (待公开事项)

@never_cache
@login_required
@require_GET
def matters(request):
    today = timezone.localdate()
    qs, f = queries.matter_list(request.user, request.GET, today)
    page = Paginator(qs, PER_PAGE).get_page(request.GET.get("page"))
    scope = scope_for(request.user)
    prefetch_related_objects(page.object_list, Prefetch("items", queryset=DisclosureItem.objects.order_by("id")))
    for m in page.object_list:
        m.state = queries.state_of(m, today)
        m.state_label = queries.STATE_LABELS[m.state]
        m.can_write = scope.covers(m.org_path, WRITE_ACTION)
    params = request.GET.copy()
    params.pop("page", None)
    return render(request, "disclosure/matters.html", {
        "page": page, "f": f, "states": list(queries.MATTER_STATE_LABELS.items()),
        "can_register": scope.everything or bool(scope.prefixes(WRITE_ACTION)), "params": params.urlencode(),
        "major_days": int(value(rules.MAJOR_WITHIN_DAYS)), "cancel_form": CancelMatterForm(),
    })


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def matter_new(request):
    """登记待公开事项. Without ?org= the page asks for the organization first: the entries depend on it."""
    scope = scope_for(request.user)
    if not (scope.everything or scope.prefixes(WRITE_ACTION)):
        raise Http404
    code = (request.POST.get("org") or request.GET.get("org") or "").strip()
    org = Org.objects.restrict(request.user, WRITE_ACTION).filter(code=code).first() if code else None
    if code and org is None:
        raise Http404("没有这个党组织，或不在您的管理范围内")
    entries = (list(queries.catalog_for(org).filter(frequency=Frequency.IMMEDIATE)) if org else [])
    form = MatterForm(request.POST if request.method == "POST" and org else None, entries=entries,
                      initial={"catalog_entry": request.GET.get("entry") or "", "occurred_on": timezone.localdate()})
    if request.method == "POST" and org is not None and form.is_valid():
        try:
            matter = actions.register_matter(org, form.cleaned_data, by=request.user)
            messages.success(request, f"已登记“{matter.title}”，应于{matter.deadline:%Y年%m月%d日}前公开")
            return redirect(f"{_url('disclosure:matters')}?org={org.code}")
        except ValidationError as e:
            add_action_error(form, e)
    return render(request, "disclosure/matter_form.html", {
        "org": org, "form": form, "entries": entries, "major_days": int(value(rules.MAJOR_WITHIN_DAYS)),
    })


@login_required
@require_POST
def matter_cancel(request, pk):
    matter = get_object_or_404(Matter.objects.restrict(request.user, WRITE_ACTION).select_related("org"), pk=pk)
    form = CancelMatterForm(request.POST)
    if not form.is_valid():
        messages.error(request, "；".join(m for errs in form.errors.values() for m in errs))
    else:
        try:
            actions.cancel_matter(matter, reason=form.cleaned_data["reason"], by=request.user)
            messages.success(request, f"已撤销登记“{matter.title}”")
        except ValidationError as e:
            messages.error(request, "；".join(e.messages))
    return redirect(f"{_url('disclosure:matters')}?org={matter.org.code}&state=all")


# ---------------------------------------------------------------- questions

@never_cache
@login_required
@require_GET
def questions(request):
    qs = Question.objects.filter(scope_for(request.user).path_q("org_path", "view"))
    state = request.GET.get("state") or "open"
    if state == "open":
        qs = qs.filter(answered_at__isnull=True)
    elif state == "answered":
        qs = qs.filter(answered_at__isnull=False)
    page = Paginator(qs.select_related("item", "org").order_by("answered_at", "-created_at", "-id"),
                     PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "disclosure/questions.html", {"page": page, "state": state})


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def question(request, pk):
    scope = scope_for(request.user)
    q = get_object_or_404(Question.objects.filter(scope.path_q("org_path", "view")).select_related("item", "org"),
                          pk=pk)
    can_answer = scope.covers(q.org_path, WRITE_ACTION)
    form = AnswerForm(request.POST or None, initial={"answer": q.answer, "public": q.public})
    if request.method == "POST":
        if not can_answer:
            raise Http404
        if "public" in request.POST and "answer" not in request.POST:
            try:
                actions.set_public(q, request.POST["public"] == "1", by=request.user)
                messages.success(request, "已更新公开设置")
                return redirect("disclosure:question", pk=q.pk)
            except ValidationError as e:
                messages.error(request, "；".join(e.messages))
        elif form.is_valid():
            try:
                actions.answer(q, text=form.cleaned_data["answer"], public=form.cleaned_data["public"], by=request.user)
                messages.success(request, "已答复" + ("，问题和答复已在公开页显示" if form.cleaned_data["public"] else ""))
                return redirect("disclosure:question", pk=q.pk)
            except ValidationError as e:
                add_action_error(form, e)
    return render(request, "disclosure/question.html", {
        "q": q, "form": form, "can_answer": can_answer,
        # Viewers read the question but not the villager's number; those who answer need it.
        "phone": q.phone if scope.covers(q.org_path, "view_sensitive") else q.phone[:3] + "****" + q.phone[-4:],
    })
