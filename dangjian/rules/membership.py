"""Membership rules used by the registry's validation.

Source: 中国共产党章程 (2022) 第一条 "年满十八岁的中国工人、农民……可以申请加入中国共产党";
第七条 预备期为一年.
"""

import datetime as dt

from .base import Rule

MIN_AGE = Rule("membership.min_age", 18, "党章 第一条", dt.date(1982, 9, 6))
PROBATION_YEARS = Rule("membership.probation_years", 1, "党章 第七条", dt.date(1982, 9, 6))
