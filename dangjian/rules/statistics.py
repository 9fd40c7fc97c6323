"""党内统计 (party statistics): the reference date and the categories of the published tables (rules-reference §8).

Sources: the 党内统计年报 填报说明 [S75] (counting by the formal 组织关系, reference date 31 December) and the
党内统计公报 of 2023 and 2024 [S72, S73] (the dimensions: 女党员, 少数民族党员, 大专及以上学历, the age bands, the
joining periods, 发展党员 with its cuts). The age bands live in `members.choices.AGE_BANDS` (the member list's
filter uses the same bands).
"""

import datetime as dt
from dataclasses import dataclass

from .base import Rule

# The annual report counts as of 31 December (填报说明 [S75], S).
REFERENCE_MONTH_DAY = Rule("statistics.reference_month_day", (12, 31), "党内统计年报 填报说明：统计截止时间为12月31日 [S75]",
                           dt.date(2012, 1, 1))
# 发展党员 "35岁及以下" (公报 [S72, S73], V).
YOUNG_RECRUIT_MAX_AGE = Rule("statistics.young_recruit_max_age", 35, "党内统计公报：发展党员中35岁及以下 [S72,S73]",
                             dt.date(2012, 1, 1))


@dataclass(frozen=True)
class Period:
    key: str
    label: str
    start: dt.date | None  # first day joined in the period (inclusive); None: no lower bound
    end: dt.date | None  # first day after the period; None: still open


# The bulletin's four joining periods (公报 [S72, S73], V for the periods). The bulletin names events, not days; the
# boundaries are the days the events began: the founding of the PRC (1949-10-01), the opening of the 十一届三中全会
# (1978-12-18) and of the 十八大 (2012-11-08) — U for a member who joined during the plenum or the congress itself.
JOIN_PERIODS = (
    Period("before_1949", "新中国成立前", None, dt.date(1949, 10, 1)),
    Period("1949_1978", "新中国成立后至十一届三中全会前", dt.date(1949, 10, 1), dt.date(1978, 12, 18)),
    Period("1978_2012", "十一届三中全会后至十八大前", dt.date(1978, 12, 18), dt.date(2012, 11, 8)),
    Period("since_2012", "十八大以来", dt.date(2012, 11, 8), None),
)


def join_period(joined_on: dt.date) -> Period:
    """The joining period of a 入党日期."""
    for p in JOIN_PERIODS:
        if (p.start is None or p.start <= joined_on) and (p.end is None or joined_on < p.end):
            return p
    raise AssertionError("the periods cover every date")  # pragma: no cover


def last_reference_date(today: dt.date) -> dt.date:
    """The latest annual reference date on or before `today` (31 December of last year, or today if it is one)."""
    month, day = REFERENCE_MONTH_DAY.value
    this_year = dt.date(today.year, month, day)
    return this_year if this_year <= today else dt.date(today.year - 1, month, day)
