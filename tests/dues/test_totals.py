"""The report totals per organization and month stay equal to the ledger and payments after every write."""

import datetime as dt

from dangjian.dues import actions, totals
from dangjian.dues.models import DuesMonthTotal

PAY = {"paid_on": dt.date(2025, 7, 10), "method": "cash"}


def cells():
    return sorted(DuesMonthTotal.objects.values_list("org_id", "month", "due", "paid", "owed", "member_months",
                                                     "settled"))


def assert_kept():
    kept = cells()
    totals.rebuild()
    assert kept == cells()
    return kept


def test_totals_follow_payments_reversals_bases_and_exemptions(based, cast):
    actions.generate_ledger_for_month("2025-07")
    assert_kept()
    paid = actions.record_payment(cast.m1, months=["2025-06", "2025-07"], **PAY)
    kept = assert_kept()
    july = next(c for c in kept if c[0] == cast.m1.org_id and c[1] == dt.date(2025, 7, 1))
    assert july[3] >= paid[1].amount and july[6] >= 1
    actions.reverse_payment(paid[1], reason="记错金额")
    assert_kept()
    actions.record_payment(cast.m3, months=["2025-03"], amount="12.34", explanation="部分交纳", **PAY)
    assert_kept()
    actions.declare_base(cast.m1, from_month="2025-05", category="in_service", base="6000", confirm=True)
    assert_kept()
    ex = actions.request_exemption(cast.m3, start_month="2025-04", end_month="2025-05", kind="exempt",
                                   reason="大病住院")
    actions.approve_exemption(ex, by=cast.county_admin)
    assert_kept()


def test_a_subtree_run_keeps_the_totals_of_other_subtrees(based, cast):
    actions.generate_ledger_for_month("2025-07")
    actions.generate_ledger_for_month("2025-08", org=cast.tree.b1)
    kept = assert_kept()
    aug = {c[0] for c in kept if c[1] == dt.date(2025, 8, 1)}
    assert aug == {cast.tree.b1.id}


def test_rebuild_command_restores_totals_lost(based, cast):
    from io import StringIO

    from django.core.management import call_command

    actions.generate_ledger_for_month("2025-07")
    actions.record_payment(cast.m1, months=["2025-07"], **PAY)
    kept = cells()
    DuesMonthTotal.objects.all().delete()
    out = StringIO()
    call_command("dues_ledger", "--rebuild-totals", stdout=out)
    assert "党费月度汇总" in out.getvalue()
    assert cells() == kept
