"""Pages: the member's phone page, the branch page (grid, forms, bounded queries), the report and its
export; who may see and write what (out of scope → 404)."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from python_calamine import CalamineWorkbook

from dangjian.core.models import Event
from dangjian.dues import actions
from dangjian.dues.models import DuesBase, DuesPayment, DuesReminder

ROLES = ["city_admin", "county_admin", "town_admin", "secretary1", "secretary2", "viewer", "member_user", "outsider"]
READ_B1 = {"city_admin", "county_admin", "town_admin", "secretary1", "viewer"}
WRITE_B1 = {"city_admin", "county_admin", "town_admin", "secretary1"}
READ_CA = {"city_admin", "county_admin", "viewer"}


def login(client, user):
    client.force_login(user)
    return client


@pytest.mark.parametrize("role", ROLES)
def test_branch_page_scope(client, based, role):
    r = login(client, getattr(based, role)).get("/dues/org/CA1B1/")
    assert r.status_code == (200 if role in READ_B1 else 404)
    if r.status_code == 200:
        assert ("登记交纳" in r.content.decode()) == (role in WRITE_B1)


@pytest.mark.parametrize("role", ROLES)
def test_report_scope(client, based, role):
    r = login(client, getattr(based, role)).get("/dues/report/CA/?year=2025")
    assert r.status_code == (200 if role in READ_CA else 404)
    r = client.get("/dues/report/CA/export/?year=2025")
    assert r.status_code == (200 if role in READ_CA else 404)


@pytest.mark.parametrize("role", ROLES)
def test_recording_a_payment_needs_write_scope(client, based, role):
    r = login(client, getattr(based, role)).post("/dues/org/CA1B1/pay/", {
        "member": based.m1.pk, "first_month": "2025-07", "count": 1, "paid_on": "2025-07-10", "method": "cash"})
    if role in WRITE_B1:
        assert r.status_code == 302
        assert DuesPayment.objects.get().recorded_by == getattr(based, role)
    else:
        assert r.status_code == 404 and not DuesPayment.objects.exists()


def test_secretary_cannot_record_for_another_branch_member(client, based):
    r = login(client, based.secretary1).post("/dues/org/CA1B1/pay/", {
        "member": based.m3.pk, "first_month": "2025-07", "count": 1, "paid_on": "2025-07-10", "method": "cash"})
    assert r.status_code == 400 and "请选择本支部的党员" in r.content.decode()
    assert login(client, based.secretary1).post("/dues/org/CA1B2/pay/", {}).status_code == 404


def test_payment_refusal_is_shown_on_the_form(client, based):
    login(client, based.secretary1)
    data = {"member": based.m1.pk, "first_month": "2025-07", "count": 1, "paid_on": "2025-07-10", "method": "cash"}
    assert client.post("/dues/org/CA1B1/pay/", data).status_code == 302
    r = client.post("/dues/org/CA1B1/pay/", data)
    assert r.status_code == 400
    assert "2025年7月的党费已于2025-07-10交纳，不能重复交纳" in r.content.decode()


def test_declare_confirm_remind_and_reverse_from_the_branch_page(client, based):
    login(client, based.secretary1)
    r = client.post("/dues/org/CA1B1/base/", {"member": based.m1.pk, "from_month": "2025-07",
                                              "category": "in_service", "base": "-3"})
    assert r.status_code == 400 and "党费计算基数不能为负数" in r.content.decode()
    r = client.post("/dues/org/CA1B1/base/", {"member": based.m1.pk, "from_month": "2025-07",
                                              "category": "in_service", "base": "5000.01"})
    assert r.status_code == 302
    assert DuesBase.objects.filter(member=based.m1).latest("id").monthly_amount == Decimal("75.00")
    pending = actions.declare_base(based.m2, from_month="2025-07", category="unemployed", by=based.member_user)
    assert client.post(f"/dues/org/CA1B1/base/{pending.pk}/confirm/").status_code == 302
    pending.refresh_from_db()
    assert pending.confirmed_by == based.secretary1
    r = client.post("/dues/org/CA1B1/reminder/", {"member": based.m1.pk, "reminded_on": "2025-07-14",
                                                  "method": "talk", "note": "当面提醒"})
    assert r.status_code == 302
    assert DuesReminder.objects.get().unpaid_months == 7
    [p] = actions.record_payment(based.m1, months=["2025-07"], paid_on=dt.date(2025, 7, 10), method="cash")
    assert client.post(f"/dues/org/CA1B1/payment/{p.pk}/reverse/", {"reason": ""}).status_code == 400
    assert client.post(f"/dues/org/CA1B1/payment/{p.pk}/reverse/", {"reason": "金额错"}).status_code == 302
    assert DuesPayment.objects.filter(reverses=p).exists()
    page = client.get("/dues/org/CA1B1/").content.decode()
    assert "当面提醒" in page and "已冲正" in page


def test_other_secretary_cannot_reverse_or_confirm(client, based):
    [p] = actions.record_payment(based.m1, months=["2025-07"], paid_on=dt.date(2025, 7, 10), method="cash")
    login(client, based.secretary2)
    assert client.post(f"/dues/org/CA1B1/payment/{p.pk}/reverse/", {"reason": "x"}).status_code == 404
    assert client.post(f"/dues/org/CA1B2/payment/{p.pk}/reverse/", {"reason": "x"}).status_code == 404
    assert not DuesPayment.objects.filter(reverses=p).exists()


def test_branch_page_query_count_does_not_grow_with_members(client, based, django_assert_max_num_queries):
    from tests.factories import make_member

    for i in range(15):
        m = make_member(based.tree.b1, f"党员{i}")
        actions.declare_base(m, from_month="2025-01", category="in_service", base=3000 + i, confirm=True)
        actions.record_payment(m, months=["2025-06"], paid_on=dt.date(2025, 7, 1), method="cash")
    login(client, based.secretary1)
    with django_assert_max_num_queries(20):
        r = client.get("/dues/org/CA1B1/")
    assert r.status_code == 200 and "党员14" in r.content.decode()


def test_this_months_dues_are_due_not_owed(client, based):
    """July (today's month) may still be paid in July: 本月待交, not 欠交; with earlier months unpaid it is said too."""
    login(client, based.member_user)
    body = client.get("/dues/me/").content.decode()
    assert "2025年欠交" in body and "280.00 元" in body and "含本月待交" in body
    actions.record_payment(based.m1, months=[f"2025-{m:02d}" for m in range(1, 7)], paid_on=dt.date(2025, 7, 10),
                           method="cash")
    body = client.get("/dues/me/").content.decode()
    assert "本月待交" in body and "40.00 元" in body and "欠交" not in body


def test_member_sees_own_dues_only(client, based):
    actions.record_payment(based.m1, months=["2025-07"], paid_on=dt.date(2025, 7, 10), method="wechat")
    login(client, based.member_user)
    r = client.get("/dues/me/")
    body = r.content.decode()
    assert r.status_code == 200 and "40.00 元" in body and "张伟" in body and "王强" not in body
    assert "240.00 元" in body and "2025年欠交" in body and "含本月待交" not in body  # Jan–Jun unpaid, July paid
    assert client.get("/dues/org/CA1B1/").status_code == 404
    assert login(client, based.secretary1).get("/dues/me/").status_code == 404


def test_report_page_and_xlsx_reconcile(client, based):
    actions.record_payment(based.m1, months=["2025-06", "2025-07"], paid_on=dt.date(2025, 7, 10), method="cash")
    login(client, based.county_admin)
    r = client.get("/dues/report/CA/?year=2025&start=6&end=7")
    body = r.content.decode()
    assert "东县城关镇党委" in body and "西区" not in body
    r = client.get("/dues/report/CA/export/?year=2025&start=6&end=7")
    assert r["Content-Type"].startswith("application/vnd.openxmlformats")
    wb = CalamineWorkbook.from_filelike(io.BytesIO(r.content))
    rows = wb.get_sheet_by_name("收缴情况").to_python()
    total = next(row for row in rows if row[0] == "合计")
    # due: m1 2×40, m2 2×0.20, m3 2×60 = 200.40; paid 80
    assert (Decimal(str(total[3])), Decimal(str(total[4]))) == (Decimal("200.40"), Decimal(80))
    names = [row[1] for row in wb.get_sheet_by_name("欠交党员").to_python()]
    assert "王强" in names
    assert Event.objects.filter(verb="dues.report.export", actor=based.county_admin).exists()


def test_index_sends_each_role_to_its_page(client, based):
    assert login(client, based.secretary1).get("/dues/").url == "/dues/org/CA1B1/"
    assert login(client, based.county_admin).get("/dues/").url == "/dues/report/CA/"
    assert login(client, based.member_user).get("/dues/").url == "/dues/me/"
    assert login(client, based.outsider).get("/dues/").status_code == 404


def test_every_branch_write_is_404_out_of_scope(client, based):
    pending = actions.declare_base(based.m1, from_month="2025-07", category="in_service", base="100")
    login(client, based.secretary2)
    for url in ("/dues/org/CA1B1/base/", f"/dues/org/CA1B1/base/{pending.pk}/confirm/", "/dues/org/CA1B1/reminder/",
                "/dues/org/CA1B1/ledger/"):
        assert client.post(url, {"member": based.m1.pk}).status_code == 404, url
    pending.refresh_from_db()
    assert pending.confirmed_at is None


def test_secretary_generates_this_months_ledger_from_the_page(client, based):
    from dangjian.dues.models import DuesLedger

    DuesLedger.objects.filter(month=dt.date(2025, 7, 1)).delete()
    login(client, based.secretary1)
    assert "应交台账尚未生成完整" in client.get("/dues/org/CA1B1/").content.decode()
    assert client.post("/dues/org/CA1B1/ledger/").status_code == 302
    assert DuesLedger.objects.filter(month=dt.date(2025, 7, 1), org=based.tree.b1).count() == 2
    assert Event.objects.filter(verb="dues.ledger.generate", actor=based.secretary1).exists()


def test_secretary_registers_this_months_dues_of_several_members(client, based):
    login(client, based.secretary1)
    page = client.get("/dues/org/CA1B1/").content.decode()
    assert "登记2025年7月交纳" in page and f'name="members" value="{based.m1.pk}"' in page
    r = client.post("/dues/org/CA1B1/pay-month/", {"members": [based.m1.pk, based.m2.pk], "paid_on": "2025-07-15",
                                                    "method": "wechat"})
    assert r.status_code == 302
    july = DuesPayment.objects.filter(month=dt.date(2025, 7, 1)).order_by("member_id")
    assert [(p.member_id, p.amount, p.method) for p in july] == [(based.m1.pk, Decimal("40.00"), "wechat"),
                                                                  (based.m2.pk, Decimal("0.20"), "wechat")]
    page = client.get("/dues/org/CA1B1/").content.decode()
    assert "已登记2名党员2025年7月党费，共40.20元" in page
    assert "登记2025年7月交纳" not in page  # nobody left unpaid this month


def test_this_months_registration_refuses_with_reasons_and_writes_nothing(client, based):
    login(client, based.secretary1)
    r = client.post("/dues/org/CA1B1/pay-month/", {"paid_on": "2025-07-15", "method": "cash"})
    assert r.status_code == 400 and "请勾选已交纳的党员" in r.content.decode()
    actions.record_payment(based.m2, months=["2025-07"], paid_on=dt.date(2025, 7, 1), method="cash")
    r = client.post("/dues/org/CA1B1/pay-month/", {"members": [based.m1.pk, based.m2.pk], "paid_on": "2025-07-15",
                                                    "method": "cash"})
    assert r.status_code == 400 and "只能勾选本月尚未交纳的本支部党员" in r.content.decode()
    r = client.post("/dues/org/CA1B1/pay-month/", {"members": [based.m1.pk], "paid_on": "2099-07-15",
                                                    "method": "cash"})
    assert r.status_code == 400 and "晚于今天" in r.content.decode()
    assert not DuesPayment.objects.filter(member=based.m1).exists()
    assert login(client, based.secretary2).post("/dues/org/CA1B1/pay-month/", {}).status_code == 404
    assert login(client, based.viewer).post("/dues/org/CA1B1/pay-month/", {}).status_code == 404


def test_one_refused_member_and_nobody_is_written(based):
    actions.record_payment(based.m2, months=["2025-07"], paid_on=dt.date(2025, 7, 1), method="cash")
    with pytest.raises(ValidationError) as e:
        actions.record_month_payments([based.m1, based.m2], month=dt.date(2025, 7, 1), paid_on=dt.date(2025, 7, 15),
                                      method="cash", by=based.secretary1)
    assert e.value.message_dict["members"] == [f"{based.m2.name}：2025年7月的党费已于2025-07-01交纳，不能重复交纳"]
    assert not DuesPayment.objects.filter(member=based.m1).exists()
