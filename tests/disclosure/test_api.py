"""/api/v1/disclosures/: the CONTRACT shape, and the permission matrix of the whole cast."""

import pytest
from rest_framework.test import APIClient

from dangjian.disclosure.models import DisclosureItem, Status

URL = "/api/v1/disclosures/"
ROLES = ["city_admin", "county_admin", "town_admin", "secretary1", "secretary2", "viewer", "member_user", "outsider"]
# Who may write items of 东村 (CA1B1): admins above it and its own secretary.
WRITERS_B1 = {"city_admin", "county_admin", "town_admin", "secretary1"}
# Who sees items of 东村.
VIEWERS_B1 = WRITERS_B1 | {"viewer"}


def client(user=None):
    c = APIClient()
    if user is not None:
        c.force_authenticate(user)
    return c


def test_contract_create_answers_201_and_publishes(cast):
    r = client(cast.secretary1).post(URL, {"org": "CA1B1", "category": "village", "title": "村道硬化工程公示",
                                           "body": "工程总投资 <b>12 万元</b><script>x()</script>",
                                           "published": True}, format="json")
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["org"] == "CA1B1" and body["status"] == "published" and body["id"]
    assert body["body"] == "工程总投资 <b>12 万元</b>"
    assert body["public_url"] == f"/gk/CA1B1/{body['id']}/"
    assert client().get(body["public_url"]).status_code == 200


def test_contract_create_unpublished_is_a_draft(cast):
    r = client(cast.town_admin).post(URL, {"org": "CA1B1", "category": "party", "title": "草稿", "body": "x",
                                           "published": False}, format="json")
    assert r.status_code == 201 and r.json()["status"] == "draft" and r.json()["public_url"] is None


def test_finance_lines_and_totals_through_the_api(cast):
    payload = {"org": "CA1B1", "category": "finance", "title": "8月收支", "body": "", "published": True,
               "declared_income": "100.00",
               "lines": [{"kind": "income", "item": "补助", "amount": "60"}, {"kind": "income", "item": "租金", "amount": "30"}]}
    r = client(cast.secretary1).post(URL, payload, format="json")
    assert r.status_code == 400
    assert "各项收入相加为 90.00 元" in r.json()["declared_income"][0]
    assert not DisclosureItem.objects.exists()
    payload["declared_income"] = "90.00"
    r = client(cast.secretary1).post(URL, payload, format="json")
    assert r.status_code == 201 and r.json()["totals"] == {"income": "90.00", "expense": "0.00", "balance": "90.00"}


def test_anonymous_gets_401_on_the_api(items):
    assert client().get(URL).status_code == 401
    assert client().post(URL, {"org": "CA1B1"}, format="json").status_code == 401
    assert client().get(f"{URL}{items.party.pk}/").status_code == 401


def test_missing_fields_are_named_in_chinese_or_by_field(cast):
    r = client(cast.secretary1).post(URL, {"org": "CA1B1", "category": "party", "title": " "}, format="json")
    assert r.status_code == 400 and "请填写标题" in r.json()["title"][0]


@pytest.mark.parametrize("role", ROLES)
def test_list_shows_items_in_scope_only(items, cast, role):
    r = client(getattr(cast, role)).get(URL, {"page_size": 100})
    assert r.status_code == 200
    ids = {row["id"] for row in r.json()["results"]}
    b1 = {items.party.pk, items.draft.pk, items.gone.pk, items.fin.pk, items.fin2.pk}
    if role == "city_admin":
        assert ids == b1 | {items.other.pk}
    elif role in VIEWERS_B1:
        assert ids == b1
    else:
        assert ids == set()


def test_org_filter_is_the_subtree(items, cast):
    c = client(cast.city_admin)
    assert {r["id"] for r in c.get(URL, {"org": "CB"}).json()["results"]} == {items.other.pk}
    assert c.get(URL, {"org": "CA1", "status": "draft"}).json()["count"] == 1
    assert client(cast.secretary1).get(URL, {"org": "CB01"}).json()["count"] == 0


@pytest.mark.parametrize("role", ROLES)
def test_detail_answers_404_out_of_scope(items, cast, role):
    r = client(getattr(cast, role)).get(f"{URL}{items.draft.pk}/")
    assert r.status_code == (200 if role in VIEWERS_B1 else 404)


@pytest.mark.parametrize("role", ROLES)
def test_create_matrix(cast, role):
    r = client(getattr(cast, role)).post(URL, {"org": "CA1B1", "category": "party", "title": "t", "body": "b"},
                                         format="json")
    if role in WRITERS_B1:
        assert r.status_code == 201
    elif role == "secretary2":  # may write, but not for another branch
        assert r.status_code == 400 and "org" in r.json()
    else:
        assert r.status_code == 403


@pytest.mark.parametrize("role", ROLES)
def test_publish_and_withdraw_matrix(items, cast, role):
    c = client(getattr(cast, role))
    r = c.post(f"{URL}{items.draft.pk}/publish/")
    expected = 200 if role in WRITERS_B1 else 404
    assert r.status_code == expected
    r = c.post(f"{URL}{items.party.pk}/withdraw/", {"reason": "重复发布"}, format="json")
    assert r.status_code == expected
    items.party.refresh_from_db()
    assert (items.party.status == Status.WITHDRAWN) == (role in WRITERS_B1)


def test_publish_twice_and_withdraw_without_reason_are_400(items, cast):
    c = client(cast.secretary1)
    assert c.post(f"{URL}{items.party.pk}/publish/").status_code == 400
    assert c.post(f"{URL}{items.party.pk}/withdraw/", {}, format="json").status_code == 400


def test_correct_through_the_api(items, cast):
    c = client(cast.secretary1)
    r = c.post(f"{URL}{items.party.pk}/correct/", {"title": "2025年第二季度发展党员情况公示（更正）",
                                                    "correction_note": "更正标题"}, format="json")
    assert r.status_code == 201
    assert r.json()["version"] == 2 and r.json()["supersedes"] == items.party.pk
    assert c.get(f"{URL}{items.party.pk}/").json()["status"] == "superseded"


def test_patch_edits_drafts_only(items, cast):
    c = client(cast.secretary1)
    assert c.patch(f"{URL}{items.draft.pk}/", {"title": "改过的草稿"}, format="json").json()["title"] == "改过的草稿"
    r = c.patch(f"{URL}{items.party.pk}/", {"title": "改已公开"}, format="json")
    assert r.status_code == 400 and "只有草稿或被退回的内容可以修改" in r.json()["detail"]


def test_list_query_count_is_bounded(items, cast, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        assert client(cast.city_admin).get(URL).status_code == 200
