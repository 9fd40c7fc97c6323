"""双重组织生活: committee leaders are tracked in their own branch's meetings too."""

import datetime as dt

import pytest
from django.urls import reverse

from dangjian.orglife import actions
from dangjian.orglife.queries import dual_life
from dangjian.orgs.actions import add_committee_member, add_term

ROLES = ["city_admin", "county_admin", "town_admin", "secretary1", "secretary2", "viewer", "member_user", "outsider"]
VIEW_CA1 = {"city_admin", "county_admin", "town_admin", "viewer"}


@pytest.fixture
def leader(cast):
    """m1 (a member of branch CA1B1) is deputy secretary of the town committee CA1."""
    term = add_term(cast.tree.town, elected_on=dt.date(2024, 3, 1))
    return add_committee_member(term, name=cast.m1.name, position="deputy", started_on=dt.date(2024, 3, 1),
                                duty="组织委员", member=cast.m1)


def test_leader_attendance_in_own_branch(cast, leader):
    actions.record_meeting(cast.tree.b1, kind="branch_congress", held_on=dt.date(2025, 3, 5), topic="一季度",
                           attendance=[(cast.m1, "present", "")])
    actions.record_meeting(cast.tree.b1, kind="branch_congress", held_on=dt.date(2025, 6, 5), topic="二季度",
                           attendance=[(cast.m1, "absent", "")])
    actions.record_meeting(cast.tree.b1, kind="org_life_meeting", held_on=dt.date(2025, 12, 5), topic="组织生活会",
                           attendance=[(cast.m1, "leave", "出差")])
    (row,) = dual_life(cast.tree.county, 2025)
    assert row["member"] == cast.m1 and row["committee"] == cast.tree.town and row["branch"] == cast.tree.b1
    cells = {c["kind"]: (c["attended"], c["held"]) for c in row["cells"]}
    assert cells["branch_congress"] == (1, 2) and cells["org_life_meeting"] == (0, 1)
    assert row["missed_org_life"]


def test_only_serving_leaders_with_a_member_record(cast, leader):
    add_committee_member(leader.term, name="无党员记录", position="member", started_on=dt.date(2024, 3, 1))
    leader.ended_on = dt.date(2024, 12, 31)
    leader.save()
    assert dual_life(cast.tree.town, 2025) == []
    assert len(dual_life(cast.tree.town, 2024)) == 1


def test_branch_committee_members_are_not_dual(cast):
    term = add_term(cast.tree.b1, elected_on=dt.date(2024, 3, 1))
    add_committee_member(term, name=cast.m1.name, position="secretary", started_on=dt.date(2024, 3, 1), member=cast.m1)
    assert dual_life(cast.tree.town, 2025) == []


def test_query_count_is_fixed(cast, leader, django_assert_num_queries):
    with django_assert_num_queries(3):
        dual_life(cast.tree.city, 2025)


@pytest.mark.parametrize("who", ROLES)
def test_page_by_scope(client, cast, leader, who):
    client.force_login(getattr(cast, who))
    r = client.get(reverse("orglife:dual", args=["CA1"]), {"year": "2025"})
    assert r.status_code == (200 if who in VIEW_CA1 else 404)
    if r.status_code == 200:
        assert cast.m1.name in r.content.decode() and "组织委员" in r.content.decode()
