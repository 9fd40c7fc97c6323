"""A meeting's own page (attendance, votes) and votes entered through the record form."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from dangjian.orglife import actions
from dangjian.orglife.models import Meeting, Vote
from tests.factories import make_member

ROLES = ["city_admin", "county_admin", "town_admin", "secretary1", "secretary2", "viewer", "member_user", "outsider"]
VIEW_B1 = {"city_admin", "county_admin", "town_admin", "secretary1", "viewer", "member_user"}


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(dt.datetime(2026, 11, 20, 12, tzinfo=dt.UTC)):
        yield


def congress(cast):
    return actions.record_meeting(
        cast.tree.b1, kind="branch_congress", held_on=dt.date(2026, 11, 2), topic="讨论发展对象", place="村委会",
        attendance=[(cast.m1, "present", ""), (cast.m2, "leave", "外出务工")],
        votes=[{"subject": "确定李四为发展对象", "eligible": 3, "present": 1, "yes": 1}], by=cast.secretary1)


@pytest.mark.parametrize("who", ROLES)
def test_meeting_page_by_scope(client, cast, who):
    m = congress(cast)
    client.force_login(getattr(cast, who))
    r = client.get(reverse("orglife:meeting", args=[m.pk]))
    assert r.status_code == (200 if who in VIEW_B1 else 404)


def test_meeting_page_shows_attendance_and_invalid_vote(client, cast):
    m = congress(cast)
    client.force_login(cast.secretary1)
    page = client.get(reverse("orglife:meeting", args=[m.pk])).content.decode()
    assert "确定李四为发展对象" in page and "会议无效" in page and "未超过半数" in page
    assert "外出务工" in page and "出席 1 · 请假 1 · 缺席 0" in page
    assert reverse("orglife:meeting", args=[m.pk]) in client.get(reverse("orglife:meetings", args=["CA1B1"])).content.decode()


def test_meeting_page_queries_bounded(client, cast, django_assert_max_num_queries):
    m = congress(cast)
    client.force_login(cast.secretary1)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("orglife:meeting", args=[m.pk])).status_code == 200


def form(cast, **extra):
    return {"kind": "branch_congress", "held_on": "2026-11-09", "topic": "接收预备党员",
            f"a_{cast.m1.pk}": "present", f"a_{cast.m2.pk}": "present", **extra}


def test_votes_through_the_form(client, cast):
    client.force_login(cast.secretary1)
    r = client.post(reverse("orglife:record", args=["CA1B1"]), form(
        cast, v1_subject="接收王五为预备党员", v1_kind="admission", v1_eligible="3", v1_present="2", v1_yes="2",
        v2_subject="", v2_eligible=""))
    assert r.status_code == 302, r.content.decode()
    v = Vote.objects.get()
    assert (v.kind, v.eligible, v.present, v.yes, v.no, v.valid, v.passed) == ("admission", 3, 2, 2, 0, True, True)


def test_bad_vote_on_the_form_keeps_what_was_typed(client, cast):
    client.force_login(cast.secretary1)
    r = client.post(reverse("orglife:record", args=["CA1B1"]), form(
        cast, v1_subject="事项甲", v1_eligible="3", v1_present="2", v1_yes="2", v1_no="1",
        v2_subject="事项乙", v2_eligible="三", v2_present="1", v2_yes="1"))
    page = r.content.decode()
    assert r.status_code == 200 and not Meeting.objects.exists()
    assert "第2项表决：应到须填写整数（现为“三”）" in page
    assert 'value="事项甲"' in page and 'value="事项乙"' in page
    r = client.post(reverse("orglife:record", args=["CA1B1"]), form(
        cast, v1_subject="事项甲", v1_eligible="3", v1_present="2", v1_yes="2", v1_no="1"))
    assert "不能多于实到会人数" in r.content.decode() and not Meeting.objects.exists()


def test_my_organization_life(client, cast):
    congress(cast)  # m1 present
    actions.record_meeting(cast.tree.b1, kind="theme_day", held_on=dt.date(2026, 11, 5), topic="清理河道",
                           attendance=[(cast.m1, "leave", "照顾老人")])
    actions.record_meeting(cast.tree.b1, kind="party_lecture", held_on=dt.date(2026, 10, 5), topic="学习党章")
    actions.record_meeting(cast.tree.b2, kind="party_lecture", held_on=dt.date(2026, 10, 6), topic="别的支部的党课")
    for i in range(6):
        make_member(cast.tree.b1, f"委员{i}")
    cast.tree.b1.refresh_from_db()
    actions.record_meeting(cast.tree.b1, kind="branch_committee", held_on=dt.date(2026, 10, 7), topic="支委会不算我的")
    client.force_login(cast.member_user)
    r = client.get(reverse("orglife:mine"))
    page = r.content.decode()
    assert r.status_code == 200
    assert "出席 1" in page and "请假 1" in page and "缺席 0" in page and "未登记 1" in page
    assert "照顾老人" in page and "学习党章" in page and "别的支部的党课" not in page and "支委会不算我的" not in page
    assert "讨论发展对象" not in client.get(reverse("orglife:mine"), {"year": "2025"}).content.decode()


def test_my_organization_life_includes_attendance_recorded_elsewhere(client, cast):
    from dangjian.members.models import Member

    actions.record_meeting(cast.tree.b1, kind="theme_day", held_on=dt.date(2026, 3, 5), topic="植树",
                           attendance=[(cast.m1, "present", "")])
    Member.objects.filter(pk=cast.m1.pk).update(org=cast.tree.b2, org_path=cast.tree.b2.path)  # moved since
    client.force_login(cast.member_user)
    page = client.get(reverse("orglife:mine")).content.decode()
    assert "植树" in page and cast.tree.b1.name in page


def test_my_organization_life_needs_a_member_record(client, cast):
    client.force_login(cast.county_admin)
    assert client.get(reverse("orglife:mine")).status_code == 404
    client.logout()
    assert client.get(reverse("orglife:mine")).status_code == 302
