"""Membership rules used by the registry's validation.

Source: 中国共产党章程 (2022) 第一条 "年满十八岁的中国工人、农民……可以申请加入中国共产党";
第七条 预备期为一年.
"""

import datetime as dt

from .base import Rule

MIN_AGE = Rule("membership.min_age", 18, "党章 第一条", dt.date(1982, 9, 6))
PROBATION_YEARS = Rule("membership.probation_years", 1, "党章 第七条", dt.date(1982, 9, 6))

# --- 流动党员, 失联党员, 党籍 status changes and 不合格党员处置 (rules-reference §5, §7.1, §7.2) ---------------

# 党员教育管理工作条例 (2019-05) took effect on its issue; the reference gives the month only.
_REGULATION_2019 = dt.date(2019, 5, 1)
# 《中国共产党不合格党员组织处置办法》: issued 2024-06-16 per [S71] (another page says August 2024).
_DISPOSAL_2024 = dt.date(2024, 6, 16)

TRANSFER_AFTER_AWAY_MONTHS = Rule(
    "membership.transfer_after_away_months", 6,
    "党员教育管理工作条例 2019 第二十五条：党员外出学习、工作、生活6个月以上且地点相对固定的，应当转移组织关系 [S42] (V)",
    _REGULATION_2019,
)
LOST_CONTACT_MONTHS = Rule(
    "membership.lost_contact_months", 6,
    "党员教育管理工作条例 2019 第二十四条：党员失去联系6个月以上……停止党籍 [S42] (V)；"
    "党章 第九条：连续6个月不参加党的组织生活、不交纳党费 (V)",
    _REGULATION_2019,
)
SUSPENSION_BEFORE_REMOVAL_YEARS = Rule(
    "membership.suspension_before_removal_years", 2,
    "党员教育管理工作条例 2019 第二十四条：停止党籍2年后仍未联系上的，按照自行脱党予以除名 [S42] (V)",
    _REGULATION_2019,
)
# Only a 停止党籍 can be lifted by 恢复党籍; those who left (劝退, 除名, 自行脱党, 开除) re-apply instead.
RESTORE_FROM = Rule(
    "membership.restore_from", "suspended",
    "党员教育管理工作条例 2019 第二十四条：停止党籍后……可以恢复党籍；劝退、除名、开除的原则上不予恢复 [S42,S71] (V/S)",
    _REGULATION_2019,
)
READMISSION_WAIT_YEARS = Rule(
    "membership.readmission_wait_years", 5,
    "不合格党员组织处置办法 2024：被劝退或者除名的，5年内不得重新入党 [S71] (S)",
    _DISPOSAL_2024,
)
PROBATIONER_NOT_PERSUADED = Rule(
    "membership.probationer_not_persuaded", True,
    "不合格党员组织处置办法及答问：预备党员不适用劝退，应延长预备期或取消预备党员资格 (S)",
    _DISPOSAL_2024,
)
# 限期改正: "一般为一年" (1996 组织工作问答), since 2024 "一般6个月，最长不超过1年".
CORRECTION_MONTHS = (
    Rule("membership.correction_months", 12, "组织工作问答 1996：限期改正的期限一般为一年 (S)",
         dt.date(1996, 1, 1), hard=False, effective_to=_DISPOSAL_2024 - dt.timedelta(days=1)),
    Rule("membership.correction_months", 6, "不合格党员组织处置办法 2024：限期改正期限一般为6个月 [S71] (S)",
         _DISPOSAL_2024, hard=False),
)
CORRECTION_MAX_MONTHS = Rule(
    "membership.correction_max_months", 12, "不合格党员组织处置办法 2024：限期改正最长不超过1年 [S71] (S)",
    _DISPOSAL_2024,
)
