"""Every write to transfers goes through here: check the rule, write in one transaction, audit.

Scope: the caller (view or API) first looks the transfer up on the side that may act (404 otherwise);
the actions check the same again and refuse with PermissionDenied, so a new caller cannot skip it.
Business rules refuse with a Chinese ValidationError naming the rule.
"""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from dangjian.core import audit
from dangjian.core.scope import scope_for
from dangjian.members import actions as member_actions
from dangjian.members.choices import Status as MemberStatus
from dangjian.members.models import CaseStatus, Member, StatusCase
from dangjian.orgs.models import Org
from dangjian.rules import transfers as rules
from dangjian.rules.base import value

from .models import ACT, Kind, Status, Transfer

REASON_MAX = 500


def validity_default() -> int:
    return int(value(rules.LETTER_VALIDITY_DAYS))


def validity_max() -> int:
    return int(value(rules.LETTER_MAX_VALIDITY_DAYS))


def letter_number(transfer: Transfer, on: dt.date) -> str:
    """介绍信编号: year and the transfer's id — unique by construction, no counter to race on."""
    return f"转字〔{on.year}〕第{transfer.pk:06d}号"


def manages(user, path: str) -> bool:
    return bool(path) and scope_for(user).covers(path, ACT)


def _need_sending(transfer: Transfer, by) -> None:
    if not manages(by, transfer.org_path):
        raise PermissionDenied("您无权办理该党员所在党组织的转接")


def _need_receiving(transfer: Transfer, by) -> None:
    if transfer.to_org_id is None or not manages(by, transfer.to_org.path):
        raise PermissionDenied("您无权办理转入党支部的接收")


def _text(s: str | None, field: str, label: str) -> str:
    s = (s or "").strip()
    if not s:
        raise ValidationError({field: f"请填写{label}"})
    if len(s) > REASON_MAX:
        raise ValidationError({field: f"{label}不能超过{REASON_MAX}字"})
    return s


def _check_validity(days) -> int:
    if days in (None, ""):
        return validity_default()
    days = int(days)
    top = validity_max()
    if days < 1 or days > top:
        raise ValidationError({"validity_days": f"介绍信有效期应为1至{top}天（{rules.LETTER_MAX_VALIDITY_DAYS.source}）"})
    return days


def _ensure_not_in_transfer(member: Member) -> None:
    open_one = Transfer.objects.open().filter(member=member).values_list("pk", flat=True).first()
    if open_one:
        raise ValidationError({"member": f"{member.name}已有一项未办结的组织关系转接（#{open_one}），办结或撤销前不能再次发起"})


@transaction.atomic
def start(member: Member, *, reason: str, by, to_org: Org | None = None, kind: str = Kind.INTERNAL,
          to_name: str = "") -> Transfer:
    """发起转接 by whoever manages the member's branch."""
    # Lock the member row: two concurrent starts for one member serialize here (the DB constraint is the
    # final guard).
    member = Member.objects.select_for_update(of=("self",)).select_related("org").get(pk=member.pk)
    if not manages(by, member.org_path):
        raise PermissionDenied("您无权为该党员办理组织关系转接")
    if kind not in (Kind.INTERNAL, Kind.OUT):
        raise ValidationError({"kind": "转接类型应为平台内转接或转出本平台"})
    reason = _text(reason, "reason", "转接原因")
    if member.status != MemberStatus.NORMAL:
        raise ValidationError({"member": f"{member.name}的党籍状态为“{member.get_status_display()}”，不能办理组织关系转接"})
    _ensure_not_in_transfer(member)
    pending_case = StatusCase.objects.filter(member=member, status=CaseStatus.PENDING).first()
    if pending_case is not None:
        raise ValidationError({"member": f"{member.name}有一项待审批的党籍变更（#{pending_case.pk} {pending_case.label}），"
                                         "审批或撤回前不能办理组织关系转接"})
    if kind == Kind.INTERNAL:
        if to_org is None:
            raise ValidationError({"to_org": "请选择转入党支部"})
        if not to_org.is_branch:
            raise ValidationError({"to_org": f"“{to_org.name}”是{to_org.get_org_type_display()}，"
                                             "党员只能转入党支部、联合党支部或临时党支部"})
        if to_org.pk == member.org_id:
            raise ValidationError({"to_org": f"转入党支部与{member.name}现在所在的党支部相同"})
        to_name = to_org.name
    else:
        to_org = None
        to_name = _text(to_name, "to_name", "转入单位（平台外党组织名称）")
    try:
        with transaction.atomic():
            t = Transfer.objects.create(
                member=member, kind=kind, from_org=member.org, org_path=member.org_path, from_name=member.org.name,
                to_org=to_org, to_name=to_name, reason=reason, started_by=by,
            )
    except IntegrityError:
        raise ValidationError({"member": f"{member.name}已有一项未办结的组织关系转接，办结或撤销前不能再次发起"}) from None
    audit.record("transfer.start", actor=by, obj=t, detail={
        "member": member.pk, "kind": kind, "from": member.org.code, "to": to_org.code if to_org else to_name,
        "reason": reason,
    })
    return t


