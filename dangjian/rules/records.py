"""Record-keeping rules for organization-life records (local practice)."""

import datetime as dt

from .base import Rule

# A record entered more than this many days after the meeting is flagged 补录 (late entry) and shows the entry
# date. No central number exists; local 纪实 rules range from "当天" to "一周" to "一个月" (L).
LATE_ENTRY_DAYS = Rule("records.late_entry_days", 30, "地方做法：会后一定期限内录入，逾期标记为补录 (L)",
                       dt.date(2018, 10, 28), hard=False, local=True)
