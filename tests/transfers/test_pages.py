"""Web pages of transfers: to-do list, start form, detail with timeline, the step buttons, incoming."""

import datetime as dt

import pytest
from django.utils import timezone

from dangjian.core import idcard
from dangjian.members.models import Member
from dangjian.transfers import actions
from dangjian.transfers.models import Transfer
from tests.factories import make_member


def login(client, user):
    client.force_login(user)
    return client


def test_anonymous_is_sent_to_login(client, cast):
    t = actions.start(cast.m1, to_org=cast.tree.b2, reason="调动", by=cast.secretary1)
    for url in ("/transfers/", "/transfers/new/?member=1", f"/transfers/{t.pk}/", "/transfers/incoming/",
                "/transfers/targets/?q=CB"):
        r = client.get(url)
        assert r.status_code == 302 and "/login/" in r["Location"], url


def test_start_form_flow_and_detail_timeline(client, cast):
    login(client, cast.secretary1)
    r = client.get(f"/transfers/new/?member={cast.m1.pk}")
    assert r.status_code == 200 and "张伟" in r.content.decode() and "城关镇东村党支部" in r.content.decode()
    r = client.post("/transfers/new/", {"member": cast.m1.pk, "kind": "internal", "to_org": "CA1", "reason": "调动"})
    assert r.status_code == 200 and "党员只能转入党支部" in r.content.decode()
    r = client.post("/transfers/new/", {"member": cast.m1.pk, "kind": "internal", "to_org": "CB01", "reason": "调动"})
    t = Transfer.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/transfers/{t.pk}/"
    page = client.get(r["Location"]).content.decode()
    assert "发起转接" in page and "待审批" in page
    assert "撤销（发起人）" in page and "同意并开具介绍信" not in page  # the starter cannot approve
    # A second start shows the open one and is refused.
    r = client.get(f"/transfers/new/?member={cast.m1.pk}")
    assert f"#{t.pk}" in r.content.decode()
    r = client.post("/transfers/new/", {"member": cast.m1.pk, "kind": "internal", "to_org": "CA1B2", "reason": "x"})
    assert "未办结" in r.content.decode() and Transfer.objects.count() == 1


@pytest.mark.parametrize("who", ["secretary2", "viewer", "member_user", "outsider"])
def test_start_form_refused_out_of_scope(client, cast, who):
    login(client, getattr(cast, who))
    assert client.get(f"/transfers/new/?member={cast.m1.pk}").status_code == 404
    assert client.post("/transfers/new/", {"member": cast.m1.pk, "kind": "internal", "to_org": "CB01",
                                           "reason": "x"}).status_code == 404
    assert not Transfer.objects.exists()


def test_targets_search_whole_platform_for_managers_only(client, cast):
    login(client, cast.secretary1)
    r = client.get("/transfers/targets/", {"q": "花园"})
    assert r.status_code == 200 and "CB01" in r.content.decode()  # outside the secretary's own scope
    assert "CB<" not in r.content.decode()  # committees are not targets
    login(client, cast.viewer)
    assert client.get("/transfers/targets/", {"q": "花园"}).status_code == 404


def test_todo_tabs_and_buttons(client, cast):
    t = actions.start(cast.m1, to_org=cast.tree.b2, reason="搬到西村", by=cast.secretary1)
    login(client, cast.town_admin)
    r = client.get("/transfers/")
    page = r.content.decode()
    assert r.status_code == 200 and "待审批" in page and "张伟" in page and "同意" in page
    r = client.post(f"/transfers/{t.pk}/approve/", {"next": "todo", "validity_days": ""})
    assert r.status_code == 302 and r["Location"] == "/transfers/"
    t.refresh_from_db()
    assert t.status == "approved" and t.validity_days == 30
    login(client, cast.secretary2)
    page = client.get("/transfers/?tab=accept").content.decode()
    assert "张伟" in page and "接收" in page
    r = client.post(f"/transfers/{t.pk}/accept/")
    assert r.status_code == 302
    assert Member.objects.get(pk=cast.m1.pk).org == cast.tree.b2
    page = client.get(f"/transfers/{t.pk}/").content.decode()
    assert "接收，转接完成" in page and "已完成" in page
    page = client.get("/transfers/?tab=history").content.decode()
    assert "张伟" in page


