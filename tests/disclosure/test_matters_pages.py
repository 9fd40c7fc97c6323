"""重大事项 on the staff pages and the API: registered by whoever manages the organization, listed by scope, shown on
the committee's overdue list; out of scope answers 404 like everything else."""

import datetime as dt

import pytest
import time_machine
from django.test import Client
from rest_framework.test import APIClient

from dangjian.disclosure import actions
from dangjian.disclosure.models import CatalogEntry, DisclosureItem, Matter

ROLES = ["city_admin", "county_admin", "town_admin", "secretary1", "secretary2", "viewer", "member_user", "outsider"]
ADMINS_CA1 = {"city_admin", "county_admin", "town_admin"}
WRITE_B1 = ADMINS_CA1 | {"secretary1"}
VIEW_B1 = WRITE_B1 | {"viewer"}
MAJOR = "涉及群众切身利益的重大事项（四议两公开决议及实施结果）"
TODAY = dt.datetime(2025, 7, 20, 10, tzinfo=dt.UTC)  # 18 days after the road decision: overdue by 13


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def entry(cast):
    actions.install_default_catalog(cast.tree.county, effective_from=dt.date(2025, 1, 1))
    return CatalogEntry.objects.get(domain="rural", title=MAJOR)


@pytest.fixture
def road(cast, entry):
    return actions.register_matter(cast.tree.b1, {"catalog_entry": entry, "occurred_on": "2025-07-02",
                                                  "title": "村道硬化工程实施方案（村民代表会议表决通过）"})


def login(user):
    c = Client()
    c.force_login(user)
    return c


def api(cast, role):
    c = APIClient()
    if role != "anonymous":
        c.force_authenticate(getattr(cast, role))
    return c


def _expect(role, allowed, ok=200, default=404):
    return 401 if role == "anonymous" else (ok if role in allowed else default)


# ---------------------------------------------------------------- pages

def test_pages_need_a_login(road):
    for url in ("/disclosure/matters/", "/disclosure/matters/new/"):
        r = Client().get(url)
        assert r.status_code == 302 and "/login/" in r["Location"]


@pytest.mark.parametrize("role", ROLES)
def test_matters_list_shows_what_is_in_scope(cast, road, role):
    r = login(getattr(cast, role)).get("/disclosure/matters/", {"state": "all"})
    assert r.status_code == 200
    html = r.content.decode()
    assert (road.title in html) == (role in VIEW_B1)
    if role in VIEW_B1:
        assert "逾期未公开" in html and "2025-07-07" in html
    assert ("撰写公开内容" in html) == (role in WRITE_B1)
    assert ("登记待公开事项" in html) == (role in WRITE_B1 | {"secretary2"})


def test_matters_list_filters_by_state_and_org(cast, road):
    c = login(cast.town_admin)
    assert road.title in c.get("/disclosure/matters/", {"state": "overdue", "org": "CA1B1"}).content.decode()
    assert road.title not in c.get("/disclosure/matters/", {"state": "published"}).content.decode()
    assert road.title not in c.get("/disclosure/matters/", {"org": "CA1B2"}).content.decode()
    assert road.title not in c.get("/disclosure/matters/", {"org": "CB01"}).content.decode()  # out of scope: nothing


@pytest.mark.parametrize("role", ROLES)
def test_register_page_by_role(cast, entry, role):
    c = login(getattr(cast, role))
    may = role in WRITE_B1
    assert c.get("/disclosure/matters/new/").status_code == (200 if may or role == "secretary2" else 404)
    assert c.get("/disclosure/matters/new/", {"org": "CA1B1"}).status_code == (200 if may else 404)
    r = c.post("/disclosure/matters/new/", {"org": "CA1B1", "catalog_entry": entry.pk, "title": "土地流转方案",
                                            "occurred_on": "2025-07-18", "note": ""})
    assert r.status_code == (302 if may else 404)
    assert Matter.objects.filter(title="土地流转方案").exists() == may


