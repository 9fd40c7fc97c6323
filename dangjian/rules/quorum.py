"""Quorum and voting (到会与表决), ../shared/domain/rules-reference.md §1.3.

The texts mix "半数以上" (支部条例, which CPC usage reads as including half) and "超过半数" (发展党员工作
细则). The reference recommends the strict reading for every vote: attendance more than half of
应到会有表决权人数 and yes-votes more than half of it. Where the looser reading would decide differently,
the result carries a warning so that a secretary sees why.
"""

import datetime as dt
from dataclasses import dataclass
from fractions import Fraction

from .base import Rule

XIZE_START = dt.date(2014, 6, 10)  # 中国共产党发展党员工作细则
BRANCH_RULES_START = dt.date(2018, 10, 28)  # 中国共产党支部工作条例（试行）

CONGRESS_ATTENDANCE = Rule(
    "quorum.congress_attendance", Fraction(1, 2),
    "支部条例 第十一条：须有半数以上有表决权的党员到会方可进行 (V)；按严格口径取超过半数", BRANCH_RULES_START,
)
CONGRESS_PASS = Rule(
    "quorum.congress_pass", Fraction(1, 2),
    "支部条例 第十一条：赞成人数超过应到会有表决权的党员的半数为通过 (V)", BRANCH_RULES_START,
)
ADMISSION_ATTENDANCE = Rule(
    "quorum.admission_attendance", Fraction(1, 2),
    "发展党员工作细则 第二十条：有表决权的到会人数必须超过应到会有表决权人数的半数 (V)", XIZE_START,
)
ADMISSION_PASS = Rule(
    "quorum.admission_pass", Fraction(1, 2),
    "发展党员工作细则 第二十一条：赞成人数超过应到会有表决权的正式党员的半数；因故不能到会的有表决权的党员"
    "在会前正式向党支部提出书面意见的，应当统计在票数内 (V)", XIZE_START,
)
PROBATION_VOTE = Rule(
    "quorum.probation_vote", Fraction(1, 2),
    "发展党员工作细则 第三十三条：预备党员转正、延长预备期或取消资格，表决同接收预备党员 (V)", XIZE_START,
)
DISPOSAL_VOTE = Rule(
    "quorum.disposal_vote", Fraction(1, 2),
    "《不合格党员组织处置办法》2024及地方规定：表决同发展党员，基层党委应派人参加 (S)", dt.date(2024, 6, 16),
)
COMMITTEE_ATTENDANCE = Rule(
    "quorum.committee_attendance", Fraction(1, 2),
    "支部条例 第十二条：须有半数以上委员到会方可进行 (V)；按严格口径取超过半数", BRANCH_RULES_START,
)
COMMITTEE_PASS = Rule(
    "quorum.committee_pass", Fraction(1, 2),
    "支部条例 第十二条未规定通过比例（少数服从多数）；按严格口径取超过全体委员半数 (V/U)", BRANCH_RULES_START,
)
ELECTION_ATTENDANCE = Rule(
    "quorum.election_attendance", Fraction(4, 5),
    "基层组织选举：有选举权的到会人数超过应到会人数的五分之四，会议有效 (1990暂行条例；S)", dt.date(1990, 6, 27),
)
ELECTION_PASS = Rule(
    "quorum.election_pass", Fraction(1, 2),
    "基层组织选举：被选举人获得的赞成票超过实到会有选举权人数的半数始得当选 (S)", dt.date(1990, 6, 27),
)
CANDIDATE_MARGIN = Rule(
    "quorum.candidate_margin", Fraction(1, 5),
    "委员候选人应多于应选人数的20%，按进一法取整 (1990暂行条例 第九条；S)", dt.date(1990, 6, 27),
)
DEMOCRATIC_LIFE_ATTENDANCE = Rule(
    "quorum.democratic_life_attendance", Fraction(2, 3),
    "《县以上党和国家机关党员领导干部民主生活会若干规定》2016：到会人数不得少于应到会人数的三分之二 (S)",
    dt.date(2016, 12, 23),
)

