"""Members check in from their phones (扫码签到) during the window of a filed meeting; the record is prefilled."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from dangjian.orglife import actions
from dangjian.orglife.models import CheckIn

ROLES = ["city_admin", "county_admin", "town_admin", "secretary1", "secretary2", "viewer", "member_user", "outsider"]
WRITE_B1 = {"city_admin", "county_admin", "town_admin", "secretary1"}
TODAY = dt.date(2026, 11, 20)
TZ = dt.timezone(dt.timedelta(hours=8))


def at(hour, minute=0, day=TODAY):
    return time_machine.travel(dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=TZ), tick=False)


@pytest.fixture
def filing(cast):
    with at(8):
        return actions.file_meeting(cast.tree.b1, kind="theme_day", planned_on=TODAY, start_time=dt.time(14, 30),
                                    topic="主题党日：清理河道", place="村委会")


def test_token_names_one_filing_and_cannot_be_forged(cast, filing):
    token = actions.checkin_token(filing)
    assert actions.filing_for_token(token) == filing
    assert actions.filing_for_token(token[:-1] + str(filing.pk + 1)) is None
    assert actions.filing_for_token("x") is None and actions.filing_for_token("") is None


def test_window_opens_before_the_start_and_closes_at_midnight(cast, filing):
    with at(13, 29), pytest.raises(ValidationError, match="签到时间为2026年11月20日 13:30"):
        actions.check_in(filing, cast.m1)
    with at(13, 30):
        _, created = actions.check_in(filing, cast.m1)
        assert created
        assert actions.check_in(filing, cast.m1)[1] is False  # twice is harmless
    with at(0, 0, TODAY + dt.timedelta(days=1)), pytest.raises(ValidationError, match="签到时间"):
        actions.check_in(filing, cast.m2)


def test_only_members_of_the_branch(cast, filing):
    with at(15), pytest.raises(ValidationError, match="无需在此签到"):
        actions.check_in(filing, cast.m3)


def test_no_checkin_after_cancel(cast, filing):
    with at(9):
        actions.cancel_filing(filing, reason="暴雨")
        filing.refresh_from_db()
    with at(15), pytest.raises(ValidationError, match="已取消"):
        actions.check_in(filing, cast.m1)


def test_phone_flow_and_prefilled_record(client, cast, filing):
    url = reverse("orglife:checkin", args=[actions.checkin_token(filing)])
    client.force_login(cast.member_user)
    with at(14):
        page = client.get(url).content.decode()
        assert "主题党日：清理河道" in page and "张伟 签到" in page
        r = client.post(url)
        assert r.status_code == 302
        assert "您已签到" in client.get(url).content.decode()
        assert "已签到" in client.get(reverse("orglife:mine")).content.decode()
    assert CheckIn.objects.get().member == cast.m1
    client.force_login(cast.secretary1)
    with at(16):
        page = client.get(reverse("orglife:filing_qr", args=[filing.pk])).content.decode()
        assert "<svg" in page and "已签到 1 / 2 人" in page and "张伟" in page
        page = client.get(reverse("orglife:record", args=["CA1B1"]), {"filing": filing.pk}).content.decode()
    assert f'id="p{cast.m1.pk}" value="present" checked' in page
    assert f'id="x{cast.m2.pk}" value="absent" checked' in page


def test_checkin_page_for_others(client, cast, filing):
    url = reverse("orglife:checkin", args=[actions.checkin_token(filing)])
    client.force_login(cast.outsider)
    with at(15):
        assert "无需在此签到" in client.get(url).content.decode()
        assert "无需在此签到" in client.post(url).content.decode()
    assert not CheckIn.objects.exists()
    assert client.get(reverse("orglife:checkin", args=["forged-1"])).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302


def test_member_sees_todays_meeting_to_check_in(client, cast, filing):
    client.force_login(cast.member_user)
    with at(12):
        assert "主题党日：清理河道" not in client.get(reverse("orglife:mine")).content.decode()  # not open yet
    with at(14):
        page = client.get(reverse("orglife:mine")).content.decode()
        assert "主题党日：清理河道" in page and actions.checkin_token(filing) in page


@pytest.mark.parametrize("who", ROLES)
def test_qr_page_by_scope(client, cast, filing, who):
    client.force_login(getattr(cast, who))
    assert client.get(reverse("orglife:filing_qr", args=[filing.pk])).status_code == (200 if who in WRITE_B1 else 404)
