"""Member pages: the scoped list with filters and search, the member page (masked numbers, logged reveal),
add/edit with errors next to their fields, 党籍 status changes and history. Every read starts from
Member.objects.restrict; every write goes through members.actions."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from dangjian.core import idcard
from dangjian.core.dates import age_on
from dangjian.core.models import Event
from dangjian.orgs.forms import add_action_error
from dangjian.orgs.models import BRANCH_TYPES, Org

from . import actions
from .choices import AGE_BANDS, ETHNICITIES, Category, Education, Gender, Status
from .forms import MemberForm, SelfForm, StatusForm
from .models import Member
from .queries import FilterError, counted_total, member_list, parse_filter

PAGE_SIZE = 50


def _cursor(params):
    raw = (params.get("after") or "").strip()
    if not raw:
        return None
    path, _, pk = raw.rpartition(",")
    if not path or not pk.isdigit():
        raise FilterError("翻页参数无效")
    return path, int(pk)


@login_required
def member_list_view(request):
    try:
        f = parse_filter(request.user, request.GET)
        after = _cursor(request.GET)
    except FilterError as e:
        return HttpResponseBadRequest(str(e))
    qs = member_list(request.user, f)
    total = counted_total(request.user, f, qs)
    page_qs = qs
    if after:
        page_qs = qs.filter(Q(org_path__gt=after[0]) | Q(org_path=after[0], id__gt=after[1]))
    rows = list(page_qs[: PAGE_SIZE + 1])
    has_next = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    today = dt.date.today()
    for m in rows:
        m.age = age_on(m.birth_date, f.as_of or today)
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
    export_qs = params.urlencode()
    ctx = {
        "f": f, "rows": rows, "total": total, "next_url": next_url, "first_url": first_url, "export_qs": export_qs,
        "is_history": bool(f.as_of),
        "can_add": Org.objects.restrict(request.user, "change_member").filter(org_type__in=BRANCH_TYPES).exists(),
        "choices": {
            "category": Category.choices, "gender": Gender.choices, "education": Education.choices,
            "age": [(k, label) for k, label, _lo, _hi in AGE_BANDS], "status": Status.choices,
            "ethnicity": [("汉族", "汉族"), ("少数民族", "少数民族")] + [(e, e) for e in ETHNICITIES if e != "汉族"],
        },
        "q": request.GET,
    }
    template = "members/_results.html" if request.htmx and request.htmx.target == "results" else "members/list.html"
    return render(request, template, ctx)


def _get_visible(request, pk) -> Member:
    return get_object_or_404(Member.objects.restrict(request.user, "view").select_related("org", "user"), pk=pk)


def _member_context(request, member, *, reveal=False):
    user = request.user
    is_self = member.user_id is not None and member.user_id == user.pk
    can_sensitive = Member.objects.restrict(user, "view_sensitive").filter(pk=member.pk).exists()
    can_change = Member.objects.restrict(user, "change_member").filter(pk=member.pk).exists()
    full = is_self or (reveal and can_sensitive)
    return {
        "m": member, "is_self": is_self, "can_sensitive": can_sensitive, "can_change": can_change,
        "can_edit_self": is_self and not can_change, "full": full,
        "id_shown": member.id_number if full else idcard.mask(member.id_number),
        "phone_shown": member.phone if full else idcard.mask_phone(member.phone),
        "age": age_on(member.birth_date, dt.date.today()),
        "can_transfer": can_change and member.status == Status.NORMAL,
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


def _form_data(cd: dict, org) -> dict:
    data = {k: cd.get(k) for k in ("name", "id_number", "birth_date", "ethnicity", "education", "category",
                                   "joined_on", "confirmed_on", "job", "phone", "address", "is_mobile",
                                   "mobile_destination", "lost_contact", "lost_contact_on")}
    data["gender"] = cd.get("gender") or None
    data["org"] = org
    for k in ("job", "phone", "address", "mobile_destination"):
        data[k] = data[k] or ""
    return data


@login_required
def member_create(request):
    user = request.user
    code = request.POST.get("org") if request.method == "POST" else request.GET.get("org", "")
    chosen = _branch_choice(user, code) if code else None
    if chosen is None and not code:
        mine = list(Org.objects.restrict(user, "change_member").filter(org_type__in=BRANCH_TYPES)[:2])
        if not mine:
            raise Http404("没有可以添加党员的党支部")
        if len(mine) == 1:
            chosen = mine[0]
    elif chosen is None:
        raise Http404("党支部不存在")
    form = MemberForm(request.POST or None)
    org_errors = []
    if request.method == "POST" and form.is_valid():
        if chosen is None:
            org_errors.append("请选择所在党支部")
        else:
            try:
                member = actions.create_member(_form_data(form.cleaned_data, chosen), by=user, source="页面录入")
            except ValidationError as e:
                org_errors = list(getattr(e, "error_dict", {}).get("org", [])) and [
                    m for err in e.error_dict["org"] for m in err.messages]
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
                                                 "category", "joined_on", "confirmed_on", "job", "phone", "address",
                                                 "is_mobile", "mobile_destination", "lost_contact", "lost_contact_on")}
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
    form = StatusForm(request.POST or None, initial={"status": member.status, "on": dt.date.today()})
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        try:
            actions.change_status(member, cd["status"], reason=cd["reason"], on=cd["on"], by=request.user)
        except ValidationError as e:
            add_action_error(form, e)
        else:
            messages.success(request, f"{member.name} 的党籍状态已改为“{member.get_status_display()}”")
            return redirect("members:detail", pk=pk)
    return render(request, "members/status.html", {"form": form, "m": member})


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


HIDDEN_HISTORY_FIELDS = {"org_path", "created_at", "user"}


@login_required
def member_history(request, pk):
    member = _get_visible(request, pk)
    full = Member.objects.restrict(request.user, "view_sensitive").filter(pk=pk).exists() or member.user_id == request.user.pk
    records = list(member.history.select_related("history_user", "org").order_by("-history_date", "-history_id")[:200])
    orgs = {o.pk: o.name for o in Org.objects.filter(pk__in={r.org_id for r in records})}
    versions = []
    for newer, older in zip(records, records[1:] + [None]):
        changes = []
        if older is not None:
            delta = newer.diff_against(older)
            for c in delta.changes:
                if c.field in HIDDEN_HISTORY_FIELDS:
                    continue
                field = Member._meta.get_field(c.field)
                old, new = c.old, c.new
                if c.field == "org":
                    old, new = orgs.get(old, old), orgs.get(new, new)
                else:
                    old, new = _display(field, old), _display(field, new)
                if c.field in ("id_number", "phone") and not full:
                    mask = idcard.mask if c.field == "id_number" else idcard.mask_phone
                    old, new = mask(str(old)) if old != "—" else old, mask(str(new)) if new != "—" else new
                changes.append({"label": field.verbose_name, "old": old, "new": new})
        versions.append({"r": newer, "changes": changes, "created": older is None})
    events = list(Event.objects.filter(object_type="members.member", object_id=str(pk)).select_related("actor")[:200])
    for e in events:
        e.label = EVENT_LABELS.get(e.verb, e.verb)
    return render(request, "members/history.html", {"m": member, "versions": versions, "events": events})


EVENT_LABELS = {
    "member.create": "录入党员", "member.update": "修改信息", "member.status": "党籍状态变更",
    "member.view_sensitive": "查看完整身份证号和电话", "member.export": "导出",
}

