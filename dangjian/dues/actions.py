"""Every write to dues: declare and confirm bases, exemptions, the monthly ledger, payments, reversals,
reminders. Each validates, writes in one transaction and records the business event (money is always
audited). Who may call them is decided by the callers from `restrict(user, WRITE_ACTION)`, except the
exemption approval, whose approver the regulation names (the committee above the branch).

Numbers (brackets, fixed amounts, payment limits) come from dangjian.rules.dues only.
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from dangjian.core import audit
from dangjian.core.scope import scope_for
from dangjian.members.choices import Status
from dangjian.members.models import Member
from dangjian.rules import dues as rules

from . import arrears as dues_arrears
from . import totals as dues_totals
from .models import (
    WRITE_ACTION,
    DuesBase,
    DuesExemption,
    DuesLedger,
    DuesPayment,
    DuesReminder,
    ExemptionKind,
    PayMethod,
    ReminderMethod,
)
from .months import first_of, label, month_range, next_month, parse_month

FEN = Decimal("0.01")


def _today() -> dt.date:
    return timezone.localdate()


def _month(raw, field: str, key: str) -> dt.date:
    try:
        return parse_month(raw, field=field)
    except ValueError as e:
        raise ValidationError({key: str(e)}) from None


def _money(raw, field: str, key: str) -> Decimal:
    try:
        value = rules.to_yuan(raw, field=field)
    except ValueError as e:
        raise ValidationError({key: str(e)}) from None
    if value < 0:
        raise ValidationError({key: f"{field}不能为负数"})
    if value != value.quantize(FEN):
        raise ValidationError({key: f"{field}最多保留两位小数（到分）"})
    if value >= Decimal("1e10"):
        raise ValidationError({key: f"{field}{value}元超出可登记的范围"})
    return value.quantize(FEN)


def _first_dues_month(member: Member) -> dt.date:
    return first_of(member.joined_on)


def _left_month(member: Member) -> dt.date | None:
    """The last month a member who left still owes (the month of the status change); None while active."""
    if member.status == Status.NORMAL:
        return None
    return first_of(member.status_changed_on) if member.status_changed_on else dt.date.min


# ---------------------------------------------------------------- bases

def declare_base(member: Member, *, from_month, category: str, base=None, farmer_amount=None, note: str = "",
                 by=None, confirm: bool = False) -> DuesBase:
    """党费基数申报 from `from_month` on (the whole year unless re-declared later in it)."""
    start = _month(from_month, "起始月份", "effective_from")
    if category not in rules.CATEGORIES:
        raise ValidationError({"category": f"请选择交纳类别（{'、'.join(rules.CATEGORIES.values())}）"})
    amount_base = None
    if base not in (None, ""):
        try:
            amount_base = rules.to_yuan(base)
        except ValueError as e:
            raise ValidationError({"base": str(e)}) from None
    if start < rules.DUES_REGIME_START.replace(day=1):
        raise ValidationError({"effective_from": "2008年4月以前的党费标准未收录，起始月份不能早于2008年4月"})
    if start < _first_dues_month(member):
        raise ValidationError({"effective_from": f"起始月份{label(start)}早于该党员入党日期（{member.joined_on}）"})
    left = _left_month(member)
    if left is not None and start > left:
        raise ValidationError({"effective_from": f"该党员已{member.get_status_display()}，不能申报{label(start)}起的基数"})
    if start > next_month(next_month(_today())):  # a declaration is made for now, not for a far future
        raise ValidationError({"effective_from": f"起始月份{label(start)}过远，请在当月或次月申报"})
    try:
        amount = rules.monthly_dues(category, amount_base, on=max(start, rules.DUES_REGIME_START),
                                    farmer_fixed=farmer_amount)
    except (ValueError, LookupError) as e:
        key = "farmer_amount" if farmer_amount is not None and category == "farmer" else "base"
        raise ValidationError({key: str(e)}) from None
    if amount_base is not None and amount_base != amount_base.quantize(FEN):
        raise ValidationError({"base": "党费计算基数最多保留两位小数（到分）"})
    with transaction.atomic():
        row = DuesBase.objects.create(
            member=member, org_path=member.org_path, year=start.year, effective_from=start, category=category,
            base=amount_base, monthly_amount=amount, note=(note or "").strip()[:200],
            declared_by=by if getattr(by, "is_authenticated", False) else None,
        )
        audit.record("dues.base.declare", actor=by, obj=row, detail={
            "member": member.pk, "from": start.isoformat(), "category": category,
            "base": str(amount_base) if amount_base is not None else None, "monthly_amount": str(amount),
        })
        if confirm:
            confirm_base(row, by=by)
    return row


def confirm_base(row: DuesBase, *, by=None) -> DuesBase:
    """The branch confirms a declaration; from then on it sets what the ledger owes."""
    if row.confirmed_at is not None:
        raise ValidationError({"base": "该基数申报已确认，不能重复确认"})
    with transaction.atomic():
        row.confirmed_by = by if getattr(by, "is_authenticated", False) else None
        row.confirmed_at = timezone.now()
        row.save(update_fields=["confirmed_by", "confirmed_at"])
        audit.record("dues.base.confirm", actor=by, obj=row, detail={
            "member": row.member_id, "from": row.effective_from.isoformat(), "monthly_amount": str(row.monthly_amount),
        })
        _regenerate_member(row.member, row.effective_from)
    return row


# ---------------------------------------------------------------- exemptions

def request_exemption(member: Member, *, start_month, end_month, kind: str, reason: str, amount=None,
                      by=None) -> DuesExemption:
    """The branch proposes a reduction or exemption for a member in real hardship."""
    start = _month(start_month, "起始月份", "start_month")
    end = _month(end_month, "截止月份", "end_month")
    if end < start:
        raise ValidationError({"end_month": "截止月份不能早于起始月份"})
    if kind not in ExemptionKind.values:
        raise ValidationError({"kind": "请选择减免方式（免交或减交）"})
    if not (reason or "").strip():
        raise ValidationError({"reason": "请填写减免理由"})
    value = None
    if kind == ExemptionKind.REDUCED:
        if amount in (None, ""):
            raise ValidationError({"amount": "减交须填写减交后的每月金额"})
        value = _money(amount, "减交后每月金额", "amount")
    with transaction.atomic():
        ex = DuesExemption.objects.create(
            member=member, org_path=member.org_path, start_month=start, end_month=end, kind=kind, amount=value,
            reason=reason.strip()[:300], requested_by=by if getattr(by, "is_authenticated", False) else None,
        )
        audit.record("dues.exemption.request", actor=by, obj=ex, detail={
            "member": member.pk, "start": start.isoformat(), "end": end.isoformat(), "kind": kind,
            "amount": str(value) if value is not None else None, "reason": ex.reason,
        })
    return ex


def approve_exemption(ex: DuesExemption, *, by) -> DuesExemption:
    """上一级党委审批: the approver must manage the committee above the member's branch."""
    if ex.approved_at is not None:
        raise ValidationError({"approved_by": "该减免已审批"})
    parent_path = ex.org_path[: -4]
    if not parent_path or not scope_for(by).covers(parent_path, WRITE_ACTION):
        raise ValidationError({"approved_by": "党费减免须由党支部的上一级党委审批"})
    with transaction.atomic():
        ex.approved_by = by
        ex.approved_at = timezone.now()
        ex.save(update_fields=["approved_by", "approved_at"])
        audit.record("dues.exemption.approve", actor=by, obj=ex, detail={"member": ex.member_id})
        _regenerate_member(ex.member, ex.start_month, ex.end_month)
    return ex


