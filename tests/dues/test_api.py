"""/api/v1/dues/…: bases, payments (create, subtree list, reverse), report; the permission matrix."""

import datetime as dt
from decimal import Decimal

import pytest

from dangjian.dues import actions
from dangjian.dues.models import DuesBase, DuesPayment
from tests.factories import api_client as api

ROLES = ["city_admin", "county_admin", "town_admin", "secretary1", "secretary2", "viewer", "member_user", "outsider"]
WRITE_B1 = {"city_admin", "county_admin", "town_admin", "secretary1"}
READ_B1 = WRITE_B1 | {"viewer"}
READ_CA = {"city_admin", "county_admin", "viewer"}


def pay_body(member, months=("2025-07",), **kw):
    return {"member": member.pk, "months": list(months), "paid_on": "2025-07-10", "method": "alipay", **kw}


@pytest.mark.parametrize("role", ROLES)
def test_create_payment_matrix(based, role):
    r = api(getattr(based, role)).post("/api/v1/dues/payments/", pay_body(based.m1), format="json")
    if role in WRITE_B1:
        assert r.status_code == 201, r.content
        [row] = r.json()
        assert (row["month"], row["amount"], row["org"]) == ("2025-07-01", "40.00", "CA1B1")
    else:
        assert r.status_code in (401, 403, 404) if role == "outsider" else r.status_code == 404
        assert not DuesPayment.objects.exists()


@pytest.mark.parametrize("role", ROLES)
def test_list_payments_matrix(based, role):
    actions.record_payment(based.m1, months=["2025-07"], paid_on=dt.date(2025, 7, 1), method="cash")
    actions.record_payment(based.m3, months=["2025-07"], paid_on=dt.date(2025, 7, 1), method="cash")
    r = api(getattr(based, role)).get("/api/v1/dues/payments/?org=CA1")
    assert r.status_code == 200
    names = {p["member_name"] for p in r.json()["results"]}
    expected = {
        "city_admin": {"张伟", "王强"}, "county_admin": {"张伟", "王强"}, "town_admin": {"张伟", "王强"},
        "viewer": {"张伟", "王强"}, "secretary1": {"张伟"}, "secretary2": {"王强"}, "member_user": {"张伟"},
        "outsider": set(),
    }[role]
    assert names == expected


def test_payment_refusal_is_400_with_the_chinese_message(based):
    c = api(based.secretary1)
    assert c.post("/api/v1/dues/payments/", pay_body(based.m1), format="json").status_code == 201
    r = c.post("/api/v1/dues/payments/", pay_body(based.m1), format="json")
    assert r.status_code == 400
    assert r.json() == {"months": ["2025年7月的党费已于2025-07-10交纳，不能重复交纳"]}
    r = c.post("/api/v1/dues/payments/", pay_body(based.m1, ["2026-02"]), format="json")
    assert r.status_code == 400 and "预交党费一般不超过6个月" in r.json()["months"][0]


@pytest.mark.parametrize("role", ROLES)
def test_reverse_matrix(based, role):
    [p] = actions.record_payment(based.m1, months=["2025-07"], paid_on=dt.date(2025, 7, 1), method="cash")
    r = api(getattr(based, role)).post(f"/api/v1/dues/payments/{p.pk}/reverse/", {"reason": "错记"}, format="json")
    if role in WRITE_B1:
        assert r.status_code == 201 and r.json()["amount"] == "-40.00" and r.json()["reverses"] == p.pk
    else:
        assert r.status_code in (403, 404) if role == "outsider" else r.status_code == 404
        assert not DuesPayment.objects.filter(reverses=p).exists()


def test_member_declares_own_base_and_branch_confirms(based):
    r = api(based.member_user).post("/api/v1/dues/bases/", {"member": based.m1.pk, "from_month": "2025-07",
                                                            "category": "in_service", "base": "8000"}, format="json")
    assert r.status_code == 201 and r.json()["confirmed"] is False and r.json()["monthly_amount"] == "120.00"
    r = api(based.member_user).post("/api/v1/dues/bases/", {"member": based.m2.pk, "from_month": "2025-07",
                                                            "category": "student"}, format="json")
    assert r.status_code == 404
    pk = DuesBase.objects.filter(member=based.m1).latest("id").pk
    assert api(based.member_user).post(f"/api/v1/dues/bases/{pk}/confirm/").status_code == 404
    assert api(based.secretary2).post(f"/api/v1/dues/bases/{pk}/confirm/").status_code == 404
    r = api(based.secretary1).post(f"/api/v1/dues/bases/{pk}/confirm/")
    assert r.status_code == 200 and r.json()["confirmed"] is True
    r = api(based.secretary1).post("/api/v1/dues/bases/", {"member": based.m1.pk, "from_month": "2025-07",
                                                           "category": "retired", "base": "-1"}, format="json")
    assert r.status_code == 400 and r.json() == {"base": ["党费计算基数不能为负数（-1元）"]}


