"""Permission matrix of /api/v1/mobile-members/, lost-contact/, status-cases/, disposal-cases/ for the cast."""

import datetime as dt

import pytest
from django.utils import timezone

from dangjian.members import actions
from dangjian.members.models import DisposalCase, MobileMembership, StatusCase
from dangjian.rules.base import add_months
from tests.factories import api_client as api

ROLES = ["city_admin", "county_admin", "town_admin", "secretary1", "secretary2", "viewer", "member_user", "outsider"]
MANAGERS_B1 = {"city_admin", "county_admin", "town_admin", "secretary1"}
ABOVE_B1 = {"city_admin", "county_admin", "town_admin"}
VIEW_B1 = MANAGERS_B1 | {"viewer"}
TODAY = timezone.localdate()


def _create_status(who):
    # secretary2 manages members (so: 404, not found in its scope); the others manage none (403).
    return {**{r: 404 for r in ROLES}, **{r: 201 for r in MANAGERS_B1}, "viewer": 403, "member_user": 403, "outsider": 403}[who]


@pytest.mark.parametrize("who", ROLES)
def test_register_mobile(cast, who):
    r = api(getattr(cast, who)).post("/api/v1/mobile-members/", {
        "member": cast.m1.pk, "destination": "深圳", "since": str(add_months(TODAY, -1)), "contact": "139",
        "receiving_org": "CB01"}, format="json")
    assert r.status_code == _create_status(who), r.content
    assert MobileMembership.objects.count() == (1 if who in MANAGERS_B1 else 0)


@pytest.fixture
def mobile(cast):
    return actions.register_mobile(cast.m1, destination="深圳", since=add_months(TODAY, -7), contact="13912345678",
                                   receiving_org=cast.tree.b3, by=cast.secretary1)


@pytest.mark.parametrize("who", ROLES)
def test_see_mobile(cast, mobile, who):
    sees = VIEW_B1 | {"member_user"}  # the receiving side CB01 is seen by the city admin, already in
    r = api(getattr(cast, who)).get(f"/api/v1/mobile-members/{mobile.pk}/")
    assert r.status_code == (200 if who in sees else 404)
    body = api(getattr(cast, who)).get("/api/v1/mobile-members/", {"status": "transfer_due"}).json()
    assert body["count"] == (1 if who in sees else 0)
    if who in sees:
        assert body["results"][0]["transfer_due"] is True and body["results"][0]["receiving_org"] == "CB01"
        # the number in full for those who may see the member's numbers (and the member), masked for a viewer
        shown = "13912345678" if who in MANAGERS_B1 | {"member_user"} else "139****5678"
        assert body["results"][0]["contact"] == shown
        assert r.json()["contact"] == shown


def test_receiving_branch_sees_but_cannot_end(cast, mobile):
    from tests.factories import make_user

    cb = make_user("cb_sec", "secretary", cast.tree.b3)
    body = api(cb).get("/api/v1/mobile-members/").json()
    assert body["count"] == 1
    assert body["results"][0]["contact"] == "139****5678"  # not their member: masked, as in the list's export
    assert api(cb).post(f"/api/v1/mobile-members/{mobile.pk}/end/", {}, format="json").status_code == 404


@pytest.mark.parametrize("who", ROLES)
def test_end_mobile(cast, mobile, who):
    r = api(getattr(cast, who)).post(f"/api/v1/mobile-members/{mobile.pk}/end/", {"reason": "返回"}, format="json")
    assert r.status_code == (200 if who in MANAGERS_B1 else 404)
    if r.status_code == 200:
        assert r.json()["ended_on"] == str(TODAY)


def test_bad_mobile_input_names_field(cast):
    r = api(cast.secretary1).post("/api/v1/mobile-members/", {
        "member": cast.m1.pk, "destination": "", "since": str(TODAY), "contact": "139"}, format="json")
    assert r.status_code == 400 and "请填写外出地点" in r.json()["destination"][0]
    r = api(cast.secretary1).get("/api/v1/mobile-members/", {"status": "x"})
    assert r.status_code == 400


@pytest.mark.parametrize("who", ROLES)
def test_lost_contact_list_and_follow_up(cast, who):
    counts = {"city_admin": 4, "county_admin": 3, "town_admin": 3, "secretary1": 2, "secretary2": 1, "viewer": 3,
              "member_user": 1, "outsider": 0}
    assert api(getattr(cast, who)).get("/api/v1/lost-contact/").json()["count"] == counts[who]
    r = api(getattr(cast, who)).post(f"/api/v1/lost-contact/{cast.m1.pk}/follow-up/", {
        "contacted_on": str(TODAY), "method": "电话", "outcome": "unreached"}, format="json")
    assert r.status_code == {**{k: 201 for k in MANAGERS_B1}, "secretary2": 404}.get(who, 403)
    if r.status_code == 201:
        assert r.json()["lost_contact"] is True
        assert api(getattr(cast, who)).get("/api/v1/lost-contact/", {"status": "flagged"}).json()["count"] == 1


