"""Party dues (党费): brackets, fixed amounts, rounding, and the payment and arrears rules.

Sources: 《关于中国共产党党费收缴、使用和管理的规定》(中组发〔2008〕3号, in force 2008-04-01, cited
below as "2008规定"); 组电明字〔2017〕5号 (retirees' base); 党章 第九条 (six months unpaid).
Status letters (V/S/L/U) as in ../shared/domain/rules-reference.md §4.
"""

import datetime as dt
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal, InvalidOperation

from .base import Finding, Rule, finding, in_force, value
from .base import today as local_today

DUES_REGIME_START = dt.date(2008, 4, 1)

# Brackets are (upper bound inclusive, rate); None = no upper bound. The rate applies to the WHOLE
# base, not marginally: 3000.01 pays 1% of 3000.01 (the "cliff" the 2008 text intends).
IN_SERVICE_BRACKETS = Rule(
    "dues.in_service_brackets",
    (
        (Decimal(3000), Decimal("0.005")),
        (Decimal(5000), Decimal("0.01")),
        (Decimal(10000), Decimal("0.015")),
        (None, Decimal("0.02")),
    ),
    "2008规定 第二条：3000元以下（含3000元）0.5%，3000—5000元（含）1%，5000—10000元（含）1.5%，10000元以上2% (V)",
    DUES_REGIME_START,
)
RETIRED_BRACKETS = Rule(
    "dues.retired_brackets",
    ((Decimal(5000), Decimal("0.005")), (None, Decimal("0.01"))),
    "2008规定 离退休党员：5000元以下（含5000元）0.5%，5000元以上1% (V)",
    DUES_REGIME_START,
)

# What the retirees' base is. Changed in 2017; the notice's exact date was not seen, so the switch is
# taken as 2017-01-01 (U for the day, S for the content).
RETIRED_BASE = (
    Rule(
        "dues.retired_base",
        "total",
        "2008规定：以实际领取的离退休费总额或养老金总额为计算基数 (V)",
        DUES_REGIME_START,
        effective_to=dt.date(2016, 12, 31),
    ),
    Rule(
        "dues.retired_base",
        "basic",
        "组电明字〔2017〕5号：以基本离退休费或基本养老金为基数，不含津补贴 (S；生效日未核实，按2017-01-01)",
        dt.date(2017, 1, 1),
    ),
)
RETIRED_BASE_LABELS = {
    "total": "实际领取的离退休费总额或养老金总额",
    "basic": "基本离退休费或基本养老金（不含津贴补贴）",
}

# 学生、下岗失业、依靠抚恤或救济生活、领取最低生活保障金的党员: 0.2 yuan a month.
FIXED_LOW_AMOUNT = Rule(
    "dues.fixed_low_amount", Decimal("0.20"), "2008规定 第六条：每月交纳党费0.2元 (V)", DUES_REGIME_START
)
# 农民党员: 0.2–1.0 yuan a month, the amount set locally (province, or the branch within it).
FARMER_RANGE = Rule(
    "dues.farmer_range", (Decimal("0.20"), Decimal("1.00")), "2008规定 第六条：每月0.2元至1元 (V)", DUES_REGIME_START
)
FARMER_AMOUNT = Rule(
    "dues.farmer_amount",
    Decimal("0.20"),
    "2008规定 第六条，具体数额由各省（区、市）确定；默认取下限0.2元 (L)",
    DUES_REGIME_START,
    local=True,
)

# Rounding is not set centrally; localities use 分 (half-up), 角, or whole yuan rounded up
# ("只能入不能舍").
ROUNDING = Rule(
    "dues.rounding",
    "fen",
    "中央未统一规定；各地有按分四舍五入、按角、按元只入不舍的做法 (L)",
    DUES_REGIME_START,
    hard=False,
    local=True,
)
ROUNDING_MODES = {
    "fen": (Decimal("0.01"), ROUND_HALF_UP, "四舍五入到分"),
    "jiao": (Decimal("0.1"), ROUND_HALF_UP, "四舍五入到角"),
    "yuan_up": (Decimal(1), ROUND_CEILING, "按元只入不舍"),
}

