"""发展党员 (细则 2014): the 25 steps, and each time or count rule just below, at and just above its edge."""

import datetime as dt

import pytest

from dangjian.rules import recruitment as r

D = dt.date


def codes(findings):
    return [f.code for f in findings]


def test_five_stages_and_twenty_five_steps_in_order():
    assert len(r.STAGES) == 5 and len(r.STEPS) == 25
    assert [s.number for s in r.STEPS] == list(range(1, 26))
    assert r.STEPS[0].name == "递交入党申请书" and r.STEPS[-1].name == "材料归档"
    per_stage = {stage: [s.number for s in r.STEPS if s.stage == stage] for stage in r.STAGES}
    assert per_stage == {1: [1, 2], 2: [3, 4, 5, 6], 3: [7, 8, 9, 10, 11], 4: list(range(12, 19)),
                         5: list(range(19, 26))}
    # Steps only move forward through the stages.
    assert [s.stage for s in r.STEPS] == sorted(s.stage for s in r.STEPS)


# 党章 第一条: 年满十八岁.
@pytest.mark.parametrize(("birth", "applied", "ok"), [
    (D(2007, 7, 2), D(2025, 7, 1), False),  # the day before the 18th birthday
    (D(2007, 7, 1), D(2025, 7, 1), True),  # on the birthday
    (D(2004, 2, 29), D(2022, 2, 28), False),  # born on a leap day: not yet 18 on 28 February
    (D(2004, 2, 29), D(2022, 3, 1), True),
    (D(2006, 2, 28), D(2024, 2, 28), True),  # 18th birthday falls on a leap-year 28 February
])
def test_applicant_must_be_eighteen(birth, applied, ok):
    findings = r.check_applicant_age(birth, applied)
    assert (findings == []) is ok
    if not ok:
        assert findings[0].hard and "年满18周岁" in findings[0].message and "党章" in findings[0].source


# 细则 第八条: 一个月内派人谈话.
@pytest.mark.parametrize(("applied", "talked", "late"), [
    (D(2025, 3, 10), D(2025, 4, 9), False),
    (D(2025, 3, 10), D(2025, 4, 10), False),  # the day a month later still counts
    (D(2025, 3, 10), D(2025, 4, 11), True),
    (D(2025, 1, 31), D(2025, 2, 28), False),  # month end: 31 January + 1 month = 28 February
    (D(2025, 1, 31), D(2025, 3, 1), True),
    (D(2024, 1, 31), D(2024, 2, 29), False),  # leap year
    (D(2024, 1, 31), D(2024, 3, 1), True),
])
def test_talk_within_one_month_of_the_application(applied, talked, late):
    assert codes(r.check_talk(applied, talked)) == (["recruitment.talk_late"] if late else [])


def test_talk_not_yet_held_is_overdue_only_after_the_month():
    assert r.check_talk(D(2025, 3, 10), today=D(2025, 4, 10)) == []
    [f] = r.check_talk(D(2025, 3, 10), today=D(2025, 4, 11))
    assert f.code == "recruitment.talk_overdue" and "2025-04-10" in f.message


def test_talk_before_the_application_is_a_data_error():
    [f] = r.check_talk(D(2025, 3, 10), D(2025, 3, 9))
    assert f.hard and "早于" in f.message


def test_activist_wait_is_off_unless_set_locally(settings):
    assert r.check_activist_wait(D(2025, 1, 10), D(2025, 1, 11)) == []
    settings.DANGJIAN_RULES = {"recruitment.activist_wait_months": 6}
    assert codes(r.check_activist_wait(D(2025, 1, 10), D(2025, 7, 9))) == ["recruitment.activist_too_soon"]
    assert r.check_activist_wait(D(2025, 1, 10), D(2025, 7, 10)) == []
    assert not r.check_activist_wait(D(2025, 1, 10), D(2025, 7, 9))[0].hard


@pytest.mark.parametrize(("count", "ok"), [(0, False), (1, True), (2, True), (3, False)])
def test_one_or_two_contacts(count, ok):
    assert (r.check_contacts(count) == []) is ok


# 细则 第十一条: 每半年考察一次.
def test_one_assessment_in_each_half_year():
    activist = D(2024, 1, 15)
    assert r.check_assessments(activist, [D(2024, 7, 15), D(2025, 1, 15)], through=D(2025, 1, 15)) == []
    missing = r.check_assessments(activist, [D(2024, 7, 16)], through=D(2025, 1, 15))
    assert codes(missing) == ["recruitment.assessment_missing"]  # a day late: it counts for the second half only
    assert "2024-01-15至2024-07-15" in missing[0].message


def test_halves_not_yet_ended_are_not_due():
    assert r.check_assessments(D(2024, 1, 15), [], through=D(2024, 7, 14)) == []
    assert len(r.check_assessments(D(2024, 1, 15), [], through=D(2024, 7, 15))) == 1
    assert len(r.check_assessments(D(2024, 1, 15), [], through=D(2025, 1, 15))) == 2


