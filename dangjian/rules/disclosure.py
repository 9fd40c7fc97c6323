"""党务村务财务公开: how often each kind of matter must be published, and the default catalogue (公开目录).

Sources (../shared/domain/rules-reference.md §9):
- 《中华人民共和国村民委员会组织法》(2010) 第三十条 [S80] (V): 村务 一般事项 at least once a quarter; where
  collective finance has many transactions, finance monthly; matters of great interest to villagers at once.
- 《中国共产党党务公开条例（试行）》(2017) 第十五条 [S78] (V): items in the 党务公开目录 go 提出 → 审核 → 审批 →
  实施; it fixes no number of days ("及时"), each catalogue sets the time.
- local practice [S86,S87] (L): 固定内容 yearly, 常规内容 quarterly, 临时内容 immediately; a disclosure day early
  in the month after the period (e.g. 每季度首月15日 [S89]) (L).
- 三务公开 监督小组 [S90] (L): a disclosure needs the 两委's approval and the supervision leader's signature.
- 陕西 (2011) [S82] (L): matters needing administrative approval are published within 5 days of the approval; the
  only day count the reference gives for a matter disclosed "at once", taken as the default for every major matter.

Rules import no models: org domains and categories are the values of orgs.models.Domain and
disclosure.models.Category, checked by tests.
"""

import datetime as dt

from .base import Rule, add_months, value

LAW_2010 = dt.date(2010, 10, 28)  # 村委会组织法 as revised
PARTY_2017 = dt.date(2017, 12, 25)  # 党务公开条例（试行）

FREQUENCIES = ("monthly", "quarterly", "yearly", "immediate")
FREQUENCY_LABELS = {"monthly": "每月", "quarterly": "每季度", "yearly": "每年", "immediate": "随时（重大事项即时公开）"}
# The period label scheme of rules.meetings (2025-07, 2025-Q3, 2025) for each frequency.
FREQUENCY_PERIOD = {"monthly": "month", "quarterly": "quarter", "yearly": "year"}

VILLAGE_GENERAL = Rule("disclosure.village_general", "quarterly",
                       "村民委员会组织法 第三十条：一般事项至少每季度公布一次 (V)", LAW_2010)
VILLAGE_FINANCE_BUSY = Rule("disclosure.village_finance_busy", "monthly",
                            "村民委员会组织法 第三十条：集体财务往来较多的，财务收支情况应当每月公布一次 (V)", LAW_2010)
VILLAGE_MAJOR = Rule("disclosure.village_major", "immediate",
                     "村民委员会组织法 第三十条：涉及村民利益的重大事项应当随时公布 (V)", LAW_2010)
# After a period ends, the organization has this many days to publish it before it counts as overdue. The law says
# "至少每季度" without a day; local rules set a disclosure day early in the next month (每季度首月15日) (L).
GRACE_DAYS = Rule("disclosure.grace_days", 15, "地方做法：期满后次月15日前公开，如“每季度首月15日为公开日” (L)",
                  LAW_2010, hard=False, local=True)
# Reminders go to the organization this many days before its deadline (事前提醒) (L).
REMINDER_LEAD_DAYS = Rule("disclosure.reminder_lead_days", 5, "地方做法：公开截止前提醒 (L)", LAW_2010,
                          hard=False, local=True)

# A major matter (重大事项, catalogue frequency `immediate`) must be published within this many days of the day it
# occurred (the day is counted as 0; publishing on the last day is on time). Neither the law ("随时") nor the 党务公开
# 条例 ("及时") gives a number; 陕西 sets 5 days after an approval [S82] (L). Calendar days, not working days.
MAJOR_WITHIN_DAYS = Rule("disclosure.major_within_days", 5,
                         "村民委员会组织法 第三十条“随时公布”、党务公开条例“及时”均未定天数；"
                         "地方做法：如陕西（2011）需审批事项在批复后5日内公开 [S82] (L)", LAW_2010, hard=False, local=True)

# Review before publication (审核): "none", "above" (the committee above, 党务公开条例 第十五条 审核/审批) or
# "supervision" (the village's 村务监督委员会 / 三务公开监督小组 [S90], L).
REVIEWS = ("none", "above", "supervision")
REVIEW_LABELS = {"none": "无需审核", "above": "上级党组织审核", "supervision": "村务监督委员会审核"}

# Anti-abuse limits for villagers' questions on public pages (our own, not a regulation).
QUESTIONS_PER_HOUR = Rule("disclosure.questions_per_hour", 5, "系统限制：同一IP或手机号每小时留言次数 (L)",
                          LAW_2010, hard=True, local=True)
