"""Writes of the 软弱涣散整顿台账: identify (the committee above), progress and the application to lift (the
organization's own managers or those above), lift (the committee above, not whoever applied). Each is audited."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from dangjian.core import audit
from dangjian.core.scope import scope_for
from dangjian.orgs.models import Org
from dangjian.rules import assessments as rules

from .models import Rectification, RectificationProgress

MANAGE = "change_member"  # the organization's own managers (its secretary) and the admins above


def can_identify(user, org: Org) -> bool:
    """认定 and 验收摘牌 are the committee above's: an admin grant over the organization's parent."""
    return org.depth > 1 and scope_for(user).covers(org.path[: -Org.steplen], "change_org")


def can_manage(user, rect: Rectification) -> bool:
    return scope_for(user).covers(rect.org_path, MANAGE)


def _text(value: str, field: str, label: str, errors: dict, *, required: bool = True, max_length: int = 2000) -> str:
    text = (value or "").strip()
    if required and not text:
        errors[field] = f"请填写{label}"
    elif len(text) > max_length:
        errors[field] = f"{label}不能超过{max_length}字"
    return text


def _day(value, field: str, label: str, errors: dict, *, not_before: dt.date | None = None) -> dt.date | None:
    if value is None or value == "":
        errors[field] = f"请填写{label}"
        return None
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value)
        except ValueError:
            errors[field] = f"{label}“{value}”无效，请用2026-01-15的格式"
            return None
    if value > timezone.localdate():
        errors[field] = f"{label}不能晚于今天"
    elif not_before is not None and value < not_before:
        errors[field] = f"{label}不能早于{not_before:%Y年%m月%d日}"
    return value


@transaction.atomic
def identify(org: Org, *, year: int, identified_on, situations=(), findings=(), note: str = "", leader: str,
             measures: str, by) -> Rectification:
    """认定 `org` as 软弱涣散 for `year` and open its rectification. Needs at least one situation ticked or one
    finding of the screening kept; one open case per organization."""
    if not can_identify(by, org):
        raise PermissionDenied("认定软弱涣散党组织由上级党组织办理")
    errors: dict[str, str] = {}
    situations = [s for s in situations if s]
    unknown = [s for s in situations if s not in rules.SITUATION_LABELS]
    if unknown:
        errors["situations"] = f"未知的认定情形：{'、'.join(unknown)}"
    findings = [str(f).strip() for f in findings if str(f).strip()]
    note = _text(note, "note", "认定说明", errors, required=False)
    if not situations and not findings and not note:
        errors["situations"] = "请至少勾选一项认定情形，或保留一条排查发现，或写明认定说明"
    today = timezone.localdate()
    if not (2013 <= int(year or 0) <= today.year):
        errors["year"] = f"认定年度应在2013年至{today.year}年之间"
    day = _day(identified_on, "identified_on", "认定日期", errors)
    leader = _text(leader, "leader", "联系领导", errors, max_length=100)
    measures = _text(measures, "measures", "整顿措施", errors)
    if Rectification.objects.filter(org=org).exclude(status=Rectification.Status.LIFTED).exists():
        errors["org"] = f"“{org.name}”已在整顿中，摘牌后才能再次认定"
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            rect = Rectification.objects.create(
                org=org, org_path=org.path, year=int(year), identified_on=day, situations=situations,
                findings=findings, note=note, leader=leader, measures=measures, identified_by=_user(by))
    except IntegrityError:  # the same organization identified at the same moment by someone else
        raise ValidationError({"org": f"“{org.name}”已在整顿中，摘牌后才能再次认定"}) from None
    audit.record("rectification.identify", actor=by, obj=rect,
                 detail={"org": org.code, "year": rect.year, "situations": situations, "findings": len(findings)})
    return rect


@transaction.atomic
def add_progress(rect: Rectification, *, on, note: str, by) -> RectificationProgress:
    """One entry of the rectification's progress (销号), while it is not lifted."""
    if not can_manage(by, rect):
        raise PermissionDenied("只有本党组织和上级党组织可以填报整顿进展")
    errors: dict[str, str] = {}
    if rect.status == Rectification.Status.LIFTED:
        errors["on"] = "已摘牌，不能再填报整顿进展"
    day = _day(on, "on", "日期", errors, not_before=rect.identified_on)
    note = _text(note, "note", "整顿进展", errors)
    if errors:
        raise ValidationError(errors)
    p = RectificationProgress.objects.create(rectification=rect, on=day, note=note, by=_user(by))
    audit.record("rectification.progress", actor=by, obj=rect, detail={"on": day.isoformat()})
    return p


