"""Organization pages: the tree, an organization's page, its history, and the forms that change it.

Reads start from `Org.objects.restrict(user, action)`; anything outside answers 404. Writes go through
actions.py; their Chinese ValidationErrors are shown next to the fields they name.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseBadRequest, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from dangjian.core.models import Event
from dangjian.core.scope import scope_for
from dangjian.members.choices import Status
from dangjian.members.models import Member
from dangjian.rules import terms as term_rules

from . import actions, queries
from .forms import CommitteeMemberForm, EndServiceForm, MoveForm, OrgForm, TermForm, add_action_error
from .models import BRANCH_TYPES, CommitteeMember, Org, OrgType

CHILDREN_PER_PAGE = 100
# A lazily loaded tree level shows at most this many children; the org page pages through the rest.
TREE_LEVEL_LIMIT = 200
HISTORY_LIMIT = 100
EVENT_LIMIT = 200

STATUS_BADGES = {"ok": "text-bg-success", "expiring": "text-bg-warning", "expired": "text-bg-danger"}


def _org(request, code: str, action: str = "view") -> Org:
    return get_object_or_404(Org.objects.restrict(request.user, action), code=code)


def _can_change(user, org: Org) -> bool:
    return scope_for(user).covers(org.path, "change_org")


def _can_restructure(user, org: Org) -> bool:
    """Moving or deleting needs change_org on the parent too: the top of one's own scope is changed
    by the organization above (a township cannot dissolve or move itself)."""
    scope = scope_for(user)
    if org.depth <= 1:
        return scope.everything
    return scope.covers(org.path[: -Org.steplen], "change_org")


# ---------------------------------------------------------------- tree and search

@login_required
@require_GET
def tree(request):
    user = request.user
    q = (request.GET.get("q") or "").strip()
    results = queries.search(user, q) if q else None
    if request.htmx and request.htmx.target == "search-results":
        return render(request, "orgs/_search_results.html", {"results": results, "q": q})
    roots = list(queries.scope_roots(user, "view").order_by("path"))
    open_children, open_more = None, False
    if len(roots) == 1 and roots[0].numchild:
        # One root (a county, a township): show its first level right away, one click fewer.
        open_children = list(queries.children_in_scope(user, roots[0])[: TREE_LEVEL_LIMIT + 1])
        open_more = len(open_children) > TREE_LEVEL_LIMIT
        open_children = open_children[:TREE_LEVEL_LIMIT]
    return render(request, "orgs/tree.html", {
        "roots": roots, "open_children": open_children, "open_more": open_more, "results": results, "q": q,
    })


@login_required
@require_GET
def children(request, code):
    org = _org(request, code)
    nodes = list(queries.children_in_scope(request.user, org)[: TREE_LEVEL_LIMIT + 1])
    return render(request, "orgs/_tree_nodes.html", {
        "nodes": nodes[:TREE_LEVEL_LIMIT], "more": len(nodes) > TREE_LEVEL_LIMIT, "parent": org,
    })


@login_required
@require_GET
def autocomplete(request):
    """Scoped organization picker: [{code, name, path_names, org_type, org_type_label}, …] (top 50).

    `action` is the scope the picked org must be in (view, change_org, change_member); `kind`
    "branch" or "parent" narrows to where members belong or where children may be added;
    `exclude` drops an organization with its subtree (the move page).
    """
    action = request.GET.get("action") or "view"
    if action not in queries.ACTIONS:
        return HttpResponseBadRequest("action 参数无效")
    exclude = None
    if request.GET.get("exclude"):
        exclude = Org.objects.restrict(request.user, "view").filter(code=request.GET["exclude"]).first()
    found = queries.search(request.user, request.GET.get("q", ""), action=action,
                           kind=request.GET.get("kind", ""), exclude=exclude)
    return JsonResponse([
        {"code": o.code, "name": o.name, "path_names": o.path_names, "org_type": o.org_type,
         "org_type_label": o.get_org_type_display()}
        for o in found
    ], safe=False)


# ---------------------------------------------------------------- organization page

@login_required
@require_GET
def detail(request, code):
    user = request.user
    org = _org(request, code)
    scope = scope_for(user)
    ancestors = list(Org.objects.restrict(user, "view").filter(path__in=org.ancestor_paths()[:-1]).order_by("path"))
    parent = None
    parent_in_scope = False
    if org.depth > 1:
        if ancestors and ancestors[-1].depth == org.depth - 1:
            parent, parent_in_scope = ancestors[-1], True
        else:
            # The parent is part of this org's record (its 隶属关系) even when it lies above the scope.
            parent = org.parent_org()
    kids = Paginator(queries.children_in_scope(user, org), CHILDREN_PER_PAGE)
    children_page = kids.get_page(request.GET.get("page")) if org.numchild else None
    term, serving, past, terms = queries.committee(org)
    today = timezone.localdate()
    status = term.status(today) if term else None
    can_change = _can_change(user, org)
    return render(request, "orgs/detail.html", {
        "org": org, "ancestors": ancestors, "parent": parent, "parent_in_scope": parent_in_scope,
        "children_page": children_page, "term": term, "term_status": status,
        "term_status_label": term_rules.TERM_STATUS_LABELS.get(status, ""),
        "term_status_badge": STATUS_BADGES.get(status, ""),
        "serving": serving, "past": past, "past_terms": terms[1:],
        "can_change": can_change, "can_restructure": can_change and _can_restructure(user, org),
        "can_view_members": scope.everything or bool(scope.prefixes("view")),
        # 发展党员 files: a grant's scope only; a plain member sees their branch's page but not its files.
        "can_view_files": scope.covers(org.path, "view"),
        "can_add_child": can_change and org.org_type not in BRANCH_TYPES,
    })


@login_required
@require_GET
def history(request, code):
    org = _org(request, code)
    versions = list(org.history.select_related("history_user").order_by("-history_date", "-history_id")[: HISTORY_LIMIT + 1])
    rows = []
    for i, v in enumerate(versions[:HISTORY_LIMIT]):
        prev = versions[i + 1] if i + 1 < len(versions) else None
        changes = []
        if prev is not None:
            delta = v.diff_against(prev)
            changes = [(_label(c.field), _shown(c.field, c.old), _shown(c.field, c.new)) for c in delta.changes]
        rows.append({"v": v, "changes": changes, "reason": _reason(v.history_change_reason),
                     "kind": {"+": "创建", "~": "修改", "-": "撤销"}.get(v.history_type, "")})
    events = list(Event.objects.filter(object_type="orgs.org", object_id=str(org.pk)).select_related("actor")[:EVENT_LIMIT])
    for e in events:
        e.verb_label, e.summary = _event_text(e)
    return render(request, "orgs/history.html", {
        "org": org, "rows": rows, "more_versions": len(versions) > HISTORY_LIMIT, "events": events,
    })


def _label(field_name: str) -> str:
    try:
        return str(Org._meta.get_field(field_name).verbose_name)
    except FieldDoesNotExist:  # a field since removed from the model but kept in old versions
        return field_name


def _shown(field_name: str, val) -> str:
    if val in (None, ""):
        return "（空）"
    try:
        choices = dict(Org._meta.get_field(field_name).choices or ())
    except FieldDoesNotExist:
        choices = {}
    return str(choices.get(val, val))


SOURCES = {"form": "页面编辑", "import": "批量导入", "api": "接口", "demo": "演示数据"}


def _reason(reason: str | None) -> str:
    return SOURCES.get(reason or "", reason or "")


EVENT_VERBS = {
    "org.create": "新建党组织", "org.update": "修改信息", "org.move": "调整隶属关系", "org.delete": "撤销党组织",
    "org.term": "换届", "org.committee": "班子成员任职", "org.committee_end": "班子成员离任",
}


def _event_text(e: Event) -> tuple[str, str]:
    d = e.detail or {}
    verb = EVENT_VERBS.get(e.verb, e.verb)
    if e.verb == "org.update":
        text = "修改了：" + "、".join(_label(f) for f in d.get("fields", []))
    elif e.verb == "org.move":
        text = f"由 {d.get('from') or '（无）'} 调整到 {d.get('to')}"
        if d.get("reason"):
            text += f"；原因：{d['reason']}"
    elif e.verb == "org.term":
        text = f"第{d.get('number')}届，{d.get('elected_on')} 换届，任期{d.get('years')}年"
    elif e.verb == "org.committee":
        text = f"{d.get('name')} 任{d.get('position')}"
    elif e.verb == "org.committee_end":
        text = f"{d.get('name')} 于 {d.get('ended_on')} 离任"
    elif e.verb == "org.create":
        text = f"上级：{d.get('parent') or '（无）'}；来源：{_reason(d.get('source'))}"
    else:
        text = ""
    return verb, text


# ---------------------------------------------------------------- writes

@login_required
@require_http_methods(["GET", "POST"])
def create(request):
    user = request.user
    code = request.GET.get("parent") or request.POST.get("parent") or ""
    if code:
        parent = _org(request, code, "change_org")
    elif scope_for(user).everything:
        parent = None  # a new root (a whole city) is for the system administrator only
    else:
        raise Http404("请从上级党组织页面新建下级组织")
    if parent is not None and parent.org_type in BRANCH_TYPES:
        messages.error(request, f"“{parent.name}”是{parent.get_org_type_display()}，不能设下级党组织")
        return redirect("orgs:detail", code=parent.code)
    if request.method == "POST":
        form = OrgForm(request.POST)
        if form.is_valid():
            try:
                org = actions.create_org(form.cleaned_data, parent=parent, by=user)
            except ValidationError as e:
                add_action_error(form, e)
            else:
                messages.success(request, f"已新建“{org.name}”")
                return redirect("orgs:detail", code=org.code)
    else:
        initial = {"org_type": OrgType.BRANCH}
        if parent is not None:
            initial["domain"] = parent.domain
        form = OrgForm(initial=initial)
    if parent is not None:
        form.fields["code"].help_text = (f"全市唯一。建议在上级编码后加两位序号，如 {parent.code}{parent.numchild + 1:02d}")
    return render(request, "orgs/form.html", {"form": form, "parent": parent, "org": None})


@login_required
@require_http_methods(["GET", "POST"])
def edit(request, code):
    org = _org(request, code, "change_org")
    if request.method == "POST":
        form = OrgForm(request.POST)
        if form.is_valid():
            try:
                changed = actions.update_org(org, form.cleaned_data, by=request.user)
            except ValidationError as e:
                add_action_error(form, e)
            else:
                if changed:
                    messages.success(request, "已保存，修改了：" + "、".join(_label(f) for f in changed))
                else:
                    messages.info(request, "没有修改任何内容")
                return redirect("orgs:detail", code=org.code)
    else:
        form = OrgForm(initial={f: getattr(org, f) for f in actions.ORG_FIELDS})
    form.fields["code"].help_text = "编码是导入导出时识别党组织的依据，一般不要修改"
    return render(request, "orgs/form.html", {"form": form, "org": org, "parent": None})


@login_required
@require_http_methods(["GET", "POST"])
def move(request, code):
    user = request.user
    org = _org(request, code, "change_org")
    if not _can_restructure(user, org):
        raise Http404("本级党组织的隶属关系由上级调整")
    parent = org.parent_org()
    if request.method == "POST":
        form = MoveForm(request.POST)
        if form.is_valid():
            new_parent = Org.objects.restrict(user, "change_org").filter(code=form.cleaned_data["parent"]).first()
            if new_parent is None:
                form.add_error("parent", "请从列表中选择您有权管理的上级党组织")
            else:
                try:
                    actions.move_org(org, new_parent, by=user, reason=form.cleaned_data["reason"])
                except ValidationError as e:
                    add_action_error(form, e)
                else:
                    messages.success(request, f"已将“{org.name}”调整到“{new_parent.name}”之下")
                    return redirect("orgs:detail", code=org.code)
    else:
        form = MoveForm()
    chosen = None
    if form.is_bound and form.data.get("parent"):
        chosen = Org.objects.restrict(user, "change_org").filter(code=form.data["parent"]).first()
    return render(request, "orgs/move.html", {
        "org": org, "parent": parent, "form": form, "chosen": chosen,
        "member_count": org.subtree_total,
    })


@login_required
@require_http_methods(["GET", "POST"])
def delete(request, code):
    user = request.user
    org = _org(request, code, "change_org")
    if not _can_restructure(user, org):
        raise Http404("本级党组织由上级撤销")
    parent = org.parent_org()
    error = ""
    if request.method == "POST":
        try:
            actions.delete_org(org, by=user)
        except ValidationError as e:
            error = " ".join(e.messages)
        else:
            messages.success(request, f"已撤销“{org.name}”（{org.code}）")
            return redirect("orgs:detail", code=parent.code) if parent else redirect("orgs:tree")
    members = Member.objects.filter(org=org).count()
    if not error and (org.numchild or members):
        error = (f"“{org.name}”还有{org.numchild}个下级党组织，请先移走或撤销下级组织" if org.numchild else
                 f"“{org.name}”还有{members}名党员（含已离开的党员档案），不能撤销；请先转移党员组织关系")
    return render(request, "orgs/delete.html", {"org": org, "parent": parent, "error": error, "members": members},
                  status=400 if request.method == "POST" else 200)


@login_required
@require_http_methods(["GET", "POST"])
def term_new(request, code):
    org = _org(request, code, "change_org")
    default_years = term_rules.default_term_years(org.org_type, org.domain)
    last = org.current_term()
    if request.method == "POST":
        form = TermForm(request.POST)
        if form.is_valid():
            d = form.cleaned_data
            try:
                term = actions.add_term(org, elected_on=d["elected_on"], years=d["years"], number=d["number"],
                                        note=d["note"], by=request.user)
            except ValidationError as e:
                add_action_error(form, e)
            else:
                messages.success(request, f"已录入第{term.number}届，届满日期 {term.ends_on:%Y-%m-%d}；请继续录入班子成员")
                return redirect("orgs:detail", code=org.code)
    else:
        form = TermForm(initial={"years": default_years, "number": ((last.number or 0) + 1) if last else 1})
    return render(request, "orgs/term_form.html", {"org": org, "form": form, "default_years": default_years, "last": last})


@login_required
@require_http_methods(["GET", "POST"])
def committee_new(request, code):
    org = _org(request, code, "change_org")
    term = org.current_term()
    if term is None:
        messages.warning(request, "请先录入届次（换届信息），再录入班子成员")
        return redirect("orgs:term_new", code=org.code)
    members = None
    if org.org_type in BRANCH_TYPES:
        members = Member.objects.restrict(request.user, "view").filter(org=org, status=Status.NORMAL).order_by("name_pinyin", "id")
    if request.method == "POST":
        form = CommitteeMemberForm(request.POST, members=members)
        if form.is_valid():
            d = form.cleaned_data
            try:
                cm = actions.add_committee_member(term, name=d["name"], position=d["position"], started_on=d["started_on"],
                                                  duty=d["duty"], member=d.get("member"), by=request.user)
            except ValidationError as e:
                add_action_error(form, e)
            else:
                messages.success(request, f"已录入{cm}")
                return redirect("orgs:detail", code=org.code)
    else:
        form = CommitteeMemberForm(members=members, initial={"started_on": term.elected_on})
    return render(request, "orgs/committee_form.html", {"org": org, "term": term, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def committee_end(request, code, pk):
    org = _org(request, code, "change_org")
    cm = get_object_or_404(CommitteeMember.objects.select_related("term"), pk=pk, term__org=org, ended_on__isnull=True)
    if request.method == "POST":
        form = EndServiceForm(request.POST)
        if form.is_valid():
            try:
                actions.end_committee_service(cm, ended_on=form.cleaned_data["ended_on"], by=request.user)
            except ValidationError as e:
                add_action_error(form, e)
            else:
                messages.success(request, f"已登记{cm.name}离任")
                return redirect(reverse("orgs:detail", kwargs={"code": org.code}) + "#committee")
    else:
        form = EndServiceForm()
    return render(request, "orgs/committee_end.html", {"org": org, "cm": cm, "form": form})