def test_half_years_from_a_month_end_do_not_drift():
    # 31 August: halves end 28 February (29 in a leap year) and then 31 August again.
    activist = D(2023, 8, 31)
    assert r.check_assessments(activist, [D(2024, 2, 29), D(2024, 8, 31)], through=D(2024, 8, 31)) == []
    assert len(r.check_assessments(activist, [D(2024, 3, 1), D(2024, 8, 31)], through=D(2024, 8, 31))) == 1


def test_assessment_on_the_activist_day_does_not_count():
    assert len(r.check_assessments(D(2024, 1, 15), [D(2024, 1, 15)], through=D(2024, 7, 15))) == 1


# 细则: 一年以上培养考察 before becoming a 发展对象.
@pytest.mark.parametrize(("activist", "candidate", "ok"), [
    (D(2024, 5, 20), D(2025, 5, 19), False),
    (D(2024, 5, 20), D(2025, 5, 20), True),  # "一年以上" includes the year itself
    (D(2024, 5, 20), D(2025, 5, 21), True),
    (D(2024, 2, 29), D(2025, 2, 27), False),
    (D(2024, 2, 29), D(2025, 2, 28), True),  # a leap day's anniversary in a common year
])
def test_one_year_as_activist(activist, candidate, ok):
    findings = r.check_activist_period(activist, candidate)
    assert (findings == []) is ok
    if not ok:
        assert findings[0].hard and findings[0].code == "recruitment.activist_under_one_year"


# 细则 第十四条: 两名正式党员作入党介绍人.
@pytest.mark.parametrize(("total", "full", "sanctioned", "expected"), [
    (2, 2, 0, []),
    (1, 1, 0, ["recruitment.sponsors_count"]),
    (3, 3, 0, ["recruitment.sponsors_count"]),
    (2, 1, 0, ["recruitment.sponsor_not_full_member"]),
    (2, 2, 1, ["recruitment.sponsor_sanctioned"]),
    (0, 0, 0, ["recruitment.sponsors_count"]),
])
def test_two_full_member_sponsors(total, full, sanctioned, expected):
    findings = r.check_sponsors(total, full, sanctioned)
    assert codes(findings) == expected and all(f.hard for f in findings)


def test_impossible_sponsor_counts_are_refused():
    with pytest.raises(ValueError, match="入党介绍人人数有误"):
        r.check_sponsors(2, 3)


# 细则: 集中培训一般不少于3天或24个学时.
@pytest.mark.parametrize(("days", "hours", "ok"), [
    (2, 0, False), (3, 0, True), ("2.5", 0, False), (0, 23, False), (0, 24, True), (0, "23.5", False),
    (2, 23, False),  # neither threshold is met; the two are alternatives, not added up
])
def test_training_three_days_or_twenty_four_hours(days, hours, ok):
    assert (r.check_training(days, hours) == []) is ok


def test_negative_training_is_refused():
    with pytest.raises(ValueError, match="不能为负数"):
        r.check_training(-1, 0)


def test_political_review_older_than_a_year_is_stale_locally():
    assert r.check_political_review(D(2024, 6, 30), D(2025, 6, 30)) == []
    [f] = r.check_political_review(D(2024, 6, 30), D(2025, 7, 1))
    assert f.code == "recruitment.political_review_stale" and not f.hard


@pytest.mark.parametrize(("leaving", "warn"), [
    (D(2025, 6, 30), False),  # left before: not this rule's business
    (D(2025, 7, 1), True),
    (D(2025, 10, 1), True),  # three months ahead, the last day included
    (D(2025, 10, 2), False),
])
def test_leaving_the_unit_within_three_months(leaving, warn):
    findings = r.check_departure(D(2025, 7, 1), leaving)
    assert (findings != []) is warn
    if warn:
        assert not findings[0].hard


def test_who_may_approve_an_admission():
    assert r.can_approve_admission("committee")
    assert not r.can_approve_admission("general_branch")
    assert not r.can_approve_admission("committee", under_township_committee=True)
    assert not r.can_approve_admission("committee", temporary=True)


# 细则: 上级党委在3个月内审批; 特殊情况可延长, 但不得超过6个月.
@pytest.mark.parametrize(("approved", "expected", "hard"), [
    (D(2025, 3, 31), [], None),
    (D(2025, 6, 30), [], None),  # 31 March + 3 months = 30 June
    (D(2025, 7, 1), ["recruitment.approval_late"], False),
    (D(2025, 9, 30), ["recruitment.approval_late"], False),  # + 6 months = 30 September
    (D(2025, 10, 1), ["recruitment.approval_over_limit"], True),
])
def test_approval_within_three_months_never_beyond_six(approved, expected, hard):
    findings = r.check_approval(D(2025, 3, 31), approved)
    assert codes(findings) == expected
    if findings:
        assert findings[0].hard is hard


