"""/api/v1/members/: masking, the sensitive-view log, Chinese validation messages, self-service, status."""

import datetime as dt

import pytest
from django.utils import timezone

from dangjian.core import idcard
from dangjian.core.models import Event
from dangjian.members.models import Member


def _sensitive_views(member):
    return Event.objects.filter(verb="member.view_sensitive", object_id=str(member.pk))


@pytest.mark.parametrize("role", ["city_admin", "secretary1", "viewer", "member_user"])
def test_list_always_masks_id_and_phone(cast, api, role):
    rows = api(getattr(cast, role)).get("/api/v1/members/").json()["results"]
    assert rows
    for row in rows:
        m = Member.objects.get(pk=row["id"])
        assert row["id_number"] == idcard.mask(m.id_number) != m.id_number
        assert row["phone"] == idcard.mask_phone(m.phone) != m.phone
        assert "address" not in row
    assert not Event.objects.filter(verb="member.view_sensitive").exists()


@pytest.mark.parametrize("role", ["city_admin", "town_admin", "secretary1"])
def test_detail_is_full_for_view_sensitive_and_the_view_is_logged(cast, api, role):
    r = api(getattr(cast, role)).get(f"/api/v1/members/{cast.m2.pk}/")
    body = r.json()
    assert body["id_number"] == cast.m2.id_number and body["phone"] == cast.m2.phone and body["sensitive"] is True
    ev = _sensitive_views(cast.m2).get()
    assert ev.actor == getattr(cast, role) and ev.org_path == cast.m2.org_path


def test_viewer_detail_is_masked_and_not_logged(cast, api):
    body = api(cast.viewer).get(f"/api/v1/members/{cast.m2.pk}/").json()
    assert body["id_number"] == idcard.mask(cast.m2.id_number) and body["sensitive"] is False
    assert body["phone"] == idcard.mask_phone(cast.m2.phone)
    assert not _sensitive_views(cast.m2).exists()


def test_member_sees_own_record_in_full(cast, api):
    body = api(cast.member_user).get(f"/api/v1/members/{cast.m1.pk}/").json()
    assert body["id_number"] == cast.m1.id_number and body["sensitive"] is True
    assert not _sensitive_views(cast.m1).exists()  # one's own number is no disclosure


def test_write_answers_are_masked_so_no_full_view_goes_unlogged(cast, api):
    r = api(cast.secretary1).patch(f"/api/v1/members/{cast.m2.pk}/", {"job": "会计"}, format="json")
    assert r.status_code == 200 and r.json()["job"] == "会计"
    assert r.json()["id_number"] == idcard.mask(cast.m2.id_number)


def _payload(**over):
    data = {"org": "CA1B1", "name": "刘洋", "id_number": idcard.make("370102", dt.date(1992, 4, 8), 11),
            "education": "bachelor", "category": "full", "joined_on": "2015-07-01", "confirmed_on": "2016-07-01"}
    data.update(over)
    return data


def test_create_derives_gender_and_birth_from_the_id_and_counts(cast, api):
    r = api(cast.secretary1).post("/api/v1/members/", _payload(), format="json")
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["gender"] == "M" and body["birth_date"] == "1992-04-08" and body["org"] == "CA1B1"
    cast.tree.b1.refresh_from_db()
    cast.tree.town.refresh_from_db()
    assert cast.tree.b1.direct_full == 2 and cast.tree.town.subtree_total == 4
    assert Event.objects.filter(verb="member.create", object_id=str(body["id"])).exists()


@pytest.mark.parametrize(("over", "field", "text"), [
    ({"id_number": "370102199204080012"}, "id_number", "校验"),
    ({"joined_on": "2005-07-01"}, "joined_on", "年满18周岁"),
    ({"joined_on": "2015-07-01", "confirmed_on": "2014-07-01"}, "confirmed_on", "转正日期应晚于入党日期"),
    ({"category": "probationary"}, "confirmed_on", "预备党员不应有转正日期"),
    ({"org": "CA1"}, "org", "党员只能编入党支部"),
    ({"org": "NOPE"}, "org", "不存在或您无权"),
    ({"gender": "F"}, "gender", "性别与公民身份号码不符"),
    ({"joined_on": "2015/7/1"}, "joined_on", "日期格式错误"),
    ({"name": ""}, "name", "不能为空"),
    ({"category": "x"}, "category", "不是合法选项"),
    ({"phone": "1380000123"}, "phone", "是10位，手机号码应为11位"),
])
def test_validation_messages_name_the_field_in_chinese(cast, api, over, field, text):
    r = api(cast.town_admin).post("/api/v1/members/", _payload(**over), format="json")
    assert r.status_code == 400
    assert field in r.json(), r.json()
    assert any(text in m for m in r.json()[field]), r.json()
    assert not Member.objects.filter(name="刘洋").exists()


