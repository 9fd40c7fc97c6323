"""党内统计: the members and organizations of a subtree counted as the 党内统计 tables count them (rules-reference §8).

One statement per table, set-based over the tree: the members of the subtree grouped by the direct child of the
chosen organization they sit under (`substr(org_path, 1, len + 4)`), every column a `COUNT(*) FILTER (WHERE …)`.
Today's figures read the registry; an earlier reference date reads the history versions as they stood at the end
of that day (the member list's `as_of`, `members.queries.member_list`), so a year's report can be drawn after the
year has ended. Members are counted when their 党籍 is 正常, by the branch holding their formal 组织关系 (填报说明
[S75]). Ages are taken at the reference date, for the age bands and for 发展党员 "35岁及以下" alike.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.db.models.functions import Substr
from django.utils import timezone

from dangjian.core.dates import add_years
from dangjian.core.scope import scope_for
from dangjian.members.choices import AGE_BANDS, COLLEGE_OR_ABOVE, Category, Education, Gender
from dangjian.members.queries import MemberFilter, member_list
from dangjian.orgs.models import Org, OrgType
from dangjian.orgs.queries import grant_top_org, org_in_grant_view
from dangjian.rules import statistics as rules

# Beyond this many direct children the table lists the largest ones and sums the rest into one row.
MAX_ROWS = 300


@dataclass(frozen=True)
class Column:
    key: str
    label: str


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    columns: tuple[Column, ...]


def _sections() -> tuple[Section, ...]:
    return (
        Section("basic", "党组织和党员基本情况", (
            Column("committees", "党委"), Column("work_committees", "党工委"), Column("general_branches", "党总支"),
            Column("branches", "党支部"),
            Column("total", "党员总数"), Column("full", "正式党员"), Column("probationary", "预备党员"),
            Column("female", "女党员"), Column("minority", "少数民族"), Column("college", "大专及以上学历"))),
        Section("age", "党员年龄", tuple(Column(f"age_{key}", label) for key, label, _lo, _hi in AGE_BANDS)),
        Section("joined", "党员入党时间", tuple(Column(f"joined_{p.key}", p.label) for p in rules.JOIN_PERIODS)),
        Section("education", "党员学历", tuple(Column(f"edu_{value}", label) for value, label in Education.choices)),
        Section("year", "本年发展党员和预备党员转正", (
            Column("recruited", "发展党员"), Column("recruited_female", "其中女"),
            Column("recruited_minority", "其中少数民族"),
            Column("recruited_young", f"其中{rules.YOUNG_RECRUIT_MAX_AGE.value}岁及以下"),
            Column("recruited_college", "其中大专及以上学历"), Column("confirmed", "预备党员转正"))),
    )


SECTIONS = _sections()
ORG_KEYS = ("committees", "work_committees", "general_branches", "branches")
_BRANCH_TYPES = (OrgType.BRANCH, OrgType.JOINT_BRANCH, OrgType.TEMP_BRANCH)


@dataclass
class Row:
    org: Org | None  # the direct child (None: the chosen organization itself, or the rows folded together)
    label: str
    counts: dict[str, int]
    own: bool = False  # the chosen organization itself (本级)


@dataclass
class Grid:
    section: Section
    rows: list[tuple[Row, list[int]]]
    total: list[int]


@dataclass
class Table:
    org: Org
    reference: dt.date  # the day counted (ages are taken on it; 本年 is its calendar year)
    historical: bool  # read from the history versions (a day before today)
    rows: list[Row]
    total: dict[str, int]
    folded: int = 0  # children summed into the last row beyond MAX_ROWS
    sections: tuple[Section, ...] = field(default=SECTIONS)

    def share(self, key: str) -> float | None:
        """A column's share of 党员总数, in per cent with one decimal; None when there is no member."""
        total = self.total.get("total", 0)
        return round(self.total.get(key, 0) * 100 / total, 1) if total else None

    @property
    def shares(self) -> dict[str, float | None]:
        return {k: self.share(k) for k in ("female", "minority", "college")}

    def grids(self) -> list[Grid]:
        """Each section's cells, row by row, for a template or a sheet. The 本级 row (the organization itself) is
        left out where it says nothing the 合计 does not: when it is the only row (a branch), and outside the
        organizations' section when no member sits there (a committee counts itself as one 党委, nothing else)."""
        out = []
        for s in self.sections:
            rows = [r for r in self.rows if not (r.own and (len(self.rows) == 1 or (
                s.key != "basic" and not r.counts["total"])))]
            out.append(Grid(s, [(r, [r.counts[c.key] for c in s.columns]) for r in rows],
                            [self.total[c.key] for c in s.columns]))
        return out

    @property
    def young(self) -> int:
        """Members aged 35 or under (the first two age bands)."""
        return sum(self.total.get(f"age_{key}", 0) for key, _l, _lo, hi in AGE_BANDS if hi <= 35)

    @property
    def org_total(self) -> int:
        return sum(self.total.get(k, 0) for k in ORG_KEYS)


class ReportError(ValueError):
    """A Chinese message about a bad parameter (the reference date)."""


org_in_view = org_in_grant_view  # a plain member's own branch does not count: its figures are not theirs to read
default_org = grant_top_org


def parse_reference(text: str | None, today: dt.date | None = None) -> dt.date:
    """The reference date of a request: empty means today; a later day than today is refused."""
    today = today or timezone.localdate()
    text = (text or "").strip()
    if not text:
        return today
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise ReportError(f"统计截止日期“{text}”无效，请用2025-12-31的格式") from None
    if day > today:
        raise ReportError(f"统计截止日期{day.isoformat()}在今天之后，请选择今天或以前的日期")
    return day


