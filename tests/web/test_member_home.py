"""A member's home page on their phone: this year's dues (owed, which months, paid), their attendance, today's
check-in and the branch's next filed meetings, each linking to its own page."""

import datetime as dt

import time_machine
from django.test import Client

from dangjian.dues import actions as dues
from dangjian.orglife import actions as orglife

TZ = dt.timezone(dt.timedelta(hours=8))
TODAY = dt.date(2025, 7, 15)


def test_the_member_sees_their_year_at_a_glance(cast, django_assert_max_num_queries):
    with time_machine.travel(dt.datetime(2025, 7, 15, 8, 0, tzinfo=TZ), tick=False):
        dues.declare_base(cast.m1, from_month="2025-01", category="in_service", base="4000", by=cast.secretary1,
                          confirm=True)  # 40.00 a month
        dues.generate_ledger([dt.date(2025, m, 1) for m in range(1, 8)])
        dues.record_payment(cast.m1, months=[f"2025-{m:02d}" for m in range(1, 6)], paid_on=dt.date(2025, 5, 30),
                            method="cash")
        orglife.record_meeting(cast.tree.b1, kind="theme_day", held_on=dt.date(2025, 6, 20), topic="清理河道",
                               attendance=[(cast.m1, "present", "")])
        orglife.record_meeting(cast.tree.b1, kind="party_lecture", held_on=dt.date(2025, 6, 28), topic="党章",
                               attendance=[(cast.m1, "leave", "出差")])
        orglife.file_meeting(cast.tree.b1, kind="theme_day", planned_on=TODAY, start_time=dt.time(9, 0),
                             topic="学习新条例", place="村委会")
        orglife.file_meeting(cast.tree.b1, kind="branch_congress", planned_on=dt.date(2025, 7, 25),
                             start_time=dt.time(14, 30), topic="讨论发展对象", place="党员活动室")
        c = Client()
        c.force_login(cast.member_user)
        c.get("/")
        with django_assert_max_num_queries(20):
            html = c.get("/").content.decode()
    assert "2025年党费" in html and "欠交 80.00 元" in html and "6月未交清，本月待交" in html and "已交 200.00 元" in html
    assert "出席 1 次" in html and "请假 1" in html
    assert "学习新条例" in html and "签到" in html  # today's meeting, check-in open from 8:00
    assert "7月25日 14:30 支部党员大会：讨论发展对象（党员活动室）" in html
    assert 'href="/dues/me/"' in html and 'href="/orglife/mine/"' in html


def test_a_member_with_nothing_owed_or_recorded(cast):
    c = Client()
    c.force_login(cast.member_user)
    html = c.get("/").content.decode()
    assert "已交清" in html and "出席 0 次" in html and "近期组织生活" not in html


def test_this_months_dues_are_not_yet_owed(cast):
    with time_machine.travel(dt.datetime(2025, 7, 15, 8, 0, tzinfo=TZ), tick=False):
        dues.declare_base(cast.m1, from_month="2025-07", category="in_service", base="4000", by=cast.secretary1,
                          confirm=True)
        dues.generate_ledger([dt.date(2025, 7, 1)])
        c = Client()
        c.force_login(cast.member_user)
        html = c.get("/").content.decode()
    assert "本月待交 40.00 元" in html and "欠交" not in html
