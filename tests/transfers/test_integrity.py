"""The invariants: one open transfer per member (database constraint), the member in exactly one branch
at every step, and the tree's moves keeping both sides of a transfer reachable by scope."""

import pytest
from django.db import IntegrityError, transaction

from dangjian.members.models import Member
from dangjian.orgs import actions as org_actions
from dangjian.transfers import actions, queries
from dangjian.transfers.models import Status, Transfer
from tests.factories import make_org


def test_database_refuses_a_second_open_transfer(cast):
    t = actions.start(cast.m1, to_org=cast.tree.b2, reason="调动", by=cast.secretary1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Transfer.objects.create(member=cast.m1, from_org=cast.tree.b1, org_path=t.org_path, to_org=cast.tree.b3,
                                reason="绕过动作层", status=Status.APPROVED)
    # Closed ones do not count: history may hold many.
    actions.cancel(t, by=cast.secretary1)
    actions.start(cast.m1, to_org=cast.tree.b3, reason="再次", by=cast.secretary1)
    assert Transfer.objects.filter(member=cast.m1).count() == 2


def test_member_in_exactly_one_branch_at_every_step(cast):
    def branches():
        return list(Member.objects.filter(pk=cast.m2.pk).values_list("org__code", flat=True))

    t = actions.start(cast.m2, to_org=cast.tree.b3, reason="调动", by=cast.secretary1)
    assert branches() == ["CA1B1"]
    actions.approve(t, by=cast.county_admin)
    assert branches() == ["CA1B1"]
    actions.accept(t, by=cast.city_admin)
    assert branches() == ["CB01"]


def test_moving_the_sending_subtree_keeps_scope_queries_right(cast):
    t = actions.start(cast.m1, to_org=cast.tree.b3, reason="调动", by=cast.secretary1)
    new_county = make_org("CC", "北县县委", "committee", parent=cast.tree.city)
    org_actions.move_org(cast.tree.town, new_county)
    t.refresh_from_db()
    town = type(cast.tree.town).objects.get(pk=cast.tree.town.pk)
    assert t.org_path.startswith(town.path) and t.org_path == Member.objects.get(pk=cast.m1.pk).org_path
    # The old county no longer reaches it; the town's admin still approves it.
    assert not queries.to_approve(cast.county_admin).exists()
    assert list(queries.to_approve(cast.town_admin)) == [t]
    # Moving the receiving side needs no rewrite: its path is read through the join.
    org_actions.move_org(cast.tree.district, new_county)
    actions.approve(t, by=cast.town_admin)
    from tests.factories import make_user

    cc_admin = make_user("cc_admin", "admin", new_county)
    assert list(queries.to_accept(cc_admin)) == [t]


def test_open_transfer_holds_the_member_in_place(cast):
    import pytest
    from django.core.exceptions import ValidationError

    from dangjian.members import actions as member_actions
    from dangjian.transfers import actions as transfer_actions

    transfer_actions.start(cast.m1, reason="工作调动", by=cast.secretary1, to_org=cast.tree.b3)
    with pytest.raises(ValidationError, match="正在转接"):
        member_actions.update_member(cast.m1, {"org": cast.tree.b2}, by=cast.town_admin)
