"""Plan, filing and calendar pages: scope for every role, the suggestion until a plan is saved, spot checks from the
committee above, recording a filed meeting."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from dangjian.orglife import actions
from dangjian.orglife.models import Filing, Meeting, Plan

ROLES = ["city_admin", "county_admin", "town_admin", "secretary1", "secretary2", "viewer", "member_user", "outsider"]
VIEW_B1 = {"city_admin", "county_admin", "town_admin", "secretary1", "viewer", "member_user"}
WRITE_B1 = {"city_admin", "county_admin", "town_admin", "secretary1"}
ABOVE_B1 = {"city_admin", "county_admin", "town_admin"}
TODAY = dt.date(2026, 11, 20)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(dt.datetime(2026, 11, 20, 12, tzinfo=dt.UTC)):
        yield


@pytest.mark.parametrize("who", ROLES)
def test_pages_by_scope(client, cast, who):
    client.force_login(getattr(cast, who))
    assert client.get(reverse("orglife:plan", args=["CA1B1"])).status_code == (200 if who in VIEW_B1 else 404)
    assert client.get(reverse("orglife:calendar", args=["CA1B1"])).status_code == (200 if who in VIEW_B1 else 404)
    assert client.get(reverse("orglife:file", args=["CA1B1"])).status_code == (200 if who in WRITE_B1 else 404)
    r = client.post(reverse("orglife:plan", args=["CA1B1"]), {"year": "2027", "rows": "1", "k0": "theme_day",
                                                              "d0": "2027-01-09", "t0": "x"})
    assert r.status_code == (302 if who in WRITE_B1 else 404)
    assert Plan.objects.exists() == (who in WRITE_B1)
    r = client.post(reverse("orglife:file", args=["CA1B1"]), {"kind": "theme_day", "planned_on": "2026-12-01",
                                                              "topic": "主题党日"})
    assert r.status_code == (302 if who in WRITE_B1 else 404)
    f = actions.file_meeting(cast.tree.b1, kind="party_lecture", planned_on=TODAY + dt.timedelta(days=6), topic="党课")
    r = client.post(reverse("orglife:spot_check", args=[f.pk]), {"on": "1"})
    assert r.status_code == (302 if who in ABOVE_B1 else 404)
    r = client.post(reverse("orglife:cancel_filing", args=[f.pk]), {"reason": "改期"})
    assert r.status_code == (302 if who in WRITE_B1 else 404)
    f.refresh_from_db()
    assert (f.spot_check, f.status == "cancelled") == (who in ABOVE_B1, who in WRITE_B1)


def test_plan_page_suggests_then_saves(client, cast):
    client.force_login(cast.secretary1)
    page = client.get(reverse("orglife:plan", args=["CA1B1"]), {"year": "2027"}).content.decode()
    assert "还没有2027年计划" in page and "2027年第一季度支部党员大会" in page and "计划未达到" not in page
    rows = {"year": "2027", "rows": "3", "k0": "theme_day", "d0": "2027-01-09", "t0": "一月主题党日",
            "k1": "branch_congress", "d1": "2027-02-15", "t1": "一季度党员大会", "x1": "1", "k2": "", "d2": "", "t2": ""}
    r = client.post(reverse("orglife:plan", args=["CA1B1"]), rows)
    assert r.status_code == 302
    plan = Plan.objects.get()
    assert [(i.kind, i.topic) for i in plan.items.all()] == [("theme_day", "一月主题党日")]
    page = client.get(r["Location"]).content.decode()
    # a line per kind, its periods listed (January is planned): not a line for each of some forty periods
    assert "计划未达到规定频次" in page and "主题党日（一般要求）：2月、3月、4月、5月、6月、7月、8月、9月、10月、11月、12月计划不足1次" in page
    assert "支部党员大会（一般要求）：第一季度、第二季度、第三季度、第四季度计划不足1次" in page
    assert page.count("计划不足") == len(actions.grouped_gaps(actions.plan_gaps(cast.tree.b1, 2027, [
        {"kind": "theme_day", "planned_on": dt.date(2027, 1, 9), "topic": "一月主题党日"}])))


def test_plan_page_errors_keep_rows(client, cast):
    client.force_login(cast.secretary1)
    r = client.post(reverse("orglife:plan", args=["CA1B1"]), {"year": "2027", "rows": "2", "k0": "theme_day",
                                                              "d0": "2026-05-01", "t0": "去年的", "k1": "theme_day",
                                                              "d1": "五月", "t1": "坏日期"})
    page = r.content.decode()
    assert r.status_code == 200 and "第2项：请按“2025-07-01”填写计划日期" in page and 'value="坏日期"' in page
    r = client.post(reverse("orglife:plan", args=["CA1B1"]), {"year": "2027", "rows": "1", "k0": "theme_day",
                                                              "d0": "2026-05-01", "t0": "去年的"})
    assert "不在2027年内" in r.content.decode() and not Plan.objects.exists()


def test_viewer_sees_plan_read_only(client, cast):
    actions.save_plan(cast.tree.b1, 2026, [{"kind": "theme_day", "planned_on": dt.date(2026, 3, 9), "topic": "植树"}])
    client.force_login(cast.viewer)
    page = client.get(reverse("orglife:plan", args=["CA1B1"]), {"year": "2026"}).content.decode()
    assert "植树" in page and 'name="rows"' not in page


def test_filing_form_short_notice_and_errors(client, cast):
    client.force_login(cast.secretary1)
    r = client.post(reverse("orglife:file", args=["CA1B1"]), {"kind": "theme_day", "planned_on": "2026-11-21",
                                                              "start_time": "14:30", "topic": "志愿服务"}, follow=True)
    assert "临时报备" in r.content.decode()
    f = Filing.objects.get()
    assert f.short_notice and f.start_time == dt.time(14, 30)
    r = client.post(reverse("orglife:file", args=["CA1B1"]), {"kind": "theme_day", "planned_on": "2026-11-01",
                                                              "start_time": "下午", "topic": "x"})
    page = r.content.decode()
    assert "请按“14:30”填写开始时间" in page
    r = client.post(reverse("orglife:file", args=["CA1B1"]), {"kind": "theme_day", "planned_on": "2026-11-01",
                                                              "topic": "x"})
    assert "不能早于今天" in r.content.decode() and Filing.objects.count() == 1
    r = client.get(reverse("orglife:file", args=["CA1B1"]), {"kind": "party_lecture", "planned_on": "2026-12-03",
                                                             "topic": "四季度党课"})
    assert 'value="四季度党课"' in r.content.decode()


def test_committee_calendar_shows_subtree_and_spot_check(client, cast, django_assert_max_num_queries):
    for i, b in enumerate([cast.tree.b1, cast.tree.b2]):
        actions.file_meeting(b, kind="theme_day", planned_on=dt.date(2026, 12, 1 + i), topic=f"十二月主题党日{i}")
    actions.file_meeting(cast.tree.b1, kind="party_lecture", planned_on=dt.date(2027, 1, 5), topic="一月党课")
    client.force_login(cast.town_admin)
    with django_assert_max_num_queries(12):
        page = client.get(reverse("orglife:calendar", args=["CA1"]), {"month": "2026-12"}).content.decode()
    assert "十二月主题党日0" in page and "十二月主题党日1" in page and "一月党课" not in page
    assert "本月报备 2 次" in page and ">抽查</button>" in page
    client.force_login(cast.secretary1)
    page = client.get(reverse("orglife:calendar", args=["CA1B1"]), {"month": "2026-12"}).content.decode()
    assert "十二月主题党日0" in page and ">抽查</button>" not in page and "十二月主题党日1" not in page
    assert client.get(reverse("orglife:calendar", args=["CA1"])).status_code == 404


def test_record_a_filed_meeting_from_the_calendar(client, cast):
    f = actions.file_meeting(cast.tree.b1, kind="party_lecture", planned_on=TODAY, topic="学习二十大精神",
                             place="党员活动室")
    client.force_login(cast.secretary1)
    page = client.get(reverse("orglife:calendar", args=["CA1B1"])).content.decode()
    assert f"?filing={f.pk}" in page
    page = client.get(reverse("orglife:record", args=["CA1B1"]), {"filing": f.pk}).content.decode()
    assert 'value="学习二十大精神"' in page and 'value="党员活动室"' in page and "按 2026-11-20 的报备录入" in page
    r = client.post(reverse("orglife:record", args=["CA1B1"]), {"filing": f.pk, "kind": "party_lecture",
                                                                "held_on": "2026-11-20", "topic": "学习二十大精神"})
    assert r.status_code == 302
    f.refresh_from_db()
    assert f.status == "held" and f.meeting == Meeting.objects.get()
