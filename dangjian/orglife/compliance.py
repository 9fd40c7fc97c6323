"""Compliance of organization life with the 支部工作条例 frequencies (dangjian.rules.meetings).

Set-based: one query for the branches of the subtree (with their full-member counters), one GROUP BY over the
subtree's meetings of the year; the per-branch rows are assembled in memory from those two results, so the
number of queries does not grow with the number of branches.
"""

import datetime as dt
from collections import Counter
from dataclasses import asdict, dataclass

from django.utils import timezone

from dangjian.orgs.models import BRANCH_TYPES, Org
from dangjian.rules import meetings as rules

from .models import Meeting


@dataclass
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

    def contract(self) -> dict:
        return {"org": self.org, "requirement": self.requirement, "period": self.period,
                "required": self.required, "held": self.held, "ok": self.ok}


def compliance(org: Org, year: int, month: int | None = None, *, today: dt.date | None = None) -> list[Row]:
    today = today or timezone.localdate()
    through = min(today, dt.date(year, 12, 31))
    if dt.date(year, 1, 1) > today:
        return []
    branches = list(Org.objects.filter(path__startswith=org.path, org_type__in=BRANCH_TYPES)
                    .only("id", "code", "name", "org_type", "direct_full").order_by("path"))
    counts: Counter = Counter()
    rows = (Meeting.objects.filter(org_path__startswith=org.path, held_on__year=year, org__org_type__in=BRANCH_TYPES)
            .values_list("org_id", "kind", "held_on"))
    for org_id, kind, held_on in rows.iterator(chunk_size=5000):
        counts[(org_id, kind, held_on.month)] += 1
    out: list[Row] = []
    for b in branches:
        # has_groups: 党小组 are not registered yet, so 党小组会 is not required of anyone (see the note).
        for req in rules.requirements_for(b.org_type, b.direct_full, False, on=through):
            for label in rules.periods_in(year, req.period, through=through):
                first, last = rules.period_bounds(label)
                if month is not None and not (first.month <= month <= last.month):
                    continue
                held = sum(counts[(b.id, req.kind, m)] for m in range(first.month, last.month + 1))
                ok = held >= req.count
                status = "ok" if ok else ("due" if last >= today else "missed")
                out.append(Row(org=b.code, org_name=b.name, requirement=req.kind, period=label, required=req.count,
                               held=held, ok=ok, status=status, hard=req.hard))
    return out


def as_contract(org: Org, year: int, rows: list[Row]) -> dict:
    return {"org": org.code, "year": year, "results": [r.contract() for r in rows]}


def rate(rows: list[Row]) -> float | None:
    """Share of finished requirement-periods that were met (periods under way are not counted)."""
    done = [r for r in rows if r.status != "due"]
    return None if not done else sum(r.ok for r in done) / len(done)


__all__ = ["Row", "compliance", "as_contract", "rate", "asdict"]