def _locked(transfer: Transfer) -> Transfer:
    # Lock the transfer row only (the joined orgs are nullable; PostgreSQL cannot lock an outer join's side):
    # two people pressing "accept" and "reject" at once serialize here.
    return Transfer.objects.select_for_update(of=("self",)).select_related("member", "to_org", "from_org").get(pk=transfer.pk)


@transaction.atomic
def approve(transfer: Transfer, *, by, validity_days: int | None = None) -> Transfer:
    """审批: the sending side, someone other than the starter. Issues the numbered 介绍信."""
    t = _locked(transfer)
    _need_sending(t, by)
    if t.status != Status.PENDING:
        raise ValidationError({"status": f"该转接当前为“{t.get_status_display()}”，只有待审批的转接可以审批"})
    if t.started_by_id is not None and by is not None and t.started_by_id == by.pk:
        raise ValidationError({"status": "不能审批自己发起的转接，请由党员所在党组织的其他管理人员（通常是上级党委）审批"})
    days = _check_validity(validity_days)
    now = timezone.now()
    today = timezone.localdate(now)
    t.status = Status.APPROVED
    t.approved_by, t.approved_at = by, now
    t.letter_no = letter_number(t, today)
    t.letter_issued_on = today
    t.validity_days = days
    t.valid_until = today + dt.timedelta(days=days)
    t.save()
    audit.record("transfer.approve", actor=by, obj=t, detail={"letter_no": t.letter_no, "valid_until": t.valid_until.isoformat()})
    return t


@transaction.atomic
def accept(transfer: Transfer, *, by) -> Transfer:
    """接收: the receiving branch's side; moves the member atomically with the status change."""
    t = _locked(transfer)
    _need_receiving(t, by)
    if t.status == Status.PENDING:
        raise ValidationError({"status": "转出方党组织尚未审批，不能接收"})
    if t.status != Status.APPROVED:
        raise ValidationError({"status": f"该转接已{t.get_status_display()}，不能接收"})
    if t.kind != Kind.INTERNAL:
        raise ValidationError({"status": "只有平台内转接由转入党支部接收"})
    member = Member.objects.select_for_update().get(pk=t.member_id)
    if member.status != MemberStatus.NORMAL:
        raise ValidationError({"member": f"{member.name}的党籍状态已变为“{member.get_status_display()}”，不能接收，请退回"})
    member_actions.update_member(member, {"org": t.to_org}, by=by, source=f"组织关系转接 #{t.pk}")
    # A mobile member who transferred to where they live now is no longer away from their branch.
    member_actions.end_mobile_for(member, on=timezone.localdate(), reason=f"组织关系已转接（#{t.pk}）", by=by)
    t.status = Status.COMPLETED
    t.decided_by, t.decided_at = by, timezone.now()
    t.save()
    audit.record("transfer.accept", actor=by, obj=t, detail={
        "member": member.pk, "to": t.to_org.code, "overdue": t.is_overdue(),
    })
    return t


def may_reject(transfer: Transfer, user) -> bool:
    """Who may reject now: the sending side while pending (other than the starter, who cancels instead);
    once approved, the receiving branch (within the platform) or the sending side (out of the platform:
    the other system's refusal is recorded there)."""
    if transfer.status == Status.PENDING:
        return manages(user, transfer.org_path) and transfer.started_by_id != user.pk
    if transfer.status == Status.APPROVED:
        if transfer.kind == Kind.INTERNAL:
            return transfer.to_org_id is not None and manages(user, transfer.to_org.path)
        return manages(user, transfer.org_path)
    return False


@transaction.atomic
def reject(transfer: Transfer, *, by, reason: str) -> Transfer:
    t = _locked(transfer)
    if not (manages(by, t.org_path) or (t.to_org_id and manages(by, t.to_org.path))):
        raise PermissionDenied("您无权办理该转接")
    if not t.is_open:
        raise ValidationError({"status": f"该转接已{t.get_status_display()}，不能退回"})
    reason = _text(reason, "reason", "退回原因")
    if not may_reject(t, by):
        if t.status == Status.PENDING and t.started_by_id == by.pk:
            raise ValidationError({"status": "发起人不能退回自己发起的转接，如需终止请撤销"})
        if t.status == Status.PENDING:
            raise ValidationError({"status": "审批前只能由转出方党组织退回"})
        raise ValidationError({"status": "已审批的转接只能由转入党支部退回"})
    t.status = Status.REJECTED
    t.reject_reason = reason
    t.decided_by, t.decided_at = by, timezone.now()
    t.save()
    audit.record("transfer.reject", actor=by, obj=t, detail={"reason": reason})
    return t


