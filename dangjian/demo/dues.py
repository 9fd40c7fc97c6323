"""Party dues for the demo city: this year's confirmed bases, the 应交 ledger from January to this month, and
payments — most members pay each month, some a quarter ahead, a few fall behind (so the arrears list shows
reminders due at 3 months and the 党章第九条 case at 6).

Categories follow the member's job: 退休 → retirees by their pension, 学生 → the fixed student amount, 农民 →
the farmer amount the branch chose (0.2–1 yuan), everyone else in service by a plausible income. Amounts come
from dangjian.rules.dues (monthly_dues), the ledger from dues.actions.generate_ledger (set-based), so the demo
owes exactly what the rules say. Deterministic for a seed and reference date; written in bulk.
"""

import datetime as dt
import random
import uuid
from decimal import Decimal

from django.utils import timezone

from dangjian.dues import arrears, totals
from dangjian.dues.actions import generate_ledger
from dangjian.dues.models import DuesBase, DuesLedger, DuesPayment, DuesReminder
from dangjian.dues.months import first_of, month_range
from dangjian.rules import dues as rules

_BATCH = 2000
FARMER_AMOUNTS = [Decimal("0.20"), Decimal("0.50"), Decimal("1.00")]  # what a village branch decides


def _category(rng, job: str) -> tuple[str, Decimal | None]:
    """(category, monthly base) for a member by their job (the farmer amount is the branch's, chosen below)."""
    if job.startswith("退休"):
        return "retired", Decimal(rng.randrange(2600, 8200, 50))
    if job == "学生":
        return "student", None
    if job in ("农民", "外出务工"):
        return "farmer", None
    # 税后工资: most between 3,000 and 9,000 yuan, a few higher (so every bracket appears).
    base = Decimal(rng.choice([rng.randrange(2400, 3000, 50), rng.randrange(3000, 5000, 50),
                               rng.randrange(5000, 9000, 50), rng.randrange(5000, 9000, 50),
                               rng.randrange(10000, 16000, 100)]))
    return "in_service", base


def load_dues(seed: int, today: dt.date, members: list) -> dict:
    """Bases, ledger and payments of this year for the active `members` (Member rows with pk and org)."""
    rng = random.Random(f"dues-{seed}")
    year_start = dt.date(today.year, 1, 1)
    this_month = first_of(today)
    now = timezone.now()
    branch_farmer: dict[int, Decimal] = {}
    bases = []
    for m in members:
        category, base = _category(rng, m.job or "")
        start = max(year_start, first_of(m.joined_on))
        farmer = None
        if category == "farmer":
            farmer = branch_farmer.setdefault(m.org_id, rng.choice(FARMER_AMOUNTS))
        amount = rules.monthly_dues(category, base, on=start, farmer_fixed=farmer)
        bases.append(DuesBase(member=m, org_path=m.org_path, year=today.year, effective_from=start,
                              category=category, base=base, monthly_amount=amount,
                              note="农民党员，按支部确定的标准" if farmer is not None else "",
                              confirmed_at=now))
    DuesBase.objects.bulk_create(bases, batch_size=_BATCH)
    n_ledger = generate_ledger(month_range(year_start, this_month), now=now, totals=False)  # refreshed below

    # Payments against the ledger: each member has a habit; the secretary of their branch records them.
    owed: dict[int, list] = {}
    for member_id, month, due, org_id, org_path in (DuesLedger.objects.filter(month__gte=year_start)
                                                    .values_list("member_id", "month", "due", "org_id", "org_path")
                                                    .order_by("member_id", "month")):
        owed.setdefault(member_id, []).append((month, due, org_id, org_path))
    payments, reminders = [], []
    receipt = 0
    for m in members:
        rows = owed.get(m.pk, [])
        if not rows:
            continue
        habit = rng.random()
        if today.month == 1 and habit >= 0.06:
            behind = 0
        elif habit < 0.015:
            behind = min(len(rows), rng.randrange(6, 9))  # 连续6个月以上未交: 党章第九条
        elif habit < 0.06:
            behind = min(len(rows), rng.randrange(3, 6))  # 3 months: a reminder is due
        elif habit < 0.25:
            behind = 1  # this month not yet paid
        else:
            behind = 0
        paid = rows[: len(rows) - behind]
        quarterly = rng.random() < 0.15
        i = 0
        while i < len(paid):
            group = paid[i: i + (3 if quarterly else 1)]
            batch = uuid.UUID(int=rng.getrandbits(128), version=4)
            first_month = group[0][0]
            paid_on = min(first_month + dt.timedelta(days=rng.randrange(2, 20)), today)
            receipt += 1
            method = rng.choice(["cash", "cash", "wechat", "bank"])
            for month, due, org_id, org_path in group:
                payments.append(DuesPayment(
                    member=m, org_id=org_id, org_path=org_path, month=month, amount=due, due=due, paid_on=paid_on,
                    method=method, receipt=f"DF{today.year}{receipt:06d}",
                    batch=batch))
            i += len(group)
        if behind >= 3:
            for k in range(min(behind - 2, 2)):
                when = today - dt.timedelta(days=12 + 30 * k)
                reminders.append(DuesReminder(member=m, org_path=m.org_path, reminded_on=when,
                                              method=rng.choice(["talk", "phone"]), unpaid_months=behind - k,
                                              note="已当面提醒，本人表示近期补交" if k == 0 else "电话联系未接通"))
    DuesPayment.objects.bulk_create(payments, batch_size=_BATCH)
    DuesReminder.objects.bulk_create(reminders, batch_size=_BATCH)
    # The payments went in bulk, past the actions: recompute the month totals the reports read.
    totals.refresh(month_range(year_start, this_month))
    arrears.snapshot(this_month)  # as the monthly run leaves it
    return {"bases": len(bases), "ledger": n_ledger, "payments": len(payments), "reminders": len(reminders)}
