"""Reads of the recruitment pipeline shared by the pages and the API. Everything starts from `restrict`.

- `board(user, org)`: how many files of the subtree are at each stage, and how many of the open ones are
  overdue or due within `DUE_WINDOW_DAYS` — one GROUP BY over the subtree's path range;
- `due(user, org)`: the open files whose next deadline (kept on the file by the actions) has passed or comes
  within the window, earliest first, bounded;
- `plans(user, …)`: the 发展计划 with their use (files admitted by a 支部大会 that year in the subtree) as a
  correlated subquery, so a page of plans is one query.
"""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from dangjian.orgs.models import Org
from dangjian.orgs.queries import grant_top_org, org_in_grant_view

from .models import OPEN_STAGES, Applicant, RecruitmentPlan, Stage

DUE_WINDOW_DAYS = 30
DUE_LIMIT = 100


# A file's board and plans are read inside a grant's view scope (a plain member sees their branch, not its files).
org_in_view = org_in_grant_view
default_org = grant_top_org


def files(user, org: Org | None = None, *, stage: str = "") -> QuerySet:
    qs = Applicant.objects.restrict(user, "view")
    if org is not None:
        qs = qs.in_subtree(org)
    if stage:
        qs = qs.filter(stage=stage)
    return qs.select_related("org")


@dataclass
class Board:
    org: Org
    stages: list[dict]  # [{"stage", "label", "count"}] in pipeline order
    open_total: int
    overdue: int
    due_soon: int
    today: dt.date


def board(user, org: Org, today: dt.date | None = None) -> Board:
    today = today or timezone.localdate()
    soon = today + dt.timedelta(days=DUE_WINDOW_DAYS)
    is_open = Q(stage__in=OPEN_STAGES)
    rows = (files(user, org).order_by().values("stage").annotate(
        n=Count("id"),
        overdue=Count("id", filter=is_open & Q(next_due_on__lt=today)),
        soon=Count("id", filter=is_open & Q(next_due_on__gte=today, next_due_on__lte=soon)),
    ))
    by_stage = {r["stage"]: r for r in rows}
    stages = [{"stage": s.value, "label": s.label, "count": by_stage.get(s.value, {}).get("n", 0)} for s in Stage]
    return Board(
        org=org, stages=stages, today=today,
        open_total=sum(r["n"] for s, r in by_stage.items() if s in OPEN_STAGES),
        overdue=sum(r["overdue"] for r in by_stage.values()),
        due_soon=sum(r["soon"] for r in by_stage.values()),
    )


def due(user, org: Org, today: dt.date | None = None, limit: int = DUE_LIMIT) -> list[Applicant]:
    """Open files whose next deadline has passed or comes within the window, earliest first."""
    today = today or timezone.localdate()
    soon = today + dt.timedelta(days=DUE_WINDOW_DAYS)
    out = list(files(user, org).open().filter(next_due_on__lte=soon).order_by("next_due_on", "id")[:limit])
    for a in out:
        a.overdue = a.next_due_on < today
    return out


def plan_use_subquery():
    """How many files of the plan's subtree had their 支部大会 (became 预备党员) in the plan's year."""
    admitted = (Applicant.objects.filter(org_path__startswith=OuterRef("org_path"),
                                         congress_on__year=OuterRef("year"))
                .order_by().values("congress_on__year").annotate(n=Count("id")).values("n"))
    return Coalesce(Subquery(admitted, output_field=IntegerField()), Value(0))


def plans(user, *, org: Org | None = None, year: int | None = None) -> QuerySet:
    qs = RecruitmentPlan.objects.restrict(user, "view")
    if org is not None:
        qs = qs.in_subtree(org)
    if year is not None:
        qs = qs.filter(year=year)
    return qs.select_related("org").annotate(used=plan_use_subquery()).order_by("-year", "org__path")
