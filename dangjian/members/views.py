"""Member pages: the scoped list with filters and search, the member page (masked numbers, logged reveal),
add/edit with errors next to their fields, 党籍 status changes and history. Every read starts from
Member.objects.restrict; every write goes through members.actions."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from dangjian.core import idcard
from dangjian.core import phone as phones
from dangjian.core.dates import age_on
from dangjian.core.models import Event
from dangjian.core.scope import scope_for
from dangjian.orgs.forms import add_action_error
from dangjian.orgs.models import BRANCH_TYPES, Org
from dangjian.orgs.queries import sole_scope_root

from . import actions, views_life
from .choices import AGE_BANDS, ETHNICITIES, Category, Education, Gender, Status
from .forms import MemberForm, SelfForm, StatusForm
from .models import Member
from .queries import FILTER_PARAMS, FilterError, MemberFilter, counted_total, member_list, parse_filter

PAGE_SIZE = 50
# Past this many branches in the user's scope the form uses the typed org search instead of a <select>.
MAX_BRANCH_SELECT = 200

ETHNICITY_FILTER = [("汉族", "汉族"), ("少数民族", "少数民族（全部）")] + [(e, e) for e in ETHNICITIES if e != "汉族"]


def _cursor(params):
    raw = (params.get("after") or "").strip()
    if not raw:
        return None
    path, _, pk = raw.rpartition(",")
    if not path or not pk.isdigit():
        raise FilterError("翻页参数无效，请回到第一页")
    return path, int(pk)


def _filter_values(params) -> dict:
    """What the filter form shows: the submitted strings, so a rejected value stays visible next to its message."""
    values = {k: (params.get(k) or "").strip() for k in FILTER_PARAMS}
    values["status"] = values["status"] or ("all" if "status" in params else "normal")
    return values


@login_required
def member_list_view(request):
    user = request.user
    values = _filter_values(request.GET)
    error = None
    try:
        f = parse_filter(user, request.GET)
        after = _cursor(request.GET)
    except FilterError as e:
        error = str(e)
        f, after = MemberFilter(org=_org_or_404(user, values["org"])), None
    if error is None and f.as_of and f.as_of > timezone.localdate():
        error = f"历史名单的日期（{f.as_of:%Y-%m-%d}）不能晚于今天；查看当前名单请清空该日期"
        f.as_of = None
    rows, total, has_next = [], 0, False
    if error is None:
        qs = member_list(user, f)
        total = counted_total(user, f, qs)
        page_qs = qs
        if after:
            page_qs = qs.filter(Q(org_path__gt=after[0]) | Q(org_path=after[0], id__gt=after[1]))
        rows = list(page_qs[: PAGE_SIZE + 1])
        has_next = len(rows) > PAGE_SIZE
        rows = rows[:PAGE_SIZE]
    on = f.as_of or timezone.localdate()
    for m in rows:
        m.age = age_on(m.birth_date, on)
        m.id_masked = idcard.mask(m.id_number)
        m.phone_masked = idcard.mask_phone(m.phone)
    params = request.GET.copy()
    params.pop("after", None)
    next_url = None
    if has_next:
        params["after"] = f"{rows[-1].org_path},{rows[-1].id}"
        next_url = "?" + params.urlencode()
        params.pop("after")
    first_url = "?" + params.urlencode() if after else None
    export_params = params.copy()
    export_params.pop("format", None)
    narrowing = [k for k in ("category", "gender", "education", "age", "ethnicity", "joined_year", "phone", "as_of")
                 if values[k]]
    ctx = {
        "f": f, "v": values, "error": error, "rows": rows, "total": total, "next_url": next_url,
        "first_url": first_url, "export_qs": export_params.urlencode(), "is_history": bool(f.as_of),
        "one_branch": _one_branch(user, f.org),  # no "a sheet per branch" export for a list of one branch
        "page_start": bool(not after), "open_filters": bool(narrowing) or values["status"] != "normal" or error,
        "n_filters": len(narrowing) + (values["status"] != "normal"),
        "can_add": Org.objects.restrict(user, "change_member").filter(org_type__in=BRANCH_TYPES).exists(),
        # a roster to export: not for a plain member, whose list is their own record
        "can_export": scope_for(user).everything or bool(scope_for(user).prefixes("view")),
        "choices": {
            "category": Category.choices, "gender": Gender.choices, "education": Education.choices,
            "age": [(k, label) for k, label, _lo, _hi in AGE_BANDS], "status": Status.choices,
            "ethnicity": ETHNICITY_FILTER, "phone": [("missing", "未填写"), ("suspect", "号码待核对")],
        },
    }
    fragment = bool(request.htmx and request.htmx.target == "results")
    ctx["fragment"] = fragment
    template = "members/_results.html" if fragment else "members/list.html"
    # htmx swaps only 2xx answers: a rejected filter is shown in the fragment; a full page says 400.
    status = 400 if error and not fragment else 200
    return render(request, template, ctx, status=status)


def _one_branch(user, org) -> bool:
    """Whether the list is of one branch: the one it is filtered to, or the user's whole scope."""
    org = org if org is not None else sole_scope_root(user)
    return org is not None and org.is_branch


