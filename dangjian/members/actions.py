"""Every write to the member registry goes through here (Zulip-style action layer).

Each action validates, writes in one transaction, keeps the org counters right and records the
business event. Views, the API, imports and the demo loader call these.
"""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from dangjian.core import audit
from dangjian.core.scope import scope_for
from dangjian.orgs.models import Org
from dangjian.rules import membership as mrules
from dangjian.rules.base import Finding, add_months, finding, in_force

from .choices import Category, Status
from .models import (
    CaseKind,
    CaseStatus,
    ContactFollowUp,
    DisposalCase,
    DisposalOutcome,
    FollowUpOutcome,
    LeaveType,
    Member,
    MobileMembership,
    StatusCase,
)
from .search import pinyin_keys
from .validation import validate_member

EDITABLE_FIELDS = [
    "org", "name", "gender", "ethnicity", "id_number", "birth_date", "education", "category", "joined_on",
    "confirmed_on", "job", "phone", "address", "lost_contact", "lost_contact_on", "is_mobile",
    "mobile_destination",
]
# What a plain member may change on their own record.
SELF_EDITABLE_FIELDS = ["phone", "address"]


def _open_transfer(member) -> bool:
    """An open 组织关系转接 holds the member where they are (looked up lazily: transfers builds on members)."""
    from django.apps import apps

    if not apps.is_installed("dangjian.transfers"):
        return False
    Transfer = apps.get_model("transfers", "Transfer")
    return Transfer.objects.filter(member=member, status__in=["pending", "approved"]).exists()


def _deltas(member) -> tuple[int, int]:
    if member.status != Status.NORMAL:
        return 0, 0
    return (1, 0) if member.category == Category.FULL else (0, 1)


def adjust_counts(org: Org, full: int, probationary: int) -> None:
    """Add to the org's direct counters and to the subtree counters of it and every ancestor:
    two set-based UPDATEs, whatever the depth."""
    if not full and not probationary:
        return
    Org.objects.filter(pk=org.pk).update(
        direct_full=F("direct_full") + full, direct_probationary=F("direct_probationary") + probationary
    )
    Org.objects.filter(path__in=org.ancestor_paths()).update(
        subtree_full=F("subtree_full") + full, subtree_probationary=F("subtree_probationary") + probationary
    )


def _apply(member: Member, data: dict) -> None:
    for k, v in data.items():
        setattr(member, k, v)
    member.name_pinyin, member.name_initials = pinyin_keys(member.name)
    member.org_path = member.org.path


def _clean_text(data: dict) -> dict:
    return {k: (v.strip() if isinstance(v, str) else v) for k, v in data.items()}


@transaction.atomic
def create_member(data: dict, *, by=None, source: str = "form", stored_phone: str | None = None) -> Member:
    """`stored_phone`: a number already kept elsewhere (the applicant's file the member is admitted from), not
    checked again (`validate_member`)."""
    data = _clean_text(data)
    errors = validate_member(data, stored_phone=stored_phone)
    if errors:
        raise ValidationError(errors)
    member = Member()
    _apply(member, {k: v for k, v in data.items() if k in EDITABLE_FIELDS + ["user"]})
    member._change_reason = source
    member.save()
    adjust_counts(member.org, *_deltas(member))
    audit.record("member.create", actor=by, obj=member, detail={"source": source})
    return member


@transaction.atomic
def update_member(member: Member, data: dict, *, by=None, source: str = "form") -> list[str]:
    """Update the given fields; returns the names of the fields that changed."""
    data = _clean_text(data)
    current = {f: getattr(member, f) for f in EDITABLE_FIELDS}
    merged = {**current, "status": member.status, **data}
    errors = validate_member(merged, instance=member)
    if errors:
        raise ValidationError(errors)
    changed = [f for f in EDITABLE_FIELDS if f in merged and merged[f] != current[f]]
    if not changed:
        return []
    if "org" in changed and _open_transfer(member) and not source.startswith("组织关系转接"):
        raise ValidationError({"org": "该党员的组织关系正在转接中，转接完成或撤回前不能调整所在党支部"})
    before = _deltas(member)
    old_org = member.org
    _apply(member, {f: merged[f] for f in changed})
    member._change_reason = source
    member.save()
    after = _deltas(member)
    adjust_counts(old_org, -before[0], -before[1])
    adjust_counts(member.org, *after)
    audit.record("member.update", actor=by, obj=member, detail={"fields": changed, "source": source})
    return changed