# ---------------------------------------------------------------- ledger

def _ledger_sql(where: str, members: str, upsert: bool = True) -> str:
    """`where` narrows the members (`m`); `members` is the same narrowing as a predicate on a `member_id`
    column, so the bases and exemptions read are only those of the members written."""
    m, b, x, led = (Member._meta.db_table, DuesBase._meta.db_table, DuesExemption._meta.db_table,
                    DuesLedger._meta.db_table)
    # One INSERT … SELECT per month, set-based: the confirmed base in force for each member (latest
    # effective_from <= month) and the approved exemption covering the month are ranked in one pass each
    # (ROW_NUMBER over the candidates, then hash joins), not looked up by a correlated subquery per member
    # (that was 2 index probes and an exemption scan per member: 86 s a month at 1,000,000 members; see
    # bench/README.md). The upsert keeps a row's org (a past month stays with the branch it was owed to)
    # and refreshes the money.
    if connection.vendor == "postgresql":
        # DISTINCT ON: the same choice, and the planner knows it yields one row per member (with ROW_NUMBER
        # it guessed 0.5 % and probed the members' primary key a million times instead of hash-joining)
        bf = f"""SELECT DISTINCT ON (b2.member_id) b2.id, b2.member_id, b2.monthly_amount FROM {b} b2
                 WHERE b2.confirmed_at IS NOT NULL AND b2.effective_from <= %(month)s {members.format(col="b2.member_id")}
                 ORDER BY b2.member_id, b2.effective_from DESC, b2.id DESC"""
        xf = f"""SELECT DISTINCT ON (x2.member_id) x2.id, x2.member_id, x2.kind, x2.amount FROM {x} x2
                 WHERE x2.approved_at IS NOT NULL AND x2.start_month <= %(month)s AND x2.end_month >= %(month)s
                       {members.format(col="x2.member_id")}
                 ORDER BY x2.member_id, x2.id DESC"""
        return _LEDGER_INSERT.format(led=led, m=m, bf=bf, xf=xf, where=where, upsert=_UPSERT if upsert else "")
    return f"""
        INSERT INTO {led} (member_id, month, org_id, org_path, base_id, exemption_id, due, generated_at)
        WITH bf AS (
            SELECT id, member_id, monthly_amount FROM (
                SELECT b2.id, b2.member_id, b2.monthly_amount,
                       ROW_NUMBER() OVER (PARTITION BY b2.member_id
                                          ORDER BY b2.effective_from DESC, b2.id DESC) AS rn
                FROM {b} b2
                WHERE b2.confirmed_at IS NOT NULL AND b2.effective_from <= %(month)s {members.format(col="b2.member_id")}
            ) ranked WHERE rn = 1),
        xf AS (
            SELECT id, member_id, kind, amount FROM (
                SELECT x2.id, x2.member_id, x2.kind, x2.amount,
                       ROW_NUMBER() OVER (PARTITION BY x2.member_id ORDER BY x2.id DESC) AS rn
                FROM {x} x2
                WHERE x2.approved_at IS NOT NULL AND x2.start_month <= %(month)s AND x2.end_month >= %(month)s
                      {members.format(col="x2.member_id")}
            ) ranked WHERE rn = 1)
        SELECT m.id, %(month)s, m.org_id, m.org_path, bf.id, xf.id,
               CASE WHEN xf.id IS NULL THEN bf.monthly_amount WHEN xf.kind = 'exempt' THEN 0 ELSE xf.amount END,
               %(now)s
        FROM {m} m
        JOIN bf ON bf.member_id = m.id
        LEFT JOIN xf ON xf.member_id = m.id
        WHERE m.joined_on < %(next)s
          AND (m.status = 'normal' OR m.status_changed_on >= %(month)s)
          {where}
        ON CONFLICT (member_id, month) DO UPDATE SET
            base_id = excluded.base_id, exemption_id = excluded.exemption_id,
            due = excluded.due, generated_at = excluded.generated_at
    """