def test_step_errors_show_as_messages(client, cast):
    t = actions.start(cast.m1, to_org=cast.tree.b2, reason="调动", by=cast.town_admin)
    login(client, cast.town_admin)
    r = client.post(f"/transfers/{t.pk}/approve/", follow=True)
    assert "不能审批自己发起的转接" in r.content.decode()
    r = client.post(f"/transfers/{t.pk}/approve/", {"validity_days": "0"}, follow=True)
    assert "至少1天" in r.content.decode()
    login(client, cast.county_admin)
    r = client.post(f"/transfers/{t.pk}/reject/", {"reason": ""}, follow=True)
    assert "请填写退回原因" in r.content.decode()
    r = client.post(f"/transfers/{t.pk}/reject/", {"reason": "材料不全"}, follow=True)
    assert "已退回" in r.content.decode()
    t.refresh_from_db()
    assert t.status == "rejected" and t.reject_reason == "材料不全"


@pytest.mark.parametrize("who", ["secretary2", "viewer", "member_user", "outsider"])
def test_steps_out_of_scope_answer_404(client, cast, who):
    t = actions.start(cast.m1, to_org=cast.tree.b3, reason="调动", by=cast.secretary1)
    login(client, getattr(cast, who))
    for step, data in (("approve", {}), ("reject", {"reason": "x"}), ("cancel", {}), ("receipt", {"receipt_on": "2025-01-01"})):
        assert client.post(f"/transfers/{t.pk}/{step}/", data).status_code == 404, step
    actions.approve(t, by=cast.town_admin)
    assert client.post(f"/transfers/{t.pk}/accept/").status_code == 404
    expected = 200 if who in ("viewer", "member_user") else 404
    assert client.get(f"/transfers/{t.pk}/").status_code == expected
    t.refresh_from_db()
    assert t.status == "approved"


def test_cancel_and_receipt_buttons(client, cast):
    t = actions.start(cast.m3, to_org=cast.tree.b1, reason="调动", by=cast.secretary2)
    login(client, cast.secretary2)
    assert client.post(f"/transfers/{t.pk}/cancel/").status_code == 302
    t.refresh_from_db()
    assert t.status == "cancelled"
    out = actions.start(cast.m3, kind="out", to_name="外省某党委", reason="外出工作", by=cast.secretary2)
    actions.approve(out, by=cast.town_admin)
    page = client.get(f"/transfers/{out.pk}/").content.decode()
    assert "登记回执" in page and "下载介绍信" in page
    r = client.post(f"/transfers/{out.pk}/receipt/", {"receipt_on": "bad"}, follow=True)
    assert "格式不正确" in r.content.decode()
    today = timezone.localdate().isoformat()
    assert client.post(f"/transfers/{out.pk}/receipt/", {"receipt_on": today}).status_code == 302
    assert Member.objects.get(pk=cast.m3.pk).status == "transferred_out"


def test_incoming_registration_page(client, cast):
    login(client, cast.secretary2)
    r = client.get("/transfers/incoming/")
    assert r.status_code == 200 and "CA1B2" in r.content.decode() and "CA1B1" not in r.content.decode()
    data = {"to_org": "CA1B2", "from_name": "外省某镇党委", "letter_no": "外字第9号", "name": "孙丽",
            "id_number": idcard.make("110105", dt.date(1995, 2, 3), 42), "ethnicity": "汉族",
            "education": "college", "category": "probationary", "joined_on": "2025-01-10"}
    r = client.post("/transfers/incoming/", {**data, "to_org": "CA1B1"})
    assert r.status_code == 200 and not Transfer.objects.exists()  # not a branch this secretary manages
    r = client.post("/transfers/incoming/", data)
    t = Transfer.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/transfers/{t.pk}/"
    assert t.member.org == cast.tree.b2 and t.member.gender == "F" and t.letter_no == "外字第9号"
    login(client, cast.viewer)
    assert client.get("/transfers/incoming/").status_code == 404


def test_todo_query_count_is_bounded(client, cast, django_assert_max_num_queries):
    for i in range(12):
        m = make_member(cast.tree.b1, f"党员{i}")
        actions.start(m, to_org=cast.tree.b2, reason="调动", by=cast.secretary1)
    login(client, cast.town_admin)
    with django_assert_max_num_queries(14):
        r = client.get("/transfers/?tab=approve")
    assert r.status_code == 200 and r.content.decode().count("同意</button>") == 12