# Not a regulation: a monthly base above this is almost surely a typo (annual pay, an extra zero).
MAX_MONTHLY_BASE = Rule(
    "dues.max_monthly_base",
    Decimal(1000000),
    "本系统输入校验（非党内法规）：月基数超过100万元视为录入错误",
    DUES_REGIME_START,
    local=True,
)

# A one-time voluntary payment of 1000 yuan or more goes entirely to the Centre.
VOLUNTARY_TO_CENTRE = Rule(
    "dues.voluntary_to_centre_min", Decimal(1000), "2008规定 第十一条：一次性自愿多交1000元以上全部上缴中央 (V)",
    DUES_REGIME_START,
)

# Payment timing.
BACK_PAYMENT_MAX_MONTHS = Rule(
    "dues.back_payment_max_months", 6, "2008规定及解读：补交党费一般不超过6个月 (V)", DUES_REGIME_START, hard=False
)
ADVANCE_MAX_MONTHS = Rule(
    "dues.advance_max_months", 6, "中组部答问（上海科技党委2013）：经党支部同意可预交，一般不超过6个月 (S)",
    DUES_REGIME_START, hard=False,
)
QUARTERLY_MONTHS = Rule(
    "dues.quarterly_months", 3, "2008规定及解读：特殊情况经党支部同意可按季度交纳 (V)", DUES_REGIME_START
)
REMINDER_AFTER_MONTHS = Rule(
    "dues.reminder_after_months", 3, "地方做法：连续3个月未交纳党费的批评教育 (L)", DUES_REGIME_START,
    hard=False, local=True,
)
LAPSE_AFTER_MONTHS = Rule(
    "dues.lapse_after_months", 6,
    "党章 第九条：没有正当理由，连续六个月不交纳党费，视为自行脱党，支部大会决定除名并报上级批准 (V)",
    dt.date(1982, 9, 6),
)
# 预备党员 pay from the 支部大会 decision.
PROBATIONER_DUES_FROM = Rule(
    "dues.probationer_from", "congress", "发展党员细则及党费解读：预备党员自支部大会通过之日起交纳党费 (S)",
    DUES_REGIME_START,
)

CATEGORIES = {
    "in_service": "在职党员",
    "retired": "离退休党员",
    "student": "学生党员",
    "unemployed": "下岗失业党员",
    "farmer": "农民党员",
    "relief": "依靠抚恤救济或领取低保的党员",
}
FIXED_CATEGORIES = frozenset({"student", "unemployed", "relief"})

FEN = Decimal("0.01")


def to_yuan(amount, *, field: str = "党费计算基数") -> Decimal:
    """An amount of yuan as Decimal. Floats go through str() so 3000.01 stays 3000.01, not 3000.0099…"""
    if isinstance(amount, bool) or amount is None:
        raise ValueError(f"{field}必须是数字")
    if isinstance(amount, Decimal):
        result = amount
    elif isinstance(amount, (int, float)):
        result = Decimal(str(amount))
    elif isinstance(amount, str):
        text = amount.strip().replace(",", "").replace("，", "").removesuffix("元")
        try:
            result = Decimal(text)
        except InvalidOperation:
            raise ValueError(f"{field}“{amount}”不是数字") from None
    else:
        raise ValueError(f"{field}必须是数字")  # noqa: TRY004 -- one exception type for forms and imports
    if not result.is_finite():
        raise ValueError(f"{field}必须是有限的数字")
    return result


def _check_base(base: Decimal) -> None:
    if base < 0:
        raise ValueError(f"党费计算基数不能为负数（{base}元）")
    ceiling = Decimal(value(MAX_MONTHLY_BASE))
    if base > ceiling:
        raise ValueError(f"党费计算基数{base}元超过每月{ceiling}元，请核对是否误填了年收入或多写了位数")