def _org_or_404(user, code):
    if not code:
        return None
    org = Org.objects.restrict(user, "view").filter(code=code).first()
    if org is None:
        raise Http404("党组织不存在")
    return org


def _get_visible(request, pk) -> Member:
    return get_object_or_404(Member.objects.restrict(request.user, "view").select_related("org", "user"), pk=pk)


def _member_context(request, member, *, reveal=False):
    user = request.user
    is_self = member.user_id is not None and member.user_id == user.pk
    # The grants are already loaded: covering the member's branch path is what restrict() would test (the own-record
    # link reaches view and update_self only), without two more queries.
    scope = scope_for(user)
    can_sensitive = scope.covers(member.org_path, "view_sensitive")
    can_change = scope.covers(member.org_path, "change_member")
    full = is_self or (reveal and can_sensitive)
    return {
        "m": member, "is_self": is_self, "can_sensitive": can_sensitive, "can_change": can_change,
        "can_edit_self": is_self and not can_change, "full": full,
        "id_shown": member.id_number if full else idcard.mask(member.id_number),
        "phone_shown": member.phone if full else idcard.mask_phone(member.phone),
        # a number kept from before the check that cannot be a mobile number, said to who may correct it (without
        # quoting it: the number may be shown masked)
        "phone_suspect": (can_change or is_self) and phones.problem(member.phone) is not None,
        "age": age_on(member.birth_date, timezone.localdate()),
        "can_transfer": can_change and member.status == Status.NORMAL,
        **views_life.member_life_context(user, member),
    }


@login_required
def member_detail(request, pk):
    member = _get_visible(request, pk)
    return render(request, "members/detail.html", _member_context(request, member))


@login_required
@require_POST
def member_reveal(request, pk):
    """Show the full ID and phone numbers to admin/secretary scope, and log that they were seen."""
    member = get_object_or_404(Member.objects.restrict(request.user, "view_sensitive").select_related("org"), pk=pk)
    actions.record_sensitive_view(member, by=request.user)
    return render(request, "members/detail.html", _member_context(request, member, reveal=True))


def _branch_choice(user, code):
    return Org.objects.restrict(user, "change_member").filter(code=code, org_type__in=BRANCH_TYPES).first()


def _branch_groups(user):
    """The branches the user may add members to, grouped under their parent organization for a <select>,
    or None when there are too many for a list (then the form uses the typed search). Two queries."""
    branches = list(Org.objects.restrict(user, "change_member").filter(org_type__in=BRANCH_TYPES)
                    .order_by("path").only("code", "name", "path")[: MAX_BRANCH_SELECT + 1])
    if len(branches) > MAX_BRANCH_SELECT:
        return None
    steplen = Org.steplen
    parents = dict(Org.objects.filter(path__in={b.path[:-steplen] for b in branches}).values_list("path", "name"))
    groups: dict[str, list] = {}
    for b in branches:
        groups.setdefault(parents.get(b.path[:-steplen], "其他"), []).append((b.code, b.name))
    return list(groups.items())


def _form_data(cd: dict, org) -> dict:
    data = {k: cd.get(k) for k in ("name", "id_number", "birth_date", "ethnicity", "education", "category",
                                   "joined_on", "confirmed_on", "job", "phone", "address")}
    data["gender"] = cd.get("gender") or None
    data["org"] = org
    for k in ("job", "phone", "address"):
        data[k] = data[k] or ""
    return data


