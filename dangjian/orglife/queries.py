"""Reads of organization-life data shared by pages and reports."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, OuterRef, Q, Subquery
from django.utils import timezone

from dangjian.orgs.models import BRANCH_TYPES, CommitteeMember

from .models import Attendance, Filing, Meeting

# The meetings a leader attends in their own branch as an ordinary member (双重组织生活): 三会一课 and the yearly
# 组织生活会 / 民主评议.
DUAL_KINDS = ("branch_congress", "party_lecture", "theme_day", "org_life_meeting", "democratic_review")


def dual_life(org, year: int) -> list[dict]:
    """Leaders serving on the committees (党委, 党总支 …) of `org`'s subtree during `year` who are party members,
    with what their own branch held and what they attended (双重组织生活). Three queries for any size."""
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    leaders = list(
        CommitteeMember.objects.filter(term__org__path__startswith=org.path, member__isnull=False,
                                       started_on__lte=last)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=first))
        .exclude(term__org__org_type__in=BRANCH_TYPES)  # a 支委 is in their own branch already
        .select_related("term__org", "member__org").order_by("term__org__path", "position", "id"))
    if not leaders:
        return []
    branch_ids = {c.member.org_id for c in leaders}
    member_ids = {c.member_id for c in leaders}
    held = {(o, k): n for o, k, n in
            Meeting.objects.filter(org_id__in=branch_ids, kind__in=DUAL_KINDS, held_on__gte=first, held_on__lte=last)
            .values_list("org_id", "kind").annotate(n=Count("id")).order_by()}
    attended = {(m, k): n for m, k, n in
                Attendance.objects.filter(member_id__in=member_ids, status=Attendance.Status.PRESENT,
                                          meeting__kind__in=DUAL_KINDS, held_on__gte=first, held_on__lte=last)
                .values_list("member_id", "meeting__kind").annotate(n=Count("id")).order_by()}
    out, seen = [], set()
    for c in leaders:
        if (c.member_id, c.term.org_id) in seen:  # one row per person and committee (e.g. re-elected in the year)
            continue
        seen.add((c.member_id, c.term.org_id))
        cells = [{"kind": k, "held": held.get((c.member.org_id, k), 0), "attended": attended.get((c.member_id, k), 0)}
                 for k in DUAL_KINDS]
        org_life = cells[DUAL_KINDS.index("org_life_meeting")]
        out.append({"leader": c, "member": c.member, "committee": c.term.org, "branch": c.member.org, "cells": cells,
                    "missed_org_life": org_life["held"] > 0 and org_life["attended"] == 0})
    return out


# --- a member's own organization life (我的组织生活, and the member's home page) ------------------------------

@dataclass
class MyYear:
    meetings: list  # the branch's meetings of the year and any other the member was recorded at, newest first
    by_status: dict  # {"present": n, "leave": n, "absent": n}
    unrecorded: int  # meetings without the member's attendance

    @property
    def summary(self) -> dict:
        """{出席: n, 请假: n, 缺席: n}"""
        labels = dict(Attendance.Status.choices)
        return {labels[s]: n for s, n in self.by_status.items()}


def my_year(user, member, year: int) -> MyYear:
    """A member's own attendance over the year: their branch's meetings with their status, and any meeting elsewhere
    they were recorded at (e.g. before a transfer). Only the member's own attendance rows are read."""
    own = Attendance.objects.filter(member=member)
    mine_q = own.filter(meeting=OuterRef("pk"))
    # 支委会 concern committee members only: listed when the member was recorded at one, not as 未登记 otherwise.
    branch = Meeting.objects.restrict(user, "view").filter(org_id=member.org_id).exclude(kind="branch_committee")
    elsewhere = Meeting.objects.filter(pk__in=own.values("meeting_id"))  # the member's own rows, wherever held
    meetings = list((branch | elsewhere).filter(held_on__year=year).select_related("org")
                    .annotate(my_status=Subquery(mine_q.values("status")[:1]),
                              my_reason=Subquery(mine_q.values("reason")[:1]))
                    .order_by("-held_on", "-id"))
    labels = dict(Attendance.Status.choices)
    for m in meetings:
        m.my_label = labels.get(m.my_status, "未登记")
    by_status = {s: sum(m.my_status == s for m in meetings) for s in Attendance.Status.values}
    return MyYear(meetings, by_status, sum(m.my_status is None for m in meetings))


def todays_checkins(user, member) -> list:
    """Today's filed meetings of the member's branch whose check-in has opened, each with `mine` (checked in) and its
    check-in `token`: a member checks in from their pages as well as from the QR code."""
    from . import actions

    now, today = timezone.now(), timezone.localdate()
    todays = [f for f in Filing.objects.restrict(user, "view")
              .filter(org_id=member.org_id, planned_on=today, status=Filing.Status.FILED)
              .annotate(mine=Count("checkins", filter=Q(checkins__member=member)))
              if actions.checkin_window(f)[0] <= now]
    for f in todays:
        f.token = actions.checkin_token(f)
    return todays


def coming_filings(user, member, *, limit: int = 3) -> list:
    """The next filed (预约报备) meetings of the member's branch after today, soonest first."""
    return list(Filing.objects.restrict(user, "view")
                .filter(org_id=member.org_id, planned_on__gt=timezone.localdate(), status=Filing.Status.FILED)
                .exclude(kind="branch_committee").order_by("planned_on", "start_time", "id")[:limit])
