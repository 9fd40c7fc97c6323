"""Overdue transfers: the letter's validity passed without acceptance, listed for both sides."""

import datetime as dt

import time_machine
from django.test import override_settings

from dangjian.transfers import actions, queries
from dangjian.transfers.models import Transfer
from tests.factories import make_user

from .conftest import URL, api

T0 = dt.datetime(2025, 3, 1, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def _approved(cast, validity_days=None):
    with time_machine.travel(T0, tick=False):
        t = actions.start(cast.m1, to_org=cast.tree.b3, reason="工作调动", by=cast.secretary1)
        return actions.approve(t, by=cast.town_admin, validity_days=validity_days)


def test_default_validity_is_thirty_days(cast):
    t = _approved(cast)
    assert t.validity_days == 30 and t.letter_issued_on == dt.date(2025, 3, 1)
    assert t.valid_until == dt.date(2025, 3, 31)
    assert t.letter_no == f"转字〔2025〕第{t.pk:06d}号"


@override_settings(DANGJIAN_RULES={"transfers.letter_validity_days": 60})
def test_local_default_validity_overrides(cast):
    assert _approved(cast).valid_until == dt.date(2025, 4, 30)


def test_validity_above_three_months_refused(cast, post):
    tid = post("secretary1", "", {"member": cast.m1.pk, "to_org": "CB01", "reason": "调动"}).json()["id"]
    r = post("town_admin", f"{tid}/approve/", {"validity_days": 91})
    assert r.status_code == 400 and "90" in r.json()["validity_days"][0] and "中组发" in r.json()["validity_days"][0]
    assert Transfer.objects.get(pk=tid).status == "pending"


def test_overdue_listed_for_both_sides_only_after_validity(cast):
    t = _approved(cast)
    cb_admin = make_user("cb_admin", "admin", cast.tree.district)
    with time_machine.travel(dt.datetime(2025, 3, 31, 23, 0, tzinfo=T0.tzinfo), tick=False):
        assert not queries.overdue(cast.town_admin).exists()
        assert api(cast.town_admin).get(URL, {"status": "overdue"}).json()["count"] == 0
    with time_machine.travel(dt.datetime(2025, 4, 1, 9, 0, tzinfo=T0.tzinfo), tick=False):
        for user in (cast.town_admin, cast.secretary1, cast.viewer, cb_admin, cast.city_admin):
            assert list(queries.overdue(user)) == [t], user
        assert not queries.overdue(cast.secretary2).exists()
        body = api(cb_admin).get(URL, {"status": "overdue"}).json()
        assert body["count"] == 1 and body["results"][0]["overdue"] is True
        assert api(cb_admin).get(f"{URL}{t.pk}/").json()["overdue"] is True
        # Accepting late still completes it (the member must not be left nowhere); the event notes it.
        r = api(cb_admin).post(f"{URL}{t.pk}/accept/")
        assert r.status_code == 200 and r.json()["overdue"] is False
        assert not queries.overdue(cb_admin).exists()