def rate_for(category: str, base, *, on: dt.date | None = None) -> Decimal:
    """The percentage rate (as a fraction) for an in-service or retired member with this monthly base."""
    on = on or local_today()
    if category == "in_service":
        brackets = in_force(IN_SERVICE_BRACKETS, on).value
    elif category == "retired":
        brackets = in_force(RETIRED_BRACKETS, on).value
    else:
        raise ValueError(f"{CATEGORIES.get(category, category)}按固定数额交纳党费，不按比例")
    base = to_yuan(base)
    _check_base(base)
    for upper, rate in brackets:
        if upper is None or base <= upper:
            return rate
    raise AssertionError("the last bracket has no upper bound")


def round_dues(amount: Decimal, mode: str | None = None) -> Decimal:
    """Rounds computed dues by the local mode; the result always has two places (yuan.fen)."""
    mode = mode or value(ROUNDING)
    if mode not in ROUNDING_MODES:
        raise ValueError(f"未知的党费取整方式“{mode}”，可选：{'、'.join(ROUNDING_MODES)}")
    quantum, rounding, _label = ROUNDING_MODES[mode]
    return amount.quantize(quantum, rounding=rounding).quantize(FEN)


def farmer_amount(amount=None) -> Decimal:
    """The fixed monthly amount for a farmer member: the given one, or the local setting, within 0.2–1.0."""
    low, high = FARMER_RANGE.value
    chosen = to_yuan(value(FARMER_AMOUNT) if amount is None else amount, field="农民党员党费数额")
    if not low <= chosen <= high:
        raise ValueError(f"农民党员党费数额须在每月{low}元至{high}元之间（现为{chosen}元）")
    return chosen.quantize(FEN)


def monthly_dues(category: str, base=None, *, on: dt.date | None = None, rounding: str | None = None,
                 farmer_fixed=None) -> Decimal:
    """Monthly dues in yuan (Decimal, two places) for a member of `category` with monthly `base` in yuan.

    `on` selects the rules in force (default today; dues before 2008-04-01 are not covered).
    `rounding` overrides the local mode ("fen", "jiao", "yuan_up"); fixed amounts are never rounded.
    `farmer_fixed` is the amount chosen for a farmer member (default: the local setting).
    """
    on = on or local_today()
    if on < DUES_REGIME_START:
        raise ValueError("2008年4月1日以前的党费标准未收录，无法计算")
    if category not in CATEGORIES:
        raise ValueError(f"未知的党员类别“{category}”，可选：{'、'.join(CATEGORIES.values())}")
    if category in FIXED_CATEGORIES or category == "farmer":
        if base is not None:  # the base does not matter, but a wrong one still points at bad data
            _check_base(to_yuan(base))
        if category == "farmer":
            return farmer_amount(farmer_fixed)
        return in_force(FIXED_LOW_AMOUNT, on).value.quantize(FEN)
    if base is None:
        raise ValueError(f"{CATEGORIES[category]}须填写党费计算基数")
    base = to_yuan(base)
    return round_dues(base * rate_for(category, base, on=on), rounding)


def retired_base(basic, allowances=0, *, on: dt.date | None = None) -> Decimal:
    """The dues base of a retired member: basic pension plus allowances before 2017, basic only since."""
    basic = to_yuan(basic, field="基本离退休费")
    allowances = to_yuan(allowances, field="津贴补贴")
    if basic < 0 or allowances < 0:
        raise ValueError("离退休费和津贴补贴不能为负数")
    rule = in_force(RETIRED_BASE, on or local_today())
    return basic + allowances if rule.value == "total" else basic


def goes_to_centre(voluntary_amount) -> bool:
    """A one-time voluntary extra payment of 1000 yuan or more is passed up to the Centre in full."""
    return to_yuan(voluntary_amount, field="自愿多交党费") >= VOLUNTARY_TO_CENTRE.value


# --- months and arrears -------------------------------------------------------------------------

Month = tuple[int, int]


