"""Recording payments: one month, advance, back payments, refusals, reversal, append-only ledger."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from dangjian.core.models import Event
from dangjian.dues import actions
from dangjian.dues.models import DuesPayment
from dangjian.members.actions import change_status

PAY = {"paid_on": dt.date(2025, 7, 10), "method": "wechat", "receipt": "R001"}


def refused(member, **kw):
    with pytest.raises(ValidationError) as e:
        actions.record_payment(member, **{**PAY, **kw})
    return e.value.message_dict


def test_one_month_takes_the_ledger_due_and_is_audited(based):
    [p] = actions.record_payment(based.m1, months=["2025-07"], by=based.secretary1, **PAY)
    assert (p.month, p.amount, p.due, p.org_id, p.org_path) == (dt.date(2025, 7, 1), Decimal("40.00"),
                                                                 Decimal("40.00"), based.tree.b1.pk, based.tree.b1.path)
    ev = Event.objects.get(verb="dues.payment")
    assert ev.actor == based.secretary1 and ev.detail["amount"] == "40.00" and ev.detail["receipt"] == "R001"


def test_paying_a_month_twice_is_refused(based):
    actions.record_payment(based.m1, months=["2025-07"], **PAY)
    assert refused(based.m1, months=["2025-06", "2025-07"]) == {
        "months": ["2025年7月的党费已于2025-07-10交纳，收据号R001，不能重复交纳"]}
    assert DuesPayment.objects.count() == 1


def test_database_refuses_a_second_live_payment_of_a_month(based):
    p = actions.record_payment(based.m1, months=["2025-07"], **PAY)[0]
    dup = DuesPayment(member=p.member, org=p.org, org_path=p.org_path, month=p.month, amount=p.amount, due=p.due,
                      paid_on=p.paid_on, method=p.method, batch=p.batch)
    with pytest.raises(IntegrityError), transaction.atomic():
        dup.save()


def test_back_payment_of_six_months_is_accepted_seven_refused(based):
    # paid in July 2025: January is 6 months back
    rows = actions.record_payment(based.m1, months=["2025-01", "2025-02"], **PAY)
    assert [r.month.month for r in rows] == [1, 2]
    msg = refused(based.m3, months=[(2024, 12)])
    assert msg == {"months": ["补交党费一般不超过6个月，本次补交最早一个月距今7个月。如确有正当理由，请填写超限说明"]}


def test_advance_of_six_months_is_accepted_seven_refused(based):
    months = [(2025, m) for m in range(8, 13)] + [(2026, 1)]  # Aug 2025 .. Jan 2026: 6 ahead
    rows = actions.record_payment(based.m1, months=months, **PAY)
    assert len(rows) == 6 and sum(r.amount for r in rows) == Decimal("240.00")
    assert refused(based.m3, months=[(2026, 2)]) == {
        "months": ["预交党费一般不超过6个月，本次预交到7个月以后。如确有正当理由，请填写超限说明"]}


def test_limit_can_be_passed_with_a_recorded_reason(based):
    actions.record_payment(based.m3, months=[(2026, 2)], over_limit_reason="出国务工，经支部同意预交", **PAY)
    ev = Event.objects.get(verb="dues.payment")
    assert ev.detail["over_limit_reason"] == "出国务工，经支部同意预交"
    assert ev.detail["findings"] == ["dues.advance_too_far"]


def test_months_before_joining_are_refused(based):
    assert refused(based.m2, months=["2025-05"]) == {"months": ["2025年5月早于该党员入党日期（2025-06-01），无需交纳党费"]}


def test_months_after_leaving_are_refused(based):
    change_status(based.m1, "deceased", reason="病故", on=dt.date(2025, 5, 20))
    assert refused(based.m1, months=["2025-06"]) == {"months": ["2025年6月晚于该党员去世的日期（2025-05-20），不再交纳党费"]}
    assert actions.record_payment(based.m1, months=["2025-05"], **PAY)[0].amount == Decimal("40.00")


def test_months_without_a_confirmed_base_are_refused(cast, today):
    assert refused(cast.m4, months=["2025-07"]) == {"months": ["2025年7月没有已确认的党费基数，请先申报并由党支部确认"]}


def test_amount_that_differs_needs_an_explanation(based):
    assert refused(based.m1, months=["2025-06", "2025-07"], amount="100") == {
        "amount": ["实交金额100.00元与应交金额80.00元不符，请在“说明”中写明原因"]}
    rows = actions.record_payment(based.m1, months=["2025-06", "2025-07"], amount="100", explanation="自愿多交", **PAY)
    assert [r.amount for r in rows] == [Decimal("40.00"), Decimal("60.00")]


def test_amount_that_cannot_cover_the_months_is_refused(based):
    assert refused(based.m1, months=["2025-06", "2025-07"], amount="40", explanation="只带了一个月的钱") == {
        "amount": ["实交金额40.00元不足以覆盖所选的2个月，请减少所交月份"]}


@pytest.mark.parametrize(("kw", "expected"), [
    ({"months": []}, {"months": ["请选择所交月份"]}),
    ({"months": ["2025-07", "2025-07"]}, {"months": ["所交月份有重复"]}),
    ({"months": ["七月"]}, {"months": ["所交月份“七月”不是有效的年月，请写成 2025-07"]}),
    ({"months": ["2025-07"], "amount": "-5", "explanation": "x"}, {"amount": ["实交金额不能为负数"]}),
    ({"months": ["2025-07"], "method": "bitcoin"}, {"method": ["请选择交纳方式（现金、微信、支付宝、银行转账、其他）"]}),
    ({"months": ["2025-07"], "paid_on": dt.date(2025, 7, 16)}, {"paid_on": ["交纳日期2025-07-16晚于今天"]}),
    ({"months": ["2025-07"], "receipt": "R" * 51}, {"receipt": ["收据号最多50个字符"]}),
])
def test_bad_input_is_refused_naming_the_field(based, kw, expected):
    assert refused(based.m1, **kw) == expected
    assert not DuesPayment.objects.exists()


def test_exempt_month_needs_no_payment_and_reduced_month_owes_the_reduced_amount(based):
    ex = actions.request_exemption(based.m1, start_month="2025-06", end_month="2025-06", kind="exempt",
                                   reason="大病住院", by=based.secretary1)
    actions.approve_exemption(ex, by=based.town_admin)
    assert refused(based.m1, months=["2025-06"]) == {"months": ["2025年6月已批准免交党费，无需交纳"]}
    red = actions.request_exemption(based.m1, start_month="2025-07", end_month="2025-07", kind="reduced", amount="5",
                                    reason="家庭困难", by=based.secretary1)
    actions.approve_exemption(red, by=based.town_admin)
    assert actions.record_payment(based.m1, months=["2025-07"], **PAY)[0].amount == Decimal("5.00")


def test_exemption_is_approved_by_the_committee_above_not_the_branch(based):
    ex = actions.request_exemption(based.m1, start_month="2025-06", end_month="2025-08", kind="exempt",
                                   reason="大病住院", by=based.secretary1)
    with pytest.raises(ValidationError) as e:
        actions.approve_exemption(ex, by=based.secretary1)
    assert e.value.message_dict == {"approved_by": ["党费减免须由党支部的上一级党委审批"]}
    actions.approve_exemption(ex, by=based.county_admin)
    assert Event.objects.filter(verb="dues.exemption.approve").count() == 1


def test_reversal_is_a_new_entry_and_reopens_the_month(based):
    [p] = actions.record_payment(based.m1, months=["2025-07"], **PAY)
    with pytest.raises(ValidationError) as e:
        actions.reverse_payment(p, reason="", by=based.secretary1)
    assert e.value.message_dict == {"reason": ["请填写冲正原因"]}
    rev = actions.reverse_payment(p, reason="收据号登记错误", by=based.secretary1)
    assert rev.amount == Decimal("-40.00") and rev.reverses_id == p.pk and rev.month == p.month
    p.refresh_from_db()
    assert p.amount == Decimal("40.00") and p.is_reversed
    with pytest.raises(ValidationError) as e:
        actions.reverse_payment(p, reason="再来一次")
    assert e.value.message_dict == {"payment": ["该交纳记录已冲正，不能重复冲正"]}
    with pytest.raises(ValidationError) as e:
        actions.reverse_payment(rev, reason="反冲")
    assert e.value.message_dict == {"payment": ["冲正记录本身不能再冲正"]}
    again = actions.record_payment(based.m1, months=["2025-07"], **{**PAY, "receipt": "R002"})
    assert again[0].amount == Decimal("40.00")
    assert Event.objects.get(verb="dues.payment.reverse").detail["amount"] == "-40.00"


def test_money_is_never_edited_or_deleted(based):
    [p] = actions.record_payment(based.m1, months=["2025-07"], **PAY)
    p.amount = Decimal("1.00")
    with pytest.raises(ValueError, match="不能修改"):
        p.save()
    with pytest.raises(ValueError, match="不能删除"):
        p.delete()
