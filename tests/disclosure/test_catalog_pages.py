"""Staff pages of the catalogue, the supervision seats and the overdue list: admins above edit, others read
or get 404."""

import datetime as dt

import pytest
from django.test import Client

from dangjian.disclosure import actions
from dangjian.disclosure.models import CatalogEntry, SupervisorSeat

ROLES = ["city_admin", "county_admin", "town_admin", "secretary1", "secretary2", "viewer", "member_user", "outsider"]
EDIT_CA = {"city_admin", "county_admin"}


def login(user):
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def catalog(cast):
    actions.install_default_catalog(cast.tree.county, effective_from=dt.date(2025, 1, 1))
    return CatalogEntry.objects.filter(owner=cast.tree.county).first()


@pytest.mark.parametrize("role", ROLES)
def test_catalog_page_by_role(cast, catalog, role):
    c = login(getattr(cast, role))
    r = c.get("/disclosure/catalog/", {"org": "CA"})
    reads = role in {"city_admin", "county_admin", "viewer"}
    assert r.status_code == (200 if reads else 404)
    if reads:
        assert "集体财务收支明细" in r.content.decode()
        assert ("导入默认" in r.content.decode()) == (role in EDIT_CA)
    assert c.get(f"/disclosure/catalog/{catalog.pk}/").status_code == (200 if role in EDIT_CA else 404)
    assert c.get("/disclosure/catalog/new/", {"org": "CA"}).status_code == (200 if role in EDIT_CA else 404)


def test_secretary_sees_the_catalog_binding_the_village(cast, catalog):
    html = login(cast.secretary1).get("/disclosure/catalog/", {"org": "CA1B1"}).content.decode()
    assert "上级制定" in html and "集体财务收支明细" in html and "修改" not in html


def test_admin_adds_and_edits_an_entry(cast, catalog):
    c = login(cast.county_admin)
    r = c.post("/disclosure/catalog/new/?org=CA", {"domain": "rural", "category": "village", "title": "土地征收补偿",
                                                   "frequency": "immediate", "publisher": "村民委员会", "review": "above",
                                                   "active": "on"})
    assert r.status_code == 302
    entry = CatalogEntry.objects.get(title="土地征收补偿")
    r = c.post(f"/disclosure/catalog/{entry.pk}/", {"domain": "rural", "category": "village", "title": "土地征收补偿",
                                                     "frequency": "weekly", "publisher": "村民委员会", "review": "above"})
    assert r.status_code == 200 and "选择一个有效的选项" in r.content.decode() or "公开频次" in r.content.decode()
    r = c.post(f"/disclosure/catalog/{entry.pk}/", {"domain": "rural", "category": "village", "title": "土地征收补偿",
                                                     "frequency": "quarterly", "publisher": "村民委员会", "review": "none",
                                                     "effective_from": "2025-01-01"})
    entry.refresh_from_db()
    assert r.status_code == 302 and entry.frequency == "quarterly" and not entry.active


def test_install_and_seats_need_change_org(cast):
    assert login(cast.secretary1).post("/disclosure/catalog/install/", {"org": "CA1B1"}).status_code == 404
    assert login(cast.town_admin).post("/disclosure/catalog/install/", {"org": "CA1"}).status_code == 302
    assert CatalogEntry.objects.filter(owner=cast.tree.town).count() == 20
    assert login(cast.secretary1).post("/disclosure/catalog/seats/", {"org": "CA1B1", "username": "viewer"}).status_code == 404
    assert login(cast.town_admin).post("/disclosure/catalog/seats/", {"org": "CA1B1", "username": "viewer"}).status_code == 302
    seat = SupervisorSeat.objects.get()
    assert login(cast.secretary1).post(f"/disclosure/catalog/seats/{seat.pk}/delete/").status_code == 404
    assert login(cast.town_admin).post(f"/disclosure/catalog/seats/{seat.pk}/delete/").status_code == 302
    assert not SupervisorSeat.objects.exists()


@pytest.mark.parametrize("role", ROLES)
def test_overdue_page_by_role(cast, catalog, role):
    r = login(getattr(cast, role)).get("/disclosure/overdue/", {"org": "CA1", "year": "2025"})
    sees = role in {"city_admin", "county_admin", "town_admin", "viewer"}
    assert r.status_code == (200 if sees else 404)
    if sees:
        html = r.content.decode()
        assert "城关镇东村党支部" in html and "城关镇西村党支部" in html and "集体财务收支明细" in html


def test_overdue_page_query_count_is_bounded(cast, catalog, django_assert_max_num_queries):
    c = login(cast.county_admin)
    with django_assert_max_num_queries(12):
        assert c.get("/disclosure/overdue/", {"org": "CA", "year": "2025"}).status_code == 200