@transaction.atomic
def change_status(member: Member, status: str, *, reason: str, on: dt.date, by=None) -> None:
    """党籍 status change: 停止党籍, 出党, 去世, 转出 (or back to 正常), always with a reason."""
    if status not in Status.values:
        raise ValidationError({"status": "未知的党籍状态"})
    if not reason.strip():
        raise ValidationError({"status_reason": "请填写状态变更原因"})
    if status == member.status:
        raise ValidationError({"status": f"党籍状态已是“{member.get_status_display()}”"})
    if status == Status.NORMAL:
        errors = validate_member({f: getattr(member, f) for f in EDITABLE_FIELDS} | {"status": status}, instance=member)
        if errors:
            raise ValidationError(errors)
    before = _deltas(member)
    old = member.get_status_display()
    member.status = status
    member.status_reason = reason.strip()
    member.status_changed_on = on
    member._change_reason = f"党籍状态：{old} → {member.get_status_display()}"
    member.save()
    after = _deltas(member)
    adjust_counts(member.org, after[0] - before[0], after[1] - before[1])
    audit.record("member.status", actor=by, obj=member, detail={"from": old, "to": member.get_status_display(), "reason": reason})


def record_sensitive_view(member: Member, *, by) -> None:
    """Seeing a full ID or phone number is logged (DESIGN: the event log records views of full IDs)."""
    audit.record("member.view_sensitive", actor=by, obj=member)


# --- 流动党员, 失联党员, 党籍 status cases, 不合格党员处置 ----------------------------------------------------
# Who may act: the side managing the member's branch ("change_member" over member.org_path) requests; the
# committee above the branch (a grant strictly above the branch) approves, never the requester. Rules refuse
# with a Chinese ValidationError naming the rule and its source; PermissionDenied for the wrong side.

ACT = "change_member"
TEXT_MAX = 500
# The 党籍 status each kind of case leads to, and the statuses it may start from.
CASE_TARGET = {CaseKind.SUSPEND: Status.SUSPENDED, CaseKind.LEAVE: Status.EXPELLED,
               CaseKind.DECEASED: Status.DECEASED, CaseKind.RESTORE: Status.NORMAL}
CASE_FROM = {CaseKind.SUSPEND: {Status.NORMAL}, CaseKind.LEAVE: {Status.NORMAL, Status.SUSPENDED},
             CaseKind.DECEASED: {Status.NORMAL, Status.SUSPENDED}, CaseKind.RESTORE: {Status.SUSPENDED}}
DISPOSAL_LEAVE = {DisposalOutcome.PERSUADED: LeaveType.PERSUADED, DisposalOutcome.REMOVED: LeaveType.REMOVED}


def manages_member(user, member: Member) -> bool:
    return user is not None and scope_for(user).covers(member.org_path, ACT)


def approves_for(user, member: Member) -> bool:
    """The committee above: a grant on an organization strictly above the member's branch."""
    parent = member.org_path[: -Org.steplen]
    return user is not None and bool(parent) and scope_for(user).covers(parent, ACT)


DIRECT_STATUS_REFUSED = ("党籍状态变更须经上级党组织审批：请由党支部“申请党籍变更”，上级党委批准后自动生效"
                         "（党员教育管理工作条例）")


def _need_manager(member: Member, by) -> None:
    if not manages_member(by, member):
        raise PermissionDenied("您无权办理该党员的党籍事务")


def _text(s, field: str, label: str, *, required: bool = True, max_len: int = TEXT_MAX) -> str:
    s = (s or "").strip()
    if required and not s:
        raise ValidationError({field: f"请填写{label}"})
    if len(s) > max_len:
        raise ValidationError({field: f"{label}不能超过{max_len}字"})
    return s


def _not_future(d, field: str, label: str) -> dt.date:
    if d is None:
        raise ValidationError({field: f"请填写{label}"})
    if d > timezone.localdate():
        raise ValidationError({field: f"{label}不能晚于今天"})
    return d


def _locked_member(member: Member) -> Member:
    return Member.objects.select_for_update(of=("self",)).select_related("org").get(pk=member.pk)


