"""Organization-life records for the demo city: most branches keep to the 支部工作条例 frequencies, some
slip (so the compliance grid shows green, amber and red), a few records are late entries (补录).

Deterministic for a seed and reference date. Written in bulk like the rest of the demo loader.
"""

import datetime as dt
import random

from dangjian.orglife.models import Attendance, Meeting
from dangjian.orgs.models import BRANCH_TYPES
from dangjian.rules import meetings as rules
from dangjian.rules import records
from dangjian.rules.base import value

TOPICS = {
    "branch_congress": ["学习党的二十届四中全会精神", "讨论接收预备党员", "通报上半年支部工作", "研究年度发展党员计划"],
    "branch_committee": ["研究本月支部工作", "讨论党费收缴情况", "研究主题党日安排", "研究发展对象人选"],
    "party_lecture": ["书记讲党课：新时代基层党建", "学习党章第一章", "党史专题：红船精神", "廉洁教育专题党课"],
    "theme_day": ["志愿服务：清理河道", "重温入党誓词", "走访慰问困难党员", "学习新修订的条例", "政治生日活动"],
    "org_life_meeting": ["年度组织生活会：对照检查、批评与自我批评"],
    "democratic_review": ["年度民主评议党员"],
    "heart_talk": ["支委与党员谈心谈话"],
}
PLACES = ["党员活动室", "村委会会议室", "党群服务中心", "社区活动中心", "单位会议室"]
ATTENDANCE_KINDS = {"branch_congress", "theme_day", "org_life_meeting", "democratic_review"}


def _day(rng, first: dt.date, last: dt.date) -> dt.date:
    return first + dt.timedelta(days=rng.randrange((last - first).days + 1))


def load_meetings(seed: int, today: dt.date, orgs: list, members_by_org: dict) -> int:
    """Meetings from 1 January of last year up to `today` for every branch in `orgs`."""
    rng = random.Random(f"orglife-{seed}")
    late_days = value(records.LATE_ENTRY_DAYS)
    meetings, attendance_specs = [], []
    for org in orgs:
        if org.org_type not in BRANCH_TYPES:
            continue
        diligence = rng.choice([0.97] * 6 + [0.85] * 3 + [0.55])  # a few branches slip often
        for year in (today.year - 1, today.year):
            for req in rules.requirements_for(org.org_type, org.direct_full, False, on=dt.date(year, 12, 31)):
                for label in rules.periods_in(year, req.period, through=today):
                    first, last = rules.period_bounds(label)
                    last = min(last, today - dt.timedelta(days=1))
                    if last < first or rng.random() > diligence:
                        continue
                    held = _day(rng, first, last)
                    late = rng.random() < 0.04
                    created = held + dt.timedelta(days=late_days + 5 if late else rng.randrange(0, 4))
                    m = Meeting(org=org, org_path=org.path, kind=req.kind, held_on=held, topic=rng.choice(TOPICS[req.kind]),
                                place=rng.choice(PLACES), late_entry=late and created <= today)
                    meetings.append(m)
                    if req.kind in ATTENDANCE_KINDS and (today - held).days <= 400:
                        attendance_specs.append((m, members_by_org.get(org.pk, [])))
    Meeting.objects.bulk_create(meetings, batch_size=2000)
    rows = []
    for m, people in attendance_specs:
        for member in people:
            r = rng.random()
            if r < 0.86:
                rows.append(Attendance(meeting=m, member=member, status="present"))
            elif r < 0.96:
                rows.append(Attendance(meeting=m, member=member, status="leave",
                                       reason=rng.choice(["外出务工", "因病", "值班", "照顾家人"])))
            else:
                rows.append(Attendance(meeting=m, member=member, status="absent"))
    Attendance.objects.bulk_create(rows, batch_size=5000)
    return len(meetings)
