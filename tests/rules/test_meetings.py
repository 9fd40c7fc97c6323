"""组织生活: the eight kinds, who must hold what, and the calendar periods of the compliance report."""

import datetime as dt

import pytest

from dangjian.rules import meetings
from dangjian.rules.meetings import period_bounds, period_of, periods_in, requirements_for

ON = dt.date(2025, 7, 1)


def kinds(reqs):
    return [r.kind for r in reqs]


def test_the_eight_kinds_match_the_contract_with_chinese_names():
    assert meetings.KINDS == {
        "branch_congress": "支部党员大会", "branch_committee": "支部委员会会议", "group_meeting": "党小组会",
        "party_lecture": "党课", "theme_day": "主题党日", "org_life_meeting": "组织生活会",
        "democratic_review": "民主评议党员", "heart_talk": "谈心谈话",
    }
    assert set(meetings.FREQUENCIES) == set(meetings.KINDS)


def test_branch_org_types_match_the_org_model():
    from dangjian.orgs.models import BRANCH_TYPES

    assert meetings.BRANCH_ORG_TYPES == {str(t) for t in BRANCH_TYPES}


@pytest.mark.parametrize(("kind", "period", "count", "hard"), [
    ("branch_congress", "quarter", 1, False),  # 第十一条 一般每季度1次
    ("branch_committee", "month", 1, False),  # 第十二条 一般每月1次
    ("group_meeting", "month", 1, False),  # 第十三条 一般每月1次
    ("party_lecture", "quarter", 1, False),  # local default: 每季度至少1次
    ("theme_day", "month", 1, False),
    ("org_life_meeting", "year", 1, True),  # 第十七条 每年至少1次 — no 一般
    ("democratic_review", "year", 1, False),
    ("heart_talk", "year", 1, False),
])
def test_frequencies_per_the_branch_regulation(kind, period, count, hard):
    req = meetings.requirement(kind, ON)
    assert (req.period, req.count, req.hard) == (period, count, hard)
    assert req.name == meetings.KINDS[kind] and "(" in req.source  # every source carries its status


def test_a_branch_of_seven_full_members_has_a_committee_six_does_not():
    assert "branch_committee" in kinds(requirements_for("branch", 7, False, on=ON))
    assert "branch_committee" not in kinds(requirements_for("branch", 6, False, on=ON))
    assert "branch_committee" in kinds(requirements_for("branch", 8, False, on=ON))


def test_registry_knowledge_of_a_committee_overrides_the_size_rule():
    assert "branch_committee" in kinds(requirements_for("branch", 5, False, on=ON, has_committee=True))
    assert "branch_committee" not in kinds(requirements_for("branch", 30, False, on=ON, has_committee=False))


def test_group_meetings_only_where_there_are_party_groups_and_per_group():
    without = requirements_for("branch", 30, False, on=ON)
    with_groups = requirements_for("branch", 30, True, on=ON)
    assert "group_meeting" not in kinds(without)
    [group] = [r for r in with_groups if r.kind == "group_meeting"]
    assert group.per_group and group.text == "党小组会：每个党小组每月至少1次"


def test_small_branch_requirements_in_contract_order():
    assert kinds(requirements_for("joint_branch", 3, False, on=ON)) == [
        "branch_congress", "party_lecture", "theme_day", "org_life_meeting", "democratic_review", "heart_talk",
    ]


@pytest.mark.parametrize("org_type", ["committee", "work_committee", "general_branch"])
def test_committees_and_general_branches_have_no_branch_meeting_requirements(org_type):
    assert requirements_for(org_type, 120, True, on=ON) == []


@pytest.mark.parametrize("bad", [-1, "7", None, True])
def test_member_count_must_be_a_non_negative_integer(bad):
    with pytest.raises(ValueError, match="正式党员人数"):
        requirements_for("branch", bad, False, on=ON)


def test_before_the_2018_regulation_nothing_is_required():
    assert requirements_for("branch", 10, True, on=dt.date(2018, 10, 27)) == []
    assert len(requirements_for("branch", 10, True, on=dt.date(2018, 10, 28))) == 8
    with pytest.raises(LookupError, match="没有生效的规则"):
        meetings.requirement("branch_congress", dt.date(2018, 10, 27))


def test_party_lecture_frequency_is_local(settings):
    settings.DANGJIAN_RULES = {"meetings.party_lecture": {"period": "year", "count": 4}}
    req = meetings.requirement("party_lecture", ON)
    assert (req.period, req.count, req.local) == ("year", 4, True)
    settings.DANGJIAN_RULES = {"meetings.party_lecture": ("year", 2)}
    assert meetings.requirement("party_lecture", ON).count == 2
    settings.DANGJIAN_RULES = {"meetings.party_lecture": {"period": "year", "count": 0}}
    assert "party_lecture" not in kinds(requirements_for("branch", 10, False, on=ON))


