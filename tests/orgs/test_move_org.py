import pytest
from django.core.exceptions import ValidationError

from dangjian.core.models import Event
from dangjian.members.models import Member
from dangjian.orgs import actions
from dangjian.orgs.models import Org


def refresh(*orgs):
    return [Org.objects.get(pk=o.pk) for o in orgs]


def test_move_branch_keeps_members_and_rewrites_paths(cast):
    t = cast.tree
    actions.move_org(t.b1, t.district, reason="隶属关系调整")
    b1, town, district, county, city = refresh(t.b1, t.town, t.district, t.county, t.city)
    assert b1.parent_org() == district
    members = Member.objects.filter(org=b1)
    assert members.count() == 2
    assert all(m.org_path == b1.path for m in members)
    assert set(Member.objects.in_subtree(district)) >= set(members)
    assert not Member.objects.in_subtree(town).filter(org=b1).exists()
    # counters follow the branch
    assert (town.subtree_full, town.subtree_probationary) == (1, 0)
    assert (district.subtree_full, district.subtree_probationary) == (2, 1)
    assert (county.subtree_full, county.subtree_probationary) == (1, 0)
    assert (city.subtree_full, city.subtree_probationary) == (3, 1)
    ev = Event.objects.get(verb="org.move")
    assert ev.detail["from"] == "CA1" and ev.detail["to"] == "CB"
    assert b1.history.count() >= 2


def test_move_committee_moves_whole_subtree(cast):
    t = cast.tree
    actions.move_org(t.town, t.district)
    town, b1, b2, district = refresh(t.town, t.b1, t.b2, t.district)
    assert b1.path.startswith(town.path) and town.path.startswith(district.path)
    assert Member.objects.in_subtree(district).count() == 4
    assert district.subtree_total == 4


def test_cannot_move_under_own_descendant(tree):
    with pytest.raises(ValidationError, match="下级"):
        actions.move_org(tree.county, tree.town)


def test_cannot_move_under_a_branch(tree):
    with pytest.raises(ValidationError, match="不能设下级"):
        actions.move_org(tree.b1, tree.b2)


def test_delete_refused_with_members_or_children(cast):
    with pytest.raises(ValidationError, match="2名党员"):
        actions.delete_org(cast.tree.b1)
    with pytest.raises(ValidationError, match="下级党组织"):
        actions.delete_org(cast.tree.town)


def test_delete_empty_branch(tree):
    actions.delete_org(tree.b2)
    assert not Org.objects.filter(code="CA1B2").exists()
    assert Event.objects.filter(verb="org.delete").exists()


def test_duplicate_code_refused(tree):
    with pytest.raises(ValidationError, match="已被使用"):
        actions.create_org({"code": "CA", "name": "x", "org_type": "branch"}, parent=tree.town)


def test_rebuild_counts_matches_maintained_counters(cast):
    before = {o.code: (o.direct_full, o.direct_probationary, o.subtree_full, o.subtree_probationary) for o in Org.objects.all()}
    Org.objects.update(subtree_full=99, direct_full=7)
    actions.rebuild_counts()
    after = {o.code: (o.direct_full, o.direct_probationary, o.subtree_full, o.subtree_probationary) for o in Org.objects.all()}
    assert after == before
    assert after["C"] == (0, 0, 3, 1)


def test_every_path_copying_model_is_rewritten_on_move():
    from dangjian.orgs.actions import path_copying_models

    labels = {m._meta.label for m in path_copying_models()}
    assert "members.Member" in labels
    assert "core.Event" not in labels and "members.HistoricalMember" not in labels
