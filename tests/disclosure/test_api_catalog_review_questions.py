"""API of the catalogue, the review queue, the questions inbox and the micro-power cases: each endpoint × the cast."""

import datetime as dt

import pytest
from rest_framework.test import APIClient

from dangjian.disclosure import actions
from dangjian.disclosure.models import CatalogEntry, Status
from dangjian.micropower import actions as mp_actions
from dangjian.micropower.models import Power

ROLES = ["city_admin", "county_admin", "town_admin", "secretary1", "secretary2", "viewer", "member_user", "outsider",
         "anonymous"]
ADMINS_CA1 = {"city_admin", "county_admin", "town_admin"}
WRITE_B1 = ADMINS_CA1 | {"secretary1"}
VIEW_B1 = WRITE_B1 | {"viewer"}


def client(cast, role):
    c = APIClient()
    if role != "anonymous":
        c.force_authenticate(getattr(cast, role))
    return c


@pytest.fixture
def world(cast, items):
    actions.install_default_catalog(cast.tree.county, effective_from=dt.date(2025, 1, 1))
    entry = CatalogEntry.objects.get(domain="rural", title="党费收缴、使用和管理情况")
    draft = actions.create_draft(cast.tree.b1, {"title": "一季度党费", "body": "收缴情况", "catalog_entry": entry,
                                                "period": "2025-Q1"}, by=cast.secretary1)
    submitted = actions.submit(draft, by=cast.secretary1)
    q = actions.ask(items.party, kind="question", body="这次公示期多长？", phone="13912345678")
    mp_actions.install_defaults(cast.tree.county)
    case = mp_actions.open_case(cast.tree.b1, Power.objects.get(name="低保申请"),
                                {"subject": "低保申请一", "applicant": "张三", "opened_on": "2025-03-01"})
    return {"entry": entry, "submitted": submitted, "question": q, "case": case}


def _expect(role, allowed, ok=200, default=404):
    return 401 if role == "anonymous" else (ok if role in allowed else default)


@pytest.mark.parametrize("role", ROLES)
def test_catalog_api(cast, world, role):
    c = client(cast, role)
    r = c.get("/api/v1/disclosure-catalog/", {"org": "CA1B1"})
    assert r.status_code == _expect(role, set(ROLES) - {"anonymous"})
    if r.status_code == 200:
        assert (r.json()["count"] > 0) == (role in VIEW_B1)
    entry = world["entry"]
    r = c.patch(f"/api/v1/disclosure-catalog/{entry.pk}/", {"frequency": "monthly"}, format="json")
    assert r.status_code == _expect(role, {"city_admin", "county_admin"})
    r = c.post("/api/v1/disclosure-catalog/", {"owner_code": "CA1", "domain": "rural", "category": "village",
                                               "title": "土地承包", "frequency": "yearly", "publisher": "村委会",
                                               "review": "none"}, format="json")
    assert r.status_code == _expect(role, ADMINS_CA1, ok=201, default=400 if role in {"city_admin"} else 403)


@pytest.mark.parametrize("role", ROLES)
def test_review_api(cast, world, role):
    c = client(cast, role)
    item = world["submitted"]
    r = c.get("/api/v1/disclosure-reviews/")
    assert r.status_code == _expect(role, set(ROLES))
    if r.status_code == 200:
        assert (r.json()["count"] == 1) == (role in ADMINS_CA1)
    r = c.get(f"/api/v1/disclosure-reviews/{item.pk}/steps/")
    assert r.status_code == _expect(role, VIEW_B1)
    if r.status_code == 200:
        assert [s["kind"] for s in r.json()] == ["submit"]
    r = c.post(f"/api/v1/disclosure-reviews/{item.pk}/decide/", {"decision": "return", "note": "补充明细"}, format="json")
    assert r.status_code == _expect(role, ADMINS_CA1)
    item.refresh_from_db()
    assert (item.status == Status.RETURNED) == (role in ADMINS_CA1)


@pytest.mark.parametrize("role", ROLES)
def test_questions_api(cast, world, role):
    c = client(cast, role)
    q = world["question"]
    r = c.get("/api/v1/disclosure-questions/")
    assert r.status_code == _expect(role, set(ROLES))
    if r.status_code == 200:
        rows = r.json()["results"]
        assert (len(rows) == 1) == (role in VIEW_B1)
        if rows:
            assert rows[0]["phone"] == ("139****5678" if role == "viewer" else "13912345678")
    assert c.get(f"/api/v1/disclosure-questions/{q.pk}/").status_code == _expect(role, VIEW_B1)
    r = c.post(f"/api/v1/disclosure-questions/{q.pk}/answer/", {"answer": "公示期5个工作日", "public": True}, format="json")
    assert r.status_code == _expect(role, WRITE_B1)
    if role in WRITE_B1:
        assert r.json()["public"] is True


@pytest.mark.parametrize("role", ROLES)
def test_micropower_api(cast, world, role):
    c = client(cast, role)
    case = world["case"]
    r = c.get("/api/v1/micropower/cases/")
    assert r.status_code == _expect(role, set(ROLES))
    if r.status_code == 200:
        assert (r.json()["count"] == 1) == (role in VIEW_B1)
    assert c.get(f"/api/v1/micropower/cases/{case.pk}/").status_code == _expect(role, VIEW_B1)
    r = c.post(f"/api/v1/micropower/cases/{case.pk}/step/", {"position": 1, "done_on": "2025-03-01",
                                                              "responsible": "申请人"}, format="json")
    assert r.status_code == _expect(role, WRITE_B1)
    r = c.get("/api/v1/micropower/powers/", {"org": "CA1B1"})
    assert r.status_code == _expect(role, set(ROLES))
    power = Power.objects.get(name="宅基地审批")
    assert c.get(f"/api/v1/micropower/powers/{power.pk}/").status_code == _expect(
        role, {"city_admin", "county_admin", "town_admin", "secretary1", "secretary2", "viewer"})
    r = c.post("/api/v1/micropower/cases/", {"org": "CA1B1", "power": power.pk, "subject": "宅基地一",
                                             "opened_on": "2025-05-01"}, format="json")
    assert r.status_code == _expect(role, WRITE_B1, ok=201, default=400 if role == "secretary2" else 403)
