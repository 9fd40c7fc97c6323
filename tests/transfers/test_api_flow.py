"""The CONTRACT flow through /api/v1/transfers/: start → approve → accept moves the member."""

import datetime as dt

from dangjian.core.models import Event
from dangjian.members import actions as member_actions
from dangjian.members.models import Member
from dangjian.orgs.models import Org
from dangjian.transfers.models import Transfer
from tests.factories import make_user

from .conftest import URL, api


def counts(code):
    o = Org.objects.get(code=code)
    return o.direct_full, o.direct_probationary, o.subtree_full, o.subtree_probationary


def test_contract_flow_moves_member_and_counters(cast, post):
    m1 = cast.m1  # full member of 东村 (CA1B1), going to 花园社区 (CB01) in another district
    before = {c: counts(c) for c in ("CA1B1", "CA1", "CA", "CB01", "CB", "C")}
    r = post("secretary1", "", {"member": m1.pk, "to_org": "CB01", "reason": "工作调动到西区"})
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["status"] == "pending" and body["id"]
    assert body["from_org"] == "CA1B1" and body["to_org"] == "CB01" and body["member"] == m1.pk
    tid = body["id"]
    # Until completion the member stays in the sending branch.
    assert Member.objects.get(pk=m1.pk).org.code == "CA1B1"

    r = post("town_admin", f"{tid}/approve/")
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["status"] == "approved" and body["letter_no"] and body["valid_until"]
    assert Member.objects.get(pk=m1.pk).org.code == "CA1B1"

    r = api(cast.city_admin).post(f"{URL}{tid}/accept/")
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "completed"

    m1 = Member.objects.get(pk=m1.pk)
    assert m1.org.code == "CB01" and m1.org_path == Org.objects.get(code="CB01").path
    after = {c: counts(c) for c in before}
    b = before["CA1B1"]
    assert after["CA1B1"] == (b[0] - 1, b[1], b[2] - 1, b[3])
    assert after["CA1"][2] == before["CA1"][2] - 1 and after["CA"][2] == before["CA"][2] - 1
    assert after["CB01"][0] == before["CB01"][0] + 1 and after["CB"][2] == before["CB"][2] + 1
    assert after["C"] == before["C"]  # common ancestor: unchanged
    # History keeps the old branch, with the transfer as the reason of the change.
    latest = m1.history.first()
    assert latest.history_change_reason == f"组织关系转接 #{tid}"
    assert m1.history.all()[1].org_id == cast.tree.b1.pk
    verbs = list(Event.objects.filter(object_type="transfers.transfer", object_id=str(tid)).values_list("verb", flat=True))
    assert sorted(verbs) == ["transfer.accept", "transfer.approve", "transfer.start"]


def test_detail_and_list_filters(cast, post):
    tid = post("secretary1", "", {"member": cast.m2.pk, "to_org": "CA1B2", "reason": "搬家"}).json()["id"]
    r = api(cast.viewer).get(f"{URL}{tid}/")
    assert r.status_code == 200 and r.json()["member_name"] == "李娜"
    r = api(cast.county_admin).get(URL, {"org": "CA1B2"})
    assert [t["id"] for t in r.json()["results"]] == [tid]  # the receiving side's subtree finds it
    assert r.json()["count"] == 1
    assert api(cast.county_admin).get(URL, {"org": "CA1B2", "status": "completed"}).json()["count"] == 0
    assert api(cast.county_admin).get(URL, {"status": "pending"}).json()["count"] == 1
    r = api(cast.county_admin).get(URL, {"status": "bogus"})
    assert r.status_code == 400 and "状态" in r.json()["detail"]
    assert api(cast.county_admin).get(URL, {"org": "CB01"}).status_code == 404  # outside the scope


def test_reject_ends_it_with_reason(cast, post):
    tid = post("secretary1", "", {"member": cast.m1.pk, "to_org": "CA1B2", "reason": "调动"}).json()["id"]
    post("town_admin", f"{tid}/approve/")
    r = post("secretary2", f"{tid}/reject/", {"reason": ""})
    assert r.status_code == 400 and "退回原因" in r.json()["reason"][0]
    r = post("secretary2", f"{tid}/reject/", {"reason": "本支部不是该党员的工作单位"})
    assert r.status_code == 200 and r.json()["status"] == "rejected"
    assert r.json()["reject_reason"] == "本支部不是该党员的工作单位"
    assert Member.objects.get(pk=cast.m1.pk).org_id == cast.tree.b1.pk
    # Closed: a new transfer may start.
    assert post("secretary1", "", {"member": cast.m1.pk, "to_org": "CB01", "reason": "再次调动"}).status_code == 201


