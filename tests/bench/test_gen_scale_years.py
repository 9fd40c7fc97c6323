"""`dangjian gen_scale --years Y`: dues and meetings that the app's own rules and queries accept."""

import datetime as dt
import json
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count, Sum

from dangjian.core.scale import REFERENCE_DATE
from dangjian.dues import actions, queries
from dangjian.dues.models import DuesBase, DuesExemption, DuesLedger, DuesPayment
from dangjian.members.models import Member
from dangjian.orglife.models import Meeting
from dangjian.orgs.models import BRANCH_TYPES, Org
from dangjian.rules import dues as rules


def _gen(years=2, seed=5, orgs=200, members=1500) -> dict:
    out = StringIO()
    call_command("gen_scale", "--orgs", str(orgs), "--members", str(members), "--seed", str(seed),
                 "--years", str(years), "--format", "json", stdout=out)
    return json.loads(out.getvalue())


def _fen(v) -> Decimal:
    return Decimal(str(v)).quantize(Decimal("0.01"))  # SQLite sums decimals as floats


@pytest.mark.django_db
def test_years_writes_bases_ledger_payments_and_meetings_over_the_period():
    s = _gen(years=2)
    start, end = dt.date(REFERENCE_DATE.year - 1, 1, 1), REFERENCE_DATE.replace(day=1)
    assert s["months"] == [start.isoformat()[:7], end.isoformat()[:7]]
    assert s["dues_ledger"] == DuesLedger.objects.count() > 0
    assert s["dues_payments"] == DuesPayment.objects.count() > 0
    assert s["meetings"] == Meeting.objects.count() > 0
    assert DuesLedger.objects.filter(month__lt=start).count() == 0
    assert DuesLedger.objects.filter(month__gt=end).count() == 0
    # Every base is priced by the rules (the generator knows no bracket); farmers pay 0.2–1 yuan.
    low, high = rules.FARMER_RANGE.value
    for b in DuesBase.objects.all():
        assert b.confirmed_at is not None
        if b.category == "farmer":
            assert low <= b.monthly_amount <= high
        else:
            assert b.monthly_amount == rules.monthly_dues(b.category, b.base, on=b.effective_from)
    # January re-declarations: someone has two bases, and the ledger uses the later one from January.
    two = DuesBase.objects.values("member_id").annotate(n=Count("id")).filter(n=2).values_list("member_id",
                                                                                               flat=True)
    member = Member.objects.get(pk=two[0])
    jan = dt.date(REFERENCE_DATE.year, 1, 1)
    assert DuesLedger.objects.get(member=member, month=jan).base == queries.base_in_force(member, jan)


@pytest.mark.django_db
def test_generated_ledger_is_what_the_monthly_run_writes():
    _gen(years=1)
    before = list(DuesLedger.objects.order_by("member_id", "month").values_list("member_id", "month", "due",
                                                                               "base_id", "exemption_id"))
    start = dt.date(REFERENCE_DATE.year, 1, 1)
    n = actions.generate_ledger([dt.date(REFERENCE_DATE.year, m, 1) for m in range(1, REFERENCE_DATE.month + 1)])
    assert n == len(before)
    after = list(DuesLedger.objects.order_by("member_id", "month").values_list("member_id", "month", "due",
                                                                              "base_id", "exemption_id"))
    assert after == before
    assert DuesLedger.objects.filter(month__gte=start).count() == n


@pytest.mark.django_db
def test_payments_respect_the_ledger_and_the_membership_dates():
    _gen(years=2)
    assert not DuesPayment.objects.filter(due=0).exists()  # exempt months are not paid
    for p in DuesPayment.objects.select_related("member")[:2000]:
        assert p.month >= p.member.joined_on.replace(day=1)
        if p.member.status != "normal":
            assert p.month <= p.member.status_changed_on.replace(day=1)
        assert p.month <= p.paid_on < p.month + dt.timedelta(days=31)
    # Exemptions have a reason and an approval; an exempt month owes nothing.
    for ex in DuesExemption.objects.all():
        assert ex.reason and ex.approved_at
        if ex.kind == "exempt":
            assert not DuesLedger.objects.filter(member=ex.member, month=ex.start_month).exclude(due=0).exists()


@pytest.mark.django_db
def test_report_reconciles_to_the_fen_and_finds_arrears():
    _gen(years=1)
    root = Org.objects.get(depth=1)
    start, end = dt.date(REFERENCE_DATE.year, 1, 1), REFERENCE_DATE.replace(day=1)
    rep = queries.report(root, start, end)
    assert rep.total.due == _fen(DuesLedger.objects.aggregate(s=Sum("due"))["s"])
    assert rep.total.paid == _fen(DuesPayment.objects.aggregate(s=Sum("amount"))["s"])
    assert rep.total.due - rep.total.paid == rep.total.owed  # no overpayment generated
    assert sum((r.due for r in rep.by_org), Decimal(0)) == rep.total.due
    assert queries.arrears(root, end)  # the chronic non-payers


@pytest.mark.django_db
def test_meetings_only_in_branches_and_at_the_schedule():
    _gen(years=1)
    assert not Meeting.objects.exclude(org__org_type__in=BRANCH_TYPES).exists()
    assert not Meeting.objects.filter(kind="branch_committee", org__direct_full__lt=7).exists()
    assert set(Meeting.objects.filter(kind="party_lecture").values_list("held_on__month", flat=True)) <= {3, 6}


def test_same_seed_same_bases():
    from dangjian.core.scale_activity import DuesRows

    def rows(seed):
        now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
        d = DuesRows(seed, dt.date(2025, 1, 1), dt.date(2026, 6, 1), now)
        for i in range(1, 400):
            d.add(i, i % 7, "0001", "rural" if i % 3 else "government", "退休" if i % 5 == 0 else "村民",
                  dt.date(1990, 1, 1), "normal", None)
        return d.bases, d.exemptions

    assert rows(3) == rows(3)
    assert rows(3) != rows(4)


@pytest.mark.django_db
def test_years_out_of_range_is_refused():
    with pytest.raises(CommandError, match="--years"):
        _gen(years=11)


@pytest.mark.postgres
@pytest.mark.django_db
def test_on_postgres_the_generated_years_get_their_partitions():
    from django.db import connection

    from dangjian.core import partitions

    _gen(years=3)
    for table in ("dues_duesledger", "dues_duespayment"):
        names = {name for name, _ in partitions.partitions_of(table)}
        assert {f"{table}_y{y}" for y in range(REFERENCE_DATE.year - 2, REFERENCE_DATE.year + 1)} <= names
        with connection.cursor() as cur:
            cur.execute(f"SELECT count(*) FROM {table}_default")
            assert cur.fetchone()[0] == 0
