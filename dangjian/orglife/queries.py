"""Reads of organization-life data shared by pages and reports."""

import datetime as dt

from django.db.models import Count, Q

from dangjian.orgs.models import BRANCH_TYPES, CommitteeMember

from .models import Attendance, Meeting

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
