"""Synthetic activity for `dangjian gen_scale --years Y`: dues bases, exemptions, the ledger, payments and
meetings over the last Y calendar years (the last one through the reference month).

Bases are chosen in Python per member (category from the job and domain, a base in steps of 100 yuan, a
farmer branch's fixed amount chosen per branch within 0.2–1 yuan) and priced by dangjian.rules.dues
(memoized: nothing here knows a bracket). Each January the base is re-declared (3 % higher), so the ledger
has to pick the base in force. About 0.2 % of members have an approved exemption or reduction with a
reason. The ledger is written by the app's own dues.actions.generate_ledger (one INSERT … SELECT per
month); payments and meetings by one INSERT … SELECT per month from the ledger and the branches, with
decisions taken by integer hashes of (seed, id, month) in SQL, so they are deterministic for a seed and
the same on every backend; then the report totals (dues.totals) once. Attendance is not generated.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.db import connection

from dangjian.dues.models import DuesBase, DuesExemption, DuesLedger, DuesPayment
from dangjian.orglife.models import Meeting
from dangjian.rules import dues as dues_rules
from dangjian.rules.base import add_months
from dangjian.rules.meetings import KINDS

# (kind, months of the year it is held in, only where the branch has a committee (>= 7 full members))
MEETING_SCHEDULE = [
    ("theme_day", range(1, 13), False),
    ("branch_committee", range(1, 13), True),
    ("branch_congress", (2, 5, 8, 11), False),
    ("party_lecture", (3, 6, 9, 12), False),
    ("heart_talk", (10,), False),
    ("org_life_meeting", (12,), False),
    ("democratic_review", (12,), False),
]
_BRANCH_TYPES = ("branch", "joint_branch", "temp_branch")
FARMER_AMOUNTS = (Decimal("0.20"), Decimal("0.50"), Decimal("1.00"))  # what a village branch decides
_P = 2147483647  # a prime: (id * a + salt) % _P % 100 is an integer hash every backend computes alike


def period(years: int, reference: dt.date) -> tuple[dt.date, dt.date]:
    """First and last month of the last `years` calendar years, the last through the reference month."""
    return dt.date(reference.year - years + 1, 1, 1), reference.replace(day=1)


class DuesRows:
    """Base and exemption rows for members as they are generated (tuples in the columns' order)."""

    BASE_COLUMNS = ["member_id", "org_path", "year", "effective_from", "category", "base", "monthly_amount",
                    "note", "declared_by_id", "declared_at", "confirmed_by_id", "confirmed_at"]
    EXEMPTION_COLUMNS = ["member_id", "org_path", "start_month", "end_month", "kind", "amount", "reason",
                         "requested_by_id", "requested_at", "approved_by_id", "approved_at"]

    def __init__(self, seed: int, start: dt.date, end: dt.date, now: dt.datetime):
        self.rng = random.Random(seed * 1_000_003 + 17)  # its own stream: members stay as without --years
        self.start, self.end, self.now = start, end, now
        self.bases: list[tuple] = []
        self.exemptions: list[tuple] = []
        self._price: dict[tuple, Decimal] = {}
        self._farmer: dict[int, Decimal] = {}

    def price(self, category: str, base, on: dt.date, farmer=None) -> Decimal:
        key = (category, base, farmer, on.year)
        if key not in self._price:
            self._price[key] = dues_rules.monthly_dues(category, base, on=on, farmer_fixed=farmer)
        return self._price[key]

    def add(self, member_id: int, org_id: int, org_path: str, domain: str, job: str, joined: dt.date,
            status: str, changed: dt.date | None) -> None:
        first = max(self.start, joined.replace(day=1))
        last = self.end if status == "normal" or changed is None else min(self.end, changed.replace(day=1))
        if first > last:
            return
        r = self.rng
        if job == "退休":
            category, base = "retired", Decimal(r.randrange(20, 90) * 100)
        elif domain == "rural" and job != "外出务工":
            if org_id not in self._farmer:
                self._farmer[org_id] = FARMER_AMOUNTS[r.randrange(len(FARMER_AMOUNTS))]
            category, base = "farmer", None
        elif r.random() < 0.01:
            category, base = ("unemployed", "relief")[r.randrange(2)], None
        else:
            category, base = "in_service", Decimal(r.choice((25, 30, 35, 40, 45, 50, 60, 70, 80, 100, 120, 150)) * 100)
        year = first.year
        month = first
        while month <= last:
            if category == "farmer":
                amount = self.price("farmer", None, month, farmer=self._farmer[org_id])
                stored_base = None
            else:
                amount, stored_base = self.price(category, base, month), base
            self.bases.append((member_id, org_path, year, month, category, stored_base, amount, "", None, self.now,
                               None, self.now))
            year += 1
            month = dt.date(year, 1, 1)
            if base is not None and category in ("in_service", "retired"):
                base = (base * Decimal("1.03") / 100).quantize(Decimal(1)) * 100
        if status == "normal" and r.random() < 0.002:
            s = add_months(first, r.randrange(max(1, _months(first, last) + 1)))
            e = min(last, add_months(s, r.randrange(1, 6)))
            if r.random() < 0.5:
                self.exemptions.append((member_id, org_path, s, e, "exempt", None, "家庭生活困难（大病医疗）",
                                        None, self.now, None, self.now))
            else:
                self.exemptions.append((member_id, org_path, s, e, "reduced", Decimal("0.20"),
                                        "长期患病、收入微薄", None, self.now, None, self.now))


def _months(a: dt.date, b: dt.date) -> int:
    return (b.year - a.year) * 12 + b.month - a.month


def _add_days(date_sql: str, days_sql: str) -> str:
    if connection.vendor == "postgresql":
        return f"(CAST({date_sql} AS DATE) + CAST({days_sql} AS INTEGER))"
    return f"date({date_sql}, '+' || ({days_sql}) || ' days')"


def _hash(id_sql: str, salt: int) -> str:
    return f"((CAST({id_sql} AS BIGINT) * 1103515245 + {salt % _P}) %% {_P})"


def _uuid_of(id_sql: str) -> str:
    if connection.vendor == "postgresql":
        return f"CAST(md5('dj-pay-' || CAST({id_sql} AS TEXT)) AS uuid)"
    return f"substr('00000000000000000000000000000000' || printf('%%x', {id_sql}), -32, 32)"


def write_payments(seed: int, start: dt.date, end: dt.date, now: dt.datetime) -> int:
    """Payments of each month from its ledger rows: about 95 % of member-months paid on time in full, 1.5 % of
    members chronically behind for their last 1–7 months, the last month only 60 % paid yet."""
    pay, led = DuesPayment._meta.db_table, DuesLedger._meta.db_table
    ops = connection.ops
    total, months = 0, _months(start, end) + 1
    chronic = _hash("l.member_id", seed * 7 + 3)
    with connection.cursor() as cur:
        for i in range(months):
            month = add_months(start, i)
            from_end = months - 1 - i
            h = _hash("l.id", seed * 7919 + i * 104729)
            cur.execute(f"""
                INSERT INTO {pay} (member_id, org_id, org_path, month, amount, due, paid_on, method, receipt,
                                   explanation, batch, reverses_id, is_reversed, recorded_by_id, recorded_at)
                SELECT l.member_id, l.org_id, l.org_path, l.month, l.due, l.due,
                       {_add_days("l.month", f"{h} %% 25")},
                       CASE {h} %% 4 WHEN 0 THEN 'cash' WHEN 1 THEN 'wechat' WHEN 2 THEN 'alipay' ELSE 'bank' END,
                       '', '', {_uuid_of("l.id")}, NULL, %(false)s, NULL, %(now)s
                FROM {led} l
                WHERE l.month = %(month)s AND l.due > 0
                  AND {h} %% 100 >= %(miss)s
                  AND NOT ({chronic} %% 1000 < 15 AND {chronic} %% 7 >= %(from_end)s)
            """, {"month": ops.adapt_datefield_value(month), "now": ops.adapt_datetimefield_value(now),
                  "false": False, "miss": 40 if from_end == 0 else 5, "from_end": from_end})
            total += max(cur.rowcount, 0)
    return total


def write_meetings(seed: int, start: dt.date, end: dt.date, now: dt.datetime) -> int:
    """Each branch's 三会一课 at the 支部条例 frequencies, about one meeting in eleven skipped."""
    from dangjian.orgs.models import Org

    mt, org = Meeting._meta.db_table, Org._meta.db_table
    ops = connection.ops
    total, months = 0, _months(start, end) + 1
    with connection.cursor() as cur:
        for i in range(months):
            month = add_months(start, i)
            for k, (kind, held_in, committee) in enumerate(MEETING_SCHEDULE):
                if month.month not in held_in:
                    continue
                h = _hash("o.id", seed * 31 + i * 7757 + k * 613)
                cur.execute(f"""
                    INSERT INTO {mt} (org_id, org_path, kind, held_on, place, host, recorder, topic, minutes,
                                      late_entry, created_by_id, created_at)
                    SELECT o.id, o.path, %(kind)s, {_add_days("%(month)s", f"{h} %% 28")}, '', '', '', %(topic)s,
                           '', %(false)s, NULL, %(now)s
                    FROM {org} o
                    WHERE o.org_type IN ({", ".join(f"'{t}'" for t in _BRANCH_TYPES)}) AND {h} %% 100 >= 9 {"AND o.direct_full >= 7" if committee else ""}
                """, {"kind": kind, "topic": KINDS[kind], "month": ops.adapt_datefield_value(month),
                      "now": ops.adapt_datetimefield_value(now), "false": False})
                total += max(cur.rowcount, 0)
    return total


def write_activity(rows: DuesRows, seed: int, say) -> dict:
    """After the members are in: bases and exemptions, then ledger, payments and meetings set-based."""
    import time

    from dangjian.core import partitions
    from dangjian.dues import arrears as dues_arrears
    from dangjian.dues import totals as dues_totals
    from dangjian.dues.actions import generate_ledger
    from dangjian.dues.months import month_range

    # PostgreSQL: the years' partitions first, so the rows do not all land in the DEFAULT partitions.
    partitions.ensure(years=range(rows.start.year, rows.end.year + 1))
    t0 = time.monotonic()
    _load(DuesBase, rows.BASE_COLUMNS, rows.bases)
    _load(DuesExemption, rows.EXEMPTION_COLUMNS, rows.exemptions)
    say(f"党费基数：{len(rows.bases)}条，减免：{len(rows.exemptions)}条（用时{time.monotonic() - t0:.1f}秒）")
    t0 = time.monotonic()
    months = month_range(rows.start, rows.end)
    ledger = generate_ledger(months, now=rows.now, totals=False)
    say(f"应交台账：{ledger}条（用时{time.monotonic() - t0:.1f}秒）")
    t0 = time.monotonic()
    payments = write_payments(seed, rows.start, rows.end, rows.now)
    say(f"交纳记录：{payments}条（用时{time.monotonic() - t0:.1f}秒）")
    t0 = time.monotonic()
    dues_totals.refresh(months)
    say(f"党费月度汇总（用时{time.monotonic() - t0:.1f}秒）")
    t0 = time.monotonic()
    listed = dues_arrears.snapshot(rows.end)
    say(f"欠交党员名单：{listed}人（用时{time.monotonic() - t0:.1f}秒）")
    t0 = time.monotonic()
    meetings = write_meetings(seed, rows.start, rows.end, rows.now)
    say(f"组织生活记录：{meetings}条（用时{time.monotonic() - t0:.1f}秒）")
    return {"dues_bases": len(rows.bases), "dues_exemptions": len(rows.exemptions), "dues_ledger": ledger,
            "dues_payments": payments, "meetings": meetings,
            "months": [rows.start.isoformat()[:7], rows.end.isoformat()[:7]]}


def _load(model, columns: list[str], data: list[tuple]) -> None:
    if not data:
        return
    if connection.vendor == "postgresql":
        q = connection.ops.quote_name
        with connection.cursor() as cur, cur.cursor.copy(
            f"COPY {q(model._meta.db_table)} ({', '.join(map(q, columns))}) FROM STDIN"
        ) as copy:
            for row in data:
                copy.write_row(row)
        return
    model.objects.bulk_create([model(**dict(zip(columns, row, strict=True))) for row in data], batch_size=500)

