"""Organization life on a phone (390x844): a secretary records a 支部党员大会 with attendance and a vote; a member
checks in with the QR link; the committee's pages do not scroll sideways. (In tests/browser: one Playwright
session per test run.)"""

import datetime as dt

from django.utils import timezone

from dangjian.orglife import actions
from dangjian.orglife.models import Filing, Meeting


def no_sideways_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_record_congress_with_vote_on_phone(phone, live_server, cast, login, shot):
    login(phone, "secretary1")
    phone.goto(f"{live_server.url}/orglife/CA1B1/new/")
    phone.select_option("#kind", "branch_congress")
    phone.fill("#topic", "讨论确定发展对象")
    reason = phone.locator(f"input[name=r_{cast.m2.pk}]")
    assert not reason.is_visible()  # a 请假原因 box only under a member on leave, not under every name
    phone.click(f"label[for=l{cast.m2.pk}]")
    assert reason.is_visible()
    reason.fill("外出务工")
    phone.click(f"label[for=p{cast.m2.pk}]")
    assert reason.is_visible()  # a reason written stays in sight
    phone.click(f"label[for=l{cast.m2.pk}]")
    assert not phone.locator(f"input[name=r_{cast.m1.pk}]").is_visible()
    phone.click("summary:has-text('表决')")
    phone.fill("input[name=v1_subject]", "确定李四为发展对象")
    phone.fill("#v1_eligible", "2")
    phone.fill("#v1_present", "1")
    phone.fill("#v1_yes", "1")
    no_sideways_scroll(phone)
    shot(phone, "orglife-record-phone")
    phone.click("button:has-text('保存')")
    phone.wait_for_url(f"{live_server.url}/orglife/meeting/*/")
    text = phone.content()
    assert "确定李四为发展对象" in text and "会议无效" in text and "外出务工" in text
    no_sideways_scroll(phone)
    shot(phone, "orglife-meeting-phone")
    m = Meeting.objects.get()
    assert m.attendance.get(member=cast.m2).status == "leave" and not m.votes.get().valid


def test_member_checks_in_on_phone(phone, live_server, cast, login, shot):
    f = actions.file_meeting(cast.tree.b1, kind="theme_day", planned_on=timezone.localdate(), topic="主题党日：清理河道",
                             by=cast.secretary1)
    login(phone, "dangyuan")
    phone.goto(f"{live_server.url}/orglife/mine/")
    phone.click("a:has-text('签到')")
    phone.click("button:has-text('签到')")
    assert "您已签到" in phone.content()
    no_sideways_scroll(phone)
    shot(phone, "orglife-checkin-phone")
    assert Filing.objects.get(pk=f.pk).checkins.get().member == cast.m1


def test_committee_pages_fit_a_phone(phone, live_server, cast, login, shot):
    actions.record_meeting(cast.tree.b1, kind="theme_day", held_on=dt.date(2025, 3, 5), topic="植树")
    actions.file_meeting(cast.tree.b2, kind="party_lecture", planned_on=timezone.localdate() + dt.timedelta(days=5),
                         topic="党课")
    login(phone, "town_admin")
    for url, name in (("/orglife/compliance/CA1/?year=2025", "orglife-grid-phone"),
                      ("/orglife/calendar/CA1/", "orglife-calendar-phone"),
                      ("/orglife/CA1B1/plan/", "orglife-plan-phone")):
        phone.goto(live_server.url + url)
        no_sideways_scroll(phone)
        shot(phone, name)


def test_secretary_corrects_attendance_on_phone(phone, live_server, cast, login, shot):
    """李娜 was ticked 缺席 but had asked for leave: the secretary corrects it on the meeting page; the 请假原因 box
    shows only once 请假 is chosen; the correction is listed with its reason."""
    m = actions.record_meeting(cast.tree.b1, kind="theme_day", held_on=timezone.localdate(), topic="学习党章",
                               attendance=[(cast.m1, "present", ""), (cast.m2, "absent", "")], by=cast.secretary1)
    login(phone, "secretary1")
    phone.goto(f"{live_server.url}/orglife/meeting/{m.pk}/")
    phone.click("#fix summary")
    phone.select_option("#fix-member", str(cast.m2.pk))
    assert not phone.locator("#fix-reason").is_visible()
    phone.select_option("#fix-status", "leave")
    assert phone.locator("#fix-reason").is_visible()
    phone.fill("#fix-reason", "外出务工")
    phone.fill("#fix-note", "对照请假条，录入时勾错")
    no_sideways_scroll(phone)
    phone.click("button:has-text('保存更正')")
    phone.wait_for_selector("text=已更正李娜的出勤")  # back on the meeting page (at #fix, the form's anchor)
    text = phone.content()
    assert "已更正李娜的出勤：缺席 → 请假" in text and "对照请假条，录入时勾错" in text
    assert "出席 1 · 请假 1 · 缺席 0" in text
    no_sideways_scroll(phone)
    shot(phone, "orglife-correction-phone")
    assert m.attendance.get(member=cast.m2).reason == "外出务工"