def _month(m: Month, field: str) -> int:
    """A (year, month) pair as a month index, so ranges and distances are integer arithmetic."""
    try:
        year, month = m
    except (TypeError, ValueError):
        raise ValueError(f"{field}应写成（年, 月）") from None
    if not (isinstance(year, int) and isinstance(month, int)) or not 1 <= month <= 12:
        raise ValueError(f"{field}“{m}”不是有效的年月")
    return year * 12 + month - 1


def month_of(d: dt.date) -> Month:
    return (d.year, d.month)


def months_between(start: Month, end: Month) -> int:
    """end − start in months: (2025, 1) to (2025, 7) is 6."""
    return _month(end, "月份") - _month(start, "月份")


def consecutive_unpaid_months(paid_months: set[Month], excused: set[Month], through: Month, since: Month) -> int:
    """Length of the run of unpaid, unexcused months that ends at `through` (inclusive).

    `since` is the first month the member owed dues (admission, transfer in); earlier months never
    count. A paid month or an excused one (approved exemption, the interim months of an approved
    quarterly arrangement, an approved deferral) ends the run: 党章 第九条 speaks of 连续 months
    "没有正当理由".
    """
    last = _month(through, "统计截止月份")
    first = _month(since, "起算月份")
    paid = {_month(m, "已交月份") for m in paid_months}
    ok = paid | {_month(m, "免交或缓交月份") for m in excused}
    run = 0
    index = last
    while index >= first and index not in ok:
        run += 1
        index -= 1
    return run


def arrears_findings(consecutive_unpaid: int) -> list[Finding]:
    """What a run of unpaid months calls for: a reminder (local), then 党章 第九条 handling."""
    if consecutive_unpaid < 0:
        raise ValueError("连续未交月数不能为负数")
    lapse = LAPSE_AFTER_MONTHS.value
    if consecutive_unpaid >= lapse:
        return [finding(
            "dues.lapse", LAPSE_AFTER_MONTHS,
            f"已连续{consecutive_unpaid}个月未交纳党费：无正当理由连续{lapse}个月不交纳党费的，视为自行脱党，"
            "应由支部大会讨论除名并报上级党组织批准",
        )]
    remind = value(REMINDER_AFTER_MONTHS)
    if consecutive_unpaid >= remind:
        return [finding(
            "dues.reminder", REMINDER_AFTER_MONTHS,
            f"已连续{consecutive_unpaid}个月未交纳党费，应提醒并进行批评教育",
        )]
    return []


def payment_findings(months: set[Month], paid_on: dt.date, *, quarterly: bool = False) -> list[Finding]:
    """Checks a payment covering `months` made on `paid_on`: back payment and advance payment limits.

    Both limits are "一般" (soft). A quarterly arrangement pays the quarter's months together, so months
    of the current quarter are not an advance for it.
    """
    if not months:
        raise ValueError("本次交纳未包含任何月份")
    now = _month(month_of(paid_on), "交纳日期")
    indexes = sorted(_month(m, "交纳月份") for m in months)
    out: list[Finding] = []
    back_limit = value(BACK_PAYMENT_MAX_MONTHS)
    oldest_back = now - indexes[0]
    if oldest_back > back_limit:
        out.append(finding(
            "dues.back_payment_too_old", BACK_PAYMENT_MAX_MONTHS,
            f"补交党费一般不超过{back_limit}个月，本次补交最早一个月距今{oldest_back}个月",
        ))
    horizon = now
    if quarterly:
        horizon = now + (2 - (now % 12) % 3)  # last month of the current calendar quarter
    ahead_limit = value(ADVANCE_MAX_MONTHS)
    furthest_ahead = indexes[-1] - horizon
    if furthest_ahead > ahead_limit:
        out.append(finding(
            "dues.advance_too_far", ADVANCE_MAX_MONTHS,
            f"预交党费一般不超过{ahead_limit}个月，本次预交到{furthest_ahead}个月以后",
        ))
    return out


def first_dues_month(congress_on: dt.date) -> Month:
    """The first month a new 预备党员 owes dues: the month of the 支部大会 that admitted them."""
    return month_of(congress_on)
