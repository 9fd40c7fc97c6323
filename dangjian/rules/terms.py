"""Terms of office (任期) and re-election reminders (换届提醒).

Sources: 中办《关于党的基层组织任期的意见》(2018-07); 党章 (2017-10-24 修正) 第三十条;
《中国共产党农村基层组织工作条例》(2019) 第九条; 《中国共产党基层组织选举工作条例》(2020) 第三条.
"""

import datetime as dt

from .base import Rule, value

# 基层委员会 一般5年; 总支部委员会、支部委员会 一般3年; 村、社区党组织 5年. (2018 意见, status V)
COMMITTEE_TERM_YEARS = Rule("term.committee_years", 5, "中办《关于党的基层组织任期的意见》2018", dt.date(2018, 7, 1))
BRANCH_TERM_YEARS = Rule("term.branch_years", 3, "中办《关于党的基层组织任期的意见》2018", dt.date(2018, 7, 1))
VILLAGE_TERM_YEARS = Rule("term.village_years", 5, "中办《关于党的基层组织任期的意见》2018; 农村条例2019", dt.date(2018, 7, 1))
# 延长或者提前期限一般不超过1年 (选举工作条例 2020 第三条; 2018 意见), status V.
MAX_EXTENSION_MONTHS = Rule("term.max_extension_months", 12, "《中国共产党基层组织选举工作条例》2020 第三条", dt.date(2020, 7, 13))
# Upper organizations remind about 6 months before expiry (local practice, L).
REMIND_BEFORE_DAYS = Rule("term.remind_before_days", 183, "地方做法：届满前约6个月提醒", dt.date(2018, 7, 1), hard=False, local=True)

COMMITTEE_TYPES = {"committee", "work_committee"}


def default_term_years(org_type: str, domain: str) -> int:
    """Term length for a new term of an organization of this type and domain."""
    if domain in {"rural", "community"}:
        return value(VILLAGE_TERM_YEARS)
    if org_type in COMMITTEE_TYPES:
        return value(COMMITTEE_TERM_YEARS)
    return value(BRANCH_TERM_YEARS)


def term_status(ends_on: dt.date, today: dt.date) -> str:
    """'expired' after the end, 'expiring' within the reminder window, else 'ok'."""
    if today > ends_on:
        return "expired"
    if (ends_on - today).days <= value(REMIND_BEFORE_DAYS):
        return "expiring"
    return "ok"


TERM_STATUS_LABELS = {"ok": "任期内", "expiring": "即将届满", "expired": "已届满未换届"}
