"""不合格党员处置: 限期改正 with a deadline from the rules, then 改正, or 劝退 / 除名 approved above."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from dangjian.members import actions
from dangjian.members.models import DisposalCase, StatusCase
from dangjian.rules.base import add_months

TODAY = timezone.localdate()


def _open(cast, decided_on, deadline=None, member=None):
    return actions.open_disposal(member or cast.m1, decided_on=decided_on,
                                 deadline=deadline or actions.correction_deadline(decided_on),
                                 reason="连续两次民主评议不合格", by=cast.secretary1)


def test_usual_term_is_six_months_since_2024_and_a_year_before():
    assert actions.correction_deadline(dt.date(2025, 1, 31)) == dt.date(2025, 7, 31)
    assert actions.correction_deadline(dt.date(2024, 6, 16)) == dt.date(2024, 12, 16)
    assert actions.correction_deadline(dt.date(2024, 6, 15)) == dt.date(2025, 6, 15)


def test_deadline_at_most_one_year_refused_beyond_with_source(cast):
    d = add_months(TODAY, -1)
    with pytest.raises(ValidationError) as e:
        _open(cast, d, add_months(d, 12) + dt.timedelta(days=1))
    msg = e.value.message_dict["deadline"][0]
    assert "最长不超过12个月" in msg and "不合格党员组织处置办法" in msg
    assert not DisposalCase.objects.exists()
    case = _open(cast, d, add_months(d, 12))  # exactly a year: allowed, with a warning (usual is 6)
    assert [w.code for w in case.warnings] == ["disposal.deadline_usual"] and not case.warnings[0].hard


def test_deadline_must_follow_decision(cast):
    with pytest.raises(ValidationError) as e:
        _open(cast, TODAY, TODAY)
    assert "改正期限应晚于" in e.value.message_dict["deadline"][0]


def test_corrected_closes_the_case(cast):
    case = _open(cast, add_months(TODAY, -2))
    actions.record_disposal_outcome(case, outcome="corrected", on=TODAY, by=cast.secretary1)
    case.refresh_from_db()
    assert case.outcome == "corrected" and case.outcome_on == TODAY and not case.is_open


def test_persuasion_only_after_the_deadline(cast):
    case = _open(cast, add_months(TODAY, -3))
    with pytest.raises(ValidationError) as e:
        actions.record_disposal_outcome(case, outcome="persuaded", on=TODAY, note="支部大会表决", by=cast.secretary1)
    assert "期满" in e.value.message_dict["outcome_on"][0] and "2024" in e.value.message_dict["outcome_on"][0]
    assert not StatusCase.objects.exists()


def test_removal_after_deadline_goes_to_committee_and_closes_on_approval(cast):
    decided = add_months(TODAY, -7)
    case = _open(cast, decided)
    actions.record_disposal_outcome(case, outcome="removed", on=TODAY, note="期满仍无转变，支部大会表决通过", by=cast.secretary1)
    sc = StatusCase.objects.get(disposal=case)
    assert sc.kind == "leave" and sc.leave_type == "removed" and sc.status == "pending"
    case.refresh_from_db()
    assert case.is_open  # until the committee above approves
    with pytest.raises(ValidationError):
        actions.record_disposal_outcome(case, outcome="removed", on=TODAY, note="再次", by=cast.secretary1)
    actions.approve_status_case(sc, by=cast.town_admin)
    case.refresh_from_db()
    cast.m1.refresh_from_db()
    assert case.outcome == "removed" and cast.m1.status == "expelled"


def test_one_open_case_per_member(cast):
    _open(cast, add_months(TODAY, -1))
    with pytest.raises(ValidationError) as e:
        _open(cast, TODAY)
    assert "未办结的处置案件" in e.value.message_dict["member"][0]
