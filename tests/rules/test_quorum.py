"""到会与表决 (§1.3): the strict reading at exactly half, half plus one, odd and even memberships."""

import pytest

from dangjian.rules import quorum
from dangjian.rules.quorum import election_result, vote_result

# --- 支部党员大会: 半数以上有表决权的党员到会; 赞成人数超过应到会有表决权的党员的半数 ---

@pytest.mark.parametrize(("eligible", "present", "valid"), [
    (10, 5, False),  # exactly half: not "超过半数"
    (10, 6, True),  # half plus one
    (9, 4, False),
    (9, 5, True),  # odd: 4.5 is half, 5 is more
    (1, 1, True),
    (2, 1, False),
])
def test_congress_needs_more_than_half_present(eligible, present, valid):
    result = vote_result(eligible, present, yes=present)
    assert result.valid_meeting is valid
    if not valid:
        assert result.passed is False and "不能进行表决" in result.reasons[0]


def test_exactly_half_present_warns_that_the_looser_text_would_allow_it():
    result = vote_result(10, 5, yes=5)
    assert not result.valid_meeting
    assert "半数以上" in result.warnings[0] and "严格口径" in result.warnings[0]


def test_just_below_half_has_no_ambiguity_warning():
    assert vote_result(10, 4, yes=4).warnings == ()


@pytest.mark.parametrize(("eligible", "present", "yes", "passed"), [
    (10, 10, 5, False),  # half of 应到会 is not enough
    (10, 10, 6, True),
    (9, 9, 4, False),
    (9, 9, 5, True),
    (10, 6, 6, True),
    (10, 6, 5, False),  # a majority of those present, not of those who should be there
])
def test_congress_passes_with_more_than_half_of_eligible(eligible, present, yes, passed):
    result = vote_result(eligible, present, yes=yes, no=present - yes)
    assert result.valid_meeting and result.passed is passed


def test_majority_of_present_but_not_of_eligible_explains_itself():
    result = vote_result(10, 6, yes=5, no=1)
    assert not result.passed and "应到会人数为准" in result.warnings[0]


# --- 接收预备党员 / 转正: 必须超过半数到会; written opinions of absent voters count ---

@pytest.mark.parametrize("kind", ["admission", "probation", "disposal"])
def test_admission_counts_written_yes_of_absent_voters(kind):
    assert vote_result(10, 6, yes=5, kind=kind).passed is False
    assert vote_result(10, 6, yes=5, written_yes=1, kind=kind).passed is True
    assert "书面赞成意见1份" in vote_result(10, 6, yes=5, written_yes=1, kind=kind).reasons[1]


def test_admission_at_exactly_half_is_unambiguously_invalid():
    result = vote_result(10, 5, yes=5, written_yes=5, kind="admission")
    assert not result.valid_meeting and result.warnings == ()  # 细则 says 超过 outright


def test_written_opinions_only_for_admission_kinds_and_only_from_absentees():
    with pytest.raises(ValueError, match="不计入缺席党员的书面意见"):
        vote_result(10, 6, yes=5, written_yes=1)
    with pytest.raises(ValueError, match="不能多于缺席人数"):
        vote_result(10, 6, yes=5, written_yes=5, kind="admission")


# --- 支部委员会会议: 半数以上委员到会 ---

@pytest.mark.parametrize(("members", "present", "valid"), [(5, 2, False), (5, 3, True), (4, 2, False), (4, 3, True),
                                                          (7, 3, False), (7, 4, True)])
def test_committee_needs_more_than_half_of_its_members(members, present, valid):
    assert vote_result(members, present, yes=present, kind="committee").valid_meeting is valid


def test_committee_exactly_half_warns():
    assert "委员恰为半数" in vote_result(4, 2, yes=2, kind="committee").warnings[0]


def test_committee_pass_is_strict_with_a_warning():
    result = vote_result(7, 4, yes=3, no=1, kind="committee")
    assert result.valid_meeting and not result.passed
    assert "条例未规定通过比例" in result.warnings[0]
    assert vote_result(7, 4, yes=4, kind="committee").passed


# --- 选举: 到会超过五分之四; 赞成票超过实到会人数的半数 ---

