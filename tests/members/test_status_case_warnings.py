"""Soft checks of a 党籍变更 request: they warn (with the rule's source) and never refuse."""

import datetime as dt

import time_machine
from django.utils import timezone
from rest_framework.test import APIClient

from dangjian.members import actions, queries
from dangjian.orglife.models import Attendance, Meeting
from dangjian.rules.base import add_months

TODAY = timezone.localdate()


def _codes(case):
    return [w.code for w in case.warnings]


def test_suspending_a_member_not_lost_for_six_months_warns(cast):
    case = actions.request_status_change(cast.m1, kind="suspend", effective_on=TODAY, reason="出国定居", by=cast.secretary1)
    assert _codes(case) == ["status.suspend_grounds"] and "未标记失去联系" in case.warnings[0].message
    assert "第二十四条" in case.warnings[0].message and not case.warnings[0].hard


def test_suspending_after_six_months_lost_does_not_warn(cast):
    actions.record_follow_up(cast.m1, contacted_on=add_months(TODAY, -6), method="电话", outcome="unreached",
                             by=cast.secretary1)
    case = actions.request_status_change(cast.m1, kind="suspend", effective_on=TODAY, reason="失联", by=cast.secretary1)
    assert case.warnings == []


def test_self_lapse_with_recent_attendance_warns(cast):
    mt = Meeting.objects.create(org=cast.tree.b1, org_path=cast.tree.b1.path, kind="theme_day", held_on=TODAY, topic="x")
    Attendance.objects.create(meeting=mt, member=cast.m1, status="present")
    case = actions.request_status_change(cast.m1, kind="leave", leave_type="self_lapse", effective_on=TODAY,
                                         reason="不参加组织生活", by=cast.secretary1)
    assert _codes(case) == ["status.lapse_grounds"] and "党章 第九条" in case.warnings[0].message
    other = actions.request_status_change(cast.m3, kind="leave", leave_type="self_lapse", effective_on=TODAY,
                                          reason="不参加组织生活", by=cast.secretary2)
    assert other.warnings == []


def test_api_returns_warnings_on_create(cast):
    c = APIClient()
    c.force_authenticate(cast.secretary1)
    r = c.post("/api/v1/status-cases/", {"member": cast.m1.pk, "kind": "suspend", "effective_on": str(TODAY),
                                         "reason": "出国定居"}, format="json")
    assert r.status_code == 201 and "未标记失去联系" in r.json()["warnings"][0]


def test_suspended_two_years_and_still_lost_is_listed_for_removal(cast):
    actions.record_follow_up(cast.m1, contacted_on=add_months(TODAY, -32), method="电话", outcome="unreached",
                             by=cast.secretary1)
    suspended_on = add_months(TODAY, -24)
    with time_machine.travel(dt.datetime.combine(suspended_on, dt.time(12)), tick=False):
        case = actions.request_status_change(cast.m1, kind="suspend", effective_on=suspended_on, reason="失联",
                                             by=cast.secretary1)
        actions.approve_status_case(case, by=cast.town_admin)
    assert list(queries.suspended_due_for_removal(cast.town_admin, TODAY)) == [cast.m1]
    assert not queries.suspended_due_for_removal(cast.town_admin, TODAY - dt.timedelta(days=1)).exists()
    assert not queries.suspended_due_for_removal(cast.secretary2, TODAY).exists()
    case = actions.request_status_change(cast.m1, kind="leave", leave_type="self_lapse", effective_on=TODAY,
                                         reason="停止党籍2年仍未联系上", by=cast.secretary1)
    assert case.warnings == []
    assert not queries.suspended_due_for_removal(cast.town_admin, TODAY).exists()  # a case is pending


def test_self_lapse_within_two_years_of_suspension_warns(cast):
    actions.approve_status_case(actions.request_status_change(
        cast.m1, kind="suspend", effective_on=TODAY - dt.timedelta(days=30), reason="失联", by=cast.secretary1),
        by=cast.town_admin)
    case = actions.request_status_change(cast.m1, kind="leave", leave_type="self_lapse", effective_on=TODAY,
                                         reason="失联", by=cast.secretary1)
    assert _codes(case) == ["status.lapse_after_suspension"] and "不满2年" in case.warnings[0].message


def test_removal_tab_on_lost_page(client, cast):
    client.force_login(cast.town_admin)
    r = client.get("/members/lost/?tab=removal")
    assert r.status_code == 200 and "停止党籍满2年" in r.content.decode()
