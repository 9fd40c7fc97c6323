"""The per-organization, per-month totals (DuesMonthTotal) that reports read: recomputed set-based from the
ledger and the payments for the (org, month) cells a write touched. Called inside the writing action's
transaction (dues.actions), so a report never sees a payment without its total.

A cell is recomputed whole (DELETE, then INSERT … SELECT … GROUP BY), never incremented: it is right whatever
wrote the rows before, and `rebuild` (command `dues_ledger --rebuild-totals`) restores every cell.
"""

from __future__ import annotations

import datetime as dt

from django.db import connection

from .models import DuesLedger, DuesMonthTotal, DuesPayment


def _in(col: str, values: list) -> tuple[str, list]:
    return f"{col} IN ({', '.join(['%s'] * len(values))})", list(values)


def refresh(months, org_ids=None) -> None:
    """Recompute the cells of `months` for the orgs `org_ids` (None: every org)."""
    ops = connection.ops
    months = sorted({m.replace(day=1) for m in months})
    if not months or (org_ids is not None and not org_ids):
        return
    ms = [ops.adapt_datefield_value(m) for m in months]
    led, pay, tot = DuesLedger._meta.db_table, DuesPayment._meta.db_table, DuesMonthTotal._meta.db_table
    month_l, pm = _in("l.month", ms)
    month_p, _ = _in("month", ms)
    where_l, where_p, where_t = month_l, month_p, _in("month", ms)[0]
    params_l, params_p, params_t = list(pm), list(pm), list(pm)
    paid_members = ""
    if org_ids is not None:
        ids = sorted(set(org_ids))
        org_sql, org_params = _in("org_id", ids)
        where_l += " AND l." + org_sql
        where_p += " AND " + org_sql
        where_t += " AND " + org_sql
        params_l += org_params
        params_p += org_params
        params_t += org_params
        # only the payments of the members whose ledger rows are recomputed
        paid_members = f" AND member_id IN (SELECT l.member_id FROM {led} l WHERE {where_l})"
    with connection.cursor() as cur:
        cur.execute(f"DELETE FROM {tot} WHERE {where_t}", params_t)
        cur.execute(f"""
            INSERT INTO {tot} (org_id, month, due, paid, owed, member_months, settled)
            SELECT org_id, month, SUM(due), SUM(paid), SUM(owed), SUM(n), SUM(settled) FROM (
                SELECT l.org_id, l.month, l.due AS due, 0 AS paid,
                       CASE WHEN l.due > COALESCE(p.amt, 0) THEN l.due - COALESCE(p.amt, 0) ELSE 0 END AS owed,
                       1 AS n, CASE WHEN COALESCE(p.amt, 0) >= l.due THEN 1 ELSE 0 END AS settled
                FROM {led} l
                LEFT JOIN (SELECT member_id, month, SUM(amount) AS amt FROM {pay}
                           WHERE {month_p}{paid_members} GROUP BY member_id, month) p
                       ON p.member_id = l.member_id AND p.month = l.month
                WHERE {where_l}
                UNION ALL
                SELECT org_id, month, 0, amount, 0, 0, 0 FROM {pay} WHERE {where_p}
            ) cells
            GROUP BY org_id, month
        """, list(pm) + (params_l if paid_members else []) + params_l + params_p)


def refresh_member(member_id: int, months, extra_org_ids=()) -> None:
    """After one member's ledger rows or payments of `months` changed: the cells of the orgs those rows
    belong to (and `extra_org_ids`, e.g. the org of rows just deleted)."""
    months = sorted({m.replace(day=1) for m in months})
    if not months:
        return
    orgs = set(extra_org_ids)
    orgs |= set(DuesLedger.objects.filter(member_id=member_id, month__in=months).values_list("org_id", flat=True))
    orgs |= set(DuesPayment.objects.filter(member_id=member_id, month__in=months).values_list("org_id", flat=True))
    refresh(months, orgs)


def rebuild(start: dt.date | None = None, end: dt.date | None = None) -> int:
    """Every cell (of the months start..end when given), recomputed; returns the cells written."""
    qs = DuesLedger.objects.all()
    if start:
        qs = qs.filter(month__gte=start)
    if end:
        qs = qs.filter(month__lte=end)
    months = set(qs.values_list("month", flat=True).distinct())
    pays = DuesPayment.objects.all()
    if start:
        pays = pays.filter(month__gte=start)
    if end:
        pays = pays.filter(month__lte=end)
    months |= set(pays.values_list("month", flat=True).distinct())
    refresh(months)
    return DuesMonthTotal.objects.filter(month__in=months).count()
