"""Reports reconcile to the fen with the ledger; arrears thresholds 2 / 3 / 6; exemptions break the run."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db.models import Sum

from dangjian.dues import actions, queries
from dangjian.dues.models import DuesLedger, DuesPayment
from dangjian.rules import dues as rules

PAY = {"paid_on": dt.date(2025, 7, 10), "method": "cash"}
JUL = dt.date(2025, 7, 1)


def pay(member, *months, **kw):
    return actions.record_payment(member, months=list(months), **{**PAY, **kw})


@pytest.fixture
def ledger(based):
    """A busy half-year: full, short, over, reversed and back payments in two counties."""
    c = based
    actions.declare_base(c.m4, from_month="2025-03", category="in_service", base="3333.33", confirm=True)  # 33.33
    pay(c.m1, "2025-01", "2025-02", "2025-03")
    pay(c.m1, "2025-04", amount="50", explanation="自愿多交")
    pay(c.m3, "2025-02", amount="12.34", explanation="部分交纳")
    wrong = pay(c.m3, "2025-03")[0]
    actions.reverse_payment(wrong, reason="错记月份")
    pay(c.m3, "2025-05")
    pay(c.m2, "2025-06", "2025-07")
    pay(c.m4, "2025-03", "2025-04", "2025-05", "2025-06", "2025-07")
    return c


def python_owed(org_path, start, end):
    """欠交 computed row by row, the slow obvious way, to check the SQL."""
    total = Decimal("0.00")
    for row in DuesLedger.objects.filter(org_path__startswith=org_path, month__gte=start, month__lte=end):
        paid = DuesPayment.objects.filter(member=row.member, month=row.month).aggregate(s=Sum("amount"))["s"] or 0
        total += max(row.due - paid, 0)
    return total


@pytest.mark.parametrize("org_attr", ["city", "county", "b1", "b3"])
def test_report_reconciles_to_the_fen_with_the_ledger(ledger, org_attr):
    org = getattr(ledger.tree, org_attr)
    start, end = dt.date(2025, 1, 1), dt.date(2025, 7, 1)
    r = queries.report(org, start, end)
    led = DuesLedger.objects.filter(org_path__startswith=org.path, month__gte=start, month__lte=end)
    pays = DuesPayment.objects.filter(org_path__startswith=org.path, month__gte=start, month__lte=end)
    assert r.total.due == (led.aggregate(s=Sum("due"))["s"] or 0)
    assert r.total.paid == (pays.aggregate(s=Sum("amount"))["s"] or 0)
    assert r.total.owed == python_owed(org.path, start, end)
    assert sum(x.due for x in r.by_org) == r.total.due == sum(x.due for x in r.by_month)
    assert sum(x.paid for x in r.by_org) == r.total.paid == sum(x.paid for x in r.by_month)
    assert sum(x.owed for x in r.rows) == r.total.owed


def test_report_numbers_of_the_city(ledger):
    r = queries.report(ledger.tree.city, dt.date(2025, 1, 1), dt.date(2025, 7, 1))
    # due: m1 7×40 + m2 2×0.20 + m3 7×60 + m4 5×33.33
    assert r.total.due == Decimal("280.00") + Decimal("0.40") + Decimal("420.00") + Decimal("166.65")
    # paid: m1 120+50, m3 12.34 + (60−60) + 60, m2 0.40, m4 166.65
    assert r.total.paid == Decimal("170.00") + Decimal("72.34") + Decimal("0.40") + Decimal("166.65")
    # owed: m1 May–Jul 120; m3 Jan 60, Feb 47.66, Mar 60, Apr 60, Jun 60, Jul 60
    assert r.total.owed == Decimal("120.00") + Decimal("347.66")
    assert [x.org.code for x in r.by_org] == ["CA", "CB"]
    assert r.by_org[1].rate == Decimal("100.0")
    assert r.total.rate == (r.total.paid * 100 / r.total.due).quantize(Decimal("0.1"))


def test_branch_report_groups_by_the_branch_itself(ledger):
    r = queries.report(ledger.tree.b1, dt.date(2025, 6, 1), dt.date(2025, 7, 1))
    assert {x.org.code for x in r.rows} == {"CA1B1"}
    assert [x.month.month for x in r.by_month] == [6, 7]


def run_of(c, member):
    found = {a.member.pk: a for a in queries.arrears(c.tree.city, JUL, min_months=1)}
    return found[member.pk].unpaid_months if member.pk in found else 0


@pytest.mark.parametrize(("paid_through", "run", "codes"), [
    (5, 2, []),
    (4, 3, ["dues.reminder"]),
    (2, 5, ["dues.reminder"]),
    (1, 6, ["dues.lapse"]),
    (None, 7, ["dues.lapse"]),
])
def test_arrears_thresholds(based, paid_through, run, codes):
    if paid_through:
        pay(based.m1, *[f"2025-{m:02d}" for m in range(1, paid_through + 1)])
    listed = {a.member.pk: a for a in queries.arrears(based.tree.city, JUL)}
    if codes:
        a = listed[based.m1.pk]
        assert a.unpaid_months == run and [f.code for f in a.findings] == codes
        assert a.owed == Decimal("40.00") * run
        assert a.lapse == (codes == ["dues.lapse"])
    else:
        assert based.m1.pk not in listed
    paid = {(2025, m) for m in range(1, (paid_through or 0) + 1)}
    assert run_of(based, based.m1) == run == rules.consecutive_unpaid_months(paid, set(), (2025, 7), (2025, 1))


def test_an_exemption_breaks_the_run(based):
    ex = actions.request_exemption(based.m1, start_month="2025-04", end_month="2025-04", kind="exempt",
                                   reason="住院", by=based.secretary1)
    actions.approve_exemption(ex, by=based.town_admin)
    a = {a.member.pk: a for a in queries.arrears(based.tree.city, JUL)}[based.m1.pk]
    assert a.unpaid_months == 3 and [f.code for f in a.findings] == ["dues.reminder"]
    assert a.unpaid_months == rules.consecutive_unpaid_months(set(), {(2025, 4)}, (2025, 7), (2025, 1))


def test_a_reversed_payment_does_not_break_the_run(based):
    pay(based.m1, *[f"2025-{m:02d}" for m in range(1, 6)])
    p = DuesPayment.objects.get(member=based.m1, month=dt.date(2025, 5, 1))
    actions.reverse_payment(p, reason="未实际收到")
    assert run_of(based, based.m1) == 3


def test_arrears_are_scoped_to_the_subtree_and_carry_reminders(based):
    actions.record_reminder(based.m1, reminded_on=dt.date(2025, 7, 1), method="phone", unpaid_months=6,
                            note="答应月底补交", by=based.secretary1)
    assert {a.member.pk for a in queries.arrears(based.tree.b2, JUL)} == {based.m3.pk}
    [a] = [a for a in queries.arrears(based.tree.b1, JUL) if a.member.pk == based.m1.pk]
    assert [r.note for r in a.reminders] == ["答应月底补交"]


def test_member_year_grid(based):
    pay(based.m1, "2025-01")
    actions.reverse_payment(pay(based.m1, "2025-02")[0], reason="错")
    grid = queries.year_grid([based.m1], 2025)[based.m1.pk]
    assert [c.state for c in grid[:8]] == ["paid", "unpaid", "unpaid", "unpaid", "unpaid", "unpaid", "unpaid", "none"]
    assert grid[1].paid == 0 and grid[6].owed == Decimal("40.00")