def test_duplicate_active_id_is_refused(cast, api):
    r = api(cast.town_admin).post("/api/v1/members/", _payload(id_number=cast.m3.id_number,
                                                                 birth_date=str(cast.m3.birth_date)), format="json")
    assert r.status_code == 400 and "已登记为" in r.json()["id_number"][0]


def test_patch_refuses_fields_that_are_not_editable(cast, api):
    r = api(cast.secretary1).patch(f"/api/v1/members/{cast.m1.pk}/", {"status": "expelled"}, format="json")
    assert r.status_code == 400 and "status" in r.json()["status"][0]
    r = api(cast.secretary1).patch(f"/api/v1/members/{cast.m1.pk}/", {"org_path": "0001"}, format="json")
    assert r.status_code == 400 and r.json()["org_path"] == ["该字段不存在或不能在此修改"]


@pytest.mark.parametrize(("field", "value", "where"), [
    ("is_mobile", True, "mobile-members/"),
    ("mobile_destination", "浙江省宁波市", "mobile-members/"),
    ("lost_contact", True, "lost-contact/"),
    ("lost_contact_on", "2025-03-01", "lost-contact/"),
])
def test_mobile_and_lost_contact_flags_are_owned_by_their_records(cast, api, field, value, where):
    """流动/失联 are set by the outflow registration and the follow-ups (as on the web form): a PATCH or a POST naming
    one is refused on that field, saying where to register it, and changes nothing else either."""
    before = Member.objects.get(pk=cast.m1.pk)
    r = api(cast.secretary1).patch(f"/api/v1/members/{cast.m1.pk}/", {field: value, "job": "会计"}, format="json")
    assert r.status_code == 400 and list(r.json()) == [field]
    message = r.json()[field][0]
    assert f"（{field}）不能在此修改" in message and where in message
    after = Member.objects.get(pk=cast.m1.pk)
    assert (after.job, getattr(after, field)) == (before.job, getattr(before, field))
    r = api(cast.town_admin).post("/api/v1/members/", {**_payload(), field: value}, format="json")
    assert r.status_code == 400 and where in r.json()[field][0]
    assert not Member.objects.filter(name="刘洋").exists()
    # the member's own link is refused the same way (not as "only phone and address")
    r = api(cast.member_user).patch(f"/api/v1/members/{cast.m1.pk}/", {field: value}, format="json")
    assert r.status_code == 400 and where in r.json()[field][0]


def test_the_flags_still_read_and_follow_their_records(cast, api):
    from dangjian.members import actions

    actions.register_mobile(cast.m1, destination="浙江省宁波市", since=dt.date(2025, 3, 1), contact="13800001111",
                            by=cast.secretary1)
    r = api(cast.secretary1).patch(f"/api/v1/members/{cast.m1.pk}/", {"job": "个体经营"}, format="json")
    assert r.status_code == 200
    assert (r.json()["job"], r.json()["is_mobile"], r.json()["mobile_destination"]) == ("个体经营", True, "浙江省宁波市")
    m = api(cast.secretary1).get(f"/api/v1/members/{cast.m1.pk}/").json()
    assert m["lost_contact"] is False and m["lost_contact_on"] is None
    schema = api(cast.secretary1).get("/api/v1/schema/?format=json").json()
    write = schema["components"]["schemas"]["PatchedMemberWriteRequest"]["properties"]
    assert "phone" in write and not {"is_mobile", "mobile_destination", "lost_contact", "lost_contact_on"} & set(write)


def test_member_updates_own_phone_and_address_only(cast, api):
    c = api(cast.member_user)
    r = c.patch(f"/api/v1/members/{cast.m1.pk}/", {"phone": "13700009999", "address": "东村3组"}, format="json")
    assert r.status_code == 200 and r.json()["phone"] == "13700009999" and r.json()["address"] == "东村3组"
    r = c.patch(f"/api/v1/members/{cast.m1.pk}/", {"phone": "13700008888", "name": "张伟伟"}, format="json")
    assert r.status_code == 400 and r.json() == {"name": ["您只能修改本人的联系电话和家庭住址"]}
    assert Member.objects.get(pk=cast.m1.pk).phone == "13700009999"


def test_move_a_member_between_branches_in_scope(cast, api):
    r = api(cast.town_admin).patch(f"/api/v1/members/{cast.m2.pk}/", {"org": "CA1B2"}, format="json")
    assert r.status_code == 200 and r.json()["org"] == "CA1B2"
    assert Member.objects.get(pk=cast.m2.pk).org_path == cast.tree.b2.path
    r = api(cast.secretary1).patch(f"/api/v1/members/{cast.m1.pk}/", {"org": "CA1B2"}, format="json")
    assert r.status_code == 400 and "不存在或您无权" in r.json()["org"][0]