def test_local_override_of_a_non_local_rule_is_ignored(settings):
    settings.DANGJIAN_RULES = {"meetings.branch_congress": {"period": "year", "count": 1}}
    assert meetings.requirement("branch_congress", ON).period == "quarter"


@pytest.mark.parametrize("raw", [{"period": "week", "count": 1}, {"period": "year", "count": -1}, "quarterly",
                                 {"period": "year", "count": 1.5}])
def test_bad_local_frequency_is_refused_in_chinese(settings, raw):
    settings.DANGJIAN_RULES = {"meetings.party_lecture": raw}
    with pytest.raises(ValueError, match="会议频次"):
        meetings.requirement("party_lecture", ON)


def test_unknown_kind_is_refused():
    with pytest.raises(ValueError, match="未知的组织生活类型"):
        meetings.requirement("tea_party", ON)


# --- period labels as in the compliance JSON ---

@pytest.mark.parametrize(("day", "year", "quarter", "month"), [
    (dt.date(2025, 1, 1), "2025", "2025-Q1", "2025-01"),
    (dt.date(2025, 3, 31), "2025", "2025-Q1", "2025-03"),
    (dt.date(2025, 4, 1), "2025", "2025-Q2", "2025-04"),
    (dt.date(2025, 9, 30), "2025", "2025-Q3", "2025-09"),
    (dt.date(2025, 10, 1), "2025", "2025-Q4", "2025-10"),
    (dt.date(2025, 12, 31), "2025", "2025-Q4", "2025-12"),
    (dt.date(2024, 2, 29), "2024", "2024-Q1", "2024-02"),
])
def test_period_of(day, year, quarter, month):
    assert period_of(day, "year") == year
    assert period_of(day, "quarter") == quarter
    assert period_of(day, "month") == month


@pytest.mark.parametrize(("label", "first", "last"), [
    ("2025", dt.date(2025, 1, 1), dt.date(2025, 12, 31)),
    ("2025-Q1", dt.date(2025, 1, 1), dt.date(2025, 3, 31)),
    ("2025-Q4", dt.date(2025, 10, 1), dt.date(2025, 12, 31)),
    ("2024-02", dt.date(2024, 2, 1), dt.date(2024, 2, 29)),  # leap year
    ("2025-02", dt.date(2025, 2, 1), dt.date(2025, 2, 28)),
    ("2025-12", dt.date(2025, 12, 1), dt.date(2025, 12, 31)),
])
def test_period_bounds(label, first, last):
    assert period_bounds(label) == (first, last)
    assert period_of(first, "year" if len(label) == 4 else "quarter" if "Q" in label else "month") == label


@pytest.mark.parametrize("label", ["2025-Q5", "2025-Q0", "2025-13", "2025-7", "25-07", "2025/07", "", "Q3"])
def test_bad_period_labels(label):
    with pytest.raises(ValueError, match="周期"):
        period_bounds(label)


def test_periods_in_lists_those_ended_or_under_way():
    through = dt.date(2025, 7, 1)
    assert periods_in(2025, "year", through=through) == ["2025"]
    assert periods_in(2025, "quarter", through=through) == ["2025-Q1", "2025-Q2", "2025-Q3"]
    assert periods_in(2025, "month", through=through)[-1] == "2025-07"
    assert len(periods_in(2025, "month", through=dt.date(2025, 6, 30))) == 6


def test_periods_in_whole_past_year_and_future_year():
    assert len(periods_in(2024, "month", through=dt.date(2025, 7, 1))) == 12
    assert periods_in(2024, "quarter") == ["2024-Q1", "2024-Q2", "2024-Q3", "2024-Q4"]
    assert periods_in(2026, "quarter", through=dt.date(2025, 12, 31)) == []
    assert periods_in(2026, "month", through=dt.date(2026, 1, 1)) == ["2026-01"]


def test_unknown_period_is_refused():
    with pytest.raises(ValueError, match="未知的周期"):
        periods_in(2025, "week")
    with pytest.raises(ValueError, match="未知的周期"):
        period_of(ON, "week")


def test_org_life_meeting_is_usually_in_the_fourth_quarter():
    assert meetings.is_usual_org_life_quarter(dt.date(2025, 10, 1))
    assert not meetings.is_usual_org_life_quarter(dt.date(2025, 9, 30))