def test_second_transfer_refused_while_one_is_open(cast, post):
    assert post("secretary1", "", {"member": cast.m1.pk, "to_org": "CA1B2", "reason": "调动"}).status_code == 201
    r = post("town_admin", "", {"member": cast.m1.pk, "to_org": "CB01", "reason": "另一次"})
    assert r.status_code == 400 and "未办结" in r.json()["member"][0]
    assert Transfer.objects.filter(member=cast.m1).count() == 1


def test_bad_input_refused_in_chinese(cast, post):
    r = post("secretary1", "", {"member": cast.m1.pk, "to_org": "CA1B1", "reason": "x"})
    assert r.status_code == 400 and "相同" in r.json()["to_org"][0]
    r = post("secretary1", "", {"member": cast.m1.pk, "to_org": "CB", "reason": "x"})
    assert r.status_code == 400 and "党委" in r.json()["to_org"][0] and "党支部" in r.json()["to_org"][0]
    r = post("secretary1", "", {"member": cast.m1.pk, "to_org": "NOPE", "reason": "x"})
    assert r.status_code == 400 and "NOPE" in r.json()["to_org"][0]
    r = post("secretary1", "", {"member": cast.m1.pk, "to_org": "CA1B2", "reason": " "})
    assert r.status_code == 400 and "转接原因" in r.json()["reason"][0]
    member_actions.change_status(cast.m2, "suspended", reason="失联超过6个月", on=dt.date(2025, 1, 1))
    r = post("secretary1", "", {"member": cast.m2.pk, "to_org": "CA1B2", "reason": "x"})
    assert r.status_code == 400 and "停止党籍" in r.json()["member"][0]
    assert not Transfer.objects.exists()


def test_starter_cannot_approve(cast, post):
    tid = post("town_admin", "", {"member": cast.m1.pk, "to_org": "CA1B2", "reason": "调动"}).json()["id"]
    r = post("town_admin", f"{tid}/approve/")
    assert r.status_code == 400 and "自己发起" in r.json()["status"][0]
    assert post("county_admin", f"{tid}/approve/").json()["status"] == "approved"


def test_accept_before_approval_refused(cast, post):
    tid = post("secretary1", "", {"member": cast.m1.pk, "to_org": "CA1B2", "reason": "调动"}).json()["id"]
    r = post("secretary2", f"{tid}/accept/")
    assert r.status_code == 400 and "尚未审批" in r.json()["status"][0]


def test_wrong_side_cannot_accept_or_approve(cast, post):
    tid = post("secretary1", "", {"member": cast.m1.pk, "to_org": "CB01", "reason": "调动"}).json()["id"]
    # secretary2 manages neither side; the receiving side cannot approve; the sending branch cannot accept.
    assert post("secretary2", f"{tid}/approve/").status_code == 404
    cb_admin = make_user("cb_admin", "admin", cast.tree.district)
    assert api(cb_admin).post(f"{URL}{tid}/approve/").status_code == 404
    assert post("town_admin", f"{tid}/approve/").status_code == 200
    assert post("secretary1", f"{tid}/accept/").status_code == 404
    assert post("town_admin", f"{tid}/accept/").status_code == 404
    assert post("viewer", f"{tid}/accept/").status_code == 404
    assert api(cb_admin).post(f"{URL}{tid}/accept/").json()["status"] == "completed"


def test_cancel_by_starter_only(cast, post):
    tid = post("secretary1", "", {"member": cast.m1.pk, "to_org": "CA1B2", "reason": "调动"}).json()["id"]
    r = post("town_admin", f"{tid}/cancel/")
    assert r.status_code == 400 and "发起人" in r.json()["status"][0]
    r = post("secretary1", f"{tid}/reject/", {"reason": "不转了"})
    assert r.status_code == 400 and "撤销" in r.json()["status"][0]
    assert post("secretary1", f"{tid}/cancel/").json()["status"] == "cancelled"
    assert post("secretary1", f"{tid}/cancel/").status_code == 400
