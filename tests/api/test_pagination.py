"""List shape (CONTRACT), page_size bounds, exact counts, keyset cursors, and bounded query counts."""

import datetime as dt

import pytest

from dangjian.core import idcard
from dangjian.members.models import Member
from dangjian.members.search import pinyin_keys
from dangjian.orgs.actions import rebuild_counts


def _bulk_members(org, n, *, start=100):
    """n members straight into the table: test data for paging, not a path users take."""
    rows = []
    for i in range(n):
        seq = (start + i) * 2 + 1
        birth = dt.date(1960 + i % 40, 1 + i % 12, 1 + i % 28)
        name = f"党员{i:04d}"
        py, ini = pinyin_keys(name)
        rows.append(Member(org=org, org_path=org.path, name=name, name_pinyin=py, name_initials=ini, gender="M",
                           id_number=idcard.make("110101", birth, seq % 1000 if seq % 1000 % 2 else seq % 1000 + 1),
                           birth_date=birth, education="bachelor", category="full", joined_on=dt.date(2000, 7, 1),
                           phone=f"1390000{i:04d}"))
    Member.objects.bulk_create(rows)
    rebuild_counts()  # as every real path keeps the organizations' member counters


@pytest.fixture
def many(cast):
    _bulk_members(cast.tree.b1, 260, start=100)
    _bulk_members(cast.tree.b2, 260, start=400)
    return cast


def test_shape_and_links(cast, api):
    r = api(cast.county_admin).get("/api/v1/members/", {"page_size": 2})
    body = r.json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == 3 and len(body["results"]) == 2 and body["previous"] is None
    assert "page=2" in body["next"] and "page_size=2" in body["next"]
    r2 = api(cast.county_admin).get(body["next"])
    assert len(r2.json()["results"]) == 1 and r2.json()["next"] is None and r2.json()["previous"]


@pytest.mark.parametrize("size", ["0", "501", "-1", "abc"])
def test_page_size_outside_1_to_500_is_refused_in_chinese(cast, api, size):
    r = api(cast.city_admin).get("/api/v1/members/", {"page_size": size})
    assert r.status_code == 400
    assert r.json() == {"page_size": ["每页条数 page_size 应为 1 到 500 之间的整数"]}


@pytest.mark.parametrize("size", [1, 500])
def test_page_size_bounds_are_accepted(cast, api, size):
    r = api(cast.city_admin).get("/api/v1/orgs/", {"page_size": size})
    assert r.status_code == 200 and len(r.json()["results"]) == min(size, 7)


def test_page_past_the_end_is_404_in_chinese(cast, api):
    r = api(cast.city_admin).get("/api/v1/members/", {"page": 9})
    assert r.status_code == 404 and "页码" in r.json()["detail"]


def test_count_is_exact_with_and_without_filters(many, api):
    c = api(many.county_admin)
    assert c.get("/api/v1/members/").json()["count"] == 523
    # ?org with nothing narrowing: from the org counters, which must agree with the rows
    from dangjian.orgs.actions import rebuild_counts

    rebuild_counts()
    assert c.get("/api/v1/members/", {"org": "CA1"}).json()["count"] == 523
    assert c.get("/api/v1/members/", {"org": "CA1B2"}).json()["count"] == 261
    assert c.get("/api/v1/members/", {"org": "CA1", "category": "probationary"}).json()["count"] == 1
    assert c.get("/api/v1/members/", {"org": "CA1", "q": "党员000"}).json()["count"] == 20


def test_keyset_walk_visits_every_row_once_in_order(many, api):
    c = api(many.county_admin)
    by_page = [row["id"] for row in c.get("/api/v1/members/", {"page_size": 500}).json()["results"]]
    by_page += [row["id"] for row in c.get("/api/v1/members/", {"page_size": 500, "page": 2}).json()["results"]]
    seen, url, params, pages = [], "/api/v1/members/", {"after": "", "page_size": 100}, 0
    while url:
        body = c.get(url, params).json()
        params = None  # the next link carries them
        assert body["count"] == 523 and body["previous"] is None
        seen += [row["id"] for row in body["results"]]
        url, pages = body["next"], pages + 1
    assert pages == 6
    assert seen == by_page and len(set(seen)) == 523


def test_keyset_on_orgs_and_a_bad_cursor(cast, api):
    c = api(cast.city_admin)
    first = c.get("/api/v1/orgs/", {"after": "", "page_size": 3}).json()
    second = c.get(first["next"]).json()
    codes = [r["code"] for r in first["results"] + second["results"]]
    assert codes == ["C", "CA", "CA1", "CA1B1", "CA1B2", "CB"]
    r = c.get("/api/v1/members/", {"after": "abc"})
    assert r.status_code == 400 and "游标" in r.json()["after"][0]


@pytest.mark.parametrize("size", [5, 500])
def test_member_list_queries_are_bounded_whatever_the_page_size(many, api, django_assert_max_num_queries, size):
    c = api(many.county_admin)
    # token + user, grants, COUNT, page (select_related org)
    with django_assert_max_num_queries(4):
        r = c.get("/api/v1/members/", {"page_size": size})
    assert len(r.json()["results"]) == size
    with django_assert_max_num_queries(5):  # + the org of ?org=, the count from its counters
        r = c.get("/api/v1/members/", {"page_size": size, "org": "CA1", "after": ""})
    assert len(r.json()["results"]) == size


@pytest.mark.parametrize("size", [5, 500])
def test_org_list_queries_are_bounded_whatever_the_page_size(cast, api, django_assert_max_num_queries, size):
    from tests.factories import make_org

    for i in range(30):
        make_org(f"CA1X{i:02d}", f"支部{i}", "branch", parent=cast.tree.town)
    c = api(cast.city_admin)
    # token + user, grants, COUNT, page, parents' codes
    with django_assert_max_num_queries(5):
        r = c.get("/api/v1/orgs/", {"page_size": size})
    assert len(r.json()["results"]) == min(size, 37)
    rows = r.json()["results"]
    assert all(row["parent"] for row in rows if row["depth"] > 1)
    assert {row["parent"] for row in rows if row["code"].startswith("CA1X")} <= {"CA1"}


def test_history_is_paginated_and_bounded(cast, api, django_assert_max_num_queries):
    from dangjian.members import actions

    for i in range(12):
        actions.update_member(cast.m1, {"job": f"岗位{i}"})
    c = api(cast.secretary1)
    # token + user, grants, the member, COUNT, page, the version before the page, org names
    with django_assert_max_num_queries(7):
        r = c.get(f"/api/v1/members/{cast.m1.pk}/history/", {"page_size": 5})
    body = r.json()
    assert body["count"] == 14 and len(body["results"]) == 5  # created, linked to a login, 12 edits
    last = body["results"][-1]
    assert [ch["field"] for ch in last["changes"]] == ["job"]  # diffed against the version before the page
