"""Every write to the 小微权力清单 and its cases: validate, one transaction, audit."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from dangjian.core import audit
from dangjian.core.dates import form_date
from dangjian.disclosure import pii, public_cache

from .defaults import DEFAULT_POWERS
from .models import Case, CaseStatus, CaseStep, Power, PowerStep

MAX_STEPS = 30


def _text(raw, label: str, n: int, *, required: bool = True) -> str:
    v = " ".join(str(raw or "").split())
    if required and not v:
        raise ValidationError(f"请填写{label}")
    if len(v) > n:
        raise ValidationError(f"{label}不能超过{n}个字")
    found = pii.find(v)
    if found:
        raise ValidationError(f"{label}含有疑似{found[0][0]}：公开内容不得出现身份证号或手机号码")
    return v


def _clean_steps(steps: list[dict]) -> list[dict]:
    if not steps:
        raise ValidationError({"steps": "请至少填写一个流程步骤"})
    if len(steps) > MAX_STEPS:
        raise ValidationError({"steps": f"流程步骤最多{MAX_STEPS}个"})
    out = []
    for n, s in enumerate(steps, start=1):
        try:
            name = _text(s.get("name"), f"第{n}步名称", 100)
            responsible = _text(s.get("responsible"), f"第{n}步责任主体", 100)
        except ValidationError as e:
            raise ValidationError({"steps": e.messages}) from None
        days = s.get("days")
        if days in (None, ""):
            days = None
        else:
            try:
                days = int(days)
                if not 0 < days <= 365:
                    raise ValueError
            except (TypeError, ValueError):
                raise ValidationError({"steps": f"第{n}步时限应为1至365天"}) from None
        out.append({"position": n, "name": name, "responsible": responsible, "days": days})
    return out


@transaction.atomic
def save_power(owner, data: dict, steps: list[dict], *, power: Power | None = None, by=None) -> Power:
    """Create a power of `owner`'s list, or replace an existing one's fields and steps (running cases keep the
    steps they copied)."""
    errors = {}
    values = {}
    for field, label, n, required in (("name", "权力事项", 100, True), ("category", "类别", 50, False),
                                      ("basis", "依据", 200, False)):
        try:
            values[field] = _text(data.get(field), label, n, required=required)
        except ValidationError as e:
            errors[field] = e.messages
    values["active"] = bool(data.get("active", True))
    values["position"] = int(data.get("position") or 0)
    try:
        clean = _clean_steps(steps)
    except ValidationError as e:
        errors.update(e.message_dict)
    if errors:
        raise ValidationError(errors)
    if power is None:
        power = Power.objects.create(owner=owner, owner_path=owner.path, **values)
        verb = "micropower.power_create"
    else:
        power = Power.objects.select_for_update().get(pk=power.pk)
        for k, v in values.items():
            setattr(power, k, v)
        power.save()
        power.steps.all().delete()
        verb = "micropower.power_update"
    PowerStep.objects.bulk_create([PowerStep(power=power, **s) for s in clean])
    audit.record(verb, actor=by, obj=power, detail={"name": power.name, "steps": len(clean)})
    return power


@transaction.atomic
def install_defaults(owner, *, by=None) -> int:
    have = set(Power.objects.filter(owner=owner).values_list("name", flat=True))
    added = 0
    for n, (name, category, basis, steps) in enumerate(DEFAULT_POWERS, start=1):
        if name in have:
            continue
        save_power(owner, {"name": name, "category": category, "basis": basis, "position": n},
                   [{"name": s, "responsible": r, "days": d} for s, r, d in steps], by=by)
        added += 1
    return added


@transaction.atomic
def open_case(org, power: Power, data: dict, *, by=None) -> Case:
    """受理: a case of `power` at `org`, with the power's steps copied."""
    if not Power.objects.applying_to(org).filter(pk=power.pk).exists():
        raise ValidationError({"power": f"“{power.name}”不在{org.name}适用的小微权力清单中"})
    errors = {}
    values = {}
    try:
        values["subject"] = _text(data.get("subject"), "事项名称", 200)
    except ValidationError as e:
        errors["subject"] = e.messages
    try:
        values["applicant"] = _text(data.get("applicant"), "申请人", 50, required=False)
    except ValidationError as e:
        errors["applicant"] = e.messages
    try:
        values["opened_on"] = form_date(data.get("opened_on"), "受理日期")
        if values["opened_on"] is None:
            errors["opened_on"] = ["请填写受理日期"]
    except ValidationError as e:
        errors["opened_on"] = e.messages
    if errors:
        raise ValidationError(errors)
    values["public"] = bool(data.get("public", True))
    case = Case.objects.create(power=power, org=org, org_path=org.path, created_by=by if getattr(
        by, "is_authenticated", False) else None, **values)
    CaseStep.objects.bulk_create([CaseStep(case=case, position=s.position, name=s.name, responsible=s.responsible,
                                           days=s.days) for s in power.steps.all()])
    audit.record("micropower.open", actor=by, obj=case, detail={"power": power.name, "org": org.code})
    public_cache.changed(org)
    return case


@transaction.atomic
def record_step(case: Case, position: int, *, done_on, responsible: str, note: str = "", by=None) -> CaseStep:
    """The next step of a running case is done: steps go in order, dates never go back."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    if case.status != CaseStatus.OPEN:
        raise ValidationError(f"此事项已{case.get_status_display()}，不能再登记步骤")
    steps = list(case.steps.all())
    step = next((s for s in steps if s.position == position), None)
    if step is None:
        raise ValidationError({"position": f"没有第{position}步"})
    pending = [s for s in steps if s.done_on is None]
    if not pending or pending[0].position != position:
        raise ValidationError({"position": f"请按顺序办理：下一步是“{pending[0].name}”" if pending else "各步骤均已完成"})
    day = form_date(done_on, "完成日期")
    if day is None:
        raise ValidationError({"done_on": "请填写完成日期"})
    last = max([s.done_on for s in steps if s.done_on] + [case.opened_on])
    if day < last:
        raise ValidationError({"done_on": f"完成日期不能早于上一步（{last:%Y-%m-%d}）"})
    step.responsible = _text(responsible or step.responsible, "责任人", 100)
    step.note = _text(note, "说明", 300, required=False)
    step.done_on = day
    step.save(update_fields=["responsible", "note", "done_on"])
    if len(pending) == 1:
        case.status = CaseStatus.DONE
        case.closed_on = day
    case.save(update_fields=["status", "closed_on", "updated_at"])  # updated_at: the public page's stamp
    audit.record("micropower.step", actor=by, obj=case, detail={"step": step.name, "done_on": day.isoformat()})
    public_cache.changed(case.org)
    return step


@transaction.atomic
def refuse(case: Case, *, reason: str, on=None, by=None) -> Case:
    case = Case.objects.select_for_update().get(pk=case.pk)
    if case.status != CaseStatus.OPEN:
        raise ValidationError(f"此事项已{case.get_status_display()}")
    case.outcome = _text(reason, "不予办理的理由", 300)
    case.closed_on = form_date(on, "日期") or timezone.localdate()
    case.status = CaseStatus.REFUSED
    case.save(update_fields=["outcome", "closed_on", "status", "updated_at"])
    audit.record("micropower.refuse", actor=by, obj=case, detail={"reason": case.outcome})
    public_cache.changed(case.org)
    return case