KINDS = {
    "general": "支部党员大会表决",
    "admission": "接收预备党员",
    "probation": "预备党员转正、延长预备期或取消预备党员资格",
    "disposal": "不合格党员组织处置",
    "election": "选举",
    "committee": "支部委员会会议",
    "democratic_life": "民主生活会",
}
# Kinds where written opinions of absent voters count (细则 第二十一条).
WRITTEN_OPINION_KINDS = frozenset({"admission", "probation", "disposal"})
_PASS_RULE = {
    "general": CONGRESS_PASS,
    "admission": ADMISSION_PASS,
    "probation": PROBATION_VOTE,
    "disposal": DISPOSAL_VOTE,
}


@dataclass(frozen=True)
class VoteResult:
    kind: str
    valid_meeting: bool
    passed: bool | None  # None where the meeting takes no vote (民主生活会)
    reasons: tuple[str, ...]  # why, in Chinese, one line per determination
    warnings: tuple[str, ...] = ()  # where a looser reading of the text would decide otherwise
    sources: tuple[str, ...] = ()


def _count(name: str, n) -> int:
    if isinstance(n, bool) or not isinstance(n, int):
        raise ValueError(f"{name}必须是整数（现为“{n}”）")  # noqa: TRY004 -- callers catch ValueError
    if n < 0:
        raise ValueError(f"{name}不能为负数（现为{n}）")
    return n


def more_than(part: int, whole: int, fraction: Fraction) -> bool:
    """part > whole × fraction, in integers (no floating point at the edges)."""
    return part * fraction.denominator > whole * fraction.numerator


def at_least(part: int, whole: int, fraction: Fraction) -> bool:
    return part * fraction.denominator >= whole * fraction.numerator


