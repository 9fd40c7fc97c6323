"""Web pages of 流动党员, 失联党员, 党籍变更 and 不合格党员处置: in-scope users reach them, others get 404."""

import datetime as dt

import pytest
from django.utils import timezone

from dangjian.members import actions
from dangjian.members.models import DisposalCase, MobileMembership, StatusCase
from dangjian.rules.base import add_months

TODAY = timezone.localdate()


def login(client, user):
    client.force_login(user)
    return client


def test_anonymous_is_sent_to_login(client, cast):
    for url in ("/members/mobile/", "/members/lost/", "/members/cases/", f"/members/{cast.m1.pk}/mobile/new/"):
        r = client.get(url)
        assert r.status_code == 302 and "/login/" in r["Location"], url


@pytest.mark.parametrize("url", ["/members/mobile/", "/members/lost/", "/members/cases/"])
def test_lists_for_branch_and_committee_not_for_outsider_or_plain_member(client, cast, url):
    assert login(client, cast.secretary1).get(url).status_code == 200
    assert login(client, cast.town_admin).get(url).status_code == 200
    assert login(client, cast.outsider).get(url).status_code == 404
    assert login(client, cast.member_user).get(url).status_code == 404


def test_lists_with_org_outside_scope_answer_404(client, cast):
    login(client, cast.secretary1)
    assert client.get("/members/mobile/?org=CB01").status_code == 404
    assert client.get("/members/mobile/?org=CA1B1&tab=transfer").status_code == 200


def test_secretary_registers_outflow_through_the_form(client, cast):
    login(client, cast.secretary1)
    page = client.get(f"/members/{cast.m1.pk}/").content.decode()
    assert "登记外出流动" in page and "申请党籍变更" in page and "不合格党员处置" in page
    r = client.post(f"/members/{cast.m1.pk}/mobile/new/", {
        "destination": "浙江省杭州市", "since": str(add_months(TODAY, -1)), "fixed_place": "on",
        "contact": "13900001111", "certificate_no": "", "receiving_org": "CB01", "receiving_name": "", "note": ""})
    assert r.status_code == 302
    rec = MobileMembership.objects.get(member=cast.m1)
    assert rec.receiving_org == cast.tree.b3
    page = client.get(f"/members/{cast.m1.pk}/").content.decode()
    assert "浙江省杭州市" in page and "登记返回" in page


def test_mobile_form_errors_are_shown_next_to_fields(client, cast):
    login(client, cast.secretary1)
    r = client.post(f"/members/{cast.m1.pk}/mobile/new/", {"destination": "", "since": "2099-01-01", "contact": "1",
                                                            "receiving_org": "NOPE"})
    body = r.content.decode()
    assert r.status_code == 200 and "请填写外出地点" in body
    r = client.post(f"/members/{cast.m1.pk}/mobile/new/", {"destination": "杭州", "since": str(TODAY), "contact": "1",
                                                            "receiving_org": "NOPE"})
    assert "没有编码为“NOPE”的党组织" in r.content.decode()
    assert not MobileMembership.objects.exists()


def test_other_branch_cannot_open_member_forms(client, cast):
    login(client, cast.secretary2)
    for url in (f"/members/{cast.m1.pk}/mobile/new/", f"/members/{cast.m1.pk}/follow-up/",
                f"/members/{cast.m1.pk}/status-case/new/", f"/members/{cast.m1.pk}/disposal/new/"):
        assert client.get(url).status_code == 404, url
    login(client, cast.viewer)
    assert client.get(f"/members/{cast.m1.pk}/status-case/new/").status_code == 404


def test_return_from_mobile_page(client, cast):
    rec = actions.register_mobile(cast.m1, destination="杭州", since=add_months(TODAY, -1), contact="1", by=cast.secretary1)
    assert login(client, cast.secretary2).post(f"/members/mobile/{rec.pk}/end/",
                                               {"ended_on": str(TODAY), "end_reason": "返回"}).status_code == 404
    r = login(client, cast.secretary1).post(f"/members/mobile/{rec.pk}/end/", {"ended_on": str(TODAY), "end_reason": "返回"})
    assert r.status_code == 302
    rec.refresh_from_db()
    assert rec.ended_on == TODAY


def test_follow_up_form_flags_member(client, cast):
    login(client, cast.secretary1)
    assert client.get(f"/members/{cast.m1.pk}/follow-up/").status_code == 200
    r = client.post(f"/members/{cast.m1.pk}/follow-up/", {"contacted_on": str(TODAY), "method": "电话",
                                                           "outcome": "unreached", "note": "空号"})
    assert r.status_code == 302
    cast.m1.refresh_from_db()
    assert cast.m1.lost_contact
    assert "张伟" in client.get("/members/lost/?tab=flagged").content.decode()