@login_required
def member_create(request):
    user = request.user
    code = (request.POST.get("org") if request.method == "POST" else request.GET.get("org", "")) or ""
    chosen = _branch_choice(user, code) if code else None
    if code and chosen is None:
        # Outside the user's change_member scope, not a branch, or unknown: all look the same.
        raise Http404("党支部不存在")
    groups = _branch_groups(user)
    if groups is not None and not groups:
        raise Http404("没有可以添加党员的党支部")
    if chosen is None and groups is not None and len(groups) == 1 and len(groups[0][1]) == 1:
        chosen = _branch_choice(user, groups[0][1][0][0])
    initial = {"org": chosen.code} if chosen else {}
    form = MemberForm(request.POST or None, initial=initial, branch_groups=groups)
    org_errors = []
    if request.method == "POST" and form.is_valid():
        if chosen is None:
            form.add_error("org" if "org" in form.fields else None, "请选择所在党支部")
            org_errors = ["请选择所在党支部"]
        else:
            try:
                member = actions.create_member(_form_data(form.cleaned_data, chosen), by=user, source="页面录入")
            except ValidationError as e:
                org_errors = [m for err in getattr(e, "error_dict", {}).get("org", []) for m in err.messages]
                add_action_error(form, e)
            else:
                messages.success(request, f"已添加党员 {member.name}")
                return redirect("members:detail", pk=member.pk)
    return render(request, "members/form.html", {"form": form, "chosen": chosen, "org_errors": org_errors,
                                                 "title": "添加党员", "member": None})


@login_required
def member_edit(request, pk):
    user = request.user
    member = get_object_or_404(Member.objects.restrict(user, "update_self").select_related("org"), pk=pk)
    can_change = Member.objects.restrict(user, "change_member").filter(pk=pk).exists()
    if not can_change:
        form = SelfForm(request.POST or None, initial={"phone": member.phone, "address": member.address})
        if request.method == "POST" and form.is_valid():
            try:
                changed = actions.update_member(member, {k: form.cleaned_data[k] for k in actions.SELF_EDITABLE_FIELDS},
                                                by=user, source="本人修改")
            except ValidationError as e:
                add_action_error(form, e)
            else:
                messages.success(request, "已保存" if changed else "没有修改任何内容")
                return redirect("members:detail", pk=pk)
        return render(request, "members/self_form.html", {"form": form, "m": member})
    initial = {f: getattr(member, f) for f in ("name", "id_number", "gender", "birth_date", "ethnicity", "education",
                                                 "category", "joined_on", "confirmed_on", "job", "phone", "address")}
    form = MemberForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            changed = actions.update_member(member, _form_data(form.cleaned_data, member.org), by=user, source="页面修改")
        except ValidationError as e:
            add_action_error(form, e)
        else:
            messages.success(request, f"已保存（修改了{len(changed)}项）" if changed else "没有修改任何内容")
            return redirect("members:detail", pk=pk)
    return render(request, "members/form.html", {"form": form, "chosen": member.org, "fixed_org": True,
                                                 "title": f"编辑党员信息：{member.name}", "member": member})