def _refuse_in_transfer(member: Member, what: str) -> None:
    if _open_transfer(member):
        raise ValidationError({"member": f"{member.name}的组织关系正在转接中，转接办结或撤销前不能{what}"})


# 流动党员 -----------------------------------------------------------------------------------------------


@transaction.atomic
def register_mobile(member: Member, *, destination: str, since: dt.date, contact: str, by,
                    certificate_no: str = "", receiving_org: Org | None = None, receiving_name: str = "",
                    fixed_place: bool = True, note: str = "") -> MobileMembership:
    """外出流动登记: the member stays in their branch; the record says where they are and who organizes their
    organization life there (an organization of the platform, or one outside it by name)."""
    member = _locked_member(member)
    _need_manager(member, by)
    if member.status != Status.NORMAL:
        raise ValidationError({"member": f"{member.name}的党籍状态为“{member.get_status_display()}”，不能登记外出流动"})
    destination = _text(destination, "destination", "外出地点", max_len=200)
    contact = _text(contact, "contact", "外出期间联系方式", max_len=100)
    certificate_no = _text(certificate_no, "certificate_no", "流动党员活动证编号", required=False, max_len=60)
    note = _text(note, "note", "备注", required=False, max_len=300)
    _not_future(since, "since", "外出日期")
    if since < member.joined_on:
        raise ValidationError({"since": f"外出日期不能早于入党日期（{member.joined_on:%Y-%m-%d}）"})
    if receiving_org is not None:
        if receiving_org.pk == member.org_id:
            raise ValidationError({"receiving_org": "流入地党组织不能是党员所在的党支部"})
        receiving_name = ""
    else:
        receiving_name = _text(receiving_name, "receiving_name", "流入地党组织名称", required=False, max_len=200)
    current = MobileMembership.objects.current().filter(member=member).first()
    if current is not None:
        raise ValidationError({"member": f"{member.name}已有外出登记（{current.since:%Y-%m-%d}起，{current.destination}），"
                                         "请先登记返回再重新登记"})
    _refuse_in_transfer(member, "登记外出流动")
    record = MobileMembership.objects.create(
        member=member, destination=destination, since=since, contact=contact, certificate_no=certificate_no,
        receiving_org=receiving_org, receiving_name=receiving_name, fixed_place=bool(fixed_place), note=note,
        created_by=by if getattr(by, "is_authenticated", False) else None,
    )
    update_member(member, {"is_mobile": True, "mobile_destination": destination[:100]}, by=by, source="流动党员外出登记")
    audit.record("member.mobile_register", actor=by, obj=record, org_path=member.org_path, detail={
        "member": member.pk, "destination": destination, "since": since.isoformat(),
        "receiving": receiving_org.code if receiving_org else receiving_name,
    })
    return record


def _end_mobile(record: MobileMembership, member: Member, on: dt.date, reason: str, by) -> None:
    record.ended_on = max(on, record.since)
    record.end_reason = reason[:200]
    record.save(update_fields=["ended_on", "end_reason"])
    if member.is_mobile:
        update_member(member, {"is_mobile": False, "mobile_destination": ""}, by=by, source=f"流动党员：{reason}"[:100])
    audit.record("member.mobile_end", actor=by, obj=record, org_path=member.org_path,
                 detail={"member": member.pk, "on": record.ended_on.isoformat(), "reason": reason})


@transaction.atomic
def end_mobile(record: MobileMembership, *, on: dt.date, reason: str, by) -> MobileMembership:
    """返回登记 (or the outflow otherwise ends): the home side only."""
    record = MobileMembership.objects.select_for_update(of=("self",)).get(pk=record.pk)
    member = _locked_member(record.member)
    _need_manager(member, by)
    if record.ended_on is not None:
        raise ValidationError({"ended_on": f"该外出登记已于{record.ended_on:%Y-%m-%d}结束"})
    reason = _text(reason, "end_reason", "结束原因", max_len=200)
    _not_future(on, "ended_on", "返回日期")
    if on < record.since:
        raise ValidationError({"ended_on": f"返回日期不能早于外出日期（{record.since:%Y-%m-%d}）"})
    _end_mobile(record, member, on, reason, by)
    return record


