"""Compliance rate per organization (share of finished requirement-periods met), rolled up the tree, and the grid's
drill-down from a committee to the organizations below it."""

import datetime as dt

from django.urls import reverse

from dangjian.orglife import actions
from dangjian.orglife.compliance import compliance, rates_by_org

TODAY = dt.date(2026, 2, 10)  # finished periods: 2026-01 only (monthly kinds)


def test_rates_roll_up_from_branches_to_every_committee(cast):
    actions.record_meeting(cast.tree.b1, kind="theme_day", held_on=dt.date(2026, 1, 9), topic="一月主题党日")
    rows = compliance(cast.tree.city, 2026, today=TODAY)
    rates = rates_by_org(cast.tree.city, rows)
    # Only 2026-01 theme_day has finished: b1 met it, b2 and CB01 did not.
    assert (rates["CA1B1"]["met"], rates["CA1B1"]["finished"], rates["CA1B1"]["rate"]) == (1, 1, 1.0)
    assert rates["CA1B2"]["rate"] == 0.0
    assert (rates["CA1"]["met"], rates["CA1"]["finished"], rates["CA1"]["branches"]) == (1, 2, 2)
    assert rates["CA"]["rate"] == 0.5 and rates["C"]["finished"] == 3 and rates["C"]["branches"] == 3
    assert rates["CB"]["missed"] == 1


def test_rate_is_none_before_anything_finished(cast):
    rows = compliance(cast.tree.town, 2026, today=dt.date(2026, 1, 15))
    assert rates_by_org(cast.tree.town, rows)["CA1"]["rate"] is None


def test_grid_drills_down_through_committees(client, cast):
    client.force_login(cast.city_admin)
    page = client.get(reverse("orglife:compliance", args=["C"]), {"year": "2025"}).content.decode()
    assert "下级党组织" in page and reverse("orglife:compliance", args=["CA"]) in page
    assert reverse("orglife:compliance", args=["CB"]) in page and "达标率" in page
    page = client.get(reverse("orglife:compliance", args=["CA1"]), {"year": "2025"}).content.decode()
    assert "下级党组织" not in page and "城关镇东村党支部" in page


def test_grid_shows_at_most_the_weakest_hundred(client, cast, settings, monkeypatch):
    from dangjian.orglife import views

    monkeypatch.setattr(views, "GRID_MAX_BRANCHES", 1)
    client.force_login(cast.town_admin)
    page = client.get(reverse("orglife:compliance", args=["CA1"]), {"year": "2025"}).content.decode()
    assert "未达标最多的1个；其余1个" in page


def test_tallies_count_what_the_rows_count(cast):
    from dangjian.orglife.compliance import rates_from_tallies, tallies

    actions.record_meeting(cast.tree.b1, kind="theme_day", held_on=dt.date(2025, 1, 9), topic="一月主题党日")
    actions.record_meeting(cast.tree.b1, kind="branch_congress", held_on=dt.date(2025, 2, 9), topic="一季度党员大会")
    actions.record_meeting(cast.tree.b2, kind="theme_day", held_on=dt.date(2025, 5, 9), topic="五月主题党日")
    for today in (dt.date(2025, 1, 15), dt.date(2025, 7, 10), dt.date(2026, 2, 1)):
        rows = compliance(cast.tree.city, 2025, today=today)
        counted = {t.code: (t.met, t.finished, t.missed) for t in tallies(cast.tree.city, 2025, today=today)}
        for code in counted:
            mine = [r for r in rows if r.org == code]
            done = [r for r in mine if r.status != "due"]
            assert counted[code] == (sum(r.ok for r in done), len(done), sum(r.status == "missed" for r in mine))
        assert rates_from_tallies(cast.tree.city, tallies(cast.tree.city, 2025, today=today)) == \
            rates_by_org(cast.tree.city, rows)
    assert tallies(cast.tree.city, 2027, today=dt.date(2026, 2, 1)) == []


def test_rows_of_some_branches_only(cast):
    rows = compliance(cast.tree.city, 2025, today=dt.date(2025, 7, 10), org_ids=[cast.tree.b2.id])
    assert rows and {r.org for r in rows} == {"CA1B2"}
