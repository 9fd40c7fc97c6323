"""Record-keeping rules for organization-life records (local practice)."""

import datetime as dt

from .base import Rule

# A record entered more than this many days after the meeting is flagged 补录 (late entry) and shows the entry
# date. No central number exists; local 纪实 rules range from "当天" to "一周" to "一个月" (L).
LATE_ENTRY_DAYS = Rule("records.late_entry_days", 30, "地方做法：会后一定期限内录入，逾期标记为补录 (L)",
                       dt.date(2018, 10, 28), hard=False, local=True)

# Size limit of one attachment to a meeting record (会议照片、签到表扫描件). Local practice, not a regulation:
# a phone photo is 2–6 MB, a scanned sign-in sheet as PDF rarely above 5 MB.
ATTACHMENT_MAX_MB = Rule("records.attachment_max_mb", 10, "地方做法：纪实材料单个附件大小上限 (L)",
                         dt.date(2018, 10, 28), hard=True, local=True)
# Attachments one meeting record may carry; keeps a single record from becoming a photo album.
ATTACHMENTS_PER_MEETING = Rule("records.attachments_per_meeting", 20, "地方做法：每次会议纪实附件数量上限 (L)",
                               dt.date(2018, 10, 28), hard=True, local=True)

# Upcoming meetings are filed with the committee above this many days ahead (预约报备), so that it can attend or
# spot-check. Local practice varies (3 to 7 days); a later filing is accepted and marked 临时报备 (soft).
FILING_ADVANCE_DAYS = Rule("records.filing_advance_days", 3, "地方做法：组织生活提前报备上级党组织 (L)",
                           dt.date(2018, 10, 28), hard=False, local=True)

# Members check in from their phones on the day of a filed meeting (扫码签到), from this many minutes before its
# start time (the whole day when no time was filed) until the end of that day. Local practice.
CHECKIN_OPENS_MINUTES_BEFORE = Rule("records.checkin_opens_minutes_before", 60,
                                    "地方做法：会前一定时间起可扫码签到，当天有效 (L)", dt.date(2018, 10, 28),
                                    hard=True, local=True)

# Branch secretaries are reminded this many days before a requirement's period ends while it is not yet met
# (事前提醒); committees hear about a period that ended unmet. Local practice.
REMINDER_LEAD_DAYS = Rule("records.reminder_lead_days", 7, "地方做法：组织生活到期前提醒党支部书记 (L)",
                          dt.date(2018, 10, 28), hard=False, local=True)