QUESTION_MIN_SECONDS = Rule("disclosure.question_min_seconds", 3, "系统限制：打开表单后至少几秒才能提交（防机器） (L)",
                            LAW_2010, hard=True, local=True)


def deadline(period_label: str) -> dt.date:
    """Last day to publish the period `period_label` ("2025-Q3", "2025-07", "2025") before it is overdue."""
    from .meetings import period_bounds

    last = period_bounds(period_label)[1]
    return last + dt.timedelta(days=int(value(GRACE_DAYS)))


def periods_due(frequency: str, year: int, today: dt.date) -> list[str]:
    """The periods of `year` a catalogue entry of `frequency` must have been published for by `today`
    (their deadline has passed). `immediate` entries have no periods: they follow events."""
    from .meetings import periods_in

    period = FREQUENCY_PERIOD.get(frequency)
    if period is None:
        return []
    return [p for p in periods_in(year, period) if deadline(p) < today]


def current_period(frequency: str, today: dt.date) -> str:
    """The period whose publication is owed next on `today`: the last one that ended (the one being
    published now), e.g. 2025-Q3 during October 2025. Empty for `immediate`."""
    from .meetings import period_of

    period = FREQUENCY_PERIOD.get(frequency)
    if period is None:
        return ""
    months = {"month": 1, "quarter": 3, "year": 12}[period]
    return period_of(add_months(today.replace(day=1), -months), period)


def matter_deadline(occurred_on: dt.date) -> dt.date:
    """Last day to publish a major matter that occurred on `occurred_on` (MAJOR_WITHIN_DAYS later)."""
    return occurred_on + dt.timedelta(days=int(value(MAJOR_WITHIN_DAYS)))


# What a registered major matter looks like on a day: published on time, published after its deadline, still within
# its deadline, or overdue (deadline passed, nothing published).
MATTER_STATES = {"published": "已按时公开", "late": "逾期后公开", "pending": "待公开", "overdue": "逾期未公开"}


def matter_state(occurred_on: dt.date, published_on: dt.date | None, today: dt.date) -> str:
    """One of MATTER_STATES for a matter that occurred on `occurred_on` and was first published on `published_on`."""
    last = matter_deadline(occurred_on)
    if published_on is not None:
        return "published" if published_on <= last else "late"
    return "pending" if today <= last else "overdue"


# The default catalogue for village (农村) and community (社区) organizations: (domain, category, title,
# frequency rule or value, publisher, review, source). An admin above installs it for its subtree and edits it
# there; the numbers come from the rules above.
def default_catalog() -> list[dict]:
    q = value(VILLAGE_GENERAL)
    m = value(VILLAGE_FINANCE_BUSY)
    now = value(VILLAGE_MAJOR)
    rows = []
    for domain, who in (("rural", "村"), ("community", "社区")):
        committee = "村民委员会" if domain == "rural" else "社区居民委员会"
        party = f"{who}党组织"
        rows += [
            (domain, "party", f"{who}党组织设置、班子成员及分工", "yearly", party, "none", "党务公开条例；地方做法：固定内容每年 (L)"),
            (domain, "party", "年度党建工作计划及完成情况", "yearly", party, "above", "党务公开条例 第十五条 (V)；固定内容每年 (L)"),
            (domain, "party", "三会一课、主题党日开展情况", "quarterly", party, "none", "地方做法：常规内容每季度 (L)"),
            (domain, "party", "党费收缴、使用和管理情况", "quarterly", party, "above", "关于党的基层组织实行党务公开的意见 (S)；每季度 (L)"),
            (domain, "party", "发展党员公示（确定发展对象、接收预备党员、预备党员转正）", "immediate", party, "above",
             "地方做法：临时内容即时公开 (L)"),
            (domain, "village", f"{who}民会议、{who}民代表会议决定事项及实施情况", q, committee, "supervision",
             VILLAGE_GENERAL.source),
            (domain, "village", "惠农惠民政策落实、低保和救助资金物资发放", q, committee, "supervision",
             "村民委员会组织法 第三十条 第三项 (V)"),
            (domain, "village", "涉及群众切身利益的重大事项（四议两公开决议及实施结果）", now, committee, "supervision",
             VILLAGE_MAJOR.source),
            (domain, "finance", "集体财务收支明细", m, committee, "supervision", VILLAGE_FINANCE_BUSY.source),
            (domain, "finance", "集体资产、资源和债权债务情况", q, committee, "supervision", VILLAGE_GENERAL.source),
        ]
    return [dict(zip(("domain", "category", "title", "frequency", "publisher", "review", "source"), r, strict=True))
            for r in rows]