def vote_result(eligible: int, present: int, yes: int, no: int = 0, abstain: int = 0, written_yes: int = 0,
                kind: str = "general") -> VoteResult:
    """Whether a meeting could proceed and whether the motion (or candidate) passed.

    eligible: 应到会有表决权人数 (for 支委会: the number of committee members; for 民主生活会: 应到会人数),
    after the exclusions of eligible_voters(). present: of them, how many attended. yes/no/abstain:
    votes cast at the meeting (for an election: the votes for one candidate). written_yes: yes opinions
    that absent voters handed in before the meeting, counted for admissions, 转正 and 处置 only.
    """
    if kind not in KINDS:
        raise ValueError(f"未知的表决类型“{kind}”，可选：{'、'.join(KINDS)}")
    eligible = _count("应到会人数", eligible)
    present = _count("实到会人数", present)
    yes, no, abstain = _count("赞成票", yes), _count("反对票", no), _count("弃权票", abstain)
    written_yes = _count("书面赞成意见", written_yes)
    if eligible == 0:
        raise ValueError("应到会人数必须大于0")
    if present > eligible:
        raise ValueError(f"实到会人数（{present}）不能多于应到会人数（{eligible}）")
    if yes + no + abstain > present:
        raise ValueError(f"赞成、反对、弃权票合计（{yes + no + abstain}）不能多于实到会人数（{present}）")
    if written_yes and kind not in WRITTEN_OPINION_KINDS:
        raise ValueError(f"{KINDS[kind]}不计入缺席党员的书面意见")
    if written_yes > eligible - present:
        raise ValueError(f"书面赞成意见（{written_yes}）不能多于缺席人数（{eligible - present}）")
    if kind == "democratic_life" and (yes or no or abstain):
        raise ValueError("民主生活会不进行表决，不应填写票数")

    if kind == "election":
        return _election(eligible, present, yes)
    if kind == "democratic_life":
        ok = at_least(present, eligible, DEMOCRATIC_LIFE_ATTENDANCE.value)
        reason = (f"应到会{eligible}人，实到{present}人，"
                  + ("达到三分之二，会议有效" if ok else "不足三分之二，不能召开"))
        return VoteResult(kind, ok, None, (reason,), (), (DEMOCRATIC_LIFE_ATTENDANCE.source,))
    if kind == "committee":
        return _committee(eligible, present, yes)

    # 支部党员大会: general decisions, admissions, 转正, 处置.
    attendance_rule = CONGRESS_ATTENDANCE if kind == "general" else ADMISSION_ATTENDANCE
    pass_rule = _PASS_RULE[kind]
    reasons, warnings = [], []
    valid = more_than(present, eligible, attendance_rule.value)
    if valid:
        reasons.append(f"应到会有表决权的党员{eligible}人，实到{present}人，超过半数，会议有效")
    else:
        reasons.append(f"应到会有表决权的党员{eligible}人，实到{present}人，未超过半数，不能进行表决")
        if kind == "general" and present * 2 == eligible:
            warnings.append("到会人数恰为半数：按支部条例“半数以上”（含本数）可以表决，按“超过半数”不可；"
                            "本系统取严格口径")
        return VoteResult(kind, False, False, tuple(reasons), tuple(warnings),
                          (attendance_rule.source, pass_rule.source))
    counted = yes + written_yes
    passed = more_than(counted, eligible, pass_rule.value)
    detail = f"赞成{yes}票" + (f"、书面赞成意见{written_yes}份" if written_yes else "")
    if passed:
        reasons.append(f"{detail}，超过应到会有表决权人数（{eligible}）的半数，通过")
    else:
        reasons.append(f"{detail}，未超过应到会有表决权人数（{eligible}）的半数，未通过")
        if more_than(counted, present, Fraction(1, 2)):
            warnings.append("赞成票超过实到会人数的半数，但未超过应到会人数的半数：表决以应到会人数为准")
    return VoteResult(kind, True, passed, tuple(reasons), tuple(warnings), (attendance_rule.source, pass_rule.source))


def _committee(members: int, present: int, yes: int) -> VoteResult:
    reasons, warnings = [], []
    sources = (COMMITTEE_ATTENDANCE.source, COMMITTEE_PASS.source)
    if not more_than(present, members, COMMITTEE_ATTENDANCE.value):
        reasons.append(f"支部委员{members}人，到会{present}人，未超过半数，会议不能进行")
        if present * 2 == members:
            warnings.append("到会委员恰为半数：按“半数以上”（含本数）可以开会，按“超过半数”不可；本系统取严格口径")
        return VoteResult("committee", False, False, tuple(reasons), tuple(warnings), sources)
    reasons.append(f"支部委员{members}人，到会{present}人，超过半数，会议有效")
    passed = more_than(yes, members, COMMITTEE_PASS.value)
    if passed:
        reasons.append(f"赞成{yes}票，超过全体委员半数，通过")
    else:
        reasons.append(f"赞成{yes}票，未超过全体委员半数，未通过")
        if more_than(yes, present, Fraction(1, 2)):
            warnings.append("赞成票超过到会委员的半数但未超过全体委员的半数：条例未规定通过比例，"
                            "按到会委员过半数可视为通过；本系统取严格口径")
    return VoteResult("committee", True, passed, tuple(reasons), tuple(warnings), sources)


def _election(eligible: int, present: int, yes: int) -> VoteResult:
    sources = (ELECTION_ATTENDANCE.source, ELECTION_PASS.source)
    if not more_than(present, eligible, ELECTION_ATTENDANCE.value):
        reason = f"应到会有选举权的党员{eligible}人，实到{present}人，未超过五分之四，选举无效"
        return VoteResult("election", False, False, (reason,), (), sources)
    reasons = [f"应到会有选举权的党员{eligible}人，实到{present}人，超过五分之四，选举有效"]
    passed = more_than(yes, present, ELECTION_PASS.value)
    reasons.append(f"得赞成票{yes}张，" + ("超过实到会人数的半数，可以当选" if passed else "未超过实到会人数的半数，不能当选"))
    return VoteResult("election", True, passed, tuple(reasons), (), sources)