_LEDGER_INSERT = """
        INSERT INTO {led} (member_id, month, org_id, org_path, base_id, exemption_id, due, generated_at)
        SELECT m.id, %(month)s, m.org_id, m.org_path, bf.id, xf.id,
               CASE WHEN xf.id IS NULL THEN bf.monthly_amount WHEN xf.kind = 'exempt' THEN 0 ELSE xf.amount END,
               %(now)s
        FROM {m} m
        JOIN ({bf}) bf ON bf.member_id = m.id
        LEFT JOIN ({xf}) xf ON xf.member_id = m.id
        WHERE m.joined_on < %(next)s
          AND (m.status = 'normal' OR m.status_changed_on >= %(month)s)
          {where}
        {upsert}
"""
_UPSERT = """ON CONFLICT (member_id, month) DO UPDATE SET
            base_id = excluded.base_id, exemption_id = excluded.exemption_id,
            due = excluded.due, generated_at = excluded.generated_at"""


def generate_ledger(months, *, org=None, member: Member | None = None, now=None, totals: bool = True) -> int:
    """Writes the 应交 rows of `months` for everyone under `org` (or one member, or everyone): one
    INSERT … SELECT per month, no Python loop over members. Idempotent. Returns the rows written.
    Then recomputes the report totals of the cells written and the arrears list of the members written (unless
    the caller does both after its own writes: `totals=False`)."""
    ops = connection.ops
    now = now or timezone.now()
    where, members, extra = "", "", {}
    if member is not None:
        where, members, extra = "AND m.id = %(member)s", "AND {col} = %(member)s", {"member": member.pk}
    elif org is not None:
        where, extra = "AND m.org_path LIKE %(prefix)s", {"prefix": org.path + "%"}
        members = f"AND {{col}} IN (SELECT id FROM {Member._meta.db_table} WHERE org_path LIKE %(prefix)s)"
    total = 0
    with transaction.atomic(), connection.cursor() as cur:
        for month in sorted({first_of(m) for m in months}):
            # The monthly run's usual case, a month nobody has rows for yet: a plain INSERT (no speculative
            # insertion through the unique index per row). Otherwise the idempotent upsert.
            fresh = (connection.vendor == "postgresql" and member is None and org is None
                     and not DuesLedger.objects.filter(month=month).exists())
            params = {
                "month": ops.adapt_datefield_value(month), "next": ops.adapt_datefield_value(next_month(month)),
                "now": ops.adapt_datetimefield_value(now), **extra,
            }
            try:
                with transaction.atomic():  # a savepoint: a concurrent run's rows turn this into the upsert
                    cur.execute(_ledger_sql(where, members, upsert=not fresh), params)
            except IntegrityError:
                cur.execute(_ledger_sql(where, members), params)
            total += max(cur.rowcount, 0)
        if totals:
            months = sorted({first_of(m) for m in months})
            if member is not None:
                dues_totals.refresh_member(member.pk, months)
                dues_arrears.sync(months, member_ids=[member.pk])
            elif org is not None:
                dues_totals.refresh(months, set(
                    DuesLedger.objects.filter(month__in=months, member__org_path__startswith=org.path)
                    .values_list("org_id", flat=True).distinct()))
                dues_arrears.sync(months, member_prefix=org.path)
            else:
                dues_totals.refresh(months)
                dues_arrears.invalidate(months)  # the monthly run takes a new snapshot (command dues_ledger)
    return total


