"""Reads shared by pages, API, export and commands. Set-based: a report or an arrears list is a few
GROUP BY queries over the ledger and payments for an org_path prefix, never a loop over members.

应交 (due) is the ledger; 实交 (paid) is the sum of payments, reversals included (they are negative);
欠交 (owed) is, per member-month, what the payments leave unpaid of the due (never negative: an
overpayment of one month does not pay another).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection
from django.http import Http404

from dangjian.core.scope import scope_for
from dangjian.orgs.models import Org

from . import arrears as arrears_mod
from .models import DuesBase, DuesLedger, DuesMonthTotal, DuesPayment
from .months import first_of, month_range
from .values import ZERO
from .values import date_of as _date
from .values import dec as _dec


def org_for(user, code: str, action: str = "view") -> Org:
    """The organization `code` if `user` holds `action` over it by a grant (the member role's own
    branch does not count: a member reads only their own dues). Otherwise 404."""
    org = Org.objects.filter(scope_for(user).path_q("path", action)).filter(code=code).first()
    if org is None:
        raise Http404
    return org


def can(user, org: Org, action: str) -> bool:
    return scope_for(user).covers(org.path, action)


# ---------------------------------------------------------------- one member

def base_in_force(member, month: dt.date) -> DuesBase | None:
    """The confirmed declaration that sets what `member` owes in `month` (the ledger's own choice)."""
    return (DuesBase.objects.filter(member=member, confirmed_at__isnull=False, effective_from__lte=first_of(month))
            .order_by("-effective_from", "-id").first())


def due_for(member, month: dt.date) -> Decimal | None:
    """应交 of one member-month: the ledger row, or else the base in force (a month not generated yet)."""
    row = DuesLedger.objects.filter(member=member, month=first_of(month)).values_list("due", flat=True).first()
    if row is not None:
        return row
    base = base_in_force(member, month)
    return base.monthly_amount if base else None


@dataclass
class MonthCell:
    month: dt.date
    due: Decimal | None = None
    paid: Decimal = ZERO
    payments: list = field(default_factory=list)

    @property
    def state(self) -> str:
        if self.due is None:
            return "none" if not self.payments else "paid"
        if self.due == 0:
            return "exempt"
        if self.payments and self.paid >= self.due:
            return "paid"
        if self.payments:
            return "short"
        return "unpaid"

    @property
    def owed(self) -> Decimal:
        return max((self.due or ZERO) - self.paid, ZERO)


def year_grid(members: list, year: int) -> dict[int, list[MonthCell]]:
    """Month cells of the year for several members: two queries whatever their number."""
    ids = [m.pk for m in members]
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 1)
    grid = {i: [MonthCell(m) for m in month_range(start, end)] for i in ids}
    for member_id, month, due in DuesLedger.objects.filter(member_id__in=ids, month__gte=start, month__lte=end) \
            .values_list("member_id", "month", "due"):
        grid[member_id][month.month - 1].due = due
    for p in DuesPayment.objects.filter(member_id__in=ids, month__gte=start, month__lte=end).order_by("id"):
        cell = grid[p.member_id][p.month.month - 1]
        cell.paid += p.amount
        if p.reverses_id is None and not p.is_reversed:
            cell.payments.append(p)
    return grid


@dataclass
class MemberYear:
    """One member's year of dues as their own pages show it."""

    grid: list[MonthCell]
    owed: Decimal  # 欠交: what the months up to this one leave unpaid
    paid: Decimal  # 已交 over the year, reversals included
    owed_months: list[dt.date]  # the months that leave something unpaid, up to this one
    this_month: dt.date

    @property
    def overdue_months(self) -> list[dt.date]:
        """The unpaid months before this one (this month's dues may still be paid this month)."""
        return [m for m in self.owed_months if m < self.this_month]

    @property
    def this_month_owed(self) -> bool:
        return self.this_month in self.owed_months


def member_year(member, year: int, today: dt.date) -> MemberYear:
    grid = year_grid([member], year)[member.pk]
    owed_cells = [c for c in grid if c.month <= first_of(today) and c.owed]
    return MemberYear(grid, sum((c.owed for c in owed_cells), ZERO), sum((c.paid for c in grid), ZERO),
                      [c.month for c in owed_cells], first_of(today))


