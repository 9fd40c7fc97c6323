"""A few 流动党员, a 失联 follow-up, a pending 停止党籍 case and a 限期改正 case in the demo city, so the pages of
issue 6 have something to show. Written through members.actions by the demo's secretary1 (approvals are left to
the committee above, for a visitor to try)."""

import datetime as dt

from django.utils import timezone

from dangjian.accounts.models import Grant
from dangjian.members import actions
from dangjian.members.choices import Status
from dangjian.members.models import Member
from dangjian.orgs.models import BRANCH_TYPES, Org
from dangjian.rules.base import add_months


def load_member_life(today: dt.date) -> dict:
    today = min(today, timezone.localdate())
    grant = Grant.objects.filter(user__username="secretary1", role="secretary").select_related("org", "user").first()
    if grant is None:
        return {"mobile_members": 0, "status_cases": 0, "disposal_cases": 0}
    by = grant.user
    people = list(Member.objects.filter(org=grant.org, status=Status.NORMAL, user__isnull=True)
                  .exclude(committee_roles__isnull=False).order_by("id")[:4])
    if len(people) < 4:
        return {"mobile_members": 0, "status_cases": 0, "disposal_cases": 0}
    elsewhere = (Org.objects.filter(org_type__in=BRANCH_TYPES).exclude(path__startswith=grant.org.path[:-Org.steplen])
                 .order_by("path").first())
    a, b, c, d = people
    actions.register_mobile(a, destination="广东省深圳市南山区（务工）", since=add_months(today, -8), contact="13800138000",
                            certificate_no="流动证2025-0001", receiving_org=elsewhere,
                            receiving_name="" if elsewhere else "深圳市南山区某园区党委", by=by)
    actions.register_mobile(b, destination="浙江省杭州市（经商，地点不固定）", since=add_months(today, -3),
                            contact="13900139000", fixed_place=False, receiving_name="杭州市某商会党支部", by=by)
    actions.record_follow_up(c, contacted_on=today - dt.timedelta(days=20), method="电话", outcome="unreached",
                             note="电话停机，已托亲属转告", by=by)
    actions.request_status_change(c, kind="suspend", effective_on=today - dt.timedelta(days=2), by=by,
                                  reason="失去联系6个月以上，经电话、上门、委托亲属多方联系仍无法取得联系")
    actions.open_disposal(d, decided_on=add_months(today, -2), deadline=add_months(today, 4), by=by,
                          reason="连续两年民主评议被评为不合格，经教育仍无明显转变")
    return {"mobile_members": 2, "status_cases": 1, "disposal_cases": 1}
