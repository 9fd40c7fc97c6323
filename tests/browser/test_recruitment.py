"""The main recruitment journey, on a desktop and on a phone (390x844): a branch secretary records the talk,
is refused a late date with the rule and its source next to the field, records it on time, then holds the
支部大会 of a 发展对象 and finds the new 预备党员 in the member list."""

import datetime as dt

import pytest

from dangjian.core import idcard
from dangjian.members.models import Member
from dangjian.recruitment import actions
from tests.factories import make_member
from tests.recruitment.journey import PERSON, walk_to

D = dt.date


@pytest.mark.parametrize("device", ["page", "phone"])
def test_secretary_records_steps_and_admits_a_probationary_member(request, device, live_server, cast, login, shot):
    b = request.getfixturevalue(device)
    width = 390 if device == "phone" else 1280
    sponsors = [cast.m1, make_member(cast.tree.b1, "孙丽", gender="F", birth=D(1980, 8, 8))]
    talk = actions.open_file(PERSON, org=cast.tree.b1, by=cast.secretary1, applied_on=D(2022, 3, 1))
    candidate = actions.open_file({**PERSON, "name": "周敏", "id_number": idcard.make("370102", D(1998, 7, 7), 42)},
                                  org=cast.tree.b1, by=cast.secretary1, applied_on=D(2022, 3, 1))
    walk_to(cast, candidate, 14, sponsors)

    login(b, "secretary1")
    b.goto(f"{live_server.url}/recruitment/")
    b.wait_for_url(f"{live_server.url}/recruitment/org/CA1B1/")
    assert "发展对象" in b.locator("#stage-counts").inner_text()
    assert b.evaluate("document.documentElement.scrollWidth") <= width
    shot(b, f"recruitment-board-{device}")

    # 党组织派人谈话, two months after the application: refused with the rule and its source
    b.click(f"a[href='/recruitment/{talk.pk}/']")
    b.fill("#id_on", "2022-05-01")
    b.fill("#id_handled_by", "支部书记 张伟")
    b.click("button:has-text('保存第2步')")
    feedback = b.locator("#id_on ~ .invalid-feedback").inner_text()
    assert "一个月" in feedback and "细则 第八条" in feedback
    assert b.evaluate("document.documentElement.scrollWidth") <= width
    shot(b, f"recruitment-refused-{device}")
    b.fill("#id_on", "2022-03-20")
    b.click("button:has-text('保存第2步')")
    assert "已记录第2步“党组织派人谈话”" in b.locator(".alert-success").inner_text()
    talk.refresh_from_db()
    assert talk.last_step == 2

    # 支部大会讨论 of the 发展对象: the vote, then the member record
    b.goto(f"{live_server.url}/recruitment/{candidate.pk}/")
    assert "办理 第15步：支部大会讨论" in b.content()
    b.fill("#id_on", "2023-12-01")
    b.fill("#id_eligible", "10")
    b.fill("#id_present", "8")
    b.fill("#id_yes", "7")
    b.fill("#id_no", "1")
    shot(b, f"recruitment-congress-form-{device}")
    b.click("button:has-text('保存第15步')")
    assert "已接收为预备党员" in b.locator(".alert-success").inner_text()
    assert b.evaluate("document.documentElement.scrollWidth") <= width
    shot(b, f"recruitment-file-{device}")
    member = Member.objects.get(id_number=candidate.id_number)
    assert (member.category, member.joined_on) == ("probationary", D(2023, 12, 1))

    b.goto(f"{live_server.url}/members/?org=CA1B1")
    row = b.locator("tr", has_text="周敏")
    assert "预备党员" in row.first.inner_text()
    shot(b, f"recruitment-members-{device}")


def test_town_admin_sees_the_committee_board_and_sets_a_plan_on_a_phone(phone, live_server, cast, login, shot):
    from dangjian.recruitment.models import RecruitmentPlan

    sponsors = [cast.m1, make_member(cast.tree.b1, "孙丽", gender="F", birth=D(1980, 8, 8))]
    walk_to(cast, actions.open_file(PERSON, org=cast.tree.b1, by=cast.secretary1, applied_on=D(2022, 3, 1)), 15,
            sponsors)
    login(phone, "town_admin")
    phone.goto(f"{live_server.url}/recruitment/")
    phone.wait_for_url(f"{live_server.url}/recruitment/org/CA1/")
    assert "上级党委审批" in phone.content() and "城关镇东村党支部" in phone.content()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    shot(phone, "recruitment-committee-board-phone")
    phone.click("a:has-text('发展计划')")
    phone.select_option("#id_org", "CA1")
    phone.fill("#id_year", "2023")
    phone.fill("#id_planned", "2")
    phone.click("button:has-text('保存计划')")
    assert "已保存" in phone.locator(".alert-success").inner_text()
    row = phone.locator("tr", has_text="东县城关镇党委")
    assert "50%" in row.first.inner_text()  # planned 2, admitted 1 (the 支部大会 of 2023-12-01)
    assert RecruitmentPlan.objects.get().planned == 2
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    shot(phone, "recruitment-plans-phone")
