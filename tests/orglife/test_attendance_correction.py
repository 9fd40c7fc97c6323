"""更正出勤: a recorded meeting's attendance corrected member by member, with the reason, kept and shown; by the
branch's managers only (page and API), audited; what may not be corrected is refused in Chinese."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from dangjian.core.models import Event
from dangjian.orglife import actions
from dangjian.orglife.models import Attendance, AttendanceCorrection
from tests.factories import api_client as api
from tests.factories import make_member

ROLES = ["city_admin", "county_admin", "town_admin", "secretary1", "secretary2", "viewer", "member_user", "outsider"]
MANAGE_B1 = {"city_admin", "county_admin", "town_admin", "secretary1"}


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(dt.datetime(2026, 11, 20, 12, tzinfo=dt.UTC)):
        yield


@pytest.fixture
def meeting(cast):
    """东村's 主题党日 of 2 November: 张伟 present, 李娜 absent (she had asked for leave)."""
    return actions.record_meeting(cast.tree.b1, kind="theme_day", held_on=dt.date(2026, 11, 2), topic="学习党章",
                                  attendance=[(cast.m1, "present", ""), (cast.m2, "absent", "")], by=cast.secretary1)


def statuses(meeting):
    return dict(Attendance.objects.filter(meeting=meeting).values_list("member__name", "status"))


def test_a_status_is_corrected_and_the_old_one_kept(cast, meeting):
    c = actions.correct_attendance(meeting, cast.m2, status="leave", reason="外出务工", note="对照请假条，录入时勾错",
                                   by=cast.secretary1)
    assert statuses(meeting) == {"张伟": "present", "李娜": "leave"}
    assert Attendance.objects.get(meeting=meeting, member=cast.m2).reason == "外出务工"
    assert (c.old_status, c.new_status, c.new_reason, c.by) == ("absent", "leave", "外出务工", cast.secretary1)
    assert (c.old_label, c.new_label) == ("缺席", "请假")
    e = Event.objects.get(verb="meeting.attendance.correct")
    assert e.actor == cast.secretary1 and e.detail == {"member": cast.m2.pk, "old": "absent", "new": "leave",
                                                       "note": "对照请假条，录入时勾错"}


def test_a_member_left_off_is_added_and_one_listed_by_mistake_taken_off(cast, meeting):
    late = make_member(cast.tree.b1, "周敏", gender="F", birth=dt.date(1992, 2, 2))
    actions.correct_attendance(meeting, late, status="present", note="签到表上有名字", by=cast.secretary1)
    actions.correct_attendance(meeting, cast.m1, status="", note="当天在县里学习，误列", by=cast.secretary1)
    assert statuses(meeting) == {"李娜": "absent", "周敏": "present"}
    assert Attendance.objects.get(meeting=meeting, member=late).held_on == meeting.held_on
    assert [c.old_label for c in meeting.corrections.all()] == ["出席", "未列入"]  # newest first


@pytest.mark.parametrize(("kwargs", "field", "message"), [
    ({"status": "leave", "note": " "}, "note", "请填写更正原因"),
    ({"status": "late", "note": "x"}, "status", "出勤状态只能是"),
    ({"status": "present", "note": "x"}, "status", "出勤没有变化"),
])
def test_refusals_for_a_listed_member(cast, meeting, kwargs, field, message):
    with pytest.raises(ValidationError) as e:
        actions.correct_attendance(meeting, cast.m1, by=cast.secretary1, **kwargs)
    assert message in e.value.message_dict[field][0]
    assert not AttendanceCorrection.objects.exists() and statuses(meeting)["张伟"] == "present"


def test_who_may_be_added(cast, meeting):
    with pytest.raises(ValidationError, match="不是“城关镇东村党支部”的在册党员"):
        actions.correct_attendance(meeting, cast.m3, status="present", note="x")  # 王强 is in 西村
    newcomer = make_member(cast.tree.b1, "吴刚", category="probationary", joined=dt.date(2026, 11, 10))
    with pytest.raises(ValidationError, match="入党日期（2026-11-10）在会议之后"):
        actions.correct_attendance(meeting, newcomer, status="present", note="x")
    with pytest.raises(ValidationError, match="不在这次会议的出勤名单中"):
        actions.correct_attendance(meeting, newcomer, status="", note="x")


@pytest.mark.parametrize("who", ROLES)
def test_page_form_by_role(client, cast, meeting, who):
    client.force_login(getattr(cast, who))
    url = reverse("orglife:correct_attendance", args=[meeting.pk])
    r = client.post(url, {"member": cast.m2.pk, "status": "leave", "reason": "生病", "note": "补交了请假条"})
    if who in MANAGE_B1:
        assert r.status_code == 302
        page = client.get(reverse("orglife:meeting", args=[meeting.pk])).content.decode()
        assert "更正记录" in page and "李娜</strong>：缺席 → 请假（生病）" in page and "补交了请假条" in page
        assert "已更正" in page and "保存更正" in page
    else:
        assert r.status_code == 404
        assert statuses(meeting)["李娜"] == "absent"


def test_viewer_and_member_see_the_corrections_but_no_form(client, cast, meeting):
    actions.correct_attendance(meeting, cast.m2, status="leave", note="补交了请假条", by=cast.secretary1)
    for user in (cast.viewer, cast.member_user):
        client.force_login(user)
        page = client.get(reverse("orglife:meeting", args=[meeting.pk])).content.decode()
        assert "补交了请假条" in page and "保存更正" not in page


def test_page_errors_stay_next_to_the_fields(client, cast, meeting):
    client.force_login(cast.secretary1)
    url = reverse("orglife:correct_attendance", args=[meeting.pk])
    r = client.post(url, {"member": cast.m2.pk, "status": "leave", "reason": "生病", "note": ""})
    assert r.status_code == 400
    page = r.content.decode()
    assert "请填写更正原因" in page and 'value="生病"' in page and "<details" in page and " open>" in page
    assert client.post(url, {"member": "", "status": "leave", "note": "x"}).status_code == 400
    assert "请选择党员" in client.post(url, {"member": "abc", "status": "leave", "note": "x"}).content.decode()


@pytest.mark.parametrize("who", ROLES)
def test_api_by_role(cast, meeting, who):
    r = api(getattr(cast, who)).post(f"/api/v1/meetings/{meeting.pk}/attendance/",
                                    {"member": cast.m2.pk, "status": "leave", "reason": "生病", "note": "补交了请假条"},
                                    format="json")
    if who in MANAGE_B1:
        assert r.status_code == 200
        body = r.json()
        assert {a["member_name"]: a["status"] for a in body["attendance"]} == {"张伟": "present", "李娜": "leave"}
        assert body["corrections"][0]["old_status"] == "absent" and body["corrections"][0]["note"] == "补交了请假条"
    else:
        assert r.status_code == 404


def test_api_refusal_is_400_on_the_field(cast, meeting):
    c = api(cast.secretary1)
    r = c.post(f"/api/v1/meetings/{meeting.pk}/attendance/", {"member": cast.m1.pk, "status": "present", "note": "x"},
               format="json")
    assert r.status_code == 400 and "没有变化" in str(r.json())
    r = c.post(f"/api/v1/meetings/{meeting.pk}/attendance/", {"member": cast.m1.pk, "status": "", "note": ""},
               format="json")
    assert r.status_code == 400 and "note" in r.json()
