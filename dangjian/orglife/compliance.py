"""Compliance of organization life with the 支部工作条例 frequencies (dangjian.rules.meetings).

Set-based: one query for the branches of the subtree (with their full-member counters), one GROUP BY over the
subtree's meetings of the year; the per-branch rows are assembled in memory from those two results, so the
number of queries does not grow with the number of branches.
"""

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

from django.db import connections, transaction
from django.db.models import Count, Q
from django.utils import timezone

from dangjian.orgs.models import BRANCH_TYPES, Org
from dangjian.rules import meetings as rules

from .models import Meeting


@dataclass(slots=True)  # millions of rows for a province: slots make them smaller and quicker to build
class Row:
    org: str
    org_name: str
    requirement: str
    period: str
    required: int
    held: int
    ok: bool
    status: str  # ok | missed | due (under way, not yet met)
    hard: bool
    path: str = ""  # the branch's tree path, for roll-ups by committee (rates_by_org)

    def contract(self) -> dict:
        return {"org": self.org, "requirement": self.requirement, "period": self.period,
                "required": self.required, "held": self.held, "ok": self.ok}


@lru_cache(maxsize=256)
def _periods(year: int, period: str, through: dt.date, month: int | None) -> tuple:
    """(label, first month, last month, last day) of the periods under way or ended on `through`, only those
    containing `month` when given."""
    out = []
    for label in rules.periods_in(year, period, through=through):
        first, last = rules.period_bounds(label)
        if month is None or first.month <= month <= last.month:
            out.append((label, first.month, last.month, last))
    return tuple(out)