@pytest.mark.parametrize("who", ROLES)
def test_request_status_case(cast, who):
    r = api(getattr(cast, who)).post("/api/v1/status-cases/", {
        "member": cast.m1.pk, "kind": "leave", "leave_type": "self_lapse", "effective_on": str(TODAY),
        "reason": "连续6个月不参加组织生活、不交纳党费"}, format="json")
    assert r.status_code == _create_status(who), r.content
    if r.status_code == 201:
        assert r.json()["label"] == "出党（自行脱党）" and r.json()["status"] == "pending"


@pytest.fixture
def case(cast):
    return actions.request_status_change(cast.m1, kind="suspend", effective_on=TODAY, reason="失联", by=cast.secretary1)


@pytest.mark.parametrize("who", ROLES)
def test_approve_status_case(cast, case, who):
    r = api(getattr(cast, who)).post(f"/api/v1/status-cases/{case.pk}/approve/", {"note": "同意"}, format="json")
    assert r.status_code == (200 if who in ABOVE_B1 else 404), r.content
    cast.m1.refresh_from_db()
    assert cast.m1.status == ("suspended" if who in ABOVE_B1 else "normal")
    listed = api(getattr(cast, who)).get("/api/v1/status-cases/").json()["count"]
    assert listed == (1 if who in VIEW_B1 else 0)


@pytest.mark.parametrize("who", ROLES)
def test_to_approve_list(cast, case, who):
    body = api(getattr(cast, who)).get("/api/v1/status-cases/", {"status": "to_approve"}).json()
    assert body["count"] == (1 if who in ABOVE_B1 else 0)


@pytest.mark.parametrize("who", ROLES)
def test_reject_and_cancel(cast, case, who):
    r = api(getattr(cast, who)).post(f"/api/v1/status-cases/{case.pk}/reject/", {"note": "材料不全"}, format="json")
    assert r.status_code == (200 if who in ABOVE_B1 else 404)
    c2 = actions.request_status_change(cast.m3, kind="deceased", effective_on=TODAY, reason="病故", by=cast.secretary2)
    r = api(getattr(cast, who)).post(f"/api/v1/status-cases/{c2.pk}/cancel/", format="json")
    # Any manager of 西村 reaches it; only the requester's side may withdraw (the admins above manage it too).
    assert r.status_code == (200 if who in ABOVE_B1 | {"secretary2"} else 404)


def test_detail_and_approval_errors(cast, case):
    assert api(cast.viewer).get(f"/api/v1/status-cases/{case.pk}/").status_code == 200
    assert api(cast.secretary2).get(f"/api/v1/status-cases/{case.pk}/").status_code == 404
    r = api(cast.town_admin).post(f"/api/v1/status-cases/{case.pk}/reject/", {}, format="json")
    assert r.status_code == 400 and "请填写不予批准的理由" in r.json()["note"][0]
    assert StatusCase.objects.get(pk=case.pk).status == "pending"


@pytest.mark.parametrize("who", ROLES)
def test_open_disposal(cast, who):
    r = api(getattr(cast, who)).post("/api/v1/disposal-cases/", {
        "member": cast.m1.pk, "decided_on": str(TODAY), "reason": "民主评议不合格"}, format="json")
    assert r.status_code == _create_status(who), r.content
    if r.status_code == 201:
        assert r.json()["deadline"] == str(add_months(TODAY, 6)) and r.json()["warnings"] == []


@pytest.mark.parametrize("who", ROLES)
def test_disposal_outcome(cast, who):
    d = actions.open_disposal(cast.m1, decided_on=add_months(TODAY, -7), deadline=add_months(TODAY, -1),
                              reason="民主评议不合格", by=cast.secretary1)
    assert api(getattr(cast, who)).get(f"/api/v1/disposal-cases/{d.pk}/").status_code == (200 if who in VIEW_B1 else 404)
    r = api(getattr(cast, who)).post(f"/api/v1/disposal-cases/{d.pk}/outcome/", {
        "outcome": "persuaded", "outcome_on": str(TODAY), "note": "期满仍无转变"}, format="json")
    assert r.status_code == (200 if who in MANAGERS_B1 else 404), r.content
    assert StatusCase.objects.filter(disposal=d).count() == (1 if who in MANAGERS_B1 else 0)


def test_disposal_deadline_beyond_a_year_refused(cast):
    r = api(cast.secretary1).post("/api/v1/disposal-cases/", {
        "member": cast.m1.pk, "decided_on": str(TODAY - dt.timedelta(days=1)),
        "deadline": str(add_months(TODAY, 13)), "reason": "x"}, format="json")
    assert r.status_code == 400 and "不合格党员组织处置办法" in r.json()["deadline"][0]
    assert not DisposalCase.objects.exists()


def test_anonymous_gets_401(cast):
    for url in ("/api/v1/mobile-members/", "/api/v1/lost-contact/", "/api/v1/status-cases/", "/api/v1/disposal-cases/"):
        assert api().get(url).status_code == 401


def test_list_query_counts_are_bounded(cast, mobile, case, django_assert_max_num_queries):
    for url in ("/api/v1/mobile-members/", "/api/v1/lost-contact/", "/api/v1/status-cases/", "/api/v1/disposal-cases/"):
        with django_assert_max_num_queries(6):
            assert api(cast.city_admin).get(url).status_code == 200