def test_register_form_offers_the_immediate_entries_and_shows_errors(cast, entry):
    c = login(cast.secretary1)
    html = c.get("/disclosure/matters/new/", {"org": "CA1B1"}).content.decode()
    assert MAJOR in html and "集体财务收支明细" not in html and "5日内应当公开" in html
    r = c.post("/disclosure/matters/new/", {"org": "CA1B1", "catalog_entry": entry.pk, "title": "",
                                            "occurred_on": "2025-07-25"})
    html = r.content.decode()
    assert r.status_code == 200 and "请填写事项名称" in html
    r = c.post("/disclosure/matters/new/", {"org": "CA1B1", "catalog_entry": entry.pk, "title": "x",
                                            "occurred_on": "2025-07-25"})
    assert "不能晚于今天" in r.content.decode()
    assert not Matter.objects.exists()


@pytest.mark.parametrize("role", ROLES)
def test_cancel_by_role(cast, road, role):
    r = login(getattr(cast, role)).post(f"/disclosure/matters/{road.pk}/cancel/", {"reason": "重复登记"})
    assert r.status_code == (302 if role in WRITE_B1 else 404)
    road.refresh_from_db()
    assert (road.cancelled_at is not None) == (role in WRITE_B1)


@pytest.mark.parametrize("role", ROLES)
def test_overdue_page_lists_the_matter_for_the_committee(cast, road, role):
    r = login(getattr(cast, role)).get("/disclosure/overdue/", {"org": "CA1", "year": "2025"})
    sees = role in ADMINS_CA1 | {"viewer"}
    assert r.status_code == (200 if sees else 404)
    if sees:
        html = r.content.decode()
        assert road.title in html and "2025-07-02" in html and "2025-07-07" in html and "13天" in html
        assert "重大事项（随时公开）" in html


def test_secretary_sees_own_overdue_matter_but_not_the_neighbours(cast, road, entry):
    actions.register_matter(cast.tree.b2, {"catalog_entry": entry, "occurred_on": "2025-07-01", "title": "西村的事项"})
    html = login(cast.secretary1).get("/disclosure/overdue/", {"org": "CA1B1"}).content.decode()
    assert road.title in html and "西村的事项" not in html
    assert login(cast.secretary1).get("/disclosure/overdue/", {"org": "CA1B2"}).status_code == 404


def test_overdue_page_query_count_stays_bounded(cast, road, django_assert_max_num_queries):
    c = login(cast.county_admin)
    with django_assert_max_num_queries(14):
        assert c.get("/disclosure/overdue/", {"org": "CA", "year": "2025"}).status_code == 200


def test_writing_the_item_from_the_matter_and_publishing_it(cast, road):
    c = login(cast.secretary1)
    html = c.get("/disclosure/new/", {"org": "CA1B1", "entry": road.catalog_entry_id, "matter": road.pk}).content.decode()
    assert f'value="{road.pk}" data-entry="{road.catalog_entry_id}" selected' in html
    assert 'data-frequency="immediate"' in html
    r = c.post("/disclosure/new/", {
        "org": "CA1B1", "category": "village", "title": "村道硬化工程实施方案公示", "body": "方案内容",
        "catalog_entry": road.catalog_entry_id, "matter": road.pk, "occurred_on": "", "period": "",
        "lines-TOTAL_FORMS": "0", "lines-INITIAL_FORMS": "0", "lines-MIN_NUM_FORMS": "0", "lines-MAX_NUM_FORMS": "500"})
    assert r.status_code == 302
    item = DisclosureItem.objects.get(title="村道硬化工程实施方案公示")
    assert item.matter == road
    html = c.get(f"/disclosure/{item.pk}/").content.decode()
    assert "待公开事项：村道硬化工程实施方案" in html and "逾期未公开" in html


def test_the_item_form_registers_a_new_matter_from_its_date(cast, entry):
    c = login(cast.secretary1)
    base = {"org": "CA1B1", "category": "village", "title": "集体山林承包续签方案公示", "body": "方案内容",
            "catalog_entry": entry.pk, "matter": "", "period": "",
            "lines-TOTAL_FORMS": "0", "lines-INITIAL_FORMS": "0", "lines-MIN_NUM_FORMS": "0", "lines-MAX_NUM_FORMS": "500"}
    r = c.post("/disclosure/new/", {**base, "occurred_on": ""})
    assert r.status_code == 200 and "请填写事项发生日期" in r.content.decode()
    r = c.post("/disclosure/new/", {**base, "occurred_on": "2025-07-19"})
    assert r.status_code == 302
    item = DisclosureItem.objects.get()
    assert item.matter.occurred_on == dt.date(2025, 7, 19) and item.matter.title == "集体山林承包续签方案公示"