@pytest.mark.parametrize(("eligible", "present", "valid"), [
    (10, 8, False),  # exactly 4/5
    (10, 9, True),
    (5, 4, False),
    (5, 5, True),
    (7, 5, False),  # 5.6 is 4/5 of 7
    (7, 6, True),
    (11, 9, True),  # 8.8
    (11, 8, False),
])
def test_election_needs_more_than_four_fifths_present(eligible, present, valid):
    assert vote_result(eligible, present, yes=present, kind="election").valid_meeting is valid


@pytest.mark.parametrize(("present", "yes", "passed"), [(10, 5, False), (10, 6, True), (9, 4, False), (9, 5, True)])
def test_elected_with_more_than_half_of_those_present(present, yes, passed):
    assert vote_result(10, present, yes=yes, kind="election").passed is passed


# --- 民主生活会: 到会不少于三分之二 ---

@pytest.mark.parametrize(("eligible", "present", "valid"), [(9, 6, True), (9, 5, False), (10, 7, True), (10, 6, False),
                                                           (3, 2, True)])
def test_democratic_life_meeting_needs_two_thirds(eligible, present, valid):
    result = vote_result(eligible, present, yes=0, kind="democratic_life")
    assert result.valid_meeting is valid and result.passed is None


def test_democratic_life_meeting_takes_no_votes():
    with pytest.raises(ValueError, match="不进行表决"):
        vote_result(9, 9, yes=5, kind="democratic_life")


# --- input sanity ---

@pytest.mark.parametrize(("args", "message"), [
    ((0, 0, 0), "应到会人数必须大于0"),
    ((10, 11, 0), "不能多于应到会人数"),
    ((10, 6, 4, 2, 1), "不能多于实到会人数"),
    ((10, -1, 0), "不能为负数"),
    ((10, 6, True), "必须是整数"),
    ((10, 6.0, 0), "必须是整数"),
])
def test_impossible_counts_are_refused_in_chinese(args, message):
    with pytest.raises(ValueError, match=message):
        vote_result(*args)


def test_unknown_kind_is_refused():
    with pytest.raises(ValueError, match="未知的表决类型"):
        vote_result(10, 6, 6, kind="referendum")


def test_every_result_cites_its_sources():
    for kind in quorum.KINDS:
        result = vote_result(10, 10, 0, kind=kind)
        assert result.sources and all("(" in s for s in result.sources)


# --- several candidates ---

def test_highest_counts_above_half_fill_the_seats():
    result = election_result(10, 10, {"张三": 9, "李四": 8, "王五": 7, "赵六": 6, "钱七": 5}, seats=3)
    assert result.elected == ("张三", "李四", "王五") and result.runoff == () and result.vacant == 0


def test_tie_at_the_last_seat_goes_to_another_vote():
    result = election_result(10, 10, {"张三": 9, "李四": 8, "王五": 8}, seats=2)
    assert result.elected == ("张三",) and set(result.runoff) == {"李四", "王五"}
    assert "再次投票" in result.reasons[1]


def test_tie_that_fits_the_seats_elects_both():
    assert election_result(10, 10, {"张三": 8, "李四": 8, "王五": 3}, seats=2).elected == ("张三", "李四")


def test_too_few_above_half_leaves_seats_vacant():
    result = election_result(10, 10, {"张三": 6, "李四": 5}, seats=2)  # 5 of 10 present is not more than half
    assert result.elected == ("张三",) and result.vacant == 1


def test_invalid_election_meeting_elects_nobody():
    result = election_result(10, 8, {"张三": 8}, seats=1)
    assert not result.valid_meeting and result.elected == () and "五分之四" in result.reasons[0]


def test_votes_above_the_number_present_are_refused():
    with pytest.raises(ValueError, match="多于实到会人数"):
        election_result(10, 9, {"张三": 10}, seats=1)


@pytest.mark.parametrize(("seats", "candidates"), [(1, 2), (3, 4), (5, 6), (6, 8), (7, 9), (10, 12), (11, 14)])
def test_candidates_exceed_seats_by_twenty_percent_rounded_up(seats, candidates):
    assert quorum.min_candidates(seats) == candidates


def test_who_counts_as_eligible():
    assert quorum.eligible_voters(30, sanctioned=1, suspended=1, excused=2) == 26
    with pytest.raises(ValueError, match="不能多于正式党员人数"):
        quorum.eligible_voters(3, sanctioned=2, excused=2)