def bases_in_force(members: list, on: dt.date) -> dict[int, DuesBase]:
    """The confirmed base in force on `on` for each member (one query: latest per member)."""
    out: dict[int, DuesBase] = {}
    rows = (DuesBase.objects.filter(member__in=members, confirmed_at__isnull=False, effective_from__lte=first_of(on))
            .order_by("member_id", "-effective_from", "-id"))
    for b in rows:
        out.setdefault(b.member_id, b)
    return out


def pending_bases(members: list) -> dict[int, DuesBase]:
    out: dict[int, DuesBase] = {}
    for b in DuesBase.objects.filter(member__in=members, confirmed_at__isnull=True).order_by("member_id", "-id"):
        out.setdefault(b.member_id, b)
    return out


# ---------------------------------------------------------------- reports

@dataclass
class ReportRow:
    org: Org | None
    month: dt.date | None
    due: Decimal = ZERO
    paid: Decimal = ZERO
    owed: Decimal = ZERO
    member_months: int = 0
    settled: int = 0

    @property
    def rate(self) -> Decimal | None:
        """收缴率, percent with one decimal: 实交 / 应交."""
        if not self.due:
            return None
        return (self.paid * 100 / self.due).quantize(Decimal("0.1"))

    def add(self, other: ReportRow) -> None:
        self.due += other.due
        self.paid += other.paid
        self.owed += other.owed
        self.member_months += other.member_months
        self.settled += other.settled


@dataclass
class Report:
    org: Org
    start: dt.date
    end: dt.date
    rows: list[ReportRow]  # one per (child organization, month)
    by_org: list[ReportRow]
    by_month: list[ReportRow]
    total: ReportRow


def report(org: Org, start: dt.date, end: dt.date) -> Report:
    """应交 / 实交 / 欠交 of the subtree of `org` for months start..end, grouped by the organizations one
    level below `org` (or `org` itself for a branch) and by month. One GROUP BY query."""
    start, end = first_of(start), first_of(end)
    ops = connection.ops
    params = {"prefix": org.path + "%", "start": ops.adapt_datefield_value(start),
              "end": ops.adapt_datefield_value(end), "n": len(org.path) + org.steplen}
    # One GROUP BY over the kept per-(org, month) totals (dues.totals), not over every member-month:
    # a half-year of a province was 6,000,000 ledger rows joined to their payments (bench/README.md).
    sql = f"""
        SELECT SUBSTR(o.path, 1, %(n)s) AS k, t.month, SUM(t.due), SUM(t.paid), SUM(t.owed), SUM(t.member_months),
               SUM(t.settled)
        FROM {DuesMonthTotal._meta.db_table} t JOIN {Org._meta.db_table} o ON o.id = t.org_id
        WHERE o.path LIKE %(prefix)s AND t.month >= %(start)s AND t.month <= %(end)s
        GROUP BY SUBSTR(o.path, 1, %(n)s), t.month
    """
    cells: dict[tuple[str, dt.date], ReportRow] = {}
    with connection.cursor() as cur:
        cur.execute(sql, params)
        for key, month, due, paid, owed, n, settled in cur.fetchall():
            cells[(key, _date(month))] = ReportRow(None, _date(month), due=_dec(due), paid=_dec(paid),
                                                   owed=_dec(owed), member_months=int(n or 0),
                                                   settled=int(settled or 0))
    orgs = {o.path: o for o in Org.objects.filter(path__in={k for k, _m in cells})}
    rows = []
    for (key, month), row in sorted(cells.items()):
        row.org = orgs.get(key)
        rows.append(row)
    by_org: dict[str, ReportRow] = {}
    by_month: dict[dt.date, ReportRow] = {}
    total = ReportRow(org, None)
    for r in rows:
        by_org.setdefault(r.org.path, ReportRow(r.org, None)).add(r)
        by_month.setdefault(r.month, ReportRow(org, r.month)).add(r)
        total.add(r)
    return Report(org, start, end, rows, sorted(by_org.values(), key=lambda r: r.org.path),
                  [by_month[m] for m in sorted(by_month)], total)


# ---------------------------------------------------------------- arrears

Arrears = arrears_mod.Arrears


def arrears(org: Org, through: dt.date, *, min_months: int | None = None) -> list[Arrears]:
    """The whole arrears list of the subtree of `org` through `through` (dues.arrears.listing)."""
    return arrears_mod.listing(org, through, min_months=min_months).items