def _inputs(org: Org, year: int, today: dt.date, org_ids=None):
    """The branches of the subtree (or those of `org_ids`) and their meeting counts of the year per kind and
    month: two queries."""
    branches = (Org.objects.filter(path__startswith=org.path, org_type__in=BRANCH_TYPES)
                .values_list("id", "code", "name", "org_type", "direct_full", "path").order_by("path"))
    meetings = Meeting.objects.filter(org_path__startswith=org.path, held_on__gte=dt.date(year, 1, 1),
                                      held_on__lte=dt.date(year, 12, 31))
    if org_ids is not None:
        branches = branches.filter(id__in=org_ids)
        meetings = meetings.filter(org_id__in=org_ids)
    # One GROUP BY (org, kind) over the subtree's meetings of the year (index org_path, kind, held_on), pivoted
    # into twelve monthly counts: every period is a run of whole calendar months, and one row per branch and
    # kind keeps the result small however many meetings there are.
    # The months are date ranges (EXTRACT(MONTH) is a numeric function per row and month on PostgreSQL).
    months = {f"m{m}": Count("id", filter=Q(held_on__gte=dt.date(year, m, 1),
                                            held_on__lt=dt.date(year + m // 12, m % 12 + 1, 1)))
              for m in range(1, 13)}
    grouped = meetings.values_list("org_id", "kind").annotate(**months).order_by()
    return branches, {(row[0], row[1]): row[2:] for row in _fetch(grouped)}


def _fetch(qs) -> list[tuple]:
    """The rows of a values_list query read on a plain cursor. For a city (20,000+ rows of 14 columns) the ORM's
    row handling costs half as much again as the query itself; and on PostgreSQL the aggregate runs without JIT,
    whose compilation (~60 ms on a city) costs more than it saves here and makes no difference on a province."""
    conn = connections[qs.db]
    sql, params = qs.query.get_compiler(using=qs.db).as_sql()
    postgres = conn.vendor == "postgresql"
    # savepoint=False: inside a transaction this adds nothing; outside it, the SET LOCAL's transaction.
    with transaction.atomic(using=qs.db, savepoint=False), conn.cursor() as cur:
        if postgres:
            cur.execute("SET LOCAL jit = off")
        cur.execute(sql, params)
        return cur.fetchall()


def _requirements(through: dt.date):
    """Requirements depend only on the org type and whether a committee exists: computed once per pair."""
    reqs: dict[tuple[str, bool], list] = {}

    def of(org_type: str, direct_full: int) -> list:
        key = (org_type, rules.has_committee_by_size(direct_full))
        if key not in reqs:
            # has_groups: 党小组 are not registered yet, so 党小组会 is not required of anyone.
            reqs[key] = rules.requirements_for(org_type, direct_full, False, on=through, has_committee=key[1])
        return reqs[key]

    return of


NONE = (0,) * 12


def compliance(org: Org, year: int, month: int | None = None, *, today: dt.date | None = None,
               org_ids=None) -> list[Row]:
    """Every (branch, requirement, period) of the subtree of `org` (or only of the branches `org_ids`)."""
    today = today or timezone.localdate()
    through = min(today, dt.date(year, 12, 31))
    if dt.date(year, 1, 1) > today:
        return []
    branches, counts = _inputs(org, year, today, org_ids)
    requirements = _requirements(through)
    out: list[Row] = []
    for org_id, code, name, org_type, direct_full, path in branches:
        for req in requirements(org_type, direct_full):
            per_month = counts.get((org_id, req.kind), NONE)
            for label, first, last, last_day in _periods(year, req.period, through, month):
                held = sum(per_month[first - 1:last])
                ok = held >= req.count
                status = "ok" if ok else ("due" if last_day >= today else "missed")
                out.append(Row(org=code, org_name=name, requirement=req.kind, period=label, required=req.count,
                               held=held, ok=ok, status=status, hard=req.hard, path=path))
    return out


@dataclass(slots=True)
class BranchTally:
    """One branch's finished requirement-periods of a year: how many, how many met (rows not built)."""

    id: int
    code: str
    name: str
    path: str
    met: int
    finished: int

    @property
    def missed(self) -> int:
        return self.finished - self.met


def tallies(org: Org, year: int, *, today: dt.date | None = None) -> list[BranchTally]:
    """What `compliance` would count per branch (ok and finished rows), without building its rows: the grid
    page of a city ranks thousands of branches but draws a hundred."""
    today = today or timezone.localdate()
    through = min(today, dt.date(year, 12, 31))
    if dt.date(year, 1, 1) > today:
        return []
    branches, counts = _inputs(org, year, today)
    requirements = _requirements(through)
    out: list[BranchTally] = []
    for org_id, code, name, org_type, direct_full, path in branches:
        met = finished = 0
        for req in requirements(org_type, direct_full):
            per_month = counts.get((org_id, req.kind), NONE)
            for _label, first, last, last_day in _periods(year, req.period, through, None):
                ok = sum(per_month[first - 1:last]) >= req.count
                if ok or last_day < today:  # a period under way and not yet met is not counted
                    finished += 1
                    met += ok
        out.append(BranchTally(org_id, code, name, path, met, finished))
    return out


def as_contract(org: Org, year: int, rows: list[Row]) -> dict:
    return {"org": org.code, "year": year, "results": [r.contract() for r in rows]}


def rate(rows: list[Row]) -> float | None:
    """Share of finished requirement-periods that were met (periods under way are not counted)."""
    done = [r for r in rows if r.status != "due"]
    return None if not done else sum(r.ok for r in done) / len(done)


def rates_by_org(org: Org, rows: list[Row]) -> dict[str, dict]:
    """The compliance rate of every organization in `org`'s subtree that has branches: for each, the finished
    requirement-periods of all branches below it (or of itself, for a branch), how many were met, and the share —
    the figure later assessments use."""
    per_branch: dict[str, list[int]] = {}
    for r in rows:
        m = per_branch.setdefault(r.path, [0, 0])
        if r.status != "due":
            m[0] += r.ok
            m[1] += 1
    return rates_from_branches(org, per_branch)


def rates_from_tallies(org: Org, tallies: list[BranchTally]) -> dict[str, dict]:
    """rates_by_org from `tallies` instead of rows."""
    return rates_from_branches(org, {t.path: [t.met, t.finished] for t in tallies})


def rates_from_branches(org: Org, per_branch: dict[str, list[int]]) -> dict[str, dict]:
    """The roll-up of {branch path: [met, finished]}: one query for the organizations; it walks each branch's
    path prefixes, not each row's."""
    step = Org.steplen
    met: dict[str, list[int]] = {}
    branch_counts: dict[str, int] = {}
    for path, (ok, done) in per_branch.items():
        for end in range(len(org.path), len(path) + 1, step):
            m = met.setdefault(path[:end], [0, 0])
            m[0] += ok
            m[1] += done
            branch_counts[path[:end]] = branch_counts.get(path[:end], 0) + 1
    out = {}
    for code, name, path, depth in (Org.objects.filter(path__startswith=org.path)
                                    .values_list("code", "name", "path", "depth").iterator(chunk_size=5000)):
        if path not in branch_counts:  # no branch below: nothing to rate
            continue
        ok, done = met.get(path, [0, 0])
        out[code] = {"code": code, "name": name, "path": path, "depth": depth, "met": ok, "finished": done,
                     "missed": done - ok, "branches": branch_counts[path], "rate": ok / done if done else None}
    return out


__all__ = ["BranchTally", "Row", "as_contract", "compliance", "rate", "rates_by_org", "rates_from_tallies", "tallies"]
