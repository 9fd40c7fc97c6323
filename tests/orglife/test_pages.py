import datetime as dt

import pytest
from django.urls import reverse

from dangjian.orglife import actions
from dangjian.orglife.models import Meeting

ROLES = ["city_admin", "county_admin", "town_admin", "secretary1", "secretary2", "viewer", "member_user", "outsider"]
VIEW_B1 = {"city_admin", "county_admin", "town_admin", "secretary1", "viewer", "member_user"}
WRITE_B1 = {"city_admin", "county_admin", "town_admin", "secretary1"}


@pytest.mark.parametrize("who", ROLES)
def test_pages_by_scope(client, cast, who):
    actions.record_meeting(cast.tree.b1, kind="theme_day", held_on=dt.date(2026, 3, 3), topic="植树")
    client.force_login(getattr(cast, who))
    for name in ("orglife:meetings", "orglife:compliance"):
        r = client.get(reverse(name, args=["CA1B1"]))
        assert r.status_code == (200 if who in VIEW_B1 else 404), name
    assert client.get(reverse("orglife:record", args=["CA1B1"])).status_code == (200 if who in WRITE_B1 else 404)


def test_anonymous_redirected(client, cast):
    r = client.get(reverse("orglife:meetings", args=["CA1B1"]))
    assert r.status_code == 302 and "/login/" in r["Location"]


def test_record_through_the_form(client, cast):
    client.force_login(cast.secretary1)
    r = client.post(reverse("orglife:record", args=["CA1B1"]), {
        "kind": "branch_congress", "held_on": "2026-10-09", "topic": "讨论发展对象", f"a_{cast.m1.pk}": "present",
        f"a_{cast.m2.pk}": "leave", f"r_{cast.m2.pk}": "住院"})
    assert r.status_code == 302
    m = Meeting.objects.get()
    assert m.attendance.get(member=cast.m2).reason == "住院"
    r = client.post(reverse("orglife:record", args=["CA1B1"]), {"kind": "theme_day", "held_on": "2999-01-01",
                                                                "topic": "x"})
    assert r.status_code == 200 and "不能晚于今天" in r.content.decode()


def test_compliance_grid_shows_missed_first(client, cast):
    client.force_login(cast.county_admin)
    page = client.get(reverse("orglife:compliance", args=["CA"]), {"year": "2025"}).content.decode()
    assert "城关镇东村党支部" in page and "未达标" in page


def test_compliance_grid_cells(client, cast):
    """Each period is a badge: green when met, red when missed, with what was required and held in its title."""
    actions.record_meeting(cast.tree.b1, kind="theme_day", held_on=dt.date(2025, 3, 5), topic="植树")
    client.force_login(cast.town_admin)
    page = client.get(reverse("orglife:compliance", args=["CA1"]), {"year": "2025"}).content.decode()
    assert '<span class="badge text-bg-success fw-normal" title="2025-03：应1次，实1次">3月 1/1</span>' in page
    assert '<span class="badge text-bg-danger fw-normal" title="2025-04：应1次，实0次">4月 0/1</span>' in page
    assert '<span class="badge text-bg-danger fw-normal" title="2025-Q1：应1次，实0次">一季度 0/1</span>' in page


def test_page_addresses(cast):
    assert reverse("orglife:compliance", args=["CA"]) == "/orglife/compliance/CA/"
    assert reverse("orglife:meetings", args=["CA"]) == "/orglife/CA/"


def test_form_keeps_attendance_after_an_error(client, cast):
    client.force_login(cast.secretary1)
    page = client.post(reverse("orglife:record", args=["CA1B1"]), {
        "kind": "theme_day", "held_on": "2026-10-09", "topic": "", f"a_{cast.m2.pk}": "leave",
        f"r_{cast.m2.pk}": "外出务工"}).content.decode()
    assert "请填写会议主题" in page and 'value="外出务工"' in page
    assert f'id="l{cast.m2.pk}" value="leave" checked' in page and f'id="p{cast.m2.pk}" value="present">' in page
    assert not Meeting.objects.exists()


def test_meeting_list_shows_attendance_and_late_entry(client, cast):
    actions.record_meeting(cast.tree.b1, kind="branch_congress", held_on=dt.date(2025, 3, 3), topic="补录的大会",
                           attendance=[(cast.m1, "present", ""), (cast.m2, "absent", "")])
    client.force_login(cast.viewer)
    page = client.get(reverse("orglife:meetings", args=["CA"])).content.decode()
    assert "补录的大会" in page and "出席 1/2 人" in page and "补录" in page


@pytest.mark.parametrize("n", [2, 20])
def test_pages_query_count_bounded(client, cast, n, django_assert_max_num_queries):
    from tests.factories import make_org

    parent = make_org("CY", "测试乡党委", "committee", parent=cast.tree.county)
    for i in range(n):
        b = make_org(f"CY{i:03d}", f"测试村{i}党支部", "branch", parent=parent)
        actions.record_meeting(b, kind="theme_day", held_on=dt.date(2026, 2, 3), topic=f"主题党日{i}")
    client.force_login(cast.county_admin)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("orglife:compliance", args=["CY"])).status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(reverse("orglife:meetings", args=["CY"])).status_code == 200
