"""Recruitment pages: the board of a branch or committee (/recruitment/org/<code>/), an applicant's file with
the timeline of the 25 steps and the next step's form (/recruitment/<pk>/), opening a file
(/recruitment/new/) and the yearly plans (/recruitment/plans/).

Reads start from `restrict`; a file outside the scope answers 404. Writes go through actions.py; a hard rule
comes back next to its field, soft warnings are shown after saving and kept on the step.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from dangjian.core.scope import scope_for
from dangjian.members.choices import Status as MemberStatus
from dangjian.members.models import Member
from dangjian.orgs.forms import add_action_error
from dangjian.orgs.models import Org, OrgType
from dangjian.rules import recruitment as rules

from . import actions, queries
from .forms import ApplicantForm, PlanForm, StepForm
from .models import ACT, Applicant, Stage, StepAttachment

PER_PAGE = 30
CHILDREN_LIMIT = 100
PEOPLE_LIMIT = 300
ORG_CHOICES_LIMIT = 500
# Branches that take applications (a 临时党支部 does not admit members).
OPENING_TYPES = (OrgType.BRANCH, OrgType.JOINT_BRANCH)


@never_cache
@login_required
@require_GET
def index(request):
    org = queries.default_org(request.user)
    if org is None:
        raise Http404("没有可查看的党组织")
    return redirect("recruitment:board", code=org.code)


@never_cache
@login_required
@require_GET
def board(request, code):
    user = request.user
    org = queries.org_in_view(user, code)
    stage = request.GET.get("stage") or ""
    if stage not in Stage.values:
        stage = ""
    b = queries.board(user, org)
    due = queries.due(user, org, today=b.today, limit=50)
    page = Paginator(queries.files(user, org, stage=stage).order_by("org_path", "applied_on", "id"),
                     PER_PAGE).get_page(request.GET.get("page"))
    children = list(Org.objects.restrict(user, "view").filter(path__startswith=org.path, depth=org.depth + 1)
                    .order_by("path")[:CHILDREN_LIMIT]) if not org.is_branch else []
    parent = org.parent_org() if org.depth > 1 else None
    if parent is not None and not scope_for(user).covers(parent.path, "view"):
        parent = None
    return render(request, "recruitment/board.html", {
        "org": org, "board": b, "due": due, "page": page, "stage": stage, "children": children, "parent": parent,
        "can_open": Org.objects.restrict(user, ACT).filter(path__startswith=org.path, org_type__in=OPENING_TYPES)
        .exists(),
        "stage_choices": Stage.choices,
    })


def _branches(user):
    return list(Org.objects.restrict(user, ACT).filter(org_type__in=OPENING_TYPES)
                .order_by("path")[:ORG_CHOICES_LIMIT])


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def new(request):
    user = request.user
    branches = _branches(user)
    if not branches:
        raise Http404
    if request.method == "POST":
        form = ApplicantForm(request.POST, branches=branches)
        if form.is_valid():
            d = form.cleaned_data
            org = next(o for o in branches if o.code == d["org"])
            try:
                a = actions.open_file(form.person(), org=org, by=user, applied_on=d["applied_on"],
                                      document_no=d["document_no"], notes=d["notes"])
                messages.success(request, f"已为{a.name}建立发展党员档案（第1步：递交入党申请书）")
                return redirect("recruitment:file", pk=a.pk)
            except ValidationError as e:
                if hasattr(e, "error_dict") and "birth_date" in e.error_dict:
                    # The form takes the birth date from the ID number: say it there.
                    e = ValidationError({"id_number": e.error_dict.pop("birth_date"), **e.error_dict})
                add_action_error(form, e)
            except PermissionDenied as e:
                form.add_error("org", str(e))
    else:
        form = ApplicantForm(branches=branches, initial={"org": request.GET.get("org", ""),
                                                         "applied_on": timezone.localdate()})
    return render(request, "recruitment/new.html", {"form": form})


def _timeline(a: Applicant, steps) -> list[dict]:
    by_number: dict[int, list] = {}
    for s in steps:
        by_number.setdefault(s.number, []).append(s)
    allowed = actions.allowed_steps(a)
    stages = []
    for number, label in rules.STAGES.items():
        rows = []
        for st in rules.STEPS:
            if st.stage != number:
                continue
            records = by_number.get(st.number, [])
            state = "done" if records else ("next" if st.number in allowed else "todo")
            rows.append({"number": st.number, "name": st.name, "records": records, "state": state,
                         "higher": st.number in actions.HIGHER_STEPS})
        stages.append({"number": number, "label": label, "steps": rows})
    return stages


def _people_choices(a: Applicant) -> list[Member]:
    return list(Member.objects.filter(org=a.org, status=MemberStatus.NORMAL).order_by("-category", "name_pinyin", "id")
                [:PEOPLE_LIMIT]) if a.org_id else []


def _mask(n: str) -> str:
    return n[:6] + "********" + n[-4:] if len(n) == 18 else n


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def file(request, pk):
    user = request.user
    a = get_object_or_404(queries.files(user).select_related("member", "created_by"), pk=pk)
    allowed = actions.allowed_steps(a)
    raw = request.POST.get("step") if request.method == "POST" else request.GET.get("step")
    step = int(raw) if raw and raw.isdigit() and int(raw) in allowed else (
        a.last_step + 1 if a.last_step + 1 in allowed else (allowed[0] if allowed else None))
    manages = actions.manages(user, a)
    approver = actions.approver_org(a.org) if step in actions.HIGHER_STEPS else None
    can_step = step is not None and manages and actions.may_do_step(user, a, step, approver)
    form = None
    if request.method == "POST":
        if not manages:
            raise Http404("档案不存在")
        if raw and raw.isdigit() and int(raw) != step:
            # A step that is not due (a stale page, a crafted post): the action says which one is.
            try:
                actions.record_step(a, int(raw), {}, by=user)
            except (ValidationError, PermissionDenied) as e:
                messages.error(request, "；".join(e.messages) if isinstance(e, ValidationError) else str(e))
            return redirect("recruitment:file", pk=a.pk)
        if not can_step:
            messages.error(request, f"{actions.step_label(step)}由{approver.name if approver else '上级党委'}办理"
                           if step else "该档案没有可办理的步骤")
            return redirect("recruitment:file", pk=a.pk)
        people = _people_choices(a) if step in (5, 9) else []
        form = StepForm(request.POST, request.FILES, step=step, people=people)
        if form.is_valid():
            try:
                _record, warnings = actions.record_step(a, step, form.data_for_action(), by=user)
                done = {15: f"支部大会通过，{a.name}已接收为预备党员，党员信息库已建立其档案",
                        24: "上级党委已审批，党员信息库已同步更新"}.get(step, f"已记录{actions.step_label(step)}")
                messages.success(request, done)
                for w in warnings:
                    messages.warning(request, f"提醒：{w['message']}（依据：{w['source']}）")
                return redirect("recruitment:file", pk=a.pk)
            except ValidationError as e:
                if hasattr(e, "error_dict") and "step" in e.error_dict:
                    e = ValidationError({"__all__": e.error_dict.pop("step"), **e.error_dict})
                add_action_error(form, e)
            except PermissionDenied as e:
                form.add_error(None, str(e))
    elif can_step:
        form = StepForm(step=step, people=_people_choices(a) if step in (5, 9) else [],
                        initial={"on": timezone.localdate()})
    steps = list(a.steps.select_related("recorded_by").prefetch_related("people", "attachments").order_by("on", "id"))
    return render(request, "recruitment/file.html", {
        "a": a, "id_masked": _mask(a.id_number), "timeline": _timeline(a, steps), "allowed": allowed,
        "allowed_labels": [(n, actions.STEP_NAMES[n]) for n in allowed], "step": step,
        "step_name": actions.STEP_NAMES.get(step, ""), "form": form, "can_step": can_step, "manages": manages,
        "approver": approver, "probation_end": actions.probation_end(a),
        "key_dates": rules.key_dates(applied_on=a.applied_on, activist_on=a.activist_on, congress_on=a.congress_on,
                                     extension_months=a.extension_months),
        "today": timezone.localdate(),
    })


@never_cache
@login_required
@require_GET
def attachment(request, pk, att_pk):
    """A step's scan, to whoever may see the file: never from a public media URL."""
    a = get_object_or_404(queries.files(request.user), pk=pk)
    att = get_object_or_404(StepAttachment, pk=att_pk, step__applicant=a)
    try:
        fh = att.file.open("rb")
    except FileNotFoundError:
        raise Http404("附件文件不存在") from None
    resp = FileResponse(fh, content_type=att.content_type, filename=att.name,
                        as_attachment=not (att.is_image or att.content_type == "application/pdf"))
    resp["Content-Security-Policy"] = "sandbox"  # even a PDF with scripts cannot act as this site
    resp["X-Content-Type-Options"] = "nosniff"
    return resp


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def plans(request):
    user = request.user
    code = request.GET.get("org") or request.POST.get("scope_org") or ""
    org = queries.org_in_view(user, code) if code else queries.default_org(user)
    if org is None:
        raise Http404("没有可查看的党组织")
    today = timezone.localdate()
    raw_year = request.GET.get("year") or ""
    year = int(raw_year) if raw_year.isdigit() and 2000 <= int(raw_year) <= 2100 else today.year
    orgs = list(Org.objects.restrict(user, "change_org").filter(path__startswith=org.path)
                .order_by("path")[:ORG_CHOICES_LIMIT])
    form = None
    if orgs:
        if request.method == "POST":
            form = PlanForm(request.POST, orgs=orgs)
            if form.is_valid():
                d = form.cleaned_data
                target = next(o for o in orgs if o.code == d["org"])
                try:
                    actions.set_plan(target, d["year"], d["planned"], by=user, note=d["note"])
                    messages.success(request, f"已保存{target.name}{d['year']}年发展党员计划：{d['planned']}名")
                    return redirect(f"{request.path}?org={org.code}&year={d['year']}")
                except ValidationError as e:
                    add_action_error(form, e)
                except PermissionDenied as e:
                    form.add_error("org", str(e))
        else:
            form = PlanForm(orgs=orgs, initial={"org": org.code, "year": year})
    elif request.method == "POST":
        raise Http404
    rows = list(queries.plans(user, org=org, year=year)[:ORG_CHOICES_LIMIT])
    for p in rows:
        p.rate = round(p.used * 100 / p.planned) if p.planned else None
    return render(request, "recruitment/plans.html", {
        "org": org, "year": year, "rows": rows, "form": form, "years": range(today.year + 1, today.year - 5, -1),
    })