def _regenerate_member(member: Member, start: dt.date, end: dt.date | None = None) -> None:
    """After a base or exemption change: rewrite the member's rows from `start` through the later of
    `end`, this month and the last month already in the ledger (advance payments), and drop rows the
    change no longer supports."""
    last = DuesLedger.objects.filter(member=member).order_by("-month").values_list("month", flat=True).first()
    end = max(d for d in (end, first_of(_today()), last) if d is not None)
    months = month_range(start, end)
    now = timezone.now()
    generate_ledger(months, member=member, now=now, totals=False)
    stale = DuesLedger.objects.filter(member=member, month__gte=start, month__lte=end).exclude(generated_at=now)
    stale_orgs = set(stale.values_list("org_id", flat=True))
    stale.delete()
    dues_totals.refresh_member(member.pk, months, stale_orgs)
    dues_arrears.sync(months, member_ids=[member.pk])


def generate_ledger_for_month(month, *, org=None, by=None) -> int:
    """The monthly run (command `dues_ledger`, the branch page's button): audited like other writes."""
    month = _month(month, "月份", "month")
    with transaction.atomic():
        n = generate_ledger([month], org=org)
        audit.record("dues.ledger.generate", actor=by, obj=org, detail={"month": month.isoformat(), "rows": n})
    return n


# ---------------------------------------------------------------- payments

