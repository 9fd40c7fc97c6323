"""Staff pages of the 小微权力清单: the list of powers (kept by an admin above) and the cases (run by the village).
Reads start from restrict(); writes go through actions.py; out of scope answers 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dangjian.core.scope import scope_for
from dangjian.disclosure.models import WRITE_ACTION
from dangjian.orgs.forms import add_action_error
from dangjian.orgs.models import Org

from . import actions
from .forms import CaseForm, PowerForm, StepForm
from .models import Case, CaseStatus, Power

PER_PAGE = 50


def _org(request, action="view") -> Org:
    qs = Org.objects.restrict(request.user, action)
    code = (request.POST.get("org") or request.GET.get("org") or "").strip()
    org = qs.filter(code=code).first() if code else qs.order_by("depth", "path").first()
    if org is None:
        raise Http404("没有这个党组织，或不在您的管理范围内")
    return org


@never_cache
@login_required
@require_GET
def powers(request):
    org = _org(request)
    rows = (Power.objects.restrict(request.user).filter(owner_path__in=[org.path[:k] for k in range(4, len(org.path) + 1, 4)])
            .select_related("owner").prefetch_related("steps").order_by("owner_path", "position", "id"))
    editable = set(Power.objects.restrict(request.user, "change_org").values_list("pk", flat=True))
    return render(request, "micropower/powers.html", {
        "org": org, "powers": rows, "editable": editable,
        "can_edit": scope_for(request.user).covers(org.path, "change_org"),
    })


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def power_form(request, pk=None):
    if pk is None:
        power, owner = None, _org(request, "change_org")
    else:
        power = get_object_or_404(Power.objects.restrict(request.user, "change_org").select_related("owner"), pk=pk)
        owner = power.owner
    if request.method == "POST":
        form = PowerForm(request.POST)
        if form.is_valid():
            try:
                actions.save_power(owner, form.cleaned_data, form.step_list(), power=power, by=request.user)
                messages.success(request, f"已保存“{form.cleaned_data['name']}”")
                return redirect(f"{reverse('micropower:powers')}?org={owner.code}")
            except ValidationError as e:
                add_action_error(form, e)
    elif power is not None:
        form = PowerForm(initial={"name": power.name, "category": power.category, "basis": power.basis,
                                  "position": power.position, "active": power.active,
                                  "steps": "\n".join(f"{s.name}|{s.responsible}|{s.days or ''}" for s in power.steps.all())})
    else:
        form = PowerForm(initial={"active": True})
    return render(request, "micropower/power_form.html", {"form": form, "owner": owner, "power": power})


@login_required
@require_POST
def install(request):
    owner = _org(request, "change_org")
    added = actions.install_defaults(owner, by=request.user)
    messages.success(request, f"已导入默认小微权力事项{added}项" if added else "默认事项都已存在")
    return redirect(f"{reverse('micropower:powers')}?org={owner.code}")


@never_cache
@login_required
@require_GET
def cases(request):
    qs = Case.objects.restrict(request.user).select_related("power", "org")
    code = (request.GET.get("org") or "").strip()
    org = None
    if code:
        org = Org.objects.restrict(request.user).filter(code=code).first()
        qs = qs.filter(org_path__startswith=org.path) if org else qs.none()
    status = request.GET.get("status") or ""
    if status in CaseStatus.values:
        qs = qs.filter(status=status)
    page = Paginator(qs.order_by("-opened_on", "-id"), PER_PAGE).get_page(request.GET.get("page"))
    scope = scope_for(request.user)
    return render(request, "micropower/cases.html", {
        "page": page, "org": org, "status": status, "statuses": CaseStatus.choices,
        "can_open": scope.everything or bool(scope.prefixes(WRITE_ACTION)),
    })


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def case_new(request):
    org = _org(request, WRITE_ACTION)
    choices = [(str(p.pk), p.name) for p in Power.objects.applying_to(org).order_by("position", "id")]
    form = CaseForm(request.POST or None, initial={"opened_on": timezone.localdate(), "public": True})
    form.fields["power"].choices = [("", "请选择")] + choices
    if request.method == "POST" and form.is_valid():
        power = Power.objects.applying_to(org).filter(pk=form.cleaned_data["power"]).first()
        try:
            if power is None:
                raise ValidationError({"power": "请选择本组织适用的权力事项"})
            case = actions.open_case(org, power, form.cleaned_data, by=request.user)
            messages.success(request, f"已受理“{case.subject}”")
            return redirect("micropower:case", pk=case.pk)
        except ValidationError as e:
            add_action_error(form, e)
    return render(request, "micropower/case_form.html", {"form": form, "org": org})


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def case(request, pk):
    c = get_object_or_404(Case.objects.restrict(request.user).select_related("power", "org"), pk=pk)
    can_write = scope_for(request.user).covers(c.org_path, WRITE_ACTION)
    steps = list(c.steps.all())
    nxt = next((s for s in steps if s.done_on is None), None)
    form = StepForm(request.POST or None, initial={"position": nxt.position if nxt else 0,
                                                  "done_on": timezone.localdate(),
                                                  "responsible": nxt.responsible if nxt else ""})
    if request.method == "POST":
        if not can_write:
            raise Http404
        if "refuse" in request.POST:
            try:
                actions.refuse(c, reason=request.POST.get("reason", ""), by=request.user)
                messages.success(request, "已登记不予办理")
                return redirect("micropower:case", pk=c.pk)
            except ValidationError as e:
                messages.error(request, "；".join(e.messages))
        elif form.is_valid():
            try:
                actions.record_step(c, form.cleaned_data["position"], done_on=form.cleaned_data["done_on"],
                                    responsible=form.cleaned_data["responsible"], note=form.cleaned_data["note"],
                                    by=request.user)
                messages.success(request, "已登记")
                return redirect("micropower:case", pk=c.pk)
            except ValidationError as e:
                add_action_error(form, e)
    return render(request, "micropower/case.html", {"c": c, "steps": steps, "next": nxt, "form": form,
                                                     "can_write": can_write})