@dataclass(frozen=True)
class ElectionResult:
    valid_meeting: bool
    elected: tuple[str, ...]  # by votes, highest first
    runoff: tuple[str, ...]  # tied at the last seat: vote again among them
    vacant: int  # seats left unfilled
    reasons: tuple[str, ...]


def election_result(eligible: int, present: int, votes: dict[str, int], seats: int) -> ElectionResult:
    """Who is elected: more than half of those present, the highest counts up to the seats; ties at the
    last seat go to another vote."""
    eligible, present, seats = _count("应到会人数", eligible), _count("实到会人数", present), _count("应选人数", seats)
    if seats == 0:
        raise ValueError("应选人数必须大于0")
    if eligible == 0 or present > eligible:
        raise ValueError(f"实到会人数（{present}）须在1至应到会人数（{eligible}）之间")
    for name, n in votes.items():
        if _count(f"{name}的得票", n) > present:
            raise ValueError(f"{name}得票{n}张，多于实到会人数{present}")
    if not more_than(present, eligible, ELECTION_ATTENDANCE.value):
        return ElectionResult(False, (), (), seats, (f"实到{present}人，未超过应到会人数{eligible}的五分之四，选举无效",))
    passing = sorted(((n, name) for name, n in votes.items() if more_than(n, present, ELECTION_PASS.value)),
                     key=lambda item: (-item[0], item[1]))
    if len(passing) <= seats:
        elected = tuple(name for _n, name in passing)
        runoff: tuple[str, ...] = ()
    else:
        cutoff = passing[seats - 1][0]
        above = tuple(name for n, name in passing if n > cutoff)
        at_cutoff = tuple(name for n, name in passing if n == cutoff)
        if len(above) + len(at_cutoff) == seats:
            elected, runoff = above + at_cutoff, ()
        else:
            elected, runoff = above, at_cutoff
    vacant = 0 if runoff else seats - len(elected)  # seats in a runoff are not vacant yet
    reasons = [f"应选{seats}名，得票超过实到会人数（{present}）半数的{len(passing)}名，当选{len(elected)}名"]
    if runoff:
        reasons.append(f"{'、'.join(runoff)}得票相等，须就剩余{seats - len(elected)}个名额再次投票")
    elif vacant:
        reasons.append(f"尚缺{vacant}名，可另行选举或缺额")
    return ElectionResult(True, elected, runoff, vacant, tuple(reasons))


def min_candidates(seats: int) -> int:
    """差额选举: candidates exceed the seats by at least 20%, rounded up (进一法)."""
    seats = _count("应选人数", seats)
    if seats == 0:
        raise ValueError("应选人数必须大于0")
    margin = CANDIDATE_MARGIN.value
    extra = -(-seats * margin.numerator // margin.denominator)
    return seats + extra


def eligible_voters(full_members: int, sanctioned: int = 0, suspended: int = 0, excused: int = 0) -> int:
    """应到会有表决权人数: full members minus those under 留党察看, those whose rights are suspended
    (留置、逮捕; 选举工作条例 2020 第五条) and those left out with approval (long illness, abroad, away
    half a year…). 预备党员 are not counted at all: pass only full members."""
    full_members = _count("正式党员人数", full_members)
    parts = {"受留党察看处分的": sanctioned, "权利被中止的": suspended, "经批准不计入的": excused}
    total = 0
    for label, n in parts.items():
        total += _count(f"{label}人数", n)
    if total > full_members:
        raise ValueError(f"不计入应到会的人数合计（{total}）不能多于正式党员人数（{full_members}）")
    return full_members - total