def record_payment(member: Member, *, months, paid_on, method: str, receipt: str = "", amount=None,
                   explanation: str = "", over_limit_reason: str = "", quarterly: bool = False,
                   by=None) -> list[DuesPayment]:
    """Records a payment of one or several months (in advance, or back payments) as one row per month.

    Refuses: no month, a month already paid, months before the member joined or after they left,
    months without a confirmed base or approved as exempt, back or advance payments beyond the rule's
    limits (unless a reason is given: the limits are "一般"), an amount that differs from the ledger's
    due without an explanation.
    """
    raw_months = list(months or [])
    if not raw_months:
        raise ValidationError({"months": "请选择所交月份"})
    ms = [_month(m, "所交月份", "months") for m in raw_months]
    if len(set(ms)) != len(ms):
        raise ValidationError({"months": "所交月份有重复"})
    ms.sort()
    if not isinstance(paid_on, dt.date):
        raise ValidationError({"paid_on": "请填写交纳日期"})
    if paid_on > _today():
        raise ValidationError({"paid_on": f"交纳日期{paid_on}晚于今天"})
    if method not in PayMethod.values:
        raise ValidationError({"method": f"请选择交纳方式（{'、'.join(PayMethod.labels)}）"})
    receipt = (receipt or "").strip()
    if len(receipt) > 50:
        raise ValidationError({"receipt": "收据号最多50个字符"})
    explanation = (explanation or "").strip()[:300]
    over_limit_reason = (over_limit_reason or "").strip()[:300]

    joined = _first_dues_month(member)
    early = [m for m in ms if m < joined]
    if early:
        raise ValidationError({"months": f"{label(early[0])}早于该党员入党日期（{member.joined_on}），无需交纳党费"})
    left = _left_month(member)
    late = [m for m in ms if left is not None and m > left]
    if late:
        when = member.status_changed_on or "未记录日期"
        raise ValidationError({"months": f"{label(late[0])}晚于该党员{member.get_status_display()}的日期（{when}），不再交纳党费"})
    findings = rules.payment_findings({(m.year, m.month) for m in ms}, paid_on, quarterly=quarterly)
    if findings and not over_limit_reason:
        text = "；".join(f.message for f in findings)
        raise ValidationError({"months": f"{text}。如确有正当理由，请填写超限说明"})

    with transaction.atomic():
        # Serialize payments of one member: the "already paid" check below then cannot race.
        Member.objects.select_for_update().filter(pk=member.pk).first()
        paid = {p.month: p for p in DuesPayment.objects.filter(
            member=member, month__in=ms, is_reversed=False, reverses__isnull=True)}
        if paid:
            m = min(paid)
            p = paid[m]
            rec = f"，收据号{p.receipt}" if p.receipt else ""
            raise ValidationError({"months": f"{label(m)}的党费已于{p.paid_on}交纳{rec}，不能重复交纳"})
        generate_ledger(ms, member=member, totals=False)
        ledger = {row.month: row for row in DuesLedger.objects.filter(member=member, month__in=ms)}
        missing = [m for m in ms if m not in ledger]
        if missing:
            raise ValidationError({"months": f"{label(missing[0])}没有已确认的党费基数，请先申报并由党支部确认"})
        exempt = [m for m in ms if ledger[m].due == 0]
        if exempt:
            raise ValidationError({"months": f"{label(exempt[0])}已批准免交党费，无需交纳"})
        total_due = sum((ledger[m].due for m in ms), Decimal("0.00"))
        total = total_due if amount in (None, "") else _money(amount, "实交金额", "amount")
        if total != total_due and not explanation:
            raise ValidationError({"amount": f"实交金额{total}元与应交金额{total_due}元不符，请在“说明”中写明原因"})
        shares = _allocate(total, [ledger[m].due for m in ms])
        if any(s <= 0 for s in shares):
            raise ValidationError({"amount": f"实交金额{total}元不足以覆盖所选的{len(ms)}个月，请减少所交月份"})
        batch = uuid.uuid4()
        rows = [DuesPayment(
            member=member, org_id=member.org_id, org_path=member.org_path, month=m, amount=share,
            due=ledger[m].due, paid_on=paid_on, method=method, receipt=receipt, explanation=explanation,
            batch=batch, recorded_by=by if getattr(by, "is_authenticated", False) else None,
        ) for m, share in zip(ms, shares, strict=True)]
        try:
            with transaction.atomic():
                DuesPayment.objects.bulk_create(rows)
        except IntegrityError:
            raise ValidationError({"months": "所选月份的党费已交纳，不能重复交纳"}) from None
        dues_totals.refresh_member(member.pk, ms)
        dues_arrears.sync(ms, member_ids=[member.pk])
        audit.record("dues.payment", actor=by, obj=member, detail={
            "batch": str(batch), "months": [m.isoformat() for m in ms], "amount": str(total),
            "due": str(total_due), "paid_on": paid_on.isoformat(), "method": method, "receipt": receipt,
            "explanation": explanation, "over_limit_reason": over_limit_reason,
            "findings": [f.code for f in findings],
        })
    return list(DuesPayment.objects.filter(batch=batch).order_by("month"))


