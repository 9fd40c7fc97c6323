"""The arrears snapshot (dues.arrears) stays equal to the live computation after every kind of write, and
readers use it only when its mark answers the question asked."""

import datetime as dt
import json
from io import StringIO

import pytest
from django.core.management import call_command

from dangjian.dues import actions, arrears
from dangjian.dues.models import DuesArrears, DuesArrearsMark, DuesPayment

PAY = {"paid_on": dt.date(2025, 7, 10), "method": "cash"}
JUL = dt.date(2025, 7, 1)


def pay(member, *months, **kw):
    return actions.record_payment(member, months=list(months), **{**PAY, **kw})


def rows(listed):
    return [(a.member.pk, a.unpaid_months, a.first_unpaid, a.owed, [f.code for f in a.findings]) for a in listed.items]


def assert_same(org, through=JUL, **kw):
    """The list read from the snapshot equals the list computed live (the mark removed for a moment)."""
    snap = arrears.listing(org, through, **kw)
    assert snap.from_snapshot
    mark = DuesArrearsMark.objects.get()
    DuesArrearsMark.objects.all().delete()
    live = arrears.listing(org, through, **kw)
    DuesArrearsMark.objects.create(month=mark.month, min_months=mark.min_months, computed_at=mark.computed_at)
    assert not live.from_snapshot
    assert rows(snap) == rows(live)
    assert (snap.count, snap.lapse_count) == (live.count, live.lapse_count)
    return snap


@pytest.fixture
def snapped(based):
    """m1 and m3 unpaid since January (7 months through July), m2 a student since June; snapshot taken."""
    assert arrears.snapshot(JUL) == 2
    return based


def test_snapshot_lists_what_the_live_computation_lists(snapped):
    s = assert_same(snapped.tree.city)
    assert {r[0] for r in rows(s)} == {snapped.m1.pk, snapped.m3.pk}
    assert all(a.unpaid_months == 7 and a.lapse for a in s.items)
    assert s.count == s.lapse_count == 2
    assert DuesArrears.objects.count() == 2


def test_payments_and_reversals_keep_the_snapshot_exact(snapped):
    c = snapped
    pay(c.m1, *[f"2025-{m:02d}" for m in range(1, 6)])  # m1: only June and July left → off the list
    s = assert_same(c.tree.city)
    assert c.m1.pk not in {r[0] for r in rows(s)}
    p = DuesPayment.objects.get(member=c.m1, month=dt.date(2025, 5, 1))
    actions.reverse_payment(p, reason="未实际收到")  # May open again: a 3-month run
    s = assert_same(c.tree.city)
    assert {a.member.pk: a.unpaid_months for a in s.items}[c.m1.pk] == 3
    pay(c.m3, "2025-07")  # paying the snapshot month itself ends the run
    assert c.m3.pk not in {r[0] for r in rows(assert_same(c.tree.city))}


def test_an_advance_payment_after_the_snapshot_month_changes_nothing(snapped):
    before = rows(arrears.listing(snapped.tree.city, JUL))
    pay(snapped.m1, "2025-08", over_limit_reason="提前交纳")
    assert rows(assert_same(snapped.tree.city)) == before


def test_exemptions_and_new_bases_keep_the_snapshot_exact(snapped):
    c = snapped
    ex = actions.request_exemption(c.m1, start_month="2025-05", end_month="2025-05", kind="exempt", reason="住院",
                                   by=c.secretary1)
    actions.approve_exemption(ex, by=c.town_admin)
    s = assert_same(c.tree.city)
    assert c.m1.pk not in {a.member.pk for a in s.items}  # June–July: 2 months, under the threshold
    actions.declare_base(c.m3, from_month="2025-01", category="retired", base="7000", confirm=True)
    s = assert_same(c.tree.city)
    assert {a.member.pk: a.owed for a in s.items}[c.m3.pk] == 7 * actions.rules.monthly_dues("retired", 7000)


def test_subtree_and_member_lists_and_lower_thresholds(snapped):
    c = snapped
    assert [a.member.pk for a in assert_same(c.tree.b2).items] == [c.m3.pk]
    assert arrears.listing(c.tree.b1, JUL, limit=0).count == 1
    # a threshold below the snapshot's is computed live (m2: 2 months since June)
    low = arrears.listing(c.tree.b1, JUL, min_months=1)
    assert not low.from_snapshot and {a.member.pk for a in low.items} == {c.m1.pk, c.m2.pk}
    assert arrears.of_member(c.m2, JUL).unpaid_months == 2
    assert arrears.of_member(c.m4, JUL) is None
    # another month than the snapshot's, too
    assert not arrears.listing(c.tree.city, dt.date(2025, 6, 1)).from_snapshot


def test_ledger_runs_keep_or_drop_the_snapshot(snapped):
    c = snapped
    actions.generate_ledger_for_month("2025-07", org=c.tree.b1)  # a subtree rewrite: re-synced
    assert_same(c.tree.city)
    actions.generate_ledger_for_month("2025-08")  # a later month: the snapshot still answers for July
    assert arrears.listing(c.tree.city, JUL).from_snapshot
    actions.generate_ledger_for_month("2025-07")  # the whole tree again: the mark is dropped
    assert not DuesArrearsMark.objects.exists()
    assert not arrears.listing(c.tree.city, JUL).from_snapshot


def test_the_monthly_command_takes_the_snapshot(based):
    out = StringIO()
    call_command("dues_ledger", "--month", "2025-07", "--format", "json", stdout=out)
    got = json.loads(out.getvalue())
    assert got["arrears"]["through"] == "2025-07" and got["arrears"]["members"] == 2
    assert DuesArrearsMark.objects.get().month == JUL
    out = StringIO()
    call_command("dues_ledger", "--arrears-only", stdout=out)
    assert "截至2025年7月，2 人" in out.getvalue()
    # a run for one organization leaves the snapshot to the payments' syncs
    DuesArrearsMark.objects.all().delete()
    call_command("dues_ledger", "--month", "2025-07", "--org", based.tree.b1.code, stdout=StringIO())
    assert not DuesArrearsMark.objects.exists()


def test_the_report_page_shows_the_count_and_the_longest_runs(snapped, client, monkeypatch):
    from dangjian.dues import views

    monkeypatch.setattr(views, "REPORT_ARREARS_SHOWN", 1)
    client.force_login(snapped.city_admin)
    r = client.get(f"/dues/report/{snapped.tree.city.code}/?year=2025&start=1&end=7")
    html = r.content.decode()
    assert r.status_code == 200
    assert "欠交党员（截至2025年7月，2人，其中连续6个月以上2人）" in html
    assert "仅显示前1人" in html
    assert html.count("table-danger") == 1


def test_the_report_api_gives_the_counts(snapped, client):
    client.force_login(snapped.city_admin)
    r = client.get(f"/api/v1/dues/report/?org={snapped.tree.city.code}&year=2025&start=1&end=7")
    assert r.status_code == 200, r.content
    d = r.json()
    assert (d["arrears_through"], d["arrears_count"], d["lapse_count"]) == ("2025-07", 2, 2)
    assert len(d["arrears"]) == 2
