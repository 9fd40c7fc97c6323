"""/api/v1/orgs/: detail contents, filters, create/update/delete rules, and moves that keep members."""

import datetime as dt

import pytest

from dangjian.core.models import Event
from dangjian.members.models import Member
from dangjian.orgs import actions
from dangjian.orgs.models import Org


def test_detail_has_counts_term_and_committee(cast, api):
    term = actions.add_term(cast.tree.b1, elected_on=dt.date(2024, 3, 1))
    actions.add_committee_member(term, name="张伟", position="secretary", started_on=dt.date(2024, 3, 1),
                                 member=cast.m1)
    actions.add_committee_member(term, name="李娜", position="member", duty="组织委员", started_on=dt.date(2024, 3, 1))
    body = api(cast.secretary1).get("/api/v1/orgs/CA1B1/").json()
    assert body["org_type"] == "branch" and body["org_type_display"] == "党支部"
    assert body["domain_display"] == "农村" and body["is_branch"] is True and body["depth"] == 4
    # The parent (城关镇党委) lies outside a branch secretary's scope: not named.
    assert body["parent"] is None and body["parent_name"] is None
    assert body["counts"] == {"direct_full": 1, "direct_probationary": 1, "direct_total": 2,
                              "subtree_full": 1, "subtree_probationary": 1, "subtree_total": 2}
    t = body["current_term"]
    assert t["number"] == 1 and t["elected_on"] == "2024-03-01" and t["years"] == 5 and t["ends_on"] == "2029-03-01"  # 村党支部: 5 years
    assert t["status"] in {"ok", "expiring", "expired"} and t["status_display"]
    assert [(c["name"], c["position_display"], c["duty"]) for c in body["committee"]] == [
        ("张伟", "书记", ""), ("李娜", "委员", "组织委员")]
    assert body["committee"][0]["member"] == cast.m1.pk
    assert api(cast.town_admin).get("/api/v1/orgs/CA1B1/").json()["parent"] == "CA1"


def test_filters(cast, api):
    c = api(cast.city_admin)

    def codes(**params):
        r = c.get("/api/v1/orgs/", params)
        assert r.status_code == 200, r.content
        return [row["code"] for row in r.json()["results"]]

    assert codes(parent="C") == ["CA", "CB"]
    assert codes(parent="CA1") == ["CA1B1", "CA1B2"]
    assert codes(under="CA1") == ["CA1", "CA1B1", "CA1B2"]
    assert codes(q="西") == ["CA1B2", "CB", "CB01"]  # name contains
    assert codes(q="CA1B") == ["CA1B1", "CA1B2"]  # code prefix
    assert codes(org_type="branch") == ["CA1B1", "CA1B2", "CB01"]
    assert codes(domain="community") == ["CB01"]
    assert codes(under="CA", org_type="committee") == ["CA", "CA1"]
    r = c.get("/api/v1/orgs/", {"org_type": "party"})
    assert r.status_code == 400 and r.json() == {"org_type": ["筛选条件“org_type”的值“party”无效"]}
    assert c.get("/api/v1/orgs/", {"parent": "NOPE"}).status_code == 404
    # Children listed for a viewer are only those in scope, even of an org outside it.
    assert api(cast.viewer).get("/api/v1/orgs/", {"parent": "C"}).status_code == 404


def test_create_checks_in_chinese(cast, api):
    c = api(cast.county_admin)
    r = c.post("/api/v1/orgs/", {"parent": "CA1B1", "code": "CA1B1X", "name": "小组", "org_type": "branch"}, format="json")
    assert r.status_code == 400 and "不能设下级党组织" in r.json()["parent"][0]
    r = c.post("/api/v1/orgs/", {"parent": "CA1", "code": "CA1B1", "name": "重复", "org_type": "branch"}, format="json")
    assert r.status_code == 400 and r.json()["code"] == ["党组织编码“CA1B1”已被使用"]
    r = c.post("/api/v1/orgs/", {"parent": "CA1", "code": " ", "name": "", "org_type": "branch"}, format="json")
    assert r.status_code == 400 and r.json()["code"] == ["请填写党组织编码"] and r.json()["name"] == ["请填写党组织名称"]
    r = c.post("/api/v1/orgs/", {"code": "X", "name": "无上级", "org_type": "committee"}, format="json")
    assert r.status_code == 400 and "parent" in r.json()
    r = c.post("/api/v1/orgs/", {"parent": "CA", "code": "CA2", "name": "新镇党委", "org_type": "committee",
                                 "domain": "rural", "founded_on": "2020-05-04", "unit_name": "新镇人民政府"},
               format="json")
    assert r.status_code == 201, r.content
    assert r.json()["parent"] == "CA" and r.json()["founded_on"] == "2020-05-04" and r.json()["depth"] == 3
    assert Event.objects.filter(verb="org.create", object_repr="新镇党委").get().actor == cast.county_admin


