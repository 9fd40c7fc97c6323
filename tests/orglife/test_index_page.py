"""/orglife/ — where a secretary or a committee office starts organization-life work."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from dangjian.orglife import actions
from dangjian.orglife.models import Reminder

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 8, 20)


@pytest.fixture
def today():
    with time_machine.travel(dt.datetime(2026, 8, 20, 10, tzinfo=timezone.get_current_timezone()), tick=False):
        yield TODAY


def test_secretary_sees_what_the_branch_still_owes(client, cast, today):
    for month in range(1, 8):
        actions.record_meeting(cast.tree.b1, kind="theme_day", held_on=dt.date(2026, month, 5), topic=f"{month}月主题党日")
    client.force_login(cast.secretary1)
    page = client.get("/orglife/").content.decode()
    assert "城关镇东村党支部" in page and "完成率" in page
    assert "主题党日 · 8月" in page and "待完成" in page  # August's is under way
    assert "主题党日 · 7月" not in page  # held
    assert "支部党员大会 · 二季度" in page and "未完成" in page  # no congress at all this year
    assert "/orglife/CA1B1/new/" in page and "/orglife/CA1B1/file/" in page  # may record and file
    assert "城关镇西村党支部" not in page


def test_committee_sees_its_subtree_and_links_to_the_grid(client, cast, today):
    client.force_login(cast.county_admin)
    page = client.get("/orglife/").content.decode()
    assert "东县县委" in page and "下辖 2 个党支部" in page and "未按时完成" in page
    assert "/orglife/compliance/CA/" in page and "/orglife/calendar/CA/" in page and "/orglife/dual/CA/" in page
    assert "/orglife/CA1B1/new/" not in page  # committees record nothing themselves here


def test_viewer_reads_without_record_links(client, cast, today):
    client.force_login(cast.viewer)
    page = client.get("/orglife/").content.decode()
    assert "东县县委" in page and "录入会议" not in page


def test_unread_reminders_are_counted(client, cast, today):
    Reminder.objects.create(user=cast.secretary1, org=cast.tree.b1, kind="due", requirement="theme_day", period="2026-08", key="k1", title="本月主题党日尚未召开",
                            url="/orglife/CA1B1/")
    client.force_login(cast.secretary1)
    page = client.get("/orglife/").content.decode()
    assert 'badge text-bg-danger">1</span>' in page


def test_member_goes_to_their_own_page_and_outsider_gets_404(client, cast, today):
    client.force_login(cast.member_user)
    r = client.get("/orglife/")
    assert r.status_code == 302 and r["Location"] == "/orglife/mine/"
    client.force_login(cast.outsider)
    assert client.get("/orglife/").status_code == 404
    client.logout()
    assert "/login/" in client.get("/orglife/")["Location"]


def test_nav_links_to_it_for_staff(client, cast):
    client.force_login(cast.secretary1)
    assert 'href="/orglife/">组织生活</a>' in client.get("/").content.decode()


def test_query_count_is_bounded(client, cast, today, django_assert_max_num_queries):
    client.force_login(cast.city_admin)
    with django_assert_max_num_queries(14):
        assert client.get("/orglife/").status_code == 200
