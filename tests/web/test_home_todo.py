"""待我处理 on the home page: what waits for each user, as counts linking to the lists where it is done."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from dangjian.members import actions as member_actions
from dangjian.orglife.models import Reminder
from dangjian.transfers import actions as transfer_actions

pytestmark = pytest.mark.django_db


def home(client, user) -> str:
    client.force_login(user)
    return client.get(reverse("home")).content.decode()


def todo_block(page: str) -> str:
    start = page.find('id="todo"')
    return page[start:page.find("</div>\n</div>", start)] if start >= 0 else ""


def test_a_transfer_started_by_the_branch_waits_for_the_committee_above(client, cast):
    transfer_actions.start(cast.m2, reason="工作调动", by=cast.secretary1, to_org=cast.tree.b3)
    block = todo_block(home(client, cast.town_admin))
    assert "组织关系转接待审批" in block and 'href="/transfers/"' in block
    # the secretary who started it has nothing to approve; the other branch nothing at all
    assert "待审批" not in todo_block(home(client, cast.secretary1))
    assert "组织关系转接" not in todo_block(home(client, cast.secretary2))


def test_a_status_case_waits_for_approval_above_the_branch(client, cast):
    member_actions.request_status_change(cast.m1, kind="deceased", effective_on=dt.date(2026, 1, 5), reason="病故",
                                         by=cast.secretary1)
    assert "党籍变更待审批" in todo_block(home(client, cast.county_admin))
    assert "党籍变更待审批" not in todo_block(home(client, cast.secretary1))
    assert "党籍变更待审批" not in todo_block(home(client, cast.viewer))


def test_unread_reminders_and_mobile_members_due_for_a_transfer(client, cast):
    Reminder.objects.create(user=cast.secretary1, org=cast.tree.b1, kind="due", requirement="theme_day",
                            period="2026-08", key="k", title="本月主题党日尚未召开", url="/orglife/CA1B1/")
    member_actions.register_mobile(cast.m1, destination="深圳市南山区", since=timezone.localdate() - dt.timedelta(days=400),
                                   contact="13800001111", by=cast.secretary1, fixed_place=True)
    block = todo_block(home(client, cast.secretary1))
    assert "组织生活提醒未读" in block and "流动党员应转移组织关系" in block
    assert "组织生活提醒未读" not in todo_block(home(client, cast.town_admin))  # reminders are personal


def test_members_out_of_touch_for_six_months_are_listed_for_the_branch(client, cast):
    # 王强 (西村) has neither attended a meeting nor paid dues: a possible 失联 case for his branch to follow up
    assert "疑似失联党员" in todo_block(home(client, cast.secretary2))


def test_nothing_waiting_shows_no_block(client, cast):
    from dangjian.members.models import Member

    Member.objects.filter(pk=cast.m3.pk).update(joined_on=timezone.localdate() - dt.timedelta(days=30))
    page = home(client, cast.secretary2)
    assert 'id="todo"' not in page and "换届和班子提醒" in page


def test_home_query_count_stays_bounded(client, cast, django_assert_max_num_queries):
    transfer_actions.start(cast.m2, reason="工作调动", by=cast.secretary1, to_org=cast.tree.b3)
    client.force_login(cast.city_admin)
    with django_assert_max_num_queries(21):
        assert client.get(reverse("home")).status_code == 200
