"""`GET /api/v1/compliance/?org=CODE&year=Y`: the command's JSON with status and rates, in scope only."""

import datetime as dt

import pytest

from dangjian.orglife import actions
from tests.factories import api_client as api

ROLES = ["city_admin", "county_admin", "town_admin", "secretary1", "secretary2", "viewer", "member_user", "outsider"]
VIEW_B1 = {"city_admin", "county_admin", "town_admin", "secretary1", "viewer", "member_user"}


@pytest.mark.parametrize("who", ROLES)
def test_scope(cast, who):
    r = api(getattr(cast, who)).get("/api/v1/compliance/", {"org": "CA1B1", "year": "2025"})
    assert r.status_code == (200 if who in VIEW_B1 else 404)


def test_shape_matches_the_command_plus_status_and_rates(cast):
    actions.record_meeting(cast.tree.b1, kind="branch_congress", held_on=dt.date(2025, 5, 6), topic="二季度")
    data = api(cast.town_admin).get("/api/v1/compliance/", {"org": "CA1", "year": "2025"}).json()
    assert data["org"] == "CA1" and data["year"] == 2025
    row = next(r for r in data["results"] if r["org"] == "CA1B1" and r["requirement"] == "branch_congress"
               and r["period"] == "2025-Q2")
    assert row == {"org": "CA1B1", "requirement": "branch_congress", "period": "2025-Q2", "required": 1, "held": 1,
                   "ok": True, "status": "ok", "hard": False}
    rates = {r["org"]: r for r in data["rates"]}
    assert set(rates) == {"CA1", "CA1B1", "CA1B2"} and rates["CA1"]["branches"] == 2
    assert 0 < rates["CA1B1"]["rate"] < 1 and rates["CA1B2"]["rate"] == 0


def test_month_and_errors(cast):
    c = api(cast.town_admin)
    data = c.get("/api/v1/compliance/", {"org": "CA1B1", "year": "2025", "month": "8"}).json()
    assert {r["period"] for r in data["results"]} == {"2025", "2025-Q3", "2025-08"}
    assert "year" in c.get("/api/v1/compliance/", {"org": "CA1"}).json()
    assert "month" in c.get("/api/v1/compliance/", {"org": "CA1", "year": "2025", "month": "13"}).json()
    assert api().get("/api/v1/compliance/", {"org": "CA1", "year": "2025"}).status_code == 401


def test_large_subtrees_are_sent_to_the_command(cast, monkeypatch):
    from dangjian.orglife import api as orglife_api

    monkeypatch.setattr(orglife_api, "API_MAX_BRANCHES", 1)
    r = api(cast.city_admin).get("/api/v1/compliance/", {"org": "C", "year": "2025"})
    assert r.status_code == 400 and "dangjian compliance" in r.json()["org"][0]