@login_required
def member_status(request, pk):
    member = get_object_or_404(Member.objects.restrict(request.user, "change_member").select_related("org"), pk=pk)
    # A status change is the committee above's decision (党员教育管理工作条例): the branch asks for it through a case;
    # the committee above may record one directly (its own decision, or a correction).
    may_record = actions.approves_for(request.user, member)
    if not may_record:
        if request.method == "POST":
            messages.error(request, actions.DIRECT_STATUS_REFUSED)
        return render(request, "members/status.html", {"m": member, "may_record": False})
    form = StatusForm(request.POST or None, initial={"status": member.status, "on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        try:
            actions.change_status(member, cd["status"], reason=cd["reason"], on=cd["on"], by=request.user)
        except ValidationError as e:
            add_action_error(form, e)
        else:
            messages.success(request, f"{member.name} 的党籍状态已改为“{member.get_status_display()}”")
            return redirect("members:detail", pk=pk)
    return render(request, "members/status.html", {"form": form, "m": member, "may_record": True})


def _display(field, value):
    if value is None or value == "":
        return "—"
    if field.choices:
        return dict(field.flatchoices).get(value, value)
    if isinstance(value, bool):
        return "是" if value else "否"
    if field.is_relation:
        return str(value)
    return str(value)


HIDDEN_HISTORY_FIELDS = {"org_path", "created_at"}
# Older writers named their source in English; show every source in Chinese.
SOURCE_LABELS = {"form": "录入", "api": "接口（API）", "cli": "命令行导入", "web": "页面"}


def _source(text: str) -> str:
    return SOURCE_LABELS.get(text, text)
HISTORY_LIMIT = 200


@login_required
def member_history(request, pk):
    member = _get_visible(request, pk)
    full = Member.objects.restrict(request.user, "view_sensitive").filter(pk=pk).exists() or member.user_id == request.user.pk
    # One row past the limit tells whether the oldest shown version is the creation or just the page's end.
    records = list(member.history.select_related("history_user")
                   .order_by("-history_date", "-history_id")[: HISTORY_LIMIT + 1])
    complete = len(records) <= HISTORY_LIMIT
    orgs = dict(Org.objects.filter(pk__in={r.org_id for r in records}).values_list("pk", "name"))
    versions = []
    for newer, older in zip(records[:HISTORY_LIMIT], records[1:] + [None]):
        changes = []
        if older is not None:
            for c in newer.diff_against(older).changes:
                if c.field in HIDDEN_HISTORY_FIELDS:
                    continue
                field = Member._meta.get_field(c.field)
                if c.field == "org":
                    old, new = orgs.get(c.old, c.old), orgs.get(c.new, c.new)
                elif c.field == "user":  # whether a login is linked, not whose (account names are not roster data)
                    old, new = ("已关联" if x else "未关联" for x in (c.old, c.new))
                else:
                    old, new = _display(field, c.old), _display(field, c.new)
                if c.field in ("id_number", "phone") and not full:
                    mask = idcard.mask if c.field == "id_number" else idcard.mask_phone
                    old, new = (mask(str(x)) if x != "—" else x for x in (old, new))
                changes.append({"label": field.verbose_name, "old": old, "new": new})
        versions.append({"r": newer, "changes": changes, "created": older is None and complete,
                         "reason": _source(newer.history_change_reason or ""),
                         "org_name": orgs.get(newer.org_id, "")})
    events = _member_events(member)
    return render(request, "members/history.html", {"m": member, "versions": versions, "events": events,
                                                    "full": full, "truncated": not complete})


def _member_events(member) -> list:
    """The business events about this member and about their 组织关系转接 (two queries), each with a
    Chinese description."""
    from django.apps import apps

    q = Q(object_type="members.member", object_id=str(member.pk))
    if apps.is_installed("dangjian.transfers"):
        transfer_ids = [str(pk) for pk in member.transfers.values_list("pk", flat=True)]
        if transfer_ids:
            q |= Q(object_type="transfers.transfer", object_id__in=transfer_ids)
    events = list(Event.objects.filter(q).select_related("actor").order_by("-at", "-id")[:200])
    for e in events:
        e.label = EVENT_LABELS.get(e.verb, e.verb)
        e.text = _event_text(e)
        e.sensitive = e.verb == "member.view_sensitive"
    return events


def _field_labels(names) -> str:
    labels = []
    for n in names or []:
        try:
            labels.append(str(Member._meta.get_field(n).verbose_name))
        except Exception:  # a field renamed since the event was written keeps its code name
            labels.append(n)
    return "、".join(labels)


def _event_text(e) -> str:
    d = e.detail or {}
    if e.verb == "member.create":
        return f"来源：{_source(d['source'])}" if d.get("source") else ""
    if e.verb == "member.update":
        text = f"修改了{_field_labels(d.get('fields'))}"
        return text + (f"（{_source(d['source'])}）" if d.get("source") else "")
    if e.verb == "member.status":
        return f"{d.get('from', '')} → {d.get('to', '')}，原因：{d.get('reason', '')}"
    if e.verb == "dues.payment":
        months = "、".join(m[:7] for m in d.get("months", []))
        return f"{d.get('amount', '')} 元（{months}）" if months else f"{d.get('amount', '')} 元"
    if e.verb == "dues.reminder":
        return f"连续 {d['unpaid_months']} 个月未交" if d.get("unpaid_months") else ""
    if e.verb in ("transfer.start", "transfer.reject") and d.get("reason"):
        return f"原因：{d['reason']}"
    if e.verb in ("transfer.approve", "transfer.register_in") and d.get("letter_no"):
        return f"介绍信编号：{d['letter_no']}"
    return ""


EVENT_LABELS = {
    "member.create": "录入党员", "member.update": "修改信息", "member.status": "党籍状态变更",
    "member.view_sensitive": "查看完整身份证号和电话", "member.export": "导出",
    "dues.payment": "缴纳党费", "dues.reminder": "催缴党费",
    "transfer.start": "发起组织关系转接", "transfer.approve": "批准组织关系转接", "transfer.accept": "接收组织关系",
    "transfer.reject": "退回组织关系转接", "transfer.cancel": "撤回组织关系转接", "transfer.receipt": "回执已收到",
    "transfer.register_in": "登记转入", "transfer.letter": "打印介绍信",
}
