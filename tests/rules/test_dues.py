"""党费: 中组发〔2008〕3号 brackets at their edges, fixed amounts, rounding, payment and arrears rules."""

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dangjian.rules import dues
from dangjian.rules.dues import consecutive_unpaid_months, monthly_dues

ON = dt.date(2025, 7, 1)


# 第二条: 在职党员 — each bracket includes its upper bound, the rate applies to the whole base.
@pytest.mark.parametrize(("base", "expected"), [
    ("0", "0.00"),
    ("0.01", "0.00"),  # 0.5% of one fen rounds half-up to nothing
    ("1", "0.01"),  # 0.005 rounds half-up to one fen
    ("2999.99", "15.00"),
    ("3000.00", "15.00"),  # 3000元以下（含3000元）交纳0.5%
    ("3000.01", "30.00"),  # one fen more: 1% of the whole base
    ("4999.99", "50.00"),
    ("5000", "50.00"),  # 含5000元
    ("5000.01", "75.00"),
    ("10000", "150.00"),  # 含10000元
    ("10000.01", "200.00"),
    ("25000", "500.00"),
])
def test_in_service_brackets(base, expected):
    assert monthly_dues("in_service", base, on=ON) == Decimal(expected)


# 离退休党员: 5000元以下（含5000元）0.5%，5000元以上1%.
@pytest.mark.parametrize(("base", "expected"), [
    ("4999.99", "25.00"), ("5000", "25.00"), ("5000.01", "50.00"), ("8000", "80.00"),
])
def test_retired_brackets(base, expected):
    assert monthly_dues("retired", base, on=ON) == Decimal(expected)


def test_result_is_decimal_with_two_places():
    result = monthly_dues("in_service", 3000, on=ON)
    assert isinstance(result, Decimal) and result.as_tuple().exponent == -2


def test_base_accepted_as_decimal_str_int_and_float_via_str():
    assert monthly_dues("in_service", Decimal("3000.01"), on=ON) == Decimal("30.00")
    assert monthly_dues("in_service", "3,000.01", on=ON) == Decimal("30.00")
    assert monthly_dues("in_service", 3000, on=ON) == Decimal("15.00")
    # 3000.01 as a binary float is 3000.0099999…; read through str() it stays in the 1% bracket.
    assert monthly_dues("in_service", 3000.01, on=ON) == Decimal("30.00")


def test_half_up_to_the_fen():
    assert monthly_dues("in_service", "4321.50", on=ON) == Decimal("43.22")  # 43.215 → 43.22
    assert monthly_dues("in_service", "2001", on=ON) == Decimal("10.01")  # 10.005 → 10.01


@pytest.mark.parametrize("category", ["student", "unemployed", "relief"])
def test_students_unemployed_and_relief_pay_twenty_fen(category):
    # 第六条: 学生、下岗失业、依靠抚恤或救济生活、领取最低生活保障金的党员 每月0.2元.
    assert monthly_dues(category, on=ON) == Decimal("0.20")
    assert monthly_dues(category, "0", on=ON) == Decimal("0.20")


def test_farmer_pays_the_locally_chosen_amount_between_20_fen_and_one_yuan(settings):
    assert monthly_dues("farmer", on=ON) == Decimal("0.20")
    assert monthly_dues("farmer", on=ON, farmer_fixed="1") == Decimal("1.00")
    settings.DANGJIAN_RULES = {"dues.farmer_amount": "0.5"}
    assert monthly_dues("farmer", on=ON) == Decimal("0.50")
    with pytest.raises(ValueError, match="0.20元至1.00元"):
        monthly_dues("farmer", on=ON, farmer_fixed="1.01")
    with pytest.raises(ValueError, match="0.20元至1.00元"):
        monthly_dues("farmer", on=ON, farmer_fixed="0.19")


@pytest.mark.parametrize("base", ["-0.01", -1])
def test_negative_base_is_refused(base):
    with pytest.raises(ValueError, match="不能为负数"):
        monthly_dues("in_service", base, on=ON)


def test_absurd_base_is_refused_as_a_typo():
    assert monthly_dues("in_service", "1000000", on=ON) == Decimal("20000.00")
    with pytest.raises(ValueError, match="超过每月1000000元"):
        monthly_dues("in_service", "1000000.01", on=ON)