def _member_counts(ref: dt.date) -> dict:
    year_start = dt.date(ref.year, 1, 1)
    full = Q(category=Category.FULL)
    female = Q(gender=Gender.FEMALE)
    minority = ~Q(ethnicity="汉族")
    college = Q(education__in=COLLEGE_OR_ABOVE)
    recruited = Q(joined_on__gte=year_start, joined_on__lte=ref)
    young = Q(birth_date__gt=add_years(ref, -(rules.YOUNG_RECRUIT_MAX_AGE.value + 1)))
    out = {
        "total": Count("id"), "full": Count("id", filter=full), "probationary": Count("id", filter=~full),
        "female": Count("id", filter=female), "minority": Count("id", filter=minority),
        "college": Count("id", filter=college),
    }
    for key, _label, lo, hi in AGE_BANDS:
        # age on `ref` in [lo, hi]  <=>  born after ref - (hi + 1) years and on or before ref - lo years
        out[f"age_{key}"] = Count("id", filter=Q(birth_date__gt=add_years(ref, -(hi + 1)),
                                                 birth_date__lte=add_years(ref, -lo)))
    for p in rules.JOIN_PERIODS:
        q = Q()
        if p.start is not None:
            q &= Q(joined_on__gte=p.start)
        if p.end is not None:
            q &= Q(joined_on__lt=p.end)
        out[f"joined_{p.key}"] = Count("id", filter=q)
    for value, _label in Education.choices:
        out[f"edu_{value}"] = Count("id", filter=Q(education=value))
    out |= {
        "recruited": Count("id", filter=recruited), "recruited_female": Count("id", filter=recruited & female),
        "recruited_minority": Count("id", filter=recruited & minority),
        "recruited_young": Count("id", filter=recruited & young),
        "recruited_college": Count("id", filter=recruited & college),
        "confirmed": Count("id", filter=Q(confirmed_on__gte=year_start, confirmed_on__lte=ref)),
    }
    return out


def _org_counts() -> dict:
    return {
        "committees": Count("id", filter=Q(org_type=OrgType.COMMITTEE)),
        "work_committees": Count("id", filter=Q(org_type=OrgType.WORK_COMMITTEE)),
        "general_branches": Count("id", filter=Q(org_type=OrgType.GENERAL_BRANCH)),
        "branches": Count("id", filter=Q(org_type__in=_BRANCH_TYPES)),
    }


def _orgs(user, org: Org, ref: dt.date, historical: bool):
    """The organizations of the subtree as they stood at the end of `ref` (history versions) or today."""
    if not historical:
        return Org.objects.restrict(user, "view").filter(path__startswith=org.path)
    end = timezone.make_aware(dt.datetime.combine(ref, dt.time.max))
    qs = Org.history.filter(history_date__lte=end, path__startswith=org.path).latest_of_each().exclude(
        history_type="-")
    if not scope_for(user).everything:
        qs = qs.filter(id__in=Org.objects.restrict(user, "view").values("id"))
    return qs


def member_table(user, org: Org, reference: dt.date | None = None) -> Table:
    """The tables of `org`'s subtree on `reference` (today when None), a row per direct child in the user's view."""
    today = timezone.localdate()
    ref = reference or today
    historical = ref < today
    n = len(org.path) + Org.steplen
    members = member_list(user, MemberFilter(org=org, as_of=ref if historical else None))
    by_unit: dict[str, dict[str, int]] = {}
    for r in (members.order_by().annotate(unit=Substr("org_path", 1, n)).values("unit")
              .annotate(**_member_counts(ref))):
        by_unit[r.pop("unit")] = r
    for r in (_orgs(user, org, ref, historical).order_by().annotate(unit=Substr("path", 1, n)).values("unit")
              .annotate(**_org_counts())):
        by_unit.setdefault(r.pop("unit"), {}).update(r)
    keys = [c.key for s in SECTIONS for c in s.columns]
    children = {c.path: c for c in Org.objects.restrict(user, "view").filter(path__startswith=org.path,
                                                                         depth=org.depth + 1).order_by("path")}
    rows: list[Row] = []
    if org.path in by_unit:
        rows.append(Row(None, "本级", _full(by_unit.pop(org.path), keys), own=True))
    units = sorted(set(children) | set(by_unit))
    folded = 0
    if len(units) > MAX_ROWS:
        units.sort(key=lambda u: -by_unit.get(u, {}).get("total", 0))
        units, rest = sorted(units[:MAX_ROWS]), units[MAX_ROWS:]
        folded = len(rest)
    for unit in units:
        child = children.get(unit)
        rows.append(Row(child, child.name if child else "（已撤销或已调整的党组织）", _full(by_unit.get(unit, {}), keys)))
    if folded:
        rest_counts = {k: sum(by_unit.get(u, {}).get(k, 0) for u in rest) for k in keys}
        rows.append(Row(None, f"其余{folded}个党组织", rest_counts))
    total = {k: sum(r.counts[k] for r in rows) for k in keys}
    return Table(org=org, reference=ref, historical=historical, rows=rows, total=total, folded=folded)


def _full(counts: dict, keys: list[str]) -> dict[str, int]:
    return {k: int(counts.get(k) or 0) for k in keys}


def as_json(t: Table) -> dict:
    """The tables as the API and `dangjian stats --format json` give them."""
    return {
        "org": t.org.code, "org_name": t.org.name, "as_of": t.reference.isoformat(), "historical": t.historical,
        "sections": [{"key": s.key, "title": s.title, "columns": [{"key": c.key, "label": c.label} for c in s.columns]}
                     for s in t.sections],
        "rows": [{"org": r.org.code if r.org else None, "name": r.label, "counts": r.counts} for r in t.rows],
        "total": t.total, "folded": t.folded,
    }
