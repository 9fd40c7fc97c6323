"""软弱涣散排查: the organizations below a committee that meet one of the numeric 直接认定 criteria the platform can
check from its own records (dangjian/rules/assessments.py):

- 书记出缺: the current term (the latest elected before the day) has had no serving secretary for more than
  `secretary_vacancy_months` (since the last secretary of the term left, or since the election if none was recorded).
  An organization with no term recorded is not judged: its committee is simply not entered yet;
- 组织生活: in the finished periods of the year (orglife.compliance), a requirement the 支部工作条例 states firmly
  missed once, or those it states as 一般 missed in `orglife_soft_missed_periods` periods together;
- 发展党员: a rural (农村) branch where nobody became 发展对象 in the last `no_candidate_years` calendar years up to
  the year screened.

A screening is a list to look at, not a verdict: the committee decides (services.identify) and may tick situations
the platform cannot see (班子不团结, 宗族势力 …). Each criterion is one query over the subtree (or the compliance
engine's own), grouped in Python by organization.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Max
from django.utils import timezone

from dangjian.orglife.compliance import compliance
from dangjian.orgs.models import BRANCH_TYPES, CommitteeMember, Domain, Org, Position, Term
from dangjian.recruitment.models import Applicant
from dangjian.rules import assessments as rules
from dangjian.rules.base import add_months, value
from dangjian.rules.meetings import KINDS

# The criteria the screening checks, for the page's filter.
CRITERIA = (("secretary", "书记出缺"), ("orglife", "组织生活"), ("recruitment", "发展党员"))


@dataclass
class Finding:
    code: str  # secretary | orglife | recruitment
    message: str
    source: str


@dataclass
class Suspect:
    org: Org
    findings: list[Finding] = field(default_factory=list)


def screen(root: Org, year: int, *, today: dt.date | None = None, include_root: bool = False) -> list[Suspect]:
    """The organizations below `root` (and `root` itself with `include_root`) meeting a criterion in `year` (up to
    today), in tree order."""
    today = today or timezone.localdate()
    on = min(today, dt.date(year, 12, 31))
    found: dict[int, list[Finding]] = {}
    for org_id, f in [*_secretary_vacancies(root, on), *_orglife(root, year, today), *_no_candidates(root, year, on)]:
        found.setdefault(org_id, []).append(f)
    orgs = Org.objects.filter(pk__in=found).order_by("path")
    if not include_root:
        orgs = orgs.exclude(pk=root.pk)
    return [Suspect(o, found[o.pk]) for o in orgs]


def _secretary_vacancies(root: Org, on: dt.date):
    months = value(rules.SECRETARY_VACANCY_MONTHS)
    cutoff = add_months(on, -months)
    # The current term of each organization of the subtree: the latest elected on or before the day.
    latest = dict(Term.objects.filter(org__path__startswith=root.path, elected_on__lte=on).values("org_id")
                  .annotate(d=Max("elected_on")).values_list("org_id", "d"))
    if not latest:
        return
    terms = {t.org_id: t for t in Term.objects.filter(org_id__in=latest, elected_on__in=set(latest.values()))
             if latest.get(t.org_id) == t.elected_on}
    serving: set[int] = set()
    last_left: dict[int, dt.date] = {}
    for term_id, started, ended in CommitteeMember.objects.filter(
            term__in=[t.pk for t in terms.values()], position=Position.SECRETARY).values_list(
            "term_id", "started_on", "ended_on"):
        if started <= on and (ended is None or ended > on):
            serving.add(term_id)
        elif ended is not None and ended <= on:
            last_left[term_id] = max(last_left.get(term_id, ended), ended)
    for org_id, term in terms.items():
        if term.pk in serving:
            continue
        since = last_left.get(term.pk, term.elected_on)
        if since < cutoff:  # 超过: more than the months, not the day they are reached
            how = f"{since:%Y年%m月%d日}原书记离任后" if term.pk in last_left else f"{term.elected_on:%Y年%m月%d日}换届以来"
            yield org_id, Finding("secretary", f"书记出缺：{how}未配备书记，已超过{months}个月",
                                  rules.SECRETARY_VACANCY_MONTHS.source)


def _orglife(root: Org, year: int, today: dt.date):
    soft_limit = value(rules.ORGLIFE_SOFT_MISSED_PERIODS)
    missed: dict[str, dict[str, list[str]]] = {}
    hard: set[str] = set()
    for row in compliance(root, year, today=today):
        if row.status == "missed":
            missed.setdefault(row.path, {}).setdefault(row.requirement, []).append(row.period)
            if row.hard:
                hard.add(row.path)
    flagged = {p: kinds for p, kinds in missed.items()
               if p in hard or sum(len(periods) for periods in kinds.values()) >= soft_limit}
    if not flagged:
        return
    ids = dict(Org.objects.filter(path__in=flagged).values_list("path", "pk"))
    for path, kinds in flagged.items():
        parts = [f"{KINDS[k]}{_periods(p)}" for k, p in kinds.items()]
        source = rules.ORGLIFE_SOURCE if path in hard else f"{rules.ORGLIFE_SOURCE}；{rules.ORGLIFE_SOFT_MISSED_PERIODS.source}"
        yield ids[path], Finding("orglife", f"组织生活未按规定开展：{'；'.join(parts)}未达到规定次数", source)


def _periods(labels: list[str]) -> str:
    """2026-Q2, 2026-Q3 -> （第2、3季度）; 2026-03 -> （3月）; 2026 -> （全年）."""
    quarters = [label.split("-Q")[1] for label in labels if "-Q" in label]
    months = [str(int(label.split("-")[1])) for label in labels if "-" in label and "-Q" not in label]
    if quarters:
        return f"（第{'、'.join(quarters)}季度）"
    if months:
        return f"（{'、'.join(months)}月）"
    return "（全年）"


def _no_candidates(root: Org, year: int, on: dt.date):
    years = value(rules.NO_CANDIDATE_YEARS)
    first = dt.date(year - years + 1, 1, 1)
    branches = Org.objects.filter(path__startswith=root.path, org_type__in=BRANCH_TYPES, domain=Domain.RURAL,
                                  founded_on__isnull=True) | Org.objects.filter(
        path__startswith=root.path, org_type__in=BRANCH_TYPES, domain=Domain.RURAL, founded_on__lt=first)
    with_candidates = Applicant.objects.filter(org_path__startswith=root.path, candidate_on__gte=first,
                                               candidate_on__lte=on).values("org_id")
    for org_id in branches.exclude(pk__in=with_candidates).values_list("pk", flat=True):
        yield org_id, Finding("recruitment", f"发展党员：{first.year}年至{year}年连续{years}年没有确定发展对象的记录",
                              rules.NO_CANDIDATE_YEARS.source)