def test_pending_approval_is_overdue_after_three_and_void_after_six_months():
    congress = D(2025, 3, 31)
    assert r.check_approval(congress, today=D(2025, 6, 30)) == []
    assert codes(r.check_approval(congress, today=D(2025, 7, 1))) == ["recruitment.approval_overdue"]
    assert codes(r.check_approval(congress, today=D(2025, 10, 1))) == ["recruitment.approval_over_limit"]


def test_approval_before_the_congress_is_a_data_error():
    assert codes(r.check_approval(D(2025, 3, 31), D(2025, 3, 30))) == ["recruitment.approval_before_congress"]


# 党章 第七条: 预备期一年, from the 支部大会; 细则 第三十二条: extension once, 6 to 12 months.
@pytest.mark.parametrize(("congress", "extension", "end"), [
    (D(2024, 7, 1), 0, D(2025, 7, 1)),
    (D(2024, 2, 29), 0, D(2025, 2, 28)),
    (D(2023, 2, 28), 0, D(2024, 2, 28)),  # into a leap year: no shift
    (D(2024, 7, 1), 6, D(2026, 1, 1)),
    (D(2024, 7, 1), 12, D(2026, 7, 1)),
    (D(2024, 8, 31), 6, D(2026, 2, 28)),  # month end
])
def test_probation_end(congress, extension, end):
    assert r.probation_end(congress, extension) == end


@pytest.mark.parametrize("months", [5, 13, -6])
def test_probation_extension_outside_six_to_twelve_months_is_refused(months):
    with pytest.raises(ValueError, match="延长预备期须为6至12个月"):
        r.probation_end(D(2024, 7, 1), months)


@pytest.mark.parametrize(("months", "previous", "expected"), [
    (5, 0, ["recruitment.extension_length"]),
    (6, 0, []),
    (12, 0, []),
    (13, 0, ["recruitment.extension_length"]),
    (6, 1, ["recruitment.extended_twice"]),
])
def test_extension_rules(months, previous, expected):
    findings = r.check_extension(months, previous)
    assert codes(findings) == expected and all(f.hard for f in findings)


@pytest.mark.parametrize(("meeting", "extension", "expected"), [
    (D(2025, 6, 30), 0, ["recruitment.conversion_too_early"]),  # a day before the year is up
    (D(2025, 7, 1), 0, []),
    (D(2025, 10, 1), 0, []),
    (D(2025, 10, 2), 0, ["recruitment.conversion_meeting_late"]),
    (D(2025, 12, 31), 6, ["recruitment.conversion_too_early"]),
    (D(2026, 1, 1), 6, []),
])
def test_conversion_discussed_when_probation_ends_never_before(meeting, extension, expected):
    findings = r.check_conversion_meeting(D(2024, 7, 1), meeting, extension)
    assert codes(findings) == expected
    if expected == ["recruitment.conversion_too_early"]:
        assert findings[0].hard
    if expected == ["recruitment.conversion_meeting_late"]:
        assert not findings[0].hard


def test_conversion_approval_within_three_months():
    assert r.check_conversion_approval(D(2025, 7, 1), D(2025, 10, 1)) == []
    assert codes(r.check_conversion_approval(D(2025, 7, 1), D(2025, 10, 2))) == ["recruitment.conversion_approval_late"]
    assert codes(r.check_conversion_approval(D(2025, 7, 1), today=D(2025, 10, 2))) == [
        "recruitment.conversion_approval_overdue"]


def test_key_dates_for_reminders():
    dates = r.key_dates(applied_on=D(2023, 1, 31), activist_on=D(2023, 5, 4), congress_on=D(2024, 7, 1))
    assert dates == {
        "talk_by": D(2023, 2, 28), "candidate_from": D(2024, 5, 4), "approval_by": D(2024, 10, 1),
        "approval_limit": D(2025, 1, 1), "probation_end": D(2025, 7, 1), "party_age_from": D(2025, 7, 1),
    }


def test_datetimes_and_strings_are_not_dates():
    with pytest.raises(ValueError, match="必须是日期"):
        r.check_talk("2025-01-01", D(2025, 1, 2))
    with pytest.raises(ValueError, match="必须是日期"):
        r.check_talk(dt.datetime(2025, 1, 1, 8, 0), D(2025, 1, 2))


def test_every_finding_cites_a_source_with_its_status():
    for rule in [r.TALK_WITHIN_MONTHS, r.ACTIVIST_MIN_YEARS, r.SPONSORS, r.TRAINING_MIN, r.APPROVAL_MONTHS,
                 r.EXTENSION_MONTHS, r.CONVERSION_MEETING_WITHIN_MONTHS]:
        assert any(f"({s}" in rule.source for s in "VSLU")
