"""Disclosure pages.

Staff side (/disclosure/): reads start from `DisclosureItem.objects.restrict(user, …)`, writes go
through the actions package; out of scope answers 404. Public side (/gk/): no login, published items only,
short public caching; drafts and withdrawn items are never served there (they answer 404).
"""

from types import SimpleNamespace

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q, Sum
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dangjian.core.models import Event
from dangjian.core.scope import scope_for
from dangjian.orgs.forms import add_action_error
from dangjian.orgs.models import Org

from . import actions, queries
from .forms import AttachmentForm, CorrectionForm, DisclosureForm, LineFormSet, WithdrawForm
from .models import (
    CATEGORY_SHORT,
    EDITABLE,
    WRITE_ACTION,
    Attachment,
    Category,
    DisclosureItem,
    LineKind,
    Matter,
    Question,
    Review,
    Status,
)

PER_PAGE = 50
PUBLIC_PER_PAGE = 20
PUBLIC_PREVIEW = 5  # items per category on the overview of /gk/{code}/
PUBLIC_MAX_AGE = 60  # seconds: attachments (immutable once published) may be cached this long
VERB_LABELS = {
    "disclosure.create": "新建草稿", "disclosure.update": "修改草稿", "disclosure.publish": "公开",
    "disclosure.correct": "发布更正", "disclosure.withdraw": "撤回", "disclosure.delete": "删除草稿",
    "disclosure.attach": "上传附件", "disclosure.detach": "删除附件", "disclosure.submit": "提交审核",
    "disclosure.approve": "审核通过", "disclosure.return": "退回修改", "disclosure.question": "群众留言",
    "disclosure.answer": "答复留言", "disclosure.question_public": "留言公开设置",
}



def _item(request, pk, action="view") -> DisclosureItem:
    return get_object_or_404(DisclosureItem.objects.restrict(request.user, action)
                             .select_related("org", "catalog_entry", "matter"), pk=pk)


def _can_write_somewhere(user) -> bool:
    scope = scope_for(user)
    return scope.everything or bool(scope.prefixes(WRITE_ACTION))


def _with_totals(qs):
    return qs.annotate(
        income=Sum("lines__amount", filter=Q(lines__kind=LineKind.INCOME)),
        expense=Sum("lines__amount", filter=Q(lines__kind=LineKind.EXPENSE)),
    )


# ---------------------------------------------------------------- staff side