def test_status_case_request_and_approval_pages(client, cast):
    login(client, cast.secretary1)
    assert client.get(f"/members/{cast.m1.pk}/status-case/new/?kind=suspend").status_code == 200
    r = client.post(f"/members/{cast.m1.pk}/status-case/new/", {
        "kind": "suspend", "leave_type": "", "effective_on": str(TODAY), "reason": "失联6个月以上"})
    case = StatusCase.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/members/cases/{case.pk}/"
    assert "等待上级党组织审批" in client.get(f"/members/cases/{case.pk}/").content.decode()
    # The branch's own secretary cannot approve: the approve step is not found on its side.
    assert client.post(f"/members/cases/{case.pk}/approve/").status_code == 404
    assert login(client, cast.secretary2).get(f"/members/cases/{case.pk}/").status_code == 404
    login(client, cast.town_admin)
    assert "张伟" in client.get("/members/cases/?tab=approve").content.decode()
    assert "批准" in client.get(f"/members/cases/{case.pk}/").content.decode()
    assert client.post(f"/members/cases/{case.pk}/approve/", {"note": "同意"}).status_code == 302
    cast.m1.refresh_from_db()
    assert cast.m1.status == "suspended"


def test_reject_and_cancel_pages(client, cast):
    case = actions.request_status_change(cast.m1, kind="deceased", effective_on=TODAY, reason="病故", by=cast.secretary1)
    assert login(client, cast.secretary2).post(f"/members/cases/{case.pk}/reject/", {"note": "x"}).status_code == 404
    assert login(client, cast.secretary2).post(f"/members/cases/{case.pk}/cancel/").status_code == 404
    r = login(client, cast.town_admin).post(f"/members/cases/{case.pk}/reject/", {"note": "材料不全"})
    assert r.status_code == 302 and StatusCase.objects.get(pk=case.pk).status == "rejected"
    case2 = actions.request_status_change(cast.m1, kind="deceased", effective_on=TODAY, reason="病故", by=cast.secretary1)
    assert login(client, cast.secretary1).post(f"/members/cases/{case2.pk}/cancel/").status_code == 302
    assert StatusCase.objects.get(pk=case2.pk).status == "cancelled"


def test_disposal_pages(client, cast):
    login(client, cast.secretary1)
    assert client.get(f"/members/{cast.m1.pk}/disposal/new/").status_code == 200
    r = client.post(f"/members/{cast.m1.pk}/disposal/new/", {"decided_on": str(add_months(TODAY, -8)),
                                                              "deadline": "", "reason": "民主评议不合格"})
    d = DisposalCase.objects.get()
    assert r.status_code == 302 and d.deadline == add_months(add_months(TODAY, -8), 6)
    assert login(client, cast.secretary2).get(f"/members/disposals/{d.pk}/").status_code == 404
    login(client, cast.viewer)
    assert client.get(f"/members/disposals/{d.pk}/").status_code == 200
    assert client.post(f"/members/disposals/{d.pk}/", {"outcome": "corrected", "outcome_on": str(TODAY)}).status_code == 404
    login(client, cast.secretary1)
    r = client.post(f"/members/disposals/{d.pk}/", {"outcome": "removed", "outcome_on": str(TODAY), "outcome_note": "支部大会表决"})
    assert r.status_code == 302 and StatusCase.objects.get(disposal=d).leave_type == "removed"
    assert "处置案件" in client.get("/members/cases/?tab=disposal").content.decode()


def test_disposal_deadline_beyond_a_year_shows_rule(client, cast):
    login(client, cast.secretary1)
    d = TODAY - dt.timedelta(days=1)
    r = client.post(f"/members/{cast.m1.pk}/disposal/new/", {"decided_on": str(d), "deadline": str(add_months(d, 13)),
                                                              "reason": "x"})
    assert r.status_code == 200 and "最长不超过12个月" in r.content.decode()


def test_receiving_branch_secretary_sees_inflow_member_without_member_link(client, cast):
    from tests.factories import make_user

    actions.register_mobile(cast.m1, destination="西区", since=add_months(TODAY, -1), contact="139",
                            receiving_org=cast.tree.b3, by=cast.secretary1)
    cb = make_user("cb_sec", "secretary", cast.tree.b3)
    page = login(client, cb).get("/members/mobile/").content.decode()
    assert "张伟" in page and "流入本组织" in page and f"/members/{cast.m1.pk}/" not in page
    assert client.get(f"/members/{cast.m1.pk}/").status_code == 404  # the registry record stays the home side's


@pytest.mark.parametrize("who, shown", [("secretary1", "13912345678"), ("town_admin", "13912345678"),
                                        ("viewer", "139****5678")])
def test_the_contact_number_is_masked_for_who_may_not_see_it_in_full(client, cast, who, shown):
    """外出期间联系方式 as the list's export gives it: in full with view_sensitive over the member's branch."""
    actions.register_mobile(cast.m1, destination="西区", since=add_months(TODAY, -1), contact="13912345678",
                            by=cast.secretary1)
    page = login(client, getattr(cast, who)).get("/members/mobile/").content.decode()
    assert f"联系：{shown}" in page
    if "*" in shown:
        assert "13912345678" not in page
