"""The demo city's party dues: what the rules say is owed, mostly paid, a few in arrears."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db.models import Sum

from dangjian.demo import loader
from dangjian.demo.generator import generate
from dangjian.dues import queries
from dangjian.dues.models import DuesBase, DuesLedger, DuesPayment, DuesReminder
from dangjian.members.models import Member
from dangjian.orgs.models import Org
from dangjian.rules import dues as rules

TODAY = dt.date(2025, 9, 15)

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    return loader.load(generate(seed=5, size="small", today=TODAY))


def test_every_active_member_has_a_confirmed_base_priced_by_the_rules(demo):
    active = Member.objects.filter(status="normal")
    bases = DuesBase.objects.filter(year=2025)
    assert bases.count() == active.count() == demo["dues"]["bases"]
    assert not bases.filter(confirmed_at__isnull=True).exists()
    for b in bases.select_related("member"):
        farmer = b.monthly_amount if b.category == "farmer" else None
        assert b.monthly_amount == rules.monthly_dues(b.category, b.base, on=b.effective_from, farmer_fixed=farmer)
    categories = set(bases.values_list("category", flat=True))
    assert {"in_service", "retired", "farmer"} <= categories


def test_ledger_runs_from_january_to_this_month_and_payments_match_it(demo):
    months = sorted(set(DuesLedger.objects.values_list("month", flat=True)))
    assert months[0] == dt.date(2025, 1, 1) and months[-1] == dt.date(2025, 9, 1)
    for p in DuesPayment.objects.select_related()[:500]:
        assert p.amount == p.due and p.paid_on <= TODAY
    paid = DuesPayment.objects.aggregate(s=Sum("amount"))["s"]
    due = DuesLedger.objects.aggregate(s=Sum("due"))["s"]
    assert Decimal("0.80") * due < paid < due  # most is collected, not all


def test_the_arrears_list_shows_reminders_and_lapses(demo):
    root = Org.objects.get(depth=1)
    late = queries.arrears(root, TODAY)
    assert late, "some members are 3 or more months behind"
    assert any(a.lapse for a in late) and any(not a.lapse for a in late)
    assert DuesReminder.objects.filter(member__in=[a.member for a in late]).exists()
    report = queries.report(root, dt.date(2025, 1, 1), TODAY)
    assert 80 < report.total.rate < 100