@pytest.mark.parametrize("role", ROLES)
def test_report_matrix(based, role):
    r = api(getattr(based, role)).get("/api/v1/dues/report/?org=CA&year=2025&start=1&end=7")
    if role in READ_CA:
        body = r.json()
        assert r.status_code == 200
        # m1 7×40, m2 2×0.20, m3 7×60; nothing paid
        assert body["total"]["due"] == "700.40" and body["total"]["owed"] == "700.40"
        assert {a["name"] for a in body["arrears"]} == {"张伟", "王强"}
        assert [x["org"] for x in body["by_org"]] == ["CA1"]
    else:
        assert r.status_code in (403, 404) if role == "outsider" else r.status_code == 404


def test_report_reconciles_with_payments_through_the_api(based):
    c = api(based.town_admin)
    c.post("/api/v1/dues/payments/", pay_body(based.m1, ["2025-06", "2025-07"], amount="100", explanation="多交"),
           format="json")
    body = c.get("/api/v1/dues/report/?org=CA1B1&year=2025&start=6&end=7").json()
    assert body["total"]["paid"] == "100.00"
    assert Decimal(body["total"]["due"]) == Decimal("80.40")
    assert body["total"]["owed"] == "0.40"


@pytest.mark.parametrize("role", ROLES)
def test_detail_and_base_list_matrix(based, role):
    [p] = actions.record_payment(based.m1, months=["2025-07"], paid_on=dt.date(2025, 7, 1), method="cash")
    b = DuesBase.objects.get(member=based.m1)
    c = api(getattr(based, role))
    readers = READ_B1 | {"member_user"}
    expected = 200 if role in readers else (403 if role == "outsider" else 404)
    assert c.get(f"/api/v1/dues/payments/{p.pk}/").status_code in ({expected, 404} if role == "outsider" else {expected})
    assert c.get(f"/api/v1/dues/bases/{b.pk}/").status_code in ({expected, 404} if role == "outsider" else {expected})
    names = {x["member_name"] for x in c.get("/api/v1/dues/bases/?org=CA1B1").json()["results"]}
    assert ("张伟" in names) == (role in readers)


@pytest.mark.parametrize("role", ROLES)
def test_month_payments_of_several_members_matrix(based, role):
    body = {"members": [based.m1.pk, based.m2.pk], "month": "2025-07", "paid_on": "2025-07-15", "method": "cash"}
    r = api(getattr(based, role)).post("/api/v1/dues/payments/month/", body, format="json")
    if role in WRITE_B1:
        assert r.status_code == 201, r.content
        assert [(p["member"], p["amount"]) for p in r.json()] == [(based.m1.pk, "40.00"), (based.m2.pk, "0.20")]
    else:
        assert r.status_code in (401, 403, 404) if role == "outsider" else r.status_code == 404
        assert not DuesPayment.objects.exists()


def test_month_payments_all_or_none_with_each_refusal_named(based):
    actions.record_payment(based.m2, months=["2025-07"], paid_on=dt.date(2025, 7, 1), method="cash")
    c = api(based.secretary1)
    r = c.post("/api/v1/dues/payments/month/", {"members": [based.m1.pk, based.m2.pk], "month": "2025-07",
                                                 "paid_on": "2025-07-15", "method": "cash"}, format="json")
    assert r.status_code == 400 and r.json()["members"] == [
        f"{based.m2.name}：2025年7月的党费已于2025-07-01交纳，不能重复交纳"]
    assert not DuesPayment.objects.filter(member=based.m1).exists()
    r = c.post("/api/v1/dues/payments/month/", {"members": [based.m1.pk, based.m3.pk], "month": "2025-07",
                                                 "paid_on": "2025-07-15", "method": "cash"}, format="json")
    assert r.status_code == 404  # 王强 is another branch's
    r = c.post("/api/v1/dues/payments/month/", {"members": [], "month": "2025-13", "paid_on": "2025-07-15",
                                                 "method": "cash"}, format="json")
    assert r.status_code == 400 and set(r.json()) == {"members"}
    r = c.post("/api/v1/dues/payments/month/", {"members": [based.m1.pk], "month": "2025-13", "paid_on": "2025-07-15",
                                                 "method": "cash"}, format="json")
    assert r.status_code == 400 and set(r.json()) == {"month"}
    assert not DuesPayment.objects.filter(member=based.m1).exists()
