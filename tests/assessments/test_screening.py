"""软弱涣散排查: each 直接认定 criterion at its edges (the day of the check is 2026-11-20)."""

import datetime as dt

import pytest
import time_machine

from dangjian.assessments.screening import screen
from dangjian.core import idcard
from dangjian.orgs import actions as org_actions
from dangjian.recruitment.models import Applicant, Stage
from tests.factories import make_org

D = dt.date


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(dt.datetime(2026, 11, 20, 12, tzinfo=dt.UTC)):
        yield


def found(root, year=2026, code=None):
    out = {s.org.code: [f for f in s.findings if code is None or f.code == code] for s in screen(root, year)}
    return {k: v for k, v in out.items() if v}


def secretary(org, elected, started, ended=None):
    term = org_actions.add_term(org, elected_on=elected)
    cm = org_actions.add_committee_member(term, name="书记甲", position="secretary", started_on=started)
    if ended:
        org_actions.end_committee_service(cm, ended_on=ended)
    return term


def test_secretary_vacant_more_than_three_months(tree):
    secretary(tree.b1, D(2024, 3, 1), D(2024, 3, 1), ended=D(2026, 8, 19))  # 3 months and a day
    secretary(tree.b2, D(2024, 3, 1), D(2024, 3, 1), ended=D(2026, 8, 20))  # exactly 3 months: not yet over
    got = found(tree.town, code="secretary")
    assert list(got) == ["CA1B1"]
    assert got["CA1B1"][0].message == "书记出缺：2026年08月19日原书记离任后未配备书记，已超过3个月"
    assert "[S59]" in got["CA1B1"][0].source


def test_a_term_without_a_secretary_counts_from_the_election_and_no_term_is_not_judged(tree):
    org_actions.add_term(tree.b1, elected_on=D(2026, 1, 10))
    org_actions.add_term(tree.b2, elected_on=D(2026, 9, 1))  # under 3 months ago
    got = found(tree.town, code="secretary")
    assert list(got) == ["CA1B1"] and "2026年01月10日换届以来" in got["CA1B1"][0].message
    assert "CB01" not in found(tree.city, code="secretary")  # no term entered: nothing to judge


def test_only_the_current_term_counts(tree):
    secretary(tree.b1, D(2021, 3, 1), D(2021, 3, 1))  # the old term's secretary never ended in the records
    org_actions.add_term(tree.b1, elected_on=D(2026, 3, 1))  # the new term has none
    assert "CA1B1" in found(tree.town, code="secretary")
    secretary(tree.b2, D(2026, 3, 1), D(2026, 3, 1))
    assert "CA1B2" not in found(tree.town, code="secretary")


def test_a_local_vacancy_limit(tree, settings):
    secretary(tree.b1, D(2024, 3, 1), D(2024, 3, 1), ended=D(2026, 6, 1))
    assert "CA1B1" in found(tree.town, code="secretary")
    settings.DANGJIAN_RULES = {"assessments.secretary_vacancy_months": 6}
    assert "CA1B1" not in found(tree.town, code="secretary")


def test_organization_life_missed_in_finished_periods(cast):
    tree = cast.tree
    got = found(tree.town, code="orglife")
    assert set(got) == {"CA1B1", "CA1B2"}  # nothing recorded this year
    message = got["CA1B1"][0].message
    assert message.startswith("组织生活未按规定开展：") and "主题党日（1、2、3、4、5、6、7、8、9、10月）" in message
    assert "支部党员大会（第1、2、3季度）" in message  # the 4th quarter is under way


def applicant(org, candidate_on, n):
    birth = D(1998, 1, 1)
    return Applicant.objects.create(org=org, org_path=org.path, name=f"申请人{n}", gender="M",
                                    id_number=idcard.make("370102", birth, 11 + 2 * n), birth_date=birth,
                                    education="bachelor", applied_on=D(2023, 1, 1), stage=Stage.CANDIDATE,
                                    candidate_on=candidate_on)


def test_village_branches_without_a_candidate_for_two_years(tree):
    applicant(tree.b1, D(2025, 1, 1), 1)  # the first day of the two years
    applicant(tree.b2, D(2024, 12, 31), 2)  # the day before
    got = found(tree.city, code="recruitment")
    assert list(got) == ["CA1B2"]  # 花园社区 (CB01) is not a village
    assert got["CA1B2"][0].message == "发展党员：2025年至2026年连续2年没有确定发展对象的记录"
    assert "CA1B2" not in found(tree.city, year=2025, code="recruitment")  # 2024-2025: it had one


def test_a_branch_founded_within_the_two_years_is_not_judged(tree):
    make_org("CA1B3", "城关镇新村党支部", "branch", parent=tree.town, founded_on=D(2025, 3, 1))
    make_org("CA1B4", "城关镇老村党支部", "branch", parent=tree.town, founded_on=D(2024, 12, 31))
    got = found(tree.town, code="recruitment")
    assert "CA1B3" not in got and "CA1B4" in got


def test_the_root_is_left_out_unless_asked(tree):
    assert "CA1B1" not in found(tree.b1)
    assert [s.org.code for s in screen(tree.b1, 2026, include_root=True)] == ["CA1B1"]


def test_soft_requirements_need_several_misses_and_firm_ones_one(cast, settings):
    settings.DANGJIAN_RULES = {"assessments.orglife_soft_missed_periods": 100}
    assert not found(cast.tree.town, code="orglife")  # 2026: only 一般 frequencies have finished periods yet
    got = found(cast.tree.town, year=2025, code="orglife")  # 2025: 组织生活会 and 民主评议 (每年) were never held
    assert set(got) == {"CA1B1", "CA1B2"}
    assert "组织生活会（全年）" in got["CA1B1"][0].message and "本平台默认" not in got["CA1B1"][0].source