# ---------------------------------------------------------------- API

@pytest.mark.parametrize("role", [*ROLES, "anonymous"])
def test_matters_api_by_role(cast, road, entry, role):
    c = api(cast, role)
    r = c.get("/api/v1/disclosure-matters/", {"state": "all"})
    assert r.status_code == _expect(role, set(ROLES))
    if r.status_code == 200:
        assert (r.json()["count"] == 1) == (role in VIEW_B1)
    r = c.get(f"/api/v1/disclosure-matters/{road.pk}/")
    assert r.status_code == _expect(role, VIEW_B1)
    if r.status_code == 200:
        body = r.json()
        assert (body["org"], body["occurred_on"], body["deadline"], body["state"]) == (
            "CA1B1", "2025-07-02", "2025-07-07", "overdue")
    r = c.post("/api/v1/disclosure-matters/", {"org": "CA1B1", "catalog_entry": entry.pk, "title": "土地流转方案",
                                               "occurred_on": "2025-07-18"}, format="json")
    refused = 400 if role == "secretary2" else 403  # secretary2 registers elsewhere: the org is the problem
    assert r.status_code == _expect(role, WRITE_B1, ok=201, default=refused)
    if r.status_code == 201:
        assert r.json()["state"] == "pending" and r.json()["deadline"] == "2025-07-23"
    r = c.post(f"/api/v1/disclosure-matters/{road.pk}/cancel/", {"reason": "重复登记"}, format="json")
    assert r.status_code == _expect(role, WRITE_B1)
    road.refresh_from_db()
    assert (road.cancelled_at is not None) == (role in WRITE_B1)


def test_matters_api_states_and_errors(cast, road, entry):
    c = api(cast, "secretary1")
    assert c.get("/api/v1/disclosure-matters/", {"state": "overdue"}).json()["count"] == 1
    assert c.get("/api/v1/disclosure-matters/", {"state": "published"}).json()["count"] == 0
    r = c.post("/api/v1/disclosure-matters/", {"org": "CA1B1", "catalog_entry": entry.pk, "title": "",
                                               "occurred_on": "2025-07-18"}, format="json")
    assert r.status_code == 400 and "请填写事项名称" in r.json()["title"][0]
    r = c.post("/api/v1/disclosure-matters/", {"org": "CB01", "catalog_entry": entry.pk, "title": "x",
                                               "occurred_on": "2025-07-18"}, format="json")
    assert r.status_code == 400 and "org" in r.json()


def test_disclosures_api_takes_the_catalogue_entry_and_the_matter(cast, road, entry):
    c = api(cast, "secretary1")
    r = c.post("/api/v1/disclosures/", {"org": "CA1B1", "category": "village", "title": "村道硬化方案公示",
                                        "body": "方案", "catalog_entry": entry.pk, "matter": road.pk}, format="json")
    assert r.status_code == 201, r.json()
    assert (r.json()["catalog_entry"], r.json()["matter"], r.json()["period"]) == (entry.pk, road.pk, "")
    r = c.post("/api/v1/disclosures/", {"org": "CA1B1", "category": "village", "title": "饮水工程选址公示",
                                        "body": "选址", "catalog_entry": entry.pk, "occurred_on": "2025-07-19"},
               format="json")
    assert r.status_code == 201
    assert Matter.objects.get(pk=r.json()["matter"]).occurred_on == dt.date(2025, 7, 19)
    r = c.post("/api/v1/disclosures/", {"org": "CA1B1", "category": "village", "title": "x", "body": "y",
                                        "catalog_entry": entry.pk}, format="json")
    assert r.status_code == 400 and "请填写事项发生日期" in r.json()["occurred_on"][0]
    fin = CatalogEntry.objects.get(domain="rural", title="集体财务收支明细")
    r = c.post("/api/v1/disclosures/", {"org": "CA1B1", "category": "finance", "title": "2025年1月财务", "body": "y",
                                        "catalog_entry": fin.pk, "period": "2025-01"}, format="json")
    assert r.status_code == 201 and r.json()["period"] == "2025-01"
