"""Permission matrix of the transfer API for every role of the cast, in and out of scope."""

import pytest

from dangjian.transfers import actions
from dangjian.transfers.models import Transfer

from .conftest import ROLES, URL, api

# m1 lives in 东村 (CA1B1). Who manages it: the admins above and its secretary.
MANAGERS_B1 = {"city_admin", "county_admin", "town_admin", "secretary1"}
# Who can see a transfer 东村 → 花园社区 (CB01): anyone with view over either side, and m1 themself.
SEE_B1_TO_CB01 = MANAGERS_B1 | {"viewer", "member_user"}


@pytest.mark.parametrize("who", ROLES)
def test_start_for_a_member_of_b1(cast, who):
    r = api(getattr(cast, who)).post(URL, {"member": cast.m1.pk, "to_org": "CB01", "reason": "工作调动"}, format="json")
    if who in MANAGERS_B1:
        assert r.status_code == 201, r.content
    elif who == "secretary2":
        assert r.status_code == 404  # manages members, but not this one: as if it did not exist
    else:
        assert r.status_code == 403  # manages no members at all
    assert Transfer.objects.count() == (1 if who in MANAGERS_B1 else 0)


@pytest.fixture
def pending(cast):
    return actions.start(cast.m1, to_org=cast.tree.b3, reason="工作调动", by=cast.secretary1)


@pytest.mark.parametrize("who", ROLES)
def test_see_detail(cast, pending, who):
    r = api(getattr(cast, who)).get(f"{URL}{pending.pk}/")
    assert r.status_code == (200 if who in SEE_B1_TO_CB01 else 404)
    listed = api(getattr(cast, who)).get(URL)
    assert listed.status_code == 200
    assert listed.json()["count"] == (1 if who in SEE_B1_TO_CB01 else 0)


def test_anonymous_gets_401(pending):
    assert api().get(URL).status_code in (401, 403)
    assert api().post(f"{URL}{pending.pk}/approve/").status_code in (401, 403)


@pytest.mark.parametrize("who", ROLES)
def test_approve(cast, pending, who):
    r = api(getattr(cast, who)).post(f"{URL}{pending.pk}/approve/", format="json")
    if who in {"city_admin", "county_admin", "town_admin"}:
        assert r.status_code == 200 and r.json()["status"] == "approved"
    elif who == "secretary1":
        assert r.status_code == 400  # the starter
    else:
        assert r.status_code == 404
    pending.refresh_from_db()
    assert pending.status == ("approved" if r.status_code == 200 else "pending")


@pytest.mark.parametrize("who", ROLES)
def test_accept(cast, pending, who):
    actions.approve(pending, by=cast.town_admin)
    r = api(getattr(cast, who)).post(f"{URL}{pending.pk}/accept/", format="json")
    # Only the receiving side (CB01, under the city) may accept: of the cast, the city admin.
    assert r.status_code == (200 if who == "city_admin" else 404)


@pytest.mark.parametrize("who", ROLES)
def test_reject_pending(cast, pending, who):
    r = api(getattr(cast, who)).post(f"{URL}{pending.pk}/reject/", {"reason": "材料不全"}, format="json")
    if who in {"city_admin", "county_admin", "town_admin"}:
        assert r.status_code == 200 and r.json()["status"] == "rejected"
    elif who == "secretary1":
        assert r.status_code == 400  # starters cancel instead
    else:
        assert r.status_code == 404


@pytest.mark.parametrize("who", ROLES)
def test_cancel(cast, pending, who):
    r = api(getattr(cast, who)).post(f"{URL}{pending.pk}/cancel/", format="json")
    if who == "secretary1":
        assert r.status_code == 200 and r.json()["status"] == "cancelled"
    elif who in {"city_admin", "county_admin", "town_admin"}:
        assert r.status_code == 400
    else:
        assert r.status_code == 404


def test_received_side_reject_after_approval_and_sending_side_cannot(cast, pending):
    from tests.factories import make_user

    actions.approve(pending, by=cast.town_admin)
    r = api(cast.town_admin).post(f"{URL}{pending.pk}/reject/", {"reason": "x"}, format="json")
    assert r.status_code == 400 and "转入党支部" in r.json()["status"][0]
    cb = make_user("cb_secretary", "secretary", cast.tree.b3)
    r = api(cb).post(f"{URL}{pending.pk}/reject/", {"reason": "该党员不在本社区工作"}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "rejected"
    # The receiving branch's secretary now sees it; the sending side still does too.
    assert api(cb).get(f"{URL}{pending.pk}/").status_code == 200
    assert api(cast.secretary1).get(f"{URL}{pending.pk}/").status_code == 200
