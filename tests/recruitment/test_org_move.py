"""A branch moved under another committee takes its recruitment files and plans along (org_path rewritten)."""

import datetime as dt

from dangjian.orgs import actions as org_actions
from dangjian.recruitment import actions, queries
from dangjian.recruitment.models import Applicant, RecruitmentPlan

from .journey import PERSON


def test_files_and_plans_follow_a_moved_branch(cast):
    a = actions.open_file(PERSON, org=cast.tree.b1, by=cast.secretary1, applied_on=dt.date(2022, 3, 1))
    actions.set_plan(cast.tree.b1, 2025, 2, by=cast.town_admin)
    org_actions.move_org(cast.tree.b1, cast.tree.district, by=cast.city_admin, reason="区划调整")
    b1 = cast.tree.b1.__class__.objects.get(pk=cast.tree.b1.pk)
    assert Applicant.objects.get(pk=a.pk).org_path == b1.path
    assert RecruitmentPlan.objects.get().org_path == b1.path
    assert queries.board(cast.city_admin, cast.tree.district).open_total == 1
    assert queries.board(cast.city_admin, cast.tree.town).open_total == 0
