"""`/api/v1/meeting-plans/` and `/api/v1/meeting-filings/` for every role of the cast, in and out of scope."""

import datetime as dt

import pytest
import time_machine

from dangjian.orglife import actions
from dangjian.orglife.models import Filing, Plan
from tests.factories import api_client as api

ROLES = ["city_admin", "county_admin", "town_admin", "secretary1", "secretary2", "viewer", "member_user", "outsider"]
VIEW_B1 = {"city_admin", "county_admin", "town_admin", "secretary1", "viewer", "member_user"}
WRITE_B1 = {"city_admin", "county_admin", "town_admin", "secretary1"}
# Users who may write somewhere but not in CA1B1 get 400 on "org"; who may write nowhere get 403.
WRITE_ELSEWHERE = {"secretary2"}
ABOVE_B1 = {"city_admin", "county_admin", "town_admin"}  # the committees above: may mark spot checks
TODAY = dt.date(2026, 11, 20)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(dt.datetime(2026, 11, 20, 12, tzinfo=dt.UTC)):
        yield


def expected_write(who, ok=201):
    return ok if who in WRITE_B1 else 400 if who in WRITE_ELSEWHERE else 403


@pytest.mark.parametrize("who", ROLES)
def test_plan_matrix(cast, who):
    items = [{"kind": "theme_day", "planned_on": "2027-01-10", "topic": "主题党日"}]
    r = api(getattr(cast, who)).post("/api/v1/meeting-plans/", {"org": "CA1B1", "year": 2027, "items": items},
                                     format="json")
    assert r.status_code == expected_write(who), r.content
    plan, _ = actions.save_plan(cast.tree.b1, 2026, [])
    c = api(getattr(cast, who))
    assert c.get(f"/api/v1/meeting-plans/{plan.pk}/").status_code == (200 if who in VIEW_B1 else 404)
    ids = [p["id"] for p in c.get("/api/v1/meeting-plans/").json()["results"]]
    assert (plan.pk in ids) == (who in VIEW_B1)
    r = c.get("/api/v1/meeting-plans/suggest/", {"org": "CA1B1", "year": 2027})
    assert r.status_code == (200 if who in VIEW_B1 else 404)


def test_plan_post_replaces_and_reports_gaps(cast):
    c = api(cast.secretary1)
    suggestion = c.get("/api/v1/meeting-plans/suggest/", {"org": "CA1B1", "year": "2027"}).json()
    assert {"kind": "theme_day", "planned_on": "2027-01-10", "topic": "2027年1月主题党日"} in suggestion
    r = c.post("/api/v1/meeting-plans/", {"org": "CA1B1", "year": 2027, "items": suggestion}, format="json")
    assert r.status_code == 201 and r.json()["gaps"] == [] and len(r.json()["items"]) == len(suggestion)
    r = c.post("/api/v1/meeting-plans/", {"org": "CA1B1", "year": 2027, "items": suggestion[1:]}, format="json")
    assert r.status_code == 200 and len(r.json()["gaps"]) == 1 and Plan.objects.count() == 1
    r = c.post("/api/v1/meeting-plans/", {"org": "CA1B1", "year": 2027, "items": [
        {"kind": "theme_day", "planned_on": "2028-01-10", "topic": "x"}]}, format="json")
    assert r.status_code == 400 and "不在2027年内" in r.json()["items"][0]
    assert c.get("/api/v1/meeting-plans/", {"org": "CA1B1", "year": "2027"}).json()["count"] == 1
    assert c.get("/api/v1/meeting-plans/", {"org": "CB"}).status_code == 404
    assert c.get("/api/v1/meeting-plans/suggest/", {"org": "CA1B1"}).status_code == 400


@pytest.mark.parametrize("who", ROLES)
def test_filing_matrix(cast, who):
    c = api(getattr(cast, who))
    body = {"org": "CA1B1", "kind": "theme_day", "planned_on": "2026-11-30", "topic": "参观纪念馆"}
    r = c.post("/api/v1/meeting-filings/", body, format="json")
    assert r.status_code == expected_write(who), r.content
    f = actions.file_meeting(cast.tree.b1, kind="party_lecture", planned_on=TODAY + dt.timedelta(days=5), topic="党课")
    assert c.get(f"/api/v1/meeting-filings/{f.pk}/").status_code == (200 if who in VIEW_B1 else 404)
    ids = [x["id"] for x in c.get("/api/v1/meeting-filings/").json()["results"]]
    assert (f.pk in ids) == (who in VIEW_B1)
    r = c.post(f"/api/v1/meeting-filings/{f.pk}/spot-check/", {"note": "派人列席"}, format="json")
    assert r.status_code == (200 if who in ABOVE_B1 else 403 if who in VIEW_B1 else 404)
    f.refresh_from_db()
    assert f.spot_check == (who in ABOVE_B1)
    r = c.post(f"/api/v1/meeting-filings/{f.pk}/cancel/", {"reason": "改期"}, format="json")
    assert r.status_code == (200 if who in WRITE_B1 else 404)
    f.refresh_from_db()
    assert (f.status == "cancelled") == (who in WRITE_B1)


def test_filing_list_filters_and_errors(cast):
    actions.file_meeting(cast.tree.b1, kind="theme_day", planned_on=dt.date(2026, 12, 1), topic="a")
    actions.file_meeting(cast.tree.b2, kind="theme_day", planned_on=dt.date(2026, 12, 20), topic="b")
    c = api(cast.town_admin)
    assert c.get("/api/v1/meeting-filings/", {"org": "CA1"}).json()["count"] == 2
    assert [x["topic"] for x in c.get("/api/v1/meeting-filings/", {"from": "2026-12-10"}).json()["results"]] == ["b"]
    assert c.get("/api/v1/meeting-filings/", {"to": "2026-12-31x"}).status_code == 400
    assert c.get("/api/v1/meeting-filings/", {"org": "CB"}).status_code == 404
    r = api(cast.secretary1).post("/api/v1/meeting-filings/", {"org": "CA1B1", "kind": "theme_day",
                                                             "planned_on": "2026-11-01", "topic": "x"}, format="json")
    assert r.status_code == 400 and "不能早于今天" in r.json()["planned_on"][0]
    r = api(cast.secretary1).post("/api/v1/meeting-filings/", {"org": "CA1B1", "kind": "theme_day",
                                                             "planned_on": "2026-11-21", "topic": "x"}, format="json")
    assert r.status_code == 201 and r.json()["short_notice"] is True
    assert Filing.objects.count() == 3


def test_anonymous_401(cast):
    assert api().get("/api/v1/meeting-filings/").status_code == 401
    assert api().get("/api/v1/meeting-plans/").status_code == 401
