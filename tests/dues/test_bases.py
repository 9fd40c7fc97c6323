"""Declaring and confirming bases: the amount follows the rule and is fixed until re-declared."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from dangjian.core.models import Event
from dangjian.dues import actions
from dangjian.dues.models import DuesLedger


def due(member, y, m):
    return DuesLedger.objects.get(member=member, month=dt.date(y, m, 1)).due


def test_confirmed_base_writes_ledger_from_its_month_through_this_month(based):
    rows = DuesLedger.objects.filter(member=based.m1).order_by("month")
    assert [r.month.month for r in rows] == [1, 2, 3, 4, 5, 6, 7]
    assert {r.due for r in rows} == {Decimal("40.00")}
    assert due(based.m3, 2025, 3) == Decimal("60.00")
    assert due(based.m2, 2025, 6) == Decimal("0.20")
    assert not DuesLedger.objects.filter(member=based.m2, month__lt=dt.date(2025, 6, 1)).exists()


def test_unconfirmed_declaration_does_not_change_what_is_owed(based):
    row = actions.declare_base(based.m1, from_month="2025-05", category="in_service", base="12000",
                               by=based.member_user)
    assert row.monthly_amount == Decimal("240.00") and row.confirmed_at is None
    assert due(based.m1, 2025, 5) == Decimal("40.00")
    actions.confirm_base(row, by=based.secretary1)
    assert due(based.m1, 2025, 4) == Decimal("40.00")
    assert due(based.m1, 2025, 5) == Decimal("240.00")
    assert due(based.m1, 2025, 7) == Decimal("240.00")
    assert Event.objects.filter(verb="dues.base.confirm", object_id=str(row.pk)).exists()


def test_confirming_twice_is_refused(based):
    row = based.m1.dues_bases.get()
    with pytest.raises(ValidationError) as e:
        actions.confirm_base(row, by=based.secretary1)
    assert e.value.message_dict == {"base": ["该基数申报已确认，不能重复确认"]}


@pytest.mark.parametrize(("base", "message"), [
    ("-1", "党费计算基数不能为负数（-1元）"),
    ("2000000", "党费计算基数2000000元超过每月1000000元，请核对是否误填了年收入或多写了位数"),
    ("abc", "党费计算基数“abc”不是数字"),
    ("3000.001", "党费计算基数最多保留两位小数（到分）"),
])
def test_bad_bases_are_refused_naming_the_field(cast, today, base, message):
    with pytest.raises(ValidationError) as e:
        actions.declare_base(cast.m1, from_month="2025-01", category="in_service", base=base)
    assert e.value.message_dict == {"base": [message]}


def test_in_service_without_base_is_refused(cast, today):
    with pytest.raises(ValidationError) as e:
        actions.declare_base(cast.m1, from_month="2025-01", category="in_service")
    assert e.value.message_dict == {"base": ["在职党员须填写党费计算基数"]}


def test_unknown_category_and_early_month_are_refused(cast, today):
    with pytest.raises(ValidationError) as e:
        actions.declare_base(cast.m1, from_month="2025-01", category="rich", base="1")
    assert "请选择交纳类别" in e.value.message_dict["category"][0]
    with pytest.raises(ValidationError) as e:
        actions.declare_base(cast.m2, from_month="2025-05", category="student")
    assert e.value.message_dict == {"effective_from": ["起始月份2025年5月早于该党员入党日期（2025-06-01）"]}
    with pytest.raises(ValidationError) as e:
        actions.declare_base(cast.m1, from_month="2025-13", category="student")
    assert e.value.message_dict == {"effective_from": ["起始月份“2025-13”不是有效的年月"]}


def test_bracket_cliff_comes_from_the_rule(cast, today):
    assert actions.declare_base(cast.m1, from_month="2025-01", category="in_service", base="3000").monthly_amount == Decimal("15.00")
    assert actions.declare_base(cast.m1, from_month="2025-02", category="in_service", base="3000.01").monthly_amount == Decimal("30.00")


def test_farmer_amount_within_the_provincial_range(cast, today):
    assert actions.declare_base(cast.m1, from_month="2025-01", category="farmer", farmer_amount="0.5").monthly_amount == Decimal("0.50")
    with pytest.raises(ValidationError) as e:
        actions.declare_base(cast.m1, from_month="2025-01", category="farmer", farmer_amount="2")
    assert e.value.message_dict == {"farmer_amount": ["农民党员党费数额须在每月0.20元至1.00元之间（现为2元）"]}