@transaction.atomic
def cancel(transfer: Transfer, *, by) -> Transfer:
    t = _locked(transfer)
    _need_sending(t, by)
    if t.status != Status.PENDING:
        raise ValidationError({"status": f"该转接当前为“{t.get_status_display()}”，只有待审批的转接可以撤销"})
    if t.started_by_id != by.pk:
        raise ValidationError({"status": "只有发起人可以撤销转接"})
    t.status = Status.CANCELLED
    t.decided_by, t.decided_at = by, timezone.now()
    t.save()
    audit.record("transfer.cancel", actor=by, obj=t)
    return t


@transaction.atomic
def record_receipt(transfer: Transfer, *, by, received_on: dt.date | None = None) -> Transfer:
    """回执: the other system received the member; the member's 党籍 status becomes 转出."""
    t = _locked(transfer)
    _need_sending(t, by)
    if t.kind != Kind.OUT:
        raise ValidationError({"status": "只有转出本平台的转接需要登记回执"})
    if t.status != Status.APPROVED:
        raise ValidationError({"status": f"该转接当前为“{t.get_status_display()}”，介绍信开具后才能登记回执"})
    today = timezone.localdate()
    received_on = received_on or today
    if received_on > today:
        raise ValidationError({"receipt_on": "回执日期不能晚于今天"})
    if t.letter_issued_on and received_on < t.letter_issued_on:
        raise ValidationError({"receipt_on": f"回执日期不能早于介绍信开具日期（{t.letter_issued_on:%Y-%m-%d}）"})
    member = Member.objects.select_for_update().get(pk=t.member_id)
    member_actions.change_status(
        member, MemberStatus.TRANSFERRED_OUT, on=received_on, by=by,
        reason=f"组织关系转出至{t.to_name}（介绍信{t.letter_no}，转接 #{t.pk}）",
    )
    member_actions.end_mobile_for(member, on=received_on, reason=f"组织关系已转出（#{t.pk}）", by=by)
    t.status = Status.COMPLETED
    t.receipt_on = received_on
    t.receipt_recorded_at = t.decided_at = timezone.now()
    t.decided_by = by
    t.save()
    audit.record("transfer.receipt", actor=by, obj=t, detail={"receipt_on": received_on.isoformat()})
    return t


@transaction.atomic
def register_incoming(data: dict, *, to_org: Org, from_name: str, letter_no: str, by,
                      letter_issued_on: dt.date | None = None, reason: str = "") -> Transfer:
    """转入登记: a member arriving with another system's 介绍信, registered by the receiving branch.

    `data` holds the member's registry fields (as members.actions.create_member takes them); the member
    is created in `to_org` and the transfer is recorded as completed in the same transaction.
    """
    if not manages(by, to_org.path):
        raise PermissionDenied("您无权在该党支部登记转入")
    if not to_org.is_branch:
        raise ValidationError({"to_org": f"“{to_org.name}”是{to_org.get_org_type_display()}，"
                                         "党员只能转入党支部、联合党支部或临时党支部"})
    from_name = _text(from_name, "from_name", "转出单位（原党组织名称）")
    letter_no = _text(letter_no, "letter_no", "介绍信编号")[:60]
    today = timezone.localdate()
    if letter_issued_on and letter_issued_on > today:
        raise ValidationError({"letter_issued_on": "介绍信开具日期不能晚于今天"})
    reason = (reason or "").strip()[:REASON_MAX] or "从平台外转入"
    member = member_actions.create_member(
        {**data, "org": to_org}, by=by, source=f"组织关系转入（{from_name}，介绍信{letter_no}）",
    )
    now = timezone.now()
    t = Transfer.objects.create(
        member=member, kind=Kind.IN, status=Status.COMPLETED, from_org=None, org_path="", from_name=from_name,
        to_org=to_org, to_name=to_org.name, reason=reason, started_by=by, started_at=now,
        decided_by=by, decided_at=now, letter_no=letter_no, letter_issued_on=letter_issued_on,
    )
    audit.record("transfer.register_in", actor=by, obj=t, org_path=to_org.path, detail={
        "member": member.pk, "from": from_name, "letter_no": letter_no, "to": to_org.code,
    })
    return t
