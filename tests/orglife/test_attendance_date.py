"""Attendance keeps a copy of its meeting's date (held_on): the key that partitions it on PostgreSQL."""

import datetime as dt

from dangjian.orglife import actions
from dangjian.orglife.models import Attendance, Meeting


def _meeting(org, on):
    return Meeting.objects.create(org=org, org_path=org.path, kind="theme_day", held_on=on, topic="主题党日")


def test_recorded_attendance_carries_the_meeting_date(cast):
    m = actions.record_meeting(cast.tree.b1, kind="theme_day", held_on=dt.date(2025, 3, 4), topic="志愿服务",
                               attendance=[(cast.m1.pk, "present", ""), (cast.m2.pk, "absent", "")])
    assert set(Attendance.objects.filter(meeting=m).values_list("held_on", flat=True)) == {dt.date(2025, 3, 4)}


def test_create_and_bulk_create_fill_the_date_from_the_meeting(cast, django_assert_num_queries):
    a, b = _meeting(cast.tree.b1, dt.date(2024, 7, 1)), _meeting(cast.tree.b1, dt.date(2025, 7, 1))
    Attendance.objects.create(meeting=a, member=cast.m1, status="present")
    # Rows that name their meeting by id only: one query for all their dates, then the insert.
    with django_assert_num_queries(2):
        Attendance.objects.bulk_create([Attendance(meeting_id=b.pk, member=cast.m1, status="present"),
                                        Attendance(meeting_id=b.pk, member=cast.m2, status="leave")])
    assert dict(Attendance.objects.values_list("meeting_id", "held_on").distinct()) == {
        a.pk: dt.date(2024, 7, 1), b.pk: dt.date(2025, 7, 1)}
