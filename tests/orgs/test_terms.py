import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from dangjian.orgs import actions
from dangjian.rules.terms import term_status


def test_branch_term_defaults_to_three_years_village_to_five(tree):
    t_branch = actions.add_term(tree.b3, elected_on=dt.date(2023, 3, 1))  # community: 5 years
    assert t_branch.years == 5
    org = actions.create_org({"code": "CB02", "name": "西区机关党支部", "org_type": "branch", "domain": "government"}, parent=tree.district)
    t = actions.add_term(org, elected_on=dt.date(2023, 3, 1))
    assert t.years == 3 and t.ends_on == dt.date(2026, 3, 1) and t.number == 1


def test_term_status_edges():
    end = dt.date(2026, 6, 30)
    assert term_status(end, dt.date(2026, 7, 1)) == "expired"
    assert term_status(end, dt.date(2026, 6, 30)) == "expiring"
    assert term_status(end, dt.date(2025, 6, 30)) == "ok"


def test_committee_member_cannot_start_before_election(tree):
    term = actions.add_term(tree.b1, elected_on=dt.date(2024, 1, 10))
    with pytest.raises(ValidationError, match="任职日期"):
        actions.add_committee_member(term, name="张伟", position="secretary", started_on=dt.date(2024, 1, 1))
    cm = actions.add_committee_member(term, name="张伟", position="secretary", started_on=dt.date(2024, 1, 10))
    assert str(cm) == "张伟（书记）"
