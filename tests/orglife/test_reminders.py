"""Reminders: secretaries before a period ends unmet, the committee directly above after it ended unmet; once."""

import datetime as dt
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from dangjian.orglife import actions, reminders
from dangjian.orglife.models import Reminder
from tests.factories import make_org


def test_due_soon_goes_to_the_branch_secretary(cast):
    # 2026-11-25: November's 主题党日 is under way and ends in 5 days (lead 7).
    actions.record_meeting(cast.tree.b2, kind="theme_day", held_on=dt.date(2026, 11, 2), topic="已开")
    reminders.run(dt.date(2026, 11, 25))
    due = Reminder.objects.filter(kind="due", requirement="theme_day", period="2026-11")
    assert {(r.user.username, r.org.code) for r in due} == {("secretary1", "CA1B1")}
    r = due.get()
    assert "2026年11月主题党日应至少1次，已开0次，5天后到期（一般要求）" in r.title
    assert r.url == reverse("orglife:record", args=["CA1B1"])


def test_nothing_due_while_the_period_is_far_from_its_end(cast):
    reminders.run(dt.date(2026, 11, 10))
    assert not Reminder.objects.filter(kind="due", period="2026-11").exists()


def test_missed_goes_to_the_committee_directly_above(cast):
    reminders.run(dt.date(2026, 11, 3))
    missed = Reminder.objects.filter(kind="missed", requirement="theme_day", period="2026-10")
    # town_admin holds admin on CA1, the parent of CA1B1 and CA1B2; county/city admins are further up.
    assert {(r.user.username, r.org.code) for r in missed} == {("town_admin", "CA1B1"), ("town_admin", "CA1B2")}
    assert "未按期召开" in missed.first().title
    # Periods that ended long ago were reported when they ended.
    assert not Reminder.objects.filter(period="2026-08").exists()


def test_january_reports_last_years_periods(cast):
    reminders.run(dt.date(2027, 1, 4))
    assert Reminder.objects.filter(kind="missed", period="2026-Q4", requirement="branch_congress").exists()
    assert Reminder.objects.filter(kind="missed", period="2026", requirement="org_life_meeting").exists()


def test_second_run_adds_nothing(cast):
    first = reminders.run(dt.date(2026, 11, 25))
    assert first["sent"]["InAppChannel"] > 0
    n = Reminder.objects.count()
    assert reminders.run(dt.date(2026, 11, 25))["sent"]["InAppChannel"] == 0
    assert Reminder.objects.count() == n


class Recorder:
    seen: list = []

    def send(self, items):
        Recorder.seen = items
        return len(items)


def test_channels_are_pluggable(cast, settings):
    settings.DANGJIAN_REMINDER_CHANNELS = ["tests.orglife.test_reminders.Recorder"]
    result = reminders.run(dt.date(2026, 11, 25))
    assert result["sent"] == {"Recorder": len(Recorder.seen)} and Recorder.seen
    assert not Reminder.objects.exists()


def test_query_count_does_not_grow_with_branches(cast, django_assert_max_num_queries):
    parent = make_org("CX", "测试镇党委", "committee", parent=cast.tree.county)
    for i in range(20):
        make_org(f"CX{i:03d}", f"测试村{i}党支部", "branch", parent=parent)
    with django_assert_max_num_queries(12):
        reminders.run(dt.date(2026, 11, 25))


def test_command_json(cast):
    out = StringIO()
    call_command("orglife_reminders", "--date", "2026-11-25", "--format", "json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["date"] == "2026-11-25" and data["due"] > 0 and data["sent"]["InAppChannel"] > 0


@pytest.mark.parametrize("who", ["secretary1", "town_admin", "outsider"])
def test_reminders_page_shows_only_my_own(client, cast, who):
    reminders.run(dt.date(2026, 11, 25))
    client.force_login(getattr(cast, who))
    page = client.get(reverse("orglife:reminders")).content.decode()
    mine = Reminder.objects.filter(user=getattr(cast, who))
    assert all(r.title in page for r in mine)
    others = Reminder.objects.exclude(user=getattr(cast, who)).exclude(title__in=mine.values("title"))
    assert not any(r.title in page for r in others)
    if mine:
        client.post(reverse("orglife:reminders"))
        assert not Reminder.objects.filter(user=getattr(cast, who), read_at__isnull=True).exists()
    client.logout()
    assert client.get(reverse("orglife:reminders")).status_code == 302
