"""发展党员 (recruitment): the 5 stages and 25 steps, and the time and count rules as pure checks.

Sources: 《中国共产党发展党员工作细则》(中办 2014-06, cited as "细则"), 党章 第一条、第七条; status letters as
in ../shared/domain/rules-reference.md §3. Each check takes dates and counts and returns a list of
base.Finding: hard = the text says 必须/应当 (the next step should not proceed), soft = 一般 or a local
practice (warn). An empty list means nothing to report.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from dangjian.core.dates import add_years, age_on

from . import membership
from .base import Finding, Rule, add_months, finding, value
from .base import today as local_today

XIZE_START = dt.date(2014, 6, 10)


@dataclass(frozen=True)
class Step:
    number: int
    stage: int
    name: str


STAGES = {
    1: "申请入党",
    2: "入党积极分子的确定和培养教育",
    3: "发展对象的确定和考察",
    4: "预备党员的接收",
    5: "预备党员的教育考察和转正",
}
# The common 25-step breakdown of 中组部 materials (S/U: not seen as a table in a primary text).
STEPS = tuple(
    Step(number, stage, name)
    for number, (stage, name) in enumerate(
        [
            (1, "递交入党申请书"), (1, "党组织派人谈话"),
            (2, "推荐和确定入党积极分子"), (2, "上级党委备案"), (2, "指定培养联系人"), (2, "培养教育考察"),
            (3, "确定发展对象"), (3, "报上级党委备案"), (3, "确定入党介绍人"), (3, "进行政治审查"),
            (3, "开展集中培训"),
            (4, "支部委员会审查"), (4, "上级党委预审"), (4, "填写入党志愿书"), (4, "支部大会讨论"),
            (4, "上级党委派人谈话"), (4, "上级党委审批"), (4, "再上级党委组织部门备案"),
            (5, "编入党支部和党小组"), (5, "入党宣誓"), (5, "继续教育考察"), (5, "提出转正申请"),
            (5, "支部大会讨论"), (5, "上级党委审批"), (5, "材料归档"),
        ],
        start=1,
    )
)
STEPS_SOURCE = "细则 第二至第七章；25个步骤为中组部材料通行分法 (S/U)"

TALK_WITHIN_MONTHS = Rule(
    "recruitment.talk_within_months", 1,
    "细则 第八条：党组织收到入党申请书后，应当在一个月内派人同入党申请人谈话 (S)", XIZE_START,
)
ACTIVIST_WAIT_MONTHS = Rule(
    "recruitment.activist_wait_months", None,
    "中央未规定申请到确定积极分子的间隔；地方多为3至6个月 (L，默认不检查)", XIZE_START, hard=False, local=True,
)
CONTACTS = Rule(
    "recruitment.contacts", (1, 2), "细则（条号待核）：指定1至2名正式党员作培养联系人 (S)", XIZE_START,
)
ASSESSMENT_EVERY_MONTHS = Rule(
    "recruitment.assessment_every_months", 6,
    "细则 第十一条：党支部每半年对入党积极分子进行一次考察 (S)", XIZE_START,
)
ACTIVIST_MIN_YEARS = Rule(
    "recruitment.activist_min_years", 1,
    "细则（条号待核）：经过一年以上培养教育和考察，方可列为发展对象 (V)", XIZE_START,
)
SPONSORS = Rule(
    "recruitment.sponsors", 2,
    "细则 第十四条：发展对象应当有两名正式党员作入党介绍人；受留党察看处分、尚未恢复党员权利的党员不能作入党介绍人 (V)",
    XIZE_START,
)
TRAINING_MIN = Rule(
    "recruitment.training_min", {"days": 3, "hours": 24},
    "细则（条号待核）：集中培训时间一般不少于3天（或不少于24个学时）；未经培训的，除个别特殊情况外，不能发展入党 (V)",
    XIZE_START,
)
POLITICAL_REVIEW_VALID_MONTHS = Rule(
    "recruitment.political_review_valid_months", 12,
    "地方做法：政治审查材料有效期一年 (L)", XIZE_START, hard=False, local=True,
)
DEPARTURE_MONTHS = Rule(
    "recruitment.departure_months", 3,
    "细则 第十九条：发展对象未来3个月内将离开工作、学习单位的，一般不办理接收预备党员的手续 (V)", XIZE_START,
    hard=False,
)
APPROVAL_MONTHS = Rule(
    "recruitment.approval_months", 3,
    "细则（条号待核）：上级党委应当在3个月内审批，特殊情况可适当延长，但不得超过6个月 (V)", XIZE_START,
)
APPROVAL_LIMIT_MONTHS = Rule(
    "recruitment.approval_limit_months", 6,
    "细则（条号待核）：审批时间最长不得超过6个月 (V)；超过的须重新履行接收手续 (L)", XIZE_START,
)
EXTENSION_MONTHS = Rule(
    "recruitment.extension_months", (6, 12),
    "细则 第三十二条：延长预备期只能一次，时间不能少于半年，最长不超过一年 (V)", XIZE_START,
)
MAX_EXTENSIONS = Rule("recruitment.max_extensions", 1, "细则 第三十二条：延长预备期只能一次 (V)", XIZE_START)
CONVERSION_MEETING_WITHIN_MONTHS = Rule(
    "recruitment.conversion_meeting_within_months", 3,
    "细则 第三十二条：预备期满应当及时讨论，不得提前 (V)；地方规定一般不超过3个月 (L)", XIZE_START,
    hard=False, local=True,
)
CONVERSION_APPROVAL_MONTHS = Rule(
    "recruitment.conversion_approval_months", 3,
    "手册及地方做法：上级党委一般在3个月内审批转正 (S)", XIZE_START, hard=False,
)
# Only a 党委 with approval power approves admissions: not a 党总支, not a 临时党组织, not a 村/社区 党委
# or other 党委 under a 乡镇/街道 党委.
APPROVERS = Rule(
    "recruitment.approver_types", frozenset({"committee", "work_committee"}),
    "中组部答问及地方材料：党总支、临时党组织及乡镇（街道）党委下属的党委无审批权 (S)", XIZE_START,
)


def _date(name: str, d) -> dt.date:
    if isinstance(d, dt.datetime) or not isinstance(d, dt.date):
        raise ValueError(f"{name}必须是日期")  # noqa: TRY004 -- callers catch ValueError
    return d


def _order(earlier_name: str, earlier: dt.date, later_name: str, later: dt.date, code: str) -> list[Finding]:
    """A date before its prerequisite is a data error, reported as a hard finding."""
    if later < earlier:
        return [Finding(code, True, f"{later_name}（{later}）早于{earlier_name}（{earlier}），请核对日期", "日期先后")]
    return []


# --- stage 1 ------------------------------------------------------------------------------------

def check_applicant_age(birth_date: dt.date, applied_on: dt.date) -> list[Finding]:
    """党章 第一条: 年满十八岁 on the day of application (born 29 Feb: 18 on 1 March of a common year)."""
    birth_date, applied_on = _date("出生日期", birth_date), _date("申请日期", applied_on)
    minimum = value(membership.MIN_AGE)
    age = age_on(birth_date, applied_on)
    if age < minimum:
        return [finding("recruitment.under_age", membership.MIN_AGE,
                        f"申请入党时须年满{minimum}周岁，申请日（{applied_on}）时仅{age}周岁")]
    return []


def talk_deadline(applied_on: dt.date) -> dt.date:
    return add_months(applied_on, TALK_WITHIN_MONTHS.value)


def check_talk(applied_on: dt.date, talked_on: dt.date | None = None, *, today: dt.date | None = None) -> list[Finding]:
    """细则 第八条: the talk within one month of receiving the application (the deadline day included)."""
    applied_on = _date("申请日期", applied_on)
    deadline = talk_deadline(applied_on)
    if talked_on is None:
        today = today or local_today()
        if today > deadline:
            return [finding("recruitment.talk_overdue", TALK_WITHIN_MONTHS,
                            f"收到入党申请书已超过一个月（应在{deadline}前谈话），尚未派人谈话")]
        return []
    talked_on = _date("谈话日期", talked_on)
    out = _order("申请日期", applied_on, "谈话日期", talked_on, "recruitment.talk_before_application")
    if talked_on > deadline:
        out.append(finding("recruitment.talk_late", TALK_WITHIN_MONTHS,
                           f"谈话日期（{talked_on}）晚于收到申请书后一个月（{deadline}）"))
    return out


# --- stage 2 ------------------------------------------------------------------------------------

def check_activist_wait(applied_on: dt.date, activist_on: dt.date) -> list[Finding]:
    """Local minimum interval from application to 入党积极分子 (off unless a deployment sets it)."""
    applied_on, activist_on = _date("申请日期", applied_on), _date("确定积极分子日期", activist_on)
    out = _order("申请日期", applied_on, "确定为入党积极分子日期", activist_on, "recruitment.activist_before_application")
    months = value(ACTIVIST_WAIT_MONTHS)
    if months and activist_on < add_months(applied_on, months):
        out.append(finding("recruitment.activist_too_soon", ACTIVIST_WAIT_MONTHS,
                           f"按本地规定，递交申请书满{months}个月后方可确定为入党积极分子"
                           f"（最早{add_months(applied_on, months)}）"))
    return out


def check_contacts(count: int) -> list[Finding]:
    low, high = CONTACTS.value
    if not low <= count <= high:
        return [finding("recruitment.contacts_count", CONTACTS, f"培养联系人应为{low}至{high}名正式党员，现为{count}名")]
    return []


def check_assessments(activist_on: dt.date, assessments: list[dt.date], through: dt.date) -> list[Finding]:
    """细则 第十一条: one assessment in every half year since becoming an activist.

    Half years are counted from the activist date (activist 2024-08-31: halves end 2025-02-28,
    2025-08-31, …); an assessment on a half's last day counts for that half. Halves ending after
    `through` (the day checked, e.g. the 发展对象 decision) are not yet due.
    """
    activist_on, through = _date("确定积极分子日期", activist_on), _date("检查日期", through)
    every = ASSESSMENT_EVERY_MONTHS.value
    dates = sorted(_date("考察日期", d) for d in assessments)
    out = []
    k = 0
    while True:
        start, end = add_months(activist_on, every * k), add_months(activist_on, every * (k + 1))
        if end > through:
            break
        if not any(start < d <= end for d in dates):
            out.append(finding("recruitment.assessment_missing", ASSESSMENT_EVERY_MONTHS,
                               f"{start}至{end}这半年没有对入党积极分子的考察记录"))
        k += 1
    return out


# --- stage 3 ------------------------------------------------------------------------------------

def candidate_earliest(activist_on: dt.date) -> dt.date:
    """The first day an activist may be made a 发展对象: one full year ("一年以上" includes the year)."""
    return add_years(_date("确定积极分子日期", activist_on), ACTIVIST_MIN_YEARS.value)


def check_activist_period(activist_on: dt.date, candidate_on: dt.date) -> list[Finding]:
    activist_on, candidate_on = _date("确定积极分子日期", activist_on), _date("确定发展对象日期", candidate_on)
    earliest = candidate_earliest(activist_on)
    if candidate_on < earliest:
        return [finding("recruitment.activist_under_one_year", ACTIVIST_MIN_YEARS,
                        f"入党积极分子经过一年以上培养考察方可列为发展对象，最早{earliest}，"
                        f"现为{candidate_on}")]
    return []


def check_sponsors(total: int, full_members: int, sanctioned: int = 0) -> list[Finding]:
    """细则 第十四条: two sponsors, both 正式党员, none under 留党察看 with rights not restored."""
    if not 0 <= full_members <= total or not 0 <= sanctioned <= total:
        raise ValueError("入党介绍人人数有误：正式党员人数和受处分人数都不能多于介绍人总数")
    required = SPONSORS.value
    out = []
    if total != required:
        out.append(finding("recruitment.sponsors_count", SPONSORS, f"应有{required}名入党介绍人，现为{total}名"))
    if full_members < total:
        out.append(finding("recruitment.sponsor_not_full_member", SPONSORS,
                           f"{total - full_members}名入党介绍人不是正式党员，预备党员不能作入党介绍人"))
    if sanctioned:
        out.append(finding("recruitment.sponsor_sanctioned", SPONSORS,
                           f"{sanctioned}名入党介绍人受留党察看处分、尚未恢复党员权利，不能作入党介绍人"))
    return out


def check_training(days=0, hours=0) -> list[Finding]:
    """细则 第十六条: at least 3 days or 24 class hours of concentrated training."""
    days, hours = Decimal(str(days)), Decimal(str(hours))
    if days < 0 or hours < 0:
        raise ValueError("培训天数和学时不能为负数")
    minimum = TRAINING_MIN.value
    if days >= minimum["days"] or hours >= minimum["hours"]:
        return []
    return [finding("recruitment.training_short", TRAINING_MIN,
                    f"集中培训一般不少于{minimum['days']}天或{minimum['hours']}个学时，现为{days}天、{hours}学时；"
                    "未经培训的，除个别特殊情况外不能发展入党")]


def check_political_review(review_on: dt.date, congress_on: dt.date) -> list[Finding]:
    """Local: 政审 material older than a year at the 支部大会 should be redone."""
    review_on, congress_on = _date("政审日期", review_on), _date("支部大会日期", congress_on)
    months = value(POLITICAL_REVIEW_VALID_MONTHS)
    out = _order("政审日期", review_on, "支部大会日期", congress_on, "recruitment.congress_before_review")
    if months and congress_on > add_months(review_on, months):
        out.append(finding("recruitment.political_review_stale", POLITICAL_REVIEW_VALID_MONTHS,
                           f"政审材料形成于{review_on}，到支部大会时已超过{months}个月，应重新审查或补充"))
    return out


def check_departure(on: dt.date, leaving_on: dt.date) -> list[Finding]:
    """细则 第十九条: admission is 一般 not handled for someone leaving within the next 3 months."""
    on, leaving_on = _date("办理日期", on), _date("离开单位日期", leaving_on)
    months = DEPARTURE_MONTHS.value
    if on <= leaving_on <= add_months(on, months):
        return [finding("recruitment.leaving_soon", DEPARTURE_MONTHS,
                        f"发展对象将于{leaving_on}离开单位（{months}个月内），一般不办理接收预备党员手续")]
    return []


def can_approve_admission(org_type: str, *, under_township_committee: bool = False, temporary: bool = False) -> bool:
    return org_type in APPROVERS.value and not under_township_committee and not temporary


# --- stage 4 ------------------------------------------------------------------------------------

def approval_deadline(congress_on: dt.date) -> dt.date:
    return add_months(_date("支部大会日期", congress_on), APPROVAL_MONTHS.value)


def approval_limit(congress_on: dt.date) -> dt.date:
    return add_months(_date("支部大会日期", congress_on), APPROVAL_LIMIT_MONTHS.value)


def check_approval(congress_on: dt.date, approved_on: dt.date | None = None, *,
                   today: dt.date | None = None) -> list[Finding]:
    """细则: approval within 3 months of the 支部大会 (soft beyond: special cases), never beyond 6 (hard)."""
    congress_on = _date("支部大会日期", congress_on)
    deadline, limit = approval_deadline(congress_on), approval_limit(congress_on)
    if approved_on is not None:
        approved_on = _date("审批日期", approved_on)
        out = _order("支部大会日期", congress_on, "审批日期", approved_on, "recruitment.approval_before_congress")
        if approved_on > limit:
            out.append(finding("recruitment.approval_over_limit", APPROVAL_LIMIT_MONTHS,
                               f"审批日期（{approved_on}）距支部大会已超过6个月（{limit}），"
                               "应重新履行接收预备党员手续，预备期从新的支部大会之日算起"))
        elif approved_on > deadline:
            out.append(finding("recruitment.approval_late", APPROVAL_MONTHS,
                               f"审批日期（{approved_on}）超过3个月（{deadline}），须属特殊情况", hard=False))
        return out
    today = today or local_today()
    if today > limit:
        return [finding("recruitment.approval_over_limit", APPROVAL_LIMIT_MONTHS,
                        f"支部大会（{congress_on}）后已超过6个月仍未审批，应重新履行接收预备党员手续")]
    if today > deadline:
        return [finding("recruitment.approval_overdue", APPROVAL_MONTHS,
                        f"支部大会（{congress_on}）后已超过3个月（{deadline}）仍未审批", hard=False)]
    return []


# --- stage 5 ------------------------------------------------------------------------------------

def _extension(months: int) -> int:
    if isinstance(months, bool) or not isinstance(months, int):
        raise ValueError("延长预备期的月数必须是整数")  # noqa: TRY004 -- callers catch ValueError
    low, high = EXTENSION_MONTHS.value
    if months != 0 and not low <= months <= high:
        raise ValueError(f"延长预备期须为{low}至{high}个月（现为{months}个月）")
    return months


def probation_end(congress_on: dt.date, extension_months: int = 0) -> dt.date:
    """The day the 预备期 ends and 党龄 starts: the 支部大会 date plus one year (党章 第七条), plus any
    extension counted from the end of the first year. 29 February + 1 year = 28 February."""
    congress_on = _date("支部大会日期", congress_on)
    end = add_years(congress_on, value(membership.PROBATION_YEARS))
    return add_months(end, _extension(extension_months))


def check_extension(months: int, previous_extensions: int = 0) -> list[Finding]:
    """细则 第三十二条: extended at most once, by at least half a year and at most one year."""
    if isinstance(months, bool) or not isinstance(months, int):
        raise ValueError("延长预备期的月数必须是整数")  # noqa: TRY004 -- callers catch ValueError
    if previous_extensions < 0:
        raise ValueError("已延长次数不能为负数")
    out = []
    if previous_extensions >= MAX_EXTENSIONS.value:
        out.append(finding("recruitment.extended_twice", MAX_EXTENSIONS, "预备期只能延长一次，已延长过"))
    low, high = EXTENSION_MONTHS.value
    if not low <= months <= high:
        out.append(finding("recruitment.extension_length", EXTENSION_MONTHS,
                           f"延长预备期不能少于{low}个月、最长不超过{high}个月，现为{months}个月"))
    return out


def check_conversion_meeting(congress_on: dt.date, meeting_on: dt.date, extension_months: int = 0) -> list[Finding]:
    """细则 第三十二条: discuss 转正 when the 预备期 ends, never before; locally within 3 months after."""
    meeting_on = _date("讨论转正的支部大会日期", meeting_on)
    end = probation_end(congress_on, extension_months)
    if meeting_on < end:
        return [finding("recruitment.conversion_too_early", CONVERSION_MEETING_WITHIN_MONTHS,
                        f"预备期到{end}才满，不得提前讨论转正（现为{meeting_on}）", hard=True)]
    months = value(CONVERSION_MEETING_WITHIN_MONTHS)
    if months and meeting_on > add_months(end, months):
        return [finding("recruitment.conversion_meeting_late", CONVERSION_MEETING_WITHIN_MONTHS,
                        f"预备期满（{end}）后应及时讨论转正，已超过{months}个月")]
    return []


def check_conversion_approval(meeting_on: dt.date, approved_on: dt.date | None = None, *,
                              today: dt.date | None = None) -> list[Finding]:
    meeting_on = _date("讨论转正的支部大会日期", meeting_on)
    deadline = add_months(meeting_on, CONVERSION_APPROVAL_MONTHS.value)
    if approved_on is not None:
        approved_on = _date("转正审批日期", approved_on)
        out = _order("支部大会日期", meeting_on, "转正审批日期", approved_on, "recruitment.approval_before_congress")
        if approved_on > deadline:
            out.append(finding("recruitment.conversion_approval_late", CONVERSION_APPROVAL_MONTHS,
                               f"转正审批（{approved_on}）超过支部大会后3个月（{deadline}）"))
        return out
    if (today or local_today()) > deadline:
        return [finding("recruitment.conversion_approval_overdue", CONVERSION_APPROVAL_MONTHS,
                        f"转正支部大会（{meeting_on}）后已超过3个月仍未审批")]
    return []


def key_dates(*, applied_on: dt.date | None = None, activist_on: dt.date | None = None,
              congress_on: dt.date | None = None, extension_months: int = 0) -> dict[str, dt.date]:
    """The deadlines and earliest dates that follow from the dates known so far, for reminders."""
    out = {}
    if applied_on:
        out["talk_by"] = talk_deadline(applied_on)
    if activist_on:
        out["candidate_from"] = candidate_earliest(activist_on)
    if congress_on:
        out["approval_by"] = approval_deadline(congress_on)
        out["approval_limit"] = approval_limit(congress_on)
        out["probation_end"] = probation_end(congress_on, extension_months)
        out["party_age_from"] = out["probation_end"]  # 党龄 counts from 转正之日
    return out