def end_mobile_for(member: Member, *, on: dt.date, reason: str, by) -> None:
    """Ends the member's current outflow, if any (a transfer completed, the member left): called inside the
    caller's transaction."""
    record = MobileMembership.objects.select_for_update(of=("self",)).current().filter(member=member).first()
    if record is not None:
        _end_mobile(record, member, on, reason, by)


# 失联党员 -----------------------------------------------------------------------------------------------


@transaction.atomic
def record_follow_up(member: Member, *, contacted_on: dt.date, method: str, outcome: str, by,
                     note: str = "") -> ContactFollowUp:
    """失联党员跟进: a try to reach the member. 仍未联系上 flags the member as 失去联系 (from the first such try);
    已联系上 clears the flag."""
    member = _locked_member(member)
    _need_manager(member, by)
    if member.status != Status.NORMAL:
        raise ValidationError({"member": f"{member.name}的党籍状态为“{member.get_status_display()}”，无需跟进联系"})
    if outcome not in FollowUpOutcome.values:
        raise ValidationError({"outcome": "请选择联系结果：已联系上或仍未联系上"})
    method = _text(method, "method", "联系方式（电话、上门、委托亲属等）", max_len=50)
    note = _text(note, "note", "情况说明", required=False, max_len=300)
    _not_future(contacted_on, "contacted_on", "联系日期")
    f = ContactFollowUp.objects.create(member=member, contacted_on=contacted_on, method=method, outcome=outcome,
                                       note=note, created_by=by if getattr(by, "is_authenticated", False) else None)
    if outcome == FollowUpOutcome.UNREACHED and not member.lost_contact:
        update_member(member, {"lost_contact": True, "lost_contact_on": contacted_on}, by=by, source="失联党员跟进：仍未联系上")
    elif outcome == FollowUpOutcome.REACHED and member.lost_contact:
        update_member(member, {"lost_contact": False, "lost_contact_on": None}, by=by, source="失联党员跟进：已联系上")
    audit.record("member.follow_up", actor=by, obj=member, detail={
        "follow_up": f.pk, "on": contacted_on.isoformat(), "outcome": outcome, "method": method,
    })
    return f


# 党籍变更 (停止党籍, 出党, 去世, 恢复党籍) -------------------------------------------------------------------


def _check_case(member: Member, kind: str, leave_type: str) -> None:
    """The transition rules, checked on request and again on approval (the member may have changed)."""
    if kind not in CaseKind.values:
        raise ValidationError({"kind": "变更类型应为停止党籍、出党、去世或恢复党籍"})
    if kind == CaseKind.LEAVE and leave_type not in LeaveType.values:
        raise ValidationError({"leave_type": "出党须注明方式：自行脱党、除名、劝退或开除党籍"})
    if kind != CaseKind.LEAVE and leave_type:
        raise ValidationError({"leave_type": "只有出党需要注明出党方式"})
    if member.status not in CASE_FROM[kind]:
        label = CaseKind(kind).label
        if kind == CaseKind.RESTORE:
            msg = (f"{member.name}的党籍状态为“{member.get_status_display()}”：只有停止党籍的党员可以恢复党籍；"
                   f"劝退、除名、开除的原则上不予恢复，可重新申请入党，被劝退或除名的"
                   f"{mrules.READMISSION_WAIT_YEARS.value}年内不得重新入党（{mrules.RESTORE_FROM.source}）")
        else:
            msg = f"{member.name}的党籍状态为“{member.get_status_display()}”，不能申请{label}"
        raise ValidationError({"kind": msg})
    if leave_type == LeaveType.PERSUADED and member.category == Category.PROBATIONARY:
        raise ValidationError({"leave_type": f"{member.name}是预备党员，不适用劝退，应延长预备期或取消预备党员资格"
                                             f"（{mrules.PROBATIONER_NOT_PERSUADED.source}）"})


