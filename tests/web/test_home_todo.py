"""待我处理 on the home page: what waits for each user, as counts linking to the lists where it is done."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from dangjian.disclosure import actions as disclosure_actions
from dangjian.disclosure.models import CatalogEntry
from dangjian.members import actions as member_actions
from dangjian.orglife.models import Reminder
from dangjian.transfers import actions as transfer_actions
from tests.factories import make_user

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


def test_recruitment_files_overdue_and_due_within_30_days(client, cast):
    from dangjian.core import idcard
    from dangjian.recruitment import actions as recruitment_actions
    from tests.recruitment.journey import PERSON

    today = timezone.localdate()
    for n, days_ago in enumerate((45, 50, 5), start=1):  # the talk is due within a month of the application
        person = {**PERSON, "name": f"申请人{n}", "id_number": idcard.make("370102", dt.date(1999, 1, n), 41 + 2 * n)}
        recruitment_actions.open_file(person, org=cast.tree.b1, by=cast.secretary1,
                                      applied_on=today - dt.timedelta(days=days_ago))
    found = counts(todo_block(home(client, cast.secretary1)))
    assert found["发展党员已超期"] == 2 and found["发展党员30天内到期"] == 1
    assert "发展党员" not in todo_block(home(client, cast.secretary2))


def test_members_out_of_touch_for_six_months_are_listed_for_the_branch(client, cast):
    # 王强 (西村) has neither attended a meeting nor paid dues: a possible 失联 case for his branch to follow up
    assert "疑似失联党员" in todo_block(home(client, cast.secretary2))


MAJOR = "涉及群众切身利益的重大事项（四议两公开决议及实施结果）"  # the default catalogue's 随时公开 village entry


def _matter(org, days_ago: int, title: str, entry: str = MAJOR):
    """A major matter of `org` under the 随时公开 entry titled `entry`, occurred `days_ago` days ago: overdue once
    more than rules.disclosure.MAJOR_WITHIN_DAYS (5 by default) have passed."""
    return disclosure_actions.register_matter(org, {
        "catalog_entry": CatalogEntry.objects.applying_to(org).get(title=entry), "title": title,
        "occurred_on": timezone.localdate() - dt.timedelta(days=days_ago)})


def counts(block: str) -> dict[str, int]:
    return {label: int(n) for label, n in re.findall(
        r'<span class="me-auto">([^<]+)</span>\s*<span class="badge[^"]*">(\d+)</span>', block)}


@pytest.fixture
def catalog(cast):
    disclosure_actions.install_default_catalog(cast.tree.county, effective_from=dt.date(2020, 1, 1))
    assert CatalogEntry.objects.filter(domain="rural", title=MAJOR).exists()


def test_an_overdue_major_matter_waits_for_its_branch_and_the_committees_above(client, cast, catalog):
    _matter(cast.tree.b1, 6, "村道硬化工程实施方案")  # deadline yesterday
    _matter(cast.tree.b1, 20, "村集体土地流转方案")
    _matter(cast.tree.b1, 5, "村级活动场所改造方案")  # deadline today: not yet overdue
    url = 'href="/disclosure/matters/?state=overdue"'
    block = todo_block(home(client, cast.secretary1))
    assert counts(block)["重大事项逾期未公开"] == 2 and url in block and "下级" not in block
    for admin in (cast.town_admin, cast.county_admin, cast.city_admin):  # the committee above, and those above it
        block = todo_block(home(client, admin))
        found = {k: v for k, v in counts(block).items() if "重大事项" in k}
        assert found == {"下级重大事项逾期未公开": 2} and url in block
    assert "重大事项" not in todo_block(home(client, cast.secretary2))  # the other branch
    assert "重大事项" not in todo_block(home(client, cast.viewer))  # reads, follows nothing up
    # the list behind the link shows them
    client.force_login(cast.town_admin)
    page = client.get("/disclosure/matters/?state=overdue").content.decode()
    assert "村道硬化工程实施方案" in page and "村集体土地流转方案" in page and "村级活动场所改造方案" not in page


def test_a_matter_within_its_deadline_waits_only_for_its_branch(client, cast, catalog):
    _matter(cast.tree.b1, 1, "村道硬化工程实施方案")
    _matter(cast.tree.b1, 0, "村集体土地流转方案")
    block = todo_block(home(client, cast.secretary1))
    assert counts(block)["重大事项5天内应公开"] == 2 and 'href="/disclosure/matters/"' in block
    assert "逾期未公开" not in block
    assert "重大事项" not in todo_block(home(client, cast.town_admin))  # not the committee's business yet


def test_a_published_or_cancelled_matter_leaves_the_list(client, cast, catalog):
    road = _matter(cast.tree.b1, 10, "村道硬化工程实施方案")
    land = _matter(cast.tree.b1, 10, "村集体土地流转方案")
    disclosure_actions.cancel_matter(road, reason="重复登记")
    item = disclosure_actions.create_draft(cast.tree.b1, {"title": "土地流转方案公示", "body": "决议内容",
                                                          "catalog_entry": land.catalog_entry, "matter": land})
    disclosure_actions.submit(item)
    reviewer = make_user("jiandu_b1")
    disclosure_actions.add_seat(cast.tree.b1, reviewer)
    disclosure_actions.approve(item, by=reviewer, publish_now=True)  # late, but published
    assert "重大事项" not in todo_block(home(client, cast.secretary1))
    assert "重大事项" not in todo_block(home(client, cast.town_admin))


def test_a_committees_own_matter_is_its_own_and_its_parents_below(client, cast, catalog):
    disclosure_actions.create_entry(cast.tree.town, {
        "domain": "rural", "org_type": "committee", "category": "party", "frequency": "immediate", "review": "none",
        "title": "党委重大决策事项", "publisher": "镇党委"})
    _matter(cast.tree.town, 9, "镇党委重大决策", entry="党委重大决策事项")
    town = todo_block(home(client, cast.town_admin))
    assert "重大事项逾期未公开" in town and "下级重大事项" not in town
    assert "下级重大事项逾期未公开" in todo_block(home(client, cast.county_admin))
    assert "重大事项" not in todo_block(home(client, cast.secretary1))


def test_nothing_waiting_shows_no_block(client, cast):
    from dangjian.members.models import Member

    Member.objects.filter(pk=cast.m3.pk).update(joined_on=timezone.localdate() - dt.timedelta(days=30))
    page = home(client, cast.secretary2)
    assert 'id="todo"' not in page and "换届和班子提醒" in page


@pytest.mark.parametrize("who", ["city_admin", "town_admin", "secretary1"])
def test_home_query_count_stays_bounded(client, cast, catalog, django_assert_max_num_queries, who):
    transfer_actions.start(cast.m2, reason="工作调动", by=cast.secretary1, to_org=cast.tree.b3)
    for i in range(3):
        _matter(cast.tree.b1, 10, f"重大事项{i}")
        _matter(cast.tree.b2, 1, f"重大事项{i}")
    client.force_login(getattr(cast, who))
    # 重大事项 (own overdue, own due, below overdue) share one query, as 发展党员's overdue and due soon do
    with django_assert_max_num_queries(21):
        assert client.get(reverse("home")).status_code == 200
