"""Organization life (三会一课 and the rest): what each branch must hold, how often, and period labels.

Main source: 《中国共产党支部工作条例（试行）》(中共中央 2018-10-28, cited as "支部条例"); status letters
as in ../shared/domain/rules-reference.md §1.1. Periods are calendar months, quarters and years, labelled
"2025-07", "2025-Q3" and "2025" as in the compliance JSON of CONTRACT.md.
"""

import datetime as dt
from dataclasses import dataclass

from .base import Rule, in_force, value
from .base import today as local_today

BRANCH_RULES_START = dt.date(2018, 10, 28)  # 支部条例 issued by the Centre

PERIODS = ("month", "quarter", "year")
PERIOD_LABELS = {"month": "每月", "quarter": "每季度", "year": "每年"}

# The meeting kinds of CONTRACT.md, in its order.
KINDS = {
    "branch_congress": "支部党员大会",
    "branch_committee": "支部委员会会议",
    "group_meeting": "党小组会",
    "party_lecture": "党课",
    "theme_day": "主题党日",
    "org_life_meeting": "组织生活会",
    "democratic_review": "民主评议党员",
    "heart_talk": "谈心谈话",
}

# Org types (orgs.models.OrgType values) the 支部条例 frequencies apply to. Kept as strings: rules
# import no models; tests check the set against orgs.models.BRANCH_TYPES.
BRANCH_ORG_TYPES = frozenset({"branch", "joint_branch", "temp_branch"})


@dataclass(frozen=True)
class Frequency:
    period: str  # "month" | "quarter" | "year"
    count: int  # at least this many per period; 0 switches a local requirement off

    def __str__(self) -> str:
        return f"{PERIOD_LABELS[self.period]}至少{self.count}次"


def _r(kind: str, period: str, count: int, source: str, *, hard: bool = False, local: bool = False,
       start: dt.date = BRANCH_RULES_START) -> Rule:
    return Rule(f"meetings.{kind}", Frequency(period, count), source, start, hard=hard, local=local)


# Each kind is a tuple of versions (see base.in_force); all current ones date from the 支部条例.
FREQUENCIES: dict[str, tuple[Rule, ...]] = {
    "branch_congress": (_r("branch_congress", "quarter", 1, "支部条例 第十一条：党员大会一般每季度召开1次 (V)"),),
    "branch_committee": (
        _r("branch_committee", "month", 1, "支部条例 第十二条：支部委员会会议一般每月召开1次 (V)"),
    ),
    "group_meeting": (_r("group_meeting", "month", 1, "支部条例 第十三条：党小组会一般每月召开1次 (V)"),),
    # The 条例 fixes no frequency for 党课; quarterly is the most common local rule (others: 2 or 4 a
    # year, 2 a semester), so it is a local setting: DANGJIAN_RULES["meetings.party_lecture"] =
    # {"period": "year", "count": 4}.
    "party_lecture": (
        _r("party_lecture", "quarter", 1,
           "支部条例 第十六条未定次数；各地多为每季度至少1次 (L)", local=True),
    ),
    "theme_day": (_r("theme_day", "month", 1, "支部条例 第十六条一带：每月相对固定1天开展主题党日 (S)"),),
    "org_life_meeting": (
        _r("org_life_meeting", "year", 1, "支部条例 第十七条：组织生活会每年至少召开1次 (V)", hard=True),
    ),
    "democratic_review": (
        _r("democratic_review", "year", 1, "支部条例、党员教育管理工作条例：民主评议党员一般每年开展1次 (V)"),
    ),
    # Pairwise in the text (委员之间、委员和党员之间、党员之间); counted here per branch. Some localities
    # ask for 2 a year.
    "heart_talk": (
        _r("heart_talk", "year", 1, "支部条例：谈心谈话每年一般不少于1次 (S)；部分地方每年不少于2次 (L)", local=True),
    ),
}

# A 支部委员会 exists only where the branch has 7 or more full members; with fewer, there is a
# secretary (and perhaps a deputy) and so no committee meetings to count.
COMMITTEE_MIN_FULL_MEMBERS = Rule(
    "branch.committee_min_full_members", 7,
    "支部条例 第六章（约第二十一条）：有正式党员7人以上的党支部，应当设立党支部委员会 (V)", BRANCH_RULES_START,
)
# 组织生活会 一般安排在第四季度: a soft hint on top of the hard yearly count.
ORG_LIFE_MEETING_USUAL_QUARTER = Rule(
    "meetings.org_life_meeting_quarter", 4, "支部条例 第十七条：一般安排在第四季度 (V)", BRANCH_RULES_START, hard=False
)
# Who gives 党课. Data for the lecture records; both on by default as the reference recommends.
COMMITTEE_SECRETARY_LECTURES = Rule(
    "meetings.committee_secretary_lectures_per_year", 1,
    "支部条例 第十六条（转述）：党委（党组）书记每年至少讲1次党课 (S)", BRANCH_RULES_START,
)
BRANCH_SECRETARY_LECTURES = Rule(
    "meetings.branch_secretary_lectures_per_year", 1,
    "地方规定：党支部书记每年至少讲1次党课 (L/U，可关闭：设为0)", BRANCH_RULES_START, local=True,
)


@dataclass(frozen=True)
class Requirement:
    kind: str
    name: str  # Chinese name of the kind
    period: str
    count: int
    hard: bool
    local: bool
    source: str
    per_group: bool = False  # 党小组会: counted for each 党小组, not once for the branch

    @property
    def text(self) -> str:
        each = "每个党小组" if self.per_group else ""
        return f"{self.name}：{each}{PERIOD_LABELS[self.period]}至少{self.count}次"