@transaction.atomic
def request_status_change(member: Member, *, kind: str, effective_on: dt.date, reason: str, by,
                          leave_type: str = "", disposal: DisposalCase | None = None) -> StatusCase:
    """申请党籍变更 by the member's branch; the change applies when the committee above approves it."""
    member = _locked_member(member)
    _need_manager(member, by)
    leave_type = leave_type or ""
    _check_case(member, kind, leave_type)
    reason = _text(reason, "reason", "变更原因")
    _not_future(effective_on, "effective_on", "变更日期")
    if effective_on < member.joined_on:
        raise ValidationError({"effective_on": f"变更日期不能早于入党日期（{member.joined_on:%Y-%m-%d}）"})
    pending = StatusCase.objects.filter(member=member, status=CaseStatus.PENDING).first()
    if pending is not None:
        raise ValidationError({"member": f"{member.name}已有一项待审批的党籍变更（#{pending.pk} {pending.label}），"
                                         "审批或撤回前不能再次申请"})
    _refuse_in_transfer(member, "申请党籍变更")
    found = case_findings(member, kind, leave_type, effective_on) if disposal is None else []
    case = StatusCase.objects.create(member=member, kind=kind, leave_type=leave_type, effective_on=effective_on,
                                     reason=reason, disposal=disposal, requested_by=by)
    audit.record("member.status_request", actor=by, obj=case, org_path=member.org_path, detail={
        "member": member.pk, "kind": kind, "leave_type": leave_type, "on": effective_on.isoformat(), "reason": reason,
        "warnings": [f.message for f in found],
    })
    case.warnings = found
    return case


def _in_touch_since(member: Member, since: dt.date) -> bool:
    """Any attendance (出席 or 请假) or live dues payment on or after `since` (looked up lazily: orglife and dues
    build on members)."""
    from django.apps import apps

    Attendance = apps.get_model("orglife", "Attendance")
    DuesPayment = apps.get_model("dues", "DuesPayment")
    return (Attendance.objects.filter(member=member, status__in=["present", "leave"], held_on__gte=since).exists()
            or DuesPayment.objects.filter(member=member, paid_on__gte=since, is_reversed=False,
                                          reverses__isnull=True).exists())


def case_findings(member: Member, kind: str, leave_type: str, on: dt.date) -> list[Finding]:
    """Soft checks of a request against the grounds the regulations name; the committee above decides, so these
    warn (the branch may have other grounds, e.g. settled abroad) and are kept with the request's event."""
    out = []
    months = int(mrules.LOST_CONTACT_MONTHS.value)
    cutoff = add_months(on, -months)
    if kind == CaseKind.SUSPEND:
        if not member.lost_contact:
            state = "未标记失去联系"
        elif member.lost_contact_on and member.lost_contact_on > cutoff:
            state = f"自{member.lost_contact_on:%Y-%m-%d}失去联系，不满{months}个月"
        else:
            state = ""
        if state:
            out.append(finding("status.suspend_grounds", mrules.LOST_CONTACT_MONTHS,
                               f"失去联系{months}个月以上仍无法取得联系的，停止党籍（{mrules.LOST_CONTACT_MONTHS.source}）；"
                               f"{member.name}{state}，请核实停止党籍的依据", hard=False))
    if kind == CaseKind.LEAVE and leave_type == LeaveType.SELF_LAPSE:
        if member.status == Status.SUSPENDED:
            years = int(mrules.SUSPENSION_BEFORE_REMOVAL_YEARS.value)
            since = member.status_changed_on
            if since and since > add_months(on, -12 * years):
                out.append(finding("status.lapse_after_suspension", mrules.SUSPENSION_BEFORE_REMOVAL_YEARS,
                                   f"停止党籍{years}年后仍无法取得联系的，按自行脱党予以除名"
                                   f"（{mrules.SUSPENSION_BEFORE_REMOVAL_YEARS.source}）；{member.name}自{since:%Y-%m-%d}"
                                   f"停止党籍，不满{years}年", hard=False))
        elif _in_touch_since(member, cutoff):
            out.append(finding("status.lapse_grounds", mrules.LOST_CONTACT_MONTHS,
                               f"连续{months}个月不参加组织生活、不交纳党费的，视为自行脱党（党章 第九条）；{member.name}"
                               f"在{cutoff:%Y-%m-%d}以后有出勤或交纳党费记录，请核实", hard=False))
    return out


def _locked_case(case: StatusCase) -> StatusCase:
    return StatusCase.objects.select_for_update(of=("self",)).get(pk=case.pk)


