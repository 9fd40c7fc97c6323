"""Reads of the 软弱涣散整顿台账 shared by the pages and the API; every one starts from `restrict`."""

from __future__ import annotations

from django.db.models import Count, Max, QuerySet

from dangjian.orgs.models import Org

from .models import Rectification

STATUS_FILTERS = {"open": "整顿中和待验收", "rectifying": "整顿中", "applied": "已申请摘牌", "lifted": "已摘牌", "all": "全部"}


def cases(user, org: Org | None = None, *, status: str = "open", year: int | None = None) -> QuerySet:
    qs = Rectification.objects.restrict(user, "view").select_related("org")
    if org is not None:
        qs = qs.filter(org_path__startswith=org.path)
    if status == "open":
        qs = qs.exclude(status=Rectification.Status.LIFTED)
    elif status in Rectification.Status.values:
        qs = qs.filter(status=status)
    if year:
        qs = qs.filter(year=year)
    return qs.annotate(progress_count=Count("progress"), last_progress_on=Max("progress__on")).order_by(
        "org_path", "-year")


def open_by_org(user, org: Org) -> dict[int, Rectification]:
    """The open case of each organization of the subtree (for the screening's rows)."""
    return {r.org_id: r for r in cases(user, org, status="open")}