@pytest.mark.parametrize("base", ["abc", "", None, True, float("nan"), float("inf"), [3000]])
def test_unreadable_base_is_refused_in_chinese(base):
    with pytest.raises(ValueError, match="党费计算基数"):
        monthly_dues("in_service", base, on=ON)


def test_unknown_category_and_dates_before_2008_are_refused():
    with pytest.raises(ValueError, match="未知的党员类别"):
        monthly_dues("pensioner", 3000, on=ON)
    with pytest.raises(ValueError, match="2008年4月1日以前"):
        monthly_dues("in_service", 3000, on=dt.date(2008, 3, 31))
    assert monthly_dues("in_service", 3000, on=dt.date(2008, 4, 1)) == Decimal("15.00")


# Rounding is local: 分 half-up by default, 角, or whole yuan rounded up (只入不舍).
@pytest.mark.parametrize(("mode", "base", "expected"), [
    ("fen", "3333", "33.33"),
    ("jiao", "3333", "33.30"),
    ("jiao", "3335", "33.40"),  # 33.35 → 33.4 half-up
    ("yuan_up", "3333", "34.00"),
    ("yuan_up", "3000", "15.00"),  # already whole: stays
])
def test_rounding_modes(mode, base, expected):
    assert monthly_dues("in_service", base, on=ON, rounding=mode) == Decimal(expected)


def test_rounding_mode_from_settings_and_fixed_amounts_not_rounded(settings):
    settings.DANGJIAN_RULES = {"dues.rounding": "yuan_up"}
    assert monthly_dues("in_service", "3333", on=ON) == Decimal("34.00")
    assert monthly_dues("student", on=ON) == Decimal("0.20")
    with pytest.raises(ValueError, match="取整方式"):
        monthly_dues("in_service", "3333", on=ON, rounding="half")


def test_retiree_base_is_the_total_until_2016_and_the_basic_pension_since_2017():
    assert dues.retired_base("4000", "1500", on=dt.date(2016, 12, 31)) == Decimal(5500)
    assert dues.retired_base("4000", "1500", on=dt.date(2017, 1, 1)) == Decimal(4000)
    # The same pension pays 55.00 under the 2008 text, 20.00 under the 2017 notice.
    assert monthly_dues("retired", dues.retired_base("4000", "1500", on=dt.date(2016, 6, 1)),
                        on=dt.date(2016, 6, 1)) == Decimal("55.00")
    assert monthly_dues("retired", dues.retired_base("4000", "1500", on=ON), on=ON) == Decimal("20.00")


def test_voluntary_payment_of_1000_or_more_goes_to_the_centre():
    assert not dues.goes_to_centre("999.99")
    assert dues.goes_to_centre("1000")


# Monotone inside a bracket: more income never means less dues, as long as the bracket is the same.
cents = st.integers(min_value=0, max_value=100_000_000).map(lambda c: Decimal(c) / 100)


@given(cents, cents)
def test_in_service_dues_are_monotone_inside_a_bracket(a, b):
    low, high = sorted((a, b))
    rate = dues.rate_for("in_service", low, on=ON)
    if rate == dues.rate_for("in_service", high, on=ON):
        assert monthly_dues("in_service", low, on=ON) <= monthly_dues("in_service", high, on=ON)


@given(cents, cents)
def test_in_service_dues_are_monotone_across_brackets(a, b):
    # The brackets only go up: the cliffs make dues jump, never fall.
    low, high = sorted((a, b))
    assert monthly_dues("in_service", low, on=ON) <= monthly_dues("in_service", high, on=ON)


@given(st.integers(min_value=0, max_value=100_000_000).map(lambda c: Decimal(c) / 100))
def test_retired_dues_never_exceed_one_percent(base):
    assert monthly_dues("retired", base, on=ON) <= (base * Decimal("0.01")).quantize(Decimal("0.01")) + Decimal("0.01")


# --- consecutive unpaid months (党章 第九条 counts 连续 months) ---