def _frequency(raw) -> Frequency:
    """A frequency from a rule value or a settings override (Frequency, dict or (period, count))."""
    if isinstance(raw, Frequency):
        freq = raw
    elif isinstance(raw, dict):
        freq = Frequency(raw.get("period"), raw.get("count"))
    elif isinstance(raw, (tuple, list)) and len(raw) == 2:
        freq = Frequency(*raw)
    else:
        raise ValueError(f"会议频次设置“{raw!r}”无法识别，应写成 {{'period': 'quarter', 'count': 1}}")
    if freq.period not in PERIODS:
        raise ValueError(f"会议频次的周期“{freq.period}”无效，可选：month、quarter、year")
    if not isinstance(freq.count, int) or isinstance(freq.count, bool) or freq.count < 0:
        raise ValueError(f"会议频次的次数“{freq.count}”无效，须为不小于0的整数")
    return freq


def requirement(kind: str, on: dt.date) -> Requirement:
    """The requirement for one kind as in force on `on` (LookupError before the rule existed)."""
    if kind not in KINDS:
        raise ValueError(f"未知的组织生活类型“{kind}”")
    rule = in_force(FREQUENCIES[kind], on)
    freq = _frequency(value(rule))
    return Requirement(kind=kind, name=KINDS[kind], period=freq.period, count=freq.count, hard=rule.hard,
                       local=rule.local, source=rule.source, per_group=kind == "group_meeting")


def has_committee_by_size(full_members: int) -> bool:
    return full_members >= COMMITTEE_MIN_FULL_MEMBERS.value


def requirements_for(org_type: str, full_members: int, has_groups: bool, *, on: dt.date | None = None,
                     has_committee: bool | None = None) -> list[Requirement]:
    """What a branch of this kind and size must hold, as in force on `on` (default today).

    Only branch-type organizations (党支部, 联合党支部, 临时党支部) fall under these frequencies; a
    党委 or 党总支 gets an empty list. 支委会 counts only where a committee exists (by default: 7 or
    more full members; pass `has_committee` when the registry knows better), 党小组会 only where the
    branch has 党小组. Kinds with a count of 0 (a local setting switched off) and kinds with no
    version in force on `on` are left out.
    """
    if isinstance(full_members, bool) or not isinstance(full_members, int) or full_members < 0:
        raise ValueError(f"正式党员人数“{full_members}”无效，须为不小于0的整数")
    if org_type not in BRANCH_ORG_TYPES:
        return []
    on = on or local_today()
    if has_committee is None:
        has_committee = has_committee_by_size(full_members)
    out = []
    for kind in KINDS:
        if kind == "branch_committee" and not has_committee:
            continue
        if kind == "group_meeting" and not has_groups:
            continue
        try:
            req = requirement(kind, on)
        except LookupError:
            continue
        if req.count > 0:
            out.append(req)
    return out


# --- periods ------------------------------------------------------------------------------------

def period_of(d: dt.date, period: str) -> str:
    """The label of the period containing `d`: "2025", "2025-Q3" or "2025-07"."""
    if period == "year":
        return f"{d.year}"
    if period == "quarter":
        return f"{d.year}-Q{(d.month - 1) // 3 + 1}"
    if period == "month":
        return f"{d.year}-{d.month:02d}"
    raise ValueError(f"未知的周期“{period}”，可选：month、quarter、year")


def period_bounds(label: str) -> tuple[dt.date, dt.date]:
    """First and last day of the period a label names."""
    try:
        if len(label) == 4:
            year = int(label)
            return dt.date(year, 1, 1), dt.date(year, 12, 31)
        year_text, rest = label.split("-")
        year = int(year_text)
        if len(year_text) != 4:
            raise ValueError
        if rest.startswith("Q") and len(rest) == 2:
            quarter = int(rest[1])
            if not 1 <= quarter <= 4:
                raise ValueError
            first = dt.date(year, 3 * quarter - 2, 1)
            last_month = 3 * quarter
        elif len(rest) == 2:
            first = dt.date(year, int(rest), 1)
            last_month = first.month
        else:
            raise ValueError
    except (ValueError, TypeError, AttributeError):
        raise ValueError(f"周期“{label}”无效，应写成2025、2025-Q3或2025-07") from None
    next_first = dt.date(year + 1, 1, 1) if last_month == 12 else dt.date(year, last_month + 1, 1)
    return first, next_first - dt.timedelta(days=1)


def periods_in(year: int, period: str, through: dt.date | None = None) -> list[str]:
    """Labels of the year's periods that have ended or are under way on `through` (all when None)."""
    if period not in PERIODS:
        raise ValueError(f"未知的周期“{period}”，可选：month、quarter、year")
    if period == "year":
        labels = [f"{year}"]
    elif period == "quarter":
        labels = [f"{year}-Q{q}" for q in range(1, 5)]
    else:
        labels = [f"{year}-{m:02d}" for m in range(1, 13)]
    if through is None:
        return labels
    return [label for label in labels if period_bounds(label)[0] <= through]


def is_usual_org_life_quarter(held_on: dt.date) -> bool:
    """组织生活会 is 一般 held in the fourth quarter; elsewhere is allowed but worth a note."""
    return (held_on.month - 1) // 3 + 1 == ORG_LIFE_MEETING_USUAL_QUARTER.value