@never_cache
@login_required
@require_GET
def item_list(request):
    qs, f = queries.staff_list(request.user, request.GET)
    page = Paginator(qs, PER_PAGE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(request, "disclosure/list.html", {
        "page": page, "f": f, "statuses": Status.choices, "categories": Category.choices,
        "can_create": _can_write_somewhere(request.user), "params": params.urlencode(),
    })


def _form_lines(formset) -> list[dict]:
    return [ln for ln in (form.line() for form in formset.forms) if ln]


def _initial_lines(item):
    return [{"kind": ln.kind, "item": ln.item, "amount": f"{ln.amount:.2f}", "note": ln.note}
            for ln in item.lines.all()]


def _initial(item) -> dict:
    return {
        "category": item.category, "title": item.title, "period_label": item.period_label,
        "period_start": item.period_start, "period_end": item.period_end, "body": item.body,
        "declared_income": f"{item.declared_income:.2f}" if item.declared_income is not None else "",
        "declared_expense": f"{item.declared_expense:.2f}" if item.declared_expense is not None else "",
        "catalog_entry": item.catalog_entry_id or "", "period": item.period, "matter": item.matter_id or "",
    }


def _data(form) -> dict:
    d = dict(form.cleaned_data)
    d.pop("correction_note", None)
    if isinstance(form, CorrectionForm):  # a correction keeps the item's catalogue entry, period and matter
        for key in actions.CATALOG_KEYS:
            d.pop(key, None)
    return d


def _matters(org) -> list:
    """The registered matters an item of `org` may publish (not cancelled), newest first, for the form's choice."""
    if org is None:
        return []
    return list(Matter.objects.filter(org=org, cancelled_at__isnull=True).select_related("catalog_entry")
                .order_by("-occurred_on", "-id")[:100])


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def create(request):
    user = request.user
    if not _can_write_somewhere(user):
        raise Http404
    writable = Org.objects.restrict(user, WRITE_ACTION)
    code = request.POST.get("org") or request.GET.get("org") or ""
    org = writable.filter(code=code).first() if code else None
    org_errors = []
    if request.method == "POST":
        form = DisclosureForm(request.POST)
        lines = LineFormSet(request.POST, prefix="lines")
        if org is None:
            org_errors.append("请选择公开单位（您有权发布的党组织）")
        if form.is_valid() and lines.is_valid() and org is not None:
            try:
                item = actions.create_draft(org, _data(form), lines=_form_lines(lines), by=user)
                if "publish" in request.POST:
                    actions.publish(item, by=user)
                    messages.success(request, f"已公开“{item.title}”")
                else:
                    messages.success(request, f"已保存草稿“{item.title}”")
                return redirect("disclosure:detail", pk=item.pk)
            except ValidationError as e:
                add_action_error(form, e)
                if hasattr(e, "error_dict") and "lines" in e.error_dict:
                    lines.line_errors = [m for err in e.error_dict["lines"] for m in err.messages]
    else:
        initial = {"category": request.GET.get("category") or "", "catalog_entry": request.GET.get("entry") or "",
                   "period": request.GET.get("period") or "", "matter": request.GET.get("matter") or ""}
        matter = (Matter.objects.filter(org=org, pk=initial["matter"]).select_related("catalog_entry").first()
                  if org and initial["matter"].isdigit() else None)
        if matter is not None:  # from the matters list: the item is about that matter
            initial.update(catalog_entry=matter.catalog_entry_id, category=matter.catalog_entry.category,
                           title=matter.title)
        form = DisclosureForm(initial=initial)
        lines = LineFormSet(prefix="lines")
    return render(request, "disclosure/form.html", {
        "form": form, "lines": lines, "org": org, "org_errors": org_errors, "mode": "create",
        "entries": list(queries.catalog_for(org)) if org else [], "matters": _matters(org),
    })


@never_cache
@login_required
@require_GET
def detail(request, pk):
    item = _item(request, pk)
    scope = scope_for(request.user)
    can_write = scope.covers(item.org_path, WRITE_ACTION)
    versions = []
    v = item
    for _ in range(queries.MAX_CHAIN):
        if v.supersedes_id is None:
            break
        v = v.supersedes
        versions.append(v)
    newer = DisclosureItem.objects.filter(supersedes=item).first()
    events = [
        {"at": e.at, "actor": e.actor, "label": VERB_LABELS.get(e.verb, e.verb), "detail": e.detail}
        for e in Event.objects.filter(object_type="disclosure.disclosureitem", object_id=str(item.pk))
        .select_related("actor")[:50]
    ]
    steps = list(item.review_steps.all())
    matter = None
    if item.matter_id:
        from django.utils import timezone

        matter = Matter.objects.with_published_at().get(pk=item.matter_id)
        matter.state = queries.state_of(matter, timezone.localdate())
        matter.state_label = queries.STATE_LABELS[matter.state]
    return render(request, "disclosure/detail.html", {
        "matter": matter,
        "needs_review": bool(item.catalog_entry_id and item.catalog_entry.review != Review.NONE),
        "steps": steps, "last_step": steps[-1] if steps else None, "question_count": item.questions.count(),
        "item": item, "lines": list(item.lines.all()), "totals": item.totals(),
        "attachments": list(item.attachments.all()), "can_write": can_write, "versions": versions,
        "newer": newer, "events": events, "attach_form": AttachmentForm(),
        "public_url": reverse("gk:item", args=[item.org.code, item.pk]),
    })


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def edit(request, pk):
    item = _item(request, pk, WRITE_ACTION)
    if item.status not in EDITABLE:
        messages.error(request, "只有草稿或被退回的内容可以修改；已公开的内容请用“更正”发布新版本")
        return redirect("disclosure:detail", pk=item.pk)
    if request.method == "POST":
        form = DisclosureForm(request.POST)
        lines = LineFormSet(request.POST, prefix="lines")
        if form.is_valid() and lines.is_valid():
            try:
                actions.update_draft(item, _data(form), lines=_form_lines(lines), by=request.user)
                if "publish" in request.POST:
                    actions.publish(item, by=request.user)
                    messages.success(request, f"已公开“{item.title}”")
                else:
                    messages.success(request, "草稿已保存")
                return redirect("disclosure:detail", pk=item.pk)
            except ValidationError as e:
                add_action_error(form, e)
                if hasattr(e, "error_dict") and "lines" in e.error_dict:
                    lines.line_errors = [m for err in e.error_dict["lines"] for m in err.messages]
    else:
        form = DisclosureForm(initial=_initial(item))
        lines = LineFormSet(prefix="lines", initial=_initial_lines(item))
    return render(request, "disclosure/form.html", {"form": form, "lines": lines, "org": item.org,
                                                    "item": item, "mode": "edit",
                                                    "entries": list(queries.catalog_for(item.org)),
                                                    "matters": _matters(item.org)})


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def correct(request, pk):
    item = _item(request, pk, WRITE_ACTION)
    if item.status != Status.PUBLISHED:
        messages.error(request, "只有已公开的内容可以更正")
        return redirect("disclosure:detail", pk=item.pk)
    if request.method == "POST":
        form = CorrectionForm(request.POST, initial={"category": item.category})
        lines = LineFormSet(request.POST, prefix="lines")
        if form.is_valid() and lines.is_valid():
            try:
                new = actions.correct(item, _data(form), lines=_form_lines(lines),
                                      note=form.cleaned_data["correction_note"], by=request.user)
                messages.success(request, f"已发布更正（第{new.version}版），原版本在公开页上标为已更正")
                return redirect("disclosure:detail", pk=new.pk)
            except ValidationError as e:
                add_action_error(form, e)
                if hasattr(e, "error_dict") and "lines" in e.error_dict:
                    lines.line_errors = [m for err in e.error_dict["lines"] for m in err.messages]
    else:
        form = CorrectionForm(initial=_initial(item))
        lines = LineFormSet(prefix="lines", initial=_initial_lines(item))
    return render(request, "disclosure/form.html", {"form": form, "lines": lines, "org": item.org,
                                                    "item": item, "mode": "correct"})


@login_required
@require_POST
def publish(request, pk):
    item = _item(request, pk, WRITE_ACTION)
    try:
        actions.publish(item, by=request.user)
        messages.success(request, f"已公开“{item.title}”")
    except ValidationError as e:
        messages.error(request, "；".join(e.messages))
    return redirect("disclosure:detail", pk=item.pk)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def withdraw(request, pk):
    item = _item(request, pk, WRITE_ACTION)
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.withdraw(item, reason=form.cleaned_data["reason"], by=request.user)
            messages.success(request, f"已撤回“{item.title}”，公开页不再显示")
            return redirect("disclosure:detail", pk=item.pk)
        except ValidationError as e:
            add_action_error(form, e)
    return render(request, "disclosure/withdraw.html", {"item": item, "form": form})


@login_required
@require_POST
def delete(request, pk):
    item = _item(request, pk, WRITE_ACTION)
    try:
        actions.delete_draft(item, by=request.user)
    except ValidationError as e:
        messages.error(request, "；".join(e.messages))
        return redirect("disclosure:detail", pk=item.pk)
    messages.success(request, f"已删除草稿“{item.title}”")
    return redirect("disclosure:list")


@login_required
@require_POST
def attach(request, pk):
    item = _item(request, pk, WRITE_ACTION)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            actions.add_attachment(item, form.cleaned_data["file"], by=request.user)
            messages.success(request, "附件已上传")
        except ValidationError as e:
            messages.error(request, "；".join(e.messages))
    else:
        messages.error(request, "；".join(m for errs in form.errors.values() for m in errs))
    return redirect("disclosure:detail", pk=item.pk)


@login_required
@require_POST
def detach(request, pk, att):
    item = _item(request, pk, WRITE_ACTION)
    attachment = get_object_or_404(Attachment, disclosure=item, pk=att)
    try:
        actions.remove_attachment(attachment, by=request.user)
        messages.success(request, "附件已删除")
    except ValidationError as e:
        messages.error(request, "；".join(e.messages))
    return redirect("disclosure:detail", pk=item.pk)


def _file_response(att: Attachment, *, public: bool):
    try:
        fh = att.file.open("rb")
    except FileNotFoundError:
        raise Http404("附件文件不存在") from None
    resp = FileResponse(fh, content_type=att.content_type, as_attachment=not (att.is_image or
                        att.content_type == "application/pdf"), filename=att.name)
    # Even a PDF with scripts cannot act as this site.
    resp["Content-Security-Policy"] = "sandbox"
    if public:
        patch_cache_control(resp, public=True, max_age=PUBLIC_MAX_AGE)
    else:
        patch_cache_control(resp, private=True, no_store=True)
    return resp


@login_required
@require_GET
def attachment(request, pk, att):
    item = _item(request, pk)
    return _file_response(get_object_or_404(Attachment, disclosure=item, pk=att), public=False)


# ---------------------------------------------------------------- public side

def _public(template: str, context: dict) -> HttpResponse:
    """Rendered without the request's context processors: they read the session (the user, messages),
    which would add "Vary: Cookie" and make the page uncacheable for shared caches."""
    resp = HttpResponse(render_to_string(template, context))
    patch_cache_control(resp, public=True, max_age=PUBLIC_MAX_AGE)
    return resp


def _cached_public(request, code: str, render):
    """The page from the server-side cache while nothing public of the organization changed, else `render(org)`
    (and keep it); see public_cache. Browsers and proxies revalidate every time (no-cache + ETag: 304 while
    unchanged), so no cache anywhere shows an item after it was withdrawn."""
    import hashlib

    from . import public_cache

    path = request.get_full_path()
    if public_cache.shared():  # no database query for a kept page
        org = None
        stamp, html = public_cache.lookup(code, path)
    else:
        org = queries.public_org(code)
        stamp, html = public_cache.lookup(code, path, org.stamp)
    etag = '"' + hashlib.sha1(f"{code}|{stamp}|{path}".encode()).hexdigest()[:32] + '"'
    if etag in request.headers.get("If-None-Match", ""):
        resp = HttpResponse(status=304)
    else:
        if html is None:
            html = render(org or queries.public_org(code))
            public_cache.keep(code, path, stamp, html)
        resp = HttpResponse(html)
    resp["ETag"] = etag
    patch_cache_control(resp, public=True, no_cache=True, max_age=0)
    return resp


def _parent(org: Org):
    """The parent the page names ("上级党组织"): read with the organization by queries.public_org."""
    if org.depth <= 1 or not getattr(org, "parent_name", None):
        return None
    return SimpleNamespace(name=org.parent_name)


PUBLIC_CASES = 10


def _public_cases(org):
    """The organization's latest public 小微权力 cases with their steps (two queries)."""
    from django.db.models import Prefetch

    from dangjian.micropower.models import Case, CaseStep

    cases = list(Case.objects.filter(org=org, public=True).select_related("power")
                 .prefetch_related(Prefetch("steps", queryset=CaseStep.objects.order_by("position")))
                 .order_by("-opened_on", "-id")[:PUBLIC_CASES])
    for c in cases:
        c.current = next((s for s in c.steps.all() if s.done_on is None), None) if c.status == "open" else None
    return cases


@require_GET
def public_org(request, code):
    return _cached_public(request, code, lambda org: _render_public_org(request, org))


def _render_public_org(request, org) -> str:
    counts = queries.public_counts(org)
    items = _with_totals(queries.public_items(org))
    chosen = request.GET.get("c") or ""
    sections, page = [], None
    if chosen in Category.values:
        page = Paginator(items.filter(category=chosen), PUBLIC_PER_PAGE).get_page(request.GET.get("page"))
        sections.append({"category": chosen, "label": CATEGORY_SHORT[chosen], "items": list(page.object_list),
                         "count": counts.get(chosen, 0)})
    else:
        chosen = ""
        for value, _label in Category.choices:
            if counts.get(value):
                sections.append({"category": value, "label": CATEGORY_SHORT[value],
                                 "items": list(items.filter(category=value)[:PUBLIC_PREVIEW]),
                                 "count": counts[value]})
    tabs = [{"value": v, "label": CATEGORY_SHORT[v], "count": counts.get(v, 0)} for v in Category.values]
    cases = [] if chosen else _public_cases(org)
    return render_to_string("disclosure/public_org.html", {
        "cases": cases,
        "org": org, "parent": _parent(org), "sections": sections, "tabs": tabs, "chosen": chosen,
        "page": page, "total": sum(counts.values()),
    })


@require_GET
def public_item(request, code, pk):
    return _cached_public(request, code, lambda org: _render_public_item(request, org, pk))


def _render_public_item(request, org, pk) -> str:
    item, head = queries.public_item(org, pk)
    versions = []
    v = head
    for _ in range(queries.MAX_CHAIN):
        if v.supersedes_id is None:
            break
        v = v.supersedes
        versions.append(v)
    return render_to_string("disclosure/public_item.html", {
        "org": org, "parent": _parent(org), "item": item, "head": head, "versions": versions,
        "lines": list(item.lines.all()), "totals": item.totals(), "attachments": list(item.attachments.all()),
        # Only what the organization made public, and only the masked text and the answer: never the phone.
        "answers": list(Question.objects.filter(item__in=[item, head], public=True, answered_at__isnull=False)
                        .order_by("-answered_at").values("kind", "public_body", "answer", "answered_at", "created_at")),
        "can_ask": item.pk == head.pk,
    })


@require_GET
def public_attachment(request, code, pk, att):
    org = queries.public_org(code)
    item, _head = queries.public_item(org, pk)
    return _file_response(get_object_or_404(Attachment, disclosure=item, pk=att), public=True)


@require_GET
def poster(request, code):
    """A notice-board poster: the organization, a QR code and the address in large print."""
    import segno

    org = queries.public_org(code)
    url = request.build_absolute_uri(reverse("gk:org", args=[org.code]))
    qr = segno.make(url, error="m")
    return _public("disclosure/poster.html", {
        "org": org, "parent": _parent(org), "url": url,
        "qr_svg": qr.svg_inline(scale=10, border=2, dark="#000", omitsize=True),
    })


# ---------------------------------------------------------------- villagers' questions (public)

ASK_SALT = "dangjian.disclosure.ask"
ASK_TOKEN_MAX_AGE = 24 * 3600


def _ask_token(item_pk: int) -> str:
    import time

    from django.core import signing

    return signing.dumps({"i": item_pk, "t": int(time.time())}, salt=ASK_SALT)


def _check_ask(request, item, form) -> str | None:
    """None when the submission may go on, else the reason (shown in Chinese). Spam resistance without a
    CAPTCHA service: a honeypot field, a signed token that proves the form was served (and not too
    recently), and per-IP and per-phone limits in the cache."""
    import time

    from django.core import signing
    from django.core.cache import cache

    from dangjian.rules import disclosure as rules
    from dangjian.rules.base import value

    if form.cleaned_data.get("website"):
        return "提交失败，请刷新页面后重试"
    try:
        data = signing.loads(form.cleaned_data.get("token") or "", salt=ASK_SALT, max_age=ASK_TOKEN_MAX_AGE)
    except signing.BadSignature:
        return "页面已过期，请刷新页面后重新填写"
    if data.get("i") != item.pk:
        return "页面已过期，请刷新页面后重新填写"
    if time.time() - data.get("t", 0) < int(value(rules.QUESTION_MIN_SECONDS)):
        return "提交过快，请稍候再提交"
    limit = int(value(rules.QUESTIONS_PER_HOUR))
    phone = actions.normalize_phone(form.cleaned_data.get("phone") or "")
    keys = [f"gk-ask:ip:{request.META.get('REMOTE_ADDR', '')}"] + ([f"gk-ask:phone:{phone}"] if phone else [])
    for key in keys:
        cache.add(key, 0, 3600)
        try:
            n = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, 3600)
            n = 1
        if n > limit:
            return f"留言过于频繁：同一网络或手机号每小时最多{limit}条，请稍后再试"
    return None