def test_no_months_unpaid():
    paid = {(2025, m) for m in range(1, 7)}
    assert consecutive_unpaid_months(paid, set(), through=(2025, 6), since=(2025, 1)) == 0


def test_run_counts_back_from_through_to_the_last_paid_month():
    paid = {(2025, 1), (2025, 2)}
    assert consecutive_unpaid_months(paid, set(), through=(2025, 8), since=(2024, 1)) == 6


def test_run_crosses_the_year_end():
    paid = {(2024, 9)}
    assert consecutive_unpaid_months(paid, set(), through=(2025, 3), since=(2024, 1)) == 6


def test_months_before_the_member_owed_dues_do_not_count():
    assert consecutive_unpaid_months(set(), set(), through=(2025, 3), since=(2025, 1)) == 3
    assert consecutive_unpaid_months(set(), set(), through=(2025, 3), since=(2025, 4)) == 0


def test_an_excused_month_ends_the_run():
    # An approved exemption or the interim months of a quarterly arrangement are 正当理由.
    excused = {(2025, 4), (2025, 5)}
    assert consecutive_unpaid_months({(2025, 1)}, excused, through=(2025, 8), since=(2024, 1)) == 3


def test_a_later_payment_after_a_gap_resets_the_run():
    assert consecutive_unpaid_months({(2025, 7)}, set(), through=(2025, 7), since=(2024, 1)) == 0


@pytest.mark.parametrize("bad", [(2025, 13), (2025, 0), ("2025", 1), 202501, (2025,)])
def test_bad_months_are_refused(bad):
    with pytest.raises(ValueError, match="年月|（年, 月）"):
        consecutive_unpaid_months(set(), set(), through=bad, since=(2024, 1))


@pytest.mark.parametrize(("months", "codes"), [
    (0, []), (2, []), (3, ["dues.reminder"]), (5, ["dues.reminder"]), (6, ["dues.lapse"]), (12, ["dues.lapse"]),
])
def test_three_months_remind_six_months_is_article_nine(months, codes):
    findings = dues.arrears_findings(months)
    assert [f.code for f in findings] == codes
    if codes == ["dues.lapse"]:
        assert findings[0].hard and "党章 第九条" in findings[0].source and "自行脱党" in findings[0].message
    if codes == ["dues.reminder"]:
        assert not findings[0].hard


def test_reminder_threshold_is_local(settings):
    settings.DANGJIAN_RULES = {"dues.reminder_after_months": 2}
    assert [f.code for f in dues.arrears_findings(2)] == ["dues.reminder"]


# --- back payment and advance payment, both "一般不超过6个月" ---

def test_back_payment_of_six_months_is_fine_seven_warns():
    paid_on = dt.date(2025, 7, 15)
    assert dues.payment_findings({(2025, 1), (2025, 2)}, paid_on) == []  # January is 6 months back
    [f] = dues.payment_findings({(2024, 12)}, paid_on)
    assert f.code == "dues.back_payment_too_old" and not f.hard and "7个月" in f.message


def test_advance_of_six_months_is_fine_seven_warns():
    paid_on = dt.date(2025, 7, 31)
    assert dues.payment_findings({(2026, 1)}, paid_on) == []
    [f] = dues.payment_findings({(2026, 2)}, paid_on)
    assert f.code == "dues.advance_too_far" and f.severity == "warning"


def test_quarterly_arrangement_pays_the_quarter_together():
    paid_on = dt.date(2025, 7, 10)  # Q3: July–September
    # Six months beyond the quarter's last month is still within the advance limit for a quarterly payer.
    assert dues.payment_findings({(2026, 3)}, paid_on, quarterly=True) == []
    assert [f.code for f in dues.payment_findings({(2026, 3)}, paid_on)] == ["dues.advance_too_far"]
    assert dues.payment_findings({(2026, 4)}, paid_on, quarterly=True)[0].code == "dues.advance_too_far"


def test_empty_payment_is_refused():
    with pytest.raises(ValueError, match="未包含任何月份"):
        dues.payment_findings(set(), dt.date(2025, 7, 1))


def test_probationer_pays_from_the_month_of_the_branch_congress():
    assert dues.first_dues_month(dt.date(2025, 6, 30)) == (2025, 6)
