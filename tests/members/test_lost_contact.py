"""失联党员: no attendance and no dues payment for 6 months flags a member for follow-up."""

import datetime as dt
import uuid
from decimal import Decimal

from django.utils import timezone

from dangjian.dues.models import DuesPayment
from dangjian.members import actions, queries, reminders
from dangjian.members.models import MemberNotice
from dangjian.orglife.models import Attendance, Meeting
from dangjian.rules.base import add_months

TODAY = timezone.localdate()
CUTOFF = add_months(TODAY, -6)


def _attend(member, on, status="present"):
    mt = Meeting.objects.create(org=member.org, org_path=member.org_path, kind="theme_day", held_on=on, topic="主题党日")
    Attendance.objects.create(meeting=mt, member=member, status=status)


def _pay(member, on, **kw):
    DuesPayment.objects.create(member=member, org=member.org, org_path=member.org_path, month=on.replace(day=1),
                               amount=Decimal("10.00"), due=Decimal("10.00"), paid_on=on, method="cash",
                               batch=uuid.uuid4(), **kw)


def test_member_without_attendance_or_dues_for_six_months_is_a_candidate(cast):
    _attend(cast.m2, CUTOFF)  # on the cutoff day itself: still in touch
    _pay(cast.m3, TODAY - dt.timedelta(days=10))
    _attend(cast.m4, CUTOFF - dt.timedelta(days=1))  # just before: counts as nothing
    assert set(queries.lost_contact_candidates(cast.city_admin, TODAY)) == {cast.m1, cast.m4}


def test_leave_request_counts_as_contact_but_absence_does_not(cast):
    _attend(cast.m1, TODAY, status="leave")
    _attend(cast.m2, TODAY, status="absent")
    found = set(queries.lost_contact_candidates(cast.town_admin, TODAY))
    assert cast.m1 not in found and cast.m2 in found


def test_reversed_payment_does_not_count(cast):
    _pay(cast.m1, TODAY, is_reversed=True)
    assert cast.m1 in set(queries.lost_contact_candidates(cast.secretary1, TODAY))


def test_scope_limits_candidates(cast):
    assert set(queries.lost_contact_candidates(cast.secretary2, TODAY)) == {cast.m3}
    assert not queries.lost_contact_candidates(cast.outsider, TODAY).exists()


def test_unreached_follow_up_flags_reached_clears(cast):
    actions.record_follow_up(cast.m1, contacted_on=TODAY, method="电话", outcome="unreached", by=cast.secretary1)
    cast.m1.refresh_from_db()
    assert cast.m1.lost_contact and cast.m1.lost_contact_on == TODAY
    assert cast.m1 not in set(queries.lost_contact_candidates(cast.secretary1, TODAY))
    flagged = list(queries.lost_contact_flagged(cast.secretary1))
    assert flagged == [cast.m1] and flagged[0].last_outcome == "unreached"
    actions.record_follow_up(cast.m1, contacted_on=TODAY, method="上门", outcome="reached", note="在外务工", by=cast.secretary1)
    cast.m1.refresh_from_db()
    assert not cast.m1.lost_contact and cast.m1.follow_ups.count() == 2


def test_follow_up_needs_method_and_valid_outcome(cast):
    import pytest
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as e:
        actions.record_follow_up(cast.m1, contacted_on=TODAY, method="", outcome="unreached", by=cast.secretary1)
    assert "请填写联系方式" in e.value.message_dict["method"][0]
    with pytest.raises(ValidationError):
        actions.record_follow_up(cast.m1, contacted_on=TODAY, method="电话", outcome="maybe", by=cast.secretary1)
    assert not cast.m1.follow_ups.exists()


def test_reminders_ask_the_branch_to_follow_up(cast):
    result = reminders.run(TODAY)
    assert result["lost_contact"] == 3  # m1, m2 to secretary1; m3 to secretary2; m4's branch has no manager grant
    assert set(MemberNotice.objects.values_list("user__username", flat=True)) == {"secretary1", "secretary2"}


def test_lost_contact_page_query_count(cast, client, django_assert_max_num_queries):
    client.force_login(cast.city_admin)
    with django_assert_max_num_queries(12):
        r = client.get("/members/lost/")
    assert r.status_code == 200 and "赵敏" in r.content.decode()