@csrf_exempt  # anonymous and sessionless: the signed form token stands in for the CSRF cookie
@never_cache
@require_http_methods(["GET", "POST"])
def ask(request, code, pk):
    """The villager's question form (no login, no session, no cookie): GET serves it with a fresh token;
    POST checks it and stores the question. Not cached: every form carries its own token."""
    from .forms import AskForm

    org = queries.public_org(code)
    item, head = queries.public_item(org, pk)
    if item.pk != head.pk:
        return redirect("gk:ask", code=org.code, pk=head.pk)
    done = False
    if request.method == "POST":
        form = AskForm(request.POST)
        if form.is_valid():
            problem = _check_ask(request, item, form)
            if problem:
                form.add_error(None, problem)
            else:
                try:
                    actions.ask(item, kind=form.cleaned_data["kind"], body=form.cleaned_data["body"],
                                phone=form.cleaned_data["phone"])
                    done = True
                except ValidationError as e:
                    add_action_error(form, e)
        form = form if not done else None
    else:
        form = AskForm()
    if form is not None:
        form.fields["token"].initial = _ask_token(item.pk)
        form.data = form.data.copy() if form.is_bound else form.data
        if form.is_bound:
            form.data["token"] = form.fields["token"].initial
            form.data["website"] = ""
    resp = HttpResponse(render_to_string("disclosure/public_ask.html", {
        "org": org, "parent": _parent(org), "item": item, "form": form, "done": done,
    }), status=200)
    patch_cache_control(resp, private=True, no_store=True)
    return resp