def record_month_payments(members, *, month, paid_on, method: str, by=None) -> list[DuesPayment]:
    """One month's dues of several members, as a branch collects them at a meeting: each member's as
    `record_payment` records it (the ledger's amount, every check and the audit), all or none: the error names each
    member it refuses, and nothing is written."""
    members = list(members)
    if not members:
        raise ValidationError({"members": "请勾选已交纳的党员"})
    errors, rows = [], []
    with transaction.atomic():
        for m in members:
            try:
                with transaction.atomic():
                    rows += record_payment(m, months=[month], paid_on=paid_on, method=method, by=by)
            except ValidationError as e:
                errors.append(f"{m.name}：{'；'.join(e.messages)}")
        if errors:
            transaction.set_rollback(True)
    if errors:
        raise ValidationError({"members": errors})
    return rows


def _allocate(total: Decimal, dues: list[Decimal]) -> list[Decimal]:
    """Splits a payment over months: each month its due in order, the last month whatever remains
    (an overpayment stays on it; an underpayment leaves the later months short)."""
    shares, left = [], total
    for i, due in enumerate(dues):
        share = left if i == len(dues) - 1 else min(due, left)
        shares.append(share)
        left -= share
    return shares


def reverse_payment(payment: DuesPayment, *, reason: str, by=None) -> DuesPayment:
    """冲正: a new entry with the opposite amount pointing to the original; the month is open again."""
    if not (reason or "").strip():
        raise ValidationError({"reason": "请填写冲正原因"})
    with transaction.atomic():
        original = DuesPayment.objects.select_for_update().get(pk=payment.pk)
        if original.reverses_id is not None:
            raise ValidationError({"payment": "冲正记录本身不能再冲正"})
        if original.is_reversed:
            raise ValidationError({"payment": "该交纳记录已冲正，不能重复冲正"})
        entry = DuesPayment.objects.create(
            member_id=original.member_id, org_id=original.org_id, org_path=original.org_path, month=original.month,
            amount=-original.amount, due=original.due, paid_on=_today(), method=original.method,
            receipt=original.receipt, explanation=reason.strip()[:300], batch=uuid.uuid4(), reverses=original,
            recorded_by=by if getattr(by, "is_authenticated", False) else None,
        )
        # The flag is not money; it lets the "one live payment per month" index ignore the pair.
        DuesPayment.objects.filter(pk=original.pk).update(is_reversed=True)
        payment.is_reversed = True
        dues_totals.refresh_member(original.member_id, [original.month], [original.org_id])
        dues_arrears.sync([original.month], member_ids=[original.member_id])
        audit.record("dues.payment.reverse", actor=by, obj=entry, detail={
            "reverses": original.pk, "member": original.member_id, "month": original.month.isoformat(),
            "amount": str(entry.amount), "reason": entry.explanation,
        })
    return entry


# ---------------------------------------------------------------- reminders

def record_reminder(member: Member, *, reminded_on, method: str, unpaid_months: int, note: str = "",
                    by=None) -> DuesReminder:
    """催缴: who reminded a member in arrears, when and how."""
    if not isinstance(reminded_on, dt.date):
        raise ValidationError({"reminded_on": "请填写提醒日期"})
    if reminded_on > _today():
        raise ValidationError({"reminded_on": f"提醒日期{reminded_on}晚于今天"})
    if method not in ReminderMethod.values:
        raise ValidationError({"method": f"请选择提醒方式（{'、'.join(ReminderMethod.labels)}）"})
    if unpaid_months is None or unpaid_months < 0:
        raise ValidationError({"unpaid_months": "连续未交月数不能为负数"})
    with transaction.atomic():
        row = DuesReminder.objects.create(
            member=member, org_path=member.org_path, reminded_on=reminded_on, method=method,
            unpaid_months=unpaid_months, note=(note or "").strip()[:300],
            recorded_by=by if getattr(by, "is_authenticated", False) else None,
        )
        audit.record("dues.reminder", actor=by, obj=member, detail={
            "reminded_on": reminded_on.isoformat(), "method": method, "unpaid_months": unpaid_months,
        })
    return row
