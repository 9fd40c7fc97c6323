"""`dangjian member_reminders`: prompts through pluggable channels, bounded queries, shown to their owner only."""

import json
from io import StringIO

from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from dangjian.members import actions, reminders
from dangjian.members.models import MemberNotice
from dangjian.rules.base import add_months

TODAY = timezone.localdate()
SENT = []


class RecordingChannel:
    def send(self, notices):
        SENT.extend(notices)
        return len(notices)


def test_command_json(cast):
    out = StringIO()
    call_command("member_reminders", "--date", str(TODAY), "--format", "json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["date"] == str(TODAY) and data["lost_contact"] == 3 and data["sent"]["InAppChannel"] == 3


def test_bad_date_is_refused_in_chinese(cast):
    import pytest
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="日期“2026-13-01”无效"):
        call_command("member_reminders", "--date", "2026-13-01")


@override_settings(DANGJIAN_MEMBER_NOTICE_CHANNELS=["tests.members.test_member_reminders.RecordingChannel"])
def test_channels_are_pluggable(cast):
    SENT.clear()
    actions.register_mobile(cast.m1, destination="深圳", since=add_months(TODAY, -7), contact="139", by=cast.secretary1)
    result = reminders.run(TODAY)
    assert result["sent"] == {"RecordingChannel": len(SENT)} and not MemberNotice.objects.exists()
    assert {n.kind for n in SENT} == {"transfer_due", "lost_contact"}


def test_query_count_is_bounded(cast, django_assert_max_num_queries):
    for m in (cast.m1, cast.m2):
        actions.register_mobile(m, destination="深圳", since=add_months(TODAY, -7), contact="139", by=cast.secretary1)
    with django_assert_max_num_queries(8):
        reminders.run(TODAY)


def test_notices_shown_to_their_owner_only(client, cast):
    actions.register_mobile(cast.m1, destination="深圳", since=add_months(TODAY, -7), contact="139", by=cast.secretary1)
    reminders.run(TODAY)
    client.force_login(cast.secretary1)
    assert "外出已满6个月且地点相对固定" in client.get("/members/mobile/").content.decode()
    client.force_login(cast.town_admin)
    assert "外出已满6个月且地点相对固定" not in client.get("/members/mobile/").content.decode()