def test_update_by_code_and_renaming_the_code(cast, api):
    c = api(cast.town_admin)
    r = c.patch("/api/v1/orgs/CA1B2/", {"code": "CA1B2N", "unit_name": "西村村委会"}, format="json")
    assert r.status_code == 200 and r.json()["code"] == "CA1B2N"
    assert c.get("/api/v1/orgs/CA1B2N/").json()["unit_name"] == "西村村委会"
    assert c.get("/api/v1/orgs/CA1B2/").status_code == 404
    # A branch with members cannot become a committee.
    r = c.patch("/api/v1/orgs/CA1B1/", {"org_type": "committee"}, format="json")
    assert r.status_code == 400 and "还有党员" in r.json()["org_type"][0]
    # PUT needs the whole record.
    r = c.put("/api/v1/orgs/CA1B1/", {"name": "只有名称"}, format="json")
    assert r.status_code == 400 and {"code", "org_type"} <= set(r.json())


@pytest.mark.parametrize(("code", "text"), [("CA1", "下级党组织"), ("CA1B1", "名党员")])
def test_delete_is_refused_with_a_reason_while_children_or_members_remain(cast, api, code, text):
    r = api(cast.county_admin).delete(f"/api/v1/orgs/{code}/")
    assert r.status_code == 400 and text in r.json()["detail"]
    assert Org.objects.filter(code=code).exists()


def test_move_keeps_members_and_counts(cast, api):
    c = api(cast.city_admin)
    r = c.post("/api/v1/orgs/CA1/move/", {"parent": "CB", "reason": "区划调整"}, format="json")
    assert r.status_code == 200, r.content
    assert r.json()["parent"] == "CB" and r.json()["counts"]["subtree_total"] == 3
    ids = {row["id"] for row in c.get("/api/v1/members/", {"org": "CB"}).json()["results"]}
    assert ids == {cast.m1.pk, cast.m2.pk, cast.m3.pk, cast.m4.pk}
    assert c.get("/api/v1/members/", {"org": "CA"}).json()["count"] == 0
    cb = c.get("/api/v1/orgs/CB/").json()
    ca = c.get("/api/v1/orgs/CA/").json()
    assert cb["counts"]["subtree_total"] == 4 and ca["counts"]["subtree_total"] == 0
    cb1 = Org.objects.get(code="CB")
    assert all(m.org_path.startswith(cb1.path) for m in Member.objects.filter(pk__in=[cast.m1.pk, cast.m3.pk]))
    ev = Event.objects.get(verb="org.move")
    assert ev.actor == cast.city_admin and ev.detail["reason"] == "区划调整"
    # The county admin no longer reaches the moved town.
    assert api(cast.county_admin).get("/api/v1/orgs/CA1/").status_code == 404
    history = c.get("/api/v1/orgs/CA1/history/").json()["results"]
    assert history[0]["reason"] == "隶属关系调整：东县县委 → 西区区委" and history[0]["user"] == "city_admin"


def test_move_refuses_into_own_subtree_or_a_branch(cast, api):
    c = api(cast.city_admin)
    r = c.post("/api/v1/orgs/CA/move/", {"parent": "CA1"}, format="json")
    assert r.status_code == 400 and "下级" in r.json()["parent"][0]
    r = c.post("/api/v1/orgs/CA1B2/move/", {"parent": "CA1B1"}, format="json")
    assert r.status_code == 400 and "不能设下级党组织" in r.json()["parent"][0]
    r = c.post("/api/v1/orgs/CA1B2/move/", {"parent": "CA1"}, format="json")
    assert r.status_code == 400 and "与原上级相同" in r.json()["parent"][0]


def test_org_history_lists_field_changes(cast, api):
    api(cast.town_admin).patch("/api/v1/orgs/CA1B1/", {"domain": "community", "contact_phone": "0531-1234567"},
                               format="json")
    latest = api(cast.viewer).get("/api/v1/orgs/CA1B1/history/").json()["results"][0]
    assert latest["user"] == "town_admin" and latest["reason"] == "接口"
    assert {c["field"]: (c["old"], c["new"]) for c in latest["changes"]} == {
        "domain": ("农村", "社区"), "contact_phone": (None, "0531-1234567")}


def test_a_contact_mobile_number_a_digit_short_is_refused(cast, api):
    """As a member's phone: a new or changed number that starts with 1 must be an 11-digit mobile number."""
    from dangjian.orgs.models import Org

    r = api(cast.town_admin).patch("/api/v1/orgs/CA1B1/", {"contact_phone": "1390000123"}, format="json")
    assert r.status_code == 400 and r.json()["contact_phone"] == ["“1390000123”是10位，手机号码应为11位，请核对"]
    Org.objects.filter(code="CA1B1").update(contact_phone="1390000123")  # kept from before the check
    r = api(cast.town_admin).patch("/api/v1/orgs/CA1B1/", {"domain": "community"}, format="json")
    assert r.status_code == 200