def test_the_branch_requests_a_status_change_instead_of_making_it(cast, api):
    r = api(cast.secretary1).post(f"/api/v1/members/{cast.m1.pk}/status/",
                                  {"status": "deceased", "reason": "病故"}, format="json")
    assert r.status_code == 403 and "上级党组织审批" in r.json()["detail"]
    assert Member.objects.get(pk=cast.m1.pk).status == "normal"


def test_status_change_needs_a_reason_and_updates_counters(cast, api):
    c = api(cast.town_admin)  # the committee above records its decision
    url = f"/api/v1/members/{cast.m1.pk}/status/"
    r = c.post(url, {"status": "deceased", "reason": " "}, format="json")
    assert r.status_code == 400 and r.json() == {"reason": ["请填写状态变更原因"]}
    r = c.post(url, {"status": "dead", "reason": "x"}, format="json")
    assert r.status_code == 400 and "status" in r.json()
    r = c.post(url, {"status": "deceased", "reason": "病故", "on": "2025-02-03"}, format="json")
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "deceased" and body["status_display"] == "去世" and body["status_changed_on"] == "2025-02-03"
    cast.tree.b1.refresh_from_db()
    assert cast.tree.b1.direct_full == 0
    # Gone from the default list (active members), still there with ?status=all.
    ids = {row["id"] for row in c.get("/api/v1/members/").json()["results"]}
    assert cast.m1.pk not in ids
    ids = {row["id"] for row in c.get("/api/v1/members/", {"status": "all"}).json()["results"]}
    assert cast.m1.pk in ids
    r = c.post(url, {"status": "deceased", "reason": "病故"}, format="json")
    assert r.status_code == 400 and "已是“去世”" in r.json()["status"][0]


def test_filters_and_their_errors(cast, api):
    c = api(cast.city_admin)

    def ids(**params):
        r = c.get("/api/v1/members/", params)
        assert r.status_code == 200, r.content
        return {row["id"] for row in r.json()["results"]}

    assert ids(gender="F") == {cast.m2.pk, cast.m4.pk}
    assert ids(category="probationary") == {cast.m2.pk}
    assert ids(q="zw") == {cast.m1.pk}  # pinyin initials of 张伟
    assert ids(q="赵") == {cast.m4.pk}
    assert ids(joined_year="2025") == {cast.m2.pk}
    assert ids(org="CB") == {cast.m4.pk}
    r = c.get("/api/v1/members/", {"education": "phd"})
    assert r.status_code == 400 and "无效" in r.json()["detail"]
    r = c.get("/api/v1/members/", {"as_of": "2025-13-01"})
    assert r.status_code == 400 and "2024-12-31" in r.json()["detail"]
    assert api(cast.secretary1).get("/api/v1/members/", {"org": "CB"}).status_code == 404


def test_as_of_lists_the_roster_of_that_day(cast, api):
    c = api(cast.city_admin)
    today = timezone.localdate().isoformat()
    r = c.get("/api/v1/members/", {"as_of": today})
    assert r.status_code == 200
    assert {row["id"] for row in r.json()["results"]} == {cast.m1.pk, cast.m2.pk, cast.m3.pk, cast.m4.pk}
    assert r.json()["results"][0]["org"] == "CA1B1"
    assert c.get("/api/v1/members/", {"as_of": "2000-01-01"}).json()["count"] == 0


def test_history_masks_numbers_and_names_the_editor(cast, api):
    api(cast.secretary1).patch(f"/api/v1/members/{cast.m1.pk}/", {"phone": "13911112222"}, format="json")
    rows = api(cast.town_admin).get(f"/api/v1/members/{cast.m1.pk}/history/").json()["results"]
    latest = rows[0]
    assert latest["user"] == "secretary1" and latest["reason"] == "接口" and latest["type_display"] == "修改"
    assert latest["changes"] == [{"field": "phone", "label": "联系电话", "old": idcard.mask_phone(cast.m1.phone),
                                  "new": "139****2222"}]
    created = rows[-1]
    assert created["type"] == "+"
    shown = {c["field"]: c["new"] for c in created["changes"]}
    assert shown["id_number"] == idcard.mask(cast.m1.id_number) and shown["org"] == "城关镇东村党支部"


def test_the_list_filters_by_phone(cast, api):
    Member.objects.filter(pk=cast.m2.pk).update(phone="")
    r = api(cast.town_admin).get("/api/v1/members/", {"phone": "missing"})
    assert r.status_code == 200 and [m["name"] for m in r.json()["results"]] == [cast.m2.name]
    r = api(cast.town_admin).get("/api/v1/members/", {"phone": "nope"})
    assert r.status_code == 400 and "联系电话筛选" in str(r.json())