@transaction.atomic
def approve_status_case(case: StatusCase, *, by, note: str = "") -> StatusCase:
    """审批同意 by the committee above (not the requester): applies the status through change_status."""
    case = _locked_case(case)
    member = _locked_member(case.member)
    if not approves_for(by, member):
        raise PermissionDenied("党籍变更须由党员所在党支部的上级党组织审批")
    if case.status != CaseStatus.PENDING:
        raise ValidationError({"status": f"该申请当前为“{case.get_status_display()}”，只有待审批的申请可以审批"})
    if case.requested_by_id is not None and case.requested_by_id == by.pk:
        raise ValidationError({"status": "不能审批自己提出的党籍变更申请，请由上级党组织的其他人员审批"})
    _check_case(member, case.kind, case.leave_type)
    _refuse_in_transfer(member, "变更党籍")
    note = _text(note, "note", "审批意见", required=False)
    change_status(member, CASE_TARGET[case.kind], on=case.effective_on, by=by,
                  reason=f"{case.label}：{case.reason}（党籍变更 #{case.pk}）"[:200])
    if case.kind in (CaseKind.LEAVE, CaseKind.DECEASED):
        end_mobile_for(member, on=case.effective_on, reason=f"{case.label}（党籍变更 #{case.pk}）", by=by)
    case.status = CaseStatus.APPROVED
    case.decided_by, case.decided_at, case.decision_note = by, timezone.now(), note
    case.save()
    if case.disposal_id:
        DisposalCase.objects.filter(pk=case.disposal_id, outcome="").update(
            outcome={v: k for k, v in DISPOSAL_LEAVE.items()}[case.leave_type], outcome_on=case.effective_on,
            closed_by=by, outcome_note=f"经上级党组织批准（党籍变更 #{case.pk}）")
    audit.record("member.status_approve", actor=by, obj=case, org_path=member.org_path,
                 detail={"member": member.pk, "kind": case.kind, "leave_type": case.leave_type, "note": note})
    return case


@transaction.atomic
def reject_status_case(case: StatusCase, *, by, note: str) -> StatusCase:
    case = _locked_case(case)
    if not approves_for(by, case.member):
        raise PermissionDenied("党籍变更须由党员所在党支部的上级党组织审批")
    if case.status != CaseStatus.PENDING:
        raise ValidationError({"status": f"该申请当前为“{case.get_status_display()}”，只有待审批的申请可以不予批准"})
    if case.requested_by_id is not None and case.requested_by_id == by.pk:
        raise ValidationError({"status": "不能审批自己提出的党籍变更申请"})
    note = _text(note, "note", "不予批准的理由")
    case.status = CaseStatus.REJECTED
    case.decided_by, case.decided_at, case.decision_note = by, timezone.now(), note
    case.save()
    audit.record("member.status_reject", actor=by, obj=case, org_path=case.member.org_path, detail={"note": note})
    return case


@transaction.atomic
def cancel_status_case(case: StatusCase, *, by) -> StatusCase:
    """撤回 by the requesting side while still pending."""
    case = _locked_case(case)
    _need_manager(case.member, by)
    if case.status != CaseStatus.PENDING:
        raise ValidationError({"status": f"该申请当前为“{case.get_status_display()}”，只有待审批的申请可以撤回"})
    case.status = CaseStatus.CANCELLED
    case.decided_by, case.decided_at = by, timezone.now()
    case.save()
    audit.record("member.status_cancel", actor=by, obj=case, org_path=case.member.org_path)
    return case


# 不合格党员处置 --------------------------------------------------------------------------------------------


def correction_deadline(decided_on: dt.date) -> dt.date:
    """The usual 限期改正 deadline for a decision on that date (6 months since 2024, one year before)."""
    return add_months(decided_on, int(in_force(mrules.CORRECTION_MONTHS, decided_on).value))


def deadline_findings(decided_on: dt.date, deadline: dt.date) -> list[Finding]:
    """Hard: the deadline after the decision and (since 2024) at most a year; soft: other than the usual term."""
    if deadline <= decided_on:
        return [Finding("disposal.deadline_order", True, "改正期限应晚于限期改正决定日期", "")]
    top = mrules.CORRECTION_MAX_MONTHS
    if top.applies_on(decided_on) and deadline > add_months(decided_on, top.value):
        return [finding("disposal.deadline_max", top,
                        f"限期改正期限最长不超过{top.value}个月（{top.source}），最晚为{add_months(decided_on, top.value):%Y-%m-%d}")]
    usual = in_force(mrules.CORRECTION_MONTHS, decided_on)
    if deadline != add_months(decided_on, usual.value):
        return [finding("disposal.deadline_usual", usual,
                        f"限期改正期限一般为{usual.value}个月（{usual.source}），本案为{decided_on:%Y-%m-%d}至{deadline:%Y-%m-%d}")]
    return []