@transaction.atomic
def apply_to_lift(rect: Rectification, *, on, note: str = "", by) -> Rectification:
    """申请摘牌: the organization reports the rectification done. Needs one progress entry at least."""
    if not can_manage(by, rect):
        raise PermissionDenied("只有本党组织和上级党组织可以申请摘牌")
    rect = Rectification.objects.select_for_update().get(pk=rect.pk)
    errors: dict[str, str] = {}
    if rect.status != Rectification.Status.RECTIFYING:
        errors["on"] = f"当前状态为“{rect.get_status_display()}”，不能申请摘牌"
    elif not rect.progress.exists():
        errors["on"] = "请先填报整顿进展，再申请摘牌"
    day = _day(on, "on", "申请日期", errors, not_before=rect.identified_on)
    note = _text(note, "note", "申请说明", errors, required=False)
    if errors:
        raise ValidationError(errors)
    if note:
        RectificationProgress.objects.create(rectification=rect, on=day, note=f"申请摘牌：{note}", by=_user(by))
    rect.status, rect.applied_on, rect.applied_by = Rectification.Status.APPLIED, day, _user(by)
    rect.save(update_fields=["status", "applied_on", "applied_by"])
    audit.record("rectification.apply", actor=by, obj=rect, detail={"on": day.isoformat()})
    return rect


@transaction.atomic
def decide(rect: Rectification, *, accept: bool, on, note: str, by) -> Rectification:
    """验收: the committee above lifts the case (摘牌) or sends it back to 整顿中 with its opinion. Whoever applied
    does not accept their own application."""
    if not can_identify(by, rect.org):
        raise PermissionDenied("验收摘牌由上级党组织办理")
    rect = Rectification.objects.select_for_update().select_related("org").get(pk=rect.pk)
    errors: dict[str, str] = {}
    if rect.status != Rectification.Status.APPLIED:
        errors["on"] = f"当前状态为“{rect.get_status_display()}”，没有待验收的摘牌申请"
    elif rect.applied_by_id is not None and rect.applied_by_id == getattr(by, "pk", None):
        errors["on"] = "摘牌申请由您提出，请由上级党组织的其他人员验收"
    day = _day(on, "on", "验收日期", errors, not_before=rect.applied_on)
    note = _text(note, "note", "验收意见", errors)
    if errors:
        raise ValidationError(errors)
    if accept:
        rect.status, rect.lifted_on, rect.lifted_by, rect.lift_note = (Rectification.Status.LIFTED, day, _user(by),
                                                                       note)
        rect.save(update_fields=["status", "lifted_on", "lifted_by", "lift_note"])
    else:
        rect.status, rect.applied_on, rect.applied_by = Rectification.Status.RECTIFYING, None, None
        rect.save(update_fields=["status", "applied_on", "applied_by"])
        RectificationProgress.objects.create(rectification=rect, on=day, note=f"验收未通过：{note}", by=_user(by))
    audit.record("rectification.lift" if accept else "rectification.return", actor=by, obj=rect,
                 detail={"on": day.isoformat(), "note": note})
    return rect


def _user(by):
    return by if getattr(by, "is_authenticated", False) else None