@transaction.atomic
def open_disposal(member: Member, *, decided_on: dt.date, deadline: dt.date, reason: str, by) -> DisposalCase:
    """限期改正: the branch records the decision and the deadline. A soft finding (an unusual term) is kept on
    the returned case as `warnings`."""
    member = _locked_member(member)
    _need_manager(member, by)
    if member.status != Status.NORMAL:
        raise ValidationError({"member": f"{member.name}的党籍状态为“{member.get_status_display()}”，不能进行组织处置"})
    reason = _text(reason, "reason", "不合格情形")
    _not_future(decided_on, "decided_on", "限期改正决定日期")
    if deadline is None:
        raise ValidationError({"deadline": "请填写改正期限"})
    try:
        found = deadline_findings(decided_on, deadline)
    except LookupError as e:
        raise ValidationError({"decided_on": str(e)}) from None
    hard = [f for f in found if f.hard]
    if hard:
        raise ValidationError({"deadline": hard[0].message})
    open_one = DisposalCase.objects.filter(member=member, outcome="").first()
    if open_one is not None:
        raise ValidationError({"member": f"{member.name}已有一项未办结的处置案件（#{open_one.pk}，期限{open_one.deadline:%Y-%m-%d}）"})
    case = DisposalCase.objects.create(member=member, decided_on=decided_on, deadline=deadline, reason=reason,
                                       created_by=by)
    audit.record("member.disposal_open", actor=by, obj=case, org_path=member.org_path, detail={
        "member": member.pk, "decided_on": decided_on.isoformat(), "deadline": deadline.isoformat(),
        "warnings": [f.message for f in found],
    })
    case.warnings = found
    return case


@transaction.atomic
def record_disposal_outcome(case: DisposalCase, *, outcome: str, on: dt.date, by, note: str = "") -> DisposalCase:
    """处置结果. 改正 closes the case. 劝退 or 除名 (only once the deadline has passed) go to the committee above as
    an 出党 StatusCase; the case closes when that is approved."""
    case = DisposalCase.objects.select_for_update(of=("self",)).get(pk=case.pk)
    member = _locked_member(case.member)
    _need_manager(member, by)
    if case.outcome:
        raise ValidationError({"outcome": f"该案件已办结（{case.get_outcome_display()}）"})
    if outcome not in DisposalOutcome.values:
        raise ValidationError({"outcome": "处置结果应为已改正、劝其退党或除名"})
    pending = case.status_cases.filter(status=CaseStatus.PENDING).first()
    if pending is not None:
        raise ValidationError({"outcome": f"该案件的{pending.label}申请（#{pending.pk}）正在等待上级审批"})
    _not_future(on, "outcome_on", "结果日期")
    if on < case.decided_on:
        raise ValidationError({"outcome_on": f"结果日期不能早于限期改正决定日期（{case.decided_on:%Y-%m-%d}）"})
    note = _text(note, "outcome_note", "结果说明", required=outcome != DisposalOutcome.CORRECTED)
    if outcome == DisposalOutcome.CORRECTED:
        case.outcome, case.outcome_on, case.outcome_note, case.closed_by = outcome, on, note, by
        case.save()
        audit.record("member.disposal_close", actor=by, obj=case, org_path=member.org_path,
                     detail={"outcome": outcome, "on": on.isoformat()})
        return case
    if on < case.deadline:
        usual = in_force(mrules.CORRECTION_MONTHS, case.decided_on)
        raise ValidationError({"outcome_on": f"限期改正期满（{case.deadline:%Y-%m-%d}）仍无转变的，方可劝其退党或除名"
                                             f"（{usual.source}）"})
    request_status_change(member, kind=CaseKind.LEAVE, leave_type=DISPOSAL_LEAVE[outcome], effective_on=on,
                          reason=f"不合格党员处置 #{case.pk}（{case.reason}）：{note}"[:TEXT_MAX], by=by, disposal=case)
    audit.record("member.disposal_outcome", actor=by, obj=case, org_path=member.org_path,
                 detail={"outcome": outcome, "on": on.isoformat(), "note": note})
    return case
